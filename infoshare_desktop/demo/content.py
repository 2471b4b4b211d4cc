"""The content of the demo records: invented people, agencies and wording, and drafts
filled as a practitioner would fill the forms. Everything about *what* a demo record
says is here (and nothing about how it is stored: see demo.populate).

All names, agencies and references are invented; references start with "DEMO-".
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

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
    SharingKind,
    Urgency,
)
from infoshare_desktop.domain.identifier import IdentifierReason, nhs_check_digit
from infoshare_desktop.domain.records import (
    AdviceDraft,
    AmendmentDraft,
    CaseDraft,
    ConsentDecisionDraft,
    CriterionRationale,
    Recipient,
    RecordLink,
    RequestDraft,
    RequestReplyDraft,
    ReviewDraft,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.rules import recorded_late, withheld_from_duty_holder

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Harvey",
    "Isla",
    "Jay",
    "Kai",
    "Lily",
    "Mason",
    "Nia",
    "Oscar",
    "Poppy",
    "Reuben",
    "Sofia",
    "Theo",
    "Zara",
    "Zofia",
    "Ολυμπία",
    "Анна",
    "Łukasz",
    "Jiří",
    "Aoife",
    "Siân",
]
LAST = [
    "Ashdown",
    "Brierley",
    "Calder",
    "Dunmore",
    "Elsworth",
    "Fairbrook",
    "Greave",
    "Holloway",
    "Ivens",
    "Kettering",
    "Larkfield",
    "Mereworth",
    "Northam",
    "Oakridge",
    "Pennock",
    "Wiśniewska",
    "Παπαδοπούλου",
    "Иванова",
    "Nováková",
    "Ó Briain",
    "Prydderch",
]
_S11, _EDU = OrganisationType.SECTION_11_BODY, OrganisationType.EDUCATION_CHILDCARE
#: (organisation, role, organisation type: the duty to share binds all but "other")
AGENCIES = [
    ("Westmere Children's Services", "Duty social worker", _S11),
    ("Northbrook Primary School", "Designated safeguarding lead", _EDU),
    ("Example Health Visiting Team", "Health visitor", _S11),
    ("Riverside Police Safeguarding Unit", "Detective constable", _S11),
    ("Eastfield GP Practice", "GP", OrganisationType.CONTRACTOR),
    ("Hillcrest Academy", "Head of year", _EDU),
    ("County Youth Justice Service", "Case manager", _S11),
    ("Little Acorns Nursery", "Nursery manager", _EDU),
]
#: Not under the duty to share: a requester the demo declines.
LEISURE_TRUST = ("Example Leisure Trust", "Holiday club coordinator", OrganisationType.OTHER)
#: Who sends the demo's requests for information.
REQUESTERS = [
    (RequestSource.MASH, "Westmere MASH", "Duty MASH officer"),
    (RequestSource.SECTION_47, "Westmere Children's Services", "Section 47 lead social worker"),
    (RequestSource.OTHER_AGENCY, "Riverside Police Safeguarding Unit", "Detective constable"),
]
#: The NHS's own range for test and training numbers (999 000 0000 to 999 999 9999):
#: valid Modulus 11 numbers that belong to no one.
FICTIONAL_NHS_PREFIX = "999"
PURPOSES = [
    "To inform the strategy discussion about the child's safety at home",
    "To support the child in need plan agreed at the last review",
    "To help the school arrange extra support for attendance and wellbeing",
    "To let the health visitor follow up missed developmental checks",
]
RATIONALE = {
    Criterion.NECESSARY: "Needed so the meeting can judge the risk with current facts",
    Criterion.PROPORTIONATE: "Only the recent summary was sent, not the whole file",
    Criterion.RELEVANT: "Bears directly on the concern the recipient is assessing",
    Criterion.ADEQUATE: "Dates and sources included so it can be relied on",
    Criterion.ACCURATE: "Checked against our records; opinion marked as opinion",
    Criterion.TIMELY: "Sent the same day so the plan is not delayed",
    Criterion.SECURE: "Sent through the secure channel to a verified address",
}


class Generator:
    """Drafts as a practitioner would fill the forms, from a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def recipients(self) -> list[Recipient]:
        picks = self.rng.sample(AGENCIES, self.rng.choice((1, 1, 2)))
        return [self.recipient(pick) for pick in picks]

    def recipient(self, agency: tuple[str, str, OrganisationType]) -> Recipient:
        org, role, org_type = agency
        return Recipient(
            name=self.person(), role=role, organisation=org, organisation_type=org_type
        )

    def nhs_number(self) -> str:
        """A valid (Modulus 11) NHS number from the range kept for tests and training."""
        while True:
            first_nine = FICTIONAL_NHS_PREFIX + f"{self.rng.randrange(10**6):06d}"
            check = nhs_check_digit(first_nine)
            if check is not None:
                return first_nine + str(check)

    def consent(self, occurred: datetime) -> ConsentDecisionDraft:
        outcome = self.rng.choice(
            [ConsentOutcome.EXPLICIT] * 5 + [ConsentOutcome.REFUSED, ConsentOutcome.IMPLIED]
        )
        given = outcome.is_given
        return ConsentDecisionDraft(
            asked=ConsentFrom.PARENT_CARER,
            asked_name=f"{self.person()} (parent)",
            competence_considered=True,
            outcome=outcome,
            how=ConsentHow.WRITTEN if given else ConsentHow.VERBAL,
            scope_agencies=[a for a, _, _ in AGENCIES] if given else [],
            scope_information="Attendance, health appointments and the family support plan"
            if given
            else "",
            scope_purposes=PURPOSES[:2] if given else [],
            limits="Nothing about the child's siblings" if given else "",
            valid_until=(occurred + timedelta(days=365)).date() if given else None,
            views_expressed="Wants the school and health visitor to work together"
            if given
            else "Does not want information passed on; worried about being judged",
            occurred_at=occurred,
        )

    def advice(self, occurred: datetime) -> AdviceDraft:
        rng = self.rng
        return AdviceDraft(
            sought_from_role=rng.choice(
                ["Designated safeguarding lead", "Named nurse for safeguarding", "Team manager"]
            ),
            sought_at=occurred,
            advice=rng.choice(
                [
                    "Share the attendance summary with children's services today.",
                    "Ask the family first; share without consent only if the risk rises.",
                    "Decline the request: the purpose does not need the health details.",
                ]
            ),
            identity_withheld=rng.random() < 0.7,
        )

    def sharing(self, occurred: datetime, recorded: datetime) -> SharingDecisionDraft:
        rng = self.rng
        kind = rng.choices(list(SharingKind), weights=(50, 15, 15, 20))[0]
        without_consent = kind is not SharingKind.RECEIVED and rng.random() < 0.36
        purpose = rng.choice(PURPOSES)
        draft = SharingDecisionDraft(
            kind=kind,
            initiation=Initiation.PROACTIVE,
            occurred_at=occurred,
            urgency=rng.choice(list(Urgency)),
            purpose=purpose,
            recipients=self.recipients(),
            information_shared="Summary of attendance, recent concerns raised by staff and "
            "the dates of missed appointments",
            categories=[InfoCategory.GENERAL_PERSONAL],
            fact_or_opinion=FactOrOpinion.BOTH,
            could_less_be_shared=False,
            minimisation_notes="Only the last term's summary, not the full record",
            confidentiality=Confidentiality.YES,
            confidentiality_reason="Shared with us by the family in confidence",
            consent_status=ConsentStatus.EXPLICIT,
            consent_from=ConsentFrom.PARENT_CARER,
            grounds=[Ground.CONSENT],
            weighing="Sharing lets agencies act together; not sharing leaves the risk unassessed",
            individual_told=True,
            told_details="The parent was told what would be shared, why and with whom",
            advice_sought=False,
            method=rng.choice([Method.SECURE_EMAIL, Method.SECURE_PORTAL, Method.MEETING]),
            channel_secure=True,
            recipient_verified=True,
            criteria={
                c: CriterionRationale(confirmed=True, rationale=r) for c, r in RATIONALE.items()
            },
            safety_wellbeing="The child's safety was the first consideration",
            views_child_family="The child said they want things to get better at home",
            reasons="Shared because the concerns together suggest the child may need support "
            "from more than one agency, and the plan cannot work without this information",
        )
        if recorded_late(occurred, recorded):
            draft.late_entry_reason = "Recorded on return from an emergency visit"
        if without_consent:
            draft.consent_status = ConsentStatus.NOT_SOUGHT
            draft.consent_from = None
            draft.not_sought_reasons = [NotSoughtReason.RISK_TO_CHILD]
            draft.grounds = [Ground.SIGNIFICANT_HARM]
            draft.public_interest = [PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE]
            draft.individual_told = False
            draft.not_told_reason = "Telling the family first could place the child at risk"
            draft.significant_harm_concern = True
        if kind is SharingKind.SHARED_IN_PART:
            draft.withheld = "Notes from the counselling sessions were withheld"
        elif kind is SharingKind.NOT_SHARED:
            draft.recipients = [self.recipient(LEISURE_TRUST)]
            draft.initiation = Initiation.ON_REQUEST
            draft.requester_name = self.person()
            draft.requester_organisation = "Example Leisure Trust"
            draft.requester_organisation_type = OrganisationType.OTHER  # not a duty holder
            draft.request_details = "Asked for the family's address for a holiday club list"
            draft.requester_identity_checked = True
            draft.requester_told_reasons = True
            draft.significant_harm_concern = False
            draft.weighing = "No welfare purpose in sharing; sharing would breach confidence"
            draft.reasons = "Declined because the request had no safeguarding or welfare purpose"
        elif kind is SharingKind.RECEIVED:
            draft.information_shared = "A summary of missed health appointments this year"
            draft.reasons = "Received from another agency and recorded on the child's file"
        if withheld_from_duty_holder(draft.kind, draft.recipients):
            draft.duty_detriment = (
                "The counselling notes would tell the family what the child said in "
                "confidence, which would put the child at greater risk than withholding them"
            )
        return draft

    def request(self, received: datetime) -> RequestDraft:
        """A request for information received, usually acknowledged within the hour."""
        rng = self.rng
        source, org, name = rng.choice(REQUESTERS)
        acknowledged = rng.random() < 0.85
        return RequestDraft(
            source=source,
            requester_organisation=org,
            requester_name=name,
            requester_reference=f"REQ-DEMO-{rng.randrange(10**5):05d}",
            received_at=received,
            method=rng.choice([Method.SECURE_EMAIL, Method.SECURE_PORTAL, Method.PHONE]),
            asked=rng.choice(
                [
                    "School attendance and any welfare concerns for the last term",
                    "Missed health appointments and the health visitor's last contact",
                    "Any concerns staff have recorded since the last strategy meeting",
                ]
            ),
            rating=rng.choices([Rating.RED, Rating.AMBER, Rating.GREEN], weights=(2, 5, 3))[0],
            acknowledged=acknowledged,
            acknowledged_at=received + timedelta(minutes=rng.uniform(5, 90))
            if acknowledged
            else None,
        )

    def answer(
        self, request: RequestDraft, occurred: datetime, recorded: datetime
    ) -> SharingDecisionDraft:
        """The sharing decision that answers a request: shared, in part, or declined."""
        draft = self.sharing(occurred, recorded)
        while draft.kind is SharingKind.RECEIVED:
            draft = self.sharing(occurred, recorded)
        draft.initiation = Initiation.ON_REQUEST
        draft.requester_name = request.requester_name
        draft.requester_organisation = request.requester_organisation
        draft.requester_organisation_type = _S11  # the MASH, children's services, the police
        draft.requester_reference = request.requester_reference
        draft.request_details = request.asked
        draft.requester_identity_checked = True
        draft.requester_told_reasons = True
        if not draft.duty_detriment and withheld_from_duty_holder(
            draft.kind, draft.recipients, draft.requester_type()
        ):
            draft.duty_detriment = (
                "Disclosing it now would tell the family of the concern before the strategy "
                "discussion, which would put the child at greater risk than withholding it"
            )
        return draft

    def reply(
        self,
        *,
        request: tuple[str, RequestDraft],
        answer: tuple[str, SharingDecisionDraft],
        replied: datetime,
    ) -> RequestReplyDraft:
        (request_id, asked), (answer_id, decision) = request, answer
        outcome = {
            SharingKind.SHARED: ReplyOutcome.SHARED,
            SharingKind.SHARED_IN_PART: ReplyOutcome.SHARED_IN_PART,
        }.get(decision.kind or SharingKind.NOT_SHARED, ReplyOutcome.DECLINED)
        declined = outcome is ReplyOutcome.DECLINED
        return RequestReplyDraft(
            request=RecordLink(
                record_id=request_id,
                description=f"Request from {asked.requester_organisation}",
            ),
            answered_by=[
                RecordLink(
                    record_id=answer_id,
                    description=f"{decision.kind.label if decision.kind else 'Decision'}: "
                    f"{decision.recipients[0].organisation if decision.recipients else ''}",
                )
            ],
            outcome=outcome,
            replied_at=replied,
            reconsider_if_new=(self.rng.random() < 0.5) if declined else None,
            feedback="" if declined else "The requester thanked us; the meeting went ahead",
        )

    def review(self, target_id: str) -> ReviewDraft:
        """A supervisor's review: mostly endorsed, some with a comment, some returned."""
        outcome = self.rng.choices(list(ReviewOutcome), weights=(70, 12, 18))[0]
        comment = {
            ReviewOutcome.ENDORSED: "",
            ReviewOutcome.ENDORSED_WITH_COMMENT: "Sound decision; note the consent date next time",
            ReviewOutcome.RETURNED: "Please say why consent was not sought before sharing",
        }[outcome]
        return ReviewDraft(target_id=target_id, outcome=outcome, comment=comment)

    def response_to_review(self, target_id: str, *, was_shared: bool) -> AmendmentDraft:
        """The author's amendment answering a returned review."""
        return AmendmentDraft(
            target_id=target_id,
            text="Consent was not sought because the parent was the subject of the concern",
            reason=AmendmentReason.RESPONSE_TO_REVIEW,
            recipients_told=True if was_shared else None,
            recipients_told_notes="Recipients were sent the added detail" if was_shared else "",
            target_was_shared=was_shared,
        )

    def case(self, *, index: int, created: datetime) -> CaseDraft:
        """The index-th demo case, created at `created`."""
        rng = self.rng
        draft = CaseDraft(
            display_name=self.person(),
            date_of_birth=date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            case_reference=f"DEMO-{created.year}-{index + 1:05d}",
        )
        if rng.random() < 0.88:
            draft.nhs_number = self.nhs_number()
        elif rng.random() < 0.7:
            draft.identifier_reason = IdentifierReason.UNKNOWN_DELAY
        else:
            draft.identifier_reason = IdentifierReason.MORE_DETRIMENTAL
            draft.identifier_reason_text = "The child is in a refuge; the number could trace them"
        return draft
