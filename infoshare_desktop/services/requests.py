"""Requests received on the worklist: replies due or overdue, and declined requests to
reconsider, over the cases the signed-in user may see (``domain.requests`` decides).

Reads only; the My work page calls these. A request and its reply are saved through
``services.records.record_case_record`` like any declared kind.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import spec
from infoshare_desktop.domain.requests import (
    DUE_SOON,
    DueRequest,
    Reconsider,
    Saved,
)
from infoshare_desktop.domain.requests import requests_due as _due
from infoshare_desktop.domain.requests import requests_to_reconsider as _to_reconsider
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services.access import require
from infoshare_desktop.services.visibility import CASE_ROLES, visible_clause
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import CaseFile, SavedRecord

__all__ = ["requests_due", "requests_to_reconsider"]

_WITH_CONTENT = (RecordKind.REQUEST.value, RecordKind.REQUEST_REPLY.value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _saved_records(store: Store, *, case_id: str | None, only_requests: bool) -> list[Saved]:
    """The visible cases' records (requests and replies with their content); with
    ``only_requests``, just those."""
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        query = (
            select(
                SavedRecord.id,
                SavedRecord.case_id,
                SavedRecord.kind,
                SavedRecord.recorded_at,
                SavedRecord.payload,
            )
            .join(CaseFile, CaseFile.id == SavedRecord.case_id)  # type: ignore[arg-type]
            .where(visible_clause(user.user_id))
        )
        if case_id is not None:
            query = query.where(SavedRecord.case_id == case_id)
        if only_requests:
            query = query.where(SavedRecord.kind.in_(_WITH_CONTENT))  # type: ignore[attr-defined]
        rows = session.exec(query).all()
    out = []
    for record_id, case, kind, recorded_at, payload in rows:
        found = RecordKind.parse(kind)
        if found is None:
            continue
        content = (
            spec(found).draft.from_dict(json.loads(payload)) if kind in _WITH_CONTENT else None
        )
        out.append(Saved(record_id, case, found, _aware(recorded_at), content))
    return out


def requests_due(
    store: Store,
    *,
    case_id: str | None = None,
    now: datetime | None = None,
    soon: timedelta = DUE_SOON,
) -> list[DueRequest]:
    """Open requests (no reply recorded) whose reply is due within ``soon`` or overdue,
    soonest first, on every case the user may see (or on ``case_id``)."""
    records = _saved_records(store, case_id=case_id, only_requests=True)
    return _due(records, now=now or utcnow(), soon=soon)


def requests_to_reconsider(store: Store, *, case_id: str | None = None) -> list[Reconsider]:
    """Declined requests marked "reconsider if new information" whose case has had a
    record added since they were declined, on every case the user may see."""
    return _to_reconsider(_saved_records(store, case_id=case_id, only_requests=False))
