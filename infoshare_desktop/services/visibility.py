"""Which cases a user may see.

Case content is for the case roles (practitioner, team lead, supervisor); an
administrator who holds no case role sees none. A restricted case is seen only by the
staff named on it (its creator first).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.services.access import require
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import CaseFile, CaseMember
from infoshare_desktop.store.writes import raw_connection


class CaseNotFound(ServiceError):
    user_message = (
        "That case does not exist, or it is restricted and your account is not named on it."
    )


def visible_clause(user_id: str) -> ColumnElement[bool]:
    """SQL condition on CaseFile: the case is open to this user."""
    members = select(CaseMember.case_id).where(CaseMember.user_id == user_id)
    return or_(col(CaseFile.restricted) == False, col(CaseFile.id).in_(members))  # noqa: E712


def visible_case(session: Session, store: Store, case_id: str) -> CaseFile:
    """The case, if the signed-in user may see it; otherwise CaseNotFound (which does
    not reveal whether a restricted case exists)."""
    user = require(store, *CASE_ROLES)
    case = session.exec(
        select(CaseFile).where(CaseFile.id == case_id, visible_clause(user.user_id))
    ).first()
    if case is None:
        raise CaseNotFound()
    return case


def require_visible_case(tx: Session | Any, store: Store, case_id: str) -> None:
    """The write path's check (one indexed lookup, no ORM): the case exists and is open
    to the signed-in user; otherwise CaseNotFound. `tx`: a Session or a DB-API connection."""
    user = require(store, *CASE_ROLES)
    row = (
        raw_connection(tx)
        .execute(
            "SELECT 1 FROM case_file WHERE id = ? AND (restricted = 0 OR id IN "
            "(SELECT case_id FROM case_member WHERE user_id = ?))",
            (case_id, user.user_id),
        )
        .fetchone()
    )
    if row is None:
        raise CaseNotFound()
