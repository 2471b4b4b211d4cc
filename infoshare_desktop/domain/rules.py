"""The rule catalogue: every checklist rule declared once.

Each `Rule` has a stable id, a severity (blocking findings keep Save disabled; advisory
ones are shown only), the record kinds it applies to (`Scope`), a citation into the
guidance (`Citation`, explained in ``docs/domain.md``), one line on what satisfies it, and
its messages: each says what to add, in words that name something that satisfies the rule,
and which field it points at. The checklist (``domain/checklist.py``) decides *when* a rule
fires; it makes every finding through `Rule.finding`, so a finding's severity, citation,
field and wording can only come from here. ``docs/domain.md``'s rule table is checked
against this catalogue by the tests.

The rule parameters other screens need (`LATE_AFTER`, `recorded_late`) live here too, so
the checklist, the services and the forms use one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from infoshare_desktop.domain.enums import (
    Criterion,
    LabelledEnum,
    OrganisationType,
    Rating,
    SharingKind,
)

__all__ = [
    "COPIED_CRITERIA",
    "FUTURE_TOLERANCE",
    "LATE_AFTER",
    "REPLY_TIMESCALES",
    "RULES",
    "SHARES",
    "SHARING",
    "WITHHOLDING",
    "Citation",
    "Finding",
    "Message",
    "Rule",
    "Scope",
    "Severity",
    "add_working_days",
    "default_reply_due",
    "recorded_late",
    "rule",
    "withheld_from_duty_holder",
]

LATE_AFTER = timedelta(hours=24)
"""An entry recorded longer than this after the event is late and needs a reason
(docs/domain.md, "Late entry")."""


FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clock drift allowed before a time counts as in the future."""
COPIED_CRITERIA = 4
"""The same rationale on this many criteria (most of the seven) earns an advisory."""


def recorded_late(occurred_at: datetime, recorded_at: datetime) -> bool:
    """True when a record made at ``recorded_at`` about ``occurred_at`` is a late entry."""
    return recorded_at - occurred_at > LATE_AFTER


def late_entry(moments: Iterable[object], recorded_at: datetime) -> bool:
    """True when any of the moments a record states (a request received, acknowledged, a
    reply sent) is a late entry if recorded at ``recorded_at`` (``recorded_late``);
    anything not an aware time is ignored."""
    for moment in moments:
        if isinstance(moment, datetime) and moment.tzinfo is not None:
            try:
                if recorded_late(moment, recorded_at):
                    return True
            except (OverflowError, ValueError):
                continue
    return False


# ---- requests received: when a reply is due ------------------------------------------------


@dataclass(frozen=True)
class Timescale:
    """How long a request of one rating may wait for its reply: clock hours, or working
    days (Monday to Friday; the same time of day on the working day that many ahead)."""

    hours: int = 0
    working_days: int = 0

    def words(self) -> str:
        if self.hours:
            return f"{self.hours} hours"
        days = self.working_days
        return f"{days} working day{'s' if days != 1 else ''}"


REPLY_TIMESCALES: Mapping[Rating, Timescale] = MappingProxyType(
    {
        Rating.RED: Timescale(hours=4),
        Rating.AMBER: Timescale(working_days=1),
        Rating.GREEN: Timescale(working_days=3),
    }
)
"""The default time a reply is due after a request is received, by its RAG rating
(docs/domain.md, "Requests received"). A declared default: the practitioner sets the due
date when the local MASH protocol, or the request, says otherwise."""


def add_working_days(start: datetime, days: int) -> datetime:
    """The same time of day ``days`` working days (Monday to Friday) after ``start``; a
    start at the weekend counts from the Monday. Bank holidays are not known here."""
    moment = start
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


def default_reply_due(received_at: datetime, rating: Rating) -> datetime:
    """When a reply to a request received at ``received_at`` (local, aware) is due by
    default for its ``rating`` (``REPLY_TIMESCALES``)."""
    scale = REPLY_TIMESCALES[rating]
    if scale.hours:
        return received_at + timedelta(hours=scale.hours)
    return add_working_days(received_at, scale.working_days)


class Severity(StrEnum):
    """Blocking findings keep Save disabled; advisory ones are shown only."""

    BLOCKING = "blocking"
    ADVISORY = "advisory"


@dataclass(frozen=True)
class Finding:
    """One checklist result: the rule, how serious, what to add, where, and why."""

    rule_id: str
    severity: Severity
    message: str
    field: str
    citation: str


class Citation(LabelledEnum):
    """Where in the guidance a rule comes from; the value is its anchor in docs/domain.md."""

    GOLDEN_RULE_2 = (
        "golden-rule-2",
        "Golden rule 2 (chapter section 4): be open and honest",
    )
    GOLDEN_RULE_3 = (
        "golden-rule-3",
        "Golden rule 3 (chapter section 4): seek advice if in doubt",
    )
    GOLDEN_RULE_4 = (
        "golden-rule-4",
        "Golden rule 4 (chapter section 4): consent, and the basis for sharing",
    )
    GOLDEN_RULE_6 = (
        "golden-rule-6",
        "Golden rule 6 (chapter section 4): necessary, proportionate, relevant, adequate, "
        "accurate, timely and secure",
    )
    GOLDEN_RULE_6_ACCURATE = (
        "golden-rule-6-accurate",
        "Golden rule 6 (chapter section 4): necessary, proportionate, relevant, adequate, "
        "accurate, timely and secure (accurate)",
    )
    GOLDEN_RULE_7 = (
        "golden-rule-7",
        "Golden rule 7 (chapter section 4): keep a record of the decision and the reasons",
    )
    SECTION_1 = (
        "section-1",
        "Chapter section 1: however information is shared, record it",
    )
    SECTION_2 = (
        "section-2",
        "Chapter section 2: key points on information sharing",
    )
    SECTION_3 = (
        "section-3",
        "Chapter section 3: confidentiality, consent and the public interest",
    )
    LATER = (
        "later-guidance",
        "Later editions of the advice (2018, 2024) and UK data-protection law",
    )
    S16LC = (
        "consistent-identifier",
        "Children Act 2004 s16LC (inserted by the Children's Wellbeing and Schools Act "
        "2026): the consistent identifier",
    )
    # requests received (issue 11 section 2)
    WORKING_TOGETHER = (
        "working-together-2023",
        "Working Together to Safeguard Children 2023: timely information for enquiries",
    )
    ADVICE_2024 = (
        "advice-2024",
        "Information sharing advice (2024): answer requests, reconsider with new information",
    )
    # issue 11 section 4: the duty to share and the 2024 advice
    DUTY_TO_SHARE = (
        "duty-to-share",
        "Children Act 2004 s16LA (inserted by the Children's Wellbeing and Schools Act "
        "2026): the duty to share",
    )
    CONSENT_MEANINGS = (
        "consent-meanings",
        "Information sharing: advice for practitioners (DfE 2024): three meanings of consent",
    )
    PROTECTING_IDENTITIES = (
        "protecting-identities",
        "Information sharing: advice for practitioners (DfE 2024): protecting identities",
    )


class Scope(LabelledEnum):
    """What a rule checks: a sharing decision of one kind, or another record (or the case).

    The sharing scopes have the values of `SharingKind`'s members (`Scope.of`)."""

    SHARED = "shared", "Shared"
    SHARED_IN_PART = "shared_in_part", "Shared in part"
    NOT_SHARED = "not_shared", "Not shared"
    RECEIVED = "received", "Received"
    CONSENT_DECISION = "consent_decision", "Consent decision"
    AMENDMENT = "amendment", "Amendment"
    REVIEW = "review", "Review"
    ADVICE = "advice", "Advice"
    REQUEST = "request", "Request received"
    REQUEST_REPLY = "request_reply", "Reply to a request"
    CASE = "case", "Case"

    @classmethod
    def of(cls, kind: SharingKind) -> Scope:
        """The scope of a sharing decision of ``kind``."""
        found = cls.parse(kind.value)
        if found is None:
            raise ValueError(f"no scope for the sharing kind {kind!r}")
        return found


SHARING = frozenset({Scope.SHARED, Scope.SHARED_IN_PART, Scope.NOT_SHARED, Scope.RECEIVED})
"""Every sharing decision, whatever its kind."""
SHARES = frozenset({Scope.SHARED, Scope.SHARED_IN_PART})
"""Sharing decisions that shared something."""


@dataclass(frozen=True)
class Message:
    """One way a rule fires: the words (a `str.format` template over named values, filled
    in by the checklist) and the fields it may point at (the first is the usual one)."""

    text: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.fields:
            raise ValueError("a message points at one field at least")


@dataclass(frozen=True)
class Rule:
    """A checklist rule: stable id, severity, scope, citation, what satisfies it, messages."""

    rule_id: str
    severity: Severity
    applies_to: frozenset[Scope]
    citation: Citation
    requires: str
    """What satisfies the rule, in a line (docs/domain.md's table)."""
    messages: Mapping[str, Message] = field(default_factory=dict)

    def finding(self, key: str, *, field: str | None = None, **values: object) -> Finding:
        """The finding for message ``key``, pointing at ``field`` (by default the message's
        first field) with the template filled from ``values``."""
        message = self.messages[key]
        where = message.fields[0] if field is None else field
        if where not in message.fields:
            raise ValueError(f"{self.rule_id}.{key} does not point at {where!r}")
        text = message.text.format(**values) if values else message.text
        return Finding(self.rule_id, self.severity, text, where, self.citation.label)

    @property
    def fields(self) -> frozenset[str]:
        """Every field a finding of this rule may point at."""
        return frozenset(f for message in self.messages.values() for f in message.fields)


_CATALOGUE: dict[str, Rule] = {}

B, A = Severity.BLOCKING, Severity.ADVISORY


def _declare(
    rule_id: str,
    severity: Severity,
    applies_to: frozenset[Scope],
    citation: Citation,
    requires: str,
    **messages: tuple[str, str | tuple[str, ...]],
) -> Rule:
    """Add a rule to the catalogue; ``messages`` map a key to (text, field or fields)."""
    if rule_id in _CATALOGUE:
        raise ValueError(f"rule {rule_id} is declared twice")
    declared = {
        key: Message(text, (where,) if isinstance(where, str) else where)
        for key, (text, where) in messages.items()
    }
    found = Rule(rule_id, severity, applies_to, citation, requires, MappingProxyType(declared))
    _CATALOGUE[rule_id] = found
    return found


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


_OTHER_GROUND = "a statutory duty, court order or vital-interests ground"
"""The lawful grounds besides consent and a public-interest circumstance, in words."""
_ADVICE_FIELDS = ("advice_sought", "advice_from_role", "advice_outcome")
_CRITERIA_FIELDS = tuple(f"criteria.{criterion}" for criterion in Criterion)
_R2, _R3, _R4 = Citation.GOLDEN_RULE_2, Citation.GOLDEN_RULE_3, Citation.GOLDEN_RULE_4
_R6, _R7 = Citation.GOLDEN_RULE_6, Citation.GOLDEN_RULE_7
_S1, _S2, _S3 = Citation.SECTION_1, Citation.SECTION_2, Citation.SECTION_3
_ACCURATE, _LATER = Citation.GOLDEN_RULE_6_ACCURATE, Citation.LATER
_UNTICK = "Untick it: choose only consent decisions that stood when this decision was made."
_RELINK = (
    "Link a consent decision that stood at that time, or record the consent position as it "
    "was then (for example withdrawn) with the grounds for sharing without consent."
)

# ---- every sharing decision --------------------------------------------------------

KIND = _declare(
    "KIND", B, SHARING, _R7, "The kind of decision is chosen.",
    kind=(
        "Choose what kind of decision this is: shared, shared in part, not shared, or "
        "information received.",
        "kind",
    ),
)  # fmt: skip
WHEN = _declare(
    "WHEN", B, SHARING | {Scope.CONSENT_DECISION, Scope.ADVICE}, _R7,
    "When it happened is given and is not in the future (allowing "
    f"{_minutes(FUTURE_TOLERANCE)} minutes' clock drift).",
    missing=("Enter the date and time this happened.", ("occurred_at", "sought_at")),
    future=(
        "The date and time given is in the future. Enter when this actually happened.",
        ("occurred_at", "sought_at"),
    ),
)  # fmt: skip
LATE_ENTRY = _declare(
    "LATE_ENTRY", B, SHARING | {Scope.REQUEST, Scope.REQUEST_REPLY}, _R7,
    f"Recorded more than {_hours(LATE_AFTER)} hours after it happened: a reason for the late "
    "entry is given.",
    late=(
        f"This is being recorded more than {_hours(LATE_AFTER)} hours after it happened. Add a "
        "short note on why the entry is late.",
        "late_entry_reason",
    ),
)  # fmt: skip
BEFORE_BIRTH = _declare(
    "BEFORE_BIRTH", A, SHARING | {Scope.CONSENT_DECISION}, _ACCURATE,
    "Dated on or after the child's date of birth (when known). Advisory: a concern before "
    "the birth is real, so a date before it can be saved.",
    before=(
        "This is dated {day}, before the child's date of birth ({born}). Check the date and "
        "that this is the right case. If both are right (a concern before the birth), you "
        "can still save; say so in the reasons.",
        "occurred_at",
    ),
)  # fmt: skip
PURPOSE = _declare(
    "PURPOSE", B, SHARING, _R7,
    "The purpose is written in words.",
    purpose=(
        "Describe the purpose in a sentence or two: why sharing was considered.",
        "purpose",
    ),
)  # fmt: skip
REASONS = _declare(
    "REASONS", B, SHARING, _R7,
    "The reasons for the decision are written in words.",
    reasons=(
        "Write the reasons for the decision in your own words. Short notes such as “see "
        "above” or “n/a” do not count as reasons.",
        "reasons",
    ),
)  # fmt: skip
ADVICE_IDENTITY = _declare(
    "ADVICE_IDENTITY", A, SHARING | {Scope.ADVICE}, _R3,
    "Where advice was sought, whether the individual's identity was withheld is recorded.",
    identity=(
        "Record whether the individual's identity was withheld while seeking advice "
        "(withhold it where possible).",
        ("advice_identity_withheld", "identity_withheld"),
    ),
)  # fmt: skip
ADVICE_WHEN_IN_DOUBT = _declare(
    "ADVICE_WHEN_IN_DOUBT", B, SHARING, _R3,
    "Confidentiality unsure, or the practitioner in doubt: the advice sought is recorded (who "
    "advised, by role, and what they advised), or why there was no time to seek it.",
    advice=(
        "Where there is doubt, record the advice you sought (who advised, by role, and what "
        "they advised), or say why there was no time to seek advice.",
        _ADVICE_FIELDS,
    ),
)  # fmt: skip

# ---- shared and shared in part ---------------------------------------------------------

RECIPIENT = _declare(
    "RECIPIENT", B, SHARES, _R7,
    "At least one recipient with an organisation and a name or role.",
    recipients=(
        "Add at least one recipient with their organisation and their name or role.",
        "recipients",
    ),
)  # fmt: skip
WHAT_SHARED = _declare(
    "WHAT_SHARED", B, SHARES, _R7, "What was shared is described.",
    information=("Describe what information was shared.", "information_shared"),
)  # fmt: skip
MINIMISED = _declare(
    "MINIMISED", B, SHARES, _S3,
    "The minimisation question (could less be shared?) is answered; shared in part says what "
    "was withheld.",
    answer=(
        "Answer the minimisation question: could the purpose be met by sharing less?",
        "could_less_be_shared",
    ),
    withheld=(
        "Say what was withheld, as only part of the information was shared.",
        "withheld",
    ),
)  # fmt: skip
THIRD_PARTY = _declare(
    "THIRD_PARTY", A, SHARES, _LATER,
    "Shown when third-party details are shared and whether anyone's details were withheld to "
    "protect them is not answered: consider protecting identities.",
    third_party=(
        "Details of third parties are included: consider protecting the identity of anyone "
        "who could be harmed if their details became known, and record whether anyone's "
        "details were withheld to protect them.",
        ("identities_protected", "categories"),
    ),
)  # fmt: skip
CONSENT_STATUS = _declare(
    "CONSENT_STATUS", B, SHARES, _R4,
    "The consent position is recorded and, when consent was given, refused or withdrawn, "
    "whose consent it is.",
    status=(
        "Record the consent position: explicit, implied, refused, withdrawn, not sought, or "
        "cannot be given. Consent is not always needed to share.",
        "consent_status",
    ),
    whose=(
        "Record whose consent this is: the child, a parent or carer, or someone else.",
        "consent_from",
    ),
)  # fmt: skip
COMPETENCE = _declare(
    "COMPETENCE", A, SHARES | {Scope.CONSENT_DECISION}, _R4,
    "When the consent is the child's, their competence to decide was considered.",
    competence=(
        "Record that the child's competence to decide about consent was considered.",
        ("child_competence_considered", "competence_considered"),
    ),
)  # fmt: skip
CONSENT_NOT_SOUGHT_REASON = _declare(
    "CONSENT_NOT_SOUGHT_REASON", B, SHARES, _S2,
    "Consent not sought: at least one reason chosen (and “other” said in words).",
    reasons=("Choose why consent was not sought.", "not_sought_reasons"),
    other=(
        "Say what the other reason for not seeking consent was.",
        "not_sought_other",
    ),
)  # fmt: skip
SENSITIVE_EXPLICIT = _declare(
    "SENSITIVE_EXPLICIT", B, SHARES, _S3,
    "Health or other special-category information does not rest on implied consent alone: "
    "explicit consent, or a ground besides consent.",
    explicit=(
        "Health or other special-category information needs explicit consent if consent is "
        "relied on. Record explicit consent, or choose another ground for sharing (for "
        "example a safeguarding ground).",
        "consent_status",
    ),
)  # fmt: skip
CONSENT_SCOPE = _declare(
    "CONSENT_SCOPE", B, SHARES, _R4,
    "The consent decision relied on is one of the case's, stood when the sharing happened "
    "(not withdrawn, superseded or expired), and covers every recipient and the purpose; or "
    f"{_OTHER_GROUND} or a public-interest circumstance covers what it does not.",
    unknown=(
        "The consent decision linked is not one of this case's consent decisions. Choose one "
        "from the list, or choose none.",
        "consent_decision_id",
    ),
    lapsed=(
        "The consent relied on was {standing} when this happened ({when}). " + _RELINK,
        "consent_decision_id",
    ),
    not_given=(
        "The consent decision linked does not record consent given (it records: {standing}). "
        + _RELINK,
        "consent_decision_id",
    ),
    recipients=(
        "The consent relied on does not cover {organisations}. Link a consent decision that "
        f"covers them, or choose {_OTHER_GROUND} for sharing with them.",
        "recipients",
    ),
    purpose=(
        "Choose which of the consent's purposes this sharing is for. If none fits, link a "
        f"consent decision that covers this purpose, or choose {_OTHER_GROUND}.",
        "consent_purpose",
    ),
)  # fmt: skip
GROUNDS = _declare(
    "GROUNDS", B, SHARES, _R4,
    "At least one ground for sharing is chosen (and “other” said in words).",
    grounds=(
        "Choose at least one ground for sharing; the legal basis it rests on is shown for you "
        "to confirm.",
        "grounds",
    ),
    other=("Say what the other ground for sharing is.", "ground_references"),
)  # fmt: skip
STATUTE_OR_ORDER_REF = _declare(
    "STATUTE_OR_ORDER_REF", B, SHARES, _S2,
    "A statutory-duty ground names the statute; a court-order ground gives the order's "
    "reference.",
    statute=(
        "Name the statute that requires the sharing (for example Children Act 1989 s47).",
        "ground_references",
    ),
    order=("Give the court order's reference.", "ground_references"),
)  # fmt: skip
OVERRIDE_JUSTIFIED = _declare(
    "OVERRIDE_JUSTIFIED", B, SHARES, _S3,
    "Shared without consent (refused, withdrawn, not sought or cannot be given) and the "
    "information confidential or unsure: a public-interest circumstance or "
    f"{_OTHER_GROUND} is chosen, and the weighing of sharing against not sharing is written.",
    circumstance=(
        "Confidential information can be shared without consent when it is justified. Choose "
        f"the public-interest circumstance that applies, or {_OTHER_GROUND}.",
        "public_interest",
    ),
    weighing=(
        "Write down the weighing: what might happen if the information is shared, against "
        "what might happen if it is not.",
        "weighing",
    ),
)  # fmt: skip
TRANSPARENCY = _declare(
    "TRANSPARENCY", B, SHARES, _R2,
    "Whether the individual (and/or family) was told is recorded; if not, why not.",
    told=(
        "Record whether the individual (and/or family) was told what is shared, why, how and "
        "with whom.",
        "individual_told",
    ),
    not_told=(
        "Say why the individual was not told (for example, because telling them would be "
        "unsafe).",
        "not_told_reason",
    ),
)  # fmt: skip
SECURE_METHOD = _declare(
    "SECURE_METHOD", B, SHARES, _R6,
    "The method is recorded (“other” said in words) and whether the channel was secure; a "
    "channel that is not secure has the reason it was used.",
    method=("Record how the information was shared.", "method"),
    other=("Say what the other method of sharing was.", "method_other"),
    secure=("Record whether the channel used was secure.", "channel_secure"),
    insecure=(
        "Say why a channel that is not secure was used (for example, an emergency).",
        "insecure_reason",
    ),
)  # fmt: skip
CRITERIA = _declare(
    "CRITERIA", B, SHARES, _R6,
    "Each of the seven criteria is confirmed, each with a short rationale of its own.",
    neither=(
        "Confirm “{label}” and write a short rationale of its own. {guidance}",
        _CRITERIA_FIELDS,
    ),
    confirm=("Confirm “{label}”. {guidance}", _CRITERIA_FIELDS),
    rationale=("Write a short rationale of its own for “{label}”. {guidance}", _CRITERIA_FIELDS),
)  # fmt: skip
CRITERIA_COPIED = _declare(
    "CRITERIA_COPIED", A, SHARES, _R6,
    f"Shown when the same rationale is given for {COPIED_CRITERIA} or more of the seven "
    "criteria.",
    copied=(
        "The same rationale is given for {count} of the seven criteria. Each criterion asks "
        "something different: say in a few words how each is met.",
        _CRITERIA_FIELDS,
    ),
)  # fmt: skip

# ---- not shared ---------------------------------------------------------------------------

WEIGHING = _declare(
    "WEIGHING", B, frozenset({Scope.NOT_SHARED}), _S3,
    "The weighing of what might happen if shared against if not is written.",
    weighing=(
        "Write down what might happen if the information is shared, against what might "
        "happen if it is not.",
        "weighing",
    ),
)  # fmt: skip
HARM_NOT_SHARED = _declare(
    "HARM_NOT_SHARED", B, frozenset({Scope.NOT_SHARED}), _S2,
    "A significant-harm concern marked and not shared: the advice of a manager or "
    "safeguarding lead is recorded (their role and what they advised).",
    advice=(
        "A significant-harm concern is marked and the decision is not to share. Record the "
        "advice of a manager or safeguarding lead: their role and what they advised. The "
        "child's safety is the overriding consideration.",
        _ADVICE_FIELDS,
    ),
)  # fmt: skip
REQUESTER_TOLD = _declare(
    "REQUESTER_TOLD", A, frozenset({Scope.NOT_SHARED}), _LATER,
    "A declined request records whether the requester was told the reasons.",
    told=(
        "Record whether the requester was told the reasons the request was declined.",
        "requester_told_reasons",
    ),
)  # fmt: skip

# ---- received -------------------------------------------------------------------------------

SOURCE = _declare(
    "SOURCE", B, frozenset({Scope.RECEIVED}), _S1,
    "Who the information came from: an organisation and a name or role.",
    source=(
        "Add who the information came from: their organisation and their name or role.",
        "recipients",
    ),
)  # fmt: skip
WHAT_RECEIVED = _declare(
    "WHAT_RECEIVED", B, frozenset({Scope.RECEIVED}), _S1, "What was received is described.",
    information=("Describe the information that was received.", "information_shared"),
)  # fmt: skip

# ---- consent decision --------------------------------------------------------------------

_CONSENT = frozenset({Scope.CONSENT_DECISION})
CONSENT_WHO = _declare(
    "CONSENT_WHO", B, _CONSENT, _R4,
    "Who was asked is recorded (someone else: their name or role).",
    asked=(
        "Record who was asked: the child, a parent or carer, or someone else.",
        "asked",
    ),
    name=("Give the name or role of the person asked.", "asked_name"),
)  # fmt: skip
CONSENT_OUTCOME = _declare(
    "CONSENT_OUTCOME", B, _CONSENT, _R4, "The outcome is recorded.",
    outcome=(
        "Record the outcome: explicit, implied, refused, withdrawn, or cannot be given.",
        "outcome",
    ),
)  # fmt: skip
CONSENT_SCOPE_GIVEN = _declare(
    "CONSENT_SCOPE_GIVEN", B, _CONSENT, _S3,
    "Consent given has a scope: the agencies or recipients, the information and the purposes "
    "it covers.",
    agencies=("Add the agencies or recipients the consent covers.", "scope_agencies"),
    information=("Describe the information the consent covers.", "scope_information"),
    purposes=("Add the purposes the consent covers.", "scope_purposes"),
)  # fmt: skip
CONSENT_ENDS = _declare(
    "CONSENT_ENDS", B, _CONSENT, _R4,
    "A withdrawal names the consent it ends; every decision named as ended or replaced is one "
    "of the case's and stood when this decision was made.",
    none_named=(
        "Choose the consent this withdrawal ends, from the person's current consent "
        "decisions: a withdrawal that names no consent ends nothing. If no consent of theirs "
        "stands, record the outcome as refused instead.",
        "supersedes_ids",
    ),
    unknown=(
        "A consent decision chosen as ended is not one of this case's consent decisions. "
        "Untick it and choose from the list.",
        "supersedes_ids",
    ),
    made_after=(
        "The consent decision “{consent}” was made after this decision. " + _UNTICK,
        "supersedes_ids",
    ),
    ended=(
        "The consent decision “{consent}” had already ended ({standing}). " + _UNTICK,
        "supersedes_ids",
    ),
    not_standing=(
        "The consent decision “{consent}” does not stand ({standing}), so there is nothing to "
        "end. " + _UNTICK,
        "supersedes_ids",
    ),
)  # fmt: skip

# ---- amendment, review, advice, case ------------------------------------------------------

_AMENDMENT = frozenset({Scope.AMENDMENT})
AMENDMENT_TEXT = _declare(
    "AMENDMENT_TEXT", B, _AMENDMENT, _R7, "The correction or addition is written.",
    text=("Write the correction or addition.", "text"),
)  # fmt: skip
AMENDMENT_REASON = _declare(
    "AMENDMENT_REASON", B, _AMENDMENT, _R7, "The reason for the amendment is chosen.",
    reason=("Choose the reason for the amendment.", "reason"),
)  # fmt: skip
RECIPIENTS_TOLD = _declare(
    "RECIPIENTS_TOLD", B, _AMENDMENT, _LATER,
    "Amending a record that was shared: whether the recipients have been told is recorded.",
    told=(
        "This record was shared: record whether the recipients have been told of the "
        "amendment.",
        "recipients_told",
    ),
)  # fmt: skip
RECIPIENTS_NOT_TOLD = _declare(
    "RECIPIENTS_NOT_TOLD", A, _AMENDMENT, _LATER,
    "Shown when a correction of fact to shared information has not been told to the "
    "recipients.",
    not_told=(
        "When shared information is corrected, the recipients should be told. Tell them when "
        "you can and record it in a further amendment.",
        "recipients_told",
    ),
)  # fmt: skip
_REVIEW = frozenset({Scope.REVIEW})
REVIEW_NOT_OWN = _declare(
    "REVIEW_NOT_OWN", B, _REVIEW, _R3, "The reviewer is not the record's author.",
    own=(
        "You are the author of this record. Ask another supervisor to review it.",
        "target_id",
    ),
)  # fmt: skip
REVIEW_OUTCOME = _declare(
    "REVIEW_OUTCOME", B, _REVIEW, _R7, "The outcome is chosen.",
    outcome=(
        "Choose the outcome: endorsed, endorsed with comment, or returned for more detail.",
        "outcome",
    ),
)  # fmt: skip
REVIEW_COMMENT = _declare(
    "REVIEW_COMMENT", B, _REVIEW, _R7,
    "Returning a record, or endorsing it with comment, has the comment written.",
    returned=("Write what more detail is needed.", "comment"),
    comment=("Write your comment.", "comment"),
)  # fmt: skip
_ADVICE = frozenset({Scope.ADVICE})
ADVICE_FROM = _declare(
    "ADVICE_FROM", B, _ADVICE, _R3, "Who gave the advice is recorded, by role.",
    role=("Record who gave the advice, by role.", "sought_from_role"),
)  # fmt: skip
ADVICE_GIVEN = _declare(
    "ADVICE_GIVEN", B, _ADVICE, _R3, "What the advice was is written.",
    advice=("Write down what the advice was.", "advice"),
)  # fmt: skip

# ---- requests received (issue 11 section 2) ---------------------------------------------

_REQUEST = frozenset({Scope.REQUEST})
_REPLY = frozenset({Scope.REQUEST_REPLY})
_WT, _A24 = Citation.WORKING_TOGETHER, Citation.ADVICE_2024
REQUEST_FROM = _declare(
    "REQUEST_FROM", B, _REQUEST, _R7,
    "Who asked is recorded: where the request comes from, their organisation and their name "
    "or role.",
    source=(
        "Choose where the request comes from: the MASH, a section 47 enquiry or another agency.",
        "source",
    ),
    organisation=("Give the organisation that asked.", "requester_organisation"),
    name=("Give the name or role of the person who asked.", "requester_name"),
)  # fmt: skip
REQUEST_RECEIVED = _declare(
    "REQUEST_RECEIVED", B, _REQUEST, _R7,
    "When the request was received is given and is not in the future (allowing "
    f"{_minutes(FUTURE_TOLERANCE)} minutes' clock drift).",
    missing=("Enter the date and time the request was received.", "received_at"),
    future=(
        "The date and time the request was received is in the future. Enter when it "
        "actually arrived.",
        "received_at",
    ),
)  # fmt: skip
REQUEST_METHOD = _declare(
    "REQUEST_METHOD", B, _REQUEST, _R7,
    "How the request came is recorded (“other” said in words).",
    method=("Choose how the request came: secure email, portal, phone and so on.", "method"),
    other=("Say how the request came.", "method_other"),
)  # fmt: skip
REQUEST_ASKED = _declare(
    "REQUEST_ASKED", B, _REQUEST, _R7, "What was asked for is described.",
    asked=("Describe what was asked for: which information, about whom, and why.", "asked"),
)  # fmt: skip
REQUEST_RATING = _declare(
    "REQUEST_RATING", B, _REQUEST, _WT,
    "The request's RAG rating is chosen, and the reply is not due before the request arrived.",
    rating=(
        "Choose the request's RAG rating (red, amber or green): it sets when the reply is due.",
        "rating",
    ),
    due_before=(
        "The reply is due before the request was received. Correct the due date, or clear "
        "it to use the default for the rating.",
        "due_at",
    ),
)  # fmt: skip
REQUEST_ACKNOWLEDGED = _declare(
    "REQUEST_ACKNOWLEDGED", A, _REQUEST, _A24,
    "Whether an acknowledgement was sent is recorded, and when.",
    acknowledged=("Record whether the request was acknowledged.", "acknowledged"),
    when=("Give when the acknowledgement was sent.", "acknowledged_at"),
)  # fmt: skip
REPLY_REQUEST = _declare(
    "REPLY_REQUEST", B, _REPLY, _R7, "The request being answered is chosen.",
    request=("Choose the request this reply answers.", "request"),
)  # fmt: skip
REPLY_DECISIONS = _declare(
    "REPLY_DECISIONS", B, _REPLY, _R7,
    "At least one sharing decision that answered the request is chosen (declined: a decision "
    "not to share, which carries the reasons).",
    decisions=(
        "Choose the sharing decision(s) that answered the request. Record the decision first "
        "if it is not in the list.",
        "answered_by",
    ),
)  # fmt: skip
REPLY_OUTCOME = _declare(
    "REPLY_OUTCOME", B, _REPLY, _R7, "The outcome of the request is chosen.",
    outcome=("Choose the outcome: shared, shared in part, or declined.", "outcome"),
)  # fmt: skip
REPLY_WHEN = _declare(
    "REPLY_WHEN", B, _REPLY, _R7,
    "When the reply was sent is given and is not in the future.",
    missing=("Enter the date and time the reply was sent.", "replied_at"),
    future=(
        "The date and time of the reply is in the future. Enter when it was actually sent.",
        "replied_at",
    ),
)  # fmt: skip
REPLY_RECONSIDER = _declare(
    "REPLY_RECONSIDER", B, _REPLY, _A24,
    "A declined request says whether it is to be reconsidered if new information comes to "
    "light.",
    reconsider=(
        "The request was declined: say whether it should be reconsidered if new information "
        "comes to light (it then returns to your worklist when a record is added to the case).",
        "reconsider_if_new",
    ),
)  # fmt: skip

_CASE = frozenset({Scope.CASE})
BIRTH_IN_FUTURE = _declare(
    "BIRTH_IN_FUTURE", B, _CASE, _ACCURATE, "A date of birth, when given, is not in the future.",
    future=(
        "The date of birth ({born}) is in the future. Enter the child's actual date of birth, "
        "or tick “Not known”.",
        "date_of_birth",
    ),
)  # fmt: skip
CASE_NAME = _declare(
    "CASE_NAME", B, _CASE, _R7, "The child's display name is given.",
    name=("Enter the child's name as it should appear in lists.", "display_name"),
)  # fmt: skip
CASE_REFERENCE = _declare(
    "CASE_REFERENCE", B, _CASE, _R7, "The organisation's case reference is given.",
    reference=("Enter your organisation's case reference.", "case_reference"),
)  # fmt: skip
_S16LC = Citation.S16LC
NHS_NUMBER_INVALID = _declare(
    "NHS_NUMBER_INVALID", B, _CASE, _S16LC,
    "An NHS number, when given, is 10 digits (spaces allowed) ending in a correct Modulus 11 "
    "check digit.",
    not_digits=("An NHS number has digits only (spaces are fine).", "nhs_number"),
    wrong_length=("An NHS number has exactly 10 digits.", "nhs_number"),
    check_digit=(
        "This is not a valid NHS number: its last digit does not match the others. Check it "
        "was copied correctly.",
        "nhs_number",
    ),
)  # fmt: skip
IDENTIFIER_NUMBER_AND_REASON = _declare(
    "IDENTIFIER_NUMBER_AND_REASON", B, _CASE, _S16LC,
    "Either the NHS number or the reason it is not included is given, not both.",
    both=(
        "Give either the NHS number or the reason it is not included, not both.",
        "identifier_reason",
    ),
)  # fmt: skip
_MISSING = (
    "Record the child's NHS number (the consistent identifier), or the reason it is not included."
)
IDENTIFIER_MISSING = _declare(
    "IDENTIFIER_MISSING", A, _CASE, _S16LC,
    "A new case has its NHS number or the reason it is not included.",
    missing=(_MISSING, "nhs_number"),
)  # fmt: skip
IDENTIFIER_REQUIRED = _declare(
    "IDENTIFIER_REQUIRED", B, _CASE, _S16LC,
    "A change of the identifier leaves an NHS number or the reason it is not included.",
    missing=(_MISSING, "nhs_number"),
)  # fmt: skip
IDENTIFIER_REASON_TEXT = _declare(
    "IDENTIFIER_REASON_TEXT", B, _CASE, _S16LC,
    "When the NHS number is left out for another reason, the reason is said in words.",
    text=("Say why the NHS number is not included.", "identifier_reason_text"),
)  # fmt: skip

# ---- the duty to share (s16LA) and the 2024 advice (issue 11, section 4) -----------------


WITHHOLDING = frozenset({SharingKind.NOT_SHARED, SharingKind.SHARED_IN_PART})
"""The decisions that withhold something: the duty to share is judged for them."""


def withheld_from_duty_holder(
    kind: object, recipients: object, requester_type: object = None
) -> bool:
    """A decision not to share, or to share only in part, with at least one recipient, or
    a requester, under the duty to share (`OrganisationType.holds_duty`): the form then
    asks, and `DUTY_DETRIMENT` requires, why disclosure would be more detrimental to the
    child than not disclosing (docs/domain.md, "The duty to share"). Tolerant of any draft."""
    if SharingKind.parse(kind) not in WITHHOLDING:
        return False
    requester = OrganisationType.parse(requester_type)
    if requester is not None and requester.holds_duty:
        return True
    if not isinstance(recipients, list | tuple):
        return False
    for recipient in recipients:
        found = OrganisationType.parse(getattr(recipient, "organisation_type", None))
        if found is not None and found.holds_duty:
            return True
    return False


_DUTY, _MEANINGS = Citation.DUTY_TO_SHARE, Citation.CONSENT_MEANINGS
_IDENTITIES = Citation.PROTECTING_IDENTITIES
RECIPIENT_TYPE = _declare(
    "RECIPIENT_TYPE", A, frozenset({Scope.SHARED}), _DUTY,
    "Shared in full: each recipient's type of organisation is recorded (a body under s11, "
    "a designated education or childcare agency, a contractor of either, or another "
    "organisation). Advisory: everything was shared, so the duty to share is met whatever "
    "the type.",
    type=(
        "Record what kind of organisation each recipient is: whether the duty to share "
        "(Children Act 2004 s16LA) applies depends on it.",
        "recipients",
    ),
)  # fmt: skip
DUTY_TYPE = _declare(
    "DUTY_TYPE", B, frozenset({Scope.NOT_SHARED, Scope.SHARED_IN_PART}), _DUTY,
    "Not shared, or shared only in part: the type of organisation of each recipient, and "
    "of a requester who named their organisation, is recorded. Blocking: whether the duty "
    "to share applies, and so DUTY_DETRIMENT, cannot be judged without it.",
    type=(
        "Record what kind of organisation each recipient is: the duty to share (Children "
        "Act 2004 s16LA) may apply to them, and it cannot be checked without their type.",
        "recipients",
    ),
    requester=(
        "Record what kind of organisation the requester is: declining a request from a body "
        "under the duty to share (Children Act 2004 s16LA) needs its reason, and that cannot "
        "be checked without their type.",
        "requester_organisation_type",
    ),
)  # fmt: skip
DUTY_DETRIMENT = _declare(
    "DUTY_DETRIMENT", B, frozenset({Scope.NOT_SHARED, Scope.SHARED_IN_PART}), _DUTY,
    "Not shared, or shared only in part, with a recipient under the duty to share: why "
    "disclosure would be more detrimental to the child than not disclosing is written in "
    "words.",
    detriment=(
        "A recipient is under the duty to share (Children Act 2004 s16LA). Write why "
        "disclosing the information withheld from them would be more detrimental to the "
        "child than not disclosing it.",
        "duty_detriment",
    ),
)  # fmt: skip
SERVICE_NOT_CONSENT = _declare(
    "SERVICE_NOT_CONSENT", A, SHARES, _MEANINGS,
    "Shown when the child or family agreed to a service and the sharing rests on implied "
    "consent with no consent decision linked: agreement to a service is not consent to "
    "share.",
    service=(
        "Agreeing to a service (early help, s17 support) is not consent to share "
        "information. If the implied consent is only that agreement, ask for consent to "
        "share and record it as a consent decision, or record the lawful basis that does not "
        "rest on consent.",
        ("consent_status", "service_agreement"),
    ),
)  # fmt: skip
IDENTITIES_PROTECTED = _declare(
    "IDENTITIES_PROTECTED", B, SHARES, _IDENTITIES,
    "Someone's details were withheld to protect them: whose details, and from whom, is "
    "described.",
    details=(
        "Say whose details were withheld, and from whom (for example: the mother's new "
        "address, withheld from the father).",
        "protected_identities",
    ),
)  # fmt: skip

RULES: Mapping[str, Rule] = MappingProxyType(dict(_CATALOGUE))
"""Every checklist rule by id, in declaration (form) order."""


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id`` (KeyError for an id the catalogue does not declare)."""
    return RULES[rule_id]
