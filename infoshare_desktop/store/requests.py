"""The SQL behind the requests worklist (services.requests): the visible cases' records,
with the content only of requests and their replies.

Every function takes a Session (or a raw connection behind one) first and returns plain
rows; which of them are due or to reconsider is decided in ``domain.requests``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case
from sqlmodel import col, select

from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, Tx, raw_connection, stored_time

__all__ = ["DUE", "OpenRequest", "RecordRow", "open_requests_due", "visible_records"]

#: (record id, case id, kind, recorded at, payload of a request or reply, else None)
RecordRow = tuple[str, str, str, datetime, str | None]


def visible_records(
    session: Session,
    *,
    user_id: str,
    with_content: Collection[str],
    case_ids: Collection[str] | None = None,
    only_with_content: bool,
) -> Sequence[RecordRow]:
    """The records of the cases ``user_id`` may see (of ``case_ids`` if given), carrying
    the payload only of the kinds in ``with_content``; with ``only_with_content``, just
    those kinds."""
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel's select() takes 4 columns at most
            SavedRecord.id,
            SavedRecord.case_id,
            SavedRecord.kind,
            SavedRecord.recorded_at,
            case(
                (col(SavedRecord.kind).in_(with_content), SavedRecord.payload),
                else_=None,
            ),
        )
        .join(CaseFile, CaseFile.id == SavedRecord.case_id)
        .where(visible_clause(user_id))
    )
    if case_ids is not None:
        query = query.where(col(SavedRecord.case_id).in_(case_ids))
    if only_with_content:
        query = query.where(col(SavedRecord.kind).in_(with_content))
    rows: Sequence[RecordRow] = session.exec(query).all()
    return rows


# -- the worklist's open requests, bounded -------------------------------------------------

#: When a request's reply is due, as a Julian day (UTC), from its content; the expression
#: the index ix_record_request_due (migration 0009_request_due) is built on.
DUE = "julianday(json_extract(r.payload, '$.due_at'))"
#: An open request: no reply on its case names it (a reply links its request by id).
_OPEN = (
    "NOT EXISTS (SELECT 1 FROM saved_record AS p WHERE p.case_id = r.case_id "
    "AND p.kind = :reply AND json_extract(p.payload, '$.request.record_id') = r.id)"
)
_VISIBLE = (
    "(c.restricted = 0 OR EXISTS (SELECT 1 FROM case_member AS m "
    "WHERE m.case_id = c.id AND m.user_id = :user))"
)


@dataclass(frozen=True)
class OpenRequest:
    record_id: str
    case_id: str
    payload: str


def _open_body(*, case_id: str | None) -> str:
    where = [
        "r.kind = :request",
        f"{DUE} IS NOT NULL",
        f"{DUE} <= julianday(:until)",
        _OPEN,
        _VISIBLE,
    ]
    if case_id is not None:
        where.append("r.case_id = :case")
    return (
        "FROM saved_record AS r INDEXED BY ix_record_request_due "
        "JOIN case_file AS c ON c.id = r.case_id WHERE " + " AND ".join(where)
    )


def open_requests_due(
    tx: Tx,
    *,
    user_id: str,
    until: datetime,
    limit: int,
    count_cap: int,
    case_id: str | None = None,
) -> tuple[int, list[OpenRequest]]:
    """The open requests (no reply names them) on the cases ``user_id`` may see whose reply
    is due by ``until``, soonest first: how many (up to ``count_cap``) and the first
    ``limit``. Walks the due-time index; reads no other kind's rows but the replies of the
    cases found."""
    params = {
        "request": "request",
        "reply": "request_reply",
        "until": stored_time(until),
        "user": user_id,
        "case": case_id,
    }
    body = _open_body(case_id=case_id)
    conn = raw_connection(tx)
    rows = conn.execute(
        f"SELECT r.id, r.case_id, r.payload {body} ORDER BY {DUE}, r.id LIMIT :limit",
        {**params, "limit": limit},
    ).fetchall()
    counted = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {body} LIMIT :cap)", {**params, "cap": count_cap}
    ).fetchone()
    return int(counted[0]), [OpenRequest(*row) for row in rows]
