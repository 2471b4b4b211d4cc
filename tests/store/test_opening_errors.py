"""Opening the store says plainly what is wrong, and leaves the files as they were."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import (
    AccountDisabledError,
    AccountLockedError,
    KeystoreDamagedError,
    NotEncryptedError,
    StoreDamagedError,
    StoreMissingError,
    StoreTooNewError,
    TooSoonError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store import keyslots as keystore_module
from tests.conftest import ADMIN, ADMIN_PASSWORD

OTHER = "pat.practitioner"


def snapshot(folder) -> dict[str, str]:
    """Every file of the data folder and a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def closed_store(admin_store, data_paths):
    """A store with an administrator and a disabled second account, closed."""
    code = accounts.add_user(
        admin_store, username=OTHER, display_name="Pat Example", roles={accounts.Role.PRACTITIONER}
    )
    admin_store.close()
    store = accounts.sign_in(
        data_paths, username=OTHER, password=code, new_password="violet harbour cinnamon"
    )
    store.close()
    return data_paths


def _unlock(paths, user=ADMIN, password=ADMIN_PASSWORD):
    return accounts.sign_in(paths, username=user, password=password)


def _disable_other(paths):
    store = _unlock(paths)
    other = next(u for u in accounts.list_users(store) if u.username == OTHER)
    accounts.disable_user(store, user_id=other.user_id)
    store.close()


def _overwrite_plaintext(paths):
    paths.database.unlink()
    conn = sqlite3.connect(paths.database)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _damage(paths):
    data = bytearray(paths.database.read_bytes())
    for offset in range(0, len(data), 4096):  # garble a little of every page
        data[offset + 100 : offset + 140] = b"\x00" * 40
    paths.database.write_bytes(bytes(data))


def _make_newer(paths):
    from infoshare_desktop.store.engine import raw_connect
    from infoshare_desktop.store.keyslots import Keystore

    keys = Keystore.load(paths.keystore).unlock(ADMIN, ADMIN_PASSWORD)
    conn = raw_connect(paths.database, keys.current_key)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()


CASES = [
    # (id, how to break the folder, who signs in, error type, words in the message)
    ("unknown user", None, ("nobody.here", ADMIN_PASSWORD), UnknownUserError, "no account"),
    (
        "disabled",
        _disable_other,
        (OTHER, "violet harbour cinnamon"),
        AccountDisabledError,
        "disabled",
    ),
    (
        "missing db",
        lambda p: p.database.unlink(),
        (ADMIN, ADMIN_PASSWORD),
        StoreMissingError,
        "missing",
    ),
    (
        "empty db",
        lambda p: p.database.write_bytes(b""),
        (ADMIN, ADMIN_PASSWORD),
        StoreMissingError,
        "missing or empty",
    ),
    (
        "plaintext db",
        _overwrite_plaintext,
        (ADMIN, ADMIN_PASSWORD),
        NotEncryptedError,
        "not encrypted",
    ),
    ("damaged db", _damage, (ADMIN, ADMIN_PASSWORD), StoreDamagedError, "damaged"),
    ("newer version", _make_newer, (ADMIN, ADMIN_PASSWORD), StoreTooNewError, "newer version"),
    (
        "damaged keystore",
        lambda p: p.keystore.write_text("{not json"),
        (ADMIN, ADMIN_PASSWORD),
        KeystoreDamagedError,
        "key store",
    ),
]


@pytest.mark.parametrize(
    ("name", "breaker", "who", "error", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_each_failure_has_its_own_error_and_changes_no_file(
    closed_store, name, breaker, who, error, words
):
    paths = closed_store
    if breaker:
        breaker(paths)
    before = snapshot(paths.root)
    with pytest.raises(error) as raised:
        _unlock(paths, *who)
    assert words in str(raised.value).lower()
    assert snapshot(paths.root) == before, f"{name}: files changed"
    # Nothing was created over a missing database.
    if error is StoreMissingError:
        assert not paths.database.exists() or paths.database.stat().st_size == 0


def test_wrong_password_counts_the_failure_and_changes_nothing_else(closed_store):
    paths = closed_store
    db_before = snapshot(paths.root)["infoshare.db"]
    slots_before = json.loads(paths.keystore.read_text())["slots"]
    with pytest.raises(WrongPasswordError) as raised:
        _unlock(paths, ADMIN, "not the password at all")
    assert "password is not right" in str(raised.value)
    assert snapshot(paths.root)["infoshare.db"] == db_before
    slots_after = json.loads(paths.keystore.read_text())["slots"]
    for lookup, slot in slots_after.items():
        expected = dict(slots_before[lookup])
        if slot["user_id"] != slots_before[lookup]["user_id"]:
            pytest.fail("slots reordered")
        for counter in ("failures", "unreported", "last_failure", "locked"):
            expected.pop(counter, None)
            slot.pop(counter, None)
        assert slot == expected  # only the failure counter moved


def test_failures_delay_then_lock_and_reach_the_audit_trail(closed_store, monkeypatch):
    paths = closed_store
    clock = [1_000_000.0]
    monkeypatch.setattr(keystore_module.time, "time", lambda: clock[0])
    for attempt in range(1, 10):
        with pytest.raises(WrongPasswordError):
            _unlock(paths, ADMIN, f"wrong guess number {attempt}")
        if attempt >= 5:
            with pytest.raises(TooSoonError):
                _unlock(paths, ADMIN, ADMIN_PASSWORD)  # even the right one must wait
        clock[0] += 120
    # The tenth failure locks the account; then even the right password is refused.
    with pytest.raises(AccountLockedError):
        _unlock(paths, ADMIN, "wrong guess number 10")
    with pytest.raises(AccountLockedError):
        _unlock(paths, ADMIN, ADMIN_PASSWORD)


def test_failures_are_audited_at_the_next_successful_unlock(closed_store):
    from sqlmodel import select

    from infoshare_desktop.store.tables import AuditEvent

    paths = closed_store
    for n in range(3):
        with pytest.raises(WrongPasswordError):
            _unlock(paths, ADMIN, f"wrong guess number {n}")
    store = _unlock(paths)
    with store.read() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
    store.close()
    failed = [e for e in events if e.action == "session.unlock_failed"]
    assert failed[-1].detail == "failed_attempts=3"
    assert events[-1].action == "session.unlock"


def test_an_administrator_unlocks_a_locked_account(closed_store, monkeypatch):
    paths = closed_store
    clock = [1_000_000.0]
    monkeypatch.setattr(keystore_module.time, "time", lambda: clock[0])
    for n in range(10):
        with pytest.raises((WrongPasswordError, AccountLockedError)):
            _unlock(paths, OTHER, f"wrong guess number {n}")
        clock[0] += 120
    with pytest.raises(AccountLockedError):
        _unlock(paths, OTHER, "violet harbour cinnamon")
    admin = _unlock(paths)
    other = next(u for u in accounts.list_users(admin) if u.username == OTHER)
    assert other.locked_out
    accounts.unlock_account(admin, user_id=other.user_id)
    admin.close()
    _unlock(paths, OTHER, "violet harbour cinnamon").close()


def test_a_failed_first_run_leaves_an_empty_folder_to_try_again(data_paths, monkeypatch):
    from infoshare_desktop.services.errors import DiskFullError
    from infoshare_desktop.store import core

    def full(*args, **kwargs):
        raise DiskFullError()

    with monkeypatch.context() as patch, pytest.raises(DiskFullError):
        patch.setattr(core, "atomic_move", full)
        accounts.first_run(data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD)
    assert accounts.needs_first_run(data_paths)
    accounts.first_run(
        data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
    ).close()


@pytest.mark.parametrize("folder", ["team#1", "what?mode=ro", "100% fictional"])
def test_a_data_folder_with_uri_characters_in_its_path_is_used_as_named(tmp_path, folder):
    from infoshare_desktop.paths import DataPaths

    paths = DataPaths(tmp_path / folder / "data")
    store = accounts.first_run(
        paths, username=ADMIN, display_name="Alex Example", password=ADMIN_PASSWORD
    )
    store.close()
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # nothing written beside it
    assert paths.database.stat().st_size > 0


def test_a_disabled_account_changes_no_file_even_after_failed_attempts(closed_store):
    paths = closed_store
    _disable_other(paths)
    with pytest.raises(WrongPasswordError):
        _unlock(paths, OTHER, "not the right password")
    before = snapshot(paths.root)
    with pytest.raises(AccountDisabledError):
        _unlock(paths, OTHER, "violet harbour cinnamon")
    assert snapshot(paths.root) == before  # the failure counter is not cleared either
