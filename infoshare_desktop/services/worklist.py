"""My work: what is waiting for the signed-in person, by section, each with its count.

Sections (the roles each needs are in SECTIONS):
- returned to me: my records a supervisor returned for more detail;
- awaiting my review: colleagues' records in the review queue (supervisors);
- overdue reviews: records waiting longer than the review rules allow (a team lead's
  and a supervisor's: the team's; anyone else's: their own);
- consents to renew: consents I recorded that expire within 30 days, or that have
  expired while a sharing decision relies on them (a team lead also sees the rest of the
  team's expired ones); where each stands is `domain.consent.consent_standing`'s decision;
- my drafts: unfinished records.

Adding a kind of item (requests due, declined requests to reconsider...) is one entry in
SECTIONS and one query in store.worklist. Every query is indexed and LIMITed, and every
count capped (store.worklist.COUNT_CAP), so the home page costs the same at a million
records as at ten. Reading the worklist is audited (counts only, no content).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from infoshare_desktop.domain.accounts import CASE_ROLES, Role
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    Standing,
    consent_person,
    consent_standing,
)
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.records import RequestDraft
from infoshare_desktop.domain.reviews import ReviewStatus
from infoshare_desktop.domain.timeutil import format_date, format_local, to_local, utcnow
from infoshare_desktop.services import requests, sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.cases import draft_type
from infoshare_desktop.services.drafts import NOTHING_TYPED, DraftSummary, draft_snippet
from infoshare_desktop.services.reviews import rules_in
from infoshare_desktop.store import audit, users
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store import worklist as queries
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import SignedIn, Store
from infoshare_desktop.store.sealing import SealedContentError
from infoshare_desktop.store.worklist import ConsentFilter, ReviewFilter
from infoshare_desktop.store.writes import Session

EXPIRY_WARNING = timedelta(days=30)
"""A consent expiring within this many days is on the worklist, to renew in time."""
PAGE = 20
"""Items listed per section (the count says how many there are)."""
COUNT_CAP = queries.COUNT_CAP


class WorkKind(StrEnum):
    RETURNED = "returned"
    AWAITING_REVIEW = "awaiting_review"
    OVERDUE_REVIEW = "overdue_review"
    CONSENTS = "consents"
    TEAM_CONSENTS = "team_consents"
    DRAFTS = "drafts"
    REQUESTS_DUE = "requests_due"
    RECONSIDER = "reconsider"


@dataclass(frozen=True)
class WorkItem:
    """One thing to do: what it is, why it is here, and where it leads."""

    kind: WorkKind
    title: str  #: what it is: "Sharing decision: shared with ..."
    detail: str  #: why it is here: "Returned 2 Dec 2026, 10:04 by Sam Example"
    case_id: str | None
    case_reference: str = ""
    case_name: str = ""
    record_id: str | None = None  #: the record to open (None for a draft)
    draft: DraftSummary | None = None  #: the draft to carry on with
    overdue: bool = False


@dataclass(frozen=True)
class WorkSection:
    kind: WorkKind
    label: str  #: "Returned to me"
    count: int  #: how many there are (up to COUNT_CAP); more than the items listed
    items: tuple[WorkItem, ...]
    empty_text: str
    team: bool = False  #: the team's items rather than the user's own

    @property
    def count_text(self) -> str:
        return f"{COUNT_CAP} or more" if self.count >= COUNT_CAP else str(self.count)


@dataclass
class _Context:
    store: Store
    tx: Session
    user: SignedIn
    now: datetime
    today: date
    overdue_after: timedelta
    limit: int
    #: The restricted cases signed statements name the user on (Store.member_cases):
    #: with the ordinary ones, the cases every section reads.
    members: frozenset[str] = frozenset()
    names: dict[str, str] = field(default_factory=dict)
    consents: dict[str, list[ConsentRecord]] = field(default_factory=dict)

    @property
    def team_lead(self) -> bool:
        return self.user.has(Role.TEAM_LEAD)

    def name(self, user_id: str) -> str:
        if user_id not in self.names:
            self.names.update(users.display_names(self.tx, {user_id}))
        return self.names.get(user_id, "unknown")


@dataclass(frozen=True)
class _Section:
    kind: WorkKind
    label: str
    empty_text: str
    roles: tuple[Role, ...]
    #: (context) -> (count, items)
    read: Callable[[_Context], tuple[int, list[WorkItem]]]
    team: Callable[[SignedIn], bool] = lambda _user: False


# -- reading each section -----------------------------------------------------------------


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _record_title(row: dict[str, Any]) -> str:
    try:
        kind = RecordKind(row["kind"]).label
    except ValueError:
        kind = "Record"
    return f"{kind}: {row['summary']}"


def _review_item(ctx: _Context, kind: WorkKind, row: dict[str, Any], verb: str) -> WorkItem:
    since = _aware(row["since"])
    overdue = False
    detail = f"{verb} {format_local(since)}"
    if row["status"] == ReviewStatus.AWAITING.value:
        days = (ctx.now - since).days
        overdue = ctx.now - since > ctx.overdue_after
        detail += f" ({days} day{'s' * (days != 1)}{', overdue' if overdue else ''})"
    if row["author_id"] != ctx.user.user_id:
        detail += f"; recorded by {ctx.name(row['author_id'])}"
    return WorkItem(
        kind=kind,
        title=_record_title(row),
        detail=detail,
        case_id=row["case_id"],
        case_reference=row["case_reference"],
        case_name=row["case_name"],
        record_id=row["record_id"],
        overdue=overdue,
    )


def _reviews(
    ctx: _Context, kind: WorkKind, which: ReviewFilter, verb: str
) -> tuple[int, list[WorkItem]]:
    rows = queries.reviews(ctx.tx, members=ctx.members, which=which, limit=ctx.limit)
    items = [_review_item(ctx, kind, r, verb) for r in rows]
    return queries.count_reviews(ctx.tx, members=ctx.members, which=which), items


def _returned(ctx: _Context) -> tuple[int, list[WorkItem]]:
    which = ReviewFilter(ReviewStatus.RETURNED.value, author=ctx.user.user_id)
    return _reviews(ctx, WorkKind.RETURNED, which, "Returned")


def _awaiting(ctx: _Context) -> tuple[int, list[WorkItem]]:
    which = ReviewFilter(ReviewStatus.AWAITING.value, not_author=ctx.user.user_id)
    return _reviews(ctx, WorkKind.AWAITING_REVIEW, which, "Waiting since")


def _overdue_is_team(user: SignedIn) -> bool:
    return user.has(Role.TEAM_LEAD) or user.has(Role.SUPERVISOR)


def _overdue(ctx: _Context) -> tuple[int, list[WorkItem]]:
    me, before = ctx.user.user_id, ctx.now - ctx.overdue_after
    awaiting = ReviewStatus.AWAITING.value
    if ctx.team_lead:  # the whole team's
        which = ReviewFilter(awaiting, before=before)
    elif ctx.user.has(Role.SUPERVISOR):  # what they could review
        which = ReviewFilter(awaiting, not_author=me, before=before)
    else:  # their own, waiting too long
        which = ReviewFilter(awaiting, author=me, before=before)
    return _reviews(ctx, WorkKind.OVERDUE_REVIEW, which, "Waiting since")


def _case_consents(ctx: _Context, case_id: str) -> list[ConsentRecord]:
    if case_id not in ctx.consents:

        def opened(record_id: str, stored: str) -> str:
            try:
                return sealed.payload(
                    ctx.store, ctx.tx, case_id=case_id, record_id=record_id, stored=stored
                )
            except SealedContentError:  # unreadable here: skipped like any unreadable consent
                return ""

        ctx.consents[case_id] = record_rows.consent_decisions(ctx.tx, case_id, opened=opened)
    return ctx.consents[case_id]


def _consent_title(record: ConsentRecord) -> str:
    """The consent in a few words: outcome, person, day (the case view has the scope)."""
    decision = record.decision
    outcome = decision.outcome.label if decision.outcome else "Consent decision"
    day = format_date(to_local(record.occurred_at).date())
    return f"{outcome}, {consent_person(decision)}, {day}"


def _consent_item(ctx: _Context, kind: WorkKind, row: dict[str, Any]) -> WorkItem | None:
    """The consent as the one rule sees it today; None if the rule says it is not due."""
    consents = _case_consents(ctx, row["case_id"])
    standing = consent_standing(row["record_id"], consents, ctx.now)
    record = next((c for c in consents if c.record_id == row["record_id"]), None)
    if standing is None or record is None or standing.valid_until is None:
        return None
    until = standing.valid_until
    if standing.standing is Standing.CURRENT:
        days = (until - ctx.today).days
        when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
        detail = f"Valid until {format_date(until)} (ends {when})"
    elif standing.standing is Standing.EXPIRED:
        relied = int(row["relied_on"])
        detail = (
            f"Expired: valid until {format_date(until)}; {relied} sharing "
            f"decision{'s' * (relied != 1)} relied on it"
        )
    else:
        return None
    if row["author_id"] != ctx.user.user_id:
        detail += f"; recorded by {ctx.name(row['author_id'])}"
    return WorkItem(
        kind=kind,
        title=_consent_title(record),
        detail=detail,
        case_id=row["case_id"],
        case_reference=row["case_reference"],
        case_name=row["case_name"],
        record_id=row["record_id"],
        overdue=standing.standing is Standing.EXPIRED,
    )


def _watched(ctx: _Context, kind: WorkKind, *filters: ConsentFilter) -> tuple[int, list[WorkItem]]:
    items, count = [], 0
    for which in filters:
        for row in queries.consents(ctx.tx, members=ctx.members, which=which, limit=ctx.limit):
            if (item := _consent_item(ctx, kind, row)) is not None:
                items.append(item)
        count += queries.count_consents(ctx.tx, members=ctx.members, which=which)
    return min(count, COUNT_CAP), items[: ctx.limit]


def _consents(ctx: _Context) -> tuple[int, list[WorkItem]]:
    me, today = ctx.user.user_id, ctx.today
    expired = ConsentFilter(today - timedelta(days=1), author=me, relied_only=True)
    expiring = ConsentFilter(today + EXPIRY_WARNING, after=today, author=me)
    return _watched(ctx, WorkKind.CONSENTS, expired, expiring)


def _team_consents(ctx: _Context) -> tuple[int, list[WorkItem]]:
    # Their own expired ones are under "Consents to renew".
    others = ConsentFilter(
        ctx.today - timedelta(days=1), not_author=ctx.user.user_id, relied_only=True
    )
    return _watched(ctx, WorkKind.TEAM_CONSENTS, others)


def _drafts(ctx: _Context) -> tuple[int, list[WorkItem]]:
    items = []
    for row in queries.drafts(ctx.tx, user_id=ctx.user.user_id, limit=ctx.limit):
        try:
            text = sealed.open_draft(ctx.store, draft_id=row["draft_id"], stored=row["payload"])
            snippet = draft_snippet(draft_type(row["kind"]).from_dict(json.loads(text)))
        except (KeyError, ValueError, TypeError, SealedContentError):
            snippet = NOTHING_TYPED
        try:
            what = RecordKind(row["kind"]).label
        except ValueError:
            what = row["kind"].replace("_", " ").capitalize()
        updated = _aware(row["updated_at"])
        summary = DraftSummary(
            row["draft_id"],
            row["kind"],
            row["case_id"],
            row["case_name"] or "",
            row["case_reference"] or "",
            row["target_id"],
            updated,
            snippet,
        )
        items.append(
            WorkItem(
                kind=WorkKind.DRAFTS,
                title=f"{what} (draft): {snippet}",
                detail=f"Last changed {format_local(updated)}",
                case_id=row["case_id"],
                case_reference=row["case_reference"] or "",
                case_name=row["case_name"] or "",
                draft=summary,
            )
        )
    return queries.count_drafts(ctx.tx, user_id=ctx.user.user_id), items


def _one_line(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _request_item(
    kind: WorkKind,
    ctx: _Context,
    case_id: str,
    record_id: str,
    request: RequestDraft,
    detail: str,
    overdue: bool = False,
) -> WorkItem:
    case = case_rows.get(ctx.tx, case_id)
    who = request.requester_organisation or request.requester_name or "someone"
    return WorkItem(
        kind=kind,
        title=f"Request from {who}: {_one_line(request.asked) or 'no details'}",
        detail=detail,
        case_id=case_id,
        case_reference=case.case_reference if case else "",
        case_name=case.display_name if case else "",
        record_id=record_id,
        overdue=overdue,
    )


def _requests_due(ctx: _Context) -> tuple[int, list[WorkItem]]:
    count, due = requests.due_in(
        ctx.tx,
        user_id=ctx.user.user_id,
        now=ctx.now,
        limit=ctx.limit,
        count_cap=COUNT_CAP,
        store=ctx.store,
    )
    items = [
        _request_item(
            WorkKind.REQUESTS_DUE,
            ctx,
            d.case_id,
            d.record_id,
            d.request,
            f"{'Overdue: reply was due' if d.overdue else 'Reply due'} {format_local(d.due_at)}",
            overdue=d.overdue,
        )
        for d in due
    ]
    return count, items


def _reconsider(ctx: _Context) -> tuple[int, list[WorkItem]]:
    count, found = requests.to_reconsider_in(
        ctx.tx, user_id=ctx.user.user_id, store=ctx.store, limit=ctx.limit, count_cap=COUNT_CAP
    )
    items = [
        _request_item(
            WorkKind.RECONSIDER,
            ctx,
            r.case_id,
            r.record_id,
            r.request,
            f"Declined {format_local(r.declined_at)}; "
            f"{len(r.new_record_ids)} new record(s) on the case since",
        )
        for r in found
    ]
    return count, items


SECTIONS: tuple[_Section, ...] = (
    _Section(
        WorkKind.RETURNED,
        "Returned to me",
        "Nothing has been returned to you.",
        CASE_ROLES,
        _returned,
    ),
    _Section(
        WorkKind.AWAITING_REVIEW,
        "Awaiting my review",
        "No colleague's record is waiting for review.",
        (Role.SUPERVISOR,),
        _awaiting,
    ),
    _Section(
        WorkKind.OVERDUE_REVIEW,
        "Overdue reviews",
        "No review is overdue.",
        CASE_ROLES,
        _overdue,
        team=_overdue_is_team,
    ),
    _Section(
        WorkKind.CONSENTS,
        "Consents to renew",
        "None of your consents expires within 30 days or has expired while relied on.",
        CASE_ROLES,
        _consents,
    ),
    _Section(
        WorkKind.TEAM_CONSENTS,
        "Team consents expired while relied on",
        "No consent the team relies on has expired.",
        (Role.TEAM_LEAD,),
        _team_consents,
        team=lambda _user: True,
    ),
    _Section(
        WorkKind.REQUESTS_DUE,
        "Requests due or overdue",
        "No request is waiting for a reply within a day.",
        CASE_ROLES,
        _requests_due,
    ),
    _Section(
        WorkKind.RECONSIDER,
        "Declined requests to reconsider",
        "No declined request has new information on its case.",
        CASE_ROLES,
        _reconsider,
    ),
    _Section(WorkKind.DRAFTS, "My drafts", "You have no unfinished drafts.", CASE_ROLES, _drafts),
)


def _opened(ctx: _Context, items: list[WorkItem]) -> list[WorkItem]:
    """The items with their restricted cases' names and references opened (the rows hold
    placeholders; a case whose key the user lacks keeps its placeholder)."""
    found = sealed.identities(ctx.store, ctx.tx, {i.case_id for i in items if i.case_id})
    return [
        replace(
            item,
            case_reference=found[item.case_id].case_reference,
            case_name=found[item.case_id].display_name,
        )
        if item.case_id in found
        else item
        for item in items
    ]


def my_work(store: Store, *, limit: int = PAGE, now: datetime | None = None) -> list[WorkSection]:
    """The signed-in person's worklist: the sections their roles allow, each with its
    count and its first ``limit`` items. Audited (the counts only)."""
    user = require(store, *CASE_ROLES)
    moment = now or utcnow()
    out: list[WorkSection] = []
    with store.write() as session:
        ctx = _Context(
            store=store,
            tx=session,
            user=user,
            now=moment,
            today=to_local(moment).date(),
            overdue_after=timedelta(days=rules_in(session).overdue_after_days),
            limit=limit,
            members=store.member_cases(session),
        )
        for section in SECTIONS:
            if not any(user.has(role) for role in section.roles):
                continue
            count, items = section.read(ctx)
            items = _opened(ctx, items)
            out.append(
                WorkSection(
                    kind=section.kind,
                    label=section.label,
                    count=count,
                    items=tuple(items),
                    empty_text=section.empty_text,
                    team=section.team(user),
                )
            )
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.VIEW,
            target_kind="worklist",
            detail=";".join(f"{s.kind.value}={s.count}" for s in out),
        )
    return out


def total(sections: list[WorkSection]) -> int:
    """How many things are waiting, over the sections (each counted once)."""
    return sum(s.count for s in sections)


__all__ = ["COUNT_CAP", "SECTIONS", "WorkItem", "WorkKind", "WorkSection", "my_work", "total"]
