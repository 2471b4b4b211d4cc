"""Plain data objects a case summary is built from (no store, no Qt).

The service layer fills these in one read transaction, after redaction; the report only
lays them out. Record contents are the domain's own drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import AmendmentDraft, Draft, ReviewDraft


class Section(StrEnum):
    """Parts of a case summary a team lead can choose."""

    CHRONOLOGY = "chronology"
    SHARING = "sharing"
    CONSENT = "consent"
    OTHERS = "others"  #: every other kind printed in full (domain.kinds), e.g. advice
    REVIEWS = "reviews"
    AMENDMENTS = "amendments"

    @property
    def label(self) -> str:
        return _SECTION_LABELS[self]


_SECTION_LABELS = {
    Section.CHRONOLOGY: "Chronology",
    Section.SHARING: "Sharing decisions in full",
    Section.CONSENT: "Consent decisions",
    Section.OTHERS: "Other records in full: "
    + ", ".join(
        spec.plural.lower()
        for kind, spec in KINDS.items()
        if spec.printable and kind not in (RecordKind.SHARING_DECISION, RecordKind.CONSENT_DECISION)
    ),
    Section.REVIEWS: "Reviews",
    Section.AMENDMENTS: "Amendments",
}


class Signatory(StrEnum):
    """Signature blocks that can close a summary."""

    PRACTITIONER = "practitioner"
    TEAM_LEAD = "team_lead"
    RECIPIENT = "recipient"

    @property
    def label(self) -> str:
        return _SIGNATORY_LABELS[self]


_SIGNATORY_LABELS = {
    Signatory.PRACTITIONER: "Practitioner",
    Signatory.TEAM_LEAD: "Team lead",
    Signatory.RECIPIENT: "Received by (hand-over copy)",
}


@dataclass(frozen=True)
class SignatureBlock:
    """A signature block; a name and role given here print in it, otherwise the lines
    are left blank to be filled in by hand."""

    signatory: Signatory
    name: str = ""
    role: str = ""

    @property
    def label(self) -> str:
        return self.signatory.label


@dataclass(frozen=True, kw_only=True)
class CaseIdentity:
    """The case's identity block (kept minimal)."""

    display_name: str
    case_reference: str
    date_of_birth: date | None = None
    restricted: bool = False
    other_identifiers: str = ""  #: printed only when the team lead asked for it
    identifier: str = ""  #: the consistent identifier in words (s16LC), always printed


@dataclass(frozen=True, kw_only=True)
class ChronologyRow:
    """One line of the chronology table."""

    ref: str
    kind: RecordKind
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    summary: str
    author: str


@dataclass(frozen=True, kw_only=True)
class AttachedRecord:
    """An amendment or review, printed under the record it belongs to."""

    ref: str
    target_ref: str
    recorded_at: datetime
    author: str
    content: AmendmentDraft | ReviewDraft
    redacted: str | None = None  #: the marker, when its text was redacted


@dataclass(frozen=True, kw_only=True)
class PrintedRecord:
    """A record printed in full (a sharing or consent decision, advice...), with what was
    added to it since."""

    ref: str
    occurred_at: datetime
    recorded_at: datetime
    late: bool
    author: str
    content: Draft
    redacted: str | None = None  #: the marker, when details were redacted
    status: str = ""  #: consent decisions: where it stands when printed ("withdrawn on ...")
    relied_on_ref: str = ""  #: sharing decisions: short ref of the consent relied on
    relied_on: str = ""  #: sharing decisions: that consent in words, and where it stood
    amendments: tuple[AttachedRecord, ...] = ()
    reviews: tuple[AttachedRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SummaryDocument:
    """Everything a case summary shows, already filtered and redacted."""

    case: CaseIdentity
    printed_by: str
    printed_at: datetime
    anchor: str  #: audit chain head, "seq:shorthash"
    #: The store's root of trust as eight words (None before signed accounts).
    root_fingerprint: str | None = None
    period: str  #: e.g. "All records" or "1 Jan 2026 to 31 Mar 2026"
    sections: frozenset[Section]
    redaction: str  #: the front-page statement, e.g. "on — ..."
    counts: tuple[tuple[str, str], ...] = ()
    chronology: tuple[ChronologyRow, ...] = ()
    sharing: tuple[PrintedRecord, ...] = ()
    consents: tuple[PrintedRecord, ...] = ()
    others: tuple[PrintedRecord, ...] = ()  #: records of other printable kinds, e.g. advice
    detached: tuple[AttachedRecord, ...] = ()  #: reviews/amendments of records not in full
    signatures: tuple[SignatureBlock, ...] = ()
    protected: bool = False
    marking: str = "OFFICIAL-SENSITIVE"
