"""Reading and making backup files in tests, in both formats.

Version 2 (written now): the encrypted database, then a zip archive of `manifest.json`
and `keystore.json` appended to it. Version 1 (written until this session): a zip
archive holding `manifest.json`, `keystore.json` and `infoshare.db`.
`write_version_1_backup` writes one exactly as the old code did (its steps copied from
store.snapshot before the format changed), so that restoring old backups stays tested.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from infoshare_desktop import __version__
from infoshare_desktop.store import crypto
from infoshare_desktop.store.audit import GENESIS, ChainHead
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.engine import raw_connect


def database_bytes(backup: Path) -> int:
    """How much of a version 2 backup file is the database."""
    with zipfile.ZipFile(backup) as zf:
        return int(json.loads(zf.read("manifest.json"))["database_bytes"])


def rewrite_backup(src: Path, dest: Path, *, manifest: dict, keystore: dict | None = None) -> None:
    """`src` with entries of its manifest (and key store) replaced, in `src`'s format."""
    with zipfile.ZipFile(src) as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    old = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps({**old, **manifest}).encode()
    if keystore:
        members["keystore.json"] = json.dumps(
            {**json.loads(members["keystore.json"]), **keystore}
        ).encode()
    if old.get("version") == 1:
        dest.unlink(missing_ok=True)
    else:
        dest.write_bytes(src.read_bytes()[: old["database_bytes"]])
    with zipfile.ZipFile(dest, "a" if old.get("version") != 1 else "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)


def replace_database(src: Path, dest: Path, database: bytes) -> None:
    """A version 2 backup `dest` with `src`'s manifest and key store but `database` as its
    database (the manifest's size made to match, as an attacker or a bad copy could)."""
    with zipfile.ZipFile(src) as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    manifest = {**json.loads(members["manifest.json"]), "database_bytes": len(database)}
    members["manifest.json"] = json.dumps(manifest).encode()
    dest.write_bytes(database)
    with zipfile.ZipFile(dest, "a") as zout:
        for name, data in members.items():
            zout.writestr(name, data)


def write_version_1_backup(store: Store, dest: Path) -> ChainHead:
    """A backup of `store` in format version 1, as the code before version 2 wrote it:
    the database copied with the backup API into a WAL-mode file under a new key and
    checkpointed, the key store copied for that key with checkpoints at the copy's head,
    and the three members zipped (stored)."""
    backup_key = crypto.random_key()
    work = dest.parent / (dest.name + ".work")
    work.mkdir()
    db_copy = work / "infoshare.db"
    src = raw_connect(store.paths.database, store.keys.current_key)
    try:
        target = raw_connect(db_copy, backup_key, create=True)
        try:
            src.backup(target)
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            target.close()
    finally:
        src.close()
    copied = store.keystore.copy_for_backup(backup_key, certified=None)  # as it did then
    conn = raw_connect(db_copy, backup_key)
    try:
        row = conn.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
    finally:
        conn.close()
    head = ChainHead(row[0], bytes(row[1])) if row else ChainHead(0, GENESIS)
    for owner in copied.user_ids():
        sealed = store.checkpoint_for(owner, head.seq, head.head)
        if sealed is not None:
            copied.set_slot_checkpoint(owner, sealed)
    manifest = {
        "format": "infoshare-backup",
        "version": 1,
        "app_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store_id": copied.store_id,
        "audit_head": head.short,
    }
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        zf.writestr("keystore.json", copied.to_bytes())
        zf.write(db_copy, "infoshare.db")
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return head
