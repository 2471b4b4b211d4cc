"""The consistent identifier's SQL (table `case_identifier`, migration 0008): append-only
rows, the latest of a case is its identifier. Every function takes a Session (its
connection is used) or a DB-API connection, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.store.cases import VISIBLE_SQL, members_param
from infoshare_desktop.store.writes import raw_connection, stored_time


@dataclass(frozen=True)
class IdentifierRow:
    case_id: str
    nhs_number: str | None  #: 10 digits
    reason: str | None  #: an IdentifierReason value
    reason_text: str
    recorded_at: datetime
    recorded_by: str  #: user id


_COLUMNS = "case_id, nhs_number, reason, reason_text, recorded_at, recorded_by"
#: The case's latest row (recorded_at, then rowid, breaks a tie within a microsecond).
_LATEST = (
    "SELECT rowid FROM case_identifier AS later WHERE later.case_id = i.case_id "
    "ORDER BY later.recorded_at DESC, later.rowid DESC LIMIT 1"
)


def _row(values: tuple[Any, ...]) -> IdentifierRow:
    at = values[4]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return IdentifierRow(values[0], values[1], values[2], values[3] or "", at, values[5])


def add(
    tx: Session | Any,
    *,
    case_id: str,
    nhs_number: str | None,
    reason: str | None,
    reason_text: str,
    at: datetime,
    by: str,
) -> None:
    """A new identifier for the case (the earlier ones stay, with who and when)."""
    raw_connection(tx).execute(
        f"INSERT INTO case_identifier (id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (uuid7(), case_id, nhs_number, reason, reason_text, stored_time(at), by),
    )


def current(tx: Session | Any, case_id: str) -> IdentifierRow | None:
    """The case's identifier now, or None if none was ever recorded."""
    found = (
        raw_connection(tx)
        .execute(
            f"SELECT {_COLUMNS} FROM case_identifier WHERE case_id = ? "
            "ORDER BY recorded_at DESC, rowid DESC LIMIT 1",
            (case_id,),
        )
        .fetchone()
    )
    return _row(found) if found else None


def history(tx: Session | Any, case_id: str) -> list[IdentifierRow]:
    """Every identifier the case has had, newest first."""
    rows = (
        raw_connection(tx)
        .execute(
            f"SELECT {_COLUMNS} FROM case_identifier WHERE case_id = ? "
            "ORDER BY recorded_at DESC, rowid DESC",
            (case_id,),
        )
        .fetchall()
    )
    return [_row(r) for r in rows]


def current_of(tx: Session | Any, case_ids: Iterable[str]) -> dict[str, IdentifierRow]:
    """The identifiers now of a few cases (a page of search results), by case id."""
    ids = list(dict.fromkeys(case_ids))
    out: dict[str, IdentifierRow] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" for _ in part)
        rows = (
            raw_connection(tx)
            .execute(
                f"SELECT {_COLUMNS} FROM case_identifier AS i WHERE i.case_id IN ({marks}) "
                f"AND i.rowid = ({_LATEST})",
                part,
            )
            .fetchall()
        )
        out.update((r[0], _row(r)) for r in rows)
    return out


def cases_with_number(
    tx: Session | Any, nhs_number: str, *, members: Collection[str], limit: int
) -> list[str]:
    """The cases open to a user named on `members` (signed statements, see store.cases)
    whose identifier now is ``nhs_number`` (10 digits): an indexed lookup, then each
    match's latest row."""
    rows = (
        raw_connection(tx)
        .execute(
            "SELECT i.case_id FROM case_identifier AS i JOIN case_file AS c ON c.id = i.case_id "
            f"WHERE i.nhs_number = ? AND i.rowid = ({_LATEST}) AND {VISIBLE_SQL} "
            "ORDER BY c.case_reference LIMIT ?",
            (nhs_number, members_param(members), limit),
        )
        .fetchall()
    )
    return [r[0] for r in rows]
