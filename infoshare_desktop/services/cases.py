"""Cases: creating them, listing and searching them, and reading what they hold.

Opening a case and reading a record's details are audited ("who saw what"); search
results are filtered to the cases the user may see before any text leaves the store.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

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
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import (
    CaseDraft,
    ConsentDecisionDraft,
    Draft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.reviews import ReviewStatus
from infoshare_desktop.domain.timeutil import format_local, utcnow
from infoshare_desktop.services.access import require
from infoshare_desktop.services.consents import consent_records
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.records import RecordNotFound, load_record, search_text
from infoshare_desktop.services.reviews import review_states
from infoshare_desktop.services.visibility import visible_case, visible_clause
from infoshare_desktop.store import audit
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import (
    CaseFile,
    CaseMember,
    CaseStats,
    SavedRecord,
    UserAccount,
)

DRAFT_TYPES: dict[str, type[Draft]] = {kind.value: spec.draft for kind, spec in KINDS.items()}
#: Marks around the matching words in a search snippet (control characters never occur
#: in saved text, so the UI can escape the snippet and then turn these into emphasis).
MATCH_START, MATCH_END = "\x02", "\x03"


class PossibleDuplicate(ServiceError):
    """A case with the same name and date of birth exists; ask before creating another."""

    def __init__(self, matches: list[CaseSummary]) -> None:
        self.matches = matches
        refs = ", ".join(m.case_reference for m in matches)
        super().__init__(
            f"A case with the same name and date of birth already exists ({refs}). "
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


def badges_for(*, amended: bool, status: ReviewStatus | None) -> tuple[str, ...]:
    """The badges of a record that has (or has not) been amended and has ``status``."""
    words = [AMENDED] if amended else []
    if status in BADGE_WORDS:
        words.append(BADGE_WORDS[status])
    return tuple(words)


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
    score: float
    date_of_birth: date | None = None  # so two children of the same name can be told apart


def name_key(display_name: str) -> str:
    """A folded name for the duplicate check: case, accents and spacing ignored."""
    folded = unicodedata.normalize("NFKD", display_name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.split())


# -- creating ------------------------------------------------------------------------------


def possible_duplicates(
    store: Store, *, display_name: str, date_of_birth: date | None
) -> list[CaseSummary]:
    user = require(store, *CASE_ROLES)
    if date_of_birth is None:
        return []
    with store.read() as session:
        rows = session.exec(
            select(CaseFile).where(
                CaseFile.name_key == name_key(display_name),
                CaseFile.date_of_birth == date_of_birth,
                visible_clause(user.user_id),
            )
        ).all()
    return [_summary(row) for row in rows]


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
        if matches:
            raise PossibleDuplicate(matches)
    case_id, now = str(uuid.uuid4()), utcnow()
    with store.write() as session:
        session.add(
            CaseFile(
                id=case_id,
                display_name=clean.display_name,
                name_key=name_key(clean.display_name),
                date_of_birth=clean.date_of_birth,
                case_reference=clean.case_reference,
                other_identifiers=clean.other_identifiers,
                restricted=clean.restricted,
                created_at=now,
                created_by=user.user_id,
            )
        )
        session.flush()
        session.add(
            CaseMember(case_id=case_id, user_id=user.user_id, added_at=now, added_by=user.user_id)
        )
        reference_joined = re.sub(r"[\W_]+", "", clean.case_reference)
        session.connection().exec_driver_sql(
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
            (case_id, "\n".join([search_text(clean), reference_joined])),
        )
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
    """Name another member of staff on a (restricted) case."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        visible_case(session, store, case_id)
        if session.get(CaseMember, (case_id, user_id)) is None:
            session.add(
                CaseMember(
                    case_id=case_id, user_id=user_id, added_at=utcnow(), added_by=user.user_id
                )
            )
            audit.append(
                session,
                actor_id=user.user_id,
                action=Action.SETTING_CHANGE,
                target_kind="case",
                target_id=case_id,
                detail="member_added",
            )


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


SORT_KEYS: dict[str, Any] = {
    "reference": col(CaseFile.case_reference),
    "name": col(CaseFile.name_key),
    "date_of_birth": col(CaseFile.date_of_birth),
    "created": col(CaseFile.created_at),
}


def count_cases(store: Store) -> int:
    user = require(store, *CASE_ROLES)
    with store.read() as session:
        return session.exec(
            select(func.count()).select_from(CaseFile).where(visible_clause(user.user_id))
        ).one()


def list_cases(
    store: Store,
    *,
    offset: int = 0,
    limit: int = 100,
    sort: str = "last_activity",
    descending: bool = True,
) -> list[CaseSummary]:
    """One page of the user's cases, with activity counts and flags."""
    user = require(store, *CASE_ROLES)
    stats = CaseStats
    order = {
        "last_activity": col(stats.last_activity),
        "records": col(stats.records),
    }.get(sort) or SORT_KEYS.get(sort, col(CaseFile.case_reference))
    order_by = order.desc() if descending else order.asc()
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel's select() takes 4 columns at most
            CaseFile, stats.records, stats.last_activity, stats.late_entries, stats.harm_concern
        )
        .join(stats, col(stats.case_id) == col(CaseFile.id), isouter=True)
        .where(visible_clause(user.user_id))
        .order_by(order_by.nulls_last(), CaseFile.case_reference)
        .offset(offset)
        .limit(limit)
    )
    with store.read() as session:
        rows = session.exec(query).all()
    return [
        _summary(case, n or 0, _aware(last), late or 0, bool(harm))
        for case, n, last, late, harm in rows
    ]


def _aware(value: datetime | str | None) -> datetime | None:
    """Aggregates come back from SQLite as text; make them aware UTC datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


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
    return _summary(case)


def _author_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(UserAccount.id, UserAccount.display_name).where(col(UserAccount.id).in_(ids))
    )
    return dict(rows.all())


def chronology(store: Store, *, case_id: str) -> list[ChronologyEntry]:
    """Every record of the case in the order things happened, with when each was recorded."""
    with store.read() as session:
        visible_case(session, store, case_id)
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel's select() takes 4 columns at most
                SavedRecord.id,
                SavedRecord.kind,
                SavedRecord.subkind,
                SavedRecord.summary,
                SavedRecord.occurred_at,
                SavedRecord.recorded_at,
                SavedRecord.late,
                SavedRecord.author_id,
                SavedRecord.target_id,
            )
            .where(SavedRecord.case_id == case_id)
            .order_by(SavedRecord.occurred_at, SavedRecord.recorded_at)
        ).all()
        names = _author_names(session, {r[7] for r in rows})
        states = review_states(
            session, [r for r in rows if r[1] == RecordKind.SHARING_DECISION.value]
        )
    amended = {r[8] for r in rows if r[1] == RecordKind.AMENDMENT.value}
    by_id = {r[0]: r for r in rows}
    entries = []
    for r in rows:
        state = states.get(r[0])
        target = by_id.get(r[8]) if r[1] == RecordKind.AMENDMENT.value else None
        entries.append(
            ChronologyEntry(
                record_id=r[0],
                kind=RecordKind(r[1]),
                subkind=r[2],
                summary=r[3],
                occurred_at=r[4],
                recorded_at=r[5],
                late=r[6],
                author_name=names.get(r[7], "unknown"),
                target_id=r[8],
                author_id=r[7],
                badges=badges_for(amended=r[0] in amended, status=state.status if state else None),
                corrects=corrects_line(target[3], target[4]) if target else "",
            )
        )
    return entries


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
        content=DRAFT_TYPES[row.kind].from_dict(json.loads(row.payload)),
    )


def record_detail(store: Store, *, record_id: str) -> RecordDetail:
    """A record as saved, with its amendments and reviews in order; audited as a view."""
    user = require(store, *CASE_ROLES)
    with store.write() as session:
        row = load_record(session, record_id)
        visible_case(session, store, row.case_id)
        related = session.exec(
            select(SavedRecord)
            .where(SavedRecord.target_id == record_id)
            .order_by(col(SavedRecord.recorded_at))
        ).all()
        names = _author_names(session, {row.author_id, *(r.author_id for r in related)})
        status = None
        if row.kind == RecordKind.SHARING_DECISION.value:
            status = review_states(session, [row])[row.id].status
        target = session.get(SavedRecord, row.target_id) if row.target_id else None
        consents = consent_records(session, row.case_id)
        audit.append(
            session,
            actor_id=user.user_id,
            action=Action.VIEW,
            target_kind=row.kind,
            target_id=record_id,
        )
    detail = _detail(row, names)
    detail.badges = badges_for(
        amended=any(r.kind == RecordKind.AMENDMENT for r in related), status=status
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
        consents = consent_records(session, case_id)
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

_WORD = re.compile(r"\w+", re.UNICODE)
TOP_ROWS = 1000


def fts_query(user_text: str) -> str | None:
    """Turn what the user typed into a safe FTS5 query: every word, as a prefix."""
    words = _WORD.findall(user_text)[:12]
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def search(store: Store, *, query: str, limit: int = 50) -> list[SearchHit]:
    """Cases matching every word typed (names, references, record text), best first,
    each with the snippet that matched. Only cases the user may see are considered."""
    user = require(store, *CASE_ROLES)
    match = fts_query(query)
    if match is None:
        return []
    # FTS5 ranks the best matching rows cheaply (ORDER BY rank LIMIT); the case of each
    # row, the visibility filter and the snippets are then computed for those rows only.
    # A case whose only match ranks below the best TOP_ROWS rows is left out: for a word
    # found in thousands of records the list shows the strongest matches.
    sql = text(
        """
        WITH top AS MATERIALIZED (
            SELECT rowid AS row_id, rank AS score
            FROM search_index WHERE search_index MATCH :match
            ORDER BY rank LIMIT :top_rows
        ), visible AS (
            SELECT s.case_id AS case_id, t.row_id AS row_id, t.score AS score
            FROM top AS t JOIN search_index AS s ON s.rowid = t.row_id
            WHERE s.case_id IN (
                SELECT id FROM case_file WHERE restricted = 0
                UNION SELECT case_id FROM case_member WHERE user_id = :user)
        ), best AS (
            SELECT case_id, row_id, min(score) AS score
            FROM visible GROUP BY case_id ORDER BY score LIMIT :limit
        )
        SELECT b.case_id, c.display_name, c.case_reference,
               snippet(search_index, 2, :start, :end, '…', 12), b.score, c.date_of_birth
        FROM best AS b
        JOIN search_index ON search_index.rowid = b.row_id
        JOIN case_file AS c ON c.id = b.case_id
        WHERE search_index MATCH :match
        ORDER BY b.score
        """
    )
    params = {
        "start": MATCH_START,
        "end": MATCH_END,
        "match": match,
        "user": user.user_id,
        "limit": limit,
        "top_rows": TOP_ROWS,
    }
    with store.read() as session:
        rows = session.connection().execute(sql, params).all()
    return [SearchHit(r[0], r[1], r[2], r[3].replace("\n", " "), r[4], _day(r[5])) for r in rows]


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


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
    "SearchHit",
]
