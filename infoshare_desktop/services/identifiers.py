"""The consistent identifier of a case (Children Act 2004 s16LC): its NHS number, or the
reason it is not included, and changes to it.

A change is an amendment of the case, never a silent edit: the earlier identifier stays
in the store with who recorded it and when, the change is audited (ids and a code
only), and the case view shows who changed it last. Checked by the same rule as the
New case dialog (`domain.checklist.check_identifier`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.identifier import (
    IdentifierReason,
    describe_identifier,
    nhs_number_digits,
)
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.errors import ChecklistRefused, ServiceError
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import audit, envelopes, users
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import identifiers as rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.signing import uuid7
from infoshare_desktop.store.writes import Session

IDENTIFIER_CHANGE = "identifier"
"""The audit detail of a change of identifier (the action is an amendment of the case)."""


class IdentifierUnchanged(ServiceError):
    user_message = "The case already has that identifier, so nothing was changed."


@dataclass(frozen=True)
class CaseIdentifier:
    """A case's identifier as recorded at one time."""

    nhs_number: str | None  #: 10 digits
    reason: IdentifierReason | None
    reason_text: str
    recorded_at: datetime
    recorded_by: str  #: the name of who recorded it

    def text(self) -> str:
        return describe_identifier(self.nhs_number, self.reason, self.reason_text)


def _reason(value: str | None) -> IdentifierReason | None:
    try:
        return IdentifierReason(value) if value else None
    except ValueError:
        return None


def _opened(store: Store, tx: Session | Any, row: rows.IdentifierRow) -> rows.IdentifierRow:
    """The row as recorded (a restricted case's is sealed, see services.sealed)."""
    number, reason, text = sealed.open_identifier(
        store,
        tx,
        case_id=row.case_id,
        nhs_number=row.nhs_number,
        reason=row.reason,
        text=row.reason_text,
    )
    return replace(row, nhs_number=number, reason=reason, reason_text=text)


def _view(row: rows.IdentifierRow, names: dict[str, str]) -> CaseIdentifier:
    return CaseIdentifier(
        nhs_number=row.nhs_number,
        reason=_reason(row.reason),
        reason_text=row.reason_text,
        recorded_at=row.recorded_at,
        recorded_by=names.get(row.recorded_by, "unknown"),
    )


def current_identifier(tx: Session | Any, case_id: str, *, store: Store) -> CaseIdentifier | None:
    """For other services, inside their transaction: the case's identifier now."""
    row = rows.current(tx, case_id)
    if row is None:
        return None
    return _view(_opened(store, tx, row), users.display_names(tx, {row.recorded_by}))


def current_identifiers(
    tx: Session | Any, case_ids: list[str], *, store: Store
) -> dict[str, CaseIdentifier]:
    """For other services (search results): the identifiers now of a few cases."""
    found = rows.current_of(tx, case_ids)
    names = users.display_names(tx, {r.recorded_by for r in found.values()})
    return {case_id: _view(_opened(store, tx, row), names) for case_id, row in found.items()}


def identifier_of(draft: CaseDraft) -> dict[str, Any] | None:
    """The identifier a cleaned, checked draft gives its case (as an envelope's payload
    carries it: id, 10 digits or None, reason, reason text); None when it has neither an
    NHS number nor a reason."""
    digits = nhs_number_digits(draft.nhs_number)
    reason = draft.identifier_reason if digits is None else None
    if digits is None and reason is None:
        return None
    return {
        "id": uuid7(),
        "nhs_number": digits,
        "reason": reason.value if reason else None,
        "reason_text": draft.identifier_reason_text if reason is not None else "",
    }


def identifier_history(store: Store, *, case_id: str) -> list[CaseIdentifier]:
    """Every identifier the case has had, newest first, with who recorded it and when."""
    require(store, *CASE_ROLES)
    with store.read() as session:
        require_visible_case(session, store, case_id)
        found = [_opened(store, session, r) for r in rows.history(session, case_id)]
        names = users.display_names(session, {r.recorded_by for r in found})
    return [_view(r, names) for r in found]


def change_identifier(
    store: Store,
    *,
    case_id: str,
    nhs_number: str = "",
    reason: IdentifierReason | None = None,
    reason_text: str = "",
) -> CaseIdentifier:
    """Amend the case's identifier: a valid NHS number, or the reason there is none.
    The earlier one is kept; the change is audited. Refused (ChecklistRefused) when the
    number is not valid or neither is given, and (IdentifierUnchanged) when nothing
    would change."""
    user = require(store, *CASE_ROLES)
    draft = CaseDraft(
        display_name="-",
        case_reference="-",
        nhs_number=nhs_number,
        identifier_reason=reason,
        identifier_reason_text=reason_text,
    ).cleaned()
    findings = checklist.check_identifier(draft, required=True)
    if checklist.blocking(findings):
        raise ChecklistRefused(findings)
    now = utcnow()
    with store.write() as session:
        require_visible_case(session, store, case_id)
        before = rows.current(session, case_id)
        before = _opened(store, session, before) if before is not None else None
        digits = nhs_number_digits(draft.nhs_number)
        kept_reason = None if digits else draft.identifier_reason
        kept_text = draft.identifier_reason_text if kept_reason else ""
        if before is not None and (
            before.nhs_number,
            _reason(before.reason),
            before.reason_text,
        ) == (
            digits,
            kept_reason,
            kept_text,
        ):
            raise IdentifierUnchanged()
        identifier = identifier_of(draft)
        assert identifier is not None  # the checklist requires one
        if case_rows.is_restricted(session, case_id):  # sealed under the case's key
            identifier = sealed.sealed_identifier(store, session, case_id=case_id, **identifier)
        envelopes.save(
            session,
            store.signer,
            [
                envelopes.identifier_item(
                    case_id=case_id,
                    identifier_id=identifier["id"],
                    nhs_number=identifier["nhs_number"],
                    reason=identifier["reason"],
                    reason_text=identifier["reason_text"],
                    at=now,
                )
            ],
            author_id=user.user_id,
            at=now,
        )
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.AMEND,
            target_kind="case",
            target_id=case_id,
            detail=IDENTIFIER_CHANGE,
            at=now,
        )
    return CaseIdentifier(digits, kept_reason, kept_text, now, user.display_name)


__all__ = [
    "CaseIdentifier",
    "IdentifierUnchanged",
    "change_identifier",
    "current_identifier",
    "current_identifiers",
    "identifier_history",
]
