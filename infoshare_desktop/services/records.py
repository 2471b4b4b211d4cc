"""Saving records: sharing decisions, consent decisions, amendments, reviews and advice.

Every function here cleans the draft's text, runs the same checklist the form shows,
refuses with the findings if any is blocking, checks the role and the case's visibility,
sets `recorded_at` itself, and writes the record, its search text and its audit entry in
one transaction. There is no update path: a saved record is corrected by an amendment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import CASE_ROLES, Role
from infoshare_desktop.domain.enums import RecordKind, SharingKind
from infoshare_desktop.domain.errors import ChecklistRefused
from infoshare_desktop.domain.fields import form_of
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.domain.kinds import CheckContext, Kind, kind_of, summary_of
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    RecordLink,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.rules import recorded_late
from infoshare_desktop.domain.timeutil import ensure_utc, utcnow
from infoshare_desktop.services import member_search, reviews, sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.consents import case_consents as case_consents  # for the forms
from infoshare_desktop.services.consents import consent_records
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.visibility import RecordNotFound as RecordNotFound
from infoshare_desktop.services.visibility import load_record as load_record
from infoshare_desktop.services.visibility import require_visible_case
from infoshare_desktop.store import audit, envelopes
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import drafts as draft_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store import search as index_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.search import draft_words
from infoshare_desktop.store.writes import Tx, raw_connection


class LinkRefused(ServiceError):
    """A record names another record it cannot: missing, of another case, or of a kind
    that cannot answer it. ``field`` names the field, so the form can move to it."""


@dataclass(frozen=True)
class Saved:
    """What a successful save returns."""

    record_id: str
    case_id: str
    recorded_at: datetime
    advisories: tuple[checklist.Finding, ...] = ()


# -- helpers ---------------------------------------------------------------------------


def _refuse_if_blocking(findings: list[checklist.Finding]) -> tuple[checklist.Finding, ...]:
    if checklist.blocking(findings):
        raise ChecklistRefused(findings)
    return tuple(findings)


def search_text(draft: Draft) -> str:
    """The words of a draft for the full-text index (see store.search.draft_words)."""
    return draft_words(draft)


def new_record(
    *,
    case_id: str,
    kind: RecordKind,
    subkind: str,
    draft: Draft,
    occurred_at: datetime,
    recorded_at: datetime,
    target_id: str | None = None,
    without_consent: bool = False,
    harm_concern: bool = False,
    review_reason: str | None = None,
) -> envelopes.Item:
    """A saved record as every save (and the demo data) writes it: the envelope's item,
    whose projection (store.envelopes) is its row, its index row and, with
    `review_reason`, its review request."""
    return envelopes.record_item(
        record_id=uuid7(),
        case_id=case_id,
        kind=kind,
        subkind=subkind,
        content=draft.to_dict(),
        summary=summary_of(kind, draft),
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        late=recorded_late(occurred_at, recorded_at),
        target_id=target_id,
        without_consent=without_consent,
        harm_concern=harm_concern,
        review_reason=review_reason,
    )


def _insert(
    tx: Tx,
    *,
    store: Store,
    case_id: str,
    kind: RecordKind,
    subkind: str,
    draft: Draft,
    occurred_at: datetime,
    recorded_at: datetime,
    target_id: str | None = None,
    without_consent: bool = False,
    harm_concern: bool = False,
    from_draft_id: str | None = None,
    review_reason: str | None = None,
) -> str:
    user = store.user
    assert user is not None
    item = new_record(
        case_id=case_id,
        kind=kind,
        subkind=subkind,
        draft=draft,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        target_id=target_id,
        without_consent=without_consent,
        harm_concern=harm_concern,
        review_reason=review_reason,
    )
    if case_rows.is_restricted(tx, case_id):  # sealed, and kept out of the shared index
        item = sealed.sealed_record_item(store, tx, item)
        member_search.invalidate(store)
    record_id = str(item.payload["id"])
    envelopes.save(tx, store.signer, [item], author_id=user.user_id, at=recorded_at)
    action = {RecordKind.AMENDMENT: Action.AMEND, RecordKind.REVIEW: Action.REVIEW}.get(
        kind, Action.CREATE
    )
    audit.append(
        raw_connection(tx),  # audit.append runs on the connection behind either kind of tx
        actor_id=user.user_id,
        action=action,
        target_kind=kind.value,
        target_id=record_id,
        at=recorded_at,
    )
    if from_draft_id:  # the draft it came from goes in the same transaction
        draft_rows.delete_owned(tx, draft_id=from_draft_id, user_id=user.user_id)
    return record_id


def _linked_records(tx: Tx, kind: Kind, draft: Draft, case_id: str) -> list[record_rows.LinkTarget]:
    """The records a draft links to (its kind's ``links``), each checked: it exists, is on
    this case, and is of the kind the field names; refused with ``LinkRefused`` otherwise."""
    wanted: dict[str, list[str]] = {}
    for name in kind.links:
        value = getattr(draft, name, None)
        links = value if isinstance(value, list | tuple) else [value]
        wanted[name] = [link.record_id for link in links if isinstance(link, RecordLink)]
    found = record_rows.link_targets(tx, [i for ids in wanted.values() for i in ids])
    out = []
    for name, ids in wanted.items():
        must = kind.links[name]
        for record_id in ids:
            target = found.get(record_id)
            if target is None or target.case_id != case_id:
                raise LinkRefused(
                    f"A record chosen in “{form_of(draft).field(name).short_for(draft)}” is "
                    "not one of this case's records (it may have been chosen on another case). "
                    "Choose it again from this case's records.",
                    field=name,
                )
            if target.kind != must.value:
                raise LinkRefused(
                    f"“{form_of(draft).field(name).short_for(draft)}” must name a "
                    f"{must.label.lower()}; the record chosen is a "
                    f"{RecordKind(target.kind).label.lower()}. Choose a "
                    f"{must.label.lower()} of this case.",
                    field=name,
                )
            out.append(target)
    return out


def case_date_of_birth(tx: Tx, case_id: str, *, store: Store) -> date | None:
    """The child's date of birth, for the rules that check dates against it (a
    restricted case's, from its sealed identity)."""
    born = case_rows.date_of_birth(tx, case_id)
    if born is None and case_rows.is_restricted(tx, case_id):
        identity = sealed.identities(store, tx, [case_id]).get(case_id)
        born = identity.date_of_birth if identity else None
    return born


def tidy_search_index(store: Store) -> bool:
    """One bounded step (tens of milliseconds) of merging the search index's segments, for
    when the user is idle: saves add a small segment each and leave the merging to this
    (store.search.tidy), so no save waits for it. Any signed-in user may run it; it reads
    and changes no record's content (only how the index holds the same words), so it is
    not audited. Returns whether more work remains."""
    require(store)
    with store.write_direct() as db:
        return index_rows.tidy(db)


# -- the services ------------------------------------------------------------------------


def record_sharing_decision(
    store: Store, *, case_id: str, draft: SharingDecisionDraft, from_draft_id: str | None = None
) -> Saved:
    require(store, *CASE_ROLES)
    clean = draft.cleaned()
    with store.write_direct() as db:
        require_visible_case(db, store, case_id)
        now = utcnow()
        consents = consent_records(db, case_id, store=store)
        advisories = _refuse_if_blocking(
            checklist.check_sharing_decision(
                clean,
                now=now,
                consents=consents,
                date_of_birth=case_date_of_birth(db, case_id, store=store),
            )
        )
        assert clean.occurred_at is not None and clean.kind is not None
        facts = kind_of(clean).review(clean)
        record_id = _insert(
            db,
            store=store,
            case_id=case_id,
            kind=RecordKind.SHARING_DECISION,
            subkind=clean.kind.value,
            draft=clean,
            occurred_at=ensure_utc(clean.occurred_at),
            recorded_at=now,
            without_consent=facts.without_consent,
            harm_concern=facts.harm_concern,
            from_draft_id=from_draft_id,
            review_reason=reviews.review_reason(reviews.rules_in(db), facts),
        )
    return Saved(record_id, case_id, now, advisories)


def record_consent_decision(
    store: Store, *, case_id: str, draft: ConsentDecisionDraft, from_draft_id: str | None = None
) -> Saved:
    require(store, *CASE_ROLES)
    clean = draft.cleaned()
    with store.write_direct() as db:
        require_visible_case(db, store, case_id)
        now = utcnow()
        consents = consent_records(db, case_id, store=store)
        advisories = _refuse_if_blocking(
            checklist.check_consent_decision(
                clean,
                now=now,
                consents=consents,
                date_of_birth=case_date_of_birth(db, case_id, store=store),
            )
        )
        assert clean.occurred_at is not None and clean.outcome is not None
        record_id = _insert(
            db,
            store=store,
            case_id=case_id,
            kind=RecordKind.CONSENT_DECISION,
            subkind=clean.outcome.value,
            draft=clean,
            occurred_at=ensure_utc(clean.occurred_at),
            recorded_at=now,
            target_id=clean.supersedes_ids[0] if clean.supersedes_ids else None,
            from_draft_id=from_draft_id,
        )
    return Saved(record_id, case_id, now, advisories)


def add_amendment(
    store: Store, *, draft: AmendmentDraft, from_draft_id: str | None = None
) -> Saved:
    """Correct or add to a saved record. Only records of a visible case can be amended."""
    require(store, *CASE_ROLES)
    clean = draft.cleaned()
    with store.write() as session:
        target = load_record(session, clean.target_id)
        require_visible_case(session, store, target.case_id)
        kind = SharingKind.parse(target.subkind)
        clean.target_was_shared = (
            target.kind == RecordKind.SHARING_DECISION and kind is not None and kind.shares
        )
        now = utcnow()
        advisories = _refuse_if_blocking(checklist.check_amendment(clean))
        assert clean.reason is not None
        record_id = _insert(
            session,
            store=store,
            case_id=target.case_id,
            kind=RecordKind.AMENDMENT,
            subkind=clean.reason.value,
            draft=clean,
            occurred_at=now,
            recorded_at=now,
            target_id=target.id,
            from_draft_id=from_draft_id,
        )
    return Saved(record_id, target.case_id, now, advisories)


def record_review(store: Store, *, draft: ReviewDraft) -> Saved:
    """A supervisor's outcome on a colleague's record (never their own)."""
    user = require(store, Role.SUPERVISOR)
    clean = draft.cleaned()
    with store.write() as session:
        target = load_record(session, clean.target_id)
        require_visible_case(session, store, target.case_id)
        now = utcnow()
        advisories = _refuse_if_blocking(
            checklist.check_review(clean, reviewer_id=user.user_id, author_id=target.author_id)
        )
        reviews.ensure_reviewable(session, record_id=target.id)
        assert clean.outcome is not None
        record_id = _insert(
            session,
            store=store,
            case_id=target.case_id,
            kind=RecordKind.REVIEW,
            subkind=clean.outcome.value,
            draft=clean,
            occurred_at=now,
            recorded_at=now,
            target_id=target.id,
        )
    return Saved(record_id, target.case_id, now, advisories)


def record_case_record(
    store: Store, *, case_id: str, draft: Draft, from_draft_id: str | None = None
) -> Saved:
    """Save a record of a declared kind that needs nothing beyond its declaration
    (``domain.kinds``): its checklist, when it happened and its breakdown."""
    kind = kind_of(draft)
    require(store, *CASE_ROLES)
    clean = draft.cleaned()
    with store.write_direct() as db:
        require_visible_case(db, store, case_id)
        now = utcnow()
        context = CheckContext(
            now=now,
            consents=consent_records(db, case_id, store=store),
            date_of_birth=case_date_of_birth(db, case_id, store=store),
        )
        advisories = _refuse_if_blocking(kind.check(clean, context))
        linked = _linked_records(db, kind, clean, case_id)
        facts = kind.review(clean)
        if any(target.harm_concern for target in linked):
            facts = replace(facts, harm_concern=True)
        occurred = kind.occurred(clean)
        record_id = _insert(
            db,
            store=store,
            case_id=case_id,
            kind=kind.kind,
            subkind=kind.subkind(clean),
            draft=clean,
            occurred_at=ensure_utc(occurred) if occurred else now,
            recorded_at=now,
            without_consent=facts.without_consent,
            harm_concern=facts.harm_concern,
            from_draft_id=from_draft_id,
            review_reason=(
                reviews.review_reason(reviews.rules_in(db), facts) if kind.reviewable else None
            ),
        )
    return Saved(record_id, case_id, now, advisories)


def record_advice(
    store: Store, *, case_id: str, draft: AdviceDraft, from_draft_id: str | None = None
) -> Saved:
    """Save a record of advice sought (golden rule 3)."""
    return record_case_record(store, case_id=case_id, draft=draft, from_draft_id=from_draft_id)
