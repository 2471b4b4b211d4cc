"""Cases: creating them, listing and searching them, and reading what they hold.

Opening a case and reading a record's details are audited ("who saw what"); search
results are filtered to the cases the user may see before any text leaves the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import CASE_ROLES
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ConsentStanding,
    ReliedOn,
    consent_standing,
    ended_consents,
    find_consent,
    relied_on,
)
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.errors import ChecklistRefused
from infoshare_desktop.domain.identifier import format_nhs_number, nhs_number_digits
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.domain.kinds import KINDS, spec
from infoshare_desktop.domain.records import (
    CaseDraft,
    ConsentDecisionDraft,
    Draft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.requests import reply_badges
from infoshare_desktop.domain.reviews import ReviewStatus
from infoshare_desktop.domain.timeutil import format_local, utcnow
from infoshare_desktop.services import member_search, requests, sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.consents import consent_records
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.identifiers import (
    CaseIdentifier,
    current_identifier,
    current_identifiers,
    identifier_of,
)
from infoshare_desktop.services.visibility import (
    RecordNotFound,
    load_record,
    signed_visible,
    visible_case,
)
from infoshare_desktop.store import audit, envelopes, grants, member_carry, users
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store import reviews as review_rows
from infoshare_desktop.store import search as index
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.cases import name_key
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.identifiers import cases_with_number as case_ids_with_number
from infoshare_desktop.store.sealing import is_sealed
from infoshare_desktop.store.search import SearchCancelled
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, raw_connection


def draft_type(kind: str) -> type[Draft]:
    """The draft class of a stored kind, read from its declaration (``domain.kinds``) each
    time, so the declaration is the only place a kind's class is named."""
    return spec(kind).draft


#: Marks around the matching words in a search snippet (control characters never occur
#: in saved text, so the UI can escape the snippet and then turn these into emphasis).
MATCH_START, MATCH_END = "\x02", "\x03"


class PossibleDuplicate(ServiceError):
    """A case with the same name and date of birth, or the same NHS number, exists; ask
    before creating another."""

    def __init__(self, matches: list[CaseSummary]) -> None:
        self.matches = matches
        refs = ", ".join(m.case_reference for m in matches)
        super().__init__(
            f"A case with the same name and date of birth, or the same NHS number, already "
            f"exists ({refs}). "
            "Open it instead, or confirm that this is a different child."
        )


@dataclass(frozen=True)
class CaseSummary:
    case_id: str
    display_name: str
    case_reference: str
    date_of_birth: date | None
    restricted: bool
    records: int = 0
    last_activity: datetime | None = None
    late_entries: int = 0
    harm_concern: bool = False
    identifier: CaseIdentifier | None = None  #: the NHS number or why not (open_case)


@dataclass(frozen=True)
class ChronologyEntry:
    record_id: str
    kind: RecordKind
    subkind: str
    summary: str
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    author_name: str
    target_id: str | None
    author_id: str = ""
    badges: tuple[str, ...] = ()
    """Words for where the record stands: "Amended", "Awaiting review", "Returned",
    "Endorsed" (see ``BADGE_WORDS``)."""
    corrects: str = ""
    """For an amendment: the record it amends, in a line ("Shared with ..., 1 Dec 2026 10:00")."""


#: The review statuses a record shows as a badge (no review needed shows none).
BADGE_WORDS = {
    ReviewStatus.AWAITING: "Awaiting review",
    ReviewStatus.RETURNED: "Returned",
    ReviewStatus.ENDORSED: "Endorsed",
}
AMENDED = "Amended"


def badges_for(*, amended: bool, status: ReviewStatus | None, reply: str = "") -> tuple[str, ...]:
    """The badges of a record that has (or has not) been amended and has ``status``; an
    open request's ``reply`` badge ("Overdue", "Reply due ..."; ``domain.requests``)."""
    words = [AMENDED] if amended else []
    if reply:
        words.append(reply)
    if status in BADGE_WORDS:
        words.append(BADGE_WORDS[status])
    return tuple(words)


def _reply_badges(session: Session, store: Store, case_id: str) -> dict[str, str]:
    """The due badges of the case's open requests (its requests and replies only)."""
    user = store.user
    assert user is not None
    found = requests.saved_records(
        session, user_id=user.user_id, case_ids={case_id}, only_requests=True, store=store
    )
    return reply_badges(found, now=utcnow())


def _reviewable(kind: str) -> bool:
    found = RecordKind.parse(kind)
    return found is not None and KINDS[found].reviewable


def corrects_line(summary: str, occurred_at: datetime) -> str:
    """How an amendment names the record it amends."""
    return f"{summary}, {format_local(occurred_at)}"


@dataclass
class RecordDetail:
    """A saved record exactly as saved, with what was added to it since."""

    record_id: str
    case_id: str
    kind: RecordKind
    subkind: str
    author_id: str
    author_name: str
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    content: Draft
    amendments: list[RecordDetail] = field(default_factory=list)
    reviews: list[RecordDetail] = field(default_factory=list)
    badges: tuple[str, ...] = ()
    corrects: str = ""  # for an amendment: the record it amends (see ChronologyEntry)
    #: sharing decisions: the consent relied on, judged when it happened and now
    relied_on: ReliedOn | None = None
    #: consent decisions: where it stands now, and the decisions it ends or replaces
    standing: ConsentStanding | None = None
    ends: tuple[ConsentRecord, ...] = ()


@dataclass(frozen=True)
class ConsentPositionItem:
    """One consent decision of the case and where it stands (``standing``)."""

    record: ConsentRecord
    standing: ConsentStanding
    ends: tuple[ConsentRecord, ...] = ()  #: the decisions it names as ended or replaced

    @property
    def record_id(self) -> str:
        return self.record.record_id


@dataclass(frozen=True)
class SearchHit:
    case_id: str
    display_name: str
    case_reference: str
    snippet: str
    score: float  #: its place in the ranking: lower is better
    date_of_birth: date | None = None  # so two children of the same name can be told apart
    identifier: CaseIdentifier | None = None  #: the NHS number or why not


# -- creating ------------------------------------------------------------------------------


def possible_duplicates(
    store: Store, *, display_name: str, date_of_birth: date | None
) -> list[CaseSummary]:
    require(store, *CASE_ROLES)
    if date_of_birth is None:
        return []
    with store.read() as session:
        rows = case_rows.same_identity(
            session,
            display_name=display_name,
            date_of_birth=date_of_birth,
            members=store.member_cases(session),
        )
        rows = sealed.opened_cases(store, session, rows)
    return [_summary(row) for row in rows]


def _same_nhs_number(store: Store, digits: str, *, known: set[str]) -> list[CaseSummary]:
    """The visible cases whose NHS number now is ``digits`` (an indexed lookup)."""
    require(store, *CASE_ROLES)
    with store.read() as session:
        ids = case_ids_with_number(session, digits, members=store.member_cases(session), limit=20)
        found = [session.get(CaseFile, case_id) for case_id in ids if case_id not in known]
        opened = sealed.opened_cases(store, session, [row for row in found if row is not None])
    return [_summary(row) for row in opened]


def new_case(draft: CaseDraft, *, case_id: str, created_at: datetime) -> envelopes.Item:
    """A case as creating a case (and the demo data) writes it: the envelope's item, whose
    projection (store.envelopes) is its row, its creator as first member, its index row
    and its first identifier."""
    return envelopes.case_item(
        case_id=case_id, draft=draft, created_at=created_at, identifier=identifier_of(draft)
    )


def create_case(store: Store, *, draft: CaseDraft, confirmed_not_duplicate: bool = False) -> str:
    """Create a case; raises PossibleDuplicate unless the user confirmed it is another child."""
    user = require(store, *CASE_ROLES)
    clean = draft.cleaned()
    findings = checklist.check_case(clean)
    if checklist.blocking(findings):
        raise ChecklistRefused(findings)
    if not confirmed_not_duplicate:
        matches = possible_duplicates(
            store, display_name=clean.display_name, date_of_birth=clean.date_of_birth
        )
        digits = nhs_number_digits(clean.nhs_number)
        if digits:
            matches += _same_nhs_number(store, digits, known={m.case_id for m in matches})
        if matches:
            raise PossibleDuplicate(matches)
    case_id, now = uuid7(), utcnow()
    with store.write() as session:
        if clean.restricted and store.signer is not None:  # its creator, signed (grants)
            grants.issue_member(
                raw_connection(session),
                store.signer,
                case_id=case_id,
                members=[user.user_id],
                reason="created",
            )
        item = new_case(clean, case_id=case_id, created_at=now)
        if clean.restricted:  # its identity sealed to its signed members; not in the shared index
            item = sealed.sealed_case_item(store, session, item, draft=clean, created_at=now)
            member_search.invalidate(store)
        envelopes.save(session, store.signer, [item], author_id=user.user_id, at=now)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.CREATE,
            target_kind="case",
            target_id=case_id,
            at=now,
        )
    return case_id


def add_case_member(store: Store, *, case_id: str, user_id: str) -> None:
    """Name another member of staff on a (restricted) case: on a restricted case, by a
    signed statement (store.grants), which is what opens it and seals its key to them
    (every epoch, so they read its history); the row is for the lists."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        case = visible_case(session, store, case_id)
        has_row = case_rows.is_member(session, case_id, user_id)
        signs = case.restricted and store.signer is not None
        if signs and user_id in store.members_of(session, case_id):
            return
        if not signs and has_row:
            return
        if signs:
            named = store.trust.account(user_id)
            if named is None or named.status != "active":
                raise ServiceError("Only an active account can be named on a case.")
            assert store.signer is not None
            grants.issue_member(
                raw_connection(session),
                store.signer,
                case_id=case_id,
                members=[user_id],
                reason="added",
            )
        if not has_row:
            now = utcnow()
            envelopes.save(
                session,
                store.signer,
                [envelopes.member_item(case_id=case_id, user_id=user_id, added_at=now)],
                author_id=user.user_id,
                at=now,
            )
        if case.restricted:  # the signed members now hold the case's key
            sealed.sync_case_keys(store, session, [case_id])
            member_search.invalidate(store)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.SETTING_CHANGE,
            target_kind="case",
            target_id=case_id,
            detail="member_added",
        )


def remove_case_member(store: Store, *, case_id: str, user_id: str) -> None:
    """Take a member of staff off a restricted case: its key starts a new epoch sealed
    to the remaining members (and the administrators), so nothing written from now on
    is readable with the keys they held. What they could read before stays readable to
    them (they held it then)."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        visible_case(session, store, case_id)
        if user_id == user.user_id:
            raise ServiceError("You cannot take yourself off a case; ask another member.")
        signed = store.signer is not None and user_id in store.members_of(session, case_id)
        if signed:  # the signed statement is what takes them off (store.grants)
            assert store.signer is not None
            grants.issue_member_removal(
                raw_connection(session),
                store.signer,
                case_id=case_id,
                removed=[user_id],
                reason="removed",
            )
        if signed or case_rows.is_member(session, case_id, user_id):
            sealed.remove_member(store, session, case_id=case_id, user_id=user_id)
            member_search.invalidate(store)
            audit.append(
                session,
                actor_id=user.user_id,
                action=Action.SETTING_CHANGE,
                target_kind="case",
                target_id=case_id,
                detail="member_removed",
            )


def _sign_members(store: Store, session: Session, case_id: str, by: str) -> None:
    """A case being restricted: whoever restricts it, then the staff its rows name (the
    active accounts) that its signed envelopes named (store.member_carry: a row added by
    SQL is left out), named by signed statements (store.grants), which are what open it."""
    if store.signer is None:
        return
    raw = raw_connection(session)
    named = store.members_of(session, case_id)
    if by not in named:
        grants.issue_member(raw, store.signer, case_id=case_id, members=[by], reason="restricted")
    rows = sorted(case_rows.members(session, case_id) - {by} - named)
    signed = member_carry.backed(raw, store.trust, {case_id: rows}, ordinary=True)
    others = sorted(
        u
        for u in signed.get(case_id, [])
        if (account := store.trust.account(u)) is not None and account.status == "active"
    )
    if others:
        grants.issue_member(raw, store.signer, case_id=case_id, members=others, reason="restricted")


class AlreadySo(ServiceError):
    user_message = "The case is already so: nothing was changed."


def set_case_restricted(store: Store, *, case_id: str, restricted: bool) -> None:
    """Make a case restricted (only its named staff see it: its existing content is
    sealed under a new case key, and leaves the shared search index) or lift the
    restriction (its content is opened back and indexed), in one transaction. Audited."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        case = visible_case(session, store, case_id)
        if case.restricted == restricted:
            raise AlreadySo()
        if restricted:
            _sign_members(store, session, case_id, user.user_id)
            sealed.restrict(store, session, case)
        else:
            sealed.unrestrict(store, session, case)
            if store.signer is not None and store.members_of(session, case_id):
                grants.issue_lifted(
                    raw_connection(session), store.signer, case_id=case_id, by=user.user_id
                )
        member_search.invalidate(store)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.SETTING_CHANGE,
            target_kind="case",
            target_id=case_id,
            detail="restricted" if restricted else "unrestricted",
        )
    store.release_freed_pages()


# -- listing ----------------------------------------------------------------------------------


def _summary(
    row: CaseFile, records: int = 0, last: datetime | None = None, late: int = 0, harm: bool = False
) -> CaseSummary:
    return CaseSummary(
        case_id=row.id,
        display_name=row.display_name,
        case_reference=row.case_reference,
        date_of_birth=row.date_of_birth,
        restricted=row.restricted,
        records=records,
        last_activity=last,
        late_entries=late,
        harm_concern=harm,
    )


SORT_KEYS = case_rows.SORT_KEYS


def count_cases(store: Store) -> int:
    require(store, *CASE_ROLES)
    with store.read() as session:
        return case_rows.count_visible(session, store.member_cases(session))


def list_cases(
    store: Store,
    *,
    offset: int = 0,
    limit: int = 100,
    sort: str = "last_activity",
    descending: bool = True,
) -> list[CaseSummary]:
    """One page of the user's cases, with activity counts and flags."""
    require(store, *CASE_ROLES)
    with store.read() as session:
        rows = case_rows.page(
            session,
            members=store.member_cases(session),
            offset=offset,
            limit=limit,
            sort=sort,
            descending=descending,
        )
        shown = signed_visible(session, store, [r.case.id for r in rows])
        opened = sealed.opened_cases(store, session, [r.case for r in rows])
    return [
        _summary(case, r.records, r.last_activity, r.late_entries, r.harm_concern)
        for case, r in zip(opened, rows, strict=True)
        if r.case.id in shown
    ]


# -- reading ----------------------------------------------------------------------------------


def open_case(store: Store, *, case_id: str) -> CaseSummary:
    """The case's identity; audited as a view."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        case = visible_case(session, store, case_id)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.VIEW,
            target_kind="case",
            target_id=case_id,
        )
        identifier = current_identifier(session, case_id, store=store)
        case = sealed.opened_case(store, session, case)
    return replace(_summary(case), identifier=identifier)


def _author_names(session: Session, ids: set[str]) -> dict[str, str]:
    return users.display_names(session, ids)


def chronology(store: Store, *, case_id: str) -> list[ChronologyEntry]:
    """Every record of the case in the order things happened, with when each was recorded."""
    with store.read() as session:
        visible_case(session, store, case_id)
        rows = record_rows.chronology_rows(session, case_id)
        if rows and sealing_needed(rows):
            rows = [
                replace(
                    r,
                    summary=sealed.summary(
                        store, session, case_id=case_id, record_id=r.id, stored=r.summary
                    ),
                )
                for r in rows
            ]
        names = _author_names(session, {r.author_id for r in rows})
        states = review_rows.states(session, [r for r in rows if _reviewable(r.kind)])
        due = _reply_badges(session, store, case_id)
    amended = {r.target_id for r in rows if r.kind == RecordKind.AMENDMENT.value}
    by_id = {r.id: r for r in rows}
    entries = []
    for r in rows:
        state = states.get(r.id)
        target = (
            by_id.get(r.target_id) if r.kind == RecordKind.AMENDMENT.value and r.target_id else None
        )
        entries.append(
            ChronologyEntry(
                record_id=r.id,
                kind=RecordKind(r.kind),
                subkind=r.subkind,
                summary=r.summary,
                occurred_at=r.occurred_at,
                recorded_at=r.recorded_at,
                late=r.late,
                author_name=names.get(r.author_id, "unknown"),
                target_id=r.target_id,
                author_id=r.author_id,
                badges=badges_for(
                    amended=r.id in amended,
                    status=state.status if state else None,
                    reply=due.get(r.id, ""),
                ),
                corrects=corrects_line(target.summary, target.occurred_at) if target else "",
            )
        )
    return entries


def sealing_needed(rows: list[record_rows.ChronologyRow]) -> bool:
    return any(is_sealed(r.summary) for r in rows)


def _detail(row: SavedRecord, names: dict[str, str]) -> RecordDetail:
    return RecordDetail(
        record_id=row.id,
        case_id=row.case_id,
        kind=RecordKind(row.kind),
        subkind=row.subkind,
        author_id=row.author_id,
        author_name=names.get(row.author_id, "unknown"),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        late=row.late,
        content=draft_type(row.kind).from_dict(json.loads(row.payload)),
    )


def record_detail(store: Store, *, record_id: str) -> RecordDetail:
    """A record as saved, with its amendments and reviews in order; audited as a view."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        row = load_record(session, record_id)
        visible_case(session, store, row.case_id)
        row = sealed.opened_record(store, session, row)
        related = [
            sealed.opened_record(store, session, r)
            for r in record_rows.targeting(session, record_id)
        ]
        names = _author_names(session, {row.author_id, *(r.author_id for r in related)})
        status = None
        if _reviewable(row.kind):
            status = review_rows.states(session, [row])[row.id].status
        due = (
            _reply_badges(session, store, row.case_id).get(row.id, "")
            if row.kind == RecordKind.REQUEST.value
            else ""
        )
        target = record_rows.get(session, row.target_id) if row.target_id else None
        target = sealed.opened_record(store, session, target) if target is not None else None
        consents = consent_records(session, row.case_id, store=store)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.VIEW,
            target_kind=row.kind,
            target_id=record_id,
        )
    detail = _detail(row, names)
    detail.badges = badges_for(
        amended=any(r.kind == RecordKind.AMENDMENT for r in related), status=status, reply=due
    )
    if target is not None and row.kind == RecordKind.AMENDMENT.value:
        detail.corrects = corrects_line(target.summary, target.occurred_at)
    _add_consent(detail, consents)
    for r in related:
        if r.kind == RecordKind.AMENDMENT:
            detail.amendments.append(_detail(r, names))
        elif r.kind == RecordKind.REVIEW:
            detail.reviews.append(_detail(r, names))
    return detail


def _add_consent(detail: RecordDetail, consents: list[ConsentRecord]) -> None:
    """Fill in what a record's consent means now, judged by the domain's one rule."""
    content, now = detail.content, utcnow()
    if isinstance(content, SharingDecisionDraft) and content.consent_decision_id:
        detail.relied_on = relied_on(
            content.consent_decision_id,
            consents,
            happened_at=content.occurred_at or detail.occurred_at,
            now=now,
        )
    elif isinstance(content, ConsentDecisionDraft):
        detail.standing = consent_standing(detail.record_id, consents, now)
        record = find_consent(detail.record_id, consents)
        detail.ends = tuple(ended_consents(record, consents)) if record else ()


def consent_position(
    store: Store, *, case_id: str, at: datetime | None = None
) -> list[ConsentPositionItem]:
    """Every consent decision of the case, newest first, with where it stands at ``at``
    (default: now)."""
    require(store, *CASE_ROLES)
    moment = at or utcnow()
    with store.read() as session:
        visible_case(session, store, case_id)
        consents = consent_records(session, case_id, store=store)
    items = [
        ConsentPositionItem(
            record=record,
            standing=_standing(record, consents, moment),
            ends=tuple(ended_consents(record, consents)),
        )
        for record in consents
    ]
    return sorted(items, key=lambda item: item.record.order, reverse=True)


# -- search -------------------------------------------------------------------------------------

#: Fewer letters and digits than this are not searched as words (thousands of words start
#: with two letters: no list of them would help), only as a whole case reference.
MIN_SEARCH_CHARS = 3


def too_short(query: str) -> bool:
    """Whether `query` has too few letters and digits to search as words (it is still
    looked up as a whole case reference)."""
    return sum(len(word) for word in index.query_words(query)) < MIN_SEARCH_CHARS


def search(
    store: Store,
    *,
    query: str,
    limit: int = 50,
    cancelled: Callable[[], bool] | None = None,
) -> list[SearchHit]:
    """Cases matching every word typed (names, references, record text), best first
    (a case whose name or reference matches, newest first; then cases by their newest
    matching record), each with the snippet that matched. A valid NHS number finds the
    cases it identifies; a query of fewer than MIN_SEARCH_CHARS letters and digits only
    a case with exactly that reference. Only cases the user may see are considered.
    `cancelled()` is polled while the store works: once true, the search stops with
    `SearchCancelled` (the user has typed on)."""
    require(store, *CASE_ROLES)
    digits = nhs_number_digits(query)
    with store.read() as session:
        hits = identifier_search(session, digits, limit=limit, store=store) if digits else []
        if hits:
            pass
        elif too_short(query):
            hits = _reference_hits(
                session, query.strip(), members=store.member_cases(session), limit=limit
            )
        elif (match := index.match_expression(query)) is not None:
            found = index.search(
                session,
                match=match,
                members=store.member_cases(session),
                limit=limit,
                cancelled=cancelled,
            )
            # the restricted cases the user is named on (not in the shared index) merged in
            hits = _with_member_hits(
                store, session, _shown_hits(session, found, match), match=match, limit=limit
            )
        shown = signed_visible(session, store, [hit.case_id for hit in hits])
        hits = [hit for hit in hits if hit.case_id in shown]
        found_ids = current_identifiers(session, [hit.case_id for hit in hits], store=store)
    return [replace(hit, identifier=found_ids.get(hit.case_id)) for hit in hits]


def _reference_hits(
    session: Session, reference: str, *, members: Collection[str], limit: int
) -> list[SearchHit]:
    if not reference:
        return []
    ids = case_rows.with_reference(session, reference, members=members, limit=limit)
    shown = case_rows.identities(session, ids)
    return [
        SearchHit(
            c.id,
            c.display_name,
            c.case_reference,
            f"Reference {MATCH_START}{c.case_reference}{MATCH_END}",
            float(n),
            c.date_of_birth,
        )
        for n, c in enumerate(shown[i] for i in ids if i in shown)
    ]


def _shown_hits(
    session: Session, found: list[index.IndexHit], match: str
) -> list[tuple[index.IndexHit, SearchHit]]:
    """The hits as the list shows them: each case's identity, and the snippet of the row
    that found it, made from that row's text (the index keeps no copy of it)."""
    identities = case_rows.identities(session, [h.case_id for h in found])
    contents = record_rows.contents(session, [h.record_id for h in found if h.record_id])
    shown: list[tuple[index.IndexHit, case_rows.CaseIdentity, str]] = []
    for hit in found:
        identity = identities.get(hit.case_id)
        if identity is None:
            continue
        if hit.record_id is None:
            draft = CaseDraft(
                display_name=identity.display_name,
                date_of_birth=identity.date_of_birth,
                case_reference=identity.case_reference,
                other_identifiers=identity.other_identifiers,
            )
            body = index.case_row(case_id=hit.case_id, draft=draft).body
        elif (content := contents.get(hit.record_id)) is not None:
            kind, payload = content  # the words walked from the JSON, no draft built
            body = index.content_words(draft_type(kind), json.loads(payload))
        else:
            continue
        shown.append((hit, identity, body))
    texts = index.snippets(
        [body for *_, body in shown], match=match, marks=(MATCH_START, MATCH_END)
    )
    return [
        (hit, SearchHit(c.id, c.display_name, c.case_reference, text, float(n), c.date_of_birth))
        for n, ((hit, c, _), text) in enumerate(zip(shown, texts, strict=True))
    ]


def _newer_first(found: tuple[str, str | None]) -> tuple[int, str]:
    """Where a hit stands: its case's own words before its records, and within each the
    newest first (case and record ids are UUIDv7, time-ordered: a larger id is newer)."""
    case_id, record_id = found
    return (0 if record_id is None else 1, record_id or case_id)


def _with_member_hits(
    store: Store,
    session: Session,
    shared: list[tuple[index.IndexHit, SearchHit]],
    *,
    match: str,
    limit: int,
) -> list[SearchHit]:
    """The shared index's hits and the member index's, interleaved as the shared search
    orders its own (own words first, then newest), each list keeping its order; the
    scores become the merged positions."""
    user = require(store, *CASE_ROLES)
    found = member_search.search_members(
        store,
        session,
        user_id=user.user_id,
        match=match,
        limit=limit,
        marks=(MATCH_START, MATCH_END),
    )
    identities = sealed.identities(store, session, [h.case_id for h in found])
    members = [
        (
            (h.case_id, h.record_id),
            SearchHit(h.case_id, i.display_name, i.case_reference, h.snippet, 0.0, i.date_of_birth),
        )
        for h in found
        if (i := identities.get(h.case_id)) is not None
    ]
    theirs = [((h.case_id, h.record_id), hit) for h, hit in shared]
    merged: list[SearchHit] = []
    a, b = 0, 0
    while len(merged) < limit and (a < len(theirs) or b < len(members)):
        take_shared = b >= len(members) or (
            a < len(theirs) and _is_before(theirs[a][0], members[b][0])
        )
        if take_shared:
            merged.append(theirs[a][1])
            a += 1
        else:
            merged.append(members[b][1])
            b += 1
    return [replace(hit, score=float(n)) for n, hit in enumerate(merged)]


def _is_before(one: tuple[str, str | None], other: tuple[str, str | None]) -> bool:
    (group, key), (other_group, other_key) = _newer_first(one), _newer_first(other)
    return group < other_group or (group == other_group and key >= other_key)


def identifier_search(
    session: Session, digits: str, *, limit: int, store: Store
) -> list[SearchHit]:
    """The cases open to the signed-in user (ordinary, or restricted and naming them in a
    signed statement) whose NHS number is ``digits``: the plain ones by an indexed lookup,
    then the user's restricted cases, whose numbers are sealed out of that index (they
    are few: each is opened and compared)."""
    members = store.member_cases(session)
    ids = case_ids_with_number(session, digits, members=members, limit=limit)
    ids += [
        case_id
        for case_id in sorted(members)
        if case_id not in ids
        and (found := current_identifier(session, case_id, store=store)) is not None
        and found.nhs_number == digits
    ]
    ids = ids[:limit]
    shown = f"NHS number {MATCH_START}{format_nhs_number(digits)}{MATCH_END}"
    hits = []
    for case_id in ids:
        case = session.get(CaseFile, case_id)
        if case is not None:
            case = sealed.opened_case(store, session, case)
            hits.append(
                SearchHit(
                    case.id, case.display_name, case.case_reference, shown, 0.0, case.date_of_birth
                )
            )
    return hits


def _standing(
    record: ConsentRecord, consents: list[ConsentRecord], at: datetime
) -> ConsentStanding:
    standing = consent_standing(record.record_id, consents, at)
    assert standing is not None  # the record is one of the case's consent decisions
    return standing


__all__ = [
    "CaseSummary",
    "ChronologyEntry",
    "ConsentPositionItem",
    "PossibleDuplicate",
    "RecordDetail",
    "RecordNotFound",
    "SearchCancelled",
    "SearchHit",
    "name_key",
]
