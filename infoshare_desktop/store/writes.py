"""The hot write path: a saved record and its search text, as plain DB-API statements in
the caller's transaction (same transaction as the audit entry). The ORM's unit of work
would cost more than the durable commit itself on every save.

Every function takes either a Session (its connection is used) or the DB-API connection
of `Store.write_direct()`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

_RECORD_COLUMNS = (
    "id", "case_id", "kind", "subkind", "target_id", "author_id", "occurred_at",
    "recorded_at", "late", "without_consent", "harm_concern", "summary", "payload",
)  # fmt: skip
_INSERT_RECORD = (
    f"INSERT INTO saved_record ({', '.join(_RECORD_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _RECORD_COLUMNS)})"
)


def stored_time(at: datetime) -> str:
    """The text SQLAlchemy's DateTime stores in SQLite (naive UTC), so ORM reads agree."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(sep=" ", timespec="microseconds")


def raw_connection(tx: Session | Any) -> Any:
    """The DB-API connection behind a Session, or `tx` itself if it already is one."""
    if not isinstance(tx, Session):
        return tx
    raw = tx.connection().connection.dbapi_connection
    assert raw is not None
    return raw


def insert_record(session: Session | Any, row: dict[str, Any]) -> None:
    """Insert one saved_record row (datetimes aware; booleans as bool)."""
    values = []
    for name in _RECORD_COLUMNS:
        value = row[name]
        if isinstance(value, datetime):
            value = stored_time(value)
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    raw_connection(session).execute(_INSERT_RECORD, values)


def index_text(session: Session | Any, *, case_id: str, record_id: str | None, body: str) -> None:
    """Add a row to the full-text index (inside the encrypted file, like everything else)."""
    raw_connection(session).execute(
        "INSERT INTO search_index (case_id, record_id, body) VALUES (?, ?, ?)",
        (case_id, record_id, body),
    )
