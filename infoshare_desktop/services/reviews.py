"""Supervisor review: what needs review, the queue, returned records, the team overview.

Records enter review when saved (the administrator's rules) or at their author's
request; a supervisor endorses or returns them (services.records.record_review); the
author answers a return with an amendment, which puts the record back in the queue.
Opening a record for review and every outcome are audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from infoshare_desktop.domain.accounts import CASE_ROLES, Role
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ConsentStanding,
    ReliedOn,
    consent_standing,
    find_consent,
    relied_on,
)
from infoshare_desktop.domain.enums import ConsentStatus, LabelledEnum, RecordKind
from infoshare_desktop.domain.records import ReviewDraft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewFacts, ReviewRules, ReviewState, ReviewStatus
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
from infoshare_desktop.store.writes import Session, Tx

#: The review counts stop here: a figure of COUNT_CAP means "COUNT_CAP or more" (as
#: the worklist's do), so counting costs the same at any size of store.
COUNT_CAP = review_rows.COUNT_CAP


def count_text(count: int) -> str:
    """A review count in words: "1000 or more" once it reaches COUNT_CAP."""
    return f"{COUNT_CAP} or more" if count >= COUNT_CAP else str(count)


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


def _consent_view(
    kind: str,
    record_id: str,
    payload: str,
    occurred_at: datetime,
    consents: list[ConsentRecord],
    now: datetime,
) -> ConsentView:
    if kind == RecordKind.CONSENT_DECISION.value:
        return ConsentView(
            decision=find_consent(record_id, consents),
            standing=consent_standing(record_id, consents, now),
        )
    if kind != RecordKind.SHARING_DECISION.value:
        return ConsentView()
    draft = SharingDecisionDraft.from_dict(json.loads(payload))
    found = None
    if draft.consent_decision_id:
        found = relied_on(
            draft.consent_decision_id,
            consents,
            happened_at=draft.occurred_at or occurred_at,
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
    facts: ReviewFacts,
) -> str | None:
    """For every save of a reviewable kind: "automatic" if a rule enters the record for
    review (``domain.kinds``' ``review`` gives the facts; its envelope then carries the
    request), else None."""
    return "automatic" if rules.requires(facts) else None


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


PAGE = 50
"""Rows a review screen asks for at a time (it asks for more as the user scrolls)."""


def _opened(
    store: Store, session: Session, entries: list[review_rows.ReviewEntry]
) -> list[review_rows.ReviewEntry]:
    """The entries of restricted cases with their case, summary, content and latest
    review opened (the user holds the case key; the rows keep them sealed)."""
    found = sealed.identities(store, session, {e.case_id for e in entries})
    out = []
    for e in entries:
        identity = found.get(e.case_id)
        if identity is None:
            out.append(e)
            continue
        out.append(
            replace(
                e,
                case_reference=identity.case_reference,
                case_name=identity.display_name,
                summary=sealed.summary(
                    store, session, case_id=e.case_id, record_id=e.id, stored=e.summary
                ),
                payload=sealed.payload(
                    store, session, case_id=e.case_id, record_id=e.id, stored=e.payload
                ),
                last_review_payload=sealed.stored_payload(store, session, e.last_review_payload)
                if e.last_review_payload
                else None,
            )
        )
    return out


def _items(
    store: Store, session: Session, entries: list[review_rows.ReviewEntry], days: int
) -> list[ReviewItem]:
    """The screens' rows for one page of records entered for review."""
    entries = _opened(store, session, entries)
    names = users.display_names(
        session, {e.author_id for e in entries} | {e.last_reviewer_id or "" for e in entries}
    )
    now = utcnow()
    consents = {
        case_id: consent_records(session, case_id, store=store)
        for case_id in {e.case_id for e in entries}
    }
    return [
        ReviewItem(
            record_id=e.id,
            case_id=e.case_id,
            case_reference=e.case_reference,
            case_name=e.case_name,
            kind=RecordKind(e.kind),
            subkind=e.subkind,
            summary=e.summary,
            author_id=e.author_id,
            author_name=names.get(e.author_id, "unknown"),
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            without_consent=e.without_consent,
            state=e.state,
            overdue=e.state.overdue(now, days),
            last_comment=ReviewDraft.from_dict(json.loads(e.last_review_payload)).comment
            if e.last_review_payload
            else "",
            last_reviewer=names.get(e.last_reviewer_id, "") if e.last_reviewer_id else "",
            last_reviewed_at=e.last_reviewed_at,
            consent=_consent_view(e.kind, e.id, e.payload, e.occurred_at, consents[e.case_id], now),
        )
        for e in entries
    ]


def _overdue_before(tx: Tx) -> datetime:
    return utcnow() - timedelta(days=rules_in(tx).overdue_after_days)


# -- the screens' queries --------------------------------------------------------------------


@dataclass(frozen=True)
class KindFilter:
    """The queue's kind filter: a record kind and, optionally, one value of its declared
    breakdown (``domain.kinds``' ``subkinds``: a sharing decision's kind, a reply's outcome).
    Members, never strings: a reply "shared" is not a sharing decision "shared"."""

    kind: RecordKind
    subkind: LabelledEnum | None = None

    def matches(self, item: ReviewItem) -> bool:
        return item.kind is self.kind and (
            self.subkind is None or item.subkind == self.subkind.value
        )


def _queue_filter(
    reviewer_id: str,
    author_id: str | None,
    kind: KindFilter | None,
    since: datetime | None,
    until: datetime | None,
    without_consent_only: bool,
) -> review_rows.QueueFilter:
    return review_rows.QueueFilter(
        reviewer_id,
        author_id,
        kind.kind.value if kind is not None else None,
        kind.subkind.value if kind is not None and kind.subkind is not None else None,
        since,
        until,
        without_consent_only,
    )


def review_queue(
    store: Store,
    *,
    author_id: str | None = None,
    kind: KindFilter | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    without_consent_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[ReviewItem]:
    """Records awaiting review, oldest waiting first; never the supervisor's own. One page
    (``limit`` rows from ``offset``) or, without a limit, all of them."""
    user = require(store, Role.SUPERVISOR)
    where = _queue_filter(user.user_id, author_id, kind, since, until, without_consent_only)
    with store.read() as session:
        entries = review_rows.queue(
            session,
            members=store.member_cases(session),
            where=where,
            offset=offset,
            limit=_rows(limit),
        )
        return _items(store, session, entries, rules_in(session).overdue_after_days)


@dataclass(frozen=True)
class QueueSummary:
    """The queue's figures: awaiting (and overdue) in all, and shown with the filters."""

    awaiting: int
    overdue: int
    shown: int


def queue_summary(
    store: Store,
    *,
    author_id: str | None = None,
    kind: KindFilter | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    without_consent_only: bool = False,
) -> QueueSummary:
    """How many records await the supervisor's review, how many are overdue, and how many
    the filters (the same as ``review_queue``'s) leave: counted (each up to COUNT_CAP),
    not read."""
    user = require(store, Role.SUPERVISOR)
    everything = review_rows.QueueFilter(user.user_id)
    where = _queue_filter(user.user_id, author_id, kind, since, until, without_consent_only)
    with store.read() as session:
        before = _overdue_before(session)
        awaiting, overdue = review_rows.queue_count(
            session, members=store.member_cases(session), where=everything, overdue_before=before
        )
        shown = awaiting
        if where.narrowed:
            shown, _ = review_rows.queue_count(
                session, members=store.member_cases(session), where=where, overdue_before=before
            )
    return QueueSummary(awaiting, overdue, shown)


def queue_count(store: Store) -> int:
    """How many records await the supervisor's review (counted up to COUNT_CAP, for the
    navigation)."""
    user = require(store, Role.SUPERVISOR)
    with store.read() as session:
        awaiting, _ = review_rows.queue_count(
            session,
            members=store.member_cases(session),
            where=review_rows.QueueFilter(user.user_id),
            overdue_before=_overdue_before(session),
        )
    return awaiting


def queue_authors(store: Store) -> list[tuple[str, str]]:
    """(name, id) of each practitioner with a record awaiting the supervisor, by name."""
    user = require(store, Role.SUPERVISOR)
    with store.read() as session:
        ids = review_rows.queue_authors(
            session, members=store.member_cases(session), reviewer_id=user.user_id
        )
        names = users.display_names(session, ids)
    return sorted(((names.get(i, "unknown"), i) for i in ids), key=lambda a: a[0].casefold())


def returned_to_me(store: Store, *, offset: int = 0, limit: int | None = None) -> list[ReviewItem]:
    """The signed-in author's records returned for more detail, with the comment, the
    longest returned first: one page or, without a limit, all."""
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        entries = review_rows.returned(
            session,
            author_id=user.user_id,
            members=store.member_cases(session),
            offset=offset,
            limit=_rows(limit),
        )
        return _items(store, session, entries, rules_in(session).overdue_after_days)


def returned_count(store: Store) -> int:
    """How many of the signed-in author's records are returned to them (counted up to
    COUNT_CAP)."""
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        return review_rows.returned_count(
            session, author_id=user.user_id, members=store.member_cases(session)
        )


def team_overview(store: Store) -> list[TeamRow]:
    """Per practitioner: awaiting, returned and unanswered, endorsed, overdue (each up to
    COUNT_CAP, counted in
    the store, one row per author)."""
    require(store, Role.TEAM_LEAD, Role.SUPERVISOR)
    with store.read() as session:
        counts = review_rows.team_counts(
            session, members=store.member_cases(session), overdue_before=_overdue_before(session)
        )
        names = users.display_names(session, [c.author_id for c in counts])
    return sorted(
        (
            TeamRow(
                c.author_id,
                names.get(c.author_id, "unknown"),
                c.awaiting,
                c.returned,
                c.endorsed,
                c.overdue,
            )
            for c in counts
        ),
        key=lambda r: r.author_name.casefold(),
    )


def _rows(limit: int | None) -> int:
    return -1 if limit is None else max(limit, 0)


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


__all__ = [
    "COUNT_CAP",
    "ConsentView",
    "KindFilter",
    "ReviewItem",
    "ReviewRules",
    "ReviewStatus",
    "TeamRow",
    "count_text",
]
