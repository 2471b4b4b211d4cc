"""A store an earlier version left (its schema behind this version's) is backed up, then
updated, when someone first signs in to it: with progress and a cancel during the backup
for a window that runs it off its thread, or refused before anything is written when the
caller asks (`upgrade=False`), so that the window can do that. Real SQLCipher files: the
store is made at revision 0014 and updated by the revisions after it."""

from __future__ import annotations

import logging
import os

import pytest
from alembic import command
from sqlmodel import select

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import (
    OperationCancelled,
    StoreUpdateFailedError,
    UpgradeNeeded,
)
from infoshare_desktop.store import migrate, snapshot
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.tables import AuditEvent, StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD

EARLIER = "0014"


def make_earlier_store(paths, *, padding: int = 0, then=None):
    """A store left at EARLIER by an earlier version, closed (its first run, held at
    EARLIER, made one backup before its own update), with `padding` random bytes in a
    setting to make it bigger; `then(store)` runs as its administrator first."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), EARLIER),
        )
        store = accounts.first_run(
            paths, username=ADMIN, display_name="Alex Example (Admin)", password=ADMIN_PASSWORD
        )
        if padding:
            with store.write() as session:
                session.merge(StoreSetting(name="padding", value=os.urandom(padding).hex()))
        if then is not None:
            then(store)
    store.close()
    return paths


@pytest.fixture
def earlier_store(data_paths):
    return make_earlier_store(data_paths)


def revision(paths) -> str | None:
    """The store's schema revision, "behind" while it waits for its update."""
    try:
        store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD, upgrade=False)
    except UpgradeNeeded:
        return "behind"
    try:
        with store.engine.connect() as conn:
            return migrate.current_revision(conn)
    finally:
        store.close()


def backups_recorded(paths) -> int:
    """How many backups the audit trail records (the sign-in that reads it updates the
    store first if it is behind, and records that update's backup too)."""
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        with store.read() as db:
            return len(db.exec(select(AuditEvent).where(AuditEvent.action == Action.BACKUP)).all())
    finally:
        store.close()


def set_version_record(paths, revision: str) -> None:
    """What a colleague with an account and a raw SQLCipher writer can do: their own
    password opens their slot, and its key the database."""
    key = Keystore.load(paths.keystore).unlock(ADMIN, ADMIN_PASSWORD).current_key
    conn = raw_connect(paths.database, key)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def files(paths) -> dict[str, bytes]:
    return {
        p.relative_to(paths.root).as_posix(): p.read_bytes()
        for p in paths.root.rglob("*")
        if p.is_file() and not p.name.endswith(".lock")
    }


def test_asked_not_to_update_the_sign_in_says_so_and_writes_nothing(earlier_store):
    before = files(earlier_store)
    with pytest.raises(UpgradeNeeded) as raised:
        accounts.sign_in(earlier_store, username=ADMIN, password=ADMIN_PASSWORD, upgrade=False)
    assert "updated" in raised.value.user_message
    assert files(earlier_store) == before  # the backups folder's files included


def test_a_wrong_password_is_still_a_wrong_password_before_any_update(earlier_store):
    from infoshare_desktop.services.errors import WrongPasswordError

    with pytest.raises(WrongPasswordError):
        accounts.sign_in(earlier_store, username=ADMIN, password="not it", upgrade=False)


def test_the_update_moves_one_bar_from_the_backup_to_the_last_revision(earlier_store):
    seen: list[tuple[int, int]] = []
    backups_before = len(list(earlier_store.backups.glob("*.isbackup")))
    store = accounts.sign_in(
        earlier_store,
        username=ADMIN,
        password=ADMIN_PASSWORD,
        progress=lambda done, total: seen.append((done, total)),
        should_stop=lambda: False,
    )
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
    finally:
        store.close()
    assert seen, "no progress was told"
    fractions = [done / total for done, total in seen]
    assert fractions == sorted(fractions), seen  # the bar never goes back
    assert fractions[-1] == 1.0
    # Both halves moved it: the backup's steps below one half, a revision's above.
    assert any(0 < f < 0.5 for f in fractions), seen
    assert any(0.5 < f < 1.0 for f in fractions), seen
    made = sorted(earlier_store.backups.glob("before-migration-*.isbackup"))
    assert len(made) == backups_before + 1 and made[-1].stat().st_size > 0
    # Signed in again: nothing more to update, no other backup; the trail records both
    # (the first run's, held at EARLIER, and this update's).
    assert revision(earlier_store) == migrate.head_revision()
    assert len(list(earlier_store.backups.glob("*.isbackup"))) == backups_before + 1
    assert backups_recorded(earlier_store) == backups_before + 1


def test_a_cancel_during_the_backup_leaves_the_store_as_it_was(earlier_store, monkeypatch):
    before = files(earlier_store)
    monkeypatch.setattr(snapshot, "STEP_PAGES", 4)  # a backup of many steps
    told: list[int] = []
    with pytest.raises(OperationCancelled):
        accounts.sign_in(
            earlier_store,
            username=ADMIN,
            password=ADMIN_PASSWORD,
            progress=lambda done, total: told.append(done),
            should_stop=lambda: len(told) >= 3,  # Cancel pressed with pages copied
        )
    assert len(told) >= 3
    assert files(earlier_store) == before  # no backup left half-written, no slot change
    assert revision(earlier_store) == "behind"
    # Nothing lost: the next sign-in updates it.
    store = accounts.sign_in(earlier_store, username=ADMIN, password=ADMIN_PASSWORD)
    store.close()
    assert revision(earlier_store) == migrate.head_revision()


def test_a_cancel_after_the_backup_keeps_it_and_leaves_the_schema_alone(earlier_store):
    """Cancel pressed once the backup is in place: the schema update does not begin."""
    backups_before = len(list(earlier_store.backups.glob("*.isbackup")))

    def backup_in_place() -> bool:
        return len(list(earlier_store.backups.glob("*.isbackup"))) > backups_before

    with pytest.raises(OperationCancelled):
        accounts.sign_in(
            earlier_store,
            username=ADMIN,
            password=ADMIN_PASSWORD,
            progress=lambda done, total: None,
            should_stop=backup_in_place,
        )
    assert revision(earlier_store) == "behind"
    assert len(list(earlier_store.backups.glob("*.isbackup"))) == backups_before + 1
    # The kept backup is recorded, as is the one the update that reads the trail makes.
    assert backups_recorded(earlier_store) == backups_before + 2


def test_an_update_that_fails_says_so_and_leaves_no_backup_behind(admin_store, data_paths, caplog):
    """A colleague sets the version record of an up-to-date store back, so that the
    updates from there collide with what the store already has: every sign-in refuses
    with a plain reason, changes nothing, and leaves no backup of the unchanged store
    behind (each such sign-in would otherwise add a copy of the whole store to the
    disk). Nothing personal reaches the log."""
    admin_store.close()
    recorded = backups_recorded(data_paths)
    set_version_record(data_paths, "0013")
    before = files(data_paths)
    for _ in range(3):
        with (
            caplog.at_level(logging.WARNING, logger="infoshare"),
            pytest.raises(StoreUpdateFailedError) as raised,
        ):
            accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
        assert "could not be updated" in raised.value.user_message
        assert "Nothing in it has been changed" in raised.value.user_message
    assert files(data_paths) == before  # no backup kept, no slot or checkpoint change
    assert "revision 0013 failed: OperationalError" in caplog.text
    assert ADMIN not in caplog.text and "reply_id" not in caplog.text  # no SQL either
    # Put back, the store opens as it was: its trail whole, no failed attempt in it.
    set_version_record(data_paths, migrate.head_revision())
    assert backups_recorded(data_paths) == recorded
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert maintenance.verify(store).ok
    finally:
        store.close()


def earlier_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config())
    head = script.get_current_head()
    return sorted(r.revision for r in script.walk_revisions() if r.revision != head)


@pytest.mark.parametrize("set_back_to", earlier_revisions())
def test_a_version_record_set_back_never_half_updates_the_store(
    admin_store, data_paths, set_back_to
):
    """Whichever earlier revision the record is set back to, the sign-in either refuses
    (the updates from there collide with what the store has) and changes nothing, or the
    updates fit (they can be run again) and the store opens whole: its records, its
    audit trail."""
    from infoshare_desktop.services import cases, records
    from tests.domain.factories import complete_case, complete_sharing_decision

    case_id = cases.create_case(admin_store, draft=complete_case())
    for _ in range(2):
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=complete_sharing_decision()
        )
    admin_store.close()
    set_version_record(data_paths, set_back_to)
    before = files(data_paths)
    try:
        store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    except StoreUpdateFailedError:
        assert files(data_paths) == before
        return
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        assert [c.records for c in cases.list_cases(store)] == [2]
        assert maintenance.verify(store).ok
    finally:
        store.close()
