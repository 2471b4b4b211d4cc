"""The key store: a small JSON file beside the database holding one slot per user.

A slot holds the user's X25519 private key wrapped under a key derived from their
password (Argon2id), and the database key (one per key epoch) sealed to their public
key. So:

- a password change rewraps one private key; the database file is not touched;
- an administrator can give a new user the data key, or rotate it after revoking
  someone, without anybody else's password;
- the audit trail's MAC anchor is sealed to administrators only.

Slots are found by a keyed hash of the user name, so the file names nobody. Failed
attempts are counted here (the encrypted database cannot be read before an unlock). Roles
and account status live in the encrypted database, not here.

Each slot carries its own *generation*, raised whenever its keys are wrapped under a new
secret (a new slot, a password set or changed, a reset) and bound into the
password-wrapped box, so it cannot be edited without the slot failing to open. Once the
data key opens the database, the signed-in user's session records its slot's
generation there (signed audit entries, see store.slot_state), and a slot older than
the one recorded is refused: an old copy of `keystore.json` no longer brings back a
password its owner has changed.

Every change is made under an exclusive OS file lock (`Keystore.transaction`): the file
is re-read inside the lock, its generation counter checked and raised by one, and the
new file replaces the old atomically. So two processes never save over each other's
changes with a stale copy.

A change that needs an audit entry is written together with an *intent* (a journal
entry with a random id: action, actor, target, time; ids only). The database commit that
records the audit entry also records the intent id, and the intent is then dropped from
the journal. After a crash between the two, the next unlock by anyone completes it; the
recorded id makes that idempotent, so each change is audited exactly once. Anyone who
can write to the data folder can edit the journal, so every intent but a failed sign-in
(counted while nobody is signed in) carries its actor's signature (`signing.Context.
INTENT`): one nobody entitled signed is not carried out, and `verify` names it.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock

from infoshare_desktop.domain.accounts import (
    normalise_password,
    normalise_username,
    password_problem,
)
from infoshare_desktop.store import crypto, signing
from infoshare_desktop.store.errors import (
    AccountDisabledError,
    AccountLockedError,
    DiskFullError,
    KeystoreDamagedError,
    SetupCodeRequired,
    StoreBusyError,
    StoreError,
    StoreReadOnlyError,
    StoreTooNewError,
    TooSoonError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store.files import atomic_write, translate_os_error

FORMAT = "infoshare-keystore"
VERSION = 1
DELAY_AFTER_FAILURES = 5
LOCK_AFTER_FAILURES = 10
MAX_DELAY_SECONDS = 60.0
#: How long a change waits for another process's change (a key rotation copies the
#: whole database while it holds the lock).
LOCK_TIMEOUT_SECONDS = 120.0

#: Production Argon2id cost (about 150 ms on two cores). Tests may lower it for speed;
#: the parameters are stored per slot, so a slot always opens with its own.
DEFAULT_KDF = {"memory_kib": 65536, "iterations": 3, "lanes": 4}


READ_ONLY_REASON = "the data folder cannot be written to"
DISK_FULL_REASON = "the disk holding the data folder is full"


class PasswordRejected(StoreError):
    """A new password does not meet the policy; the message says why."""


@dataclass(frozen=True)
class Intent:
    """A key-store change whose audit entry may not be in the database yet."""

    id: str
    at: datetime
    action: str
    actor_id: str | None
    target_id: str | None
    detail: str | None
    #: The actor's signature of `statement` (None: unsigned).
    signature: bytes | None = None
    at_text: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Intent:
        signature = d.get("signature")
        return cls(
            d["id"],
            datetime.fromisoformat(d["at"]),
            d["action"],
            d.get("actor"),
            d.get("target"),
            d.get("detail"),
            crypto.b64d(signature) if isinstance(signature, str) else None,
            str(d["at"]),
        )

    def statement(self, store_id: str) -> dict[str, Any]:
        """What the actor signs: every field the journal entry holds."""
        return _intent_statement(
            store_id, self.id, self.at_text, self.action, self.actor_id, self.target_id, self.detail
        )


def _intent_statement(
    store_id: str,
    intent_id: str,
    at: str,
    action: str,
    actor: str | None,
    target: str | None,
    detail: str | None,
) -> dict[str, Any]:
    return {
        "store": store_id,
        "id": intent_id,
        "at": at,
        "action": action,
        "actor": actor,
        "target": target,
        "detail": detail,
    }


def lock_for(path: Path) -> filelock.BaseFileLock:
    """The OS lock that guards the key store at `path` (one object per path and process,
    so a thread that already holds it may take it again)."""
    return filelock.FileLock(
        path.with_name(path.name + ".lock"),
        timeout=LOCK_TIMEOUT_SECONDS,
        is_singleton=True,
        preserve_lock_file=True,
    )


@contextmanager
def holding_lock(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    lock = lock_for(path)
    try:
        lock.acquire(timeout=timeout)
    except filelock.Timeout:
        raise StoreBusyError(
            "Another window or program is changing the accounts or the data key. "
            "Wait a moment and try again."
        ) from None
    except OSError as exc:
        raise translate_os_error(exc) from exc
    try:
        yield
    finally:
        lock.release()


@dataclass
class UnlockedKeys:
    """What a successful unlock yields. Kept in memory only while the store is open."""

    user_id: str
    private_key: bytes = field(repr=False)
    data_keys: dict[int, bytes] = field(repr=False)
    audit_anchor: bytes | None = field(repr=False, default=None)
    failures_since_last: int = 0
    #: The slot changed in memory (a password set from a one-time code, the failure
    #: counter cleared); the caller saves it once the account is known to be usable.
    slot_changed: bool = False
    #: A one-time code was replaced by the user's own password in this unlock.
    password_set: bool = False
    #: The Ed25519 signing key (None in a slot from before signed identity).
    sign_private: bytes | None = field(repr=False, default=None)
    #: The root of trust's public key this slot was given (authenticated by the
    #: password-wrapped box it is bound into).
    root_public: bytes | None = None
    #: The key derived from the password (only during the unlock, to wrap a signing
    #: key given at this sign-in; then forgotten).
    wrap_key: bytes | None = field(repr=False, default=None)
    #: The slot says (authenticated) that its owner has signed in before, so a missing
    #: checkpoint means one was removed.
    checkpointed: bool = False
    #: The slot says (authenticated) that its owner's carry-over of an unsigned store
    #: to signed grants was begun and not yet committed: only then may the store have no
    #: grants though the slot names a root of trust.
    carrying_over: bool = False
    #: The slot's generation, as its password-wrapped box authenticates it (see the
    #: module docstring).
    slot_generation: int = 0

    @property
    def current_key(self) -> bytes:
        return self.data_keys[max(self.data_keys)]


def slot_generation(slot: dict[str, Any]) -> int:
    """A slot's generation as the file says (authenticated only once the slot opens)."""
    value = slot.get("generation", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def failure_delay(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` consecutive failures."""
    if failures < DELAY_AFTER_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, 2.0 ** (failures - DELAY_AFTER_FAILURES))


class Keystore:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._data = data
        self._held = False
        #: user id -> the slot generation this process opened or wrote that slot at, so
        #: authenticated (never saved: see Store._record_slot_generation).
        self.verified_generations: dict[str, int] = {}

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
            "generation": 0,
            "journal": [],
            "slots": {},
        }
        return cls(path, data)

    @classmethod
    @contextmanager
    def transaction(cls, path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[Keystore]:
        """The key store read afresh under its exclusive lock; `save()` inside writes it.
        Every change goes through here, so none is made from a stale copy."""
        with holding_lock(path, timeout):
            keystore = cls.load(path)
            keystore._held = True
            try:
                yield keystore
            finally:
                keystore._held = False

    @classmethod
    def load(cls, path: Path) -> Keystore:
        try:
            data = json.loads(path.read_bytes())
            ok = (
                isinstance(data, dict)
                and data.get("format") == FORMAT
                and isinstance(data.get("slots"), dict)
                and isinstance(data.get("epoch"), int)
                and isinstance(data.get("generation", 0), int)
                and isinstance(data.get("journal", []), list)
            )
        except (OSError, ValueError):
            ok = False
        if not ok:
            raise KeystoreDamagedError()
        if data.get("version", 0) > VERSION:
            raise StoreTooNewError()
        return cls(path, data)

    def save(self) -> None:
        """Write the key store atomically with its generation raised by one.

        Inside `transaction` the lock is already held. Outside it (a key store in a
        folder of its own, such as a backup being checked) the lock is taken here. Either
        way the file on disk must still be the one read (same generation, no newer key
        epoch), so a stale copy can never be written back."""
        if self._held:
            self._write()
            return
        with holding_lock(self.path):
            self._write()

    def _write(self) -> None:
        on_disk = Keystore.load(self.path) if self.path.exists() else None
        if on_disk is not None and (
            on_disk.generation != self.generation or on_disk.epoch > self.epoch
        ):
            raise StoreBusyError(
                "The accounts were changed in another window or program meanwhile. "
                "Nothing was saved; try again."
            )
        data = dict(self._data, generation=self.generation + 1)
        atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
        self._data["generation"] = data["generation"]  # only once it is on disk

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)

    def to_bytes(self) -> bytes:
        return json.dumps(self._data, indent=1, sort_keys=True).encode()

    @property
    def store_id(self) -> str:
        return str(self._data["store_id"])

    @property
    def epoch(self) -> int:
        return int(self._data["epoch"])

    @property
    def pending_epoch(self) -> int | None:
        return self._data.get("pending_epoch")

    @property
    def generation(self) -> int:
        """Raised by one on every save: a copy with a lower number is an older file."""
        return int(self._data.get("generation", 0))

    # -- intents (see the module docstring) --------------------------------------------
    def add_intent(
        self,
        action: str,
        *,
        actor_id: str | None,
        target_id: str | None,
        detail: str | None = None,
        signer: signing.Signer | None = None,
    ) -> str:
        """Journal a change; `signer` (the actor's key) signs it, see the docstring."""
        intent_id = str(uuid.uuid4())
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        entry: dict[str, Any] = {
            "id": intent_id,
            "at": at,
            "action": str(action),
            "actor": actor_id,
            "target": target_id,
            "detail": detail,
        }
        if signer is not None:
            statement = _intent_statement(
                self.store_id, intent_id, at, str(action), actor_id, target_id, detail
            )
            entry["signature"] = crypto.b64e(
                signer.sign_statement(signing.Context.INTENT, statement)
            )
        self._data.setdefault("journal", []).append(entry)
        return intent_id

    def intents(self) -> list[Intent]:
        return [Intent.from_dict(d) for d in self._data.get("journal", [])]

    def forget_intents(self, ids: set[str]) -> None:
        """Drop intents whose audit entries are committed."""
        self._data["journal"] = [d for d in self._data.get("journal", []) if d["id"] not in ids]

    def user_ids(self) -> list[str]:
        return [s["user_id"] for s in self._data["slots"].values()]

    # -- slots ----------------------------------------------------------------------
    def _lookup(self, username: str) -> str:
        salt = crypto.b64d(self._data["lookup_salt"])
        return crypto.keyed_hash(salt, normalise_username(username))

    def has_user(self, username: str) -> bool:
        return self._lookup(username) in self._data["slots"]

    def _slot(self, username: str) -> dict[str, Any]:
        slot: dict[str, Any] | None = self._data["slots"].get(self._lookup(username))
        if slot is None:
            raise UnknownUserError()
        return slot

    def _slot_by_id(self, user_id: str) -> tuple[str, dict[str, Any]]:
        for lookup, slot in self._data["slots"].items():
            if slot["user_id"] == user_id:
                return lookup, slot
        raise UnknownUserError()

    def _aad(self, purpose: str, user_id: str, epoch: int | str = "") -> bytes:
        return f"infoshare|{self.store_id}|{purpose}|{user_id}|{epoch}".encode()

    def _private_aad(self, slot: dict[str, Any]) -> bytes:
        """The slot's generation is bound to its password-wrapped private key (a slot from
        before slot generations has none: generation 0)."""
        aad = self._aad("private", slot["user_id"])
        if "generation" in slot:  # not a whole number: bound as 0, so it does not open
            aad += f"|generation={slot_generation(slot)}".encode()
        return aad

    def add_user(
        self,
        *,
        username: str,
        user_id: str,
        secret: str,
        setup_code: bool,
        data_keys: dict[int, bytes],
        audit_anchor: bytes | None,
        root_public: bytes | None,
        sign_private: bytes | None = None,
    ) -> None:
        """Create a slot; `secret` is the user's password, or a one-time setup code."""
        lookup = self._lookup(username)
        if lookup in self._data["slots"]:
            raise StoreError("An account with that user name already exists.")
        self._data["slots"][lookup] = {"user_id": user_id}
        self._issue_keys(
            self._data["slots"][lookup], secret, setup_code, data_keys, root_public, sign_private
        )
        self.set_audit_anchor(user_id, audit_anchor)

    def reissue(
        self,
        user_id: str,
        *,
        code: str,
        data_keys: dict[int, bytes],
        audit_anchor: bytes | None,
        root_public: bytes | None,
    ) -> None:
        """A forgotten password: the user gets new key pairs behind a one-time code."""
        _, slot = self._slot_by_id(user_id)
        self._issue_keys(slot, code, True, data_keys, root_public)
        self.set_audit_anchor(user_id, audit_anchor)

    def _issue_keys(
        self,
        slot: dict[str, Any],
        secret: str,
        setup_code: bool,
        data_keys: dict[int, bytes],
        root_public: bytes | None,
        sign_private: bytes | None = None,
    ) -> None:
        private, public = crypto.new_keypair()
        if sign_private is None:
            sign_private, sign_public = signing.new_signing_key()
        else:
            sign_public = signing.Signer("", sign_private).public
        for name in (
            "checkpoint",
            "sign_sealed",
            "sign_private",
            "root",
            "checkpointed",
            "carrying_over",
        ):
            slot.pop(name, None)  # new key pairs start afresh
        slot.update(
            public=crypto.b64e(public),
            sign_public=crypto.b64e(sign_public),
            setup=setup_code,
            failures=0,
            unreported=0,
            last_failure=0.0,
            locked=False,
            keys={},
        )
        if root_public is not None:
            slot["root"] = crypto.b64e(root_public)
        else:  # a store from before signed identity: the carry-over gives the key
            del slot["sign_public"]
        slot["setup"] = True  # wrapped as not yet signed in (no checkpoints yet)
        self._wrap_secrets(slot, private, sign_private if root_public else None, secret)
        slot["setup"] = setup_code
        for epoch, key in data_keys.items():
            self._seal_data_key(slot, epoch, key)

    def _wrap_secrets(
        self, slot: dict[str, Any], private: bytes, sign_private: bytes | None, secret: str
    ) -> bytes:
        """Wrap the slot's private keys under `secret`; returns the wrapping key."""
        params = crypto.KdfParams.fresh(**DEFAULT_KDF)
        wrap_key = params.derive(normalise_password(secret))
        slot["generation"] = slot_generation(slot) + 1
        box = crypto.wrap(wrap_key, private, self._private_aad(slot))
        slot["private"] = {"kdf": params.to_dict(), **box}
        if sign_private is not None:
            self._wrap_signing(slot, wrap_key, sign_private, checkpointed=not slot.get("setup"))
        return wrap_key

    def _signing_aad(self, slot: dict[str, Any], purpose: str) -> bytes:
        """The root of trust a signing key was given under, and whether its owner has
        signed in (so has checkpoints), are bound to it: a slot where either was changed
        does not open."""
        return (
            self._aad(purpose, slot["user_id"])
            + b"|root="
            + str(slot.get("root")).encode()
            + (b"|checkpointed" if slot.get("checkpointed") else b"")
            + (b"|carrying-over" if slot.get("carrying_over") else b"")
        )

    def _wrap_signing(
        self,
        slot: dict[str, Any],
        wrap_key: bytes,
        sign_private: bytes,
        *,
        checkpointed: bool = True,
        carrying_over: bool = False,
    ) -> None:
        """Wrap the signing key under the password. `checkpointed`: its owner has signed
        in, so has checkpoints from now on (see checkpoint). `carrying_over`: see
        UnlockedKeys.carrying_over."""
        slot.pop("sign_sealed", None)
        slot.pop("carrying_over", None)
        if carrying_over:
            slot["carrying_over"] = True
        slot["checkpointed"] = checkpointed
        slot["sign_private"] = crypto.wrap(
            wrap_key, sign_private, self._signing_aad(slot, "signing")
        )

    def adopt_signing_key(
        self,
        user_id: str,
        *,
        wrap_key: bytes,
        sign_private: bytes,
        root_public: bytes,
        carrying_over: bool = True,
    ) -> None:
        """Give a slot from before signed identity its signing key, wrapped under the
        password its owner just signed in with (the carry-over, for the new root). Marked
        as carrying over until the grants are committed (then called again with False):
        a slot naming a root without that mark never lets a store without grants in."""
        _, slot = self._slot_by_id(user_id)
        slot.pop("sign_sealed", None)
        slot.update(
            root=crypto.b64e(root_public),
            sign_public=crypto.b64e(signing.Signer("", sign_private).public),
        )
        self._wrap_signing(slot, wrap_key, sign_private, carrying_over=carrying_over)

    def offer_signing_key(self, user_id: str, *, sign_private: bytes, root_public: bytes) -> None:
        """Seal a signing key to a slot's X25519 key (the carry-over, for every other
        account): its owner wraps it under their password at their next sign-in."""
        _, slot = self._slot_by_id(user_id)
        slot.pop("sign_private", None)
        slot.pop("checkpointed", None)
        slot.update(
            root=crypto.b64e(root_public),
            sign_public=crypto.b64e(signing.Signer("", sign_private).public),
        )
        slot["sign_sealed"] = crypto.seal(
            crypto.b64d(slot["public"]), sign_private, self._signing_aad(slot, "signing-sealed")
        )

    def slot_publics(self) -> dict[str, dict[str, str | None]]:
        """Each slot's public keys as the file holds them (user id -> keys)."""
        return {
            s["user_id"]: {"public": s.get("public"), "sign_public": s.get("sign_public")}
            for s in self._data["slots"].values()
        }

    def _seal_data_key(self, slot: dict[str, Any], epoch: int, key: bytes) -> None:
        public = crypto.b64d(slot["public"])
        slot["keys"][str(epoch)] = crypto.seal(
            public, key, self._aad("data", slot["user_id"], epoch)
        )

    def give_data_key(self, user_id: str, key: bytes, *, certified: bytes | None) -> bool:
        """Seal the current data key to one slot (an account enabled again after the key
        was rotated without it), only if the slot holds `certified`, the X25519 key its
        grant certifies. Returns whether it was given."""
        _, slot = self._slot_by_id(user_id)
        if certified is None or crypto.b64d(slot["public"]) != certified:
            return False
        self._seal_data_key(slot, self.epoch, key)
        return True

    def set_audit_anchor(self, user_id: str, anchor: bytes | None) -> None:
        """Give (or, with None, take away) a user's copy of the audit MAC anchor."""
        _, slot = self._slot_by_id(user_id)
        if anchor is None:
            slot.pop("audit_anchor", None)
        else:
            public = crypto.b64d(slot["public"])
            slot["audit_anchor"] = crypto.seal(public, anchor, self._aad("audit", user_id))

    def public_key(self, user_id: str) -> str:
        return str(self._slot_by_id(user_id)[1]["public"])

    def sign_public_key(self, user_id: str) -> bytes | None:
        text = self._slot_by_id(user_id)[1].get("sign_public")
        return crypto.b64d(text) if text else None

    def is_set_up(self, user_id: str) -> bool:
        """The user has chosen their own password (so has signed in at least once)."""
        return not self._slot_by_id(user_id)[1].get("setup")

    def slot_checkpoint(self, user_id: str) -> dict[str, Any] | None:
        return self._slot_by_id(user_id)[1].get("checkpoint")

    def set_slot_checkpoint(self, user_id: str, checkpoint: dict[str, Any]) -> None:
        self._slot_by_id(user_id)[1]["checkpoint"] = checkpoint

    def remove_user(self, user_id: str) -> None:
        lookup, _ = self._slot_by_id(user_id)
        del self._data["slots"][lookup]

    def user_id_for(self, username: str) -> str:
        return str(self._slot(username)["user_id"])

    def is_locked(self, user_id: str) -> bool:
        return bool(self._slot_by_id(user_id)[1].get("locked"))

    def clear_failures(self, user_id: str) -> None:
        """An administrator unlocks a locked account."""
        _, slot = self._slot_by_id(user_id)
        slot.update(failures=0, last_failure=0.0, locked=False, unreported=0)

    def failures(self, user_id: str) -> int:
        return int(self._slot_by_id(user_id)[1].get("failures", 0))

    # -- unlock ---------------------------------------------------------------------
    def _open_private(self, slot: dict[str, Any], secret: str) -> tuple[bytes, bytes]:
        """(X25519 private key, the key derived from the password)."""
        try:
            params = crypto.KdfParams(**slot["private"]["kdf"])
            key = params.derive(normalise_password(secret))
        except (TypeError, ValueError, KeyError) as exc:
            # Includes Argon2id parameters outside crypto.KDF_LIMITS: refused before any
            # work, and not counted as a failed attempt.
            raise KeystoreDamagedError() from exc
        return crypto.unwrap(key, slot["private"], self._private_aad(slot)), key

    def _give_generation(self, slot: dict[str, Any], private: bytes, wrap_key: bytes) -> None:
        """A slot from before slot generations gets generation 1, its private key rewrapped
        under the same password-derived key (no Argon2id run)."""
        slot["generation"] = 1
        kdf = slot["private"]["kdf"]
        slot["private"] = {"kdf": kdf, **crypto.wrap(wrap_key, private, self._private_aad(slot))}

    def _open_signing(self, slot: dict[str, Any], private: bytes, wrap_key: bytes) -> bytes | None:
        """The slot's signing key (None in a slot from before signed identity). A slot
        whose root or signing key was changed does not open (KeystoreDamagedError)."""
        try:
            if "sign_private" in slot:
                return crypto.unwrap(
                    wrap_key, slot["sign_private"], self._signing_aad(slot, "signing")
                )
            if "sign_sealed" in slot:
                return crypto.open_sealed(
                    private, slot["sign_sealed"], self._signing_aad(slot, "signing-sealed")
                )
        except crypto.DecryptionFailed as exc:
            raise KeystoreDamagedError() from exc
        return None

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
            private, wrap_key = self._open_private(slot, password)
        except crypto.DecryptionFailed:
            slot["failures"] += 1
            slot["last_failure"] = time.time()
            slot["locked"] = slot["failures"] >= LOCK_AFTER_FAILURES
            detail = f"failed_attempts={slot['failures']}"
            self.add_intent(
                "session.unlock_failed",
                actor_id=slot["user_id"],
                target_id=slot["user_id"],
                detail=detail + (";locked" if slot["locked"] else ""),
            )
            self._save_failure()
            if slot["locked"]:
                raise AccountLockedError() from None
            raise WrongPasswordError(slot["failures"], failure_delay(slot["failures"])) from None
        user_id = slot["user_id"]
        changed = password_set = False
        sign_private = self._open_signing(slot, private, wrap_key)
        checkpointed = sign_private is not None and bool(slot.get("checkpointed"))
        carrying_over = sign_private is not None and bool(slot.get("carrying_over"))
        if (
            sign_private is not None
            and not slot.get("setup")
            and not checkpointed
            and not carrying_over
        ):
            # A signing key given at the carry-over, or a first sign-in: from now on under
            # the password, and this account has checkpoints.
            self._wrap_signing(slot, wrap_key, sign_private)
            slot.pop("sign_sealed", None)
            changed = True
        if slot.get("setup"):
            if new_password is None:
                raise SetupCodeRequired()
            wrap_key = self._set_password(slot, private, sign_private, new_password, username)
            changed = password_set = True
        unreported = sum(
            1
            for i in self.intents()
            if i.action == "session.unlock_failed" and i.target_id == user_id
        )
        if slot["failures"] or slot.get("unreported"):
            slot.update(failures=0, last_failure=0.0, unreported=0)
            changed = True
        if "generation" not in slot:
            self._give_generation(slot, private, wrap_key)
            changed = True
        self.verified_generations[user_id] = slot_generation(slot)
        data_keys = {}
        for epoch_text, box in slot["keys"].items():
            epoch = int(epoch_text)
            if epoch < self.epoch:  # an old copy of the slot: that key opens nothing now
                continue
            try:
                data_keys[epoch] = crypto.open_sealed(
                    private, box, self._aad("data", user_id, epoch)
                )
            except crypto.DecryptionFailed as exc:
                raise KeystoreDamagedError() from exc
        if not data_keys:  # rotated without this slot: disabled, or its key not certified
            raise AccountDisabledError(
                "This account has no key to the store's data (it was disabled, or its key "
                "slot was changed). Ask an administrator."
            )
        anchor = None
        if "audit_anchor" in slot:
            try:
                anchor = crypto.open_sealed(
                    private, slot["audit_anchor"], self._aad("audit", user_id)
                )
            except crypto.DecryptionFailed as exc:
                raise KeystoreDamagedError() from exc
        root = slot.get("root")
        return UnlockedKeys(
            user_id,
            private,
            data_keys,
            anchor,
            unreported,
            changed,
            password_set,
            sign_private=sign_private,
            root_public=crypto.b64d(root) if isinstance(root, str) and sign_private else None,
            wrap_key=wrap_key,
            checkpointed=checkpointed,
            carrying_over=carrying_over,
            slot_generation=slot_generation(slot),
        )

    def lock_out(self, user_id: str) -> None:
        """Lock a slot that the database says is locked out (a lock-out undone by copying
        back an older key store): refused from now on without its password being tried.
        The caller saves."""
        _, slot = self._slot_by_id(user_id)
        slot.update(
            failures=max(int(slot.get("failures", 0)), LOCK_AFTER_FAILURES),
            last_failure=time.time(),
            locked=True,
        )

    def _save_failure(self) -> None:
        """Count a failed attempt; when the data folder cannot take it, say so."""
        try:
            self.save()
        except StoreReadOnlyError:
            raise WrongPasswordError(not_recorded=READ_ONLY_REASON) from None
        except DiskFullError:
            raise WrongPasswordError(not_recorded=DISK_FULL_REASON) from None

    def _set_password(
        self,
        slot: dict[str, Any],
        private: bytes,
        sign_private: bytes | None,
        new_password: str,
        username: str,
    ) -> bytes:
        """Rewrap the slot's keys under a new password; returns the new wrapping key."""
        problem = password_problem(new_password, username=username)
        if problem:
            raise PasswordRejected(problem)
        slot["setup"] = False
        return self._wrap_secrets(slot, private, sign_private, new_password)

    def change_password(self, username: str, old_password: str, new_password: str) -> str:
        """Rewrap one slot's private key (the database is not touched) and record the
        intent to audit it; returns the intent id. The caller saves."""
        slot = self._slot(username)
        try:
            private, wrap_key = self._open_private(slot, old_password)
        except crypto.DecryptionFailed:
            raise WrongPasswordError() from None
        sign_private = self._open_signing(slot, private, wrap_key)
        self._set_password(slot, private, sign_private, new_password, username)
        slot.pop("sign_sealed", None)
        self.verified_generations[slot["user_id"]] = slot_generation(slot)
        signer = signing.Signer(slot["user_id"], sign_private) if sign_private else None
        return self.add_intent(
            "account.password_change",
            actor_id=slot["user_id"],
            target_id=slot["user_id"],
            signer=signer,
        )

    # -- key rotation -----------------------------------------------------------------
    def begin_rotation(
        self,
        new_key: bytes,
        *,
        actor_id: str | None = None,
        certified: dict[str, bytes] | None,
        signer: signing.Signer | None = None,
    ) -> int:
        """Seal a new data key for every remaining user, keeping the current one. The
        intent to audit the rotation is saved with it (dropped if it is undone).

        With `certified` (user id -> the X25519 key their signed grant certifies, for
        active accounts only), a slot receives the new key only if it holds exactly
        that key: a slot without a grant, a disabled account's, or one whose public key
        was swapped gets nothing."""
        new_epoch = self.epoch + 1
        for slot in self._data["slots"].values():
            if certified is not None and (
                certified.get(slot["user_id"]) != crypto.b64d(slot["public"])
            ):
                continue
            self._seal_data_key(slot, new_epoch, new_key)
        self._data["pending_epoch"] = new_epoch
        self.add_intent(
            "store.key_rotate",
            actor_id=actor_id,
            target_id=None,
            detail=f"epoch={new_epoch}",
            signer=signer,
        )
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
        self._data["journal"] = [
            d
            for d in self._data.get("journal", [])
            if not (d["action"] == "store.key_rotate" and d.get("detail") == f"epoch={pending}")
        ]
        self.save()

    def copy_for_backup(self, backup_key: bytes, *, certified: dict[str, bytes] | None) -> Keystore:
        """A key store for a backup: the same users, the backup's own data key, under the
        current epoch (the database copy remembers the epoch it has seen, and a lower one
        would be refused as a rolled-back key store). As at a rotation, with `certified`
        (the X25519 keys active accounts' signed grants certify) a slot receives the key
        only if it holds exactly that key: a disabled or revoked account's slot, one
        without a grant or one whose public key was swapped opens no backup made after."""
        data = self.snapshot()
        epoch = self.epoch
        data.update(pending_epoch=None)
        copy_ = Keystore(self.path, data)
        for slot in data["slots"].values():
            slot.update(keys={}, failures=0, unreported=0, last_failure=0.0)
            # A checkpoint written while the database was copied may name an entry the
            # copy lacks (a false "history replaced" after restoring it).
            slot.pop("checkpoint", None)
            if certified is None or certified.get(slot["user_id"]) == crypto.b64d(slot["public"]):
                copy_._seal_data_key(slot, epoch, backup_key)
        return copy_
