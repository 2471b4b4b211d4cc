"""New ids: one function for every record, case, review request and signed item.

Time-ordered (UUIDv7) rather than random (UUIDv4): each new row's key lands at the end
of its table's indexes instead of on a random page of a multi-gigabyte index, so a save
at a million records touches a few hot pages that stay in the page cache."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> str:
    """A time-ordered, globally unique id (RFC 9562 UUIDv7: 48-bit Unix milliseconds,
    then 74 random bits)."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value &= ~(0xF << 76)
    value |= 0x7 << 76  # version 7
    value &= ~(0x3 << 62)
    value |= 0x2 << 62  # RFC 4122 variant
    return str(uuid.UUID(int=value))


__all__ = ["uuid7"]
