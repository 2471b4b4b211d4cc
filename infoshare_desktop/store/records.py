"""Saved records: the one way a row is written (with its index row), and the reads the
chronology, the details pane, the consent rule, the review queue and printing need.

Saved records are never updated or deleted (triggers in the migrations reject it); a
record is corrected by an amendment, another saved record that targets it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.records import ConsentDecisionDraft, Draft
from infoshare_desktop.store import search
from infoshare_desktop.store.tables import SavedRecord
from infoshare_desktop.store.writes import Tx, aware, raw_connection, stored_value


@dataclass(frozen=True)
class NewRecord:
    """A saved_record row about to be written (the columns, in order) and its draft."""

    id: str
    case_id: str
    kind: str  # RecordKind value
    subkind: str  # SharingKind, ConsentOutcome, AmendmentReason, ReviewOutcome... value
    target_id: str | None
    author_id: str
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    without_consent: bool
    harm_concern: bool
    summary: str
    payload: str  # the draft's JSON: the record's full content


_COLUMNS = tuple(f.name for f in fields(NewRecord))
_VALUES = attrgetter(*_COLUMNS)
#: The payload is stored packed (store.packing): `packed(?)` here, `unpacked(payload)` reads.
_INSERT = (
    f"INSERT INTO saved_record ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('packed(?)' if c == 'payload' else '?' for c in _COLUMNS)})"
)


def new_record(
    *,
    record_id: str,
    case_id: str,
    kind: RecordKind,
    subkind: str,
    draft: Draft,
    summary: str,
    author_id: str,
    occurred_at: datetime,
    recorded_at: datetime,
    late: bool,
    target_id: str | None = None,
    without_consent: bool = False,
    harm_concern: bool = False,
) -> tuple[NewRecord, search.IndexRow]:
    """The one way a saved record's row and its index row are built from its draft."""
    row = NewRecord(
        id=record_id,
        case_id=case_id,
        kind=kind.value,
        subkind=subkind,
        target_id=target_id,
        author_id=author_id,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        late=late,
        without_consent=without_consent,
        harm_concern=harm_concern,
        summary=summary,
        payload=json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True),
    )
    return row, search.record_row(case_id=case_id, record_id=record_id, draft=draft)


def insert_many(tx: Tx, records: Iterable[tuple[NewRecord, search.IndexRow | None]]) -> None:
    """Write saved records and their index rows in the caller's transaction (None: a
    restricted case's record, kept out of the shared index)."""
    pairs = list(records)
    values = [[stored_value(v) for v in _VALUES(row)] for row, _ in pairs]
    conn = raw_connection(tx)
    if len(values) == 1:
        conn.execute(_INSERT, values[0])
    elif values:
        conn.executemany(_INSERT, values)
    search.insert_many(tx, (index for _, index in pairs if index is not None))


def contents(tx: Tx, record_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """A few records' kind and payload (the records of a page of search results), by id."""
    if not record_ids:
        return {}
    marks = ", ".join("?" for _ in record_ids)
    rows = raw_connection(tx).execute(
        f"SELECT id, kind, unpacked(payload) FROM saved_record WHERE id IN ({marks})",
        list(record_ids),
    )
    return {r[0]: (r[1], r[2]) for r in rows.fetchall()}


def get(session: Session, record_id: str) -> SavedRecord | None:
    return session.get(SavedRecord, record_id)


def of_case(session: Session, case_id: str) -> list[SavedRecord]:
    """Every record of the case, in the order things happened."""
    return list(
        session.exec(
            select(SavedRecord)
            .where(SavedRecord.case_id == case_id)
            .order_by(col(SavedRecord.occurred_at), col(SavedRecord.recorded_at))
        ).all()
    )


@dataclass(frozen=True)
class ChronologyRow:
    """What a chronology line needs of a record (no payload)."""

    id: str
    kind: str
    subkind: str
    summary: str
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    author_id: str
    target_id: str | None


def chronology_rows(session: Session, case_id: str) -> list[ChronologyRow]:
    """The case's records without their content, in the order things happened."""
    query = (
        core_select(
            col(SavedRecord.id),
            col(SavedRecord.kind),
            col(SavedRecord.subkind),
            col(SavedRecord.summary),
            col(SavedRecord.occurred_at),
            col(SavedRecord.recorded_at),
            col(SavedRecord.late),
            col(SavedRecord.author_id),
            col(SavedRecord.target_id),
        )
        .where(col(SavedRecord.case_id) == case_id)
        .order_by(col(SavedRecord.occurred_at), col(SavedRecord.recorded_at))
    )
    return [ChronologyRow(*r) for r in session.connection().execute(query).all()]


def targeting(session: Session, record_id: str) -> list[SavedRecord]:
    """The records that target this one (its amendments and reviews), oldest first."""
    return list(
        session.exec(
            select(SavedRecord)
            .where(SavedRecord.target_id == record_id)
            .order_by(col(SavedRecord.recorded_at))
        ).all()
    )


@dataclass(frozen=True)
class TargetingRow:
    """A record that targets another (an amendment or a review), without its content."""

    target_id: str | None  # never None here (the query asks for targets), as the column is
    kind: str
    subkind: str
    author_id: str
    recorded_at: datetime


def targeting_many(session: Session, ids: Sequence[str]) -> list[TargetingRow]:
    """The records that target any of `ids`, in chunks (SQLite's parameter limit)."""
    out: list[TargetingRow] = []
    for chunk in range(0, len(ids), 500):
        query = core_select(
            col(SavedRecord.target_id),
            col(SavedRecord.kind),
            col(SavedRecord.subkind),
            col(SavedRecord.author_id),
            col(SavedRecord.recorded_at),
        ).where(col(SavedRecord.target_id).in_(ids[chunk : chunk + 500]))
        out += [TargetingRow(*r) for r in session.connection().execute(query).all()]
    return out


@dataclass(frozen=True)
class ReviewRow:
    """A saved review: what it reviews, its content, who and when."""

    target_id: str
    payload: str
    author_id: str
    recorded_at: datetime


def reviews_of(session: Session, ids: Sequence[str]) -> list[ReviewRow]:
    """The reviews of any of `ids`, oldest first."""
    out: list[ReviewRow] = []
    for chunk in range(0, len(ids), 500):
        out += [
            ReviewRow(*r)
            for r in session.exec(
                select(
                    SavedRecord.target_id,
                    SavedRecord.payload,
                    SavedRecord.author_id,
                    SavedRecord.recorded_at,
                )
                .where(
                    col(SavedRecord.target_id).in_(ids[chunk : chunk + 500]),
                    SavedRecord.kind == RecordKind.REVIEW.value,
                )
                .order_by(col(SavedRecord.recorded_at))
            )
        ]
    return out


def consent_decisions(
    tx: Tx, case_id: str, *, opened: Callable[[str, str], str] | None = None
) -> list[ConsentRecord]:
    """Every consent decision of the case, as the standing rule needs them (oldest first).
    `opened(record id, stored payload)` gives a sealed payload's JSON (see sealing)."""
    rows = (
        raw_connection(tx)
        .execute(
            "SELECT id, unpacked(payload), occurred_at, recorded_at FROM saved_record "
            "WHERE case_id = ? AND kind = ? ORDER BY occurred_at, recorded_at",
            (case_id, RecordKind.CONSENT_DECISION.value),
        )
        .fetchall()
    )
    found = []
    for record_id, payload, occurred, recorded in rows:
        try:
            decision = ConsentDecisionDraft.from_dict(
                json.loads(opened(record_id, payload) if opened else payload)
            )
        except ValueError:  # unreadable: not a consent the standing rule can judge
            continue
        found.append(ConsentRecord(record_id, decision, aware(occurred), aware(recorded)))
    return found


@dataclass(frozen=True)
class LinkTarget:
    """What a save checks of a record another record links to."""

    record_id: str
    case_id: str
    kind: str  # RecordKind value
    harm_concern: bool


def link_targets(tx: Tx, ids: Iterable[str]) -> dict[str, LinkTarget]:
    """The saved records among `ids` (those that do not exist are absent), by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = (
        raw_connection(tx)
        .execute(
            f"SELECT id, case_id, kind, harm_concern FROM saved_record WHERE id IN ({marks})",
            wanted,
        )
        .fetchall()
    )
    return {r[0]: LinkTarget(r[0], r[1], r[2], bool(r[3])) for r in rows}
