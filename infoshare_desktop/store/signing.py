"""Signatures: who said what, checkable by anyone holding the signer's public key.

One small module that everything signed goes through (grants, audit entries,
checkpoints, and later the envelopes of saved items and hand-over bundles):

- statements are encoded as canonical JSON (`canonicaljson`: sorted keys, no spaces,
  UTF-8), so the same statement always gives the same bytes on every machine;
- every signature is over a *context* as well as the bytes (``infoshare-sig-v1``, the
  context name, then the message), so a signature made for one purpose (say, a
  checkpoint) can never be replayed as another (say, a grant);
- Ed25519 from `cryptography`;
- a public key's fingerprint is shown as words from the BIP-39 English list (the
  `mnemonic` package): eight words, 88 bits, easy to read out and compare by phone.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import lru_cache
from typing import Any

import canonicaljson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infoshare_desktop.domain.ids import uuid7 as uuid7  # its home before domain.ids

_PREFIX = b"infoshare-sig-v1\x00"
FINGERPRINT_WORDS = 8


class Context(StrEnum):
    """What a signature is for; part of every signed message."""

    GRANT = "grant"
    AUDIT_ENTRY = "audit-entry"
    CHECKPOINT = "checkpoint"
    INTENT = "keystore-intent"
    ENVELOPE = "envelope"
    ENVELOPE_CHECK = "envelope-check"


def canonical(statement: Any) -> bytes:
    """The one byte encoding of a JSON-able statement."""
    return bytes(canonicaljson.encode_canonical_json(statement))


def _message(context: Context, data: bytes) -> bytes:
    return _PREFIX + str(context).encode("ascii") + b"\x00" + data


class Signer:
    """One user's Ed25519 private key, in memory only while the store is open."""

    def __init__(self, user_id: str, private: bytes) -> None:
        self.user_id = user_id
        self._key = Ed25519PrivateKey.from_private_bytes(private)
        self.public = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, context: Context, data: bytes) -> bytes:
        return self._key.sign(_message(context, data))

    def sign_statement(self, context: Context, statement: Any) -> bytes:
        return self.sign(context, canonical(statement))

    def __repr__(self) -> str:
        return f"Signer({self.user_id!r})"


def new_signing_key() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as (private, public) raw bytes."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return private, Signer("", private).public


@lru_cache(maxsize=1024)
def _public_key(public: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public)


def verify(public: bytes, context: Context, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is `public`'s signature of `data` for `context`."""
    try:
        _public_key(bytes(public)).verify(bytes(signature), _message(context, data))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def verify_statement(public: bytes, context: Context, statement: Any, signature: bytes) -> bool:
    return verify(public, context, canonical(statement), signature)


def fingerprint(public: bytes) -> bytes:
    return hashlib.sha256(b"infoshare-fingerprint-v1\x00" + public).digest()


def fingerprint_words(public: bytes) -> list[str]:
    """The public key's fingerprint as eight BIP-39 words (11 bits each, 88 bits)."""
    from mnemonic import Mnemonic

    words = Mnemonic("english").wordlist
    bits = int.from_bytes(fingerprint(public), "big") >> (256 - 11 * FINGERPRINT_WORDS)
    return [
        words[(bits >> (11 * (FINGERPRINT_WORDS - 1 - i))) & 0x7FF]
        for i in range(FINGERPRINT_WORDS)
    ]


def fingerprint_text(public: bytes) -> str:
    return " ".join(fingerprint_words(public))
