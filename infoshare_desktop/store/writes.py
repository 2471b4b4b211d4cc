"""What every repository function takes: a transaction, either a Session or the DB-API
connection of `Store.write_direct()` (the hot write path, where the ORM's unit of work
would cost more than the durable commit itself). Plain DB-API statements run on the
connection behind either, in the caller's transaction (same transaction as the audit entry).

The repositories (`store.records`, `store.search`, `store.cases`, `store.reviews`,
`store.drafts`, `store.settings`, `store.users`) hold every SQL statement and ORM query;
services hold the use case and never SQL. Each repository function takes the transaction
first and returns plain rows (frozen dataclasses, the tables' SQLModel rows) or domain
objects. The raw statements are SQLite's (qmark parameters, FTS5): another back end
(a team server's PostgreSQL) would give these same functions its own statements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlmodel import Session


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection (sqlcipher3) the repositories use."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


#: A transaction a repository function works in.
type Tx = Session | Connection


def stored_time(at: datetime) -> str:
    """The text SQLAlchemy's DateTime stores in SQLite (naive UTC), so ORM reads agree."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(sep=" ", timespec="microseconds")


def stored_value(value: object) -> object:
    """A Python value as SQLAlchemy would have stored it (times as text, booleans as 0/1)."""
    if isinstance(value, datetime):
        return stored_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def aware(value: datetime | str) -> datetime:
    """A stored time (text from a raw connection or an aggregate) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def stored_day(value: date | str | None) -> date | None:
    """A stored date (text from a raw connection) as a date; None if absent or unreadable."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def raw_connection(tx: Tx | Any) -> Any:
    """The DB-API connection behind a Session, or `tx` itself if it already is one."""
    if not isinstance(tx, Session):
        return tx
    raw = tx.connection().connection.dbapi_connection
    assert raw is not None
    return raw


__all__ = ["Connection", "Session", "Tx", "aware", "raw_connection", "stored_time"]
