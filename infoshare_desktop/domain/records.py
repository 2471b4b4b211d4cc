"""Drafts of every record kind: what a form holds before the record is saved.

Drafts are mutable and every field has a default, so an empty form is a valid draft.
``to_dict``/``from_dict`` give a JSON-ready round trip that tolerates missing and unknown
keys, so stored drafts survive schema growth. ``cleaned()`` returns a copy whose text has
passed :func:`~infoshare_desktop.domain.text.clean_text` (raising InvalidTextError).
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

from infoshare_desktop.domain.enums import (
    AmendmentReason,
    Confidentiality,
    ConsentFrom,
    ConsentHow,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    FactOrOpinion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    NotSoughtReason,
    OrganisationType,
    PublicInterestCircumstance,
    Rating,
    ReplyOutcome,
    RequestSource,
    ReviewOutcome,
    ServiceAgreement,
    SharingKind,
    Urgency,
)
from infoshare_desktop.domain.errors import InvalidTextError
from infoshare_desktop.domain.identifier import IdentifierReason
from infoshare_desktop.domain.rules import default_reply_due
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, clean_text
from infoshare_desktop.domain.timeutil import ensure_utc, to_local

__all__ = [
    "AdviceDraft",
    "AmendmentDraft",
    "CaseDraft",
    "ConsentDecisionDraft",
    "CriterionRationale",
    "Draft",
    "Recipient",
    "RecordLink",
    "RequestDraft",
    "RequestReplyDraft",
    "ReviewDraft",
    "SharingDecisionDraft",
    "field_label",
    "validate_texts",
]


def _text(label: str, max_length: int = MEDIUM_TEXT) -> Any:
    """A free-text field: default "", cleaned with ``label`` and ``max_length``."""
    return field(default="", metadata={"label": label, "max_length": max_length})


# ---- serialisation ---------------------------------------------------------------


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A draft class's field names, in order (dataclasses.fields is slow to ask each time)."""
    return tuple(f.name for f in fields(cls))


def _encode(value: Any) -> Any:
    """JSON-ready form of a draft value: enums as values, datetimes ISO UTC, dates ISO."""
    if type(value) in _PLAIN:  # exactly these types: a str enum is not one of them
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Draft):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(_encode(key)): _encode(item) for key, item in value.items()}
    return value


def _decode(raw: Any, hint: Any) -> Any:
    """Rebuild a value of type ``hint`` from its JSON form; raise ValueError/TypeError."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if raw is None:
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _decode(raw, inner)
    if origin is list:
        if not isinstance(raw, list):
            raise TypeError("expected a list")
        (item_hint,) = get_args(hint)
        return [item for item in (_try_decode(r, item_hint) for r in raw) if item is not _SKIP]
    if origin is dict:
        if not isinstance(raw, dict):
            raise TypeError("expected a mapping")
        key_hint, value_hint = get_args(hint)
        out = {}
        for raw_key, raw_value in raw.items():
            key, value = _try_decode(raw_key, key_hint), _try_decode(raw_value, value_hint)
            if key is not _SKIP and value is not _SKIP:
                out[key] = value
        return out
    if isinstance(hint, type) and issubclass(hint, Draft):
        if not isinstance(raw, Mapping):
            raise TypeError("expected a mapping")
        return hint.from_dict(raw)
    if not isinstance(raw, str) and hint is not bool:
        raise TypeError("expected text")
    if hint is datetime:
        parsed = datetime.fromisoformat(raw)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if hint is date:
        return date.fromisoformat(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise TypeError("expected true or false")
        return raw
    if hint is str:
        return raw
    raise TypeError(f"unsupported field type {hint!r}")


_SKIP = object()


def _try_decode(raw: Any, hint: Any) -> Any:
    """Decode one list item or mapping entry; unreadable ones (e.g. a retired choice) drop."""
    try:
        return _decode(raw, hint)
    except (TypeError, ValueError):
        return _SKIP


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


class Draft:
    """Behaviour shared by every draft dataclass: serialisation and text cleaning."""

    #: Every subclass is a dataclass; this tells the type checker so.
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        klass: type = type(self)  # the cache's key (mypy does not see type[Self] as hashable)
        return {name: _encode(getattr(self, name)) for name in _field_names(klass)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a draft; missing or unreadable values take defaults, unknown keys are ignored."""
        klass: type = cls  # the cache's key (mypy does not see type[Self] as hashable)
        hints = _hints(klass)
        values: dict[str, Any] = {}
        if isinstance(data, Mapping):
            for f in fields(cls):
                if f.name in data:
                    value = _try_decode(data[f.name], hints[f.name])
                    if value is not _SKIP:
                        values[f.name] = value
        return cls(**values)

    def cleaned(self) -> Self:
        """A copy with every text passed through clean_text and datetimes in UTC."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            max_length = f.metadata.get("max_length")
            if max_length is not None:
                label = f.metadata["label"]
                if f.default_factory is list:
                    items = value if isinstance(value, list | tuple) else []
                    changes[f.name] = [
                        clean_text(item, field=f.name, label=label, max_length=max_length)
                        for item in items
                    ]
                else:
                    changes[f.name] = clean_text(
                        value, field=f.name, label=label, max_length=max_length
                    )
            elif isinstance(value, datetime):
                changes[f.name] = ensure_utc(value)
        return dataclasses.replace(self, **changes)


def validate_texts[D: Draft](draft: D) -> D:
    """Function form of ``draft.cleaned()``: a cleaned copy, or InvalidTextError."""
    return draft.cleaned()


def field_label(cls: type[Draft], name: str) -> str:
    """The plain-language label of a text field (its name in words for other fields)."""
    for f in fields(cls):
        if f.name == name:
            return str(f.metadata.get("label", name.replace("_", " ")))
    raise KeyError(name)


# ---- drafts ------------------------------------------------------------------------


@dataclass(kw_only=True)
class Recipient(Draft):
    """A recipient of shared information (or the source, for information received)."""

    name: str = _text("recipient's name", SHORT_TEXT)  #: person's name
    role: str = _text("recipient's role", SHORT_TEXT)  #: their role, e.g. "duty social worker"
    organisation: str = _text("recipient's organisation", SHORT_TEXT)  #: their organisation
    #: what kind of organisation (the duty to share); None for one saved before it was asked
    organisation_type: OrganisationType | None = None


@dataclass(kw_only=True)
class CriterionRationale(Draft):
    """One of the seven criteria: confirmed, with its own short rationale."""

    confirmed: bool = False  #: the practitioner confirms the criterion is met
    rationale: str = _text("rationale")  #: why, in their own words


def _all_criteria() -> dict[Criterion, CriterionRationale]:
    return {criterion: CriterionRationale() for criterion in Criterion}


@dataclass(kw_only=True)
class CaseDraft(Draft):
    """A case: one child or young person, with minimal identity."""

    display_name: str = _text("child's name", SHORT_TEXT)  #: name shown in lists and prints
    date_of_birth: date | None = None  #: date of birth, if known
    case_reference: str = _text("case reference", SHORT_TEXT)  #: the organisation's reference
    other_identifiers: str = _text("other identifiers", MEDIUM_TEXT)  #: e.g. a local id
    restricted: bool = False  #: restricted case: visible only to named staff
    # The consistent identifier (Children Act 2004 s16LC): an NHS number, or why not.
    nhs_number: str = _text("NHS number", SHORT_TEXT)  #: as typed; stored as 10 digits
    identifier_reason: IdentifierReason | None = None  #: why there is no NHS number
    identifier_reason_text: str = _text("reason the NHS number is not included")  #: details


@dataclass(kw_only=True)
class SharingDecisionDraft(Draft):
    """The central record: a decision to share, share in part, not share, or receive."""

    # 1. Decision
    kind: SharingKind | None = None  #: shared / shared in part / not shared / received
    initiation: Initiation | None = None  #: proactive or on request
    requester_name: str = _text("requester's name", SHORT_TEXT)  #: who asked
    requester_organisation: str = _text("requester's organisation", SHORT_TEXT)  #: their agency
    #: its type: whether the duty to share (s16LA) applies to the requester
    requester_organisation_type: OrganisationType | None = None
    requester_reference: str = _text("requester's reference", SHORT_TEXT)  #: their own ref
    request_details: str = _text("details of the request")  #: what they asked for
    requester_identity_checked: bool | None = None  #: the requester's identity was checked
    requester_told_reasons: bool | None = None  #: a declined requester was told the reasons
    occurred_at: datetime | None = None  #: when the decision happened (aware)
    late_entry_reason: str = _text("reason for the late entry")  #: needed after 24 hours
    urgency: Urgency | None = None  #: routine, urgent or emergency
    # 2. Purpose
    purpose: str = _text("purpose")  #: why sharing was considered
    # 3. Recipients (or source, for received)
    recipients: list[Recipient] = field(default_factory=list)  #: one or more
    #: withheld from a recipient under the duty to share (s16LA): why disclosing would be
    #: more detrimental to the child than not disclosing
    duty_detriment: str = _text(
        "reason disclosure would be more detrimental to the child", LONG_TEXT
    )
    # 4. Information
    information_shared: str = _text("description of the information", LONG_TEXT)  #: what
    categories: list[InfoCategory] = field(default_factory=list)  #: kinds of information
    fact_or_opinion: FactOrOpinion | None = None  #: fact, opinion or both
    could_less_be_shared: bool | None = None  #: the minimisation question
    minimisation_notes: str = _text("notes on minimisation")  #: how the amount was limited
    withheld: str = _text("description of what was withheld")  #: what was not shared
    #: someone's details were withheld because they could be harmed if they reached an abuser
    identities_protected: bool | None = None
    protected_identities: str = _text("whose details were withheld from whom")  #: who, from whom
    # 5. Confidentiality
    confidentiality: Confidentiality | None = None  #: yes / no / unsure
    confidentiality_reason: str = _text("reason for the confidentiality answer")  #: why
    # 6. Consent
    service_agreement: ServiceAgreement | None = None  #: agreement to a service (not consent)
    consent_status: ConsentStatus | None = None  #: explicit, implied, refused, ...
    consent_from: ConsentFrom | None = None  #: the child, a parent or carer, other
    child_competence_considered: bool | None = None  #: the child's competence considered
    consent_decision_id: str | None = None  #: id of the consent decision relied on
    consent_purpose: str = _text("purpose the consent covers")  #: one of its scope purposes
    not_sought_reasons: list[NotSoughtReason] = field(default_factory=list)  #: if not sought
    not_sought_other: str = _text("other reason consent was not sought")  #: "other" text
    # 7. Grounds
    grounds: list[Ground] = field(default_factory=list)  #: the lawful grounds picked
    #: statute name / order reference / "other" text, keyed by Ground value
    ground_references: dict[str, str] = field(default_factory=dict)
    # 8. Public interest and proportionality
    public_interest: list[PublicInterestCircumstance] = field(default_factory=list)
    weighing: str = _text("weighing of sharing against not sharing", LONG_TEXT)  #: both sides
    # 9. Transparency
    individual_told: bool | None = None  #: the individual and/or family was told
    told_details: str = _text("details of what the individual was told")  #: what, why, how
    not_told_reason: str = _text("reason the individual was not told")  #: if not told
    # 10. Advice
    in_doubt: bool = False  #: the practitioner is in doubt about sharing
    advice_sought: bool | None = None  #: advice was sought
    advice_from_role: str = _text("role of the person who advised", SHORT_TEXT)  #: from whom
    advice_when: datetime | None = None  #: when advice was given
    advice_outcome: str = _text("advice given")  #: what the advice said
    advice_identity_withheld: bool | None = None  #: identity withheld while seeking advice
    no_time_for_advice_reason: str = _text("reason there was no time for advice")  #: if none
    # 11. Method and security
    method: Method | None = None  #: how it was shared
    method_other: str = _text("other method", SHORT_TEXT)  #: when method is OTHER
    channel_secure: bool | None = None  #: the channel was secure
    insecure_reason: str = _text("reason an insecure channel was used")  #: e.g. emergency
    recipient_verified: bool | None = None  #: the recipient's identity was verified
    # 12. The seven criteria
    criteria: dict[Criterion, CriterionRationale] = field(default_factory=_all_criteria)
    # 13. Safety and well-being; views
    significant_harm_concern: bool = False  #: a significant-harm concern is marked
    safety_wellbeing: str = _text("safety and well-being considered", LONG_TEXT)  #: notes
    views_child_family: str = _text("views of the child and family", LONG_TEXT)  #: notes
    # 14. Reasons
    reasons: str = _text("reasons for the decision", LONG_TEXT)  #: golden rule 7

    def __post_init__(self) -> None:
        if isinstance(self.criteria, dict):
            for criterion in Criterion:
                self.criteria.setdefault(criterion, CriterionRationale())

    def cleaned(self) -> Self:
        """A copy with every text cleaned, including recipients, rationales and references."""
        base = super().cleaned()
        recipients = self.recipients if isinstance(self.recipients, list | tuple) else []
        try:
            base.recipients = [
                recipient.cleaned() if isinstance(recipient, Recipient) else Recipient()
                for recipient in recipients
            ]
        except InvalidTextError as error:
            raise InvalidTextError(error.user_message, field="recipients") from error
        criteria = self.criteria if isinstance(self.criteria, dict) else {}
        base.criteria = {}
        for criterion in Criterion:
            value = criteria.get(criterion)
            if not isinstance(value, CriterionRationale):
                value = CriterionRationale()
            label = f"rationale for “{criterion.label}”"
            base.criteria[criterion] = CriterionRationale(
                confirmed=value.confirmed is True,
                rationale=clean_text(
                    value.rationale,
                    field=f"criteria.{criterion}",
                    label=label,
                    max_length=MEDIUM_TEXT,
                ),
            )
        references = self.ground_references if isinstance(self.ground_references, dict) else {}
        base.ground_references = {
            str(key): clean_text(
                value, field="ground_references", label="ground's reference", max_length=MEDIUM_TEXT
            )
            for key, value in references.items()
        }
        return base

    def requester_named(self) -> bool:
        """It answers a request from a named organisation (the duty to share, s16LA, is
        between organisations). Tolerant of any draft."""
        on_request = Initiation.parse(self.initiation) is Initiation.ON_REQUEST
        organisation = self.requester_organisation
        return on_request and isinstance(organisation, str) and bool(organisation.strip())

    def requester_type(self) -> OrganisationType | None:
        """The requester's type of organisation when ``requester_named``, else None."""
        if not self.requester_named():
            return None
        return OrganisationType.parse(self.requester_organisation_type)


@dataclass(kw_only=True)
class ConsentDecisionDraft(Draft):
    """A consent decision; a withdrawal is a new decision that supersedes an earlier one."""

    asked: ConsentFrom | None = None  #: who was asked
    asked_name: str = _text("name of the person asked", SHORT_TEXT)  #: their name or role
    competence_considered: bool | None = None  #: competence or capacity considered
    competence_notes: str = _text("notes on competence")  #: how it was assessed
    outcome: ConsentOutcome | None = None  #: explicit, implied, refused, ...
    how: ConsentHow | None = None  #: written, verbal, other
    #: recipients or agencies covered, one per row
    scope_agencies: list[str] = field(
        default_factory=list,
        metadata={"label": "agency the consent covers", "max_length": SHORT_TEXT},
    )
    scope_information: str = _text("information the consent covers")  #: which information
    #: purposes covered, one per row
    scope_purposes: list[str] = field(
        default_factory=list,
        metadata={"label": "purpose the consent covers", "max_length": MEDIUM_TEXT},
    )
    limits: str = _text("limits of the consent")  #: what must not be shared, with whom, why
    valid_until: date | None = None  #: consent lapses after this day
    review_date: date | None = None  #: when to review it
    views_expressed: str = _text("views expressed", LONG_TEXT)  #: in the person's words
    occurred_at: datetime | None = None  #: when consent was asked
    #: the earlier consent decisions this ends or replaces (a withdrawal names at least one)
    supersedes_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """As ``Draft.from_dict``; a decision saved with one ``supersedes_id`` keeps it."""
        draft = super().from_dict(data)
        if not isinstance(data, Mapping) or "supersedes_ids" in data:
            return draft
        legacy = data.get("supersedes_id")
        if isinstance(legacy, str) and legacy:
            draft.supersedes_ids = [legacy]
        return draft


@dataclass(kw_only=True)
class AmendmentDraft(Draft):
    """A correction or addition to a saved record (saved records are never edited)."""

    target_id: str = ""  #: id of the amended record
    text: str = _text("amendment", LONG_TEXT)  #: the correction or addition
    reason: AmendmentReason | None = None  #: why it is amended
    recipients_told: bool | None = None  #: recipients of shared information told
    recipients_told_notes: str = _text("notes on telling the recipients")  #: who, when, how
    target_was_shared: bool = False  #: the amended record shared information (set by service)


@dataclass(kw_only=True)
class ReviewDraft(Draft):
    """A supervisor's review of a colleague's record."""

    target_id: str = ""  #: id of the reviewed record
    outcome: ReviewOutcome | None = None  #: endorsed, endorsed with comment, returned
    comment: str = _text("review comment", LONG_TEXT)  #: required unless simply endorsed


@dataclass(kw_only=True)
class AdviceDraft(Draft):
    """Advice sought from another practitioner (golden rule 3)."""

    sought_from_role: str = _text("role of the person who advised", SHORT_TEXT)  #: from whom
    sought_at: datetime | None = None  #: when
    advice: str = _text("advice given", LONG_TEXT)  #: what the advice said
    identity_withheld: bool | None = None  #: the individual's identity was withheld


# ---- requests received (issue 11 section 2) ----------------------------------------------


@dataclass(kw_only=True)
class RecordLink(Draft):
    """Another saved record of the case that this one names, with the line that described
    it when it was chosen (saved records never change, so the line stays true)."""

    record_id: str = ""  #: the linked record's id
    description: str = _text("linked record", MEDIUM_TEXT)  #: e.g. "Shared with ..., 1 Dec"

    def __str__(self) -> str:
        return self.description or "A record of this case"


@dataclass(kw_only=True)
class RequestDraft(Draft):
    """A request for information received from the MASH, a section 47 enquiry or another
    agency; answered later by a reply (``RequestReplyDraft``), never by editing it."""

    source: RequestSource | None = None  #: the MASH, a section 47 enquiry, another agency
    requester_organisation: str = _text("requester's organisation", SHORT_TEXT)  #: who asked
    requester_name: str = _text("requester's name or role", SHORT_TEXT)  #: the person
    requester_reference: str = _text("requester's reference", SHORT_TEXT)  #: their own ref
    received_at: datetime | None = None  #: when it arrived (aware)
    method: Method | None = None  #: how it came
    method_other: str = _text("other method", SHORT_TEXT)  #: when method is OTHER
    asked: str = _text("what was asked for", LONG_TEXT)  #: which information, why
    rating: Rating | None = None  #: red, amber or green
    #: when the reply is due; empty: the default for the rating, set when saved
    due_at: datetime | None = None
    acknowledged: bool | None = None  #: an acknowledgement was sent
    acknowledged_at: datetime | None = None  #: when
    late_entry_reason: str = _text("reason for the late entry")  #: needed after 24 hours

    def moments(self) -> tuple[Any, ...]:
        """What this record says happened, and when: received, acknowledged (the late-entry
        rule judges each)."""
        return (self.received_at, self.acknowledged_at if self.acknowledged is True else None)

    def default_due(self) -> datetime | None:
        """When the reply is due by default for the rating (None without a rating or a
        time received)."""
        if not isinstance(self.received_at, datetime) or not isinstance(self.rating, Rating):
            return None
        return ensure_utc(default_reply_due(to_local(self.received_at), self.rating))

    def reply_due(self) -> datetime | None:
        """When the reply is due: the date the practitioner set, else the default."""
        return self.due_at if isinstance(self.due_at, datetime) else self.default_due()

    def cleaned(self) -> Self:
        """As ``Draft.cleaned``, with the due date filled from the rating if not set."""
        base = super().cleaned()
        base.due_at = base.reply_due()
        return base


@dataclass(kw_only=True)
class RequestReplyDraft(Draft):
    """The reply to a request received: the sharing decision(s) that answered it, when,
    and any feedback on the outcome. A record of its own, so the request stays as saved."""

    request: RecordLink | None = None  #: the request answered
    answered_by: list[RecordLink] = field(default_factory=list)  #: the sharing decisions
    outcome: ReplyOutcome | None = None  #: shared, shared in part, declined
    replied_at: datetime | None = None  #: when the reply was sent (aware)
    #: a declined request comes back when new information is added to the case (2024 advice)
    reconsider_if_new: bool | None = None
    feedback: str = _text("feedback received on the outcome", LONG_TEXT)  #: from the requester
    late_entry_reason: str = _text("reason for the late entry")  #: needed after 24 hours

    def moments(self) -> tuple[Any, ...]:
        """What this record says happened, and when: the reply sent (see ``late_entry``)."""
        return (self.replied_at,)

    def cleaned(self) -> Self:
        """A copy with every text cleaned, including the linked records' lines."""
        base = super().cleaned()
        try:
            if isinstance(self.request, RecordLink):
                base.request = self.request.cleaned()
            links = self.answered_by if isinstance(self.answered_by, list | tuple) else []
            base.answered_by = [link.cleaned() for link in links if isinstance(link, RecordLink)]
        except InvalidTextError as error:
            raise InvalidTextError(error.user_message, field="answered_by") from error
        return base
