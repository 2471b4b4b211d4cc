"""Store-wide settings an administrator controls (idle lock, review rules...), as text."""

from __future__ import annotations

from sqlmodel import Session

from infoshare_desktop.store.tables import StoreSetting
from infoshare_desktop.store.writes import Tx, raw_connection


def get(tx: Tx, name: str) -> str | None:
    """The setting's value as the transaction sees it; None if never set."""
    row = (
        raw_connection(tx)
        .execute("SELECT value FROM store_setting WHERE name = ?", (name,))
        .fetchone()
    )
    return str(row[0]) if row else None


def put(session: Session, name: str, value: str) -> None:
    session.merge(StoreSetting(name=name, value=value))
