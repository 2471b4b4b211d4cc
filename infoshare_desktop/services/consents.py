"""The case's consent decisions, read for the one standing rule (domain.consent)."""

from __future__ import annotations

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.writes import Tx


def consent_records(tx: Tx, case_id: str, *, store: Store) -> list[ConsentRecord]:
    """Every consent decision of the case, as the standing rule needs them (oldest first);
    a restricted case's opened with the user's case key."""
    return record_rows.consent_decisions(
        tx,
        case_id,
        opened=lambda record_id, stored: sealed.payload(
            store, tx, case_id=case_id, record_id=record_id, stored=stored
        ),
    )


def case_consents(store: Store, *, case_id: str) -> list[ConsentRecord]:
    """The case's consent decisions, for the forms' pick-lists and live checks (read once
    per form, not on every keystroke)."""
    require(store, *CASE_ROLES)
    with store.read() as session:
        require_visible_case(session, store, case_id)
        return consent_records(session, case_id, store=store)
