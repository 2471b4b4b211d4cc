"""Pick-lists of the guidance, each member with a plain-language label."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A str-valued enum whose members are declared as ``NAME = "value", "Label"``."""

    _label: str

    # `label` has a default only for the type checker: a lookup such as
    # ``RecordKind("review")`` goes through the enum's own call, never here.
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The member's plain-language label for forms and printouts."""
        return self._label

    @classmethod
    def parse(cls, value: object) -> Self | None:
        """The member for ``value`` (a member, or the string a store or form holds), or
        None, so callers compare members rather than strings."""
        found = cls._value2member_map_.get(value) if isinstance(value, str) else None
        return found if isinstance(found, cls) else None

    @classmethod
    def choices(cls) -> list[tuple[Self, str]]:
        """``[(member, label)]`` in declaration order, for combo boxes and radio groups."""
        return [(member, member.label) for member in cls]


class SharingKind(LabelledEnum):
    """What the sharing decision was."""

    SHARED = "shared", "Shared"
    SHARED_IN_PART = "shared_in_part", "Shared in part"
    NOT_SHARED = "not_shared", "Not shared (or request declined)"
    RECEIVED = "received", "Received from another agency"

    @property
    def shares(self) -> bool:
        """True for the kinds that shared something (shared, shared in part)."""
        return self in (SharingKind.SHARED, SharingKind.SHARED_IN_PART)


class Initiation(LabelledEnum):
    """Whether sharing was our idea or answered a request."""

    PROACTIVE = "proactive", "Proactive (our decision to share)"
    ON_REQUEST = "on_request", "In response to a request"


class Urgency(LabelledEnum):
    """How urgent the decision was."""

    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENCY = "emergency", "Emergency"


class InfoCategory(LabelledEnum):
    """Categories of personal information involved."""

    GENERAL_PERSONAL = "general_personal", "General personal information"
    HEALTH = "health", "Health information (special category)"
    OTHER_SPECIAL_CATEGORY = (
        "other_special_category",
        "Other special-category information (e.g. ethnicity, religion, sexual life)",
    )
    CRIMINAL_OFFENCE = "criminal_offence", "Criminal-offence information"
    THIRD_PARTY = "third_party", "Details of third parties"

    @property
    def is_special_category(self) -> bool:
        """True for health and other special-category data (more stringent rules)."""
        return self in (InfoCategory.HEALTH, InfoCategory.OTHER_SPECIAL_CATEGORY)


class FactOrOpinion(LabelledEnum):
    """Whether the information is fact, professional opinion, or both."""

    FACT = "fact", "Fact"
    OPINION = "opinion", "Opinion"
    BOTH = "both", "Both fact and opinion (distinguished in the text)"


class Confidentiality(LabelledEnum):
    """Is the information confidential (the chapter's test, section 3)."""

    YES = "yes", "Yes, confidential"
    NO = "no", "No, not confidential"
    UNSURE = "unsure", "Unsure"


class ConsentStatus(LabelledEnum):
    """Consent position for a sharing decision."""

    EXPLICIT = "explicit", "Explicit consent given"
    IMPLIED = "implied", "Implied consent"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    NOT_SOUGHT = "not_sought", "Consent not sought"
    CANNOT_BE_GIVEN = "cannot_be_given", "Consent cannot be given"

    @property
    def is_given(self) -> bool:
        """True for consent given (explicit or implied). Every other position (refused,
        withdrawn, not sought, cannot be given) is sharing without consent, which needs a
        public-interest or other lawful justification (chapter section 3)."""
        return self in (ConsentStatus.EXPLICIT, ConsentStatus.IMPLIED)


class ConsentFrom(LabelledEnum):
    """Whose consent."""

    CHILD = "child", "The child or young person"
    PARENT_CARER = "parent_carer", "A parent or carer with parental responsibility"
    OTHER = "other", "Someone else (say who)"


class NotSoughtReason(LabelledEnum):
    """Why consent was not sought (chapter section 2)."""

    RISK_TO_CHILD = (
        "risk_to_child",
        "Seeking consent would place the child at increased risk of significant harm",
    )
    RISK_TO_ADULT = "risk_to_adult", "Seeking consent would place an adult at risk of serious harm"
    UNDERMINE_CRIME = (
        "undermine_crime",
        "Seeking consent would undermine the prevention, detection or prosecution of a "
        "serious crime (including interference with an investigation)",
    )
    STATUTORY_OR_COURT = (
        "statutory_or_court",
        "A statutory duty or court order requires the sharing",
    )
    CANNOT_BE_OBTAINED = (
        "cannot_be_obtained",
        "Consent cannot be given or cannot reasonably be obtained",
    )
    DELAY_INCREASES_RISK = "delay_increases_risk", "The delay would increase risk"
    OTHER = "other", "Other (say what)"


_LEGAL_BASIS_HARM = "UK GDPR Art 6(1)(e) public task; Art 9(2)(g) with DPA 2018 Sch 1 para 18"


class Ground(LabelledEnum):
    """Plain-language grounds for sharing, each mapped to its legal basis."""

    CONSENT = (
        "consent",
        "Consent of the individual or a person with parental responsibility",
    )
    SIGNIFICANT_HARM = (
        "significant_harm",
        "Child suffering or at risk of significant harm (evidence, or reasonable cause to believe)",
    )
    PREVENT_HARM = (
        "prevent_harm",
        "Preventing significant harm to a child or serious harm to an adult",
    )
    SERIOUS_CRIME = "serious_crime", "Preventing, detecting or prosecuting a serious crime"
    STATUTORY_DUTY = "statutory_duty", "Statutory duty (name the statute)"
    COURT_ORDER = "court_order", "Court order (give the order's reference)"
    VITAL_INTERESTS = "vital_interests", "Vital interests of someone who cannot give consent"
    PUBLIC_FUNCTION = (
        "public_function",
        "Carrying out the organisation's public function / care provision",
    )
    OTHER = "other", "Other (say what)"

    @property
    def legal_basis(self) -> str:
        """The legal basis this ground rests on, shown to the practitioner for confirmation."""
        return _LEGAL_BASES[self]

    @property
    def needs_reference(self) -> bool:
        """True when the ground needs a statute name or court order reference."""
        return self in (Ground.STATUTORY_DUTY, Ground.COURT_ORDER)


_LEGAL_BASES: dict[Ground, str] = {
    Ground.CONSENT: "UK GDPR Art 6(1)(a); Art 9(2)(a) for special-category data (explicit)",
    Ground.SIGNIFICANT_HARM: _LEGAL_BASIS_HARM,
    Ground.PREVENT_HARM: _LEGAL_BASIS_HARM,
    Ground.SERIOUS_CRIME: "UK GDPR Art 6(1)(e); DPA 2018 Sch 1 para 10",
    Ground.STATUTORY_DUTY: "UK GDPR Art 6(1)(c) legal obligation",
    Ground.COURT_ORDER: "UK GDPR Art 6(1)(c); Art 9(2)(f)",
    Ground.VITAL_INTERESTS: "UK GDPR Art 6(1)(d); Art 9(2)(c)",
    Ground.PUBLIC_FUNCTION: "UK GDPR Art 6(1)(e); Art 9(2)(h) with DPA 2018 Sch 1 para 2",
    Ground.OTHER: "Chosen by the practitioner",
}


class PublicInterestCircumstance(LabelledEnum):
    """When sharing confidential information without consent is normally justified."""

    SUFFERING_SIGNIFICANT_HARM = (
        "suffering_significant_harm",
        "Evidence that the child is suffering or is at risk of suffering significant harm",
    )
    REASONABLE_CAUSE_TO_BELIEVE = (
        "reasonable_cause_to_believe",
        "Reasonable cause to believe that the child may be suffering or at risk of "
        "significant harm",
    )
    PREVENT_HARM_OR_SERIOUS_CRIME = (
        "prevent_harm_or_serious_crime",
        "To prevent significant harm to a child or serious harm to an adult, including "
        "through preventing, detecting or prosecuting a serious crime",
    )


class Method(LabelledEnum):
    """How the information was shared."""

    SECURE_EMAIL = "secure_email", "Secure email"
    SECURE_PORTAL = "secure_portal", "Secure portal"
    PHONE = "phone", "Phone"
    MEETING = "meeting", "Meeting"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other (say what)"


class Criterion(LabelledEnum):
    """The seven criteria of golden rule 6 (2018 wording), each confirmed with a rationale."""

    NECESSARY = "necessary", "Necessary"
    PROPORTIONATE = "proportionate", "Proportionate"
    RELEVANT = "relevant", "Relevant"
    ADEQUATE = "adequate", "Adequate"
    ACCURATE = "accurate", "Accurate"
    TIMELY = "timely", "Timely"
    SECURE = "secure", "Secure"

    @property
    def guidance(self) -> str:
        """The guidance's own wording for this criterion, for tooltips and the panel."""
        return _CRITERION_GUIDANCE[self]


_CRITERION_GUIDANCE: dict[Criterion, str] = {
    Criterion.NECESSARY: (
        "Ensure that the information you share is necessary for the purpose for which you "
        "are sharing it."
    ),
    Criterion.PROPORTIONATE: (
        "Sharing should be proportionate, a response in proportion to the need: consider "
        "whether the objective can be achieved by limiting the amount of information shared."
    ),
    Criterion.RELEVANT: (
        "Share only information relevant to the purpose, and only with those people who "
        "need to have it."
    ),
    Criterion.ADEQUATE: (
        "Information should be adequate for its purpose: of the right quality to be "
        "understood and relied on."
    ),
    Criterion.ACCURATE: (
        "Information should be accurate and up to date, distinguishing fact from opinion "
        "and saying when it is historical."
    ),
    Criterion.TIMELY: (
        "Share information in a timely fashion, so that the opportunity to protect a child "
        "is not missed."
    ),
    Criterion.SECURE: (
        "Share information securely, following your organisation's policy on security for "
        "handling personal information."
    ),
}


class ConsentOutcome(LabelledEnum):
    """Outcome of asking for consent."""

    EXPLICIT = "explicit", "Explicit consent given"
    IMPLIED = "implied", "Implied consent"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    CANNOT_BE_GIVEN = "cannot_be_given", "Consent cannot be given"

    @property
    def is_given(self) -> bool:
        """True when consent was given (explicitly or by implication)."""
        return self in (ConsentOutcome.EXPLICIT, ConsentOutcome.IMPLIED)


class ConsentHow(LabelledEnum):
    """How consent was given."""

    WRITTEN = "written", "In writing"
    VERBAL = "verbal", "Verbally"
    OTHER = "other", "Other"


class AmendmentReason(LabelledEnum):
    """Why a saved record is amended."""

    CORRECTION_OF_FACT = "correction_of_fact", "Correction of fact"
    ADDITIONAL_INFORMATION = "additional_information", "Additional information"
    RESPONSE_TO_REVIEW = "response_to_review", "Response to a review"
    LATE_INFORMATION = "late_information", "Late information"


class ReviewOutcome(LabelledEnum):
    """A supervisor's outcome on a colleague's record."""

    ENDORSED = "endorsed", "Endorsed"
    ENDORSED_WITH_COMMENT = "endorsed_with_comment", "Endorsed with comment"
    RETURNED = "returned", "Returned for more detail"


class RecordKind(LabelledEnum):
    """Kinds of saved record."""

    SHARING_DECISION = "sharing_decision", "Sharing decision"
    CONSENT_DECISION = "consent_decision", "Consent decision"
    AMENDMENT = "amendment", "Amendment"
    REVIEW = "review", "Review"
    ADVICE = "advice", "Advice"
    REQUEST = "request", "Request received"
    REQUEST_REPLY = "request_reply", "Reply to a request"


# ---- requests received (issue 11 section 2) ----------------------------------------------


class RequestSource(LabelledEnum):
    """Where a request for information comes from."""

    MASH = "mash", "The MASH (multi-agency safeguarding hub)"
    SECTION_47 = "section_47", "A section 47 enquiry (Children Act 1989)"
    OTHER_AGENCY = "other_agency", "Another agency"


class Rating(LabelledEnum):
    """A request's RAG rating, which sets the default date a reply is due
    (``REPLY_TIMESCALES`` in ``domain.rules``)."""

    RED = "red", "Red: reply within 4 hours"
    AMBER = "amber", "Amber: reply within 1 working day"
    GREEN = "green", "Green: reply within 3 working days"


class ReplyOutcome(LabelledEnum):
    """How a request was answered."""

    SHARED = "shared", "Shared"
    SHARED_IN_PART = "shared_in_part", "Shared in part"
    DECLINED = "declined", "Declined (with reasons)"


# ---- the duty to share (Children Act 2004 s16LA) and the 2024 advice on consent ----------


class OrganisationType(LabelledEnum):
    """What kind of organisation a recipient is: the duty to share (Children Act 2004
    s16LA, inserted by the Children's Wellbeing and Schools Act 2026) binds the first three.
    A recipient saved before the type was asked has none ("not recorded")."""

    SECTION_11_BODY = (
        "section_11_body",
        "A body under Children Act 2004 s11 (e.g. local authority, police, NHS body)",
    )
    EDUCATION_CHILDCARE = (
        "education_childcare",
        "A designated education or childcare agency (e.g. school, college, nursery)",
    )
    CONTRACTOR = "contractor", "A contractor of either, providing services for them"
    OTHER = "other", "Another organisation (not under the duty to share)"

    @property
    def holds_duty(self) -> bool:
        """True for the organisations the duty to share applies to (all but "other")."""
        return self is not OrganisationType.OTHER


class ServiceAgreement(LabelledEnum):
    """Agreement to a service (early help, Children Act 1989 s17 support): not consent to
    share information, which the 2024 advice keeps apart
    (docs/domain.md, "The 2024 advice: three meanings of consent")."""

    AGREED = "agreed", "Agreed to a service (e.g. early help, or support under s17)"
    DECLINED = "declined", "Declined a service"
    NONE_INVOLVED = "none_involved", "No service is involved in this decision"
