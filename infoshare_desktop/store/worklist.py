"""The worklist's SQL: each question one indexed, LIMITed query and a capped COUNT.

Nothing here grows with the store: every query walks one index range
(`review_status` and `consent_watch` from migration 0007, `ix_draft_user`) and stops at
its LIMIT; counts stop at COUNT_CAP ("1000 or more" is as useful as the exact figure).
Only cases the user may see are counted or listed: ordinary ones, and the restricted
cases signed statements name them on (`members`, from Store.member_cases; few), never a
row of the membership table (which anyone with the file could add); told by the case id
(cases.visible_case_sql), so a count reads no case row per row counted. Rows come
back as dicts; the use case (role, rule, audit) is services.worklist's.

Every function takes a Session (its connection is used) or a DB-API connection.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from infoshare_desktop.store.cases import members_param, visible_case_sql
from infoshare_desktop.store.writes import raw_connection, stored_time

COUNT_CAP = 1000

_REVIEW_COLUMNS = (
    "s.record_id, s.status, s.case_id, c.case_reference, c.display_name AS case_name, r.kind, "
    "r.subkind, r.summary, s.author_id, s.since, r.occurred_at"
)
_CONSENT_COLUMNS = (
    "w.record_id, w.case_id, c.case_reference, c.display_name AS case_name, w.author_id, "
    "w.valid_until, w.relied_on, r.summary, r.occurred_at"
)


def _rows(tx: Session | Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = raw_connection(tx).execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _count(tx: Session | Any, body: str, params: dict[str, Any]) -> int:
    sql = f"SELECT count(*) FROM (SELECT 1 {body} LIMIT {COUNT_CAP})"
    return int(raw_connection(tx).execute(sql, params).fetchone()[0])


# -- reviews ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilter:
    """Records in review with ``status`` (of ``author``, or not of ``not_author``; that
    entered that status ``before``)."""

    status: str
    author: str | None = None
    not_author: str | None = None
    before: datetime | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        """FROM ... WHERE of review_status `s` (visibility by case id: no case read)."""
        where = ["s.status = :status", visible_case_sql("s.case_id", ":members")]
        params: dict[str, Any] = {"status": self.status}
        if self.author is not None:
            where.append("s.author_id = :author")
            params["author"] = self.author
        if self.not_author is not None:
            where.append("s.author_id != :not_author")
            params["not_author"] = self.not_author
        if self.before is not None:
            where.append("s.since < :before")
            params["before"] = stored_time(self.before)
        return f"FROM review_status AS s WHERE {' AND '.join(where)}", params


def reviews(
    tx: Session | Any, *, members: Collection[str], which: ReviewFilter, limit: int
) -> list[dict[str, Any]]:
    """The records ``which`` selects, longest waiting first."""
    body, params = which.sql()
    body = body.replace(
        "WHERE",
        "JOIN case_file AS c ON c.id = s.case_id JOIN saved_record AS r ON r.id = s.record_id "
        "WHERE",
        1,
    )
    sql = f"SELECT {_REVIEW_COLUMNS} {body} ORDER BY s.since LIMIT :limit"
    return _rows(tx, sql, {**params, "members": members_param(members), "limit": limit})


def count_reviews(tx: Session | Any, *, members: Collection[str], which: ReviewFilter) -> int:
    body, params = which.sql()
    return _count(tx, body, {**params, "members": members_param(members)})


# -- consents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentFilter:
    """Consents given, not yet ended by a later decision, valid until a day from
    ``after`` (if given) to ``until``; of ``author`` or not of ``not_author``; with
    ``relied_only``, only those a sharing decision relied on."""

    until: date
    after: date | None = None
    author: str | None = None
    not_author: str | None = None
    relied_only: bool = False

    def sql(self) -> tuple[str, dict[str, Any]]:
        """FROM ... WHERE of consent_watch `w` (visibility by case id: no case read)."""
        where = [
            "w.ended = 0",
            "w.valid_until <= :until",
            visible_case_sql("w.case_id", ":members"),
        ]
        params: dict[str, Any] = {"until": self.until.isoformat()}
        if self.author is not None:
            where.append("w.author_id = :author")
            params["author"] = self.author
        if self.not_author is not None:
            where.append("w.author_id != :not_author")
            params["not_author"] = self.not_author
        if self.after is not None:
            where.append("w.valid_until >= :after")
            params["after"] = self.after.isoformat()
        if self.relied_only:
            where.append("w.relied_on > 0")
        # The consents relied on have their own indexes (migration 0015; most consents are
        # never relied on, and all expire): named, as the planner cannot tell them apart.
        index = ""
        if self.relied_only:
            relied = "ix_consent_watch_relied_author" if self.author else "ix_consent_watch_relied"
            index = f" INDEXED BY {relied}"
        return f"FROM consent_watch AS w{index} WHERE {' AND '.join(where)}", params


def consents(
    tx: Session | Any, *, members: Collection[str], which: ConsentFilter, limit: int
) -> list[dict[str, Any]]:
    """The consents ``which`` selects, soonest "valid until" first."""
    body, params = which.sql()
    body = body.replace(
        "WHERE",
        "JOIN case_file AS c ON c.id = w.case_id JOIN saved_record AS r ON r.id = w.record_id "
        "WHERE",
        1,
    )
    sql = f"SELECT {_CONSENT_COLUMNS} {body} ORDER BY w.valid_until LIMIT :limit"
    return _rows(tx, sql, {**params, "members": members_param(members), "limit": limit})


def count_consents(tx: Session | Any, *, members: Collection[str], which: ConsentFilter) -> int:
    body, params = which.sql()
    return _count(tx, body, {**params, "members": members_param(members)})


# -- drafts -----------------------------------------------------------------------------------

_DRAFTS = "FROM draft AS d LEFT JOIN case_file AS c ON c.id = d.case_id WHERE d.user_id = :user"


def drafts(tx: Session | Any, *, user_id: str, limit: int) -> list[dict[str, Any]]:
    """The user's own drafts, most recently changed first."""
    sql = (
        "SELECT d.id AS draft_id, d.kind, d.case_id, d.target_id, d.updated_at, d.payload, "
        f"c.case_reference, c.display_name AS case_name {_DRAFTS} "
        "ORDER BY d.updated_at DESC LIMIT :limit"
    )
    return _rows(tx, sql, {"user": user_id, "limit": limit})


def count_drafts(tx: Session | Any, *, user_id: str) -> int:
    return _count(tx, "FROM draft AS d WHERE d.user_id = :user", {"user": user_id})
