"""The SQL behind the requests worklist (services.requests): the visible cases' records,
with the content only of requests and their replies.

Every function takes a Session (or a raw connection behind one) first and returns plain
rows; which of them are due or to reconsider is decided in ``domain.requests``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import case
from sqlmodel import col, select

from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, Tx, aware, raw_connection

__all__ = ["RecordRow", "cases_to_reconsider", "open_requests", "visible_records"]

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
