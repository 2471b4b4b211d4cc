"""Backups and restore.

A backup is one file (a zip archive, stored uncompressed) holding:
- `infoshare.db`: a copy made with SQLite's backup API under its own random key;
- `keystore.json`: the same users' slots, with that backup key sealed to each, so the
  same people open it with their own passwords;
- `manifest.json`: format, application version, schema revision, when, and the audit
  chain head at the time of the copy (ids and hashes only).

A backup is verified (opened, integrity-checked, chain head compared) before it is
renamed into place. A restore checks the backup with the user's password first and never
overwrites the current store: it is moved aside into `backups/replaced-<time>/`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from infoshare_desktop import __version__
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import audit, crypto
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.checkpoint import FOLDER as CHECKPOINTS
from infoshare_desktop.store.core import Store, copy_database
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.errors import PermissionDenied, StoreBusyError, StoreError
from infoshare_desktop.store.files import atomic_move, fsync_dir, owner_only, translate_os_error
from infoshare_desktop.store.keyslots import Keystore

FORMAT = "infoshare-backup"
DB_MEMBER, KEYSTORE_MEMBER, MANIFEST_MEMBER = "infoshare.db", "keystore.json", "manifest.json"


class BackupInvalidError(StoreError):
    user_message = (
        "That file is not an InfoShare backup, or it is damaged. Nothing has been changed."
    )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def integrity_problems(conn) -> list[str]:  # type: ignore[no-untyped-def]
    """SQLite's and SQLCipher's own checks; an empty list means both passed."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"page check: {row[0]}" for row in conn.execute("PRAGMA cipher_integrity_check")]
    return problems


def write_backup(store: Store, dest: Path) -> audit.ChainHead:
    """Write a verified backup of the open store to `dest` atomically."""
    user_id = store.user.user_id if store.user else store.keys.user_id
    with store.write() as session:
        audit.append(session, actor_id=user_id, action=Action.BACKUP)
        head = audit.chain_head(session)
    backup_key = crypto.random_key()
    manifest = {
        "format": FORMAT,
        "version": 1,
        "app_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store_id": store.keystore.store_id,
        "audit_head": head.short,
    }
    keystore = store.keystore.copy_for_backup(backup_key)
    dest = dest.expanduser().resolve()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".tmp-backup-") as tmp:
            db_copy = Path(tmp) / DB_MEMBER
            copy_database(store.paths.database, store.keys.current_key, db_copy, backup_key)
            archive = Path(tmp) / "backup.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
                zf.writestr(MANIFEST_MEMBER, json.dumps(manifest, indent=1))
                zf.writestr(KEYSTORE_MEMBER, keystore.to_bytes())
                zf.write(db_copy, DB_MEMBER)
            with archive.open("rb+") as fh:
                os.fsync(fh.fileno())
            _verify_archive(archive, backup_key, head)
            owner_only(archive)
            atomic_move(archive, dest)
    except OSError as exc:
        raise translate_os_error(exc) from exc
    return head


def _verify_archive(archive: Path, key: bytes, head: audit.ChainHead) -> None:
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".tmp-verify-") as tmp:
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


def read_manifest(src: Path) -> dict:
    try:
        with zipfile.ZipFile(src) as zf:
            manifest = json.loads(zf.read(MANIFEST_MEMBER))
            names = set(zf.namelist())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise BackupInvalidError() from exc
    if manifest.get("format") != FORMAT or not {DB_MEMBER, KEYSTORE_MEMBER} <= names:
        raise BackupInvalidError()
    return manifest


def restore_backup(
    paths: DataPaths, src: Path, *, username: str, password: str, role: Role | None = None
) -> Store:
    """Replace the current store with a backup, keeping the current one aside.

    With `role`, the user must hold it on an active account in the backup; that is
    checked before anything in the data folder changes."""
    manifest = read_manifest(src)
    paths.root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=paths.root, prefix=".tmp-restore-"))
    try:
        with zipfile.ZipFile(src) as zf:
            zf.extract(DB_MEMBER, staging)
            zf.extract(KEYSTORE_MEMBER, staging)
        keystore = Keystore.load(staging / KEYSTORE_MEMBER)
        keys = keystore.unlock(username, password)
        conn = raw_connect(staging / DB_MEMBER, keys.current_key)
        try:
            problems = integrity_problems(conn)
            account = conn.execute(
                "SELECT roles, status FROM user_account WHERE id = ?", (keys.user_id,)
            ).fetchone()
        finally:
            conn.close()
        if problems:
            raise BackupInvalidError()
        if role is not None and (
            account is None or account[1] != "active" or role.value not in account[0].split(",")
        ):
            raise PermissionDenied(
                f"Restoring a backup needs the {role.label.lower()} role, which your account "
                "does not have in that backup. Nothing has been changed."
            )
        kept = _set_current_aside(paths)
        atomic_move(staging / KEYSTORE_MEMBER, paths.keystore)
        atomic_move(staging / DB_MEMBER, paths.database)
    except OSError as exc:
        raise translate_os_error(exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    store = Store.unlock(paths, username=username, password=password)
    with store.write() as session:
        detail = f"backup_head={manifest.get('audit_head', '?')}"
        if kept:
            detail += f";previous_kept={kept.name}"
        audit.append(session, actor_id=store.keys.user_id, action=Action.RESTORE, detail=detail)
    return store


def _set_current_aside(paths: DataPaths) -> Path | None:
    """Move the current database and key store into backups/replaced-<time>/."""
    present = [p for p in (paths.database, paths.keystore) if p.exists()]
    if not present:
        return None
    wal = paths.sidecars()[0]
    if wal.exists() and wal.stat().st_size:
        raise StoreBusyError()
    kept = paths.backups / f"replaced-{_stamp()}"
    kept.mkdir(parents=True, exist_ok=True)
    for path in present:
        atomic_move(path, kept / path.name)
    for sidecar in paths.sidecars():
        sidecar.unlink(missing_ok=True)
    checkpoints = paths.root / CHECKPOINTS
    if checkpoints.exists():  # they describe the store set aside, not the one restored
        atomic_move(checkpoints, kept / CHECKPOINTS)
    fsync_dir(paths.root)
    return kept
