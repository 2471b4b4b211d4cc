"""The SQL behind the requests worklist (services.requests): the visible cases' records,
with the content only of requests and their replies.

Every function takes a Session (or a raw connection behind one) first and returns plain
rows; which of them are due or to reconsider is decided in ``domain.requests``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case
from sqlmodel import col, select

from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, Tx, aware, raw_connection

__all__ = [
    "OpenRequest",
    "RecordRow",
    "cases_to_reconsider",
    "open_requests",
    "open_requests_due",
    "visible_records",
]

#: (record id, case id, kind, recorded at, payload of a request or reply, else None)
RecordRow = tuple[str, str, str, datetime, str | None]


def visible_records(
    session: Session,
    *,
    members: Collection[str],
    with_content: Collection[str],
    case_ids: Collection[str] | None = None,
    only_with_content: bool,
) -> Sequence[RecordRow]:
    """The records of the cases open to a user named on ``members`` (the restricted cases
    signed statements name them on; of ``case_ids`` if given), carrying
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
        .where(visible_clause(members))
    )
    if case_ids is not None:
        query = query.where(col(SavedRecord.case_id).in_(case_ids))
    if only_with_content:
        query = query.where(col(SavedRecord.kind).in_(with_content))
    rows: Sequence[RecordRow] = session.exec(query).all()
    return rows


_VISIBLE = "(c.restricted = 0 OR c.id IN (SELECT case_id FROM case_member WHERE user_id = ?))"


def open_requests(tx: Tx, *, user_id: str, due_by: datetime) -> list[RecordRow]:
    """The requests no reply names yet, on the cases ``user_id`` may see, due by
    ``due_by`` (to the second) or with no due date saved: what may be due (request_status,
    kept by the triggers of migration 0010; an indexed range, not every request)."""
    bound = due_by.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = raw_connection(tx).execute(
        "SELECT r.id, r.case_id, r.kind, r.recorded_at, r.payload FROM request_status q "
        "JOIN saved_record r ON r.id = q.request_id JOIN case_file c ON c.id = q.case_id "
        f"WHERE q.replied = 0 AND (q.due_at IS NULL OR q.due_at <= ?) AND {_VISIBLE}",
        (bound, user_id),
    )
    return [(i, case_id, kind, aware(str(at)), payload) for i, case_id, kind, at, payload in rows]


def cases_to_reconsider(tx: Tx, *, user_id: str) -> set[str]:
    """The visible cases with a request whose latest reply declined it "reconsider if new
    information" (request_status: an indexed lookup of those alone)."""
    rows = raw_connection(tx).execute(
        "SELECT DISTINCT q.case_id FROM request_status q JOIN case_file c ON c.id = q.case_id "
        f"WHERE q.declined_reconsider = 1 AND {_VISIBLE}",
        (user_id,),
    )
    return {str(case_id) for (case_id,) in rows}


@dataclass(frozen=True)
class OpenRequest:
    record_id: str
    case_id: str
    payload: str


def _stored_second(value: datetime) -> str:
    """As request_status.due_at holds it: UTC 'YYYY-MM-DD HH:MM:SS'."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _open_due_body(
    *, user_id: str, until: datetime, case_id: str | None
) -> tuple[str, list[object]]:
    """FROM ... WHERE of the open requests due by ``until`` that ``user_id`` may see."""
    where = f"q.replied = 0 AND q.due_at IS NOT NULL AND q.due_at <= ? AND {_VISIBLE}"
    args: list[object] = [_stored_second(until), user_id]
    if case_id is not None:
        where += " AND q.case_id = ?"
        args.append(case_id)
    return "FROM request_status q JOIN case_file c ON c.id = q.case_id WHERE " + where, args


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
    ``limit``. Walks request_status's (replied, due_at) index with LIMIT: a closed request
    is never read, and the home page reads only what it lists."""
    body, args = _open_due_body(user_id=user_id, until=until, case_id=case_id)
    conn = raw_connection(tx)
    rows = conn.execute(
        "SELECT r.id, r.case_id, r.payload FROM saved_record r JOIN "
        f"(SELECT q.request_id, q.due_at {body} ORDER BY q.due_at, q.request_id LIMIT ?) AS d "
        "ON r.id = d.request_id ORDER BY d.due_at, d.request_id",
        (*args, limit),
    ).fetchall()
    counted = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {body} LIMIT ?)", (*args, count_cap)
    ).fetchone()
    return int(counted[0]), [OpenRequest(str(i), str(c), str(p)) for i, c, p in rows]
