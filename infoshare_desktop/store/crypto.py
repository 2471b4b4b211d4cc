"""The few cryptographic building blocks the store uses, all from `cryptography`.

- Argon2id turns a password into a wrapping key (parameters kept with each slot).
- AES-256-GCM wraps secrets; the associated data binds a ciphertext to its store,
  user and purpose, so a slot copied into another store or role does not open.
- X25519 + HKDF + AES-GCM seals a secret to a user's public key, so an administrator
  can give a user the data key (or rotate it) without knowing their password.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32

#: The Argon2id parameters a slot may ask for. Outside them a slot is refused as damaged:
#: a tampered cost is a denial of service (gigabytes of memory, hours of work) or, too
#: low, a slot nobody should trust.
KDF_LIMITS = {"memory_kib": (1024, 524_288), "iterations": (1, 8), "lanes": (1, 8)}
SALT_BYTES = (16, 64)


class DecryptionFailed(Exception):
    """A wrapped or sealed secret did not open: wrong key, or altered data."""


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored with each slot so they can rise over time."""

    salt: str
    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4
    alg: str = "argon2id"

    @classmethod
    def fresh(cls, **overrides: Any) -> KdfParams:
        return cls(salt=b64e(os.urandom(16)), **overrides)

    def check(self) -> None:
        """Raise ValueError for parameters outside KDF_LIMITS or a malformed salt."""
        if self.alg != "argon2id":
            raise ValueError("unknown key derivation")
        for name, (low, high) in KDF_LIMITS.items():
            value = getattr(self, name)
            if type(value) is not int or not low <= value <= high:
                raise ValueError(f"key derivation parameter {name} out of range")
        if self.memory_kib < 8 * self.lanes:
            raise ValueError("key derivation memory too small for its lanes")
        if not isinstance(self.salt, str) or not (
            SALT_BYTES[0] <= len(b64d(self.salt)) <= SALT_BYTES[1]
        ):
            raise ValueError("key derivation salt malformed")

    def derive(self, password: str) -> bytes:
        self.check()
        remembered = _DERIVED.get()
        if remembered is not None and (self, password) in remembered:
            return remembered[self, password]
        kdf = Argon2id(
            salt=b64d(self.salt),
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        key = kdf.derive(password.encode("utf-8"))
        if remembered is not None:
            remembered[self, password] = key
        return key

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_DERIVED: contextvars.ContextVar[dict[tuple[KdfParams, str], bytes] | None] = (
    contextvars.ContextVar("derived_keys", default=None)
)


@contextmanager
def deriving_once() -> Iterator[None]:
    """Within this block (one operation of one user, e.g. a restore, which opens the
    current key store, the backup's and the restored store's with the same password and
    usually the same slot parameters), each password is stretched once per parameters
    and salt; the results are forgotten when it ends."""
    token = _DERIVED.set({})
    try:
        yield
    finally:
        remembered = _DERIVED.get()
        if remembered is not None:
            remembered.clear()
        _DERIVED.reset(token)


def wrap(key: bytes, secret: bytes, aad: bytes) -> dict[str, Any]:
    nonce = os.urandom(12)
    return {"nonce": b64e(nonce), "ct": b64e(AESGCM(key).encrypt(nonce, secret, aad))}


def unwrap(key: bytes, box: dict[str, Any], aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(b64d(box["nonce"]), b64d(box["ct"]), aad)
    except (InvalidTag, KeyError, ValueError) as exc:
        raise DecryptionFailed("secret did not open") from exc


def new_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair as (private, public) raw bytes."""
    private = X25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        ),
        public_bytes(private),
    )


def public_bytes(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _seal_key(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"infoshare-seal-v1" + eph_pub + recipient_pub,
    ).derive(shared)


def seal(recipient_public: bytes, secret: bytes, aad: bytes) -> dict[str, Any]:
    """Encrypt `secret` so that only the holder of the matching private key opens it."""
    eph = X25519PrivateKey.generate()
    eph_pub = public_bytes(eph)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    box = wrap(_seal_key(shared, eph_pub, recipient_public), secret, aad)
    return {"eph": b64e(eph_pub), **box}


def open_sealed(private_raw: bytes, box: dict[str, Any], aad: bytes) -> bytes:
    try:
        private = X25519PrivateKey.from_private_bytes(private_raw)
        eph_pub = b64d(box["eph"])
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    except (KeyError, ValueError) as exc:
        raise DecryptionFailed("sealed secret did not open") from exc
    return unwrap(_seal_key(shared, eph_pub, public_bytes(private)), box, aad)


def keyed_hash(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
