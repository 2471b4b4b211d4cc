"""Requests received on the worklist: replies due or overdue, and declined requests to
reconsider, over the cases the signed-in user may see (``domain.requests`` decides).

Reads only; the My work page calls these. A request and its reply are saved through
``services.records.record_case_record`` like any declared kind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import spec
from infoshare_desktop.domain.records import RequestDraft
from infoshare_desktop.domain.requests import (
    DUE_SOON,
    NOT_NEW_INFORMATION,
    DueRequest,
    Reconsider,
    Saved,
)
from infoshare_desktop.domain.requests import requests_due as _due
from infoshare_desktop.domain.requests import requests_to_reconsider as _to_reconsider
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.store import audit
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import requests as request_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.worklist import COUNT_CAP
from infoshare_desktop.store.writes import Session

__all__ = [
    "due_in",
    "requests_due",
    "requests_to_reconsider",
    "saved_records",
    "to_reconsider_in",
]

_WITH_CONTENT = (RecordKind.REQUEST.value, RecordKind.REQUEST_REPLY.value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def saved_records(
    tx: Session,
    *,
    user_id: str,
    case_ids: set[str] | None = None,
    only_requests: bool,
    store: Store,
) -> list[Saved]:
    """The records of the cases ``user_id`` (the signed-in user) may see (of ``case_ids``
    if given: ordinary ones, and the restricted ones signed statements name them on),
    requests and replies with their content; with ``only_requests``, just those. Inside
    the caller's transaction (the worklist reads it beside its other sections)."""
    rows = request_rows.visible_records(
        tx,
        members=store.member_cases(tx),
        with_content=_WITH_CONTENT,
        case_ids=case_ids,
        only_with_content=only_requests,
    )
    return _saved(store, tx, rows)


def _member_cases(store: Store, tx: Session, user_id: str) -> set[str]:
    """The restricted cases ``user_id`` is named on by signed statements (few)."""
    return {c for c in case_rows.restricted_ids(tx) if user_id in sealed.members_of(store, tx, c)}


def _saved(store: Store, tx: Session, rows: Sequence[request_rows.RecordRow]) -> list[Saved]:
    out = []
    for record_id, case_id, kind, recorded_at, payload in rows:
        found = RecordKind.parse(kind)
        if found is None:
            continue
        if payload:  # a restricted case's is sealed
            payload = sealed.payload(
                store, tx, case_id=case_id, record_id=record_id, stored=payload
            )
        content = spec(found).draft.from_dict(json.loads(payload)) if payload else None
        out.append(Saved(record_id, case_id, found, _aware(recorded_at), content))
    return out


def due_in(
    tx: Session,
    *,
    user_id: str,
    now: datetime,
    limit: int,
    count_cap: int,
    store: Store,
    soon: timedelta = DUE_SOON,
    case_id: str | None = None,
) -> tuple[int, list[DueRequest]]:
    """Open requests due within ``soon`` or overdue, soonest first, on every case
    ``user_id`` may see (or on ``case_id``): how many (up to ``count_cap``) and the first
    ``limit``. Bounded in the store (the due-time index, LIMIT): the home page reads only
    what it lists, whatever the number of requests. A restricted case's are sealed
    (request_status cannot read them): those of the restricted cases the user is named on
    are read and opened instead (they are few), merged in soonest first."""
    count, rows = request_rows.open_requests_due(
        tx, until=now + soon, limit=limit, count_cap=count_cap, case_id=case_id
    )
    out = []
    for row in rows:  # the ordinary cases'
        request = RequestDraft.from_dict(json.loads(row.payload))
        due = request.reply_due()
        if due is None:  # the index found a due time the draft cannot read: not listed
            continue
        out.append(DueRequest(row.record_id, row.case_id, request, due, due < now))
    restricted = _member_cases(store, tx, user_id)
    if case_id is not None:
        restricted &= {case_id}
    if restricted:
        found = saved_records(
            tx, user_id=user_id, case_ids=restricted, only_requests=True, store=store
        )
        more = _due(found, now=now, soon=soon)
        count = min(count + len(more), count_cap)
        out = sorted(out + more, key=lambda item: (item.due_at, item.record_id))[:limit]
    return max(count, len(out)), out


def _all_due(
    tx: Session, *, user_id: str, now: datetime, store: Store, soon: timedelta
) -> list[DueRequest]:
    """Every open request due within ``soon`` or overdue on the cases ``user_id`` may see:
    the ordinary cases' found by request_status, the restricted member cases' opened."""
    ordinary = request_rows.open_requests(tx, due_by=now + soon)
    restricted = _member_cases(store, tx, user_id)
    found = _saved(store, tx, ordinary)
    if restricted:
        found += saved_records(
            tx, user_id=user_id, case_ids=restricted, only_requests=True, store=store
        )
    return _due(found, now=now, soon=soon)


def to_reconsider_in(
    tx: Session,
    *,
    user_id: str,
    store: Store,
    limit: int | None = None,
    count_cap: int = COUNT_CAP,
    case_id: str | None = None,
) -> tuple[int, list[Reconsider]]:
    """Declined "reconsider if new information" requests whose case has had a record
    added since, longest waiting first, on every case ``user_id`` may see (or on
    ``case_id``): how many (up to ``count_cap``) and the first ``limit`` (all if None).
    Bounded in the store: the ordinary cases' are found by request_status and each case's
    own records since the reply, only those listed are read. A restricted case's are
    sealed, so those of the restricted cases the user is named on (few) are opened and
    judged by ``domain.requests`` instead, merged in by when they were declined."""
    count, rows = request_rows.declined_to_reconsider(
        tx,
        not_new=[kind.value for kind in NOT_NEW_INFORMATION],
        limit=limit,
        count_cap=count_cap,
        case_id=case_id,
    )
    out = [
        Reconsider(
            row.record_id,
            row.case_id,
            RequestDraft.from_dict(json.loads(row.payload)),
            row.reply_id,
            row.declined_at,
            row.new_record_ids,
        )
        for row in rows
    ]
    restricted = _member_cases(store, tx, user_id)
    if case_id is not None:
        restricted &= {case_id}
    if restricted:
        more = _to_reconsider(
            saved_records(
                tx, user_id=user_id, case_ids=restricted, only_requests=False, store=store
            )
        )
        count = min(count + len(more), count_cap)
        out = sorted(out + more, key=lambda item: (item.declined_at, item.record_id))
        if limit is not None:
            out = out[:limit]
    return max(count, len(out)), out


def requests_due(
    store: Store,
    *,
    case_id: str | None = None,
    now: datetime | None = None,
    soon: timedelta = DUE_SOON,
) -> list[DueRequest]:
    """Open requests (no reply recorded) whose reply is due within ``soon`` or overdue,
    soonest first, on every case the user may see (or on ``case_id``)."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        if case_id is None:  # the open requests request_status finds by their due date
            when = now or utcnow()
            due = _all_due(session, user_id=user.user_id, now=when, soon=soon, store=store)
        else:
            records = saved_records(
                session, user_id=user.user_id, case_ids={case_id}, only_requests=True, store=store
            )
            due = _due(records, now=now or utcnow(), soon=soon)
        _audit(session, user.user_id, "requests_due", case_id, len(due))
    return due


def requests_to_reconsider(store: Store, *, case_id: str | None = None) -> list[Reconsider]:
    """Declined requests marked "reconsider if new information" whose case has had a
    record added since they were declined, on every case the user may see."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        _, found = to_reconsider_in(session, user_id=user.user_id, case_id=case_id, store=store)
        _audit(session, user.user_id, "requests_to_reconsider", case_id, len(found))
    return found


def _audit(session: Session, user_id: str, what: str, case_id: str | None, count: int) -> None:
    """Who looked at which list of requests (the count only, nothing of their content)."""
    audit.append(
        session,
        actor_id=user_id,
        action=Action.VIEW,
        target_kind=what,
        target_id=case_id,
        detail=f"count={count}",
    )
