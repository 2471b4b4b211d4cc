"""Backup, restore, key rotation and verify in one pass, with progress and cancel, on
real store files: what the user gets back, what a cancel leaves, how much disk they use
meanwhile, and that old (version 1) backups still restore."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import BackupInvalidError, OperationCancelled
from infoshare_desktop.store import audit, crypto, snapshot
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.errors import StoreDamagedError
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.tables import AuditEvent, StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.backup_files import (
    database_bytes,
    replace_database,
    write_version_1_backup,
)

PADDING = os.urandom(3_000_000).hex()  # about 6 MB of pages: many copy steps below


@pytest.fixture
def padded(admin_store, monkeypatch):
    """A store of some megabytes, copied a few pages per step (so that progress and
    cancel are seen many times)."""
    with admin_store.write() as session:
        session.merge(StoreSetting(name="padding", value=PADDING))
    monkeypatch.setattr(snapshot, "STEP_PAGES", 64)
    return admin_store


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def setting(store, name: str) -> str | None:
    with store.read() as session:
        row = session.get(StoreSetting, name)
    return row.value if row else None


def audit_rows(store, action: str | None = None) -> list[AuditEvent]:
    with store.read() as session:
        query = select(AuditEvent)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.exec(query).all())


def backup_entries(store) -> int:
    return len(audit_rows(store, audit.Action.BACKUP))


def test_a_backup_restores_what_was_there_and_reports_its_progress(padded, data_paths, tmp_path):
    seen: list[tuple[int, int]] = []
    dest = tmp_path / "stick" / "b.isbackup"
    head = maintenance.backup(padded, dest=dest, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) > 10
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # never goes back
    assert seen[-1][0] == seen[-1][1]  # and ends full
    accounts.set_idle_lock_minutes(padded, minutes=42)
    padded.close()

    steps: list[tuple[int, int]] = []
    store = maintenance.restore(
        data_paths,
        src=dest,
        username=ADMIN,
        password=ADMIN_PASSWORD,
        progress=lambda d, t: steps.append((d, t)),
    )
    try:
        assert setting(store, "padding") == PADDING
        assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
        assert maintenance.verify(store).ok
        (restore_entry,) = audit_rows(store, audit.Action.RESTORE)
        assert f"backup_head={head}" in restore_entry.detail
    finally:
        store.close()
    assert len(steps) > 10 and [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert steps[-1][0] == steps[-1][1]


def test_a_version_1_backup_made_as_the_old_code_made_it_still_restores(
    padded, data_paths, tmp_path
):
    old = tmp_path / "old.isbackup"
    head = write_version_1_backup(padded, old)
    accounts.set_idle_lock_minutes(padded, minutes=42)
    padded.close()
    plan = maintenance.preview_restore(data_paths, src=old, username=ADMIN, password=ADMIN_PASSWORD)
    assert plan.backup_head == head.short
    store = maintenance.restore(data_paths, src=old, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert setting(store, "padding") == PADDING
        assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
        assert maintenance.verify(store).ok
    finally:
        store.close()


def test_cancelling_a_backup_leaves_no_file_and_the_store_as_it_was(padded, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 5  # a few steps in

    with pytest.raises(OperationCancelled):
        maintenance.backup(padded, dest=stick / "b.isbackup", should_stop=should_stop)
    assert list(stick.iterdir()) == []  # no backup, no partial file, no temporary folder
    assert backup_entries(padded) == 0
    assert maintenance.verify(padded).ok
    # And the next backup works.
    maintenance.backup(padded, dest=stick / "b.isbackup")
    assert [p.name for p in stick.iterdir()] == ["b.isbackup"]
    assert backup_entries(padded) == 1


def test_cancelling_a_rotation_leaves_the_store_on_its_old_key(padded, data_paths):
    old_key, old_epoch = padded.keys.current_key, Keystore.load(data_paths.keystore).epoch
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(OperationCancelled):
        accounts.rotate_key(padded, should_stop=should_stop)
    assert not list(data_paths.root.glob("*.rotating"))
    assert Keystore.load(data_paths.keystore).epoch == old_epoch
    assert setting(padded, "padding") == PADDING  # this session goes on
    padded.close()
    raw_connect(data_paths.database, old_key).close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert store.keys.current_key == old_key
        assert maintenance.verify(store).ok
        accounts.rotate_key(store)  # and a rotation afterwards completes
        assert store.keys.current_key != old_key
    finally:
        store.close()
    with pytest.raises(StoreDamagedError):
        raw_connect(data_paths.database, old_key)


def test_backup_and_rotation_never_use_more_temporary_disk_than_one_copy(
    padded, data_paths, tmp_path
):
    """Sampled at every step: the folder being written to holds at most one copy of the
    database more than before (and the backup ends as one file about its size)."""
    store_size = data_paths.database.stat().st_size
    stick = tmp_path / "stick"
    stick.mkdir()
    peak = [0]

    def sample_stick(_done: int, _total: int) -> None:
        peak[0] = max(peak[0], folder_bytes(stick))

    maintenance.backup(padded, dest=stick / "b.isbackup", progress=sample_stick)
    assert 0 < peak[0] <= store_size + 64 * 1024
    assert store_size <= (stick / "b.isbackup").stat().st_size <= store_size + 64 * 1024

    before = folder_bytes(data_paths.root)
    peak[0] = 0

    def sample_data(_done: int, _total: int) -> None:
        peak[0] = max(peak[0], folder_bytes(data_paths.root) - before)

    accounts.rotate_key(padded, progress=sample_data)
    assert 0 < peak[0] <= store_size + 64 * 1024


def test_writes_during_a_backup_neither_restart_it_nor_enter_it(padded, data_paths, tmp_path):
    """The copy is one snapshot: the entries written while it runs are not in it, and it
    takes no more steps than the pages need."""
    steps: list[int] = []
    pages = data_paths.database.stat().st_size // 4096

    def write_meanwhile(done: int, _total: int) -> None:
        steps.append(done)
        if len(steps) % 4 == 0:
            accounts.set_idle_lock_minutes(padded, minutes=len(steps) % 200 + 1)

    dest = tmp_path / "b.isbackup"
    head = maintenance.backup(padded, dest=dest, progress=write_meanwhile)
    assert len(steps) <= pages // snapshot.STEP_PAGES + 3  # the copy's steps and the check's
    entries = len(audit_rows(padded))
    assert int(head.split(":")[0]) < entries - 1  # entries were written meanwhile...
    padded.close()
    store = maintenance.restore(data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
        assert maintenance.verify(store).ok  # ...and none of them is in the backup
    finally:
        store.close()


@pytest.mark.parametrize("damage", ["flipped page", "cut short", "archive only"])
def test_a_damaged_backup_is_refused_and_nothing_changes(admin_store, data_paths, tmp_path, damage):
    good = tmp_path / "good.isbackup"
    maintenance.backup(admin_store, dest=good)
    admin_store.close()
    size = database_bytes(good)
    database = bytearray(good.read_bytes()[:size])
    bad = tmp_path / "bad.isbackup"
    if damage == "flipped page":
        database[size // 2] ^= 0x40  # inside a page in the middle of the database
        replace_database(good, bad, bytes(database))
    elif damage == "cut short":  # the second half of its pages lost
        replace_database(good, bad, bytes(database[: size // 2 // 4096 * 4096]))
    else:  # the archive alone, its manifest unchanged
        bad.write_bytes(good.read_bytes()[size:])
    _refused_changing_nothing(data_paths, bad)
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(store).ok
    store.close()


def test_verify_reports_progress_and_a_cancelled_verify_records_nothing(admin_store, monkeypatch):
    monkeypatch.setattr(audit, "PROGRESS_EVERY", 2)
    for minutes in range(1, 12):
        accounts.set_idle_lock_minutes(admin_store, minutes=minutes)
    seen: list[tuple[int, int]] = []
    assert maintenance.verify(admin_store, progress=lambda d, t: seen.append((d, t))).ok
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def entries() -> int:
        return len(audit_rows(admin_store))

    before = entries()
    calls = []
    with pytest.raises(OperationCancelled):
        maintenance.verify(  # whole: the one before was clean, so a quick one has little to do
            admin_store, full=True, should_stop=lambda: len(calls) > 3 or calls.append(1)
        )
    assert entries() == before  # no VERIFY entry for a verification not finished


def test_restore_cancelled_before_the_swap_changes_nothing(padded, data_paths, tmp_path):
    dest = tmp_path / "b.isbackup"
    maintenance.backup(padded, dest=dest)
    accounts.set_idle_lock_minutes(padded, minutes=42)
    padded.close()
    before = {p.name: p.read_bytes() for p in data_paths.root.iterdir() if p.is_file()}
    calls = []
    with pytest.raises(OperationCancelled):
        maintenance.restore(
            data_paths,
            src=dest,
            username=ADMIN,
            password=ADMIN_PASSWORD,
            should_stop=lambda: len(calls) > 20 or calls.append(1),
        )
    after = {p.name: p.read_bytes() for p in data_paths.root.iterdir() if p.is_file()}
    assert after == before
    assert not list(data_paths.root.glob(".tmp-restore-*"))
    assert not list(data_paths.backups.glob("replaced-*")) if data_paths.backups.exists() else True
    store = accounts.sign_in(DataPaths(data_paths.root), username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert accounts.idle_lock_minutes(store) == 42
    finally:
        store.close()


def test_a_restore_never_uses_more_temporary_disk_than_one_copy(padded, data_paths, tmp_path):
    """Sampled at every step, for the preview and the restore: the backup's database is
    copied once into the staging folder, under the new key (no extracted copy beside a
    rotated one)."""
    dest = tmp_path / "stick" / "b.isbackup"
    maintenance.backup(padded, dest=dest)
    padded.close()
    store_size = data_paths.database.stat().st_size
    before = folder_bytes(data_paths.root)
    peak = [0]

    def sample(_done: int, _total: int) -> None:
        peak[0] = max(peak[0], folder_bytes(data_paths.root) - before)

    maintenance.preview_restore(
        data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD, progress=sample
    )
    assert store_size // 2 < peak[0] <= store_size + 64 * 1024
    assert folder_bytes(data_paths.root) == before  # and the preview leaves nothing
    peak[0] = 0
    store = maintenance.restore(
        data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD, progress=sample
    )
    try:
        assert setting(store, "padding") == PADDING
    finally:
        store.close()
    assert store_size // 2 < peak[0] <= store_size + 64 * 1024


def test_a_restore_stretches_the_password_once(padded, data_paths, tmp_path, monkeypatch):
    """The current key store, the backup's and the restored store are each opened with
    the same password and slot: Argon2id runs once, not once for each."""
    dest = tmp_path / "b.isbackup"
    maintenance.backup(padded, dest=dest)
    padded.close()
    runs = []

    real_argon2id = crypto.Argon2id

    class CountedArgon2id:
        def __init__(self, **params: Any) -> None:
            self._kdf = real_argon2id(**params)

        def derive(self, key_material: bytes) -> bytes:
            runs.append(1)
            return self._kdf.derive(key_material)

    monkeypatch.setattr(crypto, "Argon2id", CountedArgon2id)
    maintenance.restore(data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD).close()
    assert len(runs) == 1
    maintenance.restore(data_paths, src=dest, username=ADMIN, password=ADMIN_PASSWORD).close()
    assert len(runs) == 2  # and nothing is remembered from one restore to the next


def test_a_backup_with_authentic_pages_but_a_broken_structure_is_refused(
    admin_store, data_paths, tmp_path
):
    """Every page carries its HMAC (written under the backup's key), but two indexes
    point at each other's pages, as in a store damaged before it was backed up: SQLite's
    structure check, run beside the copy, refuses it, and nothing changes."""
    for minutes in range(1, 30):  # rows in the indexed tables
        accounts.set_idle_lock_minutes(admin_store, minutes=minutes)
    good = tmp_path / "good.isbackup"
    maintenance.backup(admin_store, dest=good)
    admin_store.close()
    with zipfile.ZipFile(good) as zf:
        zf.extract("keystore.json", tmp_path / "backup-keys")
    backup_key = (
        Keystore.load(tmp_path / "backup-keys" / "keystore.json")
        .unlock(ADMIN, ADMIN_PASSWORD)
        .current_key
    )
    work = tmp_path / "work.db"
    work.write_bytes(good.read_bytes()[: database_bytes(good)])
    conn = raw_connect(work, backup_key)
    try:
        indexes = conn.execute(
            "SELECT name, tbl_name, rootpage FROM sqlite_master "
            "WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        filled = [
            (name, table, root)
            for name, table, root in indexes
            if conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] > 1
        ]
        (a, _, root_a), (b, _, root_b) = filled[:2]
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (root_b, a))
        conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (root_a, b))
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    check = raw_connect(work, backup_key)
    try:  # the damage is real, and only the structure check sees it
        assert check.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
        assert check.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        check.close()
    bad = tmp_path / "bad.isbackup"
    replace_database(good, bad, work.read_bytes())
    _refused_changing_nothing(data_paths, bad)
    assert not (data_paths.backups.exists() and list(data_paths.backups.glob("replaced-*")))


def _refused_changing_nothing(data_paths, bad) -> None:
    """Restore's preview and restore itself both refuse `bad`, and the store's folder is
    as it was, with nothing left behind."""
    before = {p.name: p.read_bytes() for p in data_paths.root.iterdir() if p.is_file()}
    for attempt in (maintenance.preview_restore, maintenance.restore):
        with pytest.raises(BackupInvalidError):
            attempt(data_paths, src=bad, username=ADMIN, password=ADMIN_PASSWORD)
    after = {p.name: p.read_bytes() for p in data_paths.root.iterdir() if p.is_file()}
    assert after == before
    assert not list(data_paths.root.glob(".tmp-restore-*"))
