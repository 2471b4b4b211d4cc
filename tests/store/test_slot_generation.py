"""An older keystore.json put back, even with its generation number raised past the one
the database has seen, no longer brings back a password its owner changed, nor undoes a
lock-out the database has recorded: each slot's generation is bound into its
password-wrapped box and recorded in the database in signed audit entries (store.
slot_state). Real files throughout: the key store is copied and edited as a colleague
with the data folder could."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import apsw
import pytest
from sqlmodel import select

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import (
    AccountLockedError,
    RollbackDetectedError,
    WrongPasswordError,
)
from infoshare_desktop.store import slot_state
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.errors import StaleKeySlotError
from infoshare_desktop.store.keyslots import LOCK_AFTER_FAILURES, Keystore
from infoshare_desktop.store.tables import AuditEvent
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD

migration = importlib.import_module(
    "infoshare_desktop.store.migrations.versions.0013_slot_state_device"
)
BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"
NEW_PASSWORD = "new lantern song here"


def _with_bea(admin_store, paths: DataPaths) -> str:
    code = accounts.add_user(admin_store, username=BEA, display_name="Bea", roles={Role.TEAM_LEAD})
    admin_store.close()
    bea = accounts.sign_in(paths, username=BEA, password=code, new_password=BEA_PASSWORD)
    user_id = bea.keys.user_id
    bea.close()
    return user_id


def _put_back(paths: DataPaths, old: Path) -> None:
    """Copy an older key store back, its generation number raised past the current one
    (the number is a plain field: the database's own check of it alone is passed)."""
    current = json.loads(paths.keystore.read_bytes())["generation"]
    data = json.loads(old.read_bytes())
    data["generation"] = current + 10
    paths.keystore.write_text(json.dumps(data))


def _refusals(paths: DataPaths) -> list[tuple[str | None, str | None]]:
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        with store.read() as session:
            rows = session.exec(
                select(AuditEvent).where(AuditEvent.action == Action.SLOT_REFUSED)
            ).all()
            return [(r.target_id, r.detail) for r in rows]
    finally:
        store.close()


def test_an_old_key_store_with_a_raised_number_does_not_bring_back_a_changed_password(
    admin_store, data_paths, tmp_path
):
    paths = data_paths
    bea_id = _with_bea(admin_store, paths)
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    accounts.change_password(bea, old_password=BEA_PASSWORD, new_password=NEW_PASSWORD)
    bea.close()
    current = paths.keystore.read_bytes()

    _put_back(paths, before)
    with pytest.raises(StaleKeySlotError, match=r"older copy of keystore\.json") as refused:
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    assert isinstance(refused.value, RollbackDetectedError)  # shown as a rollback
    assert BEA not in str(refused.value)

    paths.keystore.write_bytes(current)  # the latest key store back: the new password works
    accounts.sign_in(paths, username=BEA, password=NEW_PASSWORD).close()
    # The refusal is in the audit trail, with ids and numbers only.
    assert _refusals(paths) == [(bea_id, "stale_slot;generation=2;recorded=3")]


def test_the_slot_generation_cannot_be_edited_without_the_slot_failing_to_open(
    admin_store, data_paths, tmp_path
):
    paths = data_paths
    _with_bea(admin_store, paths)
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    accounts.change_password(bea, old_password=BEA_PASSWORD, new_password=NEW_PASSWORD)
    bea.close()
    _put_back(paths, before)
    keystore = Keystore.load(paths.keystore)
    keystore._slot(BEA)["generation"] = 3  # claim to be as new as the recorded slot
    paths.keystore.write_bytes(keystore.to_bytes())
    with pytest.raises(WrongPasswordError):  # the old password no longer opens it
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)


def _lock_out(paths: DataPaths) -> None:
    for _ in range(LOCK_AFTER_FAILURES):
        keystore = Keystore.load(paths.keystore)
        keystore._slot(BEA)["last_failure"] = 0.0  # as if the growing delay had passed
        paths.keystore.write_bytes(keystore.to_bytes())
        with pytest.raises((WrongPasswordError, AccountLockedError)):
            accounts.sign_in(paths, username=BEA, password="guess number one")
    with pytest.raises(AccountLockedError):
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)


def test_a_lock_out_survives_an_old_key_store_put_back(admin_store, data_paths, tmp_path):
    paths = data_paths
    bea_id = _with_bea(admin_store, paths)
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    _lock_out(paths)
    accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD).close()  # records it

    _put_back(paths, before)
    assert not Keystore.load(paths.keystore).is_locked(bea_id)  # the file says unlocked
    with pytest.raises(AccountLockedError):  # even with the right password
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    # The lock-out is back in the slot: the next try is refused before any password check.
    assert Keystore.load(paths.keystore).is_locked(bea_id)
    assert (bea_id, "locked_in_database") in _refusals(paths)

    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.unlock_account(admin, user_id=bea_id)
    admin.close()
    accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD).close()


def test_an_unlock_signed_by_a_non_administrator_clears_no_lock_out(
    admin_store, data_paths, tmp_path
):
    """A practitioner plants a signed "unlock Bea" in the key store: it is not carried
    out, and the lock-out recorded in the database stands."""
    paths = data_paths
    code = accounts.add_user(
        admin_store, username="pat", display_name="Pat", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        paths, username="pat", password=code, new_password="pat's own long password"
    )
    bea_id = _with_bea(admin_store, paths)
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    _lock_out(paths)
    accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD).close()
    _put_back(paths, before)
    with pat.keystore_change() as keystore:
        keystore.add_intent(
            Action.ACCOUNT_UNLOCK, actor_id=pat.keys.user_id, target_id=bea_id, signer=pat.signer
        )
        keystore.save()
        pat.commit_intents(keystore)
    pat.close()
    with pytest.raises(AccountLockedError):
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)


def test_sign_in_reads_the_slot_state_through_its_index(admin_store):
    """A few rows whatever the size of the audit trail: the partial index is used."""
    assert migration.ACTIONS_SQL == slot_state.ACTIONS_SQL
    with admin_store.read() as session:
        plan = (
            raw_connection(session)
            .execute(
                "EXPLAIN QUERY PLAN SELECT seq FROM audit_event"
                f" WHERE {slot_state.ACTIONS_SQL} AND target_id = ? ORDER BY seq DESC",
                ("x",),
            )
            .fetchall()
        )
    assert any("ix_audit_slot_state" in str(row) for row in plan), plan


def _opens(path: Path, key: bytes) -> bool:
    """Whether an independent SQLCipher reader opens the database with `key`."""
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        conn.execute("PRAGMA cipher='sqlcipher'")
        conn.execute("PRAGMA legacy=4")
        conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return True
    except apsw.Error:
        return False
    finally:
        conn.close()


def test_the_limit_an_old_slot_and_password_hold_the_data_key_until_a_rotation(
    admin_store, data_paths, tmp_path
):
    """What the README says the refusal does not do: outside the application, the old
    slot and the old password still give the data key, until the next rotation."""
    paths = data_paths
    _with_bea(admin_store, paths)
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    accounts.change_password(bea, old_password=BEA_PASSWORD, new_password=NEW_PASSWORD)
    bea.close()
    old_key = Keystore.load(before).unlock(BEA, BEA_PASSWORD).current_key
    assert _opens(paths.database, old_key)
    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.rotate_key(admin)
    admin.close()
    assert not _opens(paths.database, old_key)
    accounts.sign_in(paths, username=BEA, password=NEW_PASSWORD).close()
