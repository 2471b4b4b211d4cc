"""Each record kind, declared once: the services, the screens and the printout read this.

A :class:`Kind` ties a :class:`~infoshare_desktop.domain.enums.RecordKind` to its draft
class, its declared form (``domain.fields``), its checklist, the one line the chronology
shows (``summary``), the heading of its details (``title``), its icon (a Qt standard
pixmap's name: the domain names it, the UI draws it), whether it is printed in full,
reviewed by a supervisor, opened from the case view (``menu``), how the drafts list names
it (``words``), and the breakdown the review queue filters by (``subkinds``).

Adding a kind is: its ``RecordKind`` member (``domain.enums``), its draft
(``domain.records``), its rules in the catalogue (``domain.rules``), its
:class:`~infoshare_desktop.domain.fields.Form` (``domain.fields``) and, here, its checklist
function and one :class:`Kind`; the case view's menu, the saving service, the drafts list,
the chronology, the review queue, the details pane and the printout pick it up from these.
The requests' checklists below are written that way: from the catalogue's rules and the
checklist's public readers (``checklist.choice_of``, ``unanswered``, ``check_moment``...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from infoshare_desktop.domain import checklist, rules
from infoshare_desktop.domain.checklist import Finding
from infoshare_desktop.domain.consent import ConsentRecord, made_without_consent
from infoshare_desktop.domain.enums import (
    LabelledEnum,
    Method,
    Rating,
    RecordKind,
    ReplyOutcome,
    RequestSource,
    SharingKind,
)
from infoshare_desktop.domain.fields import (
    ADVICE_FORM,
    AMENDMENT_FORM,
    CONSENT_DECISION_FORM,
    REQUEST_FORM,
    REQUEST_REPLY_FORM,
    REVIEW_FORM,
    SHARING_DECISION_FORM,
    Form,
)
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    RecordLink,
    RequestDraft,
    RequestReplyDraft,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.reviews import ReviewFacts

__all__ = [
    "KINDS",
    "CheckContext",
    "Kind",
    "check_request",
    "check_request_reply",
    "kind_of",
    "spec",
    "summary_of",
]

SUMMARY_LIMIT = 300


@dataclass(frozen=True, kw_only=True)
class CheckContext:
    """What a checklist may need beyond the draft."""

    now: datetime
    consents: Sequence[ConsentRecord] = ()
    date_of_birth: date | None = None
    reviewer_id: str = ""
    author_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Kind:
    """One record kind (see the module docstring)."""

    kind: RecordKind
    draft: type[Draft]
    form: Form
    check: Callable[[Any, CheckContext], list[Finding]]
    summary: Callable[[Any], str]  #: the chronology's one line (before truncation)
    title: Callable[[Any], str]  #: the heading of its details and printout
    icon: str  #: a ``QStyle.StandardPixmap`` member's name
    words: str  #: how the drafts list names one ("an unfinished advice record")
    plural: str  #: how the printout counts them ("Advice records")
    printable: bool = False  #: printed in full in a case summary
    reviewable: bool = False  #: a supervisor reviews it
    #: the menu item that starts one, with its Alt key ("" = not started from the case)
    menu: str = ""
    menu_tip: str = ""  #: what that item does, in a sentence
    shortcut: str = ""  #: its key sequence, if it has one
    targets_record: bool = False  #: belongs to another record (amendments, reviews)
    subkinds: type[LabelledEnum] | None = None  #: its breakdown (review queue, counts)
    subkind: Callable[[Any], str] = lambda _draft: ""  #: the breakdown value of a draft
    #: when it happened, if the draft says
    occurred: Callable[[Any], datetime | None] = lambda draft: getattr(draft, "occurred_at", None)
    #: what the review rules judge when one is saved (reviewable kinds); no decision: never
    #: entered automatically
    review: Callable[[Any], ReviewFacts] = lambda _draft: ReviewFacts()
    #: fields holding ``RecordLink``s, and the kind each linked record must be (checked on
    #: save: it exists, on the same case, of that kind)
    links: Mapping[str, RecordKind] = field(default_factory=dict)


def _truncate(text: str, limit: int = SUMMARY_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sharing_summary(d: SharingDecisionDraft) -> str:
    parties = "; ".join(r.organisation or r.role or r.name for r in d.recipients)
    label = d.kind.label if d.kind else "Sharing decision"
    if d.kind is SharingKind.RECEIVED:
        return f"{label} from {parties}" if parties else label
    if d.kind is SharingKind.NOT_SHARED:
        who = d.requester_organisation or parties
        return f"{label}: request from {who}" if who else label
    return f"{label} with {parties}" if parties else label


def _sharing_title(d: SharingDecisionDraft) -> str:
    label = RecordKind.SHARING_DECISION.label
    return f"{label}: {d.kind.label}" if d.kind is not None else label


def _consent_summary(d: ConsentDecisionDraft) -> str:
    outcome = d.outcome.label if d.outcome else "recorded"
    asked = d.asked.label if d.asked else "someone"
    return f"Consent: {outcome} ({asked})"


def _advice_summary(d: AdviceDraft) -> str:
    return f"Advice from {d.sought_from_role}" if d.sought_from_role else "Advice"


def _request_summary(d: RequestDraft) -> str:
    who = d.requester_organisation or d.requester_name or "unknown requester"
    rating = f" ({d.rating.value})" if isinstance(d.rating, Rating) else ""
    return f"Request from {who}{rating}"


def _reply_summary(d: RequestReplyDraft) -> str:
    outcome = d.outcome.label if isinstance(d.outcome, ReplyOutcome) else "recorded"
    return f"Reply to a request: {outcome}"


# ---- the requests' checklists, declared with their kinds --------------------------------


def check_request(draft: RequestDraft, *, now: datetime) -> list[Finding]:
    """Findings for a request received: who asked, when, how, what, its rating (and a due
    date, when set, not before it arrived), whether it was acknowledged, and why it is
    recorded late (more than 24 hours after it was received or acknowledged)."""
    out: list[Finding] = []
    add = out.append
    current = checklist.now_of(now)
    if checklist.choice_of(draft.source, RequestSource) is None:
        add(rules.REQUEST_FROM.finding("source"))
    if checklist.unanswered(draft.requester_organisation):
        add(rules.REQUEST_FROM.finding("organisation"))
    if checklist.unanswered(draft.requester_name):
        add(rules.REQUEST_FROM.finding("name"))
    checklist.check_moment(out, draft.received_at, current, rules.REQUEST_RECEIVED)
    method = checklist.choice_of(draft.method, Method)
    if method is None:
        add(rules.REQUEST_METHOD.finding("method"))
    elif method is Method.OTHER and checklist.unanswered(draft.method_other):
        add(rules.REQUEST_METHOD.finding("other"))
    if checklist.undescribed(draft.asked):
        add(rules.REQUEST_ASKED.finding("asked"))
    if checklist.choice_of(draft.rating, Rating) is None:
        add(rules.REQUEST_RATING.finding("rating"))
    received, due = checklist.utc_of(draft.received_at), checklist.utc_of(draft.due_at)
    if received is not None and due is not None and due < received:
        add(rules.REQUEST_RATING.finding("due_before"))
    if not isinstance(draft.acknowledged, bool):
        add(rules.REQUEST_ACKNOWLEDGED.finding("acknowledged"))
    elif draft.acknowledged and checklist.utc_of(draft.acknowledged_at) is None:
        add(rules.REQUEST_ACKNOWLEDGED.finding("when"))
    checklist.check_late(out, draft.moments(), current, draft.late_entry_reason)
    return checklist.in_form_order(RequestDraft, out)


def _linked(value: Any) -> bool:
    return (
        isinstance(value, RecordLink) and isinstance(value.record_id, str) and bool(value.record_id)
    )


def check_request_reply(draft: RequestReplyDraft, *, now: datetime) -> list[Finding]:
    """Findings for the reply to a request: the request, the sharing decision(s) that
    answered it, the outcome, when, (declined) whether to reconsider on new information,
    and why it is recorded late (more than 24 hours after the reply was sent)."""
    out: list[Finding] = []
    add = out.append
    current = checklist.now_of(now)
    if not _linked(draft.request):
        add(rules.REPLY_REQUEST.finding("request"))
    if not any(_linked(link) for link in checklist.items_of(draft.answered_by, RecordLink)):
        add(rules.REPLY_DECISIONS.finding("decisions"))
    outcome = checklist.choice_of(draft.outcome, ReplyOutcome)
    if outcome is None:
        add(rules.REPLY_OUTCOME.finding("outcome"))
    checklist.check_moment(out, draft.replied_at, current, rules.REPLY_WHEN)
    if outcome is ReplyOutcome.DECLINED and not isinstance(draft.reconsider_if_new, bool):
        add(rules.REPLY_RECONSIDER.finding("reconsider"))
    checklist.check_late(out, draft.moments(), current, draft.late_entry_reason)
    return checklist.in_form_order(RequestReplyDraft, out)


def _reply_review(d: RequestReplyDraft) -> ReviewFacts:
    """A declined request is a decision not to share (the review rules' NOT_SHARED); the
    save adds the harm concern of the sharing decisions that answered it."""
    return ReviewFacts(SharingKind.NOT_SHARED if d.outcome is ReplyOutcome.DECLINED else None)


def _plain(kind: RecordKind) -> Callable[[Any], str]:
    return lambda _draft: kind.label


KINDS: dict[RecordKind, Kind] = {
    spec.kind: spec
    for spec in (
        Kind(
            kind=RecordKind.SHARING_DECISION,
            draft=SharingDecisionDraft,
            form=SHARING_DECISION_FORM,
            check=lambda d, c: checklist.check_sharing_decision(
                d, now=c.now, consents=c.consents, date_of_birth=c.date_of_birth
            ),
            summary=_sharing_summary,
            title=_sharing_title,
            icon="SP_ArrowForward",
            words="sharing decision",
            plural="Sharing decisions",
            printable=True,
            reviewable=True,
            menu="New &sharing decision",
            menu_tip="Record a decision to share or not (Ctrl+D)",
            shortcut="Ctrl+D",
            subkinds=SharingKind,
            subkind=lambda d: d.kind.value if d.kind else "",
            review=lambda d: ReviewFacts(
                d.kind, made_without_consent(d.kind, d.consent_status), d.significant_harm_concern
            ),
        ),
        Kind(
            kind=RecordKind.CONSENT_DECISION,
            draft=ConsentDecisionDraft,
            form=CONSENT_DECISION_FORM,
            check=lambda d, c: checklist.check_consent_decision(
                d, now=c.now, consents=c.consents, date_of_birth=c.date_of_birth
            ),
            summary=_consent_summary,
            title=_plain(RecordKind.CONSENT_DECISION),
            icon="SP_DialogApplyButton",
            words="consent decision",
            plural="Consent decisions",
            printable=True,
            reviewable=True,
            menu="New &consent decision",
            menu_tip="Record who was asked for consent and the outcome",
            subkind=lambda d: d.outcome.value if d.outcome else "",
        ),
        Kind(
            kind=RecordKind.AMENDMENT,
            draft=AmendmentDraft,
            form=AMENDMENT_FORM,
            check=lambda d, _c: checklist.check_amendment(d),
            summary=lambda d: f"Amendment: {d.reason.label if d.reason else 'amendment'}",
            title=_plain(RecordKind.AMENDMENT),
            icon="SP_FileDialogDetailedView",
            words="amendment",
            plural="Amendments",
            targets_record=True,
            subkind=lambda d: d.reason.value if d.reason else "",
            occurred=lambda _d: None,
        ),
        Kind(
            kind=RecordKind.REVIEW,
            draft=ReviewDraft,
            form=REVIEW_FORM,
            check=lambda d, c: checklist.check_review(
                d, reviewer_id=c.reviewer_id, author_id=c.author_id
            ),
            summary=lambda d: f"Review: {d.outcome.label if d.outcome else 'review'}",
            title=_plain(RecordKind.REVIEW),
            icon="SP_DialogYesButton",
            words="review",
            plural="Reviews",
            targets_record=True,
            subkind=lambda d: d.outcome.value if d.outcome else "",
            occurred=lambda _d: None,
        ),
        Kind(
            kind=RecordKind.ADVICE,
            draft=AdviceDraft,
            form=ADVICE_FORM,
            check=lambda d, c: checklist.check_advice(d, now=c.now),
            summary=_advice_summary,
            title=_plain(RecordKind.ADVICE),
            icon="SP_MessageBoxQuestion",
            words="advice record",
            plural="Advice records",
            printable=True,
            reviewable=True,
            menu="New ad&vice record",
            menu_tip="Record advice you sought about sharing: from whom, when, and what it was",
            subkind=lambda _d: "advice",
            occurred=lambda d: d.sought_at,
        ),
        # requests received (issue 11 section 2)
        Kind(
            kind=RecordKind.REQUEST,
            draft=RequestDraft,
            form=REQUEST_FORM,
            check=lambda d, c: check_request(d, now=c.now),
            summary=_request_summary,
            title=_plain(RecordKind.REQUEST),
            icon="SP_FileDialogInfoView",
            words="request received",
            plural="Requests received",
            printable=True,
            reviewable=True,  # on its author's request (the rating and timescale set)
            menu="New re&quest received",
            menu_tip="Record a request for information: who asked, when, what, and its rating",
            subkinds=Rating,
            subkind=lambda d: d.rating.value if d.rating else "",
            occurred=lambda d: d.received_at,
        ),
        Kind(
            kind=RecordKind.REQUEST_REPLY,
            draft=RequestReplyDraft,
            form=REQUEST_REPLY_FORM,
            check=lambda d, c: check_request_reply(d, now=c.now),
            summary=_reply_summary,
            title=_plain(RecordKind.REQUEST_REPLY),
            icon="SP_DialogOkButton",
            words="reply to a request",
            plural="Replies to requests",
            printable=True,
            reviewable=True,  # declining a request is a decision with reasons
            menu="R&eply to a request",
            menu_tip="Record how a request was answered: the sharing decisions, when, feedback",
            subkinds=ReplyOutcome,
            subkind=lambda d: d.outcome.value if d.outcome else "",
            occurred=lambda d: d.replied_at,
            review=_reply_review,
            links={"request": RecordKind.REQUEST, "answered_by": RecordKind.SHARING_DECISION},
        ),
    )
}


def spec(kind: RecordKind | str) -> Kind:
    """The declaration of a kind (by member or by its stored value)."""
    return KINDS[RecordKind(kind)]


def kind_of(draft: Draft | type[Draft]) -> Kind:
    """The declaration of the kind whose draft this is."""
    cls = draft if isinstance(draft, type) else type(draft)
    for found in KINDS.values():
        if found.draft is cls:
            return found
    raise KeyError(cls.__name__)


def summary_of(kind: RecordKind, draft: Draft) -> str:
    """The one line the chronology shows for a record."""
    found = KINDS.get(kind)
    if found is None or not isinstance(draft, found.draft):
        return kind.label
    return _truncate(found.summary(draft))
