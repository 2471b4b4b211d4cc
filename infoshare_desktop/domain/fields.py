"""Each draft's fields, declared once: the form, the details pane and the printout read this.

A :class:`Form` is a draft class's groups of :class:`Field` in the order a practitioner
fills them in. A field says what it is called (``label``: the form's question; ``short``:
the name it goes by in the details pane and on paper), which input it takes (``widget``),
when it applies (``applies``: a pure predicate over the draft), whether it may be
redacted from a printout, and where it is shown (``shown``: form, details, print).
Inputs that are not one of the plain kinds (recipients, the seven criteria, the consent
pick-list, ...) are ``Widget.CUSTOM`` with a ``custom`` name, which each screen resolves
to its own widget or renderer: the named exceptions.

One rule decides what a reader sees (the details pane and the printout alike,
:meth:`Field.is_shown`): a field is shown when it applies to the draft, or when it holds
an answer anyway (an answer recorded is never hidden from the reader). An ``optional``
field that applies but is empty is left out instead of saying "Not recorded".

Like Calibre's ``field_metadata`` and pretix's invoice variables, the table is data, and
the code that displays a draft loops over it; adding a printed field is the draft's
attribute in ``records.py`` and one :class:`Field` here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, Flag, auto
from typing import Any

from infoshare_desktop.domain.consent import WITHOUT_CONSENT
from infoshare_desktop.domain.enums import (
    AmendmentReason,
    Confidentiality,
    ConsentFrom,
    ConsentHow,
    ConsentOutcome,
    ConsentStatus,
    FactOrOpinion,
    InfoCategory,
    Initiation,
    LabelledEnum,
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
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    ConsentDecisionDraft,
    Draft,
    RequestDraft,
    RequestReplyDraft,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.rules import (
    REPLY_TIMESCALES,
    late_entry,
    recorded_late,
    withheld_from_duty_holder,
)
from infoshare_desktop.domain.timeutil import format_date, format_local, utcnow

__all__ = [
    "ADVICE_FORM",
    "AMENDMENT_FORM",
    "CONSENT_DECISION_FORM",
    "FORMS",
    "REQUEST_FORM",
    "REQUEST_REPLY_FORM",
    "REVIEW_FORM",
    "SHARING_DECISION_FORM",
    "WHEN",
    "Field",
    "Form",
    "Group",
    "Place",
    "Widget",
    "form_of",
    "words",
]


class Widget(Enum):
    """The kind of input a field takes."""

    TEXT = auto()  #: one line of text
    LINES = auto()  #: several lines of text
    CHOICE = auto()  #: one member of ``choices`` (or none)
    CHOICES = auto()  #: any members of ``choices``
    YES_NO = auto()  #: yes, no, or not answered
    CHECK = auto()  #: a tick box (true or false)
    DATE = auto()  #: a day
    DATETIME = auto()  #: a moment
    CUSTOM = auto()  #: a named exception (``Field.custom``)


class Place(Flag):
    """Where a field is shown."""

    FORM = auto()
    DETAILS = auto()
    PRINT = auto()
    NOWHERE = 0
    ALL = FORM | DETAILS | PRINT


Words = str | Callable[[Any], str]
#: the printout's "When" line (occurred, recorded, by whom, late): fields printed in it
WHEN = "When"
Predicate = Callable[[Any], bool]


def _always(_draft: Any) -> bool:
    return True


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda draft: first(draft) and second(draft)


def _word(value: Words, draft: Any) -> str:
    return value(draft) if callable(value) else value


@dataclass(frozen=True, kw_only=True)
class Field:
    """One field of a draft (see the module docstring)."""

    name: str  #: the draft's attribute
    #: the form's question (a function of the draft when it changes with it); "" for a
    #: custom input that carries its own words
    label: Words
    short: Words  #: its name in the details pane and on paper
    widget: Widget
    choices: type[LabelledEnum] | None = None  #: for CHOICE and CHOICES
    lines: int = 2  #: visible lines, for LINES
    help: str = ""  #: a sentence under the input
    yes_no: tuple[str, str] = ("Yes", "No")  #: the YES_NO answers' words in the form
    applies: Predicate = _always  #: when the field applies (the form hides it otherwise)
    optional: bool = False  #: left out of the details and printout when empty
    redactable: bool = False  #: replaced by a marker on a redacted printout
    shown: Place = Place.ALL  #: where it is shown (declared: the coverage test holds it)
    custom: str = ""  #: the named exception, for Widget.CUSTOM
    #: the printout row it shares with other fields ("" = its own; WHEN = the "When" line)
    print_row: str = ""
    #: a sentence on what each choice means, for screens that show the choices as buttons
    choice_help: tuple[tuple[LabelledEnum, str], ...] = ()

    def help_for(self, choice: LabelledEnum) -> str:
        """What ``choice`` means (``choice_help``), or "" if not declared."""
        return dict(self.choice_help).get(choice, "")

    def label_for(self, draft: Any) -> str:
        return _word(self.label, draft)

    def short_for(self, draft: Any) -> str:
        return _word(self.short, draft)

    def value(self, draft: Any) -> Any:
        return getattr(draft, self.name)

    def has_answer(self, draft: Any) -> bool:
        """The field holds something other than its default (an answer was given)."""
        default = _default(type(draft), self.name)
        value = self.value(draft)
        if isinstance(value, dict):
            return any(_is_answered(item) for item in value.values())
        return value != default and value not in (None, "", [], False)

    def is_shown(self, draft: Any) -> bool:
        """Shown to a reader: it applies (and, when ``optional``, is filled) or is answered."""
        if self.has_answer(draft):
            return True
        return not self.optional and self.applies(draft)


def _is_answered(item: Any) -> bool:
    if dataclasses.is_dataclass(item):
        return any(_is_answered(getattr(item, f.name)) for f in dataclasses.fields(item))
    return item not in (None, "", [], False)


def _default(cls: type, name: str) -> Any:
    f = _fields_of(cls).get(name)
    if f is not None:
        if f.default is not dataclasses.MISSING:
            return f.default
        if f.default_factory is not dataclasses.MISSING:
            return f.default_factory()
    return None


@functools.cache
def _fields_of(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """A draft class's fields by name (asked for every field of every printed record)."""
    return {f.name: f for f in dataclasses.fields(cls)}


@dataclass(frozen=True, kw_only=True)
class Group:
    """A titled group of fields; hidden when none of its fields (or it) applies."""

    title: Words  #: its title in the form
    fields: tuple[Field, ...]
    short: Words = ""  #: its title in the details pane and on paper, if not ``title``
    number: int | None = None  #: the group's number in the form, if it has one
    applies: Predicate = _always

    def __post_init__(self) -> None:
        # A field applies only where its group does: the field's predicate says it all.
        group = self.applies
        if group is not _always:
            object.__setattr__(
                self,
                "fields",
                tuple(dataclasses.replace(f, applies=_both(group, f.applies)) for f in self.fields),
            )

    @property
    def key(self) -> int | str:
        """How screens name the group: its number, else its title."""
        if self.number is not None:
            return self.number
        assert isinstance(self.title, str)
        return self.title

    def title_for(self, draft: Any, *, short: bool = False) -> str:
        title = _word(self.short or self.title, draft) if short else _word(self.title, draft)
        return f"{self.number}. {title}" if self.number is not None else title


@dataclass(frozen=True, kw_only=True)
class Form:
    """A draft class's fields in groups, and its fields that are shown nowhere (with why)."""

    draft: type[Draft]
    groups: tuple[Group, ...]
    #: draft attributes that are not shown anywhere, each with the reason
    not_shown: tuple[tuple[str, str], ...] = ()

    def fields(self, place: Place | None = None) -> Iterator[Field]:
        for group in self.groups:
            for f in group.fields:
                if place is None or place in f.shown:
                    yield f

    def field(self, name: str) -> Field:
        for f in self.fields():
            if f.name == name:
                return f
        raise KeyError(name)

    def redactable(self) -> tuple[str, ...]:
        """The names of the fields a redacted printout replaces by a marker."""
        return tuple(f.name for f in self.fields() if f.redactable)


def words(value: Any) -> str:
    """A field's value in words, as a reader sees it ("" when there is none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, list | tuple):
        return "; ".join(w for w in (words(item) for item in value) if w)
    return str(value)


def _line(name: str, label: Words, short: Words, **more: Any) -> Field:
    return Field(name=name, label=label, short=short, widget=Widget.TEXT, **more)


def _lines(name: str, label: Words, short: Words, lines: int = 2, **more: Any) -> Field:
    return Field(name=name, label=label, short=short, widget=Widget.LINES, lines=lines, **more)


def _choice(name: str, choices: type[LabelledEnum], label: str, short: str, **more: Any) -> Field:
    return Field(name=name, label=label, short=short, widget=Widget.CHOICE, choices=choices, **more)


def _choices(name: str, choices: type[LabelledEnum], label: str, short: str, **more: Any) -> Field:
    return Field(
        name=name, label=label, short=short, widget=Widget.CHOICES, choices=choices, **more
    )


def _yes_no(name: str, label: str, short: str, **more: Any) -> Field:
    return Field(name=name, label=label, short=short, widget=Widget.YES_NO, **more)


def _custom(name: str, custom: str, label: Words, short: Words, **more: Any) -> Field:
    return Field(name=name, label=label, short=short, widget=Widget.CUSTOM, custom=custom, **more)


# ---- sharing decision -------------------------------------------------------------------


def _late_now(d: SharingDecisionDraft) -> bool:
    """Entered now, it would be a late entry (the form asks why)."""
    when = d.occurred_at
    return isinstance(when, datetime) and recorded_late(when, utcnow())


def _late_request(d: RequestDraft | RequestReplyDraft) -> bool:
    """Entered now, a request or reply would be a late entry (``rules.late_entry``)."""
    return late_entry(d.moments(), utcnow())


def _late_reason() -> Field:
    return _lines(
        "late_entry_reason",
        "Why this is recorded more than 24 hours later",
        "Reason for the late entry",
        applies=_late_request,
        optional=True,
        print_row=WHEN,
    )


def _on_request(d: SharingDecisionDraft) -> bool:
    return d.initiation is Initiation.ON_REQUEST


def _shares(d: SharingDecisionDraft) -> bool:
    """Information goes out (or the kind is not chosen yet)."""
    return d.kind is None or d.kind.shares


def _not_received(d: SharingDecisionDraft) -> bool:
    return d.kind is not SharingKind.RECEIVED


def _received(d: SharingDecisionDraft) -> bool:
    return d.kind is SharingKind.RECEIVED


def _override(d: SharingDecisionDraft) -> bool:
    return d.consent_status in WITHOUT_CONSENT


def _consent_given(d: SharingDecisionDraft) -> bool:
    return d.consent_status is not None and d.consent_status.is_given


def _advice_sought(d: SharingDecisionDraft) -> bool:
    return d.advice_sought is True


def _not_sought(d: SharingDecisionDraft) -> bool:
    return d.consent_status is ConsentStatus.NOT_SOUGHT


def _recipients_label(d: SharingDecisionDraft) -> str:
    if d.kind is SharingKind.RECEIVED:
        return "Who the information came from"
    if d.kind is SharingKind.NOT_SHARED:
        return "Who it would have gone to"
    return "Who it was shared with"


def _information_label(d: SharingDecisionDraft) -> str:
    if d.kind is SharingKind.NOT_SHARED:
        return "What was asked for or considered, and not shared"
    if d.kind is SharingKind.RECEIVED:
        return "What was received"
    return "What was shared"


def _information_short(d: SharingDecisionDraft) -> str:
    if d.kind is SharingKind.NOT_SHARED:
        return "Information not shared"
    if d.kind is SharingKind.RECEIVED:
        return "Information received"
    return "Information shared"


# issue 11 section 4: the duty to share and the 2024 advice (docs/domain.md)


def _withheld_from_duty_holder(d: SharingDecisionDraft) -> bool:
    return withheld_from_duty_holder(d.kind, d.recipients, d.requester_type())


def _duty_detriment_label(d: SharingDecisionDraft) -> str:
    what = "what was withheld" if d.kind is SharingKind.SHARED_IN_PART else "the information"
    return (
        f"A recipient is under the duty to share: why would disclosing {what} be more "
        "detrimental to the child than not disclosing it?"
    )


DUTY_DETRIMENT_FIELD = _lines(
    "duty_detriment",
    _duty_detriment_label,
    "Why disclosure would be more detrimental to the child",
    lines=3,
    help="Children Act 2004 s16LA: a body under s11, a designated education or childcare "
    "agency, or a contractor of either must be given information unless disclosing it would "
    "be more detrimental to the child than not disclosing it.",
    applies=_withheld_from_duty_holder,
)
IDENTITY_FIELDS = (
    _yes_no(
        "identities_protected",
        "Were anyone's details withheld because they could be harmed if the details reached "
        "an abuser?",
        "Identities protected",
        help="For example a parent's new address or a refuge's name, kept from the other "
        "parent (2024 advice).",
        applies=_shares,
        print_row="Identities protected",
    ),
    _lines(
        "protected_identities",
        "Whose details were withheld, and from whom",
        "Whose details were withheld from whom",
        applies=lambda d: d.identities_protected is True,
        redactable=True,
        print_row="Identities protected",
    ),
)
SERVICE_AGREEMENT_FIELD = _choice(
    "service_agreement",
    ServiceAgreement,
    "Agreement to a service (early help, s17 support): this is not consent to share",
    "Agreement to a service (not consent to share)",
    help="Agreeing to a service is not consent to share information. Consent to share is "
    "asked next, and the lawful basis under Grounds: the three are separate (2024 advice).",
    applies=_not_received,
    optional=True,
    print_row="Agreement to a service",
)


SHARING_DECISION_FORM = Form(
    draft=SharingDecisionDraft,
    groups=(
        Group(
            number=1,
            title="Decision",
            fields=(
                _choice("kind", SharingKind, "What was decided", "Decision", print_row="Decision"),
                _choice(
                    "initiation",
                    Initiation,
                    "Proactive, or in response to a request",
                    "Proactive or on request",
                    print_row="Decision",
                ),
                _line(
                    "requester_name",
                    "Requester's name",
                    "Requester",
                    applies=_on_request,
                    print_row="Request",
                ),
                _line(
                    "requester_organisation",
                    "Requester's organisation",
                    "Requester's organisation",
                    applies=_on_request,
                    print_row="Request",
                ),
                _choice(
                    "requester_organisation_type",
                    OrganisationType,
                    "Requester's type of organisation",
                    "Requester's type of organisation",
                    help="Declining a request from a body under the duty to share (Children "
                    "Act 2004 s16LA) needs the reason disclosure would be more detrimental.",
                    applies=lambda d: _on_request(d) and d.requester_named(),
                    print_row="Request",
                ),
                _line(
                    "requester_reference",
                    "Their reference for the request, if they gave one",
                    "Requester's reference",
                    applies=_on_request,
                    print_row="Request",
                ),
                _lines(
                    "request_details",
                    "What they asked for",
                    "What they asked for",
                    applies=_on_request,
                    redactable=True,
                ),
                _yes_no(
                    "requester_identity_checked",
                    "Was the requester's identity checked?",
                    "Requester's identity checked",
                    applies=_on_request,
                    print_row="Request",
                ),
                _yes_no(
                    "requester_told_reasons",
                    "Was the requester told the reasons for declining?",
                    "Requester told the reasons",
                    applies=lambda d: _on_request(d) and d.kind is SharingKind.NOT_SHARED,
                    print_row="Request",
                ),
                Field(
                    name="occurred_at",
                    label="When it happened (date and time)",
                    short="When it happened",
                    widget=Widget.DATETIME,
                    help="The time it was recorded is set when you save.",
                    print_row=WHEN,
                ),
                _lines(
                    "late_entry_reason",
                    "Why this is recorded more than 24 hours later",
                    "Reason for the late entry",
                    applies=_late_now,
                    optional=True,
                    print_row=WHEN,
                ),
                _choice("urgency", Urgency, "Urgency", "Urgency", print_row="Decision"),
            ),
        ),
        Group(
            number=2,
            title="Purpose",
            fields=(
                _lines(
                    "purpose",
                    "Purpose: why sharing was considered",
                    "Why sharing was considered",
                    lines=3,
                    help="A clear and legitimate purpose, in a sentence or two.",
                ),
            ),
        ),
        Group(
            number=3,
            title=lambda d: "Source" if _received(d) else "Recipients",
            fields=(
                _custom(
                    "recipients",
                    "recipients",
                    _recipients_label,
                    lambda d: "Source" if _received(d) else "Recipients",
                ),
                DUTY_DETRIMENT_FIELD,
            ),
        ),
        Group(
            number=4,
            title="Information",
            fields=(
                _lines(
                    "information_shared",
                    _information_label,
                    _information_short,
                    lines=4,
                    redactable=True,
                ),
                _choices(
                    "categories",
                    InfoCategory,
                    "Categories of information",
                    "Categories",
                    print_row="Categories",
                ),
                _choice(
                    "fact_or_opinion",
                    FactOrOpinion,
                    "Fact or opinion",
                    "Fact or opinion",
                    print_row="Categories",
                ),
                _yes_no(
                    "could_less_be_shared",
                    "Could the purpose be met by sharing less?",
                    "Could less have been shared",
                    yes_no=("Yes, less could have been shared", "No, this was the least needed"),
                    applies=_shares,
                    print_row="Minimisation",
                ),
                _lines(
                    "minimisation_notes",
                    "How the amount shared was limited",
                    "How the amount was limited",
                    applies=_shares,
                    optional=True,
                    redactable=True,
                    print_row="Minimisation",
                ),
                _lines(
                    "withheld",
                    "What was withheld",
                    "What was withheld",
                    applies=lambda d: d.kind is SharingKind.SHARED_IN_PART,
                    redactable=True,
                    print_row="Minimisation",
                ),
                *IDENTITY_FIELDS,
            ),
        ),
        Group(
            number=5,
            title="Confidentiality",
            fields=(
                _choice(
                    "confidentiality",
                    Confidentiality,
                    "Is the information confidential?",
                    "Is the information confidential",
                    help="Confidential: sensitive, not already public, and given in a "
                    "relationship where the giver expected it would not be passed on.",
                    print_row="Confidential",
                ),
                _lines(
                    "confidentiality_reason",
                    "Why",
                    "Why",
                    print_row="Confidential",
                ),
            ),
        ),
        Group(
            number=6,
            title="Consent",
            applies=_not_received,
            fields=(
                SERVICE_AGREEMENT_FIELD,
                _choice(
                    "consent_status",
                    ConsentStatus,
                    "Consent position: consent to share this information",
                    "Consent to share",
                    help="Consent to share, not agreement to a service. Consent is often not "
                    "the right basis in safeguarding, and is not needed to share about a child "
                    "at risk of harm.",
                    applies=_not_received,
                    print_row="Consent",
                ),
                _choice(
                    "consent_from",
                    ConsentFrom,
                    "Whose consent",
                    "From whom",
                    applies=lambda d: d.consent_status is not None and not _not_sought(d),
                    print_row="Consent",
                ),
                _yes_no(
                    "child_competence_considered",
                    "Was the child's competence to decide considered?",
                    "Child's competence considered",
                    applies=lambda d: d.consent_from is ConsentFrom.CHILD,
                    print_row="Consent",
                ),
                _custom(
                    "consent_decision_id",
                    "consent_choice",
                    "Consent decision relied on",
                    "Consent decision relied on",
                    help="The consents that stood when this happened are offered (see “When "
                    "it happened”).",
                    applies=_consent_given,
                    print_row="Consent",
                ),
                _custom(
                    "consent_purpose",
                    "consent_purpose",
                    "Which of the consent's purposes this sharing is for",
                    "Purpose the consent covers",
                    applies=_consent_given,
                    print_row="Consent",
                ),
                _choices(
                    "not_sought_reasons",
                    NotSoughtReason,
                    "Why consent was not sought",
                    "Why consent was not sought",
                    applies=_not_sought,
                    print_row="Consent",
                ),
                _line(
                    "not_sought_other",
                    "The other reason, in words",
                    "Other reason consent was not sought",
                    applies=lambda d: (
                        _not_sought(d) and NotSoughtReason.OTHER in d.not_sought_reasons
                    ),
                    print_row="Consent",
                ),
            ),
        ),
        Group(
            number=7,
            title="Grounds for sharing (lawful basis)",
            short="Grounds (lawful basis)",
            applies=_not_received,
            fields=(
                _custom(
                    "grounds",
                    "grounds",
                    "Grounds: choose each that applies and confirm the legal basis shown under it",
                    "Grounds and legal basis",
                    applies=_not_received,
                ),
                _custom(
                    "ground_references",
                    "ground_references",
                    "",  # each reference is asked for under its ground
                    "References",
                    applies=lambda d: bool(d.grounds),
                    # the details and printout show each reference with its ground
                ),
            ),
        ),
        Group(
            number=8,
            title="Public interest and proportionality",
            applies=lambda d: _override(d) or d.kind is SharingKind.NOT_SHARED,
            fields=(
                _choices(
                    "public_interest",
                    PublicInterestCircumstance,
                    "Which public-interest circumstance applies",
                    "Circumstance that applies",
                    help="Sharing confidential information without consent is normally "
                    "justified in these circumstances.",
                    applies=_override,
                ),
                _lines(
                    "weighing",
                    "Weighing: what might happen if the information is shared, and if it is not",
                    "Weighing: if shared against if not shared",
                    lines=4,
                    applies=lambda d: _override(d) or d.kind is SharingKind.NOT_SHARED,
                ),
            ),
        ),
        Group(
            number=9,
            title="Transparency",
            applies=_not_received,
            fields=(
                _yes_no(
                    "individual_told",
                    "Was the individual (and/or family) told what is shared, why, how and "
                    "with whom?",
                    "Individual or family told",
                    applies=_not_received,
                    print_row="Individual or family told",
                ),
                _lines(
                    "told_details",
                    "What they were told, and how",
                    "What they were told, why, how",
                    applies=lambda d: d.individual_told is True,
                    print_row="Individual or family told",
                ),
                _lines(
                    "not_told_reason",
                    "Why they were not told",
                    "Why they were not told",
                    applies=lambda d: d.individual_told is False,
                    print_row="Individual or family told",
                ),
            ),
        ),
        Group(
            number=10,
            title="Advice",
            fields=(
                Field(
                    name="in_doubt",
                    label="I am in doubt about whether to share",
                    short="Practitioner in doubt",
                    widget=Widget.CHECK,
                    print_row="Advice",
                ),
                _yes_no("advice_sought", "Was advice sought?", "Advice sought", print_row="Advice"),
                _line(
                    "advice_from_role",
                    "Role of the person who advised",
                    "From (role)",
                    applies=_advice_sought,
                    print_row="Advice",
                ),
                Field(
                    name="advice_when",
                    label="When the advice was given",
                    short="When",
                    widget=Widget.DATETIME,
                    applies=_advice_sought,
                    print_row="Advice",
                ),
                _lines(
                    "advice_outcome",
                    "What they advised",
                    "What the advice said",
                    applies=_advice_sought,
                    print_row="Advice",
                ),
                _yes_no(
                    "advice_identity_withheld",
                    "Was the individual's identity withheld while seeking advice?",
                    "Identity withheld while seeking advice",
                    applies=_advice_sought,
                    print_row="Advice",
                ),
                _lines(
                    "no_time_for_advice_reason",
                    "Why there was no time to seek advice",
                    "Why there was no time for advice",
                    applies=lambda d: d.advice_sought is False,
                    print_row="Advice",
                ),
            ),
        ),
        Group(
            number=11,
            title="Method and security",
            applies=_not_received,
            fields=(
                _choice(
                    "method",
                    Method,
                    "How it was shared",
                    "Method",
                    applies=_not_received,
                    print_row="Method and security",
                ),
                _line(
                    "method_other",
                    "The other method, in words",
                    "Other method",
                    applies=lambda d: d.method is Method.OTHER,
                    print_row="Method and security",
                ),
                _yes_no(
                    "channel_secure",
                    "Was the channel secure?",
                    "Channel secure",
                    applies=_not_received,
                    print_row="Method and security",
                ),
                _lines(
                    "insecure_reason",
                    "Why a channel that is not secure was used",
                    "Why an insecure channel was used",
                    applies=lambda d: d.channel_secure is False,
                    print_row="Method and security",
                ),
                _yes_no(
                    "recipient_verified",
                    "Was the recipient's identity verified?",
                    "Recipient verified",
                    applies=_not_received,
                    print_row="Method and security",
                ),
            ),
        ),
        Group(
            number=12,
            title="The seven criteria",
            fields=(
                _custom(
                    "criteria",
                    "criteria",
                    "",  # asked in the checklist beside the form
                    "The seven criteria",
                    applies=_shares,
                ),
            ),
        ),
        Group(
            number=13,
            title="Safety, well-being and views",
            fields=(
                Field(
                    name="significant_harm_concern",
                    label="There is a concern about significant harm",
                    short="Significant-harm concern",
                    widget=Widget.CHECK,
                    print_row="Safety and well-being",
                ),
                _lines(
                    "safety_wellbeing",
                    "Safety and well-being considered",
                    "Safety and well-being considered",
                    lines=4,
                    print_row="Safety and well-being",
                ),
                _lines(
                    "views_child_family",
                    "Views of the child and family",
                    "Views of the child and family",
                    lines=4,
                ),
            ),
        ),
        Group(
            number=14,
            title="Reasons",
            short="Reasons for the decision",
            fields=(
                _lines(
                    "reasons",
                    "Reasons for the decision",
                    "Reasons",
                    lines=5,
                    help="In your own words: why you decided as you did (golden rule 7).",
                ),
            ),
        ),
    ),
)


# ---- consent decision ------------------------------------------------------------------


ENDS_LABELS = {
    ConsentOutcome.WITHDRAWN: "Consent this withdrawal ends (tick each one withdrawn)",
    ConsentOutcome.REFUSED: "Consent this refusal ends, if the person withdrew one by refusing",
}
REPLACES_LABEL = "Earlier consent this replaces, if any (a renewal or a narrower consent)"


def _ends_label(d: ConsentDecisionDraft) -> str:
    return ENDS_LABELS.get(d.outcome, REPLACES_LABEL) if d.outcome else REPLACES_LABEL


def _given(d: ConsentDecisionDraft) -> bool:
    return d.outcome is not None and d.outcome.is_given


CONSENT_DECISION_FORM = Form(
    draft=ConsentDecisionDraft,
    groups=(
        Group(
            title="Who was asked",
            fields=(
                _choice("asked", ConsentFrom, "Who was asked", "Asked", print_row="Who was asked"),
                _line(
                    "asked_name", "Their name or role", "Name or role", print_row="Who was asked"
                ),
                _yes_no(
                    "competence_considered",
                    "Was their competence or capacity to decide considered?",
                    "Competence or capacity considered",
                    print_row="Competence or capacity",
                ),
                _lines(
                    "competence_notes",
                    "How it was assessed",
                    "Notes on competence",
                    applies=lambda d: d.competence_considered is True,
                    optional=True,
                    print_row="Competence or capacity",
                ),
                Field(
                    name="occurred_at",
                    label="When consent was asked (date and time)",
                    short="When",
                    widget=Widget.DATETIME,
                    help="The time it was recorded is set when you save.",
                    print_row=WHEN,
                ),
            ),
        ),
        Group(
            title="Outcome",
            fields=(
                _choice(
                    "outcome",
                    ConsentOutcome,
                    "Outcome",
                    "Outcome",
                    help="Consent to share information. Agreement to a service (early help, "
                    "s17 support) is not recorded here but on the sharing decision.",
                    print_row="Outcome",
                ),
                _choice(
                    "how",
                    ConsentHow,
                    "How it was given or refused",
                    "How given",
                    applies=lambda d: d.outcome is not None,
                    print_row="Outcome",
                ),
                _custom(
                    "supersedes_ids",
                    "consent_ends",
                    _ends_label,
                    "Ends or replaces",
                    help="Past sharing stays recorded with the consent it relied on; only what "
                    "stands from now on changes.",
                    applies=lambda d: d.outcome is not None,
                    optional=True,
                ),
            ),
        ),
        Group(
            title="Scope and limits",
            applies=_given,
            fields=(
                Field(
                    name="scope_agencies",
                    label="Agencies or recipients the consent covers",
                    short="Agencies or recipients covered",
                    widget=Widget.CUSTOM,
                    custom="agencies",
                    applies=_given,
                    print_row="Scope",
                ),
                _lines(
                    "scope_information",
                    "Information the consent covers",
                    "Information covered",
                    applies=_given,
                    print_row="Scope",
                ),
                Field(
                    name="scope_purposes",
                    label="Purposes the consent covers",
                    short="Purposes covered",
                    widget=Widget.CUSTOM,
                    custom="purposes",
                    applies=_given,
                    print_row="Scope",
                ),
                _lines(
                    "limits",
                    "Limits: what must not be shared, with whom, and why",
                    "Limits",
                    applies=_given,
                ),
                Field(
                    name="valid_until",
                    print_row="Valid until / review",
                    label="Valid until",
                    short="Valid until",
                    widget=Widget.DATE,
                    applies=_given,
                ),
                Field(
                    name="review_date",
                    print_row="Valid until / review",
                    label="Review date",
                    short="Review date",
                    widget=Widget.DATE,
                    applies=_given,
                ),
            ),
        ),
        Group(
            title="Views",
            fields=(
                _lines(
                    "views_expressed",
                    "Views expressed, in their own words",
                    "Views expressed",
                    lines=4,
                ),
            ),
        ),
    ),
)


# ---- amendment, review, advice ---------------------------------------------------------

AMENDMENT_FORM = Form(
    draft=AmendmentDraft,
    groups=(
        Group(
            title="Amendment",
            fields=(
                _choice("reason", AmendmentReason, "Reason for the amendment", "Reason"),
                _lines(
                    "text",
                    "The correction or addition",
                    "Correction or addition",
                    lines=6,
                    redactable=True,
                ),
                _yes_no(
                    "recipients_told",
                    "This record was shared: have the recipients been told of this amendment?",
                    "Recipients told of the amendment",
                    applies=lambda d: d.target_was_shared,
                ),
                _lines(
                    "recipients_told_notes",
                    "Who was told, when and how (or when they will be)",
                    "Who was told, when, how",
                    applies=lambda d: d.target_was_shared,
                    optional=True,
                ),
            ),
        ),
    ),
    not_shown=(
        ("target_id", "the amended record, which the screen shows the amendment under"),
        ("target_was_shared", "set by the service; it decides whether recipients_told applies"),
    ),
)

REVIEW_FORM = Form(
    draft=ReviewDraft,
    groups=(
        Group(
            title="Review",
            fields=(
                _choice(
                    "outcome",
                    ReviewOutcome,
                    "Outcome",
                    "Outcome",
                    choice_help=(
                        (
                            ReviewOutcome.ENDORSED,
                            "The reasons recorded are sound; no comment is needed.",
                        ),
                        (
                            ReviewOutcome.ENDORSED_WITH_COMMENT,
                            "Sound, with a point for the author to note.",
                        ),
                        (
                            ReviewOutcome.RETURNED,
                            "The author must add the detail you ask for, as an amendment.",
                        ),
                    ),
                ),
                _lines(
                    "comment",
                    "Comment for the author (needed unless simply endorsed)",
                    "Comment",
                    lines=4,
                    optional=True,
                    help="Needed when you endorse with a comment or return the record: say "
                    "what more detail is needed, or the point to note.",
                ),
            ),
        ),
    ),
    not_shown=(("target_id", "the reviewed record, which the screen shows the review under"),),
)

ADVICE_FORM = Form(
    draft=AdviceDraft,
    groups=(
        Group(
            title="Advice sought",
            fields=(
                _line(
                    "sought_from_role",
                    "Role of the person who advised (e.g. designated safeguarding lead)",
                    "From (role)",
                ),
                Field(
                    name="sought_at",
                    label="When the advice was given (date and time)",
                    short="When",
                    widget=Widget.DATETIME,
                    help="The time it was recorded is set when you save.",
                    print_row=WHEN,
                ),
                _yes_no(
                    "identity_withheld",
                    "Was the individual's identity withheld while seeking advice?",
                    "Identity withheld",
                    help="Withhold it where you can: advice can usually be given without it.",
                ),
            ),
        ),
        Group(
            title="The advice",
            fields=(_lines("advice", "What the advice was", "Advice given", lines=5),),
        ),
    ),
)

# ---- requests received (issue 11 section 2) ------------------------------------------------


def _due_label(d: RequestDraft) -> str:
    default = d.default_due() if isinstance(d, RequestDraft) else None
    if default is None:
        return "Reply due by (leave empty for the default for the rating)"
    return f"Reply due by (leave empty for the default: {format_local(default)})"


_TIMESCALE_HELP = (
    "Defaults: "
    + "; ".join(f"{r.value} {REPLY_TIMESCALES[r].words()}" for r in Rating)
    + " after the request was received (working days are Monday to Friday). Set the date "
    "when the request or your MASH protocol says otherwise."
)

REQUEST_FORM = Form(
    draft=RequestDraft,
    groups=(
        Group(
            title="Who asked",
            fields=(
                _choice("source", RequestSource, "Where the request comes from", "From"),
                _line(
                    "requester_organisation",
                    "Their organisation",
                    "Organisation",
                    print_row="Who asked",
                ),
                _line(
                    "requester_name", "Their name or role", "Name or role", print_row="Who asked"
                ),
                _line(
                    "requester_reference",
                    "Their reference for the request, if they gave one",
                    "Their reference",
                    optional=True,
                    print_row="Who asked",
                ),
            ),
        ),
        Group(
            title="The request",
            fields=(
                Field(
                    name="received_at",
                    label="When the request was received (date and time)",
                    short="Received",
                    widget=Widget.DATETIME,
                    help="The time it was recorded is set when you save.",
                    print_row=WHEN,
                ),
                _late_reason(),
                _choice("method", Method, "How the request came", "How", print_row="How"),
                _line(
                    "method_other",
                    "Other: say how",
                    "Other method",
                    applies=lambda d: d.method is Method.OTHER,
                    print_row="How",
                ),
                _lines("asked", "What was asked for", "What was asked", lines=4, redactable=True),
            ),
        ),
        Group(
            title="Rating and timescale",
            fields=(
                _choice("rating", Rating, "RAG rating", "Rating", print_row="Rating and due"),
                Field(
                    name="due_at",
                    label=_due_label,
                    short="Reply due by",
                    widget=Widget.DATETIME,
                    help=_TIMESCALE_HELP,
                    print_row="Rating and due",
                ),
                _yes_no(
                    "acknowledged",
                    "Has an acknowledgement been sent?",
                    "Acknowledgement sent",
                    print_row="Acknowledged",
                ),
                Field(
                    name="acknowledged_at",
                    label="When the acknowledgement was sent",
                    short="Acknowledged at",
                    widget=Widget.DATETIME,
                    applies=lambda d: d.acknowledged is True,
                    print_row="Acknowledged",
                ),
            ),
        ),
    ),
)


def _declined(d: RequestReplyDraft) -> bool:
    return d.outcome is ReplyOutcome.DECLINED


REQUEST_REPLY_FORM = Form(
    draft=RequestReplyDraft,
    groups=(
        Group(
            title="The reply",
            fields=(
                _custom("request", "request", "The request this answers", "Request answered"),
                _custom(
                    "answered_by",
                    "answering_decisions",
                    "The sharing decision(s) that answered it",
                    "Answered by",
                    help="Record the sharing decision first (shared, shared in part, or not "
                    "shared with its reasons); it is then offered here.",
                ),
                _choice("outcome", ReplyOutcome, "Outcome", "Outcome"),
                Field(
                    name="replied_at",
                    label="When the reply was sent (date and time)",
                    short="Replied",
                    widget=Widget.DATETIME,
                    help="The time it was recorded is set when you save.",
                    print_row=WHEN,
                ),
                _late_reason(),
                _yes_no(
                    "reconsider_if_new",
                    "Reconsider the request if new information comes to light?",
                    "Reconsider if new information",
                    help="If yes, the request returns to your worklist whenever a record is "
                    "added to this case (2024 advice).",
                    applies=_declined,
                ),
            ),
        ),
        Group(
            title="Feedback",
            fields=(
                _lines(
                    "feedback",
                    "Feedback received on the outcome, if any",
                    "Feedback",
                    lines=3,
                    optional=True,
                ),
            ),
        ),
    ),
)

FORMS: dict[type[Draft], Form] = {
    form.draft: form
    for form in (
        SHARING_DECISION_FORM,
        CONSENT_DECISION_FORM,
        AMENDMENT_FORM,
        REVIEW_FORM,
        ADVICE_FORM,
        REQUEST_FORM,
        REQUEST_REPLY_FORM,
    )
}


def form_of(draft: Draft | type[Draft]) -> Form:
    """The declared form of a draft (or draft class)."""
    cls = draft if isinstance(draft, type) else type(draft)
    return FORMS[cls]
