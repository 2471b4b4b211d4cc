"""Which cases a user may see.

Case content is for the case roles (practitioner, team lead, supervisor); an
administrator who holds no case role sees none. A restricted case is seen only by the
staff named on it (its creator first): by a signed statement (see store.grants), so a
membership row added with SQL opens nothing. The queries are store.cases'.
"""

from __future__ import annotations

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.services.access import require
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, Tx


class RecordNotFound(ServiceError):
    user_message = "That record does not exist, or your account cannot see it."


class CaseNotFound(ServiceError):
    user_message = (
        "That case does not exist, or it is restricted and your account is not named on it."
    )


def visible_case(session: Session, store: Store, case_id: str) -> CaseFile:
    """The case, if the signed-in user may see it; otherwise CaseNotFound (which does
    not reveal whether a restricted case exists)."""
    require(store, *CASE_ROLES)
    case = case_rows.visible(session, case_id, store.member_cases(session))
    if case is None:
        raise CaseNotFound()
    return case


def load_record(session: Session, record_id: str) -> SavedRecord:
    """The record, or RecordNotFound (whether its case may be seen is checked apart)."""
    row = record_rows.get(session, record_id)
    if row is None:
        raise RecordNotFound()
    return row


def require_visible_case(tx: Tx, store: Store, case_id: str) -> None:
    """The write path's check: the case exists and is open to the signed-in user;
    otherwise CaseNotFound. `tx`: a Session or a DB-API connection."""
    require(store, *CASE_ROLES)
    if case_rows.is_visible(tx, case_id, store.member_cases(tx)) is None:
        raise CaseNotFound()


def signed_visible(tx: Tx, store: Store, case_ids: list[str]) -> set[str]:
    """Of cases the rows open to the signed-in user (a page, search hits), those a
    signed statement opens too: a restricted case only to its signed members."""
    user = require(store, *CASE_ROLES)
    restricted = case_rows.restricted_among(tx, case_ids)
    return {c for c in case_ids if c not in restricted or user.user_id in store.members_of(tx, c)}
