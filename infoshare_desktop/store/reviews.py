"""Review requests: writing one, and reading where records stand in review.

A record's review state is folded (domain.reviews) from its events: each request, each
saved review of it, and each amendment by its author (an answer to a return)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.domain.reviews import (
    ReviewEvent,
    ReviewEventKind,
    ReviewState,
    ReviewStatus,
    review_state,
)
from infoshare_desktop.store import records
from infoshare_desktop.store.cases import (
    VISIBLE_SQL,
    members_param,
    visible_case_sql,
    visible_clause,
)
from infoshare_desktop.store.tables import CaseFile, ReviewRequest, SavedRecord
from infoshare_desktop.store.worklist import COUNT_CAP as WORKLIST_COUNT_CAP
from infoshare_desktop.store.writes import Tx, aware, raw_connection, stored_time

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
        (uuid7(), record_id, requested_by, stored_time(at), reason),
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
    session: Session, *, members: Collection[str], authors: set[str] | None = None
) -> list[tuple[SavedRecord, str, str]]:
    """Every record ever entered for review in a case open to a user named on `members`
    (signed statements, see store.cases; optionally by these authors only), with its
    case's reference and name."""
    query = (
        select(SavedRecord, CaseFile.case_reference, CaseFile.display_name)
        .join(CaseFile, col(CaseFile.id) == col(SavedRecord.case_id))
        .where(
            col(SavedRecord.id).in_(select(ReviewRequest.record_id)),
            visible_clause(members),
        )
    )
    if authors is not None:
        query = query.where(col(SavedRecord.author_id).in_(authors))
    return [(r, ref, name) for r, ref, name in session.exec(query).all()]


# -- where records stand (review_status, kept by the triggers of migration 0007) --------


@dataclass(frozen=True)
class ReviewEntry:
    """A record entered for review, with its case, its state and its latest review."""

    id: str
    case_id: str
    case_reference: str
    case_name: str
    kind: str
    subkind: str
    summary: str
    author_id: str
    occurred_at: datetime
    recorded_at: datetime
    without_consent: bool
    payload: str
    state: ReviewState
    last_review_payload: str | None
    last_reviewer_id: str | None
    last_reviewed_at: datetime | None


@dataclass(frozen=True)
class QueueFilter:
    """Which awaiting records a supervisor asks for (never their own)."""

    reviewer_id: str
    author_id: str | None = None
    kind: str | None = None  # a RecordKind value
    subkind: str | None = None  # one value of that kind's breakdown
    since: datetime | None = None
    until: datetime | None = None
    without_consent_only: bool = False

    def clauses(self) -> tuple[str, list[object]]:
        sql = ["s.status = 'awaiting'", "s.author_id <> ?"]
        args: list[object] = [self.reviewer_id]
        if self.author_id is not None:
            sql.append("s.author_id = ?")
            args.append(self.author_id)
        if self.kind is not None:  # the kind and subkind together: a reply "shared" is
            sql.append("r.kind = ?")  # not a sharing decision "shared"
            args.append(self.kind)
        if self.subkind is not None:
            sql.append("r.subkind = ?")
            args.append(self.subkind)
        if self.since is not None:
            sql.append("r.occurred_at >= ?")
            args.append(stored_time(self.since))
        if self.until is not None:
            sql.append("r.occurred_at <= ?")
            args.append(stored_time(self.until))
        if self.without_consent_only:
            sql.append("r.without_consent = 1")
        return " AND ".join(sql), args

    @property
    def narrowed(self) -> bool:
        return self != QueueFilter(self.reviewer_id)


#: Ordinary cases, or the restricted ones signed statements name the reader on (one
#: parameter: `members_param(members)`, from Store.member_cases), never a row of the
#: membership table (which anyone with the file could add).
_VISIBLE = VISIBLE_SQL
#: The same of s.case_id, reading no case: what the counts walk (covering indexes of
#: review_status, migration 0015).
_VISIBLE_ID = visible_case_sql("s.case_id")
_ENTRIES = (
    "SELECT r.id, r.case_id, c.case_reference, c.display_name, r.kind, r.subkind, r.summary, "
    "r.author_id, r.occurred_at, r.recorded_at, r.without_consent, unpacked(r.payload), "
    "s.status, s.since, s.rounds, unpacked(lr.payload), lr.author_id, lr.recorded_at "
    "FROM review_status s JOIN saved_record r ON r.id = s.record_id "
    "JOIN case_file c ON c.id = s.case_id "
    "LEFT JOIN saved_record lr ON lr.id = (SELECT v.id FROM saved_record v "
    "WHERE v.target_id = s.record_id AND v.kind = 'review' ORDER BY v.recorded_at DESC LIMIT 1) "
    f"WHERE {_VISIBLE}"
)
"""A page of records in review, each with its case and its latest review (one indexed
lookup per row shown)."""


def _entry(row: Sequence[object]) -> ReviewEntry:
    (rid, case_id, ref, name, kind, subkind, summary, author, occurred, recorded, without) = row[
        :11
    ]
    payload, status, since, rounds, last_payload, last_by, last_at = row[11:]
    return ReviewEntry(
        id=str(rid),
        case_id=str(case_id),
        case_reference=str(ref),
        case_name=str(name),
        kind=str(kind),
        subkind=str(subkind),
        summary=str(summary),
        author_id=str(author),
        occurred_at=aware(str(occurred)),
        recorded_at=aware(str(recorded)),
        without_consent=bool(without),
        payload=str(payload),
        state=ReviewState(
            ReviewStatus(str(status)),
            aware(str(since)) if status == ReviewStatus.AWAITING.value else None,
            int(str(rounds)),
        ),
        last_review_payload=None if last_payload is None else str(last_payload),
        last_reviewer_id=None if last_by is None else str(last_by),
        last_reviewed_at=aware(str(last_at)) if last_at else None,
    )


def queue(
    tx: Tx, *, members: Collection[str], where: QueueFilter, offset: int, limit: int
) -> list[ReviewEntry]:
    """One page of the records awaiting review, oldest waiting first."""
    clauses, args = where.clauses()
    rows = raw_connection(tx).execute(
        f"{_ENTRIES} AND {clauses} ORDER BY s.since, s.record_id LIMIT ? OFFSET ?",
        (members_param(members), *args, limit, offset),
    )
    return [_entry(row) for row in rows.fetchall()]


#: Counts stop here ("1000 or more"), as the worklist's do: a count walks at most this
#: many rows of an index, whatever the store holds.
COUNT_CAP = WORKLIST_COUNT_CAP


def _capped(tx: Tx, body: str, args: Sequence[object], cap: int) -> int:
    """How many rows ``FROM ... WHERE`` body selects, counting no further than ``cap``."""
    row = (
        raw_connection(tx)
        .execute(f"SELECT count(*) FROM (SELECT 1 {body} LIMIT ?)", (*args, cap))
        .fetchone()
    )
    return int(row[0])


def queue_count(
    tx: Tx,
    *,
    members: Collection[str],
    where: QueueFilter,
    overdue_before: datetime,
    cap: int = COUNT_CAP,
) -> tuple[int, int]:
    """How many records the filter leaves in the queue, and how many of them are overdue,
    each counted up to ``cap`` (by ix_review_status_status: the oldest waiting first)."""
    clauses, args = where.clauses()
    join = "JOIN saved_record r ON r.id = s.record_id " if where.narrowed else ""
    body = f"FROM review_status s {join}WHERE {_VISIBLE_ID} AND {clauses}"
    params = (members_param(members), *args)
    total = _capped(tx, body, params, cap)
    overdue = _capped(tx, f"{body} AND s.since < ?", (*params, stored_time(overdue_before)), cap)
    return total, overdue


#: The distinct authors of records in review, found by ix_review_status_author one
#: author at a time (a loose index scan: a step per author, not per record).
_AUTHORS = (
    "WITH RECURSIVE a(id) AS (SELECT (SELECT min(author_id) FROM review_status) "
    "UNION ALL SELECT (SELECT min(author_id) FROM review_status WHERE author_id > a.id) "
    "FROM a WHERE a.id IS NOT NULL) SELECT id FROM a WHERE id IS NOT NULL"
)
_OF_AUTHOR = f"FROM review_status s WHERE s.author_id = ? AND s.status = ? AND {_VISIBLE_ID}"


def _authors(tx: Tx) -> list[str]:
    return [str(a) for (a,) in raw_connection(tx).execute(_AUTHORS).fetchall()]


def queue_authors(tx: Tx, *, members: Collection[str], reviewer_id: str) -> list[str]:
    """The authors with a record awaiting this reviewer (one indexed look per author)."""
    named = members_param(members)
    return [
        author
        for author in _authors(tx)
        if author != reviewer_id and _capped(tx, _OF_AUTHOR, (author, "awaiting", named), 1)
    ]


def returned(
    tx: Tx, *, author_id: str, members: Collection[str], offset: int, limit: int
) -> list[ReviewEntry]:
    """One page of the author's records returned to them, longest returned first."""
    rows = raw_connection(tx).execute(
        f"{_ENTRIES} AND s.author_id = ? AND s.status = 'returned' "
        "ORDER BY s.since, s.record_id LIMIT ? OFFSET ?",
        (members_param(members), author_id, limit, offset),
    )
    return [_entry(row) for row in rows.fetchall()]


def returned_count(
    tx: Tx, *, author_id: str, members: Collection[str], cap: int = COUNT_CAP
) -> int:
    """How many of the author's records are returned to them, counted up to ``cap``."""
    return _capped(tx, _OF_AUTHOR, (author_id, "returned", members_param(members)), cap)


@dataclass(frozen=True)
class AuthorCounts:
    author_id: str
    awaiting: int
    returned: int
    endorsed: int
    overdue: int


def team_counts(
    tx: Tx, *, members: Collection[str], overdue_before: datetime, cap: int = COUNT_CAP
) -> list[AuthorCounts]:
    """Per author of records entered for review: how many stand where, each counted up
    to ``cap`` (by ix_review_status_author: a few index ranges per author)."""
    named = members_param(members)
    before = stored_time(overdue_before)
    out = []
    for author in _authors(tx):
        awaiting, returned, endorsed = (
            _capped(tx, _OF_AUTHOR, (author, status, named), cap)
            for status in ("awaiting", "returned", "endorsed")
        )
        if not (awaiting or returned or endorsed):
            continue  # nothing of theirs in review that the reader may see
        overdue = _capped(
            tx, f"{_OF_AUTHOR} AND s.since < ?", (author, "awaiting", named, before), cap
        )
        out.append(AuthorCounts(author, awaiting, returned, endorsed, overdue))
    return out
