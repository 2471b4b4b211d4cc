"""The checklist: pure functions from a draft to findings (what to add before saving).

Every function accepts any draft a form might produce (wrong types, None for lists, any
Unicode) without raising, and is cheap enough to run on every keystroke. Findings come
in form order. The application never decides for the practitioner and never discourages
justified sharing: messages say what to record, not whether to share.

This module decides *when* a rule fires. What each rule is (id, severity, scope, citation,
wording, field) is declared once in `infoshare_desktop.domain.rules`, and every finding
is made there (``rules.X.finding(...)``); docs/domain.md, "The checklist" lists them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from infoshare_desktop.domain import rules
from infoshare_desktop.domain.consent import (
    WITHOUT_CONSENT,
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
    OrganisationType,
    PublicInterestCircumstance,
    ReviewOutcome,
    ServiceAgreement,
    SharingKind,
)
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
from infoshare_desktop.domain.rules import (
    COPIED_CRITERIA,
    FUTURE_TOLERANCE,
    LATE_AFTER,
    Finding,
    Severity,
    recorded_late,
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
    "LATE_AFTER",
    "Finding",
    "Severity",
    "blocking",
    "check_advice",
    "check_amendment",
    "check_case",
    "check_consent_decision",
    "check_identifier",
    "check_late",
    "check_moment",
    "check_review",
    "check_sharing_decision",
    "choice_of",
    "in_form_order",
    "items_of",
    "now_of",
    "unanswered",
    "undescribed",
    "utc_of",
]


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


def _check_moment(out: list[Finding], value: Any, now: datetime, rule: rules.Rule) -> None:
    """``rule``'s "missing" or "future" message for a time that must be given and past."""
    when = _utc(value)
    if when is None:
        out.append(rule.finding("missing"))
    elif when - now > FUTURE_TOLERANCE:
        out.append(rule.finding("future"))


def _check_late(out: list[Finding], moments: Iterable[Any], now: datetime, reason: Any) -> None:
    """LATE_ENTRY when a moment the record states is more than ``LATE_AFTER`` before now
    (``rules.late_entry``, on the one ``recorded_late`` rule the forms and the store's late
    flag use) and no reason is given."""
    if rules.late_entry((_utc(m) for m in moments), now) and _unanswered(reason):
        out.append(rules.LATE_ENTRY.finding("late"))


# The readers and checks a checklist declared with its kind (``domain.kinds``) uses: a new
# kind's checklist is written beside its declaration, from these and the rule catalogue.
choice_of = _enum
items_of = _items
utc_of = _utc
now_of = _now
unanswered = _unanswered
undescribed = _undescribed
in_form_order = _in_form_order
check_moment = _check_moment
check_late = _check_late


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
        add(rules.KIND.finding("kind"))
    _check_when(out, draft.occurred_at, current, "occurred_at", draft.late_entry_reason)
    _check_after_birth(out, draft.occurred_at, date_of_birth, "occurred_at")
    if _unwritten(draft.purpose):
        add(rules.PURPOSE.finding("purpose"))
    if _unwritten(draft.reasons):
        add(rules.REASONS.finding("reasons"))
    _check_advice_in_doubt(out, draft)

    if kind is not None and kind.shares:
        _check_shared(out, draft, kind, consents, current)
    elif kind is SharingKind.NOT_SHARED:
        _check_not_shared(out, draft)
    elif kind is SharingKind.RECEIVED:
        if not _has_party(draft.recipients):
            add(rules.SOURCE.finding("source"))
        if _undescribed(draft.information_shared):
            add(rules.WHAT_RECEIVED.finding("information"))
    _check_duties(out, draft, kind)
    return _in_form_order(SharingDecisionDraft, out)


def _check_when(
    out: list[Finding], occurred: Any, now: datetime, field: str, late_reason: Any = None
) -> None:
    """WHEN (given, not in the future) and, when ``late_reason`` applies, LATE_ENTRY."""
    when = _utc(occurred)
    if when is None:
        out.append(rules.WHEN.finding("missing", field=field))
    elif when - now > FUTURE_TOLERANCE:
        out.append(rules.WHEN.finding("future", field=field))
    elif late_reason is not None and recorded_late(when, now) and _unanswered(late_reason):
        out.append(rules.LATE_ENTRY.finding("late"))


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
            rules.BEFORE_BIRTH.finding(
                "before", field=field, day=format_date(day), born=format_date(born)
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
        out.append(rules.ADVICE_IDENTITY.finding("identity", field="advice_identity_withheld"))
    unsure = _enum(draft.confidentiality, Confidentiality) is Confidentiality.UNSURE
    if not (unsure or draft.in_doubt is True):
        return
    missing = _advice_missing_field(draft)
    if missing is not None and _unanswered(draft.no_time_for_advice_reason):
        out.append(rules.ADVICE_WHEN_IN_DOUBT.finding("advice", field=missing))


def _check_not_shared(out: list[Finding], draft: SharingDecisionDraft) -> None:
    add = out.append
    if _enum(draft.initiation, Initiation) is Initiation.ON_REQUEST and not isinstance(
        draft.requester_told_reasons, bool
    ):
        add(rules.REQUESTER_TOLD.finding("told"))
    if _unwritten(draft.weighing):
        add(rules.WEIGHING.finding("weighing"))
    if draft.significant_harm_concern is True:
        missing = _advice_missing_field(draft)
        if missing is not None:
            add(rules.HARM_NOT_SHARED.finding("advice", field=missing))


def _check_shared(
    out: list[Finding],
    draft: SharingDecisionDraft,
    kind: SharingKind,
    consents: Sequence[ConsentRecord],
    now: datetime,
) -> None:
    add = out.append
    if not _has_party(draft.recipients):
        add(rules.RECIPIENT.finding("recipients"))
    if _undescribed(draft.information_shared):
        add(rules.WHAT_SHARED.finding("information"))
    if not isinstance(draft.could_less_be_shared, bool):
        add(rules.MINIMISED.finding("answer"))
    if kind is SharingKind.SHARED_IN_PART and _unanswered(draft.withheld):
        add(rules.MINIMISED.finding("withheld"))
    categories = _enums(draft.categories, InfoCategory)
    if InfoCategory.THIRD_PARTY in categories and not isinstance(draft.identities_protected, bool):
        add(rules.THIRD_PARTY.finding("third_party"))

    status = _enum(draft.consent_status, ConsentStatus)
    grounds = _enums(draft.grounds, Ground)
    _check_consent(out, draft, status, grounds, categories)
    if status is not None and status.is_given and _str(draft.consent_decision_id):
        _check_consent_scope(out, draft, grounds, consents, now)
    _check_grounds(out, draft, grounds)
    _check_override(out, draft, status, grounds)

    told = draft.individual_told
    if not isinstance(told, bool):
        add(rules.TRANSPARENCY.finding("told"))
    elif told is False and _unanswered(draft.not_told_reason):
        add(rules.TRANSPARENCY.finding("not_told"))
    _check_method(out, draft)
    _check_criteria(out, draft.criteria)


def _check_duties(
    out: list[Finding], draft: SharingDecisionDraft, kind: SharingKind | None
) -> None:
    """The duty to share (s16LA) and the 2024 advice (docs/domain.md, "The duty to share";
    the 2024 advice on consent and on protecting identities): RECIPIENT_TYPE, DUTY_DETRIMENT,
    IDENTITIES_PROTECTED and SERVICE_NOT_CONSENT."""
    if kind is None or kind is SharingKind.RECEIVED:
        return
    add = out.append
    recipients = _items(draft.recipients, Recipient)
    withholds = kind in rules.WITHHOLDING
    if any(
        OrganisationType.parse(r.organisation_type) is None
        and not all(_blank(part) for part in (r.name, r.role, r.organisation))
        for r in recipients
    ):
        add((rules.DUTY_TYPE if withholds else rules.RECIPIENT_TYPE).finding("type"))
    if withholds and draft.requester_named() and draft.requester_type() is None:
        add(rules.DUTY_TYPE.finding("requester"))
    holder = rules.withheld_from_duty_holder(kind, recipients, draft.requester_type())
    if holder and _unwritten(draft.duty_detriment):
        add(rules.DUTY_DETRIMENT.finding("detriment"))
    if not kind.shares:
        return
    if draft.identities_protected is True and _undescribed(draft.protected_identities):
        add(rules.IDENTITIES_PROTECTED.finding("details"))
    if (
        ServiceAgreement.parse(draft.service_agreement) is ServiceAgreement.AGREED
        and _enum(draft.consent_status, ConsentStatus) is ConsentStatus.IMPLIED
        and not _str(draft.consent_decision_id)
    ):
        add(rules.SERVICE_NOT_CONSENT.finding("service"))


def _check_consent(
    out: list[Finding],
    draft: SharingDecisionDraft,
    status: ConsentStatus | None,
    grounds: list[Ground],
    categories: list[InfoCategory],
) -> None:
    add = out.append
    if status is None:
        add(rules.CONSENT_STATUS.finding("status"))
    elif status in _WHOSE and _enum(draft.consent_from, ConsentFrom) is None:
        add(rules.CONSENT_STATUS.finding("whose"))
    if (
        _enum(draft.consent_from, ConsentFrom) is ConsentFrom.CHILD
        and draft.child_competence_considered is not True
    ):
        add(rules.COMPETENCE.finding("competence", field="child_competence_considered"))
    if status is ConsentStatus.NOT_SOUGHT:
        reasons = _enums(draft.not_sought_reasons, NotSoughtReason)
        if not reasons:
            add(rules.CONSENT_NOT_SOUGHT_REASON.finding("reasons"))
        elif NotSoughtReason.OTHER in reasons and _unanswered(draft.not_sought_other):
            add(rules.CONSENT_NOT_SOUGHT_REASON.finding("other"))
    if (
        status is ConsentStatus.IMPLIED
        and any(category.is_special_category for category in categories)
        and not [ground for ground in grounds if ground is not Ground.CONSENT]
    ):
        add(rules.SENSITIVE_EXPLICIT.finding("explicit"))


_WHOSE = frozenset(
    {ConsentStatus.EXPLICIT, ConsentStatus.IMPLIED, ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN}
)
"""Consent positions that are someone's (given, refused, withdrawn): whose must be recorded."""
OTHER_LAWFUL_GROUNDS = (Ground.STATUTORY_DUTY, Ground.COURT_ORDER, Ground.VITAL_INTERESTS)
"""Grounds that justify sharing without (or beyond) consent: a duty, an order, vital interests."""


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
    record = find_consent(draft.consent_decision_id, consents)
    if standing is None or record is None:
        add(rules.CONSENT_SCOPE.finding("unknown"))
        return
    decision = record.decision
    if not standing.stands:
        outcome = _enum(decision.outcome, ConsentOutcome)
        if outcome is not None and outcome.is_given:
            add(
                rules.CONSENT_SCOPE.finding(
                    "lapsed", standing=standing.phrase(), when=format_local(when)
                )
            )
        else:
            add(rules.CONSENT_SCOPE.finding("not_given", standing=standing.phrase()))
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
        add(rules.CONSENT_SCOPE.finding("recipients", organisations=", ".join(uncovered)))
    purposes = decision.scope_purposes if isinstance(decision.scope_purposes, list) else []
    if agency_key(draft.consent_purpose) not in {agency_key(p) for p in purposes} - {""}:
        add(rules.CONSENT_SCOPE.finding("purpose"))


def _check_grounds(out: list[Finding], draft: SharingDecisionDraft, grounds: list[Ground]) -> None:
    add = out.append
    references = draft.ground_references if isinstance(draft.ground_references, dict) else {}
    if not grounds:
        add(rules.GROUNDS.finding("grounds"))
    if Ground.OTHER in grounds and _unanswered(references.get(Ground.OTHER.value)):
        add(rules.GROUNDS.finding("other"))
    if Ground.STATUTORY_DUTY in grounds and _unanswered(
        references.get(Ground.STATUTORY_DUTY.value)
    ):
        add(rules.STATUTE_OR_ORDER_REF.finding("statute"))
    if Ground.COURT_ORDER in grounds and _unanswered(references.get(Ground.COURT_ORDER.value)):
        add(rules.STATUTE_OR_ORDER_REF.finding("order"))


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
        out.append(rules.OVERRIDE_JUSTIFIED.finding("circumstance"))
    if _unwritten(draft.weighing):
        out.append(rules.OVERRIDE_JUSTIFIED.finding("weighing"))


def _check_method(out: list[Finding], draft: SharingDecisionDraft) -> None:
    add = out.append
    method = _enum(draft.method, Method)
    if method is None:
        add(rules.SECURE_METHOD.finding("method"))
    elif method is Method.OTHER and _unanswered(draft.method_other):
        add(rules.SECURE_METHOD.finding("other"))
    if not isinstance(draft.channel_secure, bool):
        add(rules.SECURE_METHOD.finding("secure"))
    elif draft.channel_secure is False and _unanswered(draft.insecure_reason):
        add(rules.SECURE_METHOD.finding("insecure"))


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
            key = "rationale" if confirmed else "confirm" if written else "neither"
            out.append(
                rules.CRITERIA.finding(
                    key,
                    field=f"criteria.{criterion}",
                    label=criterion.label,
                    guidance=criterion.guidance,
                )
            )
        if written:
            rationales.setdefault(_norm(entry.rationale), []).append(criterion)
    for same in rationales.values():
        if len(same) >= COPIED_CRITERIA:
            out.append(
                rules.CRITERIA_COPIED.finding(
                    "copied", field=f"criteria.{same[0]}", count=len(same)
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
        add(rules.CONSENT_WHO.finding("asked"))
    elif asked is ConsentFrom.OTHER and _unanswered(draft.asked_name):
        add(rules.CONSENT_WHO.finding("name"))
    if asked is ConsentFrom.CHILD and draft.competence_considered is not True:
        add(rules.COMPETENCE.finding("competence", field="competence_considered"))
    outcome = _enum(draft.outcome, ConsentOutcome)
    if outcome is None:
        add(rules.CONSENT_OUTCOME.finding("outcome"))
    elif outcome.is_given:
        if not [a for a in _items(draft.scope_agencies, str) if not _unanswered(a)]:
            add(rules.CONSENT_SCOPE_GIVEN.finding("agencies"))
        if _unanswered(draft.scope_information):
            add(rules.CONSENT_SCOPE_GIVEN.finding("information"))
        if not [p for p in _items(draft.scope_purposes, str) if not _unanswered(p)]:
            add(rules.CONSENT_SCOPE_GIVEN.finding("purposes"))
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
        out.append(rules.CONSENT_ENDS.finding("none_named"))
        return
    ends = outcome in (ConsentOutcome.WITHDRAWN, ConsentOutcome.REFUSED)
    for record_id in named:
        record = find_consent(record_id, consents)
        standing = consent_standing(record_id, consents, when)
        if record is None or standing is None:
            out.append(rules.CONSENT_ENDS.finding("unknown"))
            continue
        consent = describe_consent(record)
        if standing.standing is Standing.NOT_YET_GIVEN:
            out.append(rules.CONSENT_ENDS.finding("made_after", consent=consent))
        elif standing.ended_by is not None:
            out.append(
                rules.CONSENT_ENDS.finding("ended", consent=consent, standing=standing.phrase())
            )
        elif ends and not standing.stands:
            out.append(
                rules.CONSENT_ENDS.finding(
                    "not_standing", consent=consent, standing=standing.phrase()
                )
            )


def check_amendment(draft: AmendmentDraft) -> list[Finding]:
    """Findings for an amendment to a saved record."""
    out: list[Finding] = []
    add = out.append
    if _undescribed(draft.text):
        add(rules.AMENDMENT_TEXT.finding("text"))
    reason = _enum(draft.reason, AmendmentReason)
    if reason is None:
        add(rules.AMENDMENT_REASON.finding("reason"))
    if draft.target_was_shared is True:
        if not isinstance(draft.recipients_told, bool):
            add(rules.RECIPIENTS_TOLD.finding("told"))
        elif draft.recipients_told is False and reason is AmendmentReason.CORRECTION_OF_FACT:
            add(rules.RECIPIENTS_NOT_TOLD.finding("not_told"))
    return _in_form_order(AmendmentDraft, out)


def check_review(draft: ReviewDraft, *, reviewer_id: str, author_id: str) -> list[Finding]:
    """Findings for a supervisor's review of a colleague's record."""
    out: list[Finding] = []
    add = out.append
    if str(reviewer_id) == str(author_id):
        add(rules.REVIEW_NOT_OWN.finding("own"))
    outcome = _enum(draft.outcome, ReviewOutcome)
    if outcome is None:
        add(rules.REVIEW_OUTCOME.finding("outcome"))
    elif outcome is not ReviewOutcome.ENDORSED and _undescribed(draft.comment):
        add(
            rules.REVIEW_COMMENT.finding(
                "returned" if outcome is ReviewOutcome.RETURNED else "comment"
            )
        )
    return _in_form_order(ReviewDraft, out)


def check_advice(draft: AdviceDraft, *, now: datetime) -> list[Finding]:
    """Findings for a record of advice sought."""
    out: list[Finding] = []
    add = out.append
    if _unanswered(draft.sought_from_role):
        add(rules.ADVICE_FROM.finding("role"))
    _check_when(out, draft.sought_at, _now(now), "sought_at")
    if _undescribed(draft.advice):
        add(rules.ADVICE_GIVEN.finding("advice"))
    if not isinstance(draft.identity_withheld, bool):
        add(rules.ADVICE_IDENTITY.finding("identity", field="identity_withheld"))
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
        out.append(rules.BIRTH_IN_FUTURE.finding("future", born=format_date(born)))
    if _blank(draft.display_name):
        out.append(rules.CASE_NAME.finding("name"))
    if _blank(draft.case_reference):
        out.append(rules.CASE_REFERENCE.finding("reference"))
    out.extend(check_identifier(draft))
    return _in_form_order(CaseDraft, out)


def check_identifier(draft: CaseDraft, *, required: bool = False) -> list[Finding]:
    """The consistent identifier (s16LC): a valid NHS number, or a reason it is not
    included (with words when the reason is "another reason"), never both. Leaving both
    out is advisory on a new case (IDENTIFIER_MISSING) and blocks a change
    (``required``: IDENTIFIER_REQUIRED), which must leave the case an identifier."""
    typed = _str(draft.nhs_number).strip()
    reason = _enum(draft.identifier_reason, IdentifierReason)
    if typed:
        problem = nhs_number_problem(typed)
        if problem is not None:
            return [rules.NHS_NUMBER_INVALID.finding(problem.value)]
        if reason is not None:
            return [rules.IDENTIFIER_NUMBER_AND_REASON.finding("both")]
        return []
    if reason is None:
        missing = rules.IDENTIFIER_REQUIRED if required else rules.IDENTIFIER_MISSING
        return [missing.finding("missing")]
    if reason is IdentifierReason.OTHER and _blank(draft.identifier_reason_text):
        return [rules.IDENTIFIER_REASON_TEXT.finding("text")]
    return []
