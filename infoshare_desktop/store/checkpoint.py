"""Rollback detection: what each user has seen of the database, kept outside it.

The database cannot vouch for its own age (an older copy put back is a perfectly valid
database). So after every commit of a session, and at every sign-in, the store writes
the audit chain head it has just committed (sequence number and hash) to a small file
per user, `checkpoints/<user id>.json`, and at sign-in also into the user's key slot.
Each is signed with the user's own Ed25519 signing key (see signing), so nobody else
(other account holders included) can forge or raise it; a stale one from before a
password reset (another key pair) is ignored. After a restore, each account's slot holds
a checkpoint at the restored head signed by the administrator who restored it. (A store
not yet carried over to signed identity MACs them under a key derived from the user's
X25519 private key, as before; those are still read.)

A missing checkpoint is not "nothing seen": from a user's first sign-in on, their key
slot says, inside its password-wrapped box, that they have checkpoints (keyslots), so
an older database put back with the checkpoint file and the slot's copy both removed
is refused.

At sign-in and in `verify` the database must have reached the highest checkpoint, and
hold the same entry at that sequence number. The checkpoint is written only after the
commit it names is durable (SQLite's synchronous=FULL), so neither a crash nor a power
cut can leave it ahead of the database: no false alarm after an ordinary crash. After
a commit it is one small write in place (no fsync: a killed process's writes survive in
the page cache; a power cut may lose the last ones, leaving it behind, never ahead); at
sign-in and when the store closes it is fsynced. The copy in the key slot is updated
when the store is locked or signed out (and at sign-ins that change the key store).

Limits (stated in the README): someone who puts back the whole data folder consistently
(database, key store and checkpoints from the same moment) cannot be detected on this
machine; neither can a database put back to a point after the user's last lock or
sign-out when the checkpoint file is deleted too (the copy in the key slot is from then).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from infoshare_desktop.store import crypto
from infoshare_desktop.store.files import POSIX, fsync_dir
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.signing import Context, Signer, verify_statement

FOLDER = "checkpoints"
RECORD_SIZE = 512  # fixed, so an overwrite in place never leaves a longer old tail


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

    def __init__(
        self,
        root: Path,
        *,
        store_id: str,
        user_id: str,
        public: str,
        private: bytes,
        signer: Signer | None = None,
        trust: Trust | None = None,
    ):
        self.path = root / FOLDER / f"{user_id}.json"
        self._store_id, self._user_id = store_id, user_id
        self._public = public
        self._key = _mac_key(private, store_id, user_id)
        self._signer, self._trust = signer, trust
        self._fd: int | None = None

    def _statement(self, owner: str, seen: Seen) -> dict[str, Any]:
        return {"store": self._store_id, "user": owner, "seq": seen.seq, "head": seen.head.hex()}

    def seal(self, seen: Seen, *, owner: str | None = None) -> dict[str, Any]:
        """A checkpoint for this user (or, after a restore, for `owner`: signed by this
        administrator)."""
        if self._signer is None:
            return {
                "seq": seen.seq,
                "head": seen.head.hex(),
                "public": self._public,
                "mac": _mac(self._key, self._public, seen),
            }
        owner = owner or self._user_id
        signature = self._signer.sign_statement(Context.CHECKPOINT, self._statement(owner, seen))
        return {
            "seq": seen.seq,
            "head": seen.head.hex(),
            "signer": self._signer.user_id,
            "public": crypto.b64e(self._signer.public),
            "sig": crypto.b64e(signature),
        }

    def open(self, sealed: object) -> Seen | None:
        """The position a sealed checkpoint vouches for; None for one of an older key
        pair. Raises CheckpointTampered for an edited or forged one."""
        if not isinstance(sealed, dict):
            return None
        if "sig" in sealed:
            return self._open_signed(sealed)
        if sealed.get("public") != self._public:
            return None
        try:
            seen = Seen(int(sealed["seq"]), bytes.fromhex(sealed["head"]))
            ok = hmac.compare_digest(_mac(self._key, self._public, seen), sealed["mac"])
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise CheckpointTampered()
        return seen

    def _open_signed(self, sealed: dict[str, Any]) -> Seen | None:
        signer_id = sealed.get("signer")
        if signer_id == self._user_id:
            if self._signer is None or sealed.get("public") != crypto.b64e(self._signer.public):
                return None  # an older key pair's
            public: bytes | None = self._signer.public
        else:  # a restore's, signed by an administrator
            grant = self._trust.account(str(signer_id)) if self._trust else None
            if grant is None or not grant.is_active_admin:
                raise CheckpointTampered()
            public = grant.sign_public
        try:
            seen = Seen(int(sealed["seq"]), bytes.fromhex(sealed["head"]))
            ok = public is not None and verify_statement(
                public,
                Context.CHECKPOINT,
                self._statement(self._user_id, seen),
                crypto.b64d(sealed["sig"]),
            )
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise CheckpointTampered()
        return seen

    def read_file(self) -> Seen | None:
        """The position in the checkpoint file. An empty or unreadable file (a power cut
        while it was being written) counts as none; an edited one raises."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            sealed = json.loads(raw)
        except ValueError:
            return None
        return self.open(sealed)

    def write_file(self, seen: Seen, *, sync: bool = False) -> None:
        """Overwrite the checkpoint in place, after the commit that reached `seen` is
        durable. One small write, no fsync on the hot path: a crash of the process
        keeps it (it is in the page cache); a power cut may lose the last few, which
        leaves it behind the database, never ahead. `sync` (at sign-in and close)
        makes it durable."""
        if self._fd is None:
            self.path.parent.mkdir(mode=0o700, exist_ok=True)
            existed = self.path.exists()
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
            if POSIX:
                flags |= os.O_NOFOLLOW  # never write through a planted link
            self._fd = os.open(self.path, flags, 0o600)
            if sync and not existed:
                fsync_dir(self.path.parent)
        record = json.dumps(self.seal(seen)).encode().ljust(RECORD_SIZE)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, record)
        if sync:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):  # durable if it can be; it only lags if not
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
