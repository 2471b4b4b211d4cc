"""The search index of the restricted cases one user may see, held in memory only.

A restricted case's words never enter the shared full-text index (store.search) inside
the database file, which every account holder can open. Its members search it through
this index instead: an FTS5 table in an in-memory SQLite database (Python's own
sqlite3, nothing written to disk), built from the opened records when the user first
searches and rebuilt when a restricted case changes. The query, ranking and snippets
are the shared index's, so results merge by score. Restricted cases are few, so
building it is cheap."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from infoshare_desktop.store.search import IndexRow

_SEARCH = """
    WITH best AS (
        SELECT case_id, min(rank) AS score, rowid AS row_id FROM member_index
        WHERE member_index MATCH :match GROUP BY case_id ORDER BY score LIMIT :limit
    )
    SELECT b.case_id, snippet(member_index, 2, :start, :end, '…', 12), b.score
    FROM best AS b JOIN member_index ON member_index.rowid = b.row_id
    WHERE member_index MATCH :match ORDER BY b.score
"""


@dataclass(frozen=True)
class MemberHit:
    case_id: str
    snippet: str
    score: float  # FTS5 rank, as store.search's: lower is better


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
        params = {"match": match, "limit": limit, "start": marks[0], "end": marks[1]}
        try:
            rows = self._db.execute(_SEARCH, params).fetchall()
        except sqlite3.OperationalError:
            return []
        return [MemberHit(r[0], r[1].replace("\n", " "), r[2]) for r in rows]

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
