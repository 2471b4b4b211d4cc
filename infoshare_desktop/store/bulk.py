"""Bulk writing (the demo store): what a long series of large transactions needs.

A page cache that holds the pages a build keeps returning to, on the writing connection
(`use_bulk_cache`).

And the indexes whose keys arrive in random order, built once at the end instead of
row by row (`deferred_indexes`). A demo build writes case after case, each with records
spread over two years, so every insert into an index by time, name or birth date lands
on a random page: once such an index outgrows what one transaction's inserts share, each
insert dirties a page of its own, which the commit encrypts and writes twice (the WAL,
then the checkpoint), and the build slows as the store grows. The indexes keyed by ids
(UUIDv7, time-ordered) and positions only ever grow at their end, and stay. The schema
afterwards is the same: each index is created again from its own statement."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from infoshare_desktop.store.writes import Tx, raw_connection

__all__ = ["BULK_CACHE_MIB", "DEFERRED_INDEXES", "deferred_indexes", "use_bulk_cache"]

#: Enough for the indexes of a million records (about 200 MB), on this connection only.
BULK_CACHE_MIB = 256

#: The indexes a demo build fills in random order (the rest are keyed by ids or
#: positions in the order they are written).
DEFERRED_INDEXES = (
    "ix_record_author",  # (author, recorded_at): a million entries at 1M
    "ix_review_status_author",
    "ix_review_status_status",
    "ix_consent_watch_author",
    "ix_consent_watch_due",
    "ix_request_status_open",
    "ix_case_identity",
    "ix_case_born",
    "ix_case_created",
    "ix_case_stats_activity",
    "ix_case_stats_records",
)


def use_bulk_cache(tx: Tx, mib: int = BULK_CACHE_MIB) -> None:
    """Give the connection behind `tx` a page cache of `mib` MiB (kept while pooled)."""
    raw_connection(tx).execute(f"PRAGMA cache_size = -{int(mib) * 1024}")


@contextmanager
def deferred_indexes(write: Callable[[], AbstractContextManager[Tx]]) -> Iterator[None]:
    """Drop DEFERRED_INDEXES for the body's writes and create them again afterwards
    (also when the body fails), each in a transaction of `write` (a Store's
    `write`). Indexes the schema does not have are left alone."""
    with write() as tx:
        raw = raw_connection(tx)
        marks = ", ".join("?" for _ in DEFERRED_INDEXES)
        statements = [
            (name, sql)
            for name, sql in raw.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                DEFERRED_INDEXES,
            )
        ]
        for name, _ in statements:
            raw.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with write() as tx:
            use_bulk_cache(tx)
            raw = raw_connection(tx)
            for _, sql in statements:
                raw.execute(sql)
