"""Drafts: each user's unfinished work, kept so a lock or crash loses no typing. Unlike
saved records, drafts are updated in place and deleted when saved or discarded."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from infoshare_desktop.store.tables import CaseFile, DraftRow
from infoshare_desktop.store.writes import Tx, raw_connection


def get(session: Session, draft_id: str) -> DraftRow | None:
    return session.get(DraftRow, draft_id)


def put(session: Session, row: DraftRow) -> None:
    """Write a new draft, or the changes made to one read with `get`."""
    session.add(row)


def delete(session: Session, row: DraftRow) -> None:
    session.delete(row)


def delete_owned(tx: Tx, *, draft_id: str, user_id: str) -> None:
    """Delete the draft a record was saved from (in the save's transaction; no ORM)."""
    raw_connection(tx).execute(
        "DELETE FROM draft WHERE id = ? AND user_id = ?", (draft_id, user_id)
    )


def of_user(
    session: Session, *, user_id: str, case_id: str | None = None
) -> list[tuple[DraftRow, str | None, str | None]]:
    """The user's drafts, newest first (optionally of one case), each with its case's
    name and reference (None for a draft of a new case)."""
    query = (
        select(DraftRow, CaseFile.display_name, CaseFile.case_reference)
        .join(CaseFile, col(CaseFile.id) == col(DraftRow.case_id), isouter=True)
        .where(DraftRow.user_id == user_id)
        .order_by(col(DraftRow.updated_at).desc())
    )
    if case_id is not None:
        query = query.where(DraftRow.case_id == case_id)
    return [(d, name, ref) for d, name, ref in session.exec(query).all()]


def touch(row: DraftRow, *, payload: str, at: datetime) -> None:
    """Replace a draft's content (written by `put`)."""
    row.payload, row.updated_at = payload, at
