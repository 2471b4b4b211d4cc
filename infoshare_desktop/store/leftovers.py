"""What a crash leaves behind, and removing it at the next start.

A backup, its verification and a restore work in temporary folders (`.tmp-backup-*`,
`.tmp-verify-*` inside it, `.tmp-restore-*`), and a full verify rebuilds tables in one
(`.tmp-verify-*` in the data folder); atomic writes leave `.tmp-*.part` files; a
first run builds `infoshare.db.new` and a key rotation `infoshare.db.rotating`. A process
killed half-way leaves them, and they add up (one backup's copy each time).

Nothing is removed unless it is provably ours and provably abandoned:

- every temporary folder is listed, before it is made, in `<data>/.temp/<id>.json`, and
  its owner holds the OS lock `<id>.lock` until it has removed the folder again. At the
  next start a listed folder whose lock can be taken (its owner has gone, however it
  ended) is removed, wherever it is (a backup folder on a USB stick included), but only
  if its name has one of our prefixes;
- the data folder's own `.part`, `.new` and `.rotating` files are removed under the key
  store's lock, which every writer of them holds while it works; `.new` only when it is
  not the sole copy of a store (a key store without its database); a checkpoint's
  `.part` (written outside that lock) once it has not changed for an hour;
- an unlisted `.tmp-backup-*` or `.tmp-restore-*` folder in the data folder or its
  backups folder (left by a version before this one) is removed only if it holds nothing
  but the files a backup or restore writes and has not changed for an hour.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store.checkpoint import FOLDER as CHECKPOINTS
from infoshare_desktop.store.files import PART_PREFIX, PART_SUFFIX

log = logging.getLogger("infoshare")

REGISTRY = ".temp"
BACKUP_PREFIX, VERIFY_PREFIX, RESTORE_PREFIX = ".tmp-backup-", ".tmp-verify-", ".tmp-restore-"
TEMP_PREFIXES = (BACKUP_PREFIX, VERIFY_PREFIX, RESTORE_PREFIX)
NEW_SUFFIX, ROTATING_SUFFIX = ".new", ".rotating"
#: What our temporary folders can hold (the SQLite side files of those databases too).
#: The database a full verify rebuilds the trigger-kept tables in (store.envelopes).
REBUILD_NAME = "rebuild.db"
OUR_NAMES = frozenset(
    {"infoshare.db", "keystore.json", "manifest.json", "backup.zip", "keystore.json.lock"}
    | {REBUILD_NAME}
) | {f"infoshare.db{s}" for s in ("-wal", "-shm", "-journal", ROTATING_SUFFIX)}
UNLISTED_AGE_SECONDS = 3600


@contextmanager
def temp_folder(paths: DataPaths, parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder in `parent`, listed in the data folder's registry and held by
    an OS lock while it exists, so a later start can tell it was abandoned."""
    registry = paths.root / REGISTRY
    registry.mkdir(mode=0o700, parents=True, exist_ok=True)
    entry = registry / f"{uuid.uuid4().hex}.json"
    lock = filelock.FileLock(entry.with_suffix(".lock"), timeout=0, is_singleton=False)
    lock.acquire()
    folder: Path | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # The entry first (naming where the folder will be), then the folder.
        pending = parent.resolve() / f"{prefix}{uuid.uuid4().hex[:12]}"
        entry.write_text(json.dumps({"path": str(pending)}))
        os.mkdir(pending, 0o700)
        folder = pending
        yield folder
    finally:
        try:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            entry.unlink(missing_ok=True)
        finally:
            lock.release()
            entry.with_suffix(".lock").unlink(missing_ok=True)


def clean_leftovers(paths: DataPaths) -> int:
    """Remove what crashed processes left behind (see the module docstring); returns how
    many items went. Never raises for a file it cannot remove (a read-only folder)."""
    if not paths.root.is_dir():
        return 0
    removed = _clean_registered(paths)
    removed += _clean_data_folder_files(paths)
    for folder in (paths.root, paths.backups):
        removed += _clean_unlisted(folder)
    if removed:
        log.info("removed %d leftover temporary items", removed)
    return removed


def _clean_registered(paths: DataPaths) -> int:
    registry = paths.root / REGISTRY
    if not registry.is_dir():
        return 0
    removed = 0
    for entry in sorted(registry.glob("*.json")):
        lock = filelock.FileLock(entry.with_suffix(".lock"), timeout=0, is_singleton=False)
        try:
            lock.acquire()
        except (filelock.Timeout, OSError):
            continue  # its owner is still at work (or the folder is read-only)
        try:
            try:
                listed = Path(json.loads(entry.read_text())["path"])
            except (OSError, ValueError, KeyError, TypeError):
                listed = None
            if listed is not None and listed.name.startswith(TEMP_PREFIXES) and listed.is_dir():
                shutil.rmtree(listed, ignore_errors=True)
                removed += not listed.exists()
            with contextlib.suppress(OSError):
                entry.unlink()
        finally:
            lock.release()
            with contextlib.suppress(OSError):
                entry.with_suffix(".lock").unlink()
    return removed


def _clean_data_folder_files(paths: DataPaths) -> int:
    from infoshare_desktop.store.keyslots import lock_for

    candidates = list(paths.root.glob(f"{PART_PREFIX}*{PART_SUFFIX}"))
    candidates.append(paths.root / (paths.database.name + ROTATING_SUFFIX))
    building = paths.root / (paths.database.name + NEW_SUFFIX)
    if paths.database.exists() or not paths.keystore.exists():
        candidates.append(building)
    # Checkpoint files are written outside the key-store lock; a write takes
    # milliseconds, so a `.part` untouched for an hour is abandoned.
    now = time.time()
    for part in (paths.root / CHECKPOINTS).glob(f"{PART_PREFIX}*{PART_SUFFIX}"):
        with contextlib.suppress(OSError):
            if now - part.lstat().st_mtime > UNLISTED_AGE_SECONDS:
                candidates.append(part)
    candidates = [c for c in candidates if c.is_file() and not c.is_symlink()]
    if not candidates:
        return 0
    lock = lock_for(paths.keystore)
    try:
        lock.acquire(timeout=0)
    except (filelock.Timeout, OSError):
        return 0  # a key-store change is under way: next time
    removed = 0
    try:
        for path in candidates:
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    finally:
        lock.release()
    return removed


def _clean_unlisted(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    removed = 0
    now = time.time()
    for path in folder.iterdir():
        if not path.name.startswith((BACKUP_PREFIX, RESTORE_PREFIX)) or not path.is_dir():
            continue
        if path.is_symlink() or not _only_ours(path, now):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not path.exists()
    return removed


def _only_ours(folder: Path, now: float) -> bool:
    """Holds nothing but what a backup or restore writes, untouched for an hour."""
    for path in [folder, *folder.rglob("*")]:
        try:
            info = path.lstat()
        except OSError:
            return False
        if now - info.st_mtime < UNLISTED_AGE_SECONDS:
            return False
        if path is folder:
            continue
        if path.is_symlink():
            return False
        if path.is_dir():
            if not path.name.startswith(VERIFY_PREFIX) or path.parent != folder:
                return False
        elif path.name not in OUR_NAMES:
            return False
    return True
