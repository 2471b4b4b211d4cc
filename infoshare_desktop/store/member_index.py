"""The search index of the restricted cases one user may see, held in memory only.

A restricted case's words never enter the shared full-text index (store.search) inside
the database file, which every account holder can open. Its members search it through
this index instead: an FTS5 table in an in-memory SQLite database (Python's own
sqlite3, nothing written to disk), built from the opened records when the user first
searches and rebuilt when a restricted case changes. The query and snippets are the
shared index's, and hits are ordered as its are (own words first, then newest), so the
two merge by position. Restricted cases are few, so
building it is cheap."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from infoshare_desktop.store.search import IndexRow

_SEARCH = """
    SELECT case_id, record_id, snippet(member_index, 2, :start, :end, '…', 12)
    FROM member_index WHERE member_index MATCH :match
"""


@dataclass(frozen=True)
class MemberHit:
    """A case found, and the row that found it: its own words (record_id None) or its
    newest matching record, as store.search.IndexHit."""

    case_id: str
    record_id: str | None
    snippet: str


def _order(row: tuple[str, str | None, str]) -> tuple[int, str]:
    # own words first, then the newest (ids are UUIDv7, time-ordered), as store.search
    return (0, row[0]) if row[1] is None else (1, row[1])


class MemberIndex:
    """An in-memory FTS5 index of a few cases' rows (see the module docstring)."""

    def __init__(self, rows: Iterable[IndexRow], *, version: tuple[int, ...] = ()) -> None:
        self.version = version
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE member_index USING fts5("
            "case_id UNINDEXED, record_id UNINDEXED, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        self._db.executemany(
            "INSERT INTO member_index (case_id, record_id, body) VALUES (?, ?, ?)",
            [(r.case_id, r.record_id, r.body) for r in rows],
        )

    def search(self, *, match: str, limit: int, marks: tuple[str, str]) -> list[MemberHit]:
        """The cases whose rows match, ordered as the shared search orders its own: a
        case whose own words match (newest first), then the others by their newest
        matching record. At most `limit`."""
        params = {"match": match, "start": marks[0], "end": marks[1]}
        try:
            rows = self._db.execute(_SEARCH, params).fetchall()
        except sqlite3.OperationalError:
            return []
        best: dict[str, tuple[str, str | None, str]] = {}
        for row in rows:
            kept = best.get(row[0])
            if kept is None or (_order(row)[0], _order(kept)[1]) < (
                _order(kept)[0],
                _order(row)[1],
            ):
                best[row[0]] = row
        found = sorted(best.values(), key=lambda r: _order(r)[1], reverse=True)
        found.sort(key=lambda r: _order(r)[0])  # stable: newest first within each group
        return [MemberHit(r[0], r[1], r[2].replace("\n", " ")) for r in found[:limit]]

    def close(self) -> None:
        self._db.close()


def version(tx: object) -> tuple[int, ...]:
    """What the index depends on, cheaply: the restricted cases' key grants and record
    counts. A change in either (in this window or another) means rebuild."""
    from infoshare_desktop.store.writes import raw_connection

    row = (
        raw_connection(tx)
        .execute(
            "SELECT (SELECT count(*) FROM case_key_grant), "
            "(SELECT coalesce(max(rowid), 0) FROM case_key_grant), "
            "(SELECT count(*) FROM case_sealed), "
            "(SELECT coalesce(sum(records), 0) FROM case_stats WHERE case_id IN "
            "(SELECT case_id FROM case_sealed))"
        )
        .fetchone()
    )
    return tuple(int(v) for v in row)
