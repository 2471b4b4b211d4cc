"""Writing a backup file: a verified, atomically placed copy of the database (under a
new key) and of its key store. Below store.core (which backs up before a migration and
re-keys with `copy_database`) and store.backup (which restores), so neither imports the
other's way round.

A backup file (format version 2) is the encrypted database itself, followed by a small
zip archive (stored, not compressed) of `manifest.json` and `keystore.json`: the way a
self-extracting archive carries its program in front. SQLite reads the database at the
start of the file (the header gives its size) and `zipfile` finds the archive at its
end. It is written in one pass: SQLite's backup API copies the pages, page steps at a
time, into a file with no journal and no syncing; the file is synced once, every page
is read back once (each page's HMAC under the backup key), the archive is appended and
synced, and the file is renamed into place. Version 1 backups (a zip archive holding
`infoshare.db` as a member) are still read by store.backup.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from infoshare_desktop import __version__
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import crypto
from infoshare_desktop.store.audit import GENESIS, ChainHead
from infoshare_desktop.store.engine import (
    bulk_connect,
    known_error,
    raw_connect,
    read_only_connect,
)
from infoshare_desktop.store.errors import DiskFullError, StoreError
from infoshare_desktop.store.files import atomic_move, owner_only, translate_os_error
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.leftovers import BACKUP_PREFIX, temp_folder
from infoshare_desktop.store.progress import Progress, Stages, StopCheck, check_stop

FORMAT = "infoshare-backup"
VERSION = 2
#: Pages per step of SQLite's backup API (4 MiB at SQLCipher's 4 KiB pages): progress
#: and cancel are checked between steps.
STEP_PAGES = 1024
#: How the work of a backup divides (measured: reading every page back to check its
#: HMAC costs about a third of copying it under another key).
COPY_WEIGHT, CHECK_WEIGHT = 3, 1
DB_MEMBER, KEYSTORE_MEMBER, MANIFEST_MEMBER = "infoshare.db", "keystore.json", "manifest.json"


class BackupDiskFullError(DiskFullError):
    user_message = (
        "The disk the backup was being written to is full, so no backup has been written "
        "and nothing else has changed. Free some space there or choose another disk, then "
        "try again."
    )


def integrity_problems(conn: sqlcipher3.Connection) -> list[str]:
    """SQLite's and SQLCipher's own checks; an empty list means both passed."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"page check: {row[0]}" for row in conn.execute("PRAGMA cipher_integrity_check")]
    return problems


def copy_database(
    source: Path,
    source_key: bytes,
    dest: Path,
    dest_key: bytes,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
    read_only: bool = False,
    then: Callable[[sqlcipher3.Connection], object] | None = None,
) -> int:
    """Copy a whole database into a new file under another key, in one pass: SQLite's
    backup API, STEP_PAGES at a time, from one read snapshot of the source (so writes by
    other connections meanwhile neither restart nor tear the copy) into a file with no
    journal and no syncing, synced once at the end. Returns the pages copied. The copy
    is in rollback-journal mode, so reading it creates no file beside it. `read_only`
    opens the source without writing to it (a backup file). `then(target)` runs on the
    copy's connection once the pages are in (a rotation's epoch), before the one sync.
    On any failure or cancel the partial copy is removed."""
    dest.unlink(missing_ok=True)
    try:
        src = (read_only_connect if read_only else raw_connect)(source, source_key)
        try:
            target = bulk_connect(dest, dest_key)
            owner_only(dest)
            try:
                pages = _copy_pages(src, target, progress, should_stop)
                if then is not None:
                    then(target)
            finally:
                target.close()
        finally:
            src.close()
        _fsync(dest)
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise translate_os_error(exc) from exc
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return pages


def rotated_epoch(copy: sqlcipher3.Connection, epoch: int) -> None:
    """A re-keyed copy knows its key epoch, and that no revocation waits for a rotation
    (written in the copy's own pass: `copy_database(..., then=...)`)."""
    copy.execute("BEGIN")
    copy.execute("UPDATE key_state SET key_epoch = ? WHERE id = 1", (epoch,))
    copy.execute("DELETE FROM rotation_due")
    copy.execute("COMMIT")


def _copy_pages(
    src: sqlcipher3.Connection,
    target: sqlcipher3.Connection,
    progress: Progress | None,
    should_stop: StopCheck | None,
) -> int:
    def step(_status: int, remaining: int, total: int) -> None:
        check_stop(should_stop)  # raising here makes the backup API stop
        if progress is not None:
            progress(total - remaining, total)

    check_stop(should_stop)
    src.execute("BEGIN")
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
        src.backup(target, pages=STEP_PAGES, progress=step)
    finally:
        src.execute("ROLLBACK")
    pages: int = target.execute("PRAGMA page_count").fetchone()[0]
    # The copied header says WAL, as the source's does.
    target.execute("PRAGMA journal_mode = DELETE")
    return pages


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(
    *,
    paths: DataPaths,
    key: bytes,
    keystore: Keystore,
    dest: Path,
    checkpoint_for: Callable[[str, int, bytes], dict[str, Any] | None],
    certified: dict[str, bytes] | None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> ChainHead:
    """Write a verified backup of the database at `paths` (open under `key`) and of its
    key store to `dest` atomically (see the module notes); returns the audit head the
    copy holds. Its key is sealed only to the slots holding the keys `certified` (active
    accounts' signed grants; None: a store from before them, every slot).

    The copy is a consistent snapshot (SQLite's backup API); its own audit head goes into
    the manifest. Store.write_backup appends the BACKUP entry once the backup is in place,
    so a backup that fails (a full disk, a removed stick) or is cancelled changes
    nothing, and leaves no partial file."""
    backup_key = crypto.random_key()
    dest = dest.expanduser().resolve()
    stages = Stages(progress, (COPY_WEIGHT, CHECK_WEIGHT))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with temp_folder(paths, dest.parent, BACKUP_PREFIX) as tmp:
            part = Path(tmp) / DB_MEMBER
            pages = copy_database(
                paths.database,
                key,
                part,
                backup_key,
                progress=stages.stage(0),
                should_stop=should_stop,
            )
            # The key store after the database: never older than what the copy has seen.
            copied = keystore.copy_for_backup(backup_key, certified=certified)
            head = _verify_copy(part, backup_key, pages)
            stages.done(1)
            check_stop(should_stop)
            # Each account's slot vouches for the copy's own head, signed by whoever took
            # the backup (`checkpoint_for`), so restoring it is not taken for checkpoints
            # removed.
            for owner in copied.user_ids():
                sealed = checkpoint_for(owner, head.seq, head.head)
                if sealed is not None:
                    copied.set_slot_checkpoint(owner, sealed)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "app_version": __version__,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "store_id": copied.store_id,
                "audit_head": head.short,
                "database_bytes": part.stat().st_size,
            }
            members = {
                MANIFEST_MEMBER: json.dumps(manifest, indent=1).encode(),
                KEYSTORE_MEMBER: copied.to_bytes(),
            }
            with zipfile.ZipFile(part, "a", zipfile.ZIP_STORED) as zf:
                for name, data in members.items():
                    zf.writestr(name, data)
            _fsync(part)
            _verify_members(part, members)
            atomic_move(part, dest)
    except Exception as exc:
        raise _backup_error(exc) from None
    return head


def _backup_error(exc: Exception) -> Exception:
    """A failed backup's error as the user should read it (a bug stays as it is)."""
    if isinstance(exc, OSError):
        exc = translate_os_error(exc)
    elif not isinstance(exc, StoreError):
        exc = known_error(exc) or exc
    if isinstance(exc, DiskFullError):
        return BackupDiskFullError()
    return exc


NOT_VERIFIED = "The backup did not verify after writing; it has not been kept."


def _verify_copy(db_copy: Path, key: bytes, pages: int) -> ChainHead:
    """Read every page of the copy back once: each must carry its HMAC under the backup
    key (so it is exactly what was encrypted), and there must be as many as were copied.
    Returns the copy's audit head."""
    conn = read_only_connect(db_copy, key)
    try:
        problems = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        count = conn.execute("PRAGMA page_count").fetchone()[0]
        row = conn.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
    finally:
        conn.close()
    if problems or count != pages:
        raise StoreError(NOT_VERIFIED)
    return ChainHead(row[0], bytes(row[1])) if row else ChainHead(0, GENESIS)


def _verify_members(archive: Path, members: dict[str, bytes]) -> None:
    """The appended archive reads back as written (zipfile checks each CRC)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            ok = all(zf.read(name) == data for name, data in members.items())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        ok = False
    if not ok:
        raise StoreError(NOT_VERIFIED)
