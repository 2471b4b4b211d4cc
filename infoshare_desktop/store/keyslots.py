"""The key store: a small JSON file beside the database holding one slot per user.

A slot holds the user's X25519 private key wrapped under a key derived from their
password (Argon2id), and the database key (one per key epoch) sealed to their public
key. So:

- a password change rewraps one private key; the database file is not touched;
- an administrator can give a new user the data key, or rotate it after revoking
  someone, without anybody else's password;
- the audit trail's MAC anchor is sealed to administrators only.

Slots are found by a keyed hash of the user name, so the file names nobody. Failed
attempts are counted here (the encrypted database cannot be read before an unlock) and
copied into the audit trail at the next successful unlock. Roles and account status live
in the encrypted database, not here. Every write is atomic.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from infoshare_desktop.domain.accounts import (
    normalise_password,
    normalise_username,
    password_problem,
)
from infoshare_desktop.store import crypto
from infoshare_desktop.store.errors import (
    AccountLockedError,
    DiskFullError,
    KeystoreDamagedError,
    SetupCodeRequired,
    StoreError,
    StoreReadOnlyError,
    StoreTooNewError,
    TooSoonError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store.files import atomic_write

FORMAT = "infoshare-keystore"
VERSION = 1
DELAY_AFTER_FAILURES = 5
LOCK_AFTER_FAILURES = 10
MAX_DELAY_SECONDS = 60.0

#: Production Argon2id cost (about 150 ms on two cores). Tests may lower it for speed;
#: the parameters are stored per slot, so a slot always opens with its own.
DEFAULT_KDF = {"memory_kib": 65536, "iterations": 3, "lanes": 4}


READ_ONLY_REASON = "the data folder cannot be written to"
DISK_FULL_REASON = "the disk holding the data folder is full"


class PasswordRejected(StoreError):
    """A new password does not meet the policy; the message says why."""


@dataclass
class UnlockedKeys:
    """What a successful unlock yields. Kept in memory only while the store is open."""

    user_id: str
    private_key: bytes
    data_keys: dict[int, bytes] = field(repr=False)
    audit_anchor: bytes | None = field(repr=False, default=None)
    failures_since_last: int = 0
    #: The slot changed in memory (a password set from a one-time code, the failure
    #: counter cleared); the caller saves it once the account is known to be usable.
    slot_changed: bool = False

    @property
    def current_key(self) -> bytes:
        return self.data_keys[max(self.data_keys)]


def failure_delay(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` consecutive failures."""
    if failures < DELAY_AFTER_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, 2.0 ** (failures - DELAY_AFTER_FAILURES))


class Keystore:
    def __init__(self, path: Path, data: dict) -> None:
        self.path = path
        self._data = data

    # -- file -----------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> Keystore:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "store_id": str(uuid.uuid4()),
            "epoch": 1,
            "pending_epoch": None,
            "lookup_salt": crypto.b64e(crypto.random_key()),
            "slots": {},
        }
        return cls(path, data)

    @classmethod
    def load(cls, path: Path) -> Keystore:
        try:
            data = json.loads(path.read_bytes())
            ok = (
                isinstance(data, dict)
                and data.get("format") == FORMAT
                and isinstance(data.get("slots"), dict)
                and isinstance(data.get("epoch"), int)
            )
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise KeystoreDamagedError()
        if data.get("version", 0) > VERSION:
            raise StoreTooNewError()
        return cls(path, data)

    def save(self) -> None:
        atomic_write(self.path, json.dumps(self._data, indent=1, sort_keys=True).encode())

    def snapshot(self) -> dict:
        return copy.deepcopy(self._data)

    def to_bytes(self) -> bytes:
        return json.dumps(self._data, indent=1, sort_keys=True).encode()

    @property
    def store_id(self) -> str:
        return self._data["store_id"]

    @property
    def epoch(self) -> int:
        return self._data["epoch"]

    @property
    def pending_epoch(self) -> int | None:
        return self._data.get("pending_epoch")

    def user_ids(self) -> list[str]:
        return [s["user_id"] for s in self._data["slots"].values()]

    # -- slots ----------------------------------------------------------------------
    def _lookup(self, username: str) -> str:
        salt = crypto.b64d(self._data["lookup_salt"])
        return crypto.keyed_hash(salt, normalise_username(username))

    def has_user(self, username: str) -> bool:
        return self._lookup(username) in self._data["slots"]

    def _slot(self, username: str) -> dict:
        slot = self._data["slots"].get(self._lookup(username))
        if slot is None:
            raise UnknownUserError()
        return slot

    def _slot_by_id(self, user_id: str) -> tuple[str, dict]:
        for lookup, slot in self._data["slots"].items():
            if slot["user_id"] == user_id:
                return lookup, slot
        raise UnknownUserError()

    def _aad(self, purpose: str, user_id: str, epoch: int | str = "") -> bytes:
        return f"infoshare|{self.store_id}|{purpose}|{user_id}|{epoch}".encode()

    def add_user(
        self,
        *,
        username: str,
        user_id: str,
        secret: str,
        setup_code: bool,
        data_keys: dict[int, bytes],
        audit_anchor: bytes | None,
    ) -> None:
        """Create a slot; `secret` is the user's password, or a one-time setup code."""
        lookup = self._lookup(username)
        if lookup in self._data["slots"]:
            raise StoreError("An account with that user name already exists.")
        self._data["slots"][lookup] = {"user_id": user_id}
        self._issue_keys(self._data["slots"][lookup], secret, setup_code, data_keys)
        self.set_audit_anchor(user_id, audit_anchor)

    def reissue(
        self, user_id: str, *, code: str, data_keys: dict[int, bytes], audit_anchor: bytes | None
    ) -> None:
        """A forgotten password: the user gets a new key pair behind a one-time code."""
        _, slot = self._slot_by_id(user_id)
        self._issue_keys(slot, code, True, data_keys)
        self.set_audit_anchor(user_id, audit_anchor)

    def _issue_keys(
        self, slot: dict, secret: str, setup_code: bool, data_keys: dict[int, bytes]
    ) -> None:
        private, public = crypto.new_keypair()
        slot.update(
            public=crypto.b64e(public),
            setup=setup_code,
            failures=0,
            unreported=0,
            last_failure=0.0,
            locked=False,
            keys={},
        )
        self._wrap_private(slot, private, secret)
        for epoch, key in data_keys.items():
            self._seal_data_key(slot, epoch, key)

    def _wrap_private(self, slot: dict, private: bytes, secret: str) -> None:
        params = crypto.KdfParams.fresh(**DEFAULT_KDF)
        box = crypto.wrap(
            params.derive(normalise_password(secret)),
            private,
            self._aad("private", slot["user_id"]),
        )
        slot["private"] = {"kdf": params.to_dict(), **box}

    def _seal_data_key(self, slot: dict, epoch: int, key: bytes) -> None:
        public = crypto.b64d(slot["public"])
        slot["keys"][str(epoch)] = crypto.seal(
            public, key, self._aad("data", slot["user_id"], epoch)
        )

    def set_audit_anchor(self, user_id: str, anchor: bytes | None) -> None:
        """Give (or, with None, take away) a user's copy of the audit MAC anchor."""
        _, slot = self._slot_by_id(user_id)
        if anchor is None:
            slot.pop("audit_anchor", None)
        else:
            public = crypto.b64d(slot["public"])
            slot["audit_anchor"] = crypto.seal(public, anchor, self._aad("audit", user_id))

    def remove_user(self, user_id: str) -> None:
        lookup, _ = self._slot_by_id(user_id)
        del self._data["slots"][lookup]

    def has_slot(self, user_id: str) -> bool:
        return any(slot["user_id"] == user_id for slot in self._data["slots"].values())

    def user_id_for(self, username: str) -> str:
        return self._slot(username)["user_id"]

    def is_locked(self, user_id: str) -> bool:
        return bool(self._slot_by_id(user_id)[1].get("locked"))

    def clear_failures(self, user_id: str) -> None:
        """An administrator unlocks a locked account."""
        _, slot = self._slot_by_id(user_id)
        slot.update(failures=0, last_failure=0.0, locked=False, unreported=0)

    # -- unlock ---------------------------------------------------------------------
    def _open_private(self, slot: dict, secret: str) -> bytes:
        try:
            params = crypto.KdfParams(**slot["private"]["kdf"])
            key = params.derive(normalise_password(secret))
        except (TypeError, ValueError, KeyError) as exc:
            # Includes Argon2id parameters outside crypto.KDF_LIMITS: refused before any
            # work, and not counted as a failed attempt.
            raise KeystoreDamagedError() from exc
        return crypto.unwrap(key, slot["private"], self._aad("private", slot["user_id"]))

    def unlock(
        self, username: str, password: str, *, new_password: str | None = None
    ) -> UnlockedKeys:
        """Open a user's slot. A failure is counted and written at once; a success's own
        changes are left for the caller to save (see UnlockedKeys.slot_changed)."""
        slot = self._slot(username)
        if slot.get("locked"):
            raise AccountLockedError()
        wait = failure_delay(slot["failures"]) - (time.time() - slot["last_failure"])
        if wait > 0:
            raise TooSoonError(wait)
        try:
            private = self._open_private(slot, password)
        except crypto.DecryptionFailed:
            slot["failures"] += 1
            slot["unreported"] = slot.get("unreported", 0) + 1
            slot["last_failure"] = time.time()
            slot["locked"] = slot["failures"] >= LOCK_AFTER_FAILURES
            self._save_failure()
            if slot["locked"]:
                raise AccountLockedError() from None
            raise WrongPasswordError(slot["failures"], failure_delay(slot["failures"])) from None
        user_id = slot["user_id"]
        changed = False
        if slot.get("setup"):
            if new_password is None:
                raise SetupCodeRequired()
            self._set_password(slot, private, new_password, username)
            changed = True
        unreported = slot.get("unreported", 0)
        if slot["failures"] or unreported:
            slot.update(failures=0, last_failure=0.0, unreported=0)
            changed = True
        data_keys = {}
        for epoch_text, box in slot["keys"].items():
            epoch = int(epoch_text)
            try:
                data_keys[epoch] = crypto.open_sealed(
                    private, box, self._aad("data", user_id, epoch)
                )
            except crypto.DecryptionFailed as exc:
                raise KeystoreDamagedError() from exc
        if not data_keys:
            raise KeystoreDamagedError()
        anchor = None
        if "audit_anchor" in slot:
            try:
                anchor = crypto.open_sealed(
                    private, slot["audit_anchor"], self._aad("audit", user_id)
                )
            except crypto.DecryptionFailed as exc:
                raise KeystoreDamagedError() from exc
        return UnlockedKeys(user_id, private, data_keys, anchor, unreported, changed)

    def _save_failure(self) -> None:
        """Count a failed attempt; when the data folder cannot take it, say so."""
        try:
            self.save()
        except StoreReadOnlyError:
            raise WrongPasswordError(not_recorded=READ_ONLY_REASON) from None
        except DiskFullError:
            raise WrongPasswordError(not_recorded=DISK_FULL_REASON) from None

    def _set_password(self, slot: dict, private: bytes, new_password: str, username: str) -> None:
        problem = password_problem(new_password, username=username)
        if problem:
            raise PasswordRejected(problem)
        self._wrap_private(slot, private, new_password)
        slot["setup"] = False

    def change_password(self, username: str, old_password: str, new_password: str) -> None:
        """Rewrap one slot's private key; the database is not touched."""
        slot = self._slot(username)
        try:
            private = self._open_private(slot, old_password)
        except crypto.DecryptionFailed:
            raise WrongPasswordError() from None
        self._set_password(slot, private, new_password, username)
        self.save()

    # -- key rotation -----------------------------------------------------------------
    def begin_rotation(self, new_key: bytes) -> int:
        """Seal a new data key for every remaining user, keeping the current one."""
        new_epoch = self.epoch + 1
        for slot in self._data["slots"].values():
            self._seal_data_key(slot, new_epoch, new_key)
        self._data["pending_epoch"] = new_epoch
        self.save()
        return new_epoch

    def finish_rotation(self) -> None:
        """The database now uses the pending key: forget every older one."""
        new_epoch = self._data["pending_epoch"]
        for slot in self._data["slots"].values():
            slot["keys"] = {k: v for k, v in slot["keys"].items() if int(k) == new_epoch}
        self._data["epoch"] = new_epoch
        self._data["pending_epoch"] = None
        self.save()

    def cancel_rotation(self) -> None:
        """The database is still under the current key: forget the pending one."""
        pending = self._data.get("pending_epoch")
        for slot in self._data["slots"].values():
            slot["keys"].pop(str(pending), None)
        self._data["pending_epoch"] = None
        self.save()

    def copy_for_backup(self, backup_key: bytes) -> Keystore:
        """A key store for a backup: the same users, the backup's own data key."""
        data = self.snapshot()
        data.update(epoch=1, pending_epoch=None)
        copy_ = Keystore(self.path, data)
        for slot in data["slots"].values():
            slot.update(keys={}, failures=0, unreported=0, last_failure=0.0)
            copy_._seal_data_key(slot, 1, backup_key)
        return copy_
