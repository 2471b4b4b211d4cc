"""Cases: the one way a case is written (its row, its creator as first member, its index
row), which cases a user may see, and the case list's page query.

A restricted case is seen only by the staff named on it by signed statements (store.grants:
the caller passes `members`, the restricted cases those name the user on, from
`Store.member_cases`; a `case_member` row nobody signed opens nothing); any other case by
every holder of a case role (the services check the role)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import attrgetter

from sqlalchemy import ColumnElement, func, literal_column, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.store import audit, grants, search
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
    a restricted case, kept out of the shared index). A restricted case's first member is
    also a signed statement (see grants), by whoever the audit signs as (the creator, or
    the administrator building demo data)."""
    pairs = list(cases)
    conn = raw_connection(tx)
    signer = audit.current_signer()
    if signer is not None and any(row.restricted for row, _ in pairs) and grants.store_of(conn):
        for row, _ in pairs:
            if row.restricted:
                grants.issue_member(
                    conn, signer, case_id=row.id, members=[row.created_by], reason="created"
                )
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


def visible_clause(members: Collection[str]) -> ColumnElement[bool]:
    """SQL condition on CaseFile: the case is open to a user named on the restricted
    cases `members` (by signed statements; few): ordinary, or one of those."""
    return or_(col(CaseFile.restricted) == False, col(CaseFile.id).in_(sorted(members)))  # noqa: E712


#: The raw-SQL form of `visible_clause` for a case aliased `c`: its parameter is
#: `members_param(members)`.
VISIBLE_SQL = "(c.restricted = 0 OR c.id IN (SELECT value FROM json_each(?)))"


def visible_case_sql(case_id: str, param: str = "?") -> str:
    """`VISIBLE_SQL` said of a case id column (`case_id`), without reading its case:
    not one of the restricted cases (few, by ix_case_restricted) other than those of
    `param` (`members_param(members)`). A count walking an index of another table then
    reads no case row per row counted."""
    return (
        f"{case_id} NOT IN (SELECT id FROM case_file WHERE restricted = 1 "
        f"AND id NOT IN (SELECT value FROM json_each({param})))"
    )


def members_param(members: Collection[str]) -> str:
    """`members` as the one parameter of VISIBLE_SQL (a JSON array)."""
    return json.dumps(sorted(members))


def visible(session: Session, case_id: str, members: Collection[str]) -> CaseFile | None:
    """The case, if it exists and is open to a user named on `members`."""
    return session.exec(
        select(CaseFile).where(CaseFile.id == case_id, visible_clause(members))
    ).first()


def is_visible(tx: Tx, case_id: str, members: Collection[str]) -> bool | None:
    """The write path's check (one indexed lookup, no ORM): None if the case does not
    exist or is not open to a user named on `members`; else whether it is restricted."""
    row = (
        raw_connection(tx)
        .execute(
            "SELECT restricted FROM case_file AS c WHERE id = ? AND " + VISIBLE_SQL,
            (case_id, members_param(members)),
        )
        .fetchone()
    )
    return None if row is None else bool(row[0])


def restricted_among(tx: Tx, case_ids: list[str]) -> set[str]:
    """Which of these cases (a page or a search's hits) are restricted (one query)."""
    if not case_ids:
        return set()
    marks = ", ".join("?" for _ in case_ids)
    return {
        r[0]
        for r in raw_connection(tx).execute(
            f"SELECT id FROM case_file WHERE restricted = 1 AND id IN ({marks})", case_ids
        )
    }


@dataclass(frozen=True)
class CaseIdentity:
    """What a search result shows of a case, and the words its index row was made of."""

    id: str
    display_name: str
    case_reference: str
    date_of_birth: date | None
    other_identifiers: str


def identities(tx: Tx, case_ids: Sequence[str]) -> dict[str, CaseIdentity]:
    """A few cases' identities (a page of search results), by id."""
    if not case_ids:
        return {}
    marks = ", ".join("?" for _ in case_ids)
    rows = raw_connection(tx).execute(
        "SELECT id, display_name, case_reference, date_of_birth, other_identifiers "
        f"FROM case_file WHERE id IN ({marks})",
        list(case_ids),
    )
    return {r[0]: CaseIdentity(r[0], r[1], r[2], stored_day(r[3]), r[4]) for r in rows.fetchall()}


def with_reference(tx: Tx, reference: str, *, members: Collection[str], limit: int) -> list[str]:
    """The cases open to a user named on `members` whose reference is exactly `reference`
    (as typed or in capitals; an indexed lookup: a reference too short for the full-text
    search)."""
    rows = raw_connection(tx).execute(
        "SELECT id FROM case_file AS c WHERE case_reference IN (?, ?) AND "
        f"{VISIBLE_SQL} ORDER BY case_reference LIMIT ?",
        (reference, reference.upper(), members_param(members), limit),
    )
    return [r[0] for r in rows.fetchall()]


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
    session: Session, *, display_name: str, date_of_birth: date, members: Collection[str]
) -> list[CaseFile]:
    """The cases open to a user named on `members` of a child with this (folded) name
    and date of birth."""
    return list(
        session.exec(
            select(CaseFile).where(
                CaseFile.name_key == name_key(display_name),
                CaseFile.date_of_birth == date_of_birth,
                visible_clause(members),
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


def count_visible(session: Session, members: Collection[str]) -> int:
    """How many cases are open to a user named on `members`."""
    return session.exec(
        select(func.count()).select_from(CaseFile).where(visible_clause(members))
    ).one()


def page(
    session: Session,
    *,
    members: Collection[str],
    offset: int,
    limit: int,
    sort: str,
    descending: bool,
) -> list[CaseListRow]:
    """One page of the cases open to a user named on `members`, with their figures
    (case_stats).

    Read in the order of an index, so the first page costs the same at any store size:
    first the cases that have a value to sort by (a figure, a date of birth), walking the
    index of that value; then, once those run out, the cases without one (no records yet,
    no date of birth) by reference. Cases with the same value follow their reference in
    the same direction (so an index of value and reference gives the whole order)."""
    sort = sort if sort in _ORDER else "reference"
    order = _ORDER[sort]
    by_stats = sort in ("last_activity", "records")
    # Columns, not entities: building 200 ORM objects cost 30x the query itself.
    case_columns = list(CaseFile.metadata.tables["case_file"].columns)
    columns = [*case_columns, *_STATS]
    # Sorted by a figure, the walk starts from the figure's index: "+" keeps SQLite from
    # starting at case_file instead and looking each case's figures up (then sorting).
    stats_key = literal_column("+case_stats.case_id") if by_stats else col(CaseStats.case_id)
    valued = (
        core_select(*columns)
        .select_from(CaseFile)
        .join(CaseStats, stats_key == col(CaseFile.id), isouter=not by_stats)
        .where(visible_clause(members), order.is_not(None))
    )
    reference = col(CaseFile.case_reference)
    first = valued.order_by(
        *((order.desc(), reference.desc()) if descending else (order.asc(), reference.asc()))
    )
    # On the connection: rows as the driver gives them, without the ORM's result loading.
    conn = session.connection()
    found = list(conn.execute(first.offset(offset).limit(limit)).all())
    if len(found) < limit and sort in ("last_activity", "records", "date_of_birth"):
        before = session.exec(select(func.count()).select_from(valued.subquery())).one()
        rest = (
            core_select(*columns)
            .select_from(CaseFile)
            .join(CaseStats, col(CaseStats.case_id) == col(CaseFile.id), isouter=True)
            .where(visible_clause(members), order.is_(None))
            .order_by(reference)
            .offset(max(0, offset - before))
            .limit(limit - len(found))
        )
        found += conn.execute(rest).all()
    width = len(case_columns)
    names = [c.name for c in case_columns]
    rows = []
    for values in found:
        case = CaseFile.model_construct(**dict(zip(names, values[:width], strict=True)))
        records, last, late, harm = values[width:]
        rows.append(
            CaseListRow(case, 0, None, 0, False)
            if records is None
            else CaseListRow(case, records, _aggregate_time(last), late, bool(harm))
        )
    return rows


_STATS = (
    col(CaseStats.records),
    col(CaseStats.last_activity),
    col(CaseStats.late_entries),
    col(CaseStats.harm_concern),
)
