"""The checklist: pure functions from a draft to findings (what to add before saving).

Every function accepts any draft a form might produce (wrong types, None for lists, any
Unicode) without raising, and is cheap enough to run on every keystroke. Findings come
in form order. The application never decides for the practitioner and never discourages
justified sharing: messages say what to record, not whether to share.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from infoshare_desktop.domain.consent import (
    ConsentRecord,
    Standing,
    consent_standing,
    describe_consent,
    find_consent,
)
from infoshare_desktop.domain.enums import (
    AmendmentReason,
    Confidentiality,
    ConsentFrom,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    NotSoughtReason,
    PublicInterestCircumstance,
    ReviewOutcome,
    SharingKind,
)
from infoshare_desktop.domain.identifier import CITATION as _S16LC
from infoshare_desktop.domain.identifier import IdentifierReason, nhs_number_problem
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    CaseDraft,
    ConsentDecisionDraft,
    CriterionRationale,
    Recipient,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.text import agency_key, is_placeholder
from infoshare_desktop.domain.timeutil import (
    ensure_utc,
    format_date,
    format_local,
    to_local,
    utcnow,
)

__all__ = [
    "Finding",
    "Severity",
    "blocking",
    "check_advice",
    "check_amendment",
    "check_case",
    "check_consent_decision",
    "check_identifier",
    "check_review",
    "check_sharing_decision",
]

LATE_AFTER = timedelta(hours=24)
"""An entry recorded longer than this after the event needs a reason."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clock drift allowed before a time counts as in the future."""
COPIED_CRITERIA = 4
"""The same rationale on this many criteria (most of the seven) earns an advisory."""
WITHOUT_CONSENT = (
    ConsentStatus.REFUSED,
    ConsentStatus.WITHDRAWN,
    ConsentStatus.NOT_SOUGHT,
    ConsentStatus.CANNOT_BE_GIVEN,
)
"""Consent positions under which sharing confidential information must be justified."""

_RULE_2 = "Golden rule 2 (chapter section 4): be open and honest"
_RULE_3 = "Golden rule 3 (chapter section 4): seek advice if in doubt"
_RULE_4 = "Golden rule 4 (chapter section 4): consent, and the basis for sharing"
_RULE_5 = "Golden rule 5 (chapter section 4): consider safety and well-being"
_RULE_6 = "Golden rule 6 (chapter section 4): necessary, proportionate, relevant, adequate, "
_RULE_6 += "accurate, timely and secure"
_RULE_7 = "Golden rule 7 (chapter section 4): keep a record of the decision and the reasons"
_SECTION_1 = "Chapter section 1: however information is shared, record it"
_SECTION_2 = "Chapter section 2: key points on information sharing"
_SECTION_3 = "Chapter section 3: confidentiality, consent and the public interest"
_LATER = "Later editions of the advice (2018, 2024) and UK data-protection law"


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


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The blocking findings, in their original order."""
    return [finding for finding in findings if finding.severity is Severity.BLOCKING]


# ---- tolerant readers: a form may hand us anything -------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _enum[E: StrEnum](value: Any, kind: type[E]) -> E | None:
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _enums[E: StrEnum](value: Any, kind: type[E]) -> list[E]:
    if not isinstance(value, list | tuple | set | frozenset):
        return []
    found = (_enum(item, kind) for item in value)
    return [item for item in found if item is not None]


def _items(value: Any, kind: type) -> list[Any]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, kind)]


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    try:
        return ensure_utc(value)
    except (OverflowError, ValueError, OSError):
        return None


def _local_date(value: datetime) -> date | None:
    try:
        return to_local(value).date()
    except (OverflowError, ValueError, OSError):
        return None


def _blank(value: Any) -> bool:
    """No text at all."""
    return not _str(value).strip()


def _unanswered(value: Any) -> bool:
    """No short answer: blank, a stock placeholder, or a single character."""
    return is_placeholder(value, min_words=1, min_letters=2)


def _undescribed(value: Any) -> bool:
    """No description: fewer than two words or eight letters, or a placeholder."""
    return is_placeholder(value, min_words=2, min_letters=8)


def _unwritten(value: Any) -> bool:
    """No judgement in words: fewer than three words or fifteen letters, or a placeholder."""
    return is_placeholder(value)


def _norm(value: Any) -> str:
    return " ".join(_str(value).split()).casefold()


@functools.cache
def _field_order(cls: type) -> dict[str, int]:
    order: dict[str, int] = {}
    for f in fields(cls):
        if f.name == "criteria":
            for criterion in Criterion:
                order[f"criteria.{criterion}"] = len(order)
        order[f.name] = len(order)
    return order


def _in_form_order(cls: type, findings: list[Finding]) -> list[Finding]:
    order = _field_order(cls)
    return sorted(findings, key=lambda finding: order.get(finding.field, len(order)))


def _now(now: Any) -> datetime:
    return _utc(now) or utcnow()


# ---- sharing decision ---------------------------------------------------------------


def check_sharing_decision(
    draft: SharingDecisionDraft,
    *,
    now: datetime,
    consents: Sequence[ConsentRecord] = (),
    date_of_birth: date | None = None,
) -> list[Finding]:
    """Findings for a sharing decision; ``consents`` are the case's saved consent decisions
    (the one relied on is judged among them, at the time the sharing happened);
    ``date_of_birth`` is the child's (when known)."""
    out: list[Finding] = []
    add = out.append
    kind = _enum(draft.kind, SharingKind)
    current = _now(now)

    if kind is None:
        add(
            _blocking(
                "KIND",
                "Choose what kind of decision this is: shared, shared in part, "
                "not shared, or information received.",
                "kind",
                _RULE_7,
            )
        )
    _check_when(out, draft.occurred_at, current, "occurred_at", draft.late_entry_reason)
    _check_after_birth(out, draft.occurred_at, date_of_birth, "occurred_at")
    if _unwritten(draft.purpose):
        add(
            _blocking(
                "PURPOSE",
                "Describe the purpose in a sentence or two: why sharing was considered.",
                "purpose",
                _RULE_7,
            )
        )
    if _unwritten(draft.reasons):
        add(
            _blocking(
                "REASONS",
                "Write the reasons for the decision in your own words. "
                "Short notes such as “see above” or “n/a” do not count as reasons.",
                "reasons",
                _RULE_7,
            )
        )
    _check_advice_in_doubt(out, draft)

    if kind in (SharingKind.SHARED, SharingKind.SHARED_IN_PART):
        _check_shared(out, draft, kind, consents, current)
    elif kind is SharingKind.NOT_SHARED:
        _check_not_shared(out, draft)
    elif kind is SharingKind.RECEIVED:
        if not _has_party(draft.recipients):
            add(
                _blocking(
                    "SOURCE",
                    "Add who the information came from: their organisation and their name or role.",
                    "recipients",
                    _SECTION_1,
                )
            )
        if _undescribed(draft.information_shared):
            add(
                _blocking(
                    "WHAT_RECEIVED",
                    "Describe the information that was received.",
                    "information_shared",
                    _SECTION_1,
                )
            )
    return _in_form_order(SharingDecisionDraft, out)


def _blocking(rule_id: str, message: str, field: str, citation: str) -> Finding:
    return Finding(rule_id, Severity.BLOCKING, message, field, citation)


def _advisory(rule_id: str, message: str, field: str, citation: str) -> Finding:
    return Finding(rule_id, Severity.ADVISORY, message, field, citation)


def _check_when(
    out: list[Finding], occurred: Any, now: datetime, field: str, late_reason: Any = None
) -> None:
    """WHEN (given, not in the future) and, when ``late_reason`` applies, LATE_ENTRY."""
    when = _utc(occurred)
    if when is None:
        out.append(_blocking("WHEN", "Enter the date and time this happened.", field, _RULE_7))
    elif when - now > FUTURE_TOLERANCE:
        out.append(
            _blocking(
                "WHEN",
                "The date and time given is in the future. Enter when this actually happened.",
                field,
                _RULE_7,
            )
        )
    elif late_reason is not None and now - when > LATE_AFTER and _unanswered(late_reason):
        out.append(
            _blocking(
                "LATE_ENTRY",
                "This is being recorded more than 24 hours after "
                "it happened. Add a short note on why the entry is late.",
                "late_entry_reason",
                _RULE_7,
            )
        )


def _check_after_birth(out: list[Finding], occurred: Any, born: Any, field: str) -> None:
    """BEFORE_BIRTH (advisory): the event is dated before the child's date of birth.

    Advisory, not blocking: information is rightly shared before a birth (a pre-birth
    concern), but far more often the date or the case is wrong."""
    when = _utc(occurred)
    day = _local_date(when) if when is not None else None
    if day is None or not isinstance(born, date) or isinstance(born, datetime):
        return
    if day < born:
        out.append(
            _advisory(
                "BEFORE_BIRTH",
                f"This is dated {format_date(day)}, before the child's date of birth "
                f"({format_date(born)}). Check the date and that this is the right case; "
                "if it is right (a concern before the birth), say so in the reasons.",
                field,
                _RULE_6 + " (accurate)",
            )
        )


def _has_party(recipients: Any) -> bool:
    """At least one recipient (or source) with an organisation and a name or role."""
    return any(
        not _unanswered(r.organisation) and not (_unanswered(r.name) and _unanswered(r.role))
        for r in _items(recipients, Recipient)
    )


def _advice_missing_field(draft: SharingDecisionDraft) -> str | None:
    """The first advice field still to record, or None when advice is recorded."""
    if draft.advice_sought is not True:
        return "advice_sought"
    if _unanswered(draft.advice_from_role):
        return "advice_from_role"
    if _unanswered(draft.advice_outcome):
        return "advice_outcome"
    return None


def _check_advice_in_doubt(out: list[Finding], draft: SharingDecisionDraft) -> None:
    """ADVICE_WHEN_IN_DOUBT, and ADVICE_IDENTITY whenever advice was sought."""
    if draft.advice_sought is True and not isinstance(draft.advice_identity_withheld, bool):
        out.append(
            _advisory(
                "ADVICE_IDENTITY",
                "Record whether the individual's identity was withheld while seeking advice "
                "(withhold it where possible).",
                "advice_identity_withheld",
                _RULE_3,
            )
        )
    unsure = _enum(draft.confidentiality, Confidentiality) is Confidentiality.UNSURE
    if not (unsure or draft.in_doubt is True):
        return
    missing = _advice_missing_field(draft)
    if missing is not None and _unanswered(draft.no_time_for_advice_reason):
        out.append(
            _blocking(
                "ADVICE_WHEN_IN_DOUBT",
                "Where there is doubt, record the advice you sought (who advised, by role, and "
                "what they advised), or say why there was no time to seek advice.",
                missing,
                _RULE_3,
            )
        )


def _check_not_shared(out: list[Finding], draft: SharingDecisionDraft) -> None:
    add = out.append
    if _enum(draft.initiation, Initiation) is Initiation.ON_REQUEST and not isinstance(
        draft.requester_told_reasons, bool
    ):
        add(
            _advisory(
                "REQUESTER_TOLD",
                "Record whether the requester was told the reasons the request was declined.",
                "requester_told_reasons",
                _LATER,
            )
        )
    if _unwritten(draft.weighing):
        add(
            _blocking(
                "WEIGHING",
                "Write down what might happen if the information is shared, "
                "against what might happen if it is not.",
                "weighing",
                _SECTION_3,
            )
        )
    if draft.significant_harm_concern is True:
        missing = _advice_missing_field(draft)
        if missing is not None:
            add(
                _blocking(
                    "HARM_NOT_SHARED",
                    "A significant-harm concern is marked and the decision is not to share. "
                    "Record the advice of a manager or safeguarding lead: their role and what "
                    "they advised. The child's safety is the overriding consideration.",
                    missing,
                    _SECTION_2,
                )
            )


def _check_shared(
    out: list[Finding],
    draft: SharingDecisionDraft,
    kind: SharingKind,
    consents: Sequence[ConsentRecord],
    now: datetime,
) -> None:
    add = out.append
    if not _has_party(draft.recipients):
        add(
            _blocking(
                "RECIPIENT",
                "Add at least one recipient with their organisation and their name or role.",
                "recipients",
                _RULE_7,
            )
        )
    if _undescribed(draft.information_shared):
        add(
            _blocking(
                "WHAT_SHARED",
                "Describe what information was shared.",
                "information_shared",
                _RULE_7,
            )
        )
    if not isinstance(draft.could_less_be_shared, bool):
        add(
            _blocking(
                "MINIMISED",
                "Answer the minimisation question: could the purpose be met by sharing less?",
                "could_less_be_shared",
                _SECTION_3,
            )
        )
    if kind is SharingKind.SHARED_IN_PART and _unanswered(draft.withheld):
        add(
            _blocking(
                "MINIMISED",
                "Say what was withheld, as only part of the information was shared.",
                "withheld",
                _SECTION_3,
            )
        )
    categories = _enums(draft.categories, InfoCategory)
    if InfoCategory.THIRD_PARTY in categories:
        add(
            _advisory(
                "THIRD_PARTY",
                "Details of third parties are included: consider "
                "protecting the identity of anyone who could be harmed if their details "
                "became known.",
                "categories",
                _LATER,
            )
        )

    status = _enum(draft.consent_status, ConsentStatus)
    grounds = _enums(draft.grounds, Ground)
    _check_consent(out, draft, status, grounds, categories)
    if status in (ConsentStatus.EXPLICIT, ConsentStatus.IMPLIED) and _str(
        draft.consent_decision_id
    ):
        _check_consent_scope(out, draft, grounds, consents, now)
    _check_grounds(out, draft, grounds)
    _check_override(out, draft, status, grounds)

    told = draft.individual_told
    if not isinstance(told, bool):
        add(
            _blocking(
                "TRANSPARENCY",
                "Record whether the individual (and/or family) was told "
                "what is shared, why, how and with whom.",
                "individual_told",
                _RULE_2,
            )
        )
    elif told is False and _unanswered(draft.not_told_reason):
        add(
            _blocking(
                "TRANSPARENCY",
                "Say why the individual was not told (for example, "
                "because telling them would be unsafe).",
                "not_told_reason",
                _RULE_2,
            )
        )
    _check_method(out, draft)
    _check_criteria(out, draft.criteria)


def _check_consent(
    out: list[Finding],
    draft: SharingDecisionDraft,
    status: ConsentStatus | None,
    grounds: list[Ground],
    categories: list[InfoCategory],
) -> None:
    add = out.append
    if status is None:
        add(
            _blocking(
                "CONSENT_STATUS",
                "Record the consent position: explicit, implied, "
                "refused, withdrawn, not sought, or cannot be given. Consent is not "
                "always needed to share.",
                "consent_status",
                _RULE_4,
            )
        )
    elif (
        status
        in (
            ConsentStatus.EXPLICIT,
            ConsentStatus.IMPLIED,
            ConsentStatus.REFUSED,
            ConsentStatus.WITHDRAWN,
        )
        and _enum(draft.consent_from, ConsentFrom) is None
    ):
        add(
            _blocking(
                "CONSENT_STATUS",
                "Record whose consent this is: the child, a parent or carer, or someone else.",
                "consent_from",
                _RULE_4,
            )
        )
    if (
        _enum(draft.consent_from, ConsentFrom) is ConsentFrom.CHILD
        and draft.child_competence_considered is not True
    ):
        add(
            _advisory(
                "COMPETENCE",
                "Record that the child's competence to decide about consent was considered.",
                "child_competence_considered",
                _RULE_4,
            )
        )
    if status is ConsentStatus.NOT_SOUGHT:
        reasons = _enums(draft.not_sought_reasons, NotSoughtReason)
        if not reasons:
            add(
                _blocking(
                    "CONSENT_NOT_SOUGHT_REASON",
                    "Choose why consent was not sought.",
                    "not_sought_reasons",
                    _SECTION_2,
                )
            )
        elif NotSoughtReason.OTHER in reasons and _unanswered(draft.not_sought_other):
            add(
                _blocking(
                    "CONSENT_NOT_SOUGHT_REASON",
                    "Say what the other reason for not seeking consent was.",
                    "not_sought_other",
                    _SECTION_2,
                )
            )
    if (
        status is ConsentStatus.IMPLIED
        and any(category.is_special_category for category in categories)
        and not [ground for ground in grounds if ground is not Ground.CONSENT]
    ):
        add(
            _blocking(
                "SENSITIVE_EXPLICIT",
                "Health or other special-category information needs explicit consent if consent "
                "is relied on. Record explicit consent, or choose another ground for sharing "
                "(for example a safeguarding ground).",
                "consent_status",
                _SECTION_3,
            )
        )


OTHER_LAWFUL_GROUNDS = (Ground.STATUTORY_DUTY, Ground.COURT_ORDER, Ground.VITAL_INTERESTS)
"""Grounds that justify sharing without (or beyond) consent: a duty, an order, vital interests."""
_OTHER_GROUND_WORDS = "a statutory duty, court order or vital-interests ground"


def _has_other_ground(draft: SharingDecisionDraft, grounds: list[Ground]) -> bool:
    """A lawful ground besides consent: a duty, an order, vital interests, or a
    public-interest circumstance."""
    return bool(_enums(draft.public_interest, PublicInterestCircumstance)) or any(
        ground in OTHER_LAWFUL_GROUNDS for ground in grounds
    )


def _check_consent_scope(
    out: list[Finding],
    draft: SharingDecisionDraft,
    grounds: list[Ground],
    consents: Sequence[ConsentRecord],
    now: datetime,
) -> None:
    """CONSENT_SCOPE: the consent relied on stood when the sharing happened and covers it."""
    add = out.append
    when = _utc(draft.occurred_at) or now
    standing = consent_standing(draft.consent_decision_id, consents, when)
    if standing is None:
        add(
            _blocking(
                "CONSENT_SCOPE",
                "The consent decision linked is not one of this case's consent decisions. "
                "Choose one from the list, or choose none.",
                "consent_decision_id",
                _RULE_4,
            )
        )
        return
    record = find_consent(draft.consent_decision_id, consents)
    assert record is not None  # consent_standing found it
    decision = record.decision
    if not standing.stands:
        outcome = _enum(decision.outcome, ConsentOutcome)
        what = (
            f"The consent relied on was {standing.phrase()} when this happened "
            f"({format_local(when)})."
            if outcome is not None and outcome.is_given
            else "The consent decision linked does not record consent given "
            f"(it records: {standing.phrase()})."
        )
        add(
            _blocking(
                "CONSENT_SCOPE",
                f"{what} Link a consent decision that stood at that time, or record the "
                "consent position as it was then (for example withdrawn) with the grounds "
                "for sharing without consent.",
                "consent_decision_id",
                _RULE_4,
            )
        )
        return
    if _has_other_ground(draft, grounds):
        return  # what consent does not cover rests on the other ground
    agencies = decision.scope_agencies if isinstance(decision.scope_agencies, list) else []
    covered = {agency_key(agency) for agency in agencies}
    uncovered = sorted(
        {
            " ".join(r.organisation.split())
            for r in _items(draft.recipients, Recipient)
            if agency_key(r.organisation) and agency_key(r.organisation) not in covered
        }
    )
    if uncovered:
        add(
            _blocking(
                "CONSENT_SCOPE",
                f"The consent relied on does not cover {', '.join(uncovered)}. Link a consent "
                f"decision that covers them, or choose {_OTHER_GROUND_WORDS} for sharing "
                "with them.",
                "recipients",
                _RULE_4,
            )
        )
    purposes = decision.scope_purposes if isinstance(decision.scope_purposes, list) else []
    if agency_key(draft.consent_purpose) not in {agency_key(p) for p in purposes} - {""}:
        add(
            _blocking(
                "CONSENT_SCOPE",
                "Choose which of the consent's purposes this sharing is for. If none fits, "
                f"link a consent decision that covers this purpose, or choose "
                f"{_OTHER_GROUND_WORDS}.",
                "consent_purpose",
                _RULE_4,
            )
        )


def _check_grounds(out: list[Finding], draft: SharingDecisionDraft, grounds: list[Ground]) -> None:
    add = out.append
    references = draft.ground_references if isinstance(draft.ground_references, dict) else {}
    if not grounds:
        add(
            _blocking(
                "GROUNDS",
                "Choose at least one ground for sharing; the legal basis it "
                "rests on is shown for you to confirm.",
                "grounds",
                _RULE_4,
            )
        )
    if Ground.OTHER in grounds and _unanswered(references.get(Ground.OTHER.value)):
        add(
            _blocking(
                "GROUNDS", "Say what the other ground for sharing is.", "ground_references", _RULE_4
            )
        )
    if Ground.STATUTORY_DUTY in grounds and _unanswered(
        references.get(Ground.STATUTORY_DUTY.value)
    ):
        add(
            _blocking(
                "STATUTE_OR_ORDER_REF",
                "Name the statute that requires the sharing (for example Children Act 1989 s47).",
                "ground_references",
                _SECTION_2,
            )
        )
    if Ground.COURT_ORDER in grounds and _unanswered(references.get(Ground.COURT_ORDER.value)):
        add(
            _blocking(
                "STATUTE_OR_ORDER_REF",
                "Give the court order's reference.",
                "ground_references",
                _SECTION_2,
            )
        )


def _check_override(
    out: list[Finding],
    draft: SharingDecisionDraft,
    status: ConsentStatus | None,
    grounds: list[Ground],
) -> None:
    """OVERRIDE_JUSTIFIED; an unanswered confidentiality question counts as unsure."""
    if status not in WITHOUT_CONSENT:
        return
    if _enum(draft.confidentiality, Confidentiality) is Confidentiality.NO:
        return
    if not _has_other_ground(draft, grounds):
        out.append(
            _blocking(
                "OVERRIDE_JUSTIFIED",
                "Confidential information can be shared without consent when it is justified. "
                "Choose the public-interest circumstance that applies, or "
                f"{_OTHER_GROUND_WORDS}.",
                "public_interest",
                _SECTION_3,
            )
        )
    if _unwritten(draft.weighing):
        out.append(
            _blocking(
                "OVERRIDE_JUSTIFIED",
                "Write down the weighing: what might happen if the information is shared, "
                "against what might happen if it is not.",
                "weighing",
                _SECTION_3,
            )
        )


def _check_method(out: list[Finding], draft: SharingDecisionDraft) -> None:
    add = out.append
    method = _enum(draft.method, Method)
    if method is None:
        add(_blocking("SECURE_METHOD", "Record how the information was shared.", "method", _RULE_6))
    elif method is Method.OTHER and _unanswered(draft.method_other):
        add(
            _blocking(
                "SECURE_METHOD",
                "Say what the other method of sharing was.",
                "method_other",
                _RULE_6,
            )
        )
    if not isinstance(draft.channel_secure, bool):
        add(
            _blocking(
                "SECURE_METHOD",
                "Record whether the channel used was secure.",
                "channel_secure",
                _RULE_6,
            )
        )
    elif draft.channel_secure is False and _unanswered(draft.insecure_reason):
        add(
            _blocking(
                "SECURE_METHOD",
                "Say why a channel that is not secure was used (for example, an emergency).",
                "insecure_reason",
                _RULE_6,
            )
        )


def _check_criteria(out: list[Finding], criteria: Any) -> None:
    table = criteria if isinstance(criteria, dict) else {}
    rationales: dict[str, list[Criterion]] = {}
    for criterion in Criterion:
        entry = table.get(criterion)
        if not isinstance(entry, CriterionRationale):
            entry = CriterionRationale()
        confirmed = entry.confirmed is True
        written = not _undescribed(entry.rationale)
        if not (confirmed and written):
            label = criterion.label
            todo = (
                f"Write a short rationale of its own for “{label}”."
                if confirmed
                else f"Confirm “{label}”."
                if written
                else f"Confirm “{label}” and write a short rationale of its own."
            )
            out.append(
                _blocking(
                    "CRITERIA", f"{todo} {criterion.guidance}", f"criteria.{criterion}", _RULE_6
                )
            )
        if written:
            rationales.setdefault(_norm(entry.rationale), []).append(criterion)
    for same in rationales.values():
        if len(same) >= COPIED_CRITERIA:
            out.append(
                _advisory(
                    "CRITERIA_COPIED",
                    f"The same rationale is given for {len(same)} of the seven criteria. Each "
                    "criterion asks something different: say in a few words how each is met.",
                    f"criteria.{same[0]}",
                    _RULE_6,
                )
            )


# ---- other record kinds ----------------------------------------------------------------


def check_consent_decision(
    draft: ConsentDecisionDraft,
    *,
    now: datetime,
    consents: Sequence[ConsentRecord] = (),
    date_of_birth: date | None = None,
) -> list[Finding]:
    """Findings for a consent decision; ``consents`` are the case's saved consent decisions
    (those it ends are judged among them, at the time of this decision);
    ``date_of_birth`` is the child's (when known)."""
    out: list[Finding] = []
    add = out.append
    asked = _enum(draft.asked, ConsentFrom)
    if asked is None:
        add(
            _blocking(
                "CONSENT_WHO",
                "Record who was asked: the child, a parent or carer, or someone else.",
                "asked",
                _RULE_4,
            )
        )
    elif asked is ConsentFrom.OTHER and _unanswered(draft.asked_name):
        add(
            _blocking(
                "CONSENT_WHO", "Give the name or role of the person asked.", "asked_name", _RULE_4
            )
        )
    if asked is ConsentFrom.CHILD and draft.competence_considered is not True:
        add(
            _advisory(
                "COMPETENCE",
                "Record that the child's competence to decide about consent was considered.",
                "competence_considered",
                _RULE_4,
            )
        )
    outcome = _enum(draft.outcome, ConsentOutcome)
    if outcome is None:
        add(
            _blocking(
                "CONSENT_OUTCOME",
                "Record the outcome: explicit, implied, refused, withdrawn, or cannot be given.",
                "outcome",
                _RULE_4,
            )
        )
    elif outcome.is_given:
        if not [a for a in _items(draft.scope_agencies, str) if not _unanswered(a)]:
            add(
                _blocking(
                    "CONSENT_SCOPE_GIVEN",
                    "Add the agencies or recipients the consent covers.",
                    "scope_agencies",
                    _SECTION_3,
                )
            )
        if _unanswered(draft.scope_information):
            add(
                _blocking(
                    "CONSENT_SCOPE_GIVEN",
                    "Describe the information the consent covers.",
                    "scope_information",
                    _SECTION_3,
                )
            )
        if not [p for p in _items(draft.scope_purposes, str) if not _unanswered(p)]:
            add(
                _blocking(
                    "CONSENT_SCOPE_GIVEN",
                    "Add the purposes the consent covers.",
                    "scope_purposes",
                    _SECTION_3,
                )
            )
    _check_when(out, draft.occurred_at, _now(now), "occurred_at")
    _check_after_birth(out, draft.occurred_at, date_of_birth, "occurred_at")
    _check_consent_ends(out, draft, outcome, consents, _utc(draft.occurred_at) or _now(now))
    return _in_form_order(ConsentDecisionDraft, out)


def _check_consent_ends(
    out: list[Finding],
    draft: ConsentDecisionDraft,
    outcome: ConsentOutcome | None,
    consents: Sequence[ConsentRecord],
    when: datetime,
) -> None:
    """CONSENT_ENDS: a withdrawal names the consent it ends; every decision named as ended
    or replaced is one of the case's and still stood when this decision was made."""
    named = [i for i in dict.fromkeys(_items(draft.supersedes_ids, str)) if i]
    if outcome is ConsentOutcome.WITHDRAWN and not named:
        out.append(
            _blocking(
                "CONSENT_ENDS",
                "Choose the consent this withdrawal ends, from the person's current consent "
                "decisions: a withdrawal that names no consent ends nothing. If no consent of "
                "theirs stands, record the outcome as refused instead.",
                "supersedes_ids",
                _RULE_4,
            )
        )
        return
    ends = outcome in (ConsentOutcome.WITHDRAWN, ConsentOutcome.REFUSED)
    for record_id in named:
        record = find_consent(record_id, consents)
        standing = consent_standing(record_id, consents, when)
        if record is None or standing is None:
            out.append(
                _blocking(
                    "CONSENT_ENDS",
                    "A consent decision chosen as ended is not one of this case's consent "
                    "decisions. Untick it and choose from the list.",
                    "supersedes_ids",
                    _RULE_4,
                )
            )
            continue
        if standing.standing is Standing.NOT_YET_GIVEN:
            problem = "was made after this decision"
        elif standing.ended_by is not None:
            problem = f"had already ended ({standing.phrase()})"
        elif ends and not standing.stands:
            problem = f"does not stand ({standing.phrase()}), so there is nothing to end"
        else:
            continue
        out.append(
            _blocking(
                "CONSENT_ENDS",
                f"The consent decision “{describe_consent(record)}” {problem}. Untick it: "
                "choose only consent decisions that stood when this decision was made.",
                "supersedes_ids",
                _RULE_4,
            )
        )


def check_amendment(draft: AmendmentDraft) -> list[Finding]:
    """Findings for an amendment to a saved record."""
    out: list[Finding] = []
    add = out.append
    if _undescribed(draft.text):
        add(_blocking("AMENDMENT_TEXT", "Write the correction or addition.", "text", _RULE_7))
    reason = _enum(draft.reason, AmendmentReason)
    if reason is None:
        add(
            _blocking("AMENDMENT_REASON", "Choose the reason for the amendment.", "reason", _RULE_7)
        )
    if draft.target_was_shared is True:
        if not isinstance(draft.recipients_told, bool):
            add(
                _blocking(
                    "RECIPIENTS_TOLD",
                    "This record was shared: record whether the "
                    "recipients have been told of the amendment.",
                    "recipients_told",
                    _LATER,
                )
            )
        elif draft.recipients_told is False and reason is AmendmentReason.CORRECTION_OF_FACT:
            add(
                _advisory(
                    "RECIPIENTS_NOT_TOLD",
                    "When shared information is corrected, the "
                    "recipients should be told. Tell them when you can and record it in "
                    "a further amendment.",
                    "recipients_told",
                    _LATER,
                )
            )
    return _in_form_order(AmendmentDraft, out)


def check_review(draft: ReviewDraft, *, reviewer_id: str, author_id: str) -> list[Finding]:
    """Findings for a supervisor's review of a colleague's record."""
    out: list[Finding] = []
    add = out.append
    if str(reviewer_id) == str(author_id):
        add(
            _blocking(
                "REVIEW_NOT_OWN",
                "You are the author of this record. Ask another supervisor to review it.",
                "target_id",
                _RULE_3,
            )
        )
    outcome = _enum(draft.outcome, ReviewOutcome)
    if outcome is None:
        add(
            _blocking(
                "REVIEW_OUTCOME",
                "Choose the outcome: endorsed, endorsed with comment, or returned for more detail.",
                "outcome",
                _RULE_7,
            )
        )
    elif outcome is not ReviewOutcome.ENDORSED and _undescribed(draft.comment):
        what = "what more detail is needed" if outcome is ReviewOutcome.RETURNED else "your comment"
        add(_blocking("REVIEW_COMMENT", f"Write {what}.", "comment", _RULE_7))
    return _in_form_order(ReviewDraft, out)


def check_advice(draft: AdviceDraft, *, now: datetime) -> list[Finding]:
    """Findings for a record of advice sought."""
    out: list[Finding] = []
    add = out.append
    if _unanswered(draft.sought_from_role):
        add(
            _blocking(
                "ADVICE_FROM", "Record who gave the advice, by role.", "sought_from_role", _RULE_3
            )
        )
    _check_when(out, draft.sought_at, _now(now), "sought_at")
    if _undescribed(draft.advice):
        add(_blocking("ADVICE_GIVEN", "Write down what the advice was.", "advice", _RULE_3))
    if not isinstance(draft.identity_withheld, bool):
        add(
            _advisory(
                "ADVICE_IDENTITY",
                "Record whether the individual's identity was "
                "withheld while seeking advice (withhold it where possible).",
                "identity_withheld",
                _RULE_3,
            )
        )
    return _in_form_order(AdviceDraft, out)


def check_case(draft: CaseDraft, *, today: date | None = None) -> list[Finding]:
    """Findings for a case: a display name, the organisation's case reference, and a date
    of birth (when given) that is not after ``today`` (default: the local date now)."""
    out: list[Finding] = []
    born = draft.date_of_birth
    if (
        isinstance(born, date)
        and not isinstance(born, datetime)
        and born > (today or to_local(utcnow()).date())
    ):
        out.append(
            _blocking(
                "BIRTH_IN_FUTURE",
                f"The date of birth ({format_date(born)}) is in the future. Enter the "
                "child's actual date of birth, or tick “Not known”.",
                "date_of_birth",
                _RULE_6 + " (accurate)",
            )
        )
    if _blank(draft.display_name):
        out.append(
            _blocking(
                "CASE_NAME",
                "Enter the child's name as it should appear in lists.",
                "display_name",
                _RULE_7,
            )
        )
    if _blank(draft.case_reference):
        out.append(
            _blocking(
                "CASE_REFERENCE",
                "Enter your organisation's case reference.",
                "case_reference",
                _RULE_7,
            )
        )
    out.extend(check_identifier(draft))
    return _in_form_order(CaseDraft, out)


def check_identifier(draft: CaseDraft, *, required: bool = False) -> list[Finding]:
    """The consistent identifier (s16LC): a valid NHS number, or a reason it is not
    included (with words when the reason is "another reason"), never both. Leaving both
    out is advisory on a new case and blocks a change (``required``): a change must
    leave the case an identifier."""
    typed = _str(draft.nhs_number).strip()
    reason = _enum(draft.identifier_reason, IdentifierReason)
    if typed:
        problem = nhs_number_problem(typed)
        if problem is not None:
            return [_blocking("NHS_NUMBER_INVALID", problem.message, "nhs_number", _S16LC)]
        if reason is not None:
            return [
                _blocking(
                    "IDENTIFIER_NUMBER_AND_REASON",
                    "Give either the NHS number or the reason it is not included, not both.",
                    "identifier_reason",
                    _S16LC,
                )
            ]
        return []
    if reason is None:
        missing = (
            "Record the child's NHS number (the consistent identifier), or the reason it "
            "is not included."
        )
        if required:
            return [_blocking("IDENTIFIER_MISSING", missing, "nhs_number", _S16LC)]
        return [_advisory("IDENTIFIER_MISSING", missing, "nhs_number", _S16LC)]
    if reason is IdentifierReason.OTHER and _blank(draft.identifier_reason_text):
        return [
            _blocking(
                "IDENTIFIER_REASON_TEXT",
                "Say why the NHS number is not included.",
                "identifier_reason_text",
                _S16LC,
            )
        ]
    return []
