"""The SQL behind the requests worklist (services.requests): the visible cases' records,
with the content only of requests and their replies.

Every function takes a Session (or a raw connection behind one) first and returns plain
rows; which of them are due or to reconsider is decided in ``domain.requests``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case
from sqlmodel import col, select

from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session

__all__ = ["RecordRow", "visible_records"]

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
