"""What the case screens need of user accounts: their names. (Creating and changing
accounts is services.accounts with store.core and store.keyslots.)"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from infoshare_desktop.store.tables import UserAccount


def display_names(session: Session, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Display name by account id: of `ids`, or of every account if None."""
    query = select(UserAccount.id, UserAccount.display_name)
    if ids is not None:
        wanted = set(ids)
        if not wanted:
            return {}
        query = query.where(col(UserAccount.id).in_(wanted))
    return {user_id: name for user_id, name in session.exec(query).all()}


def with_role(session: Session, role: str) -> list[str]:
    """The ids of the accounts holding `role` (a Role value), in the table's order."""
    rows = session.exec(select(UserAccount.id, UserAccount.roles)).all()
    return [user_id for user_id, roles in rows if role in roles.split(",")]
