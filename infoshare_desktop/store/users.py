"""User accounts' rows: their names for the case screens, and the account management's
reads and writes (services.accounts holds the use case: role checks, grants, audit;
store.core and store.keyslots hold the keys)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from infoshare_desktop.store.tables import UserAccount
from infoshare_desktop.store.writes import Tx, raw_connection


def display_names(tx: Tx, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Display name by account id: of `ids`, or of every account if None. (The one
    lookup of names: the chronology's authors, the worklist's, the identifiers'.)"""
    conn = raw_connection(tx)
    if ids is None:
        return dict(conn.execute("SELECT id, display_name FROM user_account").fetchall())
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    found = conn.execute(f"SELECT id, display_name FROM user_account WHERE id IN ({marks})", wanted)
    return dict(found.fetchall())


def with_role(session: Session, role: str) -> list[str]:
    """The ids of the accounts holding `role` (a Role value), in the table's order."""
    rows = session.exec(select(UserAccount.id, UserAccount.roles)).all()
    return [user_id for user_id, roles in rows if role in roles.split(",")]


def account(session: Session, user_id: str) -> UserAccount | None:
    """One account's row (None if there is none)."""
    return session.get(UserAccount, user_id)


def by_username(session: Session, username: str) -> UserAccount | None:
    """The account with this (normalised) user name, whatever its status."""
    return session.exec(select(UserAccount).where(UserAccount.username == username)).first()


def all_accounts(session: Session) -> list[UserAccount]:
    """Every account, by user name."""
    return list(session.exec(select(UserAccount).order_by(col(UserAccount.username))).all())


def add_account(
    session: Session,
    *,
    user_id: str,
    username: str,
    display_name: str,
    roles: Iterable[str],
    created_at: datetime,
    created_by: str,
) -> None:
    """A new active account's row (in the caller's transaction)."""
    session.add(
        UserAccount(
            id=user_id,
            username=username,
            display_name=display_name,
            roles=",".join(sorted(roles)),
            status="active",
            created_at=created_at,
            created_by=created_by,
        )
    )


def change_account(session: Session, user_id: str, **changes: str) -> UserAccount | None:
    """Set columns of one account's row (status, roles...); None if there is no row."""
    row = session.get(UserAccount, user_id)
    if row is None:
        return None
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    return row


def mark_rotation_due(session: Session, user_id: str) -> None:
    """The data key must be rotated because of this account (revoked)."""
    session.connection().exec_driver_sql(
        "INSERT OR IGNORE INTO rotation_due (user_id) VALUES (?)", (user_id,)
    )


def preferences_text(session: Session, user_id: str) -> str | None:
    """The account's saved display preferences (JSON text); None if no account."""
    row = session.get(UserAccount, user_id)
    return row.preferences if row is not None else None


def set_preferences_text(session: Session, user_id: str, text: str) -> bool:
    """Save the account's display preferences (JSON text); False if no account."""
    row = session.get(UserAccount, user_id)
    if row is None:
        return False
    row.preferences = text
    session.add(row)
    return True
