"""Review requests: writing one, and reading where records stand in review.

A record's review state is folded (domain.reviews) from its events: each request, each
saved review of it, and each amendment by its author (an answer to a return)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.reviews import (
    ReviewEvent,
    ReviewEventKind,
    ReviewState,
    review_state,
)
from infoshare_desktop.store import records
from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, ReviewRequest, SavedRecord
from infoshare_desktop.store.writes import Tx, raw_connection, stored_time

_OUTCOMES = {outcome.value: outcome for outcome in ReviewOutcome}


class Authored(Protocol):
    """A record as far as its review state needs it."""

    @property
    def id(self) -> str: ...
    @property
    def author_id(self) -> str: ...


def insert_request(tx: Tx, *, record_id: str, requested_by: str, at: datetime, reason: str) -> None:
    """Enter a record for review ("automatic": a rule; "author": its author asked)."""
    raw_connection(tx).execute(
        "INSERT INTO review_request (id, record_id, requested_by, requested_at, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), record_id, requested_by, stored_time(at), reason),
    )


def states(session: Session, rows: Iterable[Authored]) -> dict[str, ReviewState]:
    """Where each record stands in review."""
    authors = {r.id: r.author_id for r in rows}
    ids: Sequence[str] = list(authors)
    events: dict[str, list[ReviewEvent]] = defaultdict(list)
    for chunk in range(0, len(ids), 500):
        for req in session.exec(
            select(ReviewRequest).where(col(ReviewRequest.record_id).in_(ids[chunk : chunk + 500]))
        ):
            events[req.record_id].append(ReviewEvent(ReviewEventKind.REQUESTED, req.requested_at))
    for t in records.targeting_many(session, ids):
        if t.target_id is None:
            continue
        if t.kind == RecordKind.REVIEW:
            events[t.target_id].append(
                ReviewEvent(ReviewEventKind.REVIEWED, t.recorded_at, _OUTCOMES[t.subkind])
            )
        elif t.kind == RecordKind.AMENDMENT and t.author_id == authors.get(t.target_id):
            events[t.target_id].append(ReviewEvent(ReviewEventKind.ANSWERED, t.recorded_at))
    return {record_id: review_state(events.get(record_id, [])) for record_id in ids}


def entered(
    session: Session, *, visible_to: str, authors: set[str] | None = None
) -> list[tuple[SavedRecord, str, str]]:
    """Every record ever entered for review in a case open to `visible_to` (optionally
    by these authors only), with its case's reference and name."""
    query = (
        select(SavedRecord, CaseFile.case_reference, CaseFile.display_name)
        .join(CaseFile, col(CaseFile.id) == col(SavedRecord.case_id))
        .where(
            col(SavedRecord.id).in_(select(ReviewRequest.record_id)),
            visible_clause(visible_to),
        )
    )
    if authors is not None:
        query = query.where(col(SavedRecord.author_id).in_(authors))
    return [(r, ref, name) for r, ref, name in session.exec(query).all()]
