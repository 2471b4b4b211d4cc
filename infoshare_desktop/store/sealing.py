"""Sealed content: what of a restricted case, and of a user's drafts, is kept encrypted
inside the (already encrypted) database, so that another account holder who opens the
file with their own data key still cannot read it.

- **Case keys.** Each restricted case has a random 32-byte key per *epoch*. Each epoch's
  key is sealed (X25519 + HKDF + AES-256-GCM, the same `crypto.seal` the key slots use
  for the data key) to the certified public key of each recipient: the case's members,
  and every active administrator (the recovery path: a member who loses their password
  gets new keys at the reset, and an administrator's session seals the case's keys to
  them again). One `case_key_grant` row per (case, epoch, recipient, public key).
  Removing a member, or an account losing access, starts a new epoch sealed to the
  remaining recipients only: new content uses the newest epoch; older epochs stay
  readable to those who held them.
- **Sealed text.** A field is AES-256-GCM under its case's key for one epoch, with the
  store id, case id, epoch and the field's name (which names its row) in the associated
  data, so a ciphertext moved to another case, row or field does not open. It is kept
  as text: ``sealed1:<case id>:<epoch>:<field>:<base64 nonce and ciphertext>``.
- **Drafts** are AES-256-GCM under a key derived (HKDF) from their owner's X25519
  private key, which only the owner's password opens: nobody else's slot gives it.

A ciphertext that does not open (altered, or under a key this account does not hold)
raises SealedContentError, with a message fit to show.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from infoshare_desktop.store import crypto
from infoshare_desktop.store.errors import StoreError
from infoshare_desktop.store.writes import Tx, raw_connection, stored_time

PREFIX = "sealed1:"
DRAFT_PREFIX = "draft1:"
#: The key in a sealed record payload's JSON that holds the ciphertext.
SEALED_KEY = "$sealed"
#: A record payload's keys that stay readable beside the ciphertext: ids, codes and a
#: date the worklist's triggers read (never text a person typed).
PAYLOAD_CODES = ("outcome", "valid_until", "supersedes_id", "supersedes_ids", "consent_decision_id")


class SealedContentError(StoreError):
    """Sealed content did not open: it was altered, or this account holds no key for it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Part of a restricted case, or a draft, could not be decrypted: it has been "
            "altered, or your account does not hold its key. Nothing was changed; ask an "
            "administrator to run Verify."
        )


class CaseKeyMissing(SealedContentError):
    def __init__(self) -> None:
        super().__init__(
            "Your account does not hold the key of this restricted case. Ask an "
            "administrator to sign in once (they re-seal the case keys), then try again."
        )


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _aad(store_id: str, case_id: str, epoch: int, field_name: str) -> bytes:
    return f"infoshare|{store_id}|case-content|{case_id}|{epoch}|{field_name}".encode()


def _grant_aad(store_id: str, case_id: str, epoch: int, user_id: str) -> bytes:
    return f"infoshare|{store_id}|case-key|{case_id}|{epoch}|{user_id}".encode()


def has_tables(tx: Tx) -> bool:
    """The store has the sealing tables (a store not yet migrated does not)."""
    found = raw_connection(tx).execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_sealed'"
    )
    return found.fetchone() is not None


def is_sealed(text: str | None) -> bool:
    return isinstance(text, str) and text.startswith(PREFIX)


def seal_text(
    key: bytes, *, store_id: str, case_id: str, epoch: int, field_name: str, text: str
) -> str:
    """`text` encrypted under a case key (see the module docstring)."""
    if ":" in field_name or ":" in case_id:
        raise ValueError("a field name or case id may not contain ':'")
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(
        nonce, text.encode("utf-8"), _aad(store_id, case_id, epoch, field_name)
    )
    return f"{PREFIX}{case_id}:{epoch}:{field_name}:{_b64e(nonce + ct)}"


@dataclass(frozen=True)
class SealedText:
    case_id: str
    epoch: int
    field_name: str
    blob: bytes


def parse(text: str) -> SealedText:
    """The parts of a sealed text; SealedContentError if it is malformed."""
    try:
        case_id, epoch, field_name, blob = text[len(PREFIX) :].split(":", 3)
        return SealedText(case_id, int(epoch), field_name, _b64d(blob))
    except ValueError as exc:
        raise SealedContentError() from exc


def open_text(key: bytes, *, store_id: str, sealed: SealedText) -> str:
    if len(sealed.blob) < 12 + 16:
        raise SealedContentError()
    try:
        plain = AESGCM(key).decrypt(
            sealed.blob[:12],
            sealed.blob[12:],
            _aad(store_id, sealed.case_id, sealed.epoch, sealed.field_name),
        )
        return plain.decode("utf-8")
    except (InvalidTag, UnicodeDecodeError) as exc:
        raise SealedContentError() from exc


# -- case keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyGrant:
    case_id: str
    epoch: int
    user_id: str
    public: bytes


_INSERT_GRANT = (
    "INSERT OR IGNORE INTO case_key_grant "
    "(case_id, epoch, user_id, public, box, granted_at, granted_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _seal_grants(
    tx: Tx,
    *,
    store_id: str,
    case_id: str,
    epoch: int,
    key: bytes,
    recipients: Mapping[str, bytes],
    by: str,
    at: datetime,
) -> None:
    rows = [
        (
            case_id,
            epoch,
            user_id,
            crypto.b64e(public),
            json.dumps(crypto.seal(public, key, _grant_aad(store_id, case_id, epoch, user_id))),
            stored_time(at),
            by,
        )
        for user_id, public in sorted(recipients.items())
    ]
    if rows:
        raw_connection(tx).executemany(_INSERT_GRANT, rows)


def grants_of(tx: Tx, case_ids: Iterable[str] | None = None) -> list[KeyGrant]:
    """Who holds which epoch of which case's key (all restricted cases when None)."""
    conn = raw_connection(tx)
    if case_ids is None:
        rows = conn.execute("SELECT case_id, epoch, user_id, public FROM case_key_grant").fetchall()
    else:
        rows = []
        ids = list(case_ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows += conn.execute(
                "SELECT case_id, epoch, user_id, public FROM case_key_grant "
                f"WHERE case_id IN ({', '.join('?' for _ in part)})",
                part,
            ).fetchall()
    return [KeyGrant(c, int(e), u, crypto.b64d(p)) for c, e, u, p in rows]


def current_epoch(tx: Tx, case_id: str) -> int | None:
    row = (
        raw_connection(tx)
        .execute("SELECT max(epoch) FROM case_key_grant WHERE case_id = ?", (case_id,))
        .fetchone()
    )
    return int(row[0]) if row and row[0] is not None else None


@dataclass
class CaseKeyring:
    """The case keys the signed-in user holds, opened from their grants as needed (in
    memory only while the store is open)."""

    store_id: str
    user_id: str
    private_key: bytes = field(repr=False)
    public_key: bytes = b""
    _keys: dict[tuple[str, int], bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        self.public_key = crypto.public_bytes(X25519PrivateKey.from_private_bytes(self.private_key))

    def forget(self) -> None:
        self._keys.clear()

    def _load(self, tx: Tx, case_id: str) -> None:
        rows = (
            raw_connection(tx)
            .execute(
                "SELECT epoch, box FROM case_key_grant WHERE case_id = ? AND user_id = ? "
                "AND public = ?",
                (case_id, self.user_id, crypto.b64e(self.public_key)),
            )
            .fetchall()
        )
        for epoch, box in rows:
            if (case_id, int(epoch)) in self._keys:
                continue
            try:
                key = crypto.open_sealed(
                    self.private_key,
                    json.loads(box),
                    _grant_aad(self.store_id, case_id, int(epoch), self.user_id),
                )
            except (crypto.DecryptionFailed, ValueError, TypeError) as exc:
                raise SealedContentError() from exc
            self._keys[(case_id, int(epoch))] = key

    def key(self, tx: Tx, case_id: str, epoch: int) -> bytes:
        if (case_id, epoch) not in self._keys:
            self._load(tx, case_id)
        try:
            return self._keys[(case_id, epoch)]
        except KeyError:
            raise CaseKeyMissing() from None

    def held(self, tx: Tx, case_id: str) -> dict[int, bytes]:
        """Every epoch of the case's key this user holds (epoch -> key)."""
        self._load(tx, case_id)
        return {e: k for (c, e), k in self._keys.items() if c == case_id}

    def current(self, tx: Tx, case_id: str) -> tuple[int, bytes]:
        """The case's newest epoch and its key (CaseKeyMissing if not held)."""
        epoch = current_epoch(tx, case_id)
        if epoch is None:
            raise CaseKeyMissing()
        return epoch, self.key(tx, case_id, epoch)

    def seal(self, tx: Tx, *, case_id: str, field_name: str, text: str) -> str:
        epoch, key = self.current(tx, case_id)
        return seal_text(
            key,
            store_id=self.store_id,
            case_id=case_id,
            epoch=epoch,
            field_name=field_name,
            text=text,
        )

    def open(self, tx: Tx, text: str, *, case_id: str, field_name: str | None = None) -> str:
        """Plain text of `text` if sealed (else `text` itself). The ciphertext must name
        `case_id` (and `field_name`, if given): one moved from elsewhere is refused."""
        if not is_sealed(text):
            return text
        sealed = parse(text)
        if sealed.case_id != case_id or (
            field_name is not None and sealed.field_name != field_name
        ):
            raise SealedContentError()
        return open_text(self.key(tx, case_id, sealed.epoch), store_id=self.store_id, sealed=sealed)

    def start_case(
        self, tx: Tx, *, case_id: str, recipients: Mapping[str, bytes], at: datetime
    ) -> None:
        """Epoch 1 of a new restricted case's key, sealed to `recipients` and this user."""
        self.new_epoch(tx, case_id=case_id, recipients=recipients, at=at)

    def new_epoch(
        self, tx: Tx, *, case_id: str, recipients: Mapping[str, bytes], at: datetime
    ) -> int:
        """A fresh key for the case (the next epoch), sealed to `recipients` and to this
        user (the one starting it always holds it). Returns the epoch."""
        epoch = (current_epoch(tx, case_id) or 0) + 1
        key = crypto.random_key()
        to = {**recipients, self.user_id: self.public_key}
        _seal_grants(
            tx,
            store_id=self.store_id,
            case_id=case_id,
            epoch=epoch,
            key=key,
            recipients=to,
            by=self.user_id,
            at=at,
        )
        self._keys[(case_id, epoch)] = key
        return epoch

    def grant(self, tx: Tx, *, case_id: str, recipients: Mapping[str, bytes], at: datetime) -> int:
        """Seal every epoch this user holds of the case to the `recipients` who lack it
        (a new member, a new administrator, a member's new keys after a reset). Returns
        how many grants were written."""
        held = self.held(tx, case_id)
        have = {(g.epoch, g.user_id, g.public) for g in grants_of(tx, [case_id])}
        written = 0
        for epoch, key in sorted(held.items()):
            missing = {u: p for u, p in recipients.items() if (epoch, u, p) not in have}
            _seal_grants(
                tx,
                store_id=self.store_id,
                case_id=case_id,
                epoch=epoch,
                key=key,
                recipients=missing,
                by=self.user_id,
                at=at,
            )
            written += len(missing)
        return written


def holders_of_current(tx: Tx, case_id: str) -> set[tuple[str, bytes]]:
    """(user id, public key) of everyone holding the case's newest epoch."""
    epoch = current_epoch(tx, case_id)
    return {(g.user_id, g.public) for g in grants_of(tx, [case_id]) if g.epoch == epoch}


# -- the sealed parts of a case and a record --------------------------------------------------


def put_identity(tx: Tx, *, case_id: str, sealed: str) -> None:
    raw_connection(tx).execute(
        "INSERT OR REPLACE INTO case_sealed (case_id, identity) VALUES (?, ?)", (case_id, sealed)
    )


def identities(tx: Tx, case_ids: Iterable[str]) -> dict[str, str]:
    """The sealed identities of a few cases (case id -> sealed text)."""
    ids = list(case_ids)
    out: dict[str, str] = {}
    conn = raw_connection(tx)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        out.update(
            conn.execute(
                "SELECT case_id, identity FROM case_sealed "
                f"WHERE case_id IN ({', '.join('?' for _ in part)})",
                part,
            ).fetchall()
        )
    return out


def sealed_payload(sealed: str, payload: dict[str, Any]) -> str:
    """A record's stored payload when sealed: the ciphertext and the codes the worklist's
    triggers read (see PAYLOAD_CODES), as JSON."""
    kept = {k: payload[k] for k in PAYLOAD_CODES if k in payload}
    return json.dumps({SEALED_KEY: sealed, **kept}, sort_keys=True)


def payload_ciphertext(stored: str) -> str | None:
    """The ciphertext inside a stored payload, or None if the payload is plain."""
    if not stored.startswith('{"' + SEALED_KEY):
        return None
    try:
        value = json.loads(stored).get(SEALED_KEY)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


# -- drafts ---------------------------------------------------------------------------------


def draft_key(private_key: bytes, *, store_id: str, user_id: str) -> bytes:
    """The key a user's drafts are encrypted under: derived from their X25519 private key,
    which only their password opens."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=crypto.KEY_BYTES,
        salt=None,
        info=f"infoshare-drafts-v1|{store_id}|{user_id}".encode(),
    ).derive(private_key)


def _draft_aad(store_id: str, user_id: str, draft_id: str) -> bytes:
    return f"infoshare|{store_id}|draft|{user_id}|{draft_id}".encode()


def seal_draft(key: bytes, *, store_id: str, user_id: str, draft_id: str, text: str) -> str:
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, text.encode("utf-8"), _draft_aad(store_id, user_id, draft_id))
    return DRAFT_PREFIX + _b64e(nonce + ct)


def open_draft(key: bytes, *, store_id: str, user_id: str, draft_id: str, stored: str) -> str:
    """A draft's JSON (a draft kept before drafts were sealed is returned as it is)."""
    if not stored.startswith(DRAFT_PREFIX):
        return stored
    try:
        blob = _b64d(stored[len(DRAFT_PREFIX) :])
        plain = AESGCM(key).decrypt(blob[:12], blob[12:], _draft_aad(store_id, user_id, draft_id))
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
        raise SealedContentError(
            "A draft could not be decrypted: it has been altered, or it was kept under "
            "keys this account no longer has (after a password reset). It was left as it is."
        ) from exc
