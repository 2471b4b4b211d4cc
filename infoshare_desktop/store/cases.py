"""Cases: the one way a case is written (its row, its creator as first member, its index
row), which cases a user may see, and the case list's page query.

A restricted case is seen only by the staff named on it (case_member); any other case by
every holder of a case role (the services check the role)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.store import search
from infoshare_desktop.store.tables import CaseFile, CaseMember, CaseStats
from infoshare_desktop.store.writes import Tx, aware, raw_connection, stored_day, stored_value


@dataclass(frozen=True)
class NewCase:
    """A case_file row about to be written (the columns, in order)."""

    id: str
    display_name: str
    name_key: str
    date_of_birth: date | None
    case_reference: str
    other_identifiers: str
    restricted: bool
    created_at: datetime
    created_by: str


_COLUMNS = tuple(f.name for f in fields(NewCase))
_VALUES = attrgetter(*_COLUMNS)
_INSERT = (
    f"INSERT INTO case_file ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"
)
_INSERT_MEMBER = (
    "INSERT INTO case_member (case_id, user_id, added_at, added_by) VALUES (?, ?, ?, ?)"
)


def name_key(display_name: str) -> str:
    """A folded name for the duplicate check: case, accents and spacing ignored."""
    folded = unicodedata.normalize("NFKD", display_name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.split())


def new_case(
    *, case_id: str, draft: CaseDraft, created_at: datetime, created_by: str
) -> tuple[NewCase, search.IndexRow]:
    """The one way a case's row and its index row are built from a (cleaned) draft."""
    row = NewCase(
        id=case_id,
        display_name=draft.display_name,
        name_key=name_key(draft.display_name),
        date_of_birth=draft.date_of_birth,
        case_reference=draft.case_reference,
        other_identifiers=draft.other_identifiers,
        restricted=draft.restricted,
        created_at=created_at,
        created_by=created_by,
    )
    return row, search.case_row(case_id=case_id, draft=draft)


def insert_many(tx: Tx, cases: Iterable[tuple[NewCase, search.IndexRow | None]]) -> None:
    """Write cases, each with its creator as its first member and its index row (None:
    a restricted case, kept out of the shared index)."""
    pairs = list(cases)
    conn = raw_connection(tx)
    conn.executemany(_INSERT, [[stored_value(v) for v in _VALUES(row)] for row, _ in pairs])
    conn.executemany(
        _INSERT_MEMBER,
        [
            (row.id, row.created_by, stored_value(row.created_at), row.created_by)
            for row, _ in pairs
        ],
    )
    search.insert_many(tx, (index for _, index in pairs if index is not None))


# -- who sees what ------------------------------------------------------------------------


def visible_clause(user_id: str) -> ColumnElement[bool]:
    """SQL condition on CaseFile: the case is open to this user."""
    members = select(CaseMember.case_id).where(CaseMember.user_id == user_id)
    return or_(col(CaseFile.restricted) == False, col(CaseFile.id).in_(members))  # noqa: E712


def visible(session: Session, case_id: str, user_id: str) -> CaseFile | None:
    """The case, if it exists and is open to the user."""
    return session.exec(
        select(CaseFile).where(CaseFile.id == case_id, visible_clause(user_id))
    ).first()


def is_visible(tx: Tx, case_id: str, user_id: str) -> bool:
    """The write path's check (one indexed lookup, no ORM): the case exists and is open
    to the user."""
    row = (
        raw_connection(tx)
        .execute(
            "SELECT 1 FROM case_file WHERE id = ? AND (restricted = 0 OR id IN "
            "(SELECT case_id FROM case_member WHERE user_id = ?))",
            (case_id, user_id),
        )
        .fetchone()
    )
    return row is not None


def is_restricted(tx: Tx, case_id: str) -> bool:
    row = (
        raw_connection(tx)
        .execute("SELECT restricted FROM case_file WHERE id = ?", (case_id,))
        .fetchone()
    )
    return bool(row and row[0])


def date_of_birth(tx: Tx, case_id: str) -> date | None:
    """The child's date of birth, for the rules that check dates against it."""
    row = (
        raw_connection(tx)
        .execute("SELECT date_of_birth FROM case_file WHERE id = ?", (case_id,))
        .fetchone()
    )
    return stored_day(row[0]) if row else None


def get(session: Session, case_id: str) -> CaseFile | None:
    return session.get(CaseFile, case_id)


def same_identity(
    session: Session, *, display_name: str, date_of_birth: date, user_id: str
) -> list[CaseFile]:
    """The visible cases of a child with this (folded) name and date of birth."""
    return list(
        session.exec(
            select(CaseFile).where(
                CaseFile.name_key == name_key(display_name),
                CaseFile.date_of_birth == date_of_birth,
                visible_clause(user_id),
            )
        ).all()
    )


def is_member(session: Session, case_id: str, user_id: str) -> bool:
    return session.get(CaseMember, (case_id, user_id)) is not None


def members(tx: Tx, case_id: str) -> set[str]:
    """The user ids named on the case."""
    rows = raw_connection(tx).execute(
        "SELECT user_id FROM case_member WHERE case_id = ?", (case_id,)
    )
    return {r[0] for r in rows.fetchall()}


def unsealed_restricted_ids(tx: Tx) -> list[str]:
    """Restricted cases whose content is not sealed yet (written before sealing)."""
    rows = raw_connection(tx).execute(
        "SELECT id FROM case_file WHERE restricted = 1 "
        "AND id NOT IN (SELECT case_id FROM case_sealed) ORDER BY id"
    )
    return [r[0] for r in rows.fetchall()]


def restricted_ids(tx: Tx) -> list[str]:
    """The ids of every restricted case (few: they have case keys)."""
    rows = raw_connection(tx).execute("SELECT id FROM case_file WHERE restricted = 1 ORDER BY id")
    return [r[0] for r in rows.fetchall()]


def add_member(
    session: Session, *, case_id: str, user_id: str, added_at: datetime, added_by: str
) -> None:
    raw_connection(session).execute(
        _INSERT_MEMBER, (case_id, user_id, stored_value(added_at), added_by)
    )


def _aggregate_time(value: datetime | str | None) -> datetime | None:
    """Aggregates come back from SQLite as text; make them aware UTC datetimes."""
    return aware(value) if isinstance(value, str) else value


# -- the case list --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListRow:
    case: CaseFile
    records: int
    last_activity: datetime | None
    late_entries: int
    harm_concern: bool


_ORDER = {
    "reference": col(CaseFile.case_reference),
    "name": col(CaseFile.name_key),
    "date_of_birth": col(CaseFile.date_of_birth),
    "created": col(CaseFile.created_at),
    "last_activity": col(CaseStats.last_activity),
    "records": col(CaseStats.records),
}
SORT_KEYS = frozenset(_ORDER)


def count_visible(session: Session, user_id: str) -> int:
    return session.exec(
        select(func.count()).select_from(CaseFile).where(visible_clause(user_id))
    ).one()


def page(
    session: Session, *, user_id: str, offset: int, limit: int, sort: str, descending: bool
) -> list[CaseListRow]:
    """One page of the cases open to the user, with their figures (case_stats)."""
    order = _ORDER.get(sort, _ORDER["reference"])
    order_by = order.desc() if descending else order.asc()
    query = (
        select(CaseFile, CaseStats)
        .join(CaseStats, col(CaseStats.case_id) == col(CaseFile.id), isouter=True)
        .where(visible_clause(user_id))
        .order_by(order_by.nulls_last(), col(CaseFile.case_reference))
        .offset(offset)
        .limit(limit)
    )
    return [
        CaseListRow(case, 0, None, 0, False)
        if stats is None
        else CaseListRow(
            case,
            stats.records,
            _aggregate_time(stats.last_activity),
            stats.late_entries,
            bool(stats.harm_concern),
        )
        for case, stats in session.exec(query).all()
    ]
