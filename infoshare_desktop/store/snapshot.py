"""Writing a backup file: a verified, atomically placed archive of the database (copied
under a new key) and of its key store. Below store.core (which backs up before a
migration) and store.backup (which restores), so neither imports the other's way round.
"""

from __future__ import annotations

import json
import os
import tempfile
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
from infoshare_desktop.store.engine import known_error, raw_connect
from infoshare_desktop.store.errors import DiskFullError, StoreError
from infoshare_desktop.store.files import atomic_move, owner_only, translate_os_error
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.leftovers import BACKUP_PREFIX, VERIFY_PREFIX, temp_folder

FORMAT = "infoshare-backup"
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


def copy_database(source: Path, source_key: bytes, dest: Path, dest_key: bytes) -> None:
    """Copy a whole database into a new file under another key (SQLite's backup API)."""
    dest.unlink(missing_ok=True)
    try:
        src = raw_connect(source, source_key)
        try:
            target = raw_connect(dest, dest_key, create=True)
            try:
                src.backup(target)
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                target.close()
        finally:
            src.close()
        owner_only(dest)
        raw_connect(dest, dest_key).close()
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise translate_os_error(exc) from exc
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def write_archive(
    *,
    paths: DataPaths,
    key: bytes,
    keystore: Keystore,
    dest: Path,
    checkpoint_for: Callable[[str, int, bytes], dict[str, Any] | None],
) -> ChainHead:
    """Write a verified backup of the database at `paths` (open under `key`) and of its
    key store to `dest` atomically; returns the audit head the copy holds.

    The copy is a consistent snapshot (SQLite's backup API); its own audit head goes into
    the manifest. Store.write_backup appends the BACKUP entry once the backup is in place,
    so a backup that fails (a full disk, a removed stick) changes nothing."""
    backup_key = crypto.random_key()
    dest = dest.expanduser().resolve()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with temp_folder(paths, dest.parent, BACKUP_PREFIX) as tmp:
            db_copy = Path(tmp) / DB_MEMBER
            copy_database(paths.database, key, db_copy, backup_key)
            # The key store after the database: never older than what the copy has seen.
            copied = keystore.copy_for_backup(backup_key)
            head = _copy_head(db_copy, backup_key)
            # Each account's slot vouches for the copy's own head, signed by whoever took
            # the backup (`checkpoint_for`), so restoring it is not taken for checkpoints
            # removed.
            for owner in copied.user_ids():
                sealed = checkpoint_for(owner, head.seq, head.head)
                if sealed is not None:
                    copied.set_slot_checkpoint(owner, sealed)
            manifest = {
                "format": FORMAT,
                "version": 1,
                "app_version": __version__,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "store_id": copied.store_id,
                "audit_head": head.short,
            }
            archive = Path(tmp) / "backup.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
                zf.writestr(MANIFEST_MEMBER, json.dumps(manifest, indent=1))
                zf.writestr(KEYSTORE_MEMBER, copied.to_bytes())
                zf.write(db_copy, DB_MEMBER)
            with archive.open("rb+") as fh:
                os.fsync(fh.fileno())
            _verify_archive(archive, backup_key, head)
            owner_only(archive)
            atomic_move(archive, dest)
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


def _copy_head(db_copy: Path, key: bytes) -> ChainHead:
    conn = raw_connect(db_copy, key)
    try:
        row = conn.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
    finally:
        conn.close()
    return ChainHead(row[0], bytes(row[1])) if row else ChainHead(0, GENESIS)


def _verify_archive(archive: Path, key: bytes, head: ChainHead) -> None:
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=VERIFY_PREFIX) as tmp:
        with zipfile.ZipFile(archive) as zf:
            zf.extract(DB_MEMBER, tmp)
        conn = raw_connect(Path(tmp) / DB_MEMBER, key)
        try:
            problems = integrity_problems(conn)
            row = conn.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
        finally:
            conn.close()
    if problems or row is None or (row[0], bytes(row[1])) != (head.seq, head.head):
        raise StoreError("The backup did not verify after writing; it has not been kept.")
