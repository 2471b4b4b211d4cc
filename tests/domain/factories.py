"""Complete drafts (no blocking finding) with obviously fictional data, for reuse in tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from infoshare_desktop.domain import (
    AdviceDraft,
    AmendmentDraft,
    AmendmentReason,
    CaseDraft,
    Confidentiality,
    ConsentDecisionDraft,
    ConsentFrom,
    ConsentHow,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    CriterionRationale,
    FactOrOpinion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    OrganisationType,
    Recipient,
    ReviewDraft,
    ReviewOutcome,
    SharingDecisionDraft,
    SharingKind,
    Urgency,
    utcnow,
)

FICTIONAL_CHILD = "Testy McTestface"
FICTIONAL_AGENCY = "Example Borough Children's Services"
FICTIONAL_PURPOSE = "To support the multi-agency child in need plan for a fictional child"

RATIONALES: dict[Criterion, str] = {
    Criterion.NECESSARY: "Needed for the strategy discussion about attendance",
    Criterion.PROPORTIONATE: "Only the last term's attendance summary was sent",
    Criterion.RELEVANT: "Attendance bears directly on the concern raised",
    Criterion.ADEQUATE: "Dates and figures are complete enough to rely on",
    Criterion.ACCURATE: "Checked against the register; opinion marked as such",
    Criterion.TIMELY: "Sent the same day, before the planned meeting",
    Criterion.SECURE: "Sent by the secure email system to a verified address",
}


def complete_criteria() -> dict[Criterion, CriterionRationale]:
    """All seven criteria confirmed, each with its own rationale."""
    return {c: CriterionRationale(confirmed=True, rationale=r) for c, r in RATIONALES.items()}


_SYNTHETIC = itertools.count(999_100_000)  # clear of the numbers tests name


def synthetic_nhs_number() -> str:
    """The next synthetic NHS number (the 999 range is never issued), valid by Modulus 11,
    shown 3-3-4: every call a different one."""
    from infoshare_desktop.domain.identifier import format_nhs_number, nhs_check_digit

    while (check := nhs_check_digit(str(first := next(_SYNTHETIC)))) is None:
        pass
    return format_nhs_number(f"{first}{check}")


def complete_case(**changes: object) -> CaseDraft:
    """A case with a fictional name and reference and its own synthetic NHS number."""
    case = CaseDraft(
        display_name=FICTIONAL_CHILD,
        date_of_birth=date(2015, 4, 1),
        case_reference="TEST-0001",
        other_identifiers="Fictional test identifier 999",
        nhs_number=synthetic_nhs_number(),
    )
    for name, value in changes.items():
        setattr(case, name, value)
    return case


def complete_sharing_decision(
    kind: SharingKind = SharingKind.SHARED, now: datetime | None = None, **changes: object
) -> SharingDecisionDraft:
    """A draft of ``kind`` with no blocking finding at ``now`` (default: the current time).

    ``changes`` are set on the draft afterwards, so a test can break exactly one thing.
    """
    now = now or utcnow()
    draft = SharingDecisionDraft(
        kind=kind,
        initiation=Initiation.PROACTIVE,
        occurred_at=now - timedelta(hours=1),
        urgency=Urgency.ROUTINE,
        purpose=FICTIONAL_PURPOSE,
        recipients=[
            Recipient(
                name="Jo Example",
                role="Social worker",
                organisation=FICTIONAL_AGENCY,
                organisation_type=OrganisationType.SECTION_11_BODY,
            )
        ],
        information_shared="Attendance summary for the autumn term and the class teacher's view",
        categories=[InfoCategory.GENERAL_PERSONAL],
        fact_or_opinion=FactOrOpinion.BOTH,
        could_less_be_shared=False,
        minimisation_notes="Only the summary was sent, not the full register",
        confidentiality=Confidentiality.YES,
        confidentiality_reason="Given by the family in confidence at a pastoral meeting",
        consent_status=ConsentStatus.EXPLICIT,
        consent_from=ConsentFrom.PARENT_CARER,
        consent_purpose=FICTIONAL_PURPOSE,
        grounds=[Ground.CONSENT],
        weighing="Sharing helps the plan; not sharing would leave the plan without key facts",
        individual_told=True,
        told_details="The parent was told what, why, how and with whom at the meeting",
        advice_sought=False,
        method=Method.SECURE_EMAIL,
        channel_secure=True,
        recipient_verified=True,
        criteria=complete_criteria(),
        safety_wellbeing="No immediate safety concern; sharing supports the child's welfare",
        views_child_family="The parent agreed and the child was happy for school to help",
        reasons="Shared with explicit consent to support the agreed child in need plan",
    )
    if kind is SharingKind.SHARED_IN_PART:
        draft.withheld = "Notes from the counselling session were not shared"
        draft.duty_detriment = (
            "The child would stop attending counselling, her only safe place to talk, if "
            "the session notes were passed on; the summary meets the plan's need"
        )
    elif kind is SharingKind.NOT_SHARED:
        draft.initiation = Initiation.ON_REQUEST
        draft.requester_name = "Pat Sample"
        draft.requester_organisation = "Example Leisure Trust"
        draft.requester_organisation_type = OrganisationType.OTHER
        draft.request_details = "Asked for the child's home address for a mailing list"
        draft.requester_identity_checked = True
        draft.requester_told_reasons = True
        draft.recipients = [
            Recipient(
                name="Pat Sample",
                organisation="Example Leisure Trust",
                organisation_type=OrganisationType.OTHER,
            )
        ]
        draft.information_shared = "The child's home address (requested, not shared)"
        draft.weighing = "No benefit to the child from sharing; sharing would breach confidence"
        draft.reasons = "Declined: the request had no safeguarding or welfare purpose"
    elif kind is SharingKind.RECEIVED:
        draft.recipients = [
            Recipient(name="Dr Alex Placeholder", role="GP", organisation="Example Health Centre")
        ]
        draft.information_shared = "Summary of missed health appointments this year"
        draft.reasons = "Received from the GP and recorded on the child's file as required"
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def complete_consent_decision(
    now: datetime | None = None, **changes: object
) -> ConsentDecisionDraft:
    """Explicit written consent from a parent covering the complete sharing decision's sharing."""
    now = now or utcnow()
    draft = ConsentDecisionDraft(
        asked=ConsentFrom.PARENT_CARER,
        asked_name="Chris Example (parent)",
        competence_considered=True,
        outcome=ConsentOutcome.EXPLICIT,
        how=ConsentHow.WRITTEN,
        scope_agencies=[FICTIONAL_AGENCY, "Example Health Centre"],
        scope_information="School attendance and the class teacher's observations",
        scope_purposes=[FICTIONAL_PURPOSE],
        limits="Nothing about siblings is to be shared",
        valid_until=(now + timedelta(days=365)).date(),
        review_date=(now + timedelta(days=180)).date(),
        views_expressed="Happy for school to share so that support can be arranged",
        occurred_at=now - timedelta(days=1),
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def complete_amendment(**changes: object) -> AmendmentDraft:
    """A correction of fact to a shared record, recipients told."""
    draft = AmendmentDraft(
        target_id="record-0001",
        text="The meeting date was 3 March, not 4 March as first recorded",
        reason=AmendmentReason.CORRECTION_OF_FACT,
        recipients_told=True,
        recipients_told_notes="Jo Example told by secure email the same day",
        target_was_shared=True,
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def complete_review(**changes: object) -> ReviewDraft:
    """A review that returns a record with a comment."""
    draft = ReviewDraft(
        target_id="record-0001",
        outcome=ReviewOutcome.RETURNED,
        comment="Please add what was withheld and why the method was chosen",
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def complete_advice(now: datetime | None = None, **changes: object) -> AdviceDraft:
    """Advice from a safeguarding lead, identity withheld."""
    now = now or utcnow()
    draft = AdviceDraft(
        sought_from_role="Designated safeguarding lead",
        sought_at=now - timedelta(minutes=30),
        advice="Share the attendance summary with children's services today",
        identity_withheld=True,
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


# ---- requests received (issue 11 section 2) ----------------------------------------------


def complete_request(now: datetime | None = None, **changes: object):  # -> RequestDraft
    """An amber request from a fictional MASH, acknowledged, received an hour ago."""
    from infoshare_desktop.domain.enums import Method, Rating, RequestSource
    from infoshare_desktop.domain.records import RequestDraft

    now = now or utcnow()
    draft = RequestDraft(
        source=RequestSource.MASH,
        requester_organisation="Example Borough MASH",
        requester_name="Duty MASH officer",
        requester_reference="MASH-TEST-42",
        received_at=now - timedelta(hours=1),
        method=Method.SECURE_EMAIL,
        asked="School attendance and any welfare concerns for the last term",
        rating=Rating.AMBER,
        acknowledged=True,
        acknowledged_at=now - timedelta(minutes=50),
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def complete_reply(now: datetime | None = None, **changes: object):  # -> RequestReplyDraft
    """A reply that shared in part, linking one fictional request and sharing decision."""
    from infoshare_desktop.domain.enums import ReplyOutcome
    from infoshare_desktop.domain.records import RecordLink, RequestReplyDraft

    now = now or utcnow()
    draft = RequestReplyDraft(
        request=RecordLink(record_id="request-1", description="Request from Example MASH"),
        answered_by=[
            RecordLink(record_id="decision-1", description="Shared in part with Example MASH")
        ],
        outcome=ReplyOutcome.SHARED_IN_PART,
        replied_at=now - timedelta(minutes=10),
        feedback="The MASH thanked us; the strategy meeting went ahead",
    )
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft
