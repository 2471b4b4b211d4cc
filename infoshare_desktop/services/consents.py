"""The case's consent decisions, read for the one standing rule (domain.consent)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.records import ConsentDecisionDraft
from infoshare_desktop.services.access import require
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import writes
from infoshare_desktop.store.core import Store


def consent_records(tx: Session | Any, case_id: str) -> list[ConsentRecord]:
    """Every consent decision of the case, as the standing rule needs them (oldest first)."""
    rows = (
        writes.raw_connection(tx)
        .execute(
            "SELECT id, payload, occurred_at, recorded_at FROM saved_record "
            "WHERE case_id = ? AND kind = ? ORDER BY occurred_at, recorded_at",
            (case_id, RecordKind.CONSENT_DECISION.value),
        )
        .fetchall()
    )
    return [
        ConsentRecord(
            record_id=record_id,
            decision=ConsentDecisionDraft.from_dict(json.loads(payload)),
            occurred_at=_aware(occurred),
            recorded_at=_aware(recorded),
        )
        for record_id, payload, occurred, recorded in rows
    ]


def _aware(value: datetime | str) -> datetime:
    """A stored time (text from the raw connection) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def case_consents(store: Store, *, case_id: str) -> list[ConsentRecord]:
    """The case's consent decisions, for the forms' pick-lists and live checks (read once
    per form, not on every keystroke)."""
    require(store, *CASE_ROLES)
    with store.read() as session:
        require_visible_case(session, store, case_id)
        return consent_records(session, case_id)
