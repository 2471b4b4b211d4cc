"""Printing a case summary: options, the role check, one read, redaction, one audit entry.

Who may print
    Team leads only (``PRINT_ROLES``). docs/domain.md, "Who uses it" gives printing case
    summaries to the team lead as what they do beyond a practitioner; a printed summary
    leaves the encrypted store, so practitioners and supervisors ask their team lead. The
    case must also be visible to the team lead (restricted cases: named staff only).

What is redacted (``SummaryOptions.redact``, on by default)
    A sharing decision whose categories include health or other special-category
    information (``InfoCategory.is_special_category``) or details of third parties
    (``InfoCategory.THIRD_PARTY``) has its free-text descriptions of the information
    itself replaced by a visible marker such as "[redacted: special-category details]":
    what was shared, received or not shared (``information_shared``), what was withheld
    (``withheld``), how the amount was limited (``minimisation_notes``) and what a
    requester asked for (``request_details``) and whose details were withheld to protect
    them (``protected_identities``; a record that names any counts as holding third-party
    details). The text of every amendment to such a
    record is replaced too (a correction may repeat the details); its reason and whether
    recipients were told stay. Everything else prints: the categories themselves,
    purpose, recipients, grounds, consent, the criteria and the reasons, because they are
    what the summary is for. Consent decisions carry no categories and are not redacted.
    The front page states "Redaction: on — ..." with this list, or that it is off.

Traceability
    Everything is read in ONE read transaction, including the audit chain head at that
    moment ("seq:shorthash", the *anchor*), which is printed on every page. After the PDF
    is built (and encrypted, if a password was given) ONE audit entry is written before the
    bytes are returned: ``record.print`` (preview or print) or ``record.export`` (save as
    PDF), target the case, detail codes only, e.g.
    ``summary;use=preview;records=12;redacted=1;sections=chronology+sharing;protected=0;anchor=341``.
    The anchor in the detail ties the paper to its audit entry. A cancelled or failed
    build writes nothing and releases nothing, except a preview whose first pages were
    already shown while the rest was laid out: its entry is written before those pages
    are handed over. Showing again, printing or saving bytes
    already built is audited with :func:`record_release`.

The UI drives :func:`build_case_summary` from a worker thread: ``progress(done, total)``
is called as work advances and ``cancelled()`` is polled; a cancel raises
``SummaryCancelled``.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import (
    ConsentRecord,
    ConsentRegister,
    consent_standing,
    describe_consent,
    ended_consents,
    relied_on,
)
from infoshare_desktop.domain.enums import InfoCategory, RecordKind
from infoshare_desktop.domain.fields import AMENDMENT_FORM, SHARING_DECISION_FORM
from infoshare_desktop.domain.identifier import describe_identifier
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import (
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.timeutil import format_date, to_local, utcnow
from infoshare_desktop.reports import (
    PROGRESS_TOTAL,
    AttachedRecord,
    CaseIdentity,
    ChronologyRow,
    PrintedRecord,
    ReportError,
    Section,
    Signatory,
    SignatureBlock,
    SummaryCancelled,
    SummaryDocument,
    collector,
    encrypt_pdf,
    password_problem,
    render_case_summary,
)
from infoshare_desktop.reports.case_summary import FULL_SECTIONS
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.services.identifiers import current_identifier
from infoshare_desktop.services.visibility import visible_case
from infoshare_desktop.store import audit, users
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import SignedIn, Store
from infoshare_desktop.store.tables import CaseFile, SavedRecord

__all__ = [
    "PRINT_ROLES",
    "PROGRESS_TOTAL",
    "REDACTED_FIELDS",
    "REDACTION_HELP",
    "InvalidSummaryOptions",
    "OutputUse",
    "ReportError",
    "Section",
    "Signatory",
    "SignatureBlock",
    "SummaryCancelled",
    "SummaryOptions",
    "build_case_summary",
    "check_can_print",
    "default_file_name",
    "record_release",
    "redact_sharing_decision",
    "redaction_marker",
    "save_pdf",
]

PRINT_ROLES = (Role.TEAM_LEAD,)
#: The free-text fields of a sharing decision that describe the information itself.
REDACTED_FIELDS = SHARING_DECISION_FORM.redactable()
REDACTION_ON = (
    "on — for sharing decisions involving health, other special-category or third-party "
    "information, the descriptions of what was shared, received, withheld or requested, "
    "the notes on minimisation, whose details were withheld to protect them, and the text "
    "of amendments to those records are replaced "
    "by a marker. Categories, purpose, recipients, grounds, consent, criteria and reasons "
    "are shown."
)
REDACTION_OFF = "off — every recorded detail is shown."
#: One sentence for the print dialog: what redaction removes.
REDACTION_HELP = (
    "Replaces the descriptions of health, other special-category and third-party "
    "information (what was shared, received, withheld or asked for, the minimisation notes, "
    "whose details were withheld to protect them, and the text of amendments to those "
    "records) with a visible marker."
)
SIGNATURE_TEXT = 120  #: longest name or role printed in a signature block

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
FirstPages = Callable[[bytes], None]


class OutputUse(StrEnum):
    """What the built summary is for (decides the audit action)."""

    PREVIEW = "preview"
    PRINT = "print"
    SAVE = "save"

    @property
    def action(self) -> Action:
        return Action.EXPORT if self is OutputUse.SAVE else Action.PRINT


class InvalidSummaryOptions(ServiceError):
    """The chosen options cannot produce a summary (the message says which)."""


@dataclass(frozen=True, kw_only=True)
class SummaryOptions:
    """What a team lead chooses in the print dialog."""

    date_from: date | None = None  #: first day (local) of the period, inclusive
    date_to: date | None = None  #: last day (local) of the period, inclusive
    sections: frozenset[Section] = frozenset(Section)
    redact: bool = True  #: third-party and special-category details replaced by a marker
    password: str | None = field(default=None, repr=False)  #: AES-256 when given
    #: signature blocks at the end (a SignatureBlock also prints a name and role in it)
    signatures: tuple[Signatory | SignatureBlock, ...] = ()
    include_other_identifiers: bool = False  #: print the case's other identifiers
    use: OutputUse = OutputUse.PREVIEW

    def problem(self) -> str | None:
        """Why these options cannot be used, or None."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            return "The start of the period is after its end."
        if not self.sections:
            return "Choose at least one section to print."
        if self.password is not None and self.password != "":
            return password_problem(self.password)
        for block in self.signature_blocks():
            if len(block.name) > SIGNATURE_TEXT or len(block.role) > SIGNATURE_TEXT:
                return (
                    f"A name or role in the {block.label.lower()} signature block is longer "
                    f"than {SIGNATURE_TEXT} characters."
                )
        return None

    def signature_blocks(self) -> tuple[SignatureBlock, ...]:
        """The signature blocks asked for, names and roles trimmed."""
        return tuple(
            SignatureBlock(s)
            if isinstance(s, Signatory)
            else SignatureBlock(s.signatory, s.name.strip(), s.role.strip())
            for s in self.signatures
        )


# -- redaction --------------------------------------------------------------------------------


def redaction_marker(categories: list[InfoCategory]) -> str | None:
    """The marker for a record of these categories, or None when nothing is redacted."""
    special = any(c.is_special_category for c in categories)
    third = InfoCategory.THIRD_PARTY in categories
    if special and third:
        return "[redacted: special-category and third-party details]"
    if special:
        return "[redacted: special-category details]"
    if third:
        return "[redacted: third-party details]"
    return None


def redact_sharing_decision(
    draft: SharingDecisionDraft,
) -> tuple[SharingDecisionDraft, str | None]:
    """A copy with ``REDACTED_FIELDS`` replaced by the marker (non-empty ones only)."""
    marker = redaction_marker(_redaction_categories(draft))
    if marker is None:
        return draft, None
    changes: dict[str, Any] = {name: marker for name in REDACTED_FIELDS if getattr(draft, name)}
    return replace(draft, **changes), marker


def _redaction_categories(draft: SharingDecisionDraft) -> list[InfoCategory]:
    """The record's categories; one that protects someone's identity (whose details were
    withheld from whom) holds third-party details whether or not that box was ticked."""
    if draft.protected_identities and InfoCategory.THIRD_PARTY not in draft.categories:
        return [*draft.categories, InfoCategory.THIRD_PARTY]
    return list(draft.categories)


# -- gathering (one read transaction) --------------------------------------------------------


def _short(record_id: str | None) -> str:
    return (record_id or "")[:8]


def _in_period(at: datetime, options: SummaryOptions) -> bool:
    day = to_local(at).date()
    if options.date_from and day < options.date_from:
        return False
    return not (options.date_to and day > options.date_to)


def _period_text(options: SummaryOptions) -> str:
    if options.date_from and options.date_to:
        return f"{format_date(options.date_from)} to {format_date(options.date_to)}"
    if options.date_from:
        return f"From {format_date(options.date_from)}"
    if options.date_to:
        return f"Up to {format_date(options.date_to)}"
    return "All records"


def _standing_text(record_id: str, consents: Sequence[ConsentRecord], now: datetime) -> str:
    """Where a consent decision stands at the time of printing (the domain's one rule)."""
    standing = consent_standing(record_id, consents, now)
    return standing.phrase() if standing is not None else ""


def _relied_on_text(
    draft: SharingDecisionDraft, row: SavedRecord, consents: Sequence[ConsentRecord], now: datetime
) -> str:
    """The consent a sharing decision relied on, for people: who, what, when, and where it
    stood when the sharing happened (and whether it has ended since)."""
    found = relied_on(
        draft.consent_decision_id,
        consents,
        happened_at=draft.occurred_at or row.occurred_at,
        now=now,
    )
    if found is None:
        return ""
    return f"{describe_consent(found.consent)} ({found.phrase()})"


@dataclass
class _Gathered:
    document: SummaryDocument
    records: int
    redacted: int


def _gather(store: Store, *, case_id: str, options: SummaryOptions, printed_by: str) -> _Gathered:
    """Read the case, its records, their authors and the audit head in one transaction."""
    with store.read() as session:
        case: CaseFile = sealed.opened_case(store, session, visible_case(session, store, case_id))
        rows = [
            sealed.opened_record(store, session, r) for r in record_rows.of_case(session, case_id)
        ]
        names = users.display_names(session, {r.author_id for r in rows})
        head = audit.chain_head(session)
        identifier = current_identifier(session, case_id, store=store)
    now = utcnow()
    gathered = _assemble(case, list(rows), names, head.short, options, printed_by, now)
    shown = identifier.text() if identifier else describe_identifier(None)
    gathered.document = replace(
        gathered.document,
        case=replace(gathered.document.case, identifier=shown),
        root_fingerprint=store.root_fingerprint,
    )
    return gathered


def _assemble(
    case: CaseFile,
    rows: list[SavedRecord],
    names: dict[str, str],
    anchor: str,
    options: SummaryOptions,
    printed_by: str,
    now: datetime,
) -> _Gathered:
    """Filter, parse, redact and arrange what was read (no store access)."""
    by_id = {r.id: r for r in rows}
    primary_kinds = {kind.value for kind, spec in KINDS.items() if not spec.targets_record}
    in_period = {
        r.id for r in rows if r.kind in primary_kinds and _in_period(r.occurred_at, options)
    }
    # Amendments and reviews follow their record: one of an included record is included
    # whatever its own date; one of a record outside the period only if it is in it.
    included: list[SavedRecord] = []
    for r in rows:
        if r.id in in_period or (
            r.kind not in primary_kinds
            and (r.target_id in in_period or _in_period(r.occurred_at, options))
        ):
            included.append(r)

    def author(row: SavedRecord) -> str:
        return names.get(row.author_id, "unknown")

    markers: dict[str, str] = {}
    sharing_drafts: dict[str, SharingDecisionDraft] = {}
    consent_drafts: dict[str, ConsentDecisionDraft] = {}
    other_drafts: dict[str, Draft] = {}
    for r in rows:
        found = KINDS.get(RecordKind(r.kind))
        if (
            found is not None
            and found.printable
            and found.kind not in FULL_SECTIONS
            and r.id in in_period
        ):
            other_drafts[r.id] = found.draft.from_dict(json.loads(r.payload))
        if r.kind == RecordKind.SHARING_DECISION.value and r.id in in_period:
            draft = SharingDecisionDraft.from_dict(json.loads(r.payload))
            if options.redact:
                draft, marker = redact_sharing_decision(draft)
                if marker:
                    markers[r.id] = marker
            sharing_drafts[r.id] = draft
        elif r.kind == RecordKind.CONSENT_DECISION.value:
            consent_drafts[r.id] = ConsentDecisionDraft.from_dict(json.loads(r.payload))

    amendments: dict[str, list[AttachedRecord]] = {}
    reviews: dict[str, list[AttachedRecord]] = {}
    detached: list[AttachedRecord] = []
    redacted_attached = 0
    want_amendments = Section.AMENDMENTS in options.sections
    want_reviews = Section.REVIEWS in options.sections
    printed_ids = set()
    if Section.SHARING in options.sections:
        printed_ids |= set(sharing_drafts)
    if Section.CONSENT in options.sections:
        printed_ids |= {i for i in consent_drafts if i in in_period}
    if Section.OTHERS in options.sections:
        printed_ids |= set(other_drafts)
    for r in sorted(included, key=lambda row: row.recorded_at):
        if r.kind == RecordKind.AMENDMENT.value and want_amendments:
            content: AmendmentDraft | ReviewDraft = AmendmentDraft.from_dict(json.loads(r.payload))
            bucket = amendments
        elif r.kind == RecordKind.REVIEW.value and want_reviews:
            content = ReviewDraft.from_dict(json.loads(r.payload))
            bucket = reviews
        else:
            continue
        marker = markers.get(r.target_id or "") if isinstance(content, AmendmentDraft) else None
        if (
            marker is None
            and options.redact
            and isinstance(content, AmendmentDraft)
            and r.target_id in by_id
            and by_id[r.target_id].kind == RecordKind.SHARING_DECISION.value
            and r.target_id not in sharing_drafts
        ):
            # The amended record is outside the period: judge it from its own categories.
            target = SharingDecisionDraft.from_dict(json.loads(by_id[r.target_id].payload))
            marker = redaction_marker(_redaction_categories(target))
        redacted_attached += bool(marker)
        if marker and isinstance(content, AmendmentDraft):  # only amendments are redacted
            hidden: dict[str, Any] = dict.fromkeys(AMENDMENT_FORM.redactable(), marker)
            content = replace(content, **hidden)
        item = AttachedRecord(
            ref=_short(r.id),
            target_ref=_short(r.target_id),
            recorded_at=r.recorded_at,
            author=author(r),
            content=content,
            redacted=marker,
        )
        if r.target_id in printed_ids:
            bucket.setdefault(r.target_id or "", []).append(item)
        else:
            detached.append(item)

    case_consents = ConsentRegister(
        ConsentRecord(
            record_id=r.id,
            decision=consent_drafts[r.id],
            occurred_at=r.occurred_at,
            recorded_at=r.recorded_at,
        )
        for r in rows
        if r.id in consent_drafts
    )
    consents_by_id = {c.record_id: c for c in case_consents}
    sharing: list[PrintedRecord] = []
    consents: list[PrintedRecord] = []
    others: list[PrintedRecord] = []
    for r in included:
        if r.id in other_drafts and r.id in printed_ids:
            others.append(
                PrintedRecord(
                    ref=_short(r.id),
                    occurred_at=r.occurred_at,
                    recorded_at=r.recorded_at,
                    late=r.late,
                    author=author(r),
                    content=other_drafts[r.id],
                    amendments=tuple(amendments.get(r.id, ())),
                    reviews=tuple(reviews.get(r.id, ())),
                )
            )
        if r.id in sharing_drafts and Section.SHARING in options.sections:
            draft = sharing_drafts[r.id]
            sharing.append(
                PrintedRecord(
                    ref=_short(r.id),
                    occurred_at=r.occurred_at,
                    recorded_at=r.recorded_at,
                    late=r.late,
                    author=author(r),
                    content=draft,
                    redacted=markers.get(r.id),
                    relied_on_ref=_short(draft.consent_decision_id),
                    relied_on=_relied_on_text(draft, r, case_consents, now),
                    amendments=tuple(amendments.get(r.id, ())),
                    reviews=tuple(reviews.get(r.id, ())),
                )
            )
        elif r.id in consent_drafts and r.id in printed_ids:
            c = consent_drafts[r.id]
            consents.append(
                PrintedRecord(
                    ref=_short(r.id),
                    occurred_at=r.occurred_at,
                    recorded_at=r.recorded_at,
                    late=r.late,
                    author=author(r),
                    content=c,
                    status=_standing_text(r.id, case_consents, now),
                    relied_on_ref=", ".join(_short(i) for i in c.supersedes_ids),
                    relied_on="; ".join(
                        f"{describe_consent(e)} (ref {_short(e.record_id)})"
                        for e in ended_consents(consents_by_id[r.id], case_consents)
                    ),
                    amendments=tuple(amendments.get(r.id, ())),
                    reviews=tuple(reviews.get(r.id, ())),
                )
            )

    chronology = (
        tuple(
            ChronologyRow(
                ref=_short(r.id),
                kind=RecordKind(r.kind),
                occurred_at=r.occurred_at,
                recorded_at=r.recorded_at,
                late=r.late,
                summary=r.summary,
                author=author(r),
            )
            for r in included
        )
        if Section.CHRONOLOGY in options.sections
        else ()
    )
    document = SummaryDocument(
        case=CaseIdentity(
            display_name=case.display_name,
            case_reference=case.case_reference,
            date_of_birth=case.date_of_birth,
            restricted=case.restricted,
            other_identifiers=case.other_identifiers if options.include_other_identifiers else "",
        ),
        printed_by=printed_by,
        printed_at=now,
        anchor=anchor,
        period=_period_text(options),
        sections=frozenset(options.sections),
        redaction=REDACTION_ON if options.redact else REDACTION_OFF,
        counts=_counts(included),
        chronology=chronology,
        sharing=tuple(sharing),
        consents=tuple(consents),
        others=tuple(others),
        detached=tuple(detached),
        signatures=options.signature_blocks(),
        protected=bool(options.password),
    )
    redacted = len(markers) + redacted_attached
    return _Gathered(document, len(included), redacted)


def _counts(rows: list[SavedRecord]) -> tuple[tuple[str, str], ...]:
    kinds = Counter(r.kind for r in rows)
    counts = [("Records in this summary", str(len(rows)))]
    for kind, spec in KINDS.items():
        total = kinds[kind.value]
        if spec.subkinds is not None and total:
            subkinds = Counter(r.subkind for r in rows if r.kind == kind.value)
            breakdown = ", ".join(
                f"{k.label.split(' (')[0].lower()} {subkinds[k.value]}"
                for k in spec.subkinds
                if subkinds[k.value]
            )
            counts.append((spec.plural, f"{total} ({breakdown})"))
        else:
            counts.append((spec.plural, str(total)))
    return (
        *counts,
        ("Late entries", str(sum(1 for r in rows if r.late))),
        ("Shared without consent", str(sum(1 for r in rows if r.without_consent))),
        ("Significant-harm concern marked", str(sum(1 for r in rows if r.harm_concern))),
    )


# -- the use case ------------------------------------------------------------------------------


def _detail(
    options: SummaryOptions, *, records: int | None, redacted: int | None, anchor: str
) -> str:
    parts = ["summary", f"use={options.use.value}"]
    if records is not None:
        parts.append(f"records={records}")
    if redacted is not None:
        parts.append(f"redacted={redacted}")
    parts.append("sections=" + "+".join(s.value for s in Section if s in options.sections))
    parts.append(f"protected={int(bool(options.password))}")
    parts.append(f"anchor={anchor.split(':', 1)[0]}")
    return ";".join(parts)[:200]


def check_can_print(store: Store) -> None:
    """Raise PermissionDenied unless the signed-in user may print case summaries (the UI
    asks before offering the options, so no one fills them in for nothing)."""
    require(store, *PRINT_ROLES)


def build_case_summary(
    store: Store,
    *,
    case_id: str,
    options: SummaryOptions,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    first_pages: FirstPages | None = None,
) -> bytes:
    """The case summary as PDF bytes, audited before they are returned.

    Raises PermissionDenied (not a team lead), CaseNotFound, InvalidSummaryOptions,
    SummaryCancelled (``cancelled()`` returned True: nothing returned) or ReportError.
    ``progress(done, total)`` reports work done (total is PROGRESS_TOTAL).

    With ``first_pages`` (a preview), a PDF of the first pages of a long summary is
    handed to it while the rest is laid out (see reports.case_summary); the audit entry
    is then written before those pages are handed over (they are on screen from then
    on), and a build cancelled after that is audited as what was shown.
    """
    user = require(store, *PRINT_ROLES)
    problem = options.problem()
    if problem:
        raise InvalidSummaryOptions(problem)
    if cancelled is not None and cancelled():
        raise SummaryCancelled()
    with collector.paused():
        return _build_case_summary(
            store,
            user=user,
            case_id=case_id,
            options=options,
            progress=progress,
            cancelled=cancelled,
            first_pages=first_pages,
        )


def _build_case_summary(
    store: Store,
    *,
    user: SignedIn,
    case_id: str,
    options: SummaryOptions,
    progress: Progress | None,
    cancelled: Cancelled | None,
    first_pages: FirstPages | None,
) -> bytes:
    gathered = _gather(store, case_id=case_id, options=options, printed_by=user.display_name)
    audited = False

    def audit_once() -> None:
        nonlocal audited
        if cancelled is not None and cancelled():
            raise SummaryCancelled()
        if audited:
            return
        with store.write() as session:
            audit.append(
                session,
                actor_id=user.user_id,
                action=options.use.action,
                target_kind="case",
                target_id=case_id,
                detail=_detail(
                    options,
                    records=gathered.records,
                    redacted=gathered.redacted,
                    anchor=gathered.document.anchor,
                ),
            )
        audited = True

    def protected(data: bytes) -> bytes:
        return encrypt_pdf(data, options.password) if options.password else data

    def hand_over_first(data: bytes) -> None:
        data = protected(data)
        audit_once()
        assert first_pages is not None
        first_pages(data)

    data = render_case_summary(
        gathered.document,
        progress=progress,
        cancelled=cancelled,
        first_pages=hand_over_first if first_pages is not None else None,
    )
    data = protected(data)
    audit_once()
    return data


def record_release(store: Store, *, case_id: str, options: SummaryOptions) -> None:
    """Audit printing or saving a summary already built (e.g. after its preview).

    Call it, with ``options.use`` set to PRINT or SAVE, before handing the bytes on.
    """
    user = require(store, *PRINT_ROLES)
    with store.write() as session:
        visible_case(session, store, case_id)
        head = audit.chain_head(session)
        audit.append(
            session,
            actor_id=user.user_id,
            action=options.use.action,
            target_kind="case",
            target_id=case_id,
            detail=_detail(options, records=None, redacted=None, anchor=head.short) + ";again=1",
        )


def default_file_name(now: datetime | None = None) -> str:
    """A file name with no personal data (no name, no case reference): the local time only,
    e.g. ``case-summary-20260303-1005.pdf``."""
    local = to_local(now or utcnow())
    return f"case-summary-{local:%Y%m%d-%H%M}.pdf"


def save_pdf(data: bytes, path: Path | str) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, fsync,
    rename), readable only by the user. A reader never sees a half-written file."""
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".case-summary-", suffix=".part")
    except OSError as exc:
        raise ReportError(f"The PDF could not be saved in {folder}: {exc.strerror}.") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        try:
            dir_fd = os.open(folder, os.O_RDONLY)
        except OSError:
            pass  # some platforms cannot open a folder; the rename is still atomic
        else:
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"The PDF could not be saved as {target.name}: {exc.strerror}.") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
