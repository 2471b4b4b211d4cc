"""Durable file writes: a reader sees the old file or the new one, never a half-written one.

The two calls that differ by platform are guarded here: POSIX permissions (`owner_only`)
and syncing a folder after a rename (`fsync_dir`). On Windows the data folder sits in the
user's profile (%APPDATA%), whose access list already admits only that user, SYSTEM and
administrators, and a folder cannot be opened to sync it; NTFS journals the rename.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from infoshare_desktop.store.errors import DiskFullError, StoreReadOnlyError

POSIX = os.name == "posix"


def owner_only(path: Path | str) -> None:
    """Make a file (0600) or folder (0700) readable by its owner only, where permissions
    are POSIX modes; elsewhere the folder's inherited access list applies."""
    if POSIX:
        os.chmod(path, 0o700 if os.path.isdir(path) else 0o600)


PART_PREFIX, PART_SUFFIX = ".tmp-", ".part"
"""A file being written by `atomic_write`: `.tmp-<random>.part` beside its target."""


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX: fsync the folder itself)."""
    if not POSIX:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def translate_os_error(exc: OSError) -> Exception:
    """Known environment failures become store errors a user can act on."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError()
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return StoreReadOnlyError()
    return exc


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, fsync and rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PART_PREFIX, suffix=PART_SUFFIX)
    except OSError as exc:
        raise translate_os_error(exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        owner_only(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise translate_os_error(exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_move(src: Path, dest: Path) -> None:
    """Rename `src` over `dest` (same file system) durably."""
    try:
        os.replace(src, dest)
        fsync_dir(dest.parent)
    except OSError as exc:
        raise translate_os_error(exc) from exc
