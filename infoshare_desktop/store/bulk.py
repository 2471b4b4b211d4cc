"""Bulk writing (the demo store): what a long series of large transactions needs.

Every insert into an index keyed by a random id (saved records' and audit entries'
UUIDv4 keys, as real saves make them) lands on a random leaf page; once the indexes
outgrow SQLite's small default page cache each insert reads and re-encrypts a page, and
the build slows as the store grows. A page cache that holds the indexes keeps the rate
constant."""

from __future__ import annotations

from infoshare_desktop.store.writes import Tx, raw_connection

__all__ = ["BULK_CACHE_MIB", "use_bulk_cache"]

#: Enough for the indexes of a million records (about 200 MB), on this connection only.
BULK_CACHE_MIB = 256


def use_bulk_cache(tx: Tx, mib: int = BULK_CACHE_MIB) -> None:
    """Give the connection behind `tx` a page cache of `mib` MiB (kept while pooled)."""
    raw_connection(tx).execute(f"PRAGMA cache_size = -{int(mib) * 1024}")
