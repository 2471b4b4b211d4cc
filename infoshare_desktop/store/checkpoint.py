"""Rollback detection: what each user has seen of the database, kept outside it.

The database cannot vouch for its own age (an older copy put back is a perfectly valid
database). So after every commit of a session, and at every sign-in, the store writes
the audit chain head it has just committed (sequence number and hash) to a small file
per user, `checkpoints/<user id>.json`, and at sign-in also into the user's key slot.
Each is MACed under a key derived from the user's own private key, so nobody else
(other account holders included) can forge or raise it; a stale one from before a
password reset (another key pair) is ignored.

At sign-in and in `verify` the database must have reached the highest checkpoint, and
hold the same entry at that sequence number. The checkpoint is written only after the
commit it names is durable (SQLite's synchronous=FULL), through a temporary file that is
fsynced and renamed, so neither a crash nor a power cut can leave it ahead of the
database: no false alarm after an ordinary crash.

Limits (stated in the README): someone who puts back the whole data folder consistently
(database, key store and checkpoints from the same moment) cannot be detected on this
machine; neither can a database put back to a point after the user's last sign-in when
the checkpoint file is deleted too (the copy in the key slot is from the sign-in).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from infoshare_desktop.store.files import fsync_dir

FOLDER = "checkpoints"


@dataclass(frozen=True)
class Seen:
    """An audit chain position: sequence number and entry hash."""

    seq: int
    head: bytes


def _mac_key(private: bytes, store_id: str, user_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"infoshare|{store_id}|checkpoint|{user_id}".encode(),
    ).derive(private)


def _mac(key: bytes, public: str, seen: Seen) -> str:
    body = f"{public}|{seen.seq}|{seen.head.hex()}".encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class CheckpointTampered(Exception):
    """A checkpoint of this user's key pair fails its MAC: it was edited."""


class Checkpointer:
    """Seals and checks one signed-in user's checkpoints."""

    def __init__(self, root: Path, *, store_id: str, user_id: str, public: str, private: bytes):
        self.path = root / FOLDER / f"{user_id}.json"
        self._public = public
        self._key = _mac_key(private, store_id, user_id)

    def seal(self, seen: Seen) -> dict:
        return {
            "seq": seen.seq,
            "head": seen.head.hex(),
            "public": self._public,
            "mac": _mac(self._key, self._public, seen),
        }

    def open(self, sealed: object) -> Seen | None:
        """The position a sealed checkpoint vouches for; None for one of an older key
        pair. Raises CheckpointTampered for an edited one."""
        if not isinstance(sealed, dict) or sealed.get("public") != self._public:
            return None
        try:
            seen = Seen(int(sealed["seq"]), bytes.fromhex(sealed["head"]))
            ok = hmac.compare_digest(_mac(self._key, self._public, seen), sealed["mac"])
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise CheckpointTampered()
        return seen

    def read_file(self) -> Seen | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            sealed = json.loads(raw)
        except ValueError:
            raise CheckpointTampered() from None
        return self.open(sealed)

    def write_file(self, seen: Seen, *, sync_folder: bool = False) -> None:
        """Write after the commit that reached `seen` (temporary file, fsync, rename)."""
        self.path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".part")
        try:
            os.write(fd, json.dumps(self.seal(seen)).encode())
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, self.path)
            if sync_folder:
                fsync_dir(self.path.parent)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            Path(tmp).unlink(missing_ok=True)
            raise
