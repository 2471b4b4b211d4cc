"""The checklist: every rule raised and satisfied, kinds, order, and properties."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import (
    AdviceDraft,
    AmendmentDraft,
    AmendmentReason,
    CaseDraft,
    ChecklistRefused,
    Confidentiality,
    ConsentDecisionDraft,
    ConsentFrom,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    CriterionRationale,
    Finding,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    NotSoughtReason,
    OrganisationType,
    PublicInterestCircumstance,
    Recipient,
    ReviewDraft,
    ReviewOutcome,
    ServiceAgreement,
    Severity,
    SharingDecisionDraft,
    SharingKind,
    blocking,
    check_advice,
    check_amendment,
    check_case,
    check_consent_decision,
    check_identifier,
    check_review,
    check_sharing_decision,
)
from infoshare_desktop.domain.consent import ConsentRecord
from infoshare_desktop.domain.enums import Rating, ReplyOutcome
from infoshare_desktop.domain.identifier import IdentifierReason
from infoshare_desktop.domain.kinds import check_request, check_request_reply
from infoshare_desktop.domain.records import RecordLink, RequestDraft, RequestReplyDraft
from infoshare_desktop.domain.rules import RULES, Scope, recorded_late
from tests.domain import factories as f
from tests.domain.catalogue import assert_in_catalogue, message_of
from tests.domain.strategies import (
    arbitrary,
    complete_sharing_decisions,
    consent_record_lists,
    declared,
    garbage,
)

NOW = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
B, A = Severity.BLOCKING, Severity.ADVISORY
SHARED, IN_PART = SharingKind.SHARED, SharingKind.SHARED_IN_PART
NOT_SHARED, RECEIVED = SharingKind.NOT_SHARED, SharingKind.RECEIVED

DOMAIN_RULE_IDS = {
    "REASONS", "PURPOSE", "WHEN", "LATE_ENTRY", "ADVICE_WHEN_IN_DOUBT", "RECIPIENT",
    "WHAT_SHARED", "CRITERIA", "CRITERIA_COPIED", "MINIMISED", "GROUNDS",
    "STATUTE_OR_ORDER_REF", "CONSENT_STATUS", "CONSENT_NOT_SOUGHT_REASON",
    "OVERRIDE_JUSTIFIED", "SENSITIVE_EXPLICIT", "CONSENT_SCOPE", "TRANSPARENCY",
    "SECURE_METHOD", "THIRD_PARTY", "WEIGHING", "HARM_NOT_SHARED", "REQUESTER_TOLD",
    "SOURCE", "WHAT_RECEIVED", "CONSENT_WHO", "CONSENT_OUTCOME", "CONSENT_SCOPE_GIVEN",
    "COMPETENCE", "REVIEW_NOT_OWN", "REVIEW_COMMENT",
}  # fmt: skip
"""Every rule id the domain brief names (docs/domain.md, "The checklist")."""


# ---- builders: a complete draft with exactly one thing changed ---------------------


def sharing(kind: SharingKind = SHARED, consents: list[ConsentRecord] | None = None, **changes):
    draft = f.complete_sharing_decision(kind, NOW, **changes)
    return check_sharing_decision(draft, now=NOW, consents=consents or [])


CONSENT_ID = "consent-given"
"""The consent decision the sharing decisions below rely on (given a day before NOW)."""


def record(record_id: str = CONSENT_ID, ago: timedelta = timedelta(days=1), **changes):
    """A saved consent decision made ``ago`` before NOW (complete and explicit by default)."""
    decision = f.complete_consent_decision(NOW, occurred_at=NOW - ago, **changes)
    return ConsentRecord(record_id, decision, NOW - ago, NOW - ago + timedelta(minutes=5))


def withdrawal(ends: list[str], ago: timedelta, record_id: str = "withdrawal", **changes):
    """A withdrawal made ``ago`` before NOW, naming the consents it ends."""
    return record(
        record_id, ago, outcome=ConsentOutcome.WITHDRAWN, supersedes_ids=ends, scope_agencies=[],
        scope_purposes=[], scope_information="", **changes,
    )  # fmt: skip


def relying(*consents: ConsentRecord, kind: SharingKind = SHARED, **changes):
    """A sharing decision (an hour before NOW) relying on CONSENT_ID among ``consents``."""
    found = list(consents) if consents else [record()]
    return sharing(kind, found, consent_decision_id=CONSENT_ID, **changes)


STATUTE = {"grounds": [Ground.CONSENT, Ground.STATUTORY_DUTY],
           "ground_references": {"statutory_duty": "Children Act 1989 s47"}}  # fmt: skip
ORDER = {"grounds": [Ground.CONSENT, Ground.COURT_ORDER],
         "ground_references": {"court_order": "Fictional order ZZ99"}}  # fmt: skip
VITAL = {"grounds": [Ground.CONSENT, Ground.VITAL_INTERESTS]}
POLICE = [Recipient(name="B Example", organisation="Fictional Police")]


def criteria(**changes: tuple[bool, str]) -> dict[Criterion, CriterionRationale]:
    table = f.complete_criteria()
    for name, (confirmed, rationale) in changes.items():
        table[Criterion(name)] = CriterionRationale(confirmed=confirmed, rationale=rationale)
    return table


def same_rationale(count: int) -> dict[Criterion, CriterionRationale]:
    table = f.complete_criteria()
    for criterion in list(Criterion)[:count]:
        table[criterion].rationale = "Appropriate for the purpose of this referral"
    return table


def consent(consents: list[ConsentRecord] | None = None, **changes):
    draft = f.complete_consent_decision(NOW, **changes)
    return check_consent_decision(draft, now=NOW, consents=consents or [])


def withdrawing(ends: list[str], consents: list[ConsentRecord] | None = None, **changes):
    """A withdrawal (an hour before NOW) naming ``ends`` among ``consents``."""
    found = consents if consents is not None else [record()]
    return consent(
        found, outcome=ConsentOutcome.WITHDRAWN, supersedes_ids=ends, scope_agencies=[],
        scope_purposes=[], scope_information="", occurred_at=NOW - timedelta(hours=1), **changes,
    )  # fmt: skip


def amendment(**changes):
    return check_amendment(f.complete_amendment(**changes))


def review(reviewer_id: str = "supervisor-1", author_id: str = "author-1", **changes):
    return check_review(f.complete_review(**changes), reviewer_id=reviewer_id, author_id=author_id)


def advice(**changes):
    return check_advice(f.complete_advice(NOW, **changes), now=NOW)


def case(**changes):
    return check_case(f.complete_case(**changes))


REFUSED_OVERRIDE = {
    "consent_status": ConsentStatus.REFUSED,
    "grounds": [Ground.SIGNIFICANT_HARM],
    "public_interest": [PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE],
}
IN_DOUBT_ADVISED = {
    "in_doubt": True,
    "advice_sought": True,
    "advice_from_role": "Designated safeguarding lead",
    "advice_outcome": "Share the summary with children's services today",
}
HEALTH_IMPLIED = {"categories": [InfoCategory.HEALTH], "consent_status": ConsentStatus.IMPLIED}


@dataclass(frozen=True)
class Raises:
    """A draft that raises ``rule_id`` with ``severity`` on ``field``."""

    rule_id: str
    severity: Severity
    field: str
    findings: Callable[[], list[Finding]]


RAISES = [
    Raises("KIND", B, "kind", lambda: sharing(kind=None)),
    Raises("KIND", B, "kind", lambda: sharing(kind="garbage")),
    Raises("WHEN", B, "occurred_at", lambda: sharing(occurred_at=None)),
    Raises("WHEN", B, "occurred_at", lambda: sharing(occurred_at=NOW + timedelta(minutes=6))),
    Raises("WHEN", B, "occurred_at", lambda: consent(occurred_at=None)),
    Raises("WHEN", B, "sought_at", lambda: advice(sought_at=NOW + timedelta(days=1))),
    Raises("LATE_ENTRY", B, "late_entry_reason",
           lambda: sharing(occurred_at=NOW - timedelta(hours=25))),
    Raises("LATE_ENTRY", B, "late_entry_reason",
           lambda: sharing(NOT_SHARED, occurred_at=NOW - timedelta(days=9),
                           late_entry_reason="n/a")),
    Raises("PURPOSE", B, "purpose", lambda: sharing(purpose="")),
    Raises("PURPOSE", B, "purpose", lambda: sharing(RECEIVED, purpose="As discussed.")),
    Raises("REASONS", B, "reasons", lambda: sharing(reasons="see above")),
    Raises("REASONS", B, "reasons", lambda: sharing(NOT_SHARED, reasons="N/A")),
    Raises("REASONS", B, "reasons", lambda: sharing(RECEIVED, reasons="ok")),
    Raises("REASONS", B, "reasons", lambda: sharing(reasons=None)),
    Raises("ADVICE_WHEN_IN_DOUBT", B, "advice_sought", lambda: sharing(in_doubt=True)),
    Raises("ADVICE_WHEN_IN_DOUBT", B, "advice_from_role",
           lambda: sharing(NOT_SHARED, confidentiality=Confidentiality.UNSURE,
                           advice_sought=True, advice_outcome="Do not share yet, review")),
    Raises("ADVICE_WHEN_IN_DOUBT", B, "advice_outcome",
           lambda: sharing(**{**IN_DOUBT_ADVISED, "advice_outcome": "tbc"})),
    Raises("RECIPIENT", B, "recipients", lambda: sharing(recipients=[])),
    Raises("RECIPIENT", B, "recipients", lambda: sharing(IN_PART, recipients=None)),
    Raises("RECIPIENT", B, "recipients", lambda: sharing(recipients=[Recipient(name="Jo")])),
    Raises("RECIPIENT", B, "recipients",
           lambda: sharing(recipients=[Recipient(organisation="Example Academy")])),
    Raises("WHAT_SHARED", B, "information_shared", lambda: sharing(information_shared="")),
    Raises("WHAT_SHARED", B, "information_shared",
           lambda: sharing(IN_PART, information_shared="see notes")),
    Raises("CRITERIA", B, "criteria.necessary",
           lambda: sharing(criteria=criteria(necessary=(False, "Needed for the enquiry")))),
    Raises("CRITERIA", B, "criteria.secure", lambda: sharing(criteria=criteria(secure=(True, "")))),
    Raises("CRITERIA", B, "criteria.timely",
           lambda: sharing(IN_PART, criteria=criteria(timely=(True, "n/a")))),
    Raises("CRITERIA", B, "criteria.necessary", lambda: sharing(criteria=None)),
    Raises("CRITERIA_COPIED", A, "criteria.necessary",
           lambda: sharing(criteria=same_rationale(4))),
    Raises("MINIMISED", B, "could_less_be_shared", lambda: sharing(could_less_be_shared=None)),
    Raises("MINIMISED", B, "withheld", lambda: sharing(IN_PART, withheld="")),
    Raises("THIRD_PARTY", A, "identities_protected",
           lambda: sharing(categories=[InfoCategory.GENERAL_PERSONAL, InfoCategory.THIRD_PARTY])),
    Raises("CONSENT_STATUS", B, "consent_status", lambda: sharing(consent_status=None)),
    Raises("CONSENT_STATUS", B, "consent_from", lambda: sharing(IN_PART, consent_from=None)),
    Raises("COMPETENCE", A, "child_competence_considered",
           lambda: sharing(consent_from=ConsentFrom.CHILD)),
    Raises("COMPETENCE", A, "competence_considered",
           lambda: consent(asked=ConsentFrom.CHILD, competence_considered=None)),
    Raises("CONSENT_NOT_SOUGHT_REASON", B, "not_sought_reasons",
           lambda: sharing(**{**REFUSED_OVERRIDE, "consent_status": ConsentStatus.NOT_SOUGHT})),
    Raises("CONSENT_NOT_SOUGHT_REASON", B, "not_sought_other",
           lambda: sharing(**{**REFUSED_OVERRIDE, "consent_status": ConsentStatus.NOT_SOUGHT,
                              "not_sought_reasons": [NotSoughtReason.OTHER]})),
    # the consent relied on did not stand when the sharing happened (an hour before NOW)
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: relying(record(), withdrawal([CONSENT_ID], timedelta(hours=2)))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: relying(record(outcome=ConsentOutcome.WITHDRAWN))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: relying(record(outcome=ConsentOutcome.REFUSED))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: relying(record(outcome=ConsentOutcome.CANNOT_BE_GIVEN))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: relying(record(valid_until=date(2026, 11, 28)))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",  # superseded by a narrower consent
           lambda: relying(record(), record("narrower", timedelta(hours=3),
                                            scope_agencies=["Example Health Centre"],
                                            supersedes_ids=[CONSENT_ID]))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",  # its renewal was later withdrawn
           lambda: relying(record(ago=timedelta(days=9)),
                           record("renewal", timedelta(days=2), supersedes_ids=[CONSENT_ID]),
                           withdrawal(["renewal"], timedelta(hours=2)))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",  # given only after the sharing
           lambda: relying(record(ago=timedelta(minutes=30)))),
    Raises("CONSENT_SCOPE", B, "consent_decision_id",
           lambda: sharing(consents=[record("another")], consent_decision_id=CONSENT_ID)),
    Raises("CONSENT_SCOPE", B, "recipients",
           lambda: relying(record(scope_agencies=["Example Health Centre"]))),
    Raises("CONSENT_SCOPE", B, "recipients",
           lambda: relying(recipients=POLICE, public_interest=[], grounds=[Ground.CONSENT,
                                                                           Ground.SIGNIFICANT_HARM])),
    Raises("CONSENT_SCOPE", B, "consent_purpose",
           lambda: relying(consent_purpose="A different purpose entirely")),
    Raises("CONSENT_SCOPE", B, "consent_purpose",
           lambda: relying(kind=IN_PART, consent_purpose="")),
    Raises("SENSITIVE_EXPLICIT", B, "consent_status", lambda: sharing(**HEALTH_IMPLIED)),
    Raises("SENSITIVE_EXPLICIT", B, "consent_status",
           lambda: sharing(categories=[InfoCategory.OTHER_SPECIAL_CATEGORY],
                           consent_status=ConsentStatus.IMPLIED, grounds=[])),
    Raises("GROUNDS", B, "grounds", lambda: sharing(grounds=[])),
    Raises("GROUNDS", B, "grounds", lambda: sharing(grounds=None)),
    Raises("GROUNDS", B, "ground_references", lambda: sharing(grounds=[Ground.OTHER])),
    Raises("STATUTE_OR_ORDER_REF", B, "ground_references",
           lambda: sharing(grounds=[Ground.STATUTORY_DUTY])),
    Raises("STATUTE_OR_ORDER_REF", B, "ground_references",
           lambda: sharing(grounds=[Ground.COURT_ORDER], ground_references={"court_order": " "})),
    Raises("OVERRIDE_JUSTIFIED", B, "public_interest",
           lambda: sharing(**{**REFUSED_OVERRIDE, "public_interest": []})),
    Raises("OVERRIDE_JUSTIFIED", B, "public_interest",
           lambda: sharing(**{**REFUSED_OVERRIDE, "public_interest": [],
                              "consent_status": ConsentStatus.WITHDRAWN,
                              "confidentiality": None})),
    Raises("OVERRIDE_JUSTIFIED", B, "public_interest",
           lambda: sharing(**{**REFUSED_OVERRIDE, "public_interest": [],
                              "consent_status": ConsentStatus.CANNOT_BE_GIVEN})),
    Raises("OVERRIDE_JUSTIFIED", B, "weighing",
           lambda: sharing(**{**VITAL, "consent_status": ConsentStatus.CANNOT_BE_GIVEN,
                              "weighing": "n/a"})),
    Raises("OVERRIDE_JUSTIFIED", B, "weighing",
           lambda: sharing(**{**REFUSED_OVERRIDE, "weighing": "",
                              "confidentiality": Confidentiality.UNSURE,
                              "no_time_for_advice_reason": "Police needed it immediately"})),
    Raises("TRANSPARENCY", B, "individual_told", lambda: sharing(individual_told=None)),
    Raises("TRANSPARENCY", B, "not_told_reason", lambda: sharing(individual_told=False)),
    Raises("SECURE_METHOD", B, "method", lambda: sharing(method=None)),
    Raises("SECURE_METHOD", B, "method_other", lambda: sharing(method=Method.OTHER)),
    Raises("SECURE_METHOD", B, "channel_secure", lambda: sharing(channel_secure=None)),
    Raises("SECURE_METHOD", B, "insecure_reason",
           lambda: sharing(IN_PART, method=Method.PHONE, channel_secure=False)),
    Raises("WEIGHING", B, "weighing", lambda: sharing(NOT_SHARED, weighing="-")),
    Raises("HARM_NOT_SHARED", B, "advice_sought",
           lambda: sharing(NOT_SHARED, significant_harm_concern=True)),
    Raises("HARM_NOT_SHARED", B, "advice_outcome",
           lambda: sharing(NOT_SHARED, significant_harm_concern=True,
                           **{**IN_DOUBT_ADVISED, "in_doubt": False, "advice_outcome": ""})),
    Raises("REQUESTER_TOLD", A, "requester_told_reasons",
           lambda: sharing(NOT_SHARED, requester_told_reasons=None)),
    Raises("SOURCE", B, "recipients", lambda: sharing(RECEIVED, recipients=[])),
    Raises("SOURCE", B, "recipients",
           lambda: sharing(RECEIVED, recipients=[Recipient(name="Dr Alex Placeholder")])),
    Raises("WHAT_RECEIVED", B, "information_shared",
           lambda: sharing(RECEIVED, information_shared="tbc")),
    Raises("CONSENT_WHO", B, "asked", lambda: consent(asked=None)),
    Raises("CONSENT_WHO", B, "asked_name", lambda: consent(asked=ConsentFrom.OTHER, asked_name="")),
    Raises("CONSENT_OUTCOME", B, "outcome", lambda: consent(outcome=None)),
    Raises("CONSENT_SCOPE_GIVEN", B, "scope_agencies", lambda: consent(scope_agencies=[])),
    Raises("CONSENT_SCOPE_GIVEN", B, "scope_agencies",
           lambda: consent(outcome=ConsentOutcome.IMPLIED, scope_agencies=["", "n/a"])),
    Raises("CONSENT_SCOPE_GIVEN", B, "scope_information", lambda: consent(scope_information="")),
    Raises("CONSENT_SCOPE_GIVEN", B, "scope_purposes", lambda: consent(scope_purposes=None)),
    Raises("CONSENT_ENDS", B, "supersedes_ids", lambda: withdrawing([])),
    Raises("CONSENT_ENDS", B, "supersedes_ids", lambda: withdrawing([], consents=[])),
    Raises("CONSENT_ENDS", B, "supersedes_ids", lambda: withdrawing(["not-of-this-case"])),
    Raises("CONSENT_ENDS", B, "supersedes_ids",  # already withdrawn
           lambda: withdrawing([CONSENT_ID], [record(), withdrawal([CONSENT_ID],
                                                                   timedelta(hours=3))])),
    Raises("CONSENT_ENDS", B, "supersedes_ids",  # made after this withdrawal
           lambda: withdrawing([CONSENT_ID], [record(ago=timedelta(minutes=10))])),
    Raises("CONSENT_ENDS", B, "supersedes_ids",  # expired: a refusal ends nothing
           lambda: consent([record(valid_until=date(2026, 1, 1))],
                           outcome=ConsentOutcome.REFUSED, supersedes_ids=[CONSENT_ID])),
    Raises("AMENDMENT_TEXT", B, "text", lambda: amendment(text="")),
    Raises("AMENDMENT_REASON", B, "reason", lambda: amendment(reason=None)),
    Raises("RECIPIENTS_TOLD", B, "recipients_told", lambda: amendment(recipients_told=None)),
    Raises("RECIPIENTS_NOT_TOLD", A, "recipients_told", lambda: amendment(recipients_told=False)),
    Raises("REVIEW_NOT_OWN", B, "target_id", lambda: review(reviewer_id="u1", author_id="u1")),
    Raises("REVIEW_OUTCOME", B, "outcome", lambda: review(outcome=None)),
    Raises("REVIEW_COMMENT", B, "comment", lambda: review(comment="")),
    Raises("REVIEW_COMMENT", B, "comment",
           lambda: review(outcome=ReviewOutcome.ENDORSED_WITH_COMMENT, comment="ok")),
    Raises("ADVICE_FROM", B, "sought_from_role", lambda: advice(sought_from_role="")),
    Raises("ADVICE_GIVEN", B, "advice", lambda: advice(advice="n/a")),
    Raises("ADVICE_IDENTITY", A, "identity_withheld", lambda: advice(identity_withheld=None)),
    Raises("ADVICE_IDENTITY", A, "advice_identity_withheld", lambda: sharing(**IN_DOUBT_ADVISED)),
    Raises("CASE_NAME", B, "display_name", lambda: case(display_name="  ")),
    Raises("CASE_REFERENCE", B, "case_reference", lambda: case(case_reference="")),
    Raises("NHS_NUMBER_INVALID", B, "nhs_number", lambda: case(nhs_number="999 000 0019")),
    Raises("IDENTIFIER_NUMBER_AND_REASON", B, "identifier_reason",
           lambda: case(identifier_reason=IdentifierReason.UNKNOWN_DELAY)),
    Raises("NHS_NUMBER_INVALID", B, "nhs_number", lambda: case(nhs_number="999 000 00")),
    Raises("NHS_NUMBER_INVALID", B, "nhs_number", lambda: case(nhs_number="NHS 9990000018")),
    Raises("IDENTIFIER_MISSING", A, "nhs_number", lambda: case(nhs_number="")),
    Raises("IDENTIFIER_REQUIRED", B, "nhs_number", lambda: check_identifier(
        f.complete_case(nhs_number=""), required=True)),
    Raises("IDENTIFIER_REASON_TEXT", B, "identifier_reason_text", lambda: case(
        nhs_number="", identifier_reason=IdentifierReason.OTHER)),
]  # fmt: skip


@dataclass(frozen=True)
class Satisfies:
    """A draft on which ``rule_id`` raises nothing."""

    rule_id: str
    findings: Callable[[], list[Finding]]


SATISFIES = [
    *[Satisfies(rule_id, lambda k=k: sharing(k)) for k in SharingKind for rule_id in
      ("KIND", "WHEN", "LATE_ENTRY", "PURPOSE", "REASONS", "ADVICE_WHEN_IN_DOUBT")],
    Satisfies("WHEN", lambda: sharing(occurred_at=NOW + timedelta(minutes=4))),
    Satisfies("WHEN", lambda: consent()),
    Satisfies("WHEN", lambda: advice()),
    Satisfies("LATE_ENTRY", lambda: sharing(occurred_at=NOW - timedelta(hours=23))),
    Satisfies("LATE_ENTRY", lambda: sharing(occurred_at=NOW - timedelta(days=3),
                                            late_entry_reason="Practitioner was on leave")),
    Satisfies("ADVICE_WHEN_IN_DOUBT", lambda: sharing(**IN_DOUBT_ADVISED)),
    Satisfies("ADVICE_WHEN_IN_DOUBT", lambda: sharing(
        in_doubt=True, no_time_for_advice_reason="Emergency: police at the door")),
    *[Satisfies(rule_id, lambda k=k: sharing(k)) for k in (SHARED, IN_PART) for rule_id in (
        "RECIPIENT", "WHAT_SHARED", "CRITERIA", "CRITERIA_COPIED", "MINIMISED", "THIRD_PARTY",
        "CONSENT_STATUS", "COMPETENCE", "CONSENT_NOT_SOUGHT_REASON", "CONSENT_SCOPE",
        "SENSITIVE_EXPLICIT", "GROUNDS", "STATUTE_OR_ORDER_REF", "OVERRIDE_JUSTIFIED",
        "TRANSPARENCY", "SECURE_METHOD")],
    Satisfies("RECIPIENT", lambda: sharing(recipients=[
        Recipient(role="Duty social worker", organisation="Example Council")])),
    Satisfies("CRITERIA_COPIED", lambda: sharing(criteria=same_rationale(3))),
    Satisfies("CONSENT_STATUS", lambda: sharing(consent_status=ConsentStatus.CANNOT_BE_GIVEN,
                                                consent_from=None, **VITAL)),
    Satisfies("COMPETENCE", lambda: sharing(consent_from=ConsentFrom.CHILD,
                                            child_competence_considered=True)),
    Satisfies("COMPETENCE", lambda: consent(asked=ConsentFrom.CHILD)),
    Satisfies("CONSENT_NOT_SOUGHT_REASON", lambda: sharing(**{
        **REFUSED_OVERRIDE, "consent_status": ConsentStatus.NOT_SOUGHT,
        "not_sought_reasons": [NotSoughtReason.RISK_TO_CHILD]})),
    Satisfies("CONSENT_NOT_SOUGHT_REASON", lambda: sharing(**{
        **REFUSED_OVERRIDE, "consent_status": ConsentStatus.NOT_SOUGHT,
        "not_sought_reasons": [NotSoughtReason.OTHER], "not_sought_other": "Parent abroad"})),
    Satisfies("CONSENT_SCOPE", lambda: relying()),
    Satisfies("CONSENT_SCOPE", lambda: relying(record(
        valid_until=date(2026, 11, 29),
        scope_agencies=["  example   BOROUGH children\u2019s services "],
        scope_purposes=[f.FICTIONAL_PURPOSE.upper()]))),
    Satisfies("CONSENT_SCOPE", lambda: relying(record(scope_agencies=[
        "Example Borough Children's Services"]), recipients=[Recipient(
            name="Jo", organisation="EXAMPLE BOROUGH CHILDREN\u2019S\u00a0SERVICES")])),
    Satisfies("CONSENT_SCOPE", lambda: relying(  # withdrawn only after the sharing
        record(), withdrawal([CONSENT_ID], timedelta(minutes=30)))),
    Satisfies("CONSENT_SCOPE", lambda: relying(  # a renewal stands when the original ends
        record("original", timedelta(days=9)),
        record(ago=timedelta(days=2), supersedes_ids=["original"]))),
    Satisfies("CONSENT_SCOPE", lambda: sharing(
        consents=[record(outcome=ConsentOutcome.REFUSED)], consent_decision_id=CONSENT_ID,
        **REFUSED_OVERRIDE)),
    Satisfies("CONSENT_SCOPE", lambda: relying(recipients=POLICE, **STATUTE)),
    Satisfies("CONSENT_SCOPE", lambda: relying(recipients=POLICE, **ORDER)),
    Satisfies("CONSENT_SCOPE", lambda: relying(recipients=POLICE, **VITAL)),
    Satisfies("CONSENT_SCOPE", lambda: relying(
        recipients=POLICE,
        public_interest=[PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE])),
    Satisfies("CONSENT_SCOPE", lambda: relying(consent_purpose="Another purpose", **ORDER)),
    Satisfies("SENSITIVE_EXPLICIT", lambda: sharing(categories=[InfoCategory.HEALTH])),
    Satisfies("SENSITIVE_EXPLICIT", lambda: sharing(
        **HEALTH_IMPLIED, grounds=[Ground.CONSENT, Ground.PUBLIC_FUNCTION])),
    Satisfies("GROUNDS", lambda: sharing(grounds=[Ground.OTHER],
                                         ground_references={"other": "Fictional local protocol"})),
    Satisfies("STATUTE_OR_ORDER_REF", lambda: sharing(
        grounds=[Ground.STATUTORY_DUTY, Ground.COURT_ORDER],
        ground_references={"statutory_duty": "Children Act 1989 s47",
                           "court_order": "Fictional order ZZ99"})),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(**REFUSED_OVERRIDE)),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(
        **VITAL, consent_status=ConsentStatus.CANNOT_BE_GIVEN, consent_from=None)),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(**VITAL, consent_status=ConsentStatus.REFUSED)),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(
        **{**REFUSED_OVERRIDE, "consent_status": ConsentStatus.CANNOT_BE_GIVEN})),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(
        consent_status=ConsentStatus.NOT_SOUGHT, public_interest=[],
        not_sought_reasons=[NotSoughtReason.STATUTORY_OR_COURT],
        grounds=[Ground.STATUTORY_DUTY],
        ground_references={"statutory_duty": "Children Act 2004 s11"})),
    Satisfies("OVERRIDE_JUSTIFIED", lambda: sharing(
        consent_status=ConsentStatus.REFUSED, confidentiality=Confidentiality.NO, weighing="")),
    Satisfies("TRANSPARENCY", lambda: sharing(
        individual_told=False, not_told_reason="Telling the parent would put the child at risk")),
    Satisfies("SECURE_METHOD", lambda: sharing(method=Method.OTHER, method_other="Fax")),
    Satisfies("SECURE_METHOD", lambda: sharing(
        method=Method.PHONE, channel_secure=False, insecure_reason="Emergency")),
    *[Satisfies(rule_id, lambda: sharing(NOT_SHARED)) for rule_id in
      ("WEIGHING", "HARM_NOT_SHARED", "REQUESTER_TOLD")],
    Satisfies("HARM_NOT_SHARED", lambda: sharing(
        NOT_SHARED, significant_harm_concern=True, **IN_DOUBT_ADVISED)),
    Satisfies("REQUESTER_TOLD", lambda: sharing(
        NOT_SHARED, initiation=Initiation.PROACTIVE, requester_told_reasons=None)),
    Satisfies("REQUESTER_TOLD", lambda: sharing(NOT_SHARED, requester_told_reasons=False)),
    *[Satisfies(rule_id, lambda: sharing(RECEIVED)) for rule_id in ("SOURCE", "WHAT_RECEIVED")],
    *[Satisfies(rule_id, consent) for rule_id in
      ("CONSENT_WHO", "CONSENT_OUTCOME", "CONSENT_SCOPE_GIVEN")],
    Satisfies("CONSENT_WHO", lambda: consent(asked=ConsentFrom.OTHER, asked_name="Aunt")),
    Satisfies("CONSENT_SCOPE_GIVEN", lambda: consent(
        outcome=ConsentOutcome.REFUSED, scope_agencies=[], scope_purposes=[])),
    Satisfies("CONSENT_ENDS", consent),
    Satisfies("CONSENT_ENDS", lambda: withdrawing([CONSENT_ID])),
    Satisfies("CONSENT_ENDS", lambda: withdrawing(  # both standing consents of the person
        [CONSENT_ID, "second"], [record(), record("second", timedelta(days=2))])),
    Satisfies("CONSENT_ENDS", lambda: consent(  # a first refusal ends nothing, and need not
        outcome=ConsentOutcome.REFUSED, scope_agencies=[], scope_purposes=[])),
    Satisfies("CONSENT_ENDS", lambda: consent(  # a refusal that ends a standing consent
        [record()], outcome=ConsentOutcome.REFUSED, supersedes_ids=[CONSENT_ID])),
    Satisfies("CONSENT_ENDS", lambda: consent(  # renewing a consent that expired
        [record(valid_until=date(2026, 1, 1), ago=timedelta(days=400))],
        supersedes_ids=[CONSENT_ID])),
    *[Satisfies(rule_id, amendment) for rule_id in
      ("AMENDMENT_TEXT", "AMENDMENT_REASON", "RECIPIENTS_TOLD", "RECIPIENTS_NOT_TOLD")],
    Satisfies("RECIPIENTS_TOLD", lambda: amendment(target_was_shared=False, recipients_told=None)),
    Satisfies("RECIPIENTS_NOT_TOLD", lambda: amendment(
        recipients_told=False, reason=AmendmentReason.ADDITIONAL_INFORMATION)),
    *[Satisfies(rule_id, review) for rule_id in
      ("REVIEW_NOT_OWN", "REVIEW_OUTCOME", "REVIEW_COMMENT")],
    Satisfies("REVIEW_COMMENT", lambda: review(outcome=ReviewOutcome.ENDORSED, comment="")),
    *[Satisfies(rule_id, advice) for rule_id in ("ADVICE_FROM", "ADVICE_GIVEN", "ADVICE_IDENTITY")],
    Satisfies("ADVICE_IDENTITY", lambda: sharing(
        **IN_DOUBT_ADVISED, advice_identity_withheld=True)),
    Satisfies("ADVICE_IDENTITY", lambda: sharing(advice_sought=False)),
    *[Satisfies(rule_id, case) for rule_id in ("CASE_NAME", "CASE_REFERENCE")],
    *[Satisfies(rule_id, case) for rule_id in ("NHS_NUMBER_INVALID", "IDENTIFIER_MISSING",
                                                "IDENTIFIER_NUMBER_AND_REASON")],
    Satisfies("IDENTIFIER_MISSING", lambda: case(
        nhs_number="", identifier_reason=IdentifierReason.MORE_DETRIMENTAL)),
    Satisfies("IDENTIFIER_REQUIRED", lambda: check_identifier(f.complete_case(), required=True)),
    Satisfies("IDENTIFIER_REQUIRED", lambda: check_identifier(f.complete_case(
        nhs_number="", identifier_reason=IdentifierReason.UNKNOWN_DELAY), required=True)),
    Satisfies("IDENTIFIER_REASON_TEXT", lambda: case(
        nhs_number="", identifier_reason=IdentifierReason.OTHER,
        identifier_reason_text="Not registered with a GP in England")),
]  # fmt: skip


# ---- dates checked against the child's date of birth --------------------------------

BORN = date(2015, 4, 1)
LATE = "Entered from the paper file after the audit"


def sharing_born(born: date | None = BORN, **changes):
    draft = f.complete_sharing_decision(SHARED, NOW, late_entry_reason=LATE, **changes)
    return check_sharing_decision(draft, now=NOW, date_of_birth=born)


def consent_born(born: date | None = BORN, **changes):
    draft = f.complete_consent_decision(NOW, **changes)
    return check_consent_decision(draft, now=NOW, date_of_birth=born)


def case_born(born: date | None):
    return check_case(f.complete_case(date_of_birth=born), today=NOW.date())


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


EVE = noon(date(2015, 3, 31))
RAISES += [
    Raises("BEFORE_BIRTH", A, "occurred_at", lambda: sharing_born(occurred_at=EVE)),
    Raises("BEFORE_BIRTH", A, "occurred_at",
           lambda: sharing_born(occurred_at=noon(date(2009, 1, 1)))),
    Raises("BEFORE_BIRTH", A, "occurred_at", lambda: consent_born(occurred_at=EVE)),
    Raises("BIRTH_IN_FUTURE", B, "date_of_birth",
           lambda: case_born(NOW.date() + timedelta(days=1))),
    Raises("BIRTH_IN_FUTURE", B, "date_of_birth", lambda: case_born(date(2030, 1, 1))),
]  # fmt: skip
SATISFIES += [
    Satisfies("BEFORE_BIRTH", lambda: sharing_born(occurred_at=noon(BORN))),  # the day itself
    Satisfies("BEFORE_BIRTH", lambda: sharing_born(occurred_at=noon(date(2016, 1, 1)))),
    Satisfies("BEFORE_BIRTH", lambda: sharing_born(None, occurred_at=noon(date(2009, 1, 1)))),
    Satisfies("BEFORE_BIRTH", lambda: consent_born(occurred_at=noon(BORN))),
    Satisfies("BIRTH_IN_FUTURE", lambda: case_born(NOW.date())),  # born today
    Satisfies("BIRTH_IN_FUTURE", lambda: case_born(BORN)),
    Satisfies("BIRTH_IN_FUTURE", lambda: case_born(None)),
]  # fmt: skip


# ---- requests received (issue 11 section 2) ----------------------------------------------


def request(**changes):
    return check_request(f.complete_request(NOW, **changes), now=NOW)


def reply(**changes):
    return check_request_reply(f.complete_reply(NOW, **changes), now=NOW)


_DECLINED = {"outcome": ReplyOutcome.DECLINED}
RAISES += [
    Raises("REQUEST_FROM", B, "source", lambda: request(source=None)),
    Raises("REQUEST_FROM", B, "source", lambda: request(source="the moon")),
    Raises("REQUEST_FROM", B, "requester_organisation",
           lambda: request(requester_organisation="n/a")),
    Raises("REQUEST_FROM", B, "requester_name", lambda: request(requester_name="")),
    Raises("REQUEST_RECEIVED", B, "received_at", lambda: request(received_at=None)),
    Raises("REQUEST_RECEIVED", B, "received_at",
           lambda: request(received_at=NOW + timedelta(minutes=6))),
    Raises("REQUEST_METHOD", B, "method", lambda: request(method=None)),
    Raises("REQUEST_METHOD", B, "method_other",
           lambda: request(method=Method.OTHER, method_other="-")),
    Raises("REQUEST_ASKED", B, "asked", lambda: request(asked="info")),
    Raises("REQUEST_RATING", B, "rating", lambda: request(rating=None)),
    Raises("REQUEST_RATING", B, "due_at",
           lambda: request(due_at=NOW - timedelta(hours=2))),  # received an hour ago
    Raises("REQUEST_ACKNOWLEDGED", A, "acknowledged", lambda: request(acknowledged=None)),
    Raises("REQUEST_ACKNOWLEDGED", A, "acknowledged_at", lambda: request(acknowledged_at=None)),
    Raises("REPLY_REQUEST", B, "request", lambda: reply(request=None)),
    Raises("REPLY_REQUEST", B, "request", lambda: reply(request=RecordLink(description="x"))),
    Raises("REPLY_DECISIONS", B, "answered_by", lambda: reply(answered_by=[])),
    Raises("REPLY_DECISIONS", B, "answered_by", lambda: reply(answered_by=None)),
    Raises("REPLY_OUTCOME", B, "outcome", lambda: reply(outcome=None)),
    Raises("REPLY_WHEN", B, "replied_at", lambda: reply(replied_at=None)),
    Raises("REPLY_WHEN", B, "replied_at", lambda: reply(replied_at=NOW + timedelta(hours=1))),
    Raises("REPLY_RECONSIDER", B, "reconsider_if_new", lambda: reply(**_DECLINED)),
    # late entry: received, acknowledged or replied more than 24 hours before it is recorded
    Raises("LATE_ENTRY", B, "late_entry_reason",
           lambda: request(received_at=NOW - timedelta(hours=25), acknowledged=False)),
    Raises("LATE_ENTRY", B, "late_entry_reason",
           lambda: request(received_at=NOW - timedelta(days=3),
                           acknowledged_at=NOW - timedelta(days=2), late_entry_reason="-")),
    Raises("LATE_ENTRY", B, "late_entry_reason",
           lambda: reply(replied_at=NOW - timedelta(hours=24, minutes=1))),
]  # fmt: skip
SATISFIES += [
    *[Satisfies(rule_id, request) for rule_id in (
        "REQUEST_FROM", "REQUEST_RECEIVED", "REQUEST_METHOD", "REQUEST_ASKED", "REQUEST_RATING",
        "REQUEST_ACKNOWLEDGED")],
    Satisfies("REQUEST_FROM", lambda: request(requester_reference="")),  # reference optional
    Satisfies("REQUEST_METHOD", lambda: request(method=Method.OTHER, method_other="Fax")),
    Satisfies("REQUEST_RATING", lambda: request(due_at=NOW + timedelta(hours=2))),
    Satisfies("REQUEST_RATING", lambda: request(due_at=NOW - timedelta(hours=1))),  # on arrival
    Satisfies("REQUEST_ACKNOWLEDGED", lambda: request(acknowledged=False, acknowledged_at=None)),
    *[Satisfies(rule_id, reply) for rule_id in (
        "REPLY_REQUEST", "REPLY_DECISIONS", "REPLY_OUTCOME", "REPLY_WHEN", "REPLY_RECONSIDER")],
    Satisfies("REPLY_RECONSIDER", lambda: reply(**_DECLINED, reconsider_if_new=True)),
    Satisfies("REPLY_RECONSIDER", lambda: reply(**_DECLINED, reconsider_if_new=False)),
    Satisfies("REPLY_WHEN", lambda: reply(feedback="")),  # feedback optional
    Satisfies("LATE_ENTRY", request), Satisfies("LATE_ENTRY", reply),
    Satisfies("LATE_ENTRY", lambda: request(received_at=NOW - timedelta(hours=23),
                                            acknowledged_at=NOW - timedelta(hours=22))),
    Satisfies("LATE_ENTRY", lambda: request(received_at=NOW - timedelta(days=3),
                                            acknowledged=False,
                                            late_entry_reason="Paper request found in the tray")),
    Satisfies("LATE_ENTRY", lambda: reply(replied_at=NOW - timedelta(days=2),
                                          late_entry_reason="Replied by phone from a visit")),
]  # fmt: skip


# ---- the duty to share (s16LA) and the 2024 advice (issue 11, section 4) ---------------------

S11, SCHOOL = OrganisationType.SECTION_11_BODY, OrganisationType.EDUCATION_CHILDCARE
CONTRACTOR, OTHER_ORG = OrganisationType.CONTRACTOR, OrganisationType.OTHER


def typed(*types: OrganisationType | None) -> list[Recipient]:
    """Recipients of the given organisation types (None: saved before the type was asked)."""
    return [
        Recipient(name=f"Person {n}", organisation=f"Example Org {n}", organisation_type=t)
        for n, t in enumerate(types, 1)
    ]


DETRIMENT = "Telling the father's solicitor would reveal the refuge and put the child at risk"
SERVICE_IMPLIED = {
    "service_agreement": ServiceAgreement.AGREED,
    "consent_status": ConsentStatus.IMPLIED,
}
RAISES += [
    Raises("RECIPIENT_TYPE", A, "recipients", lambda: sharing(recipients=typed(None))),
    # withheld: the duty cannot be judged without the types, so they block
    Raises("DUTY_TYPE", B, "recipients", lambda: sharing(IN_PART, recipients=typed(S11, None))),
    Raises("DUTY_TYPE", B, "recipients", lambda: sharing(NOT_SHARED, recipients=typed(None))),
    Raises("DUTY_TYPE", B, "requester_organisation_type",
           lambda: sharing(NOT_SHARED, requester_organisation_type=None)),
    Raises("DUTY_TYPE", B, "requester_organisation_type",
           lambda: sharing(NOT_SHARED, requester_organisation_type="not a type")),
    # a declined request from a body under the duty needs the detriment, whoever is listed
    Raises("DUTY_DETRIMENT", B, "duty_detriment",
           lambda: sharing(NOT_SHARED, recipients=typed(OTHER_ORG),
                           requester_organisation_type=S11)),
    Raises("DUTY_DETRIMENT", B, "duty_detriment",
           lambda: sharing(NOT_SHARED, recipients=typed(S11))),
    Raises("DUTY_DETRIMENT", B, "duty_detriment",
           lambda: sharing(NOT_SHARED, recipients=typed(OTHER_ORG, SCHOOL), duty_detriment="n/a")),
    Raises("DUTY_DETRIMENT", B, "duty_detriment",
           lambda: sharing(IN_PART, recipients=typed(CONTRACTOR), duty_detriment="")),
    Raises("SERVICE_NOT_CONSENT", A, "consent_status", lambda: sharing(**SERVICE_IMPLIED)),
    Raises("SERVICE_NOT_CONSENT", A, "consent_status",
           lambda: sharing(IN_PART, **SERVICE_IMPLIED, consent_decision_id="")),
    Raises("IDENTITIES_PROTECTED", B, "protected_identities",
           lambda: sharing(identities_protected=True)),
    Raises("IDENTITIES_PROTECTED", B, "protected_identities",
           lambda: sharing(IN_PART, identities_protected=True, protected_identities="n/a")),
]  # fmt: skip
SATISFIES += [
    *[Satisfies(rule_id, lambda k=k: sharing(k)) for k in SharingKind for rule_id in
      ("RECIPIENT_TYPE", "DUTY_TYPE", "DUTY_DETRIMENT", "SERVICE_NOT_CONSENT",
       "IDENTITIES_PROTECTED")],
    Satisfies("DUTY_TYPE", lambda: sharing(NOT_SHARED, recipients=typed(OTHER_ORG, SCHOOL),
                                           duty_detriment=DETRIMENT)),
    Satisfies("DUTY_TYPE", lambda: sharing(SHARED, recipients=typed(None))),
    Satisfies("DUTY_TYPE",  # no organisation named: the duty is between organisations
              lambda: sharing(NOT_SHARED, requester_organisation="",
                              requester_organisation_type=None)),
    Satisfies("DUTY_TYPE",  # proactive: no requester
              lambda: sharing(NOT_SHARED, initiation=Initiation.PROACTIVE,
                              requester_organisation_type=None)),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(NOT_SHARED, requester_organisation_type=S11,
                                                duty_detriment=DETRIMENT)),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(NOT_SHARED, requester_organisation_type=OTHER_ORG)),
    Satisfies("RECIPIENT_TYPE",
              lambda: sharing(recipients=typed(S11, SCHOOL, CONTRACTOR, OTHER_ORG))),
    Satisfies("RECIPIENT_TYPE", lambda: sharing(RECEIVED, recipients=typed(None))),  # a source
    Satisfies("RECIPIENT_TYPE",  # a blank row is no recipient
              lambda: sharing(recipients=[*typed(S11), Recipient()])),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(NOT_SHARED, recipients=typed(OTHER_ORG))),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(recipients=typed(S11))),  # shared in full
    Satisfies("DUTY_DETRIMENT", lambda: sharing(RECEIVED, recipients=typed(S11))),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(NOT_SHARED, recipients=typed(S11, OTHER_ORG),
                                                duty_detriment=DETRIMENT)),
    Satisfies("DUTY_DETRIMENT", lambda: sharing(IN_PART, recipients=typed(SCHOOL),
                                                duty_detriment=DETRIMENT)),
    Satisfies("SERVICE_NOT_CONSENT", lambda: sharing(service_agreement=ServiceAgreement.AGREED)),
    Satisfies("SERVICE_NOT_CONSENT", lambda: relying(**SERVICE_IMPLIED)),  # consent recorded
    Satisfies("SERVICE_NOT_CONSENT", lambda: sharing(
        **{**SERVICE_IMPLIED, "service_agreement": ServiceAgreement.NONE_INVOLVED})),
    Satisfies("SERVICE_NOT_CONSENT", lambda: sharing(NOT_SHARED, **SERVICE_IMPLIED)),
    Satisfies("IDENTITIES_PROTECTED", lambda: sharing(identities_protected=False)),
    Satisfies("IDENTITIES_PROTECTED", lambda: sharing(
        identities_protected=True,
        protected_identities="The mother's new address, from the father")),
    Satisfies("IDENTITIES_PROTECTED", lambda: sharing(NOT_SHARED, identities_protected=True)),
    Satisfies("THIRD_PARTY", lambda: sharing(
        categories=[InfoCategory.THIRD_PARTY], identities_protected=False)),
    Satisfies("THIRD_PARTY", lambda: sharing(
        categories=[InfoCategory.THIRD_PARTY], identities_protected=True,
        protected_identities="The neighbour's name, withheld from the family")),
]  # fmt: skip


@pytest.mark.parametrize("kind", list(SharingKind))
def test_the_duty_to_share_applies_exactly_when_a_duty_holder_is_not_given_everything(
    kind: SharingKind,
) -> None:
    """One definition for the form and the checklist: the detriment is asked for (and
    required) exactly for not shared / shared in part with a recipient under the duty."""
    from infoshare_desktop.domain.fields import SHARING_DECISION_FORM
    from infoshare_desktop.domain.rules import withheld_from_duty_holder

    field = SHARING_DECISION_FORM.field("duty_detriment")
    for types in [(None,), (OTHER_ORG,), (S11,), (OTHER_ORG, SCHOOL), (CONTRACTOR,), ()]:
        draft = f.complete_sharing_decision(kind, NOW, recipients=typed(*types), duty_detriment="")
        expected = kind in (NOT_SHARED, IN_PART) and any(t and t.holds_duty for t in types)
        assert withheld_from_duty_holder(draft.kind, draft.recipients) is expected
        assert field.applies(draft) is expected
        fired = "DUTY_DETRIMENT" in {x.rule_id for x in check_sharing_decision(draft, now=NOW)}
        assert fired is expected, (kind, types)


@given(
    st.lists(st.sampled_from([None, *OrganisationType]), max_size=4),
    st.sampled_from(list(SharingKind)),
    st.text(max_size=80),
)
@settings(max_examples=150, deadline=None)
def test_a_duty_holder_withheld_from_blocks_until_the_detriment_is_written(
    types: list[OrganisationType | None], kind: SharingKind, detriment: str
) -> None:
    draft = f.complete_sharing_decision(kind, NOW, recipients=typed(*types),
                                        duty_detriment=detriment)  # fmt: skip
    findings = check_sharing_decision(draft, now=NOW)
    for finding in findings:
        assert_in_catalogue(finding)
    holder = any(t is not None and t.holds_duty for t in types)
    must = kind in (NOT_SHARED, IN_PART) and holder and f_unwritten(detriment)
    assert ("DUTY_DETRIMENT" in {x.rule_id for x in findings}) is must
    untyped = kind is not RECEIVED and None in types
    fired = {x.rule_id for x in findings}
    assert ("RECIPIENT_TYPE" in fired) is (untyped and kind is SHARED)
    assert ("DUTY_TYPE" in fired) is (untyped and kind in (NOT_SHARED, IN_PART))


def f_unwritten(text: str) -> bool:
    from infoshare_desktop.domain.text import is_placeholder

    return is_placeholder(text)


@given(
    st.sampled_from([None, *ServiceAgreement]),
    st.sampled_from([None, *ConsentStatus]),
    st.sampled_from(["", CONSENT_ID]),
    st.sampled_from([SHARED, IN_PART]),
)
@settings(max_examples=150, deadline=None)
def test_agreement_to_a_service_is_flagged_only_when_taken_as_consent(
    service: ServiceAgreement | None, status: ConsentStatus | None, linked: str, kind: SharingKind
) -> None:
    draft = f.complete_sharing_decision(
        kind, NOW, service_agreement=service, consent_status=status, consent_decision_id=linked
    )
    found = {x.rule_id for x in check_sharing_decision(draft, now=NOW, consents=[record()])}
    flagged = (service is ServiceAgreement.AGREED and status is ConsentStatus.IMPLIED
               and not linked)  # fmt: skip
    assert ("SERVICE_NOT_CONSENT" in found) is flagged


def test_an_event_before_the_birth_is_named_with_both_dates() -> None:
    (finding,) = [
        x for x in sharing_born(occurred_at=noon(date(2015, 3, 31))) if x.rule_id == "BEFORE_BIRTH"
    ]
    assert "31 Mar 2015" in finding.message and "1 Apr 2015" in finding.message
    assert "accurate" in finding.citation


@pytest.mark.parametrize(
    "case", RAISES, ids=[f"{c.rule_id}-{c.field}-{i}" for i, c in enumerate(RAISES)]
)
def test_rule_is_raised(case: Raises) -> None:
    findings = case.findings()
    matches = [x for x in findings if x.rule_id == case.rule_id]
    assert matches, f"{case.rule_id} not raised; got {[x.rule_id for x in findings]}"
    assert (case.severity, case.field) in {(x.severity, x.field) for x in matches}
    assert all(x.severity is case.severity for x in matches)


@pytest.mark.parametrize(
    "case", SATISFIES, ids=[f"{c.rule_id}-{i}" for i, c in enumerate(SATISFIES)]
)
def test_rule_is_satisfied(case: Satisfies) -> None:
    findings = case.findings()
    assert case.rule_id not in {x.rule_id for x in findings}
    assert not blocking(findings)


def test_every_rule_is_tested_both_ways() -> None:
    """Each catalogue rule fires in RAISES and stays quiet in SATISFIES, and nothing else."""
    assert {c.rule_id for c in RAISES} == set(RULES)
    assert {c.rule_id for c in SATISFIES} == set(RULES)
    assert set(RULES) >= DOMAIN_RULE_IDS


def test_every_message_of_every_rule_is_raised() -> None:
    """Each way a rule can fire (each message of the catalogue) is raised by a RAISES case
    and is produced exactly as the catalogue declares it."""
    raised: set[tuple[str, str]] = set()
    for case in RAISES:
        for finding in case.findings():
            assert_in_catalogue(finding)
            key = message_of(finding)
            assert key is not None
            raised.add((finding.rule_id, key))
    declared = {(rule.rule_id, key) for rule in RULES.values() for key in rule.messages}
    assert declared - raised == set()


@pytest.mark.parametrize("case", RAISES, ids=[f"{c.rule_id}-{c.field}-{i}" for i, c in
                                              enumerate(RAISES)])  # fmt: skip
def test_the_catalogue_agrees_with_the_table(case: Raises) -> None:
    rule = RULES[case.rule_id]
    assert rule.severity is case.severity
    assert case.field in rule.fields


@pytest.mark.parametrize("kind", [NOT_SHARED, RECEIVED])
def test_rules_for_sharing_apply_only_to_sharing(kind: SharingKind) -> None:
    draft = f.complete_sharing_decision(
        kind, NOW, grounds=[], criteria=None, method=None, consent_status=None,
        individual_told=None, could_less_be_shared=None,
        categories=[InfoCategory.THIRD_PARTY, InfoCategory.HEALTH],
    )  # fmt: skip
    withdrawn = [record(), withdrawal([CONSENT_ID], timedelta(hours=2))]
    draft.consent_decision_id = CONSENT_ID
    found = check_sharing_decision(draft, now=NOW, consents=withdrawn)
    assert found == []


@pytest.mark.parametrize("kind", [SHARED, IN_PART, RECEIVED])
def test_not_shared_rules_apply_only_to_not_shared(kind: SharingKind) -> None:
    found = sharing(
        kind, weighing="", significant_harm_concern=True, initiation=Initiation.ON_REQUEST,
        requester_told_reasons=None,
    )  # fmt: skip
    assert {"WEIGHING", "HARM_NOT_SHARED", "REQUESTER_TOLD"}.isdisjoint(x.rule_id for x in found)


def test_received_rules_apply_only_to_received() -> None:
    found = sharing(NOT_SHARED, recipients=[], information_shared="")
    assert {"SOURCE", "WHAT_RECEIVED", "RECIPIENT"}.isdisjoint(x.rule_id for x in found)


def test_consent_scope_lists_uncovered_organisations() -> None:
    draft = f.complete_sharing_decision(
        SHARED, NOW, consent_decision_id=CONSENT_ID, recipients=[
            Recipient(name="A Example", organisation="Example Borough Children’s Services",
                      organisation_type=S11),
            Recipient(name="B Example", organisation="Fictional   Police", organisation_type=S11),
        ],
    )  # fmt: skip
    (finding,) = check_sharing_decision(draft, now=NOW, consents=[record()])
    assert finding.field == "recipients"
    assert "Fictional Police" in finding.message
    assert "Children's Services" not in finding.message


def test_empty_sharing_decision_findings_are_in_form_order() -> None:
    draft = SharingDecisionDraft(kind=SHARED, in_doubt=True)
    findings = check_sharing_decision(draft, now=NOW)
    order = [x.name for x in fields(SharingDecisionDraft)]
    positions = [order.index(x.field.split(".")[0]) for x in findings]
    assert positions == sorted(positions)
    assert [x.field for x in findings if x.rule_id == "CRITERIA"] == [
        f"criteria.{c}" for c in Criterion
    ]
    assert findings == check_sharing_decision(draft, now=NOW)
    assert findings[0].rule_id == "WHEN"
    assert findings[-1].rule_id == "REASONS"


def test_empty_drafts_block() -> None:
    assert {x.rule_id for x in blocking(check_case(CaseDraft()))} == {"CASE_NAME", "CASE_REFERENCE"}
    assert blocking(check_consent_decision(ConsentDecisionDraft(), now=NOW))
    assert blocking(check_amendment(AmendmentDraft()))
    assert blocking(check_review(ReviewDraft(), reviewer_id="a", author_id="b"))
    assert blocking(check_advice(AdviceDraft(), now=NOW))
    assert blocking(check_request(RequestDraft(), now=NOW))
    assert blocking(check_request_reply(RequestReplyDraft(), now=NOW))
    assert {x.rule_id for x in check_sharing_decision(SharingDecisionDraft(), now=NOW)} == {
        "KIND", "WHEN", "PURPOSE", "REASONS",
    }  # fmt: skip


def test_messages_and_citations_are_plain_and_cited() -> None:
    findings = [x for c in RAISES for x in c.findings()]
    for finding in findings:
        assert finding.message.strip() and finding.message[0].isupper()
        assert re.search(
            r"Golden rule [1-7]|Chapter section [1-4]|Later editions|Children Act 2004 s16L[AC]|"
            r"Working Together|advice \(2024\)|advice for practitioners \(DfE 2024\)",
            finding.citation,
        )
        assert not re.search(
            r"prohibit|not allowed|must not share|you failed", finding.message, re.I
        )


def test_blocking_keeps_order_and_drops_advisories() -> None:
    findings = sharing(criteria=same_rationale(7), purpose="", reasons="")
    assert [x.rule_id for x in blocking(findings)] == ["PURPOSE", "REASONS"]


def test_checklist_refused_lists_blocking_messages() -> None:
    findings = check_sharing_decision(SharingDecisionDraft(kind=SHARED), now=NOW)
    error = ChecklistRefused(findings)
    assert error.findings == tuple(findings)
    assert str(error) == error.user_message
    for finding in blocking(findings):
        assert finding.message in str(error)


def test_naive_times_are_taken_as_local() -> None:
    local_now = NOW.astimezone().replace(tzinfo=None)
    found = sharing(occurred_at=local_now - timedelta(hours=1))
    assert "WHEN" not in {x.rule_id for x in found}


def test_full_draft_is_checked_in_under_a_millisecond() -> None:
    draft = f.complete_sharing_decision(
        SHARED, NOW, reasons="Long reasons " * 1500, consent_decision_id=CONSENT_ID
    )
    consents = [record(), *(record(f"other-{n}", timedelta(days=n + 2)) for n in range(20))]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(100):
            check_sharing_decision(draft, now=NOW, consents=consents)
        best = min(best, (time.perf_counter() - start) / 100)
    assert best < 0.001


# ---- properties ------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)


def _assert_well_formed(findings: list[Finding], cls: type, scope: frozenset[Scope]) -> None:
    """Every finding is one the catalogue declares (rule, severity, citation, field, words),
    points at a field of the draft, and comes from a rule that applies to ``scope``."""
    names = {x.name for x in fields(cls)} | {f"criteria.{c}" for c in Criterion}
    for finding in findings:
        assert_in_catalogue(finding)
        assert finding.field in names
        assert scope <= RULES[finding.rule_id].applies_to, finding.rule_id


def _sharing_scope(draft: SharingDecisionDraft) -> frozenset[Scope]:
    """A draft of no known kind is judged only by the rules for every sharing decision."""
    kind = draft.kind if isinstance(draft.kind, SharingKind) else None
    return frozenset({Scope.of(kind)} if kind else {Scope.of(k) for k in SharingKind})


@PROPERTY
@given(
    draft=arbitrary(SharingDecisionDraft),
    now=garbage | st.datetimes(timezones=st.just(UTC)),
    consents=consent_record_lists | garbage,
)
def test_sharing_checklist_never_raises(draft, now, consents) -> None:
    findings = check_sharing_decision(draft, now=now, consents=consents)
    _assert_well_formed(findings, SharingDecisionDraft, _sharing_scope(draft))


@PROPERTY
@given(
    consent_draft=arbitrary(ConsentDecisionDraft),
    amendment_draft=arbitrary(AmendmentDraft),
    review_draft=arbitrary(ReviewDraft),
    advice_draft=arbitrary(AdviceDraft),
    case_draft=arbitrary(CaseDraft),
    now=garbage,
    ids=st.tuples(garbage, garbage),
    consents=consent_record_lists | garbage,
)
def test_other_checklists_never_raise(
    consent_draft, amendment_draft, review_draft, advice_draft, case_draft, now, ids, consents
) -> None:
    found = check_consent_decision(consent_draft, now=now, consents=consents)
    _assert_well_formed(found, ConsentDecisionDraft, frozenset({Scope.CONSENT_DECISION}))
    found = check_amendment(amendment_draft)
    _assert_well_formed(found, AmendmentDraft, frozenset({Scope.AMENDMENT}))
    found = check_review(review_draft, reviewer_id=ids[0], author_id=ids[1])
    _assert_well_formed(found, ReviewDraft, frozenset({Scope.REVIEW}))
    found = check_advice(advice_draft, now=now)
    _assert_well_formed(found, AdviceDraft, frozenset({Scope.ADVICE}))
    _assert_well_formed(check_case(case_draft), CaseDraft, frozenset({Scope.CASE}))


@PROPERTY
@given(
    request_draft=arbitrary(RequestDraft) | declared(RequestDraft),
    reply_draft=arbitrary(RequestReplyDraft) | declared(RequestReplyDraft),
    now=garbage | st.datetimes(timezones=st.just(UTC)),
)
def test_request_checklists_never_raise(request_draft, reply_draft, now) -> None:
    """Any request or reply a form might produce is judged without raising, in form order,
    by the request rules only."""
    found = check_request(request_draft, now=now)
    _assert_well_formed(found, RequestDraft, frozenset({Scope.REQUEST}))
    found = check_request_reply(reply_draft, now=now)
    _assert_well_formed(found, RequestReplyDraft, frozenset({Scope.REQUEST_REPLY}))


@PROPERTY
@given(
    ago=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    rating=st.sampled_from(Rating),
    acknowledged=st.booleans(),
)
def test_a_complete_request_blocks_nothing_whenever_received(ago, rating, acknowledged) -> None:
    """A complete request of any rating, received any time up to now, saves (with a reason
    when recorded more than 24 hours later: without one, only LATE_ENTRY stops it); its
    cleaned copy has a reply due after it arrived."""
    draft = f.complete_request(NOW, received_at=NOW - ago, rating=rating, acknowledged=acknowledged)
    late = {"LATE_ENTRY"} if recorded_late(NOW - ago, NOW) else set()
    assert {x.rule_id for x in check_request(draft, now=NOW)} == late
    draft.late_entry_reason = "Found in the post tray after the bank holiday"
    assert check_request(draft, now=NOW) == []
    clean = draft.cleaned()
    assert clean.due_at is not None and clean.due_at > clean.received_at
    assert check_request(clean, now=NOW) == []


@PROPERTY
@given(complete_sharing_decisions())
def test_complete_drafts_have_no_blocking_findings(now_and_draft) -> None:
    now, draft = now_and_draft
    assert blocking(check_sharing_decision(draft, now=now)) == []
    assert blocking(check_sharing_decision(draft.cleaned(), now=now)) == []


# ---- every consent finding names something that satisfies it ------------------------


@dataclass(frozen=True)
class Remedy:
    """A draft raising ``rule_id``; its message names ``words``; doing that clears it."""

    rule_id: str
    words: str
    broken: Callable[[], list[Finding]]
    mended: Callable[[], list[Finding]]


COVERS_POLICE = record(scope_agencies=[f.FICTIONAL_AGENCY, "Fictional Police"])
REMEDIES = [
    Remedy("CONSENT_SCOPE", "statutory duty", lambda: relying(recipients=POLICE),
           lambda: relying(recipients=POLICE, **STATUTE)),
    Remedy("CONSENT_SCOPE", "court order", lambda: relying(recipients=POLICE),
           lambda: relying(recipients=POLICE, **ORDER)),
    Remedy("CONSENT_SCOPE", "vital-interests", lambda: relying(recipients=POLICE),
           lambda: relying(recipients=POLICE, **VITAL)),
    Remedy("CONSENT_SCOPE", "Link a consent decision that covers them",
           lambda: relying(recipients=POLICE), lambda: relying(COVERS_POLICE, recipients=POLICE)),
    Remedy("CONSENT_SCOPE", "court order", lambda: relying(consent_purpose="Something else"),
           lambda: relying(consent_purpose="Something else", **ORDER)),
    Remedy("CONSENT_SCOPE", "consent position as it was then (for example withdrawn)",
           lambda: relying(record(), withdrawal([CONSENT_ID], timedelta(hours=2))),
           lambda: relying(record(), withdrawal([CONSENT_ID], timedelta(hours=2)),
                           **REFUSED_OVERRIDE | {"consent_status": ConsentStatus.WITHDRAWN})),
    Remedy("CONSENT_SCOPE", "Link a consent decision that stood at that time",
           lambda: relying(record(valid_until=date(2026, 11, 1))),
           lambda: relying(record(valid_until=date(2026, 11, 1), record_id="old"), record())),
    Remedy("OVERRIDE_JUSTIFIED", "vital-interests",
           lambda: sharing(consent_status=ConsentStatus.CANNOT_BE_GIVEN, consent_from=None),
           lambda: sharing(consent_status=ConsentStatus.CANNOT_BE_GIVEN, consent_from=None,
                           **VITAL)),
    Remedy("OVERRIDE_JUSTIFIED", "statutory duty",
           lambda: sharing(consent_status=ConsentStatus.WITHDRAWN),
           lambda: sharing(consent_status=ConsentStatus.WITHDRAWN, **STATUTE)),
    Remedy("OVERRIDE_JUSTIFIED", "public-interest circumstance",
           lambda: sharing(consent_status=ConsentStatus.REFUSED),
           lambda: sharing(**REFUSED_OVERRIDE)),
    Remedy("CONSENT_ENDS", "Choose the consent this withdrawal ends", lambda: withdrawing([]),
           lambda: withdrawing([CONSENT_ID])),
    Remedy("CONSENT_ENDS", "record the outcome as refused instead",
           lambda: withdrawing([], consents=[]),
           lambda: consent([], outcome=ConsentOutcome.REFUSED, scope_agencies=[])),
    Remedy("CONSENT_ENDS", "Untick it",
           lambda: withdrawing(["not-of-this-case", CONSENT_ID]),
           lambda: withdrawing([CONSENT_ID])),
]  # fmt: skip


@pytest.mark.parametrize("case", REMEDIES, ids=[f"{c.rule_id}-{c.words}" for c in REMEDIES])
def test_a_consent_finding_names_a_remedy_that_works(case: Remedy) -> None:
    raised = [x for x in case.broken() if x.rule_id == case.rule_id]
    assert raised and all(x.severity is B for x in raised)
    assert any(case.words in x.message for x in raised)
    assert case.rule_id not in {x.rule_id for x in blocking(case.mended())}


def test_the_scenario_of_the_issue() -> None:
    """A consent valid until 19 Apr 2027 is withdrawn on 29 Nov 2026: saved without naming
    it, the withdrawal is refused; naming it, the consent no longer stands for new sharing,
    while sharing from before the withdrawal still stands on it."""
    given_consent = record(valid_until=date(2027, 4, 19), ago=timedelta(days=30))
    refused = withdrawing([], [given_consent])
    assert "CONSENT_ENDS" in {x.rule_id for x in blocking(refused)}
    assert not blocking(withdrawing([CONSENT_ID], [given_consent]))
    history = [given_consent, withdrawal([CONSENT_ID], timedelta(hours=1))]
    new_sharing = relying(*history, occurred_at=NOW - timedelta(minutes=10))
    (scope,) = [x for x in new_sharing if x.rule_id == "CONSENT_SCOPE"]
    assert "withdrawn on 29 Nov 2026" in scope.message
    earlier_sharing = relying(*history, occurred_at=NOW - timedelta(days=2),
                              late_entry_reason="Recorded on return from leave")  # fmt: skip
    assert not blocking(earlier_sharing)
