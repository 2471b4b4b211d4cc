"""Supervisor review: what needs review, the queue, returned records, the team overview.

Records enter review when saved (the administrator's rules) or at their author's
request; a supervisor endorses or returns them (services.records.record_review); the
author answers a return with an amendment, which puts the record back in the queue.
Opening a record for review and every outcome are audited.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from infoshare_desktop.domain.accounts import CASE_ROLES, Role
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ConsentStanding,
    ReliedOn,
    consent_standing,
    find_consent,
    relied_on,
)
from infoshare_desktop.domain.enums import ConsentStatus, RecordKind, SharingKind
from infoshare_desktop.domain.records import ReviewDraft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewRules, ReviewState, ReviewStatus
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.cases import RecordDetail, record_detail
from infoshare_desktop.services.consents import consent_records
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import audit, envelopes, settings, users
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store import reviews as review_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import SavedRecord
from infoshare_desktop.store.writes import Session, Tx

RULES_SETTING = "review_rules"


class ReviewNotAllowed(ServiceError):
    """The record cannot be reviewed now; the message says why."""


@dataclass(frozen=True)
class ReviewItem:
    record_id: str
    case_id: str
    case_reference: str
    case_name: str
    kind: RecordKind
    subkind: str
    summary: str
    author_id: str
    author_name: str
    occurred_at: datetime
    recorded_at: datetime
    without_consent: bool
    state: ReviewState
    overdue: bool = False
    last_comment: str = ""  # the latest supervisor comment (for returned records)
    last_reviewer: str = ""
    last_reviewed_at: datetime | None = None  # when the latest review was saved
    consent: ConsentView | None = None  # the record's consent, judged by the one rule


@dataclass(frozen=True)
class ConsentView:
    """A record's consent for the review screens: for a sharing decision its consent
    position and the consent decision relied on (then and now); for a consent decision,
    that decision and where it stands now."""

    status: ConsentStatus | None = None
    relied_on: ReliedOn | None = None
    decision: ConsentRecord | None = None
    standing: ConsentStanding | None = None


def _consent_view(row: SavedRecord, consents: list[ConsentRecord], now: datetime) -> ConsentView:
    if row.kind == RecordKind.CONSENT_DECISION.value:
        return ConsentView(
            decision=find_consent(row.id, consents),
            standing=consent_standing(row.id, consents, now),
        )
    if row.kind != RecordKind.SHARING_DECISION.value:
        return ConsentView()
    draft = SharingDecisionDraft.from_dict(json.loads(row.payload))
    found = None
    if draft.consent_decision_id:
        found = relied_on(
            draft.consent_decision_id,
            consents,
            happened_at=draft.occurred_at or row.occurred_at,
            now=now,
        )
    return ConsentView(status=draft.consent_status, relied_on=found)


@dataclass(frozen=True)
class TeamRow:
    author_id: str
    author_name: str
    awaiting: int
    returned: int
    endorsed: int
    overdue: int


# -- rules ----------------------------------------------------------------------------------


def review_rules(store: Store) -> ReviewRules:
    with store.read() as session:
        return rules_in(session)


def rules_in(tx: Tx) -> ReviewRules:
    """The rules as the current transaction sees them (the default if never set)."""
    value = settings.get(tx, RULES_SETTING)
    try:
        return ReviewRules(**json.loads(value)) if value is not None else ReviewRules()
    except (TypeError, ValueError):
        return ReviewRules()


def set_review_rules(store: Store, *, rules: ReviewRules) -> None:
    admin = require(store, Role.ADMINISTRATOR)
    if not 1 <= rules.overdue_after_days <= 90:
        raise ReviewNotAllowed("Overdue must be between 1 and 90 days.")
    value = json.dumps(rules.__dict__, sort_keys=True)
    with store.write() as session:
        settings.put(session, RULES_SETTING, value)
        audit.append(
            session, actor_id=admin.user_id, action=Action.SETTING_CHANGE, detail=RULES_SETTING
        )


def review_reason(
    rules: ReviewRules,
    *,
    kind: SharingKind | None,
    without_consent: bool,
    harm_concern: bool,
) -> str | None:
    """For the save: "automatic" if a rule enters the record for review (its envelope
    then carries the request), else None."""
    if rules.requires_review(kind=kind, without_consent=without_consent, harm_concern=harm_concern):
        return "automatic"
    return None


def request_review(store: Store, *, record_id: str) -> None:
    """An author asks for review of one of their own records."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        row = record_rows.get(session, record_id)
        if row is None or row.author_id != user.user_id:
            raise ReviewNotAllowed("You can ask for review of your own records only.")
        state = _states(session, [row])[row.id]
        if state.status in (ReviewStatus.AWAITING, ReviewStatus.RETURNED):
            raise ReviewNotAllowed(
                f"This record is already in review ({state.status.label.lower()})."
            )
        now = utcnow()
        envelopes.save(
            session,
            store.signer,
            [
                envelopes.review_request_item(
                    case_id=row.case_id, record_id=record_id, at=now, reason="author"
                )
            ],
            author_id=user.user_id,
            at=now,
        )
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.REVIEW,
            target_kind=row.kind,
            target_id=record_id,
            detail="requested",
        )


# -- state ----------------------------------------------------------------------------------


def _states(session: Session, rows: Sequence[review_rows.Authored]) -> dict[str, ReviewState]:
    return review_rows.states(session, rows)


def review_state_of(store: Store, *, record_id: str) -> ReviewState:
    require(store, *CASE_ROLES)
    with store.read() as session:
        row = record_rows.get(session, record_id)
        if row is None:
            raise ReviewNotAllowed("That record does not exist.")
        require_visible_case(session, store, row.case_id)
        return _states(session, [row])[record_id]


def _items(store: Store, session: Session, *, authors: set[str] | None = None) -> list[ReviewItem]:
    """Every record ever entered for review that the user may see, with its state."""
    user = require(store, *CASE_ROLES)
    rows = [
        (sealed.opened_record(store, session, r), ref, name)
        for r, ref, name in review_rows.entered(session, visible_to=user.user_id, authors=authors)
    ]
    opened = sealed.identities(store, session, {r.case_id for r, _, _ in rows})
    rows = [
        (r, opened[r.case_id].case_reference, opened[r.case_id].display_name)
        if r.case_id in opened
        else (r, ref, name)
        for r, ref, name in rows
    ]
    states = _states(session, [r for r, _, _ in rows])
    names = users.display_names(session)
    comments = _last_reviews(store, session, [r.id for r, _, _ in rows])
    now, days = utcnow(), review_rules(store).overdue_after_days
    consents = {
        case_id: consent_records(session, case_id, store=store)
        for case_id in {r.case_id for r, _, _ in rows}
    }
    return [
        ReviewItem(
            record_id=r.id,
            case_id=r.case_id,
            case_reference=ref,
            case_name=name,
            kind=RecordKind(r.kind),
            subkind=r.subkind,
            summary=r.summary,
            author_id=r.author_id,
            author_name=names.get(r.author_id, "unknown"),
            occurred_at=r.occurred_at,
            recorded_at=r.recorded_at,
            without_consent=r.without_consent,
            state=states[r.id],
            overdue=states[r.id].overdue(now, days),
            last_comment=comments[r.id].comment if r.id in comments else "",
            last_reviewer=names.get(comments[r.id].reviewer_id, "") if r.id in comments else "",
            last_reviewed_at=comments[r.id].at if r.id in comments else None,
            consent=_consent_view(r, consents[r.case_id], now),
        )
        for r, ref, name in rows
    ]


@dataclass(frozen=True)
class _LastReview:
    comment: str
    reviewer_id: str
    at: datetime


def _last_reviews(store: Store, session: Session, ids: list[str]) -> dict[str, _LastReview]:
    """Each record's latest review: its comment, reviewer and time."""
    out: dict[str, _LastReview] = {}
    for review in record_rows.reviews_of(session, ids):  # oldest first: the last one stays
        text = sealed.stored_payload(store, session, review.payload)
        comment = ReviewDraft.from_dict(json.loads(text)).comment
        out[review.target_id] = _LastReview(comment, review.author_id, review.recorded_at)
    return out


# -- the screens' queries --------------------------------------------------------------------


def review_queue(
    store: Store,
    *,
    author_id: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    without_consent_only: bool = False,
) -> list[ReviewItem]:
    """Records awaiting review, oldest first; never the supervisor's own."""
    user = require(store, Role.SUPERVISOR)
    with store.read() as session:
        items = _items(store, session, authors={author_id} if author_id else None)
    out = [
        i
        for i in items
        if i.state.status is ReviewStatus.AWAITING
        and i.author_id != user.user_id
        and (kind is None or i.subkind == kind or i.kind == kind)
        and (since is None or i.occurred_at >= since)
        and (until is None or i.occurred_at <= until)
        and (not without_consent_only or i.without_consent)
    ]
    return sorted(out, key=lambda i: i.state.waiting_since or i.recorded_at)


def queue_count(store: Store) -> int:
    return len(review_queue(store))


def returned_to_me(store: Store) -> list[ReviewItem]:
    """The signed-in author's records returned for more detail, with the comment."""
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        items = _items(store, session, authors={user.user_id})
    return [i for i in items if i.state.status is ReviewStatus.RETURNED]


def team_overview(store: Store) -> list[TeamRow]:
    """Per practitioner: awaiting, returned and unanswered, endorsed, overdue."""
    require(store, Role.TEAM_LEAD, Role.SUPERVISOR)
    with store.read() as session:
        items = _items(store, session)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, str] = {}
    for item in items:
        names[item.author_id] = item.author_name
        counts = rows[item.author_id]
        counts[item.state.status.value] += 1
        counts["overdue"] += int(item.overdue)
    return sorted(
        (
            TeamRow(
                author,
                names[author],
                c[ReviewStatus.AWAITING.value],
                c[ReviewStatus.RETURNED.value],
                c[ReviewStatus.ENDORSED.value],
                c["overdue"],
            )
            for author, c in rows.items()
        ),
        key=lambda r: r.author_name.casefold(),
    )


def open_for_review(store: Store, *, record_id: str) -> RecordDetail:
    """The record exactly as saved, for the review screen; audited as a review opening."""
    user = require(store, Role.SUPERVISOR)
    detail = record_detail(store, record_id=record_id)
    with store.write() as session:
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.REVIEW_OPEN,
            target_kind=detail.kind.value,
            target_id=record_id,
        )
    return detail


def ensure_reviewable(session: Session, *, record_id: str) -> None:
    """Only a record awaiting review can be reviewed (REVIEW_NOT_OWN guards its author)."""
    row = record_rows.get(session, record_id)
    if row is None:
        raise ReviewNotAllowed("That record does not exist.")
    state = _states(session, [row])[record_id]
    if state.status is not ReviewStatus.AWAITING:
        now = state.status.label.lower()
        raise ReviewNotAllowed(f"Only records awaiting review can be reviewed; this one is: {now}.")


__all__ = ["ConsentView", "ReviewItem", "ReviewRules", "ReviewStatus", "TeamRow"]
