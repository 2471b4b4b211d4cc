"""A store of clearly fictional cases and records, for newcomers, screenshots and benchmarks.

Every record is built as a practitioner would fill the form and passes the same
checklist a real save passes; records are then written in bulk (with their audit
entries and search text) so that 100,000 records take seconds, not minutes.
All names, agencies and references are invented; references start with "DEMO-".
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import made_without_consent
from infoshare_desktop.domain.enums import (
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
    PublicInterestCircumstance,
    SharingKind,
    Urgency,
)
from infoshare_desktop.domain.kinds import CheckContext, kind_of, summary_of
from infoshare_desktop.domain.records import (
    AdviceDraft,
    CaseDraft,
    ConsentDecisionDraft,
    CriterionRationale,
    Draft,
    Recipient,
    SharingDecisionDraft,
)
from infoshare_desktop.domain.rules import recorded_late
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
from infoshare_desktop.services.access import signed_in
from infoshare_desktop.services.cases import name_key
from infoshare_desktop.services.records import search_text
from infoshare_desktop.store import audit
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.tables import CaseFile, CaseMember, SavedRecord, table_of

DEMO_PASSWORD = "demo store passphrase"
DEMO_USERS = {
    "demo.admin": ("Dana Demo (administrator)", set(Role)),
    "demo.practitioner": ("Pip Demo (social worker)", {Role.PRACTITIONER}),
    "demo.lead": ("Lee Demo (team lead)", {Role.PRACTITIONER, Role.TEAM_LEAD}),
    "demo.supervisor": ("Sky Demo (supervisor)", {Role.PRACTITIONER, Role.SUPERVISOR}),
}
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
AGENCIES = [
    ("Westmere Children's Services", "Duty social worker"),
    ("Northbrook Primary School", "Designated safeguarding lead"),
    ("Example Health Visiting Team", "Health visitor"),
    ("Riverside Police Safeguarding Unit", "Detective constable"),
    ("Eastfield GP Practice", "GP"),
    ("Hillcrest Academy", "Head of year"),
    ("County Youth Justice Service", "Case manager"),
]
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


@dataclass(frozen=True)
class DemoResult:
    cases: int
    records: int

    def __str__(self) -> str:
        users = ", ".join(DEMO_USERS)
        return (
            f"Created a demo store with {self.cases} fictional cases and {self.records} records.\n"
            f"Sign in as any of: {users} — password: {DEMO_PASSWORD}"
        )


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def recipients(self) -> list[Recipient]:
        picks = self.rng.sample(AGENCIES, self.rng.choice((1, 1, 2)))
        return [Recipient(name=self.person(), role=role, organisation=org) for org, role in picks]

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
            scope_agencies=[a for a, _ in AGENCIES[:4]] if given else [],
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
        without_consent = kind is not SharingKind.RECEIVED and rng.random() < 0.3
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
            draft.initiation = Initiation.ON_REQUEST
            draft.requester_name = self.person()
            draft.requester_organisation = "Example Leisure Trust"
            draft.request_details = "Asked for the family's address for a holiday club list"
            draft.requester_identity_checked = True
            draft.requester_told_reasons = True
            draft.significant_harm_concern = False
            draft.weighing = "No welfare purpose in sharing; sharing would breach confidence"
            draft.reasons = "Declined because the request had no safeguarding or welfare purpose"
        elif kind is SharingKind.RECEIVED:
            draft.information_shared = "A summary of missed health appointments this year"
            draft.reasons = "Received from another agency and recorded on the child's file"
        return draft


def _row(
    *,
    case_id: str,
    draft: Draft,
    author: str,
    occurred: datetime,
    recorded: datetime,
    without_consent: bool = False,
    harm: bool = False,
) -> dict[str, Any]:
    """A saved-record row for a demo draft, its kind, breakdown, checklist and summary as
    its declaration (``domain.kinds``) says."""
    declared = kind_of(draft)
    kind = declared.kind
    found = checklist.blocking(declared.check(draft, CheckContext(now=recorded)))
    if found:
        raise AssertionError(f"demo {kind.value} fails: {[f.rule_id for f in found]}")
    subkind = declared.subkind(draft)
    return {
        "id": str(uuid.uuid4()),
        "case_id": case_id,
        "kind": kind.value,
        "subkind": subkind,
        "target_id": None,
        "author_id": author,
        "occurred_at": occurred,
        "recorded_at": recorded,
        "late": recorded_late(occurred, recorded),
        "without_consent": without_consent,
        "harm_concern": harm,
        "summary": summary_of(kind, draft),
        "payload": json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True),
        "_search": search_text(draft),
    }


def _write(store: Store, cases: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    with store.write() as session:
        conn = session.connection()
        if cases:
            conn.execute(table_of(CaseFile).insert(), [c["row"] for c in cases])
            conn.execute(
                table_of(CaseMember).insert(),
                [
                    {
                        "case_id": c["row"]["id"],
                        "user_id": c["row"]["created_by"],
                        "added_at": c["row"]["created_at"],
                        "added_by": c["row"]["created_by"],
                    }
                    for c in cases
                ],
            )
            conn.exec_driver_sql(
                "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
                [(c["row"]["id"], c["search"]) for c in cases],
            )
        if records:
            conn.execute(
                table_of(SavedRecord).insert(),
                [{k: v for k, v in r.items() if k != "_search"} for r in records],
            )
            conn.exec_driver_sql(
                "INSERT INTO search_index (case_id, record_id, body) VALUES (?, ?, ?)",
                [(r["case_id"], r["id"], r["_search"]) for r in records],
            )
        by_author: dict[str, list[tuple[str | None, str | None, datetime]]] = {}
        for c in cases:
            by_author.setdefault(c["row"]["created_by"], []).append(
                ("case", c["row"]["id"], c["row"]["created_at"])
            )
        for r in records:
            by_author.setdefault(r["author_id"], []).append((r["kind"], r["id"], r["recorded_at"]))
        for author, targets in by_author.items():
            audit.append_many(session, actor_id=author, action=Action.CREATE, targets=targets)


def populate(store: Store, *, cases: int, records: int, seed: int = 2026) -> DemoResult:
    """Add `cases` fictional cases and about `records` records to an open store."""
    gen = _Generator(seed)
    rng = gen.rng
    with store.read() as session:
        from sqlmodel import select

        from infoshare_desktop.store.tables import UserAccount

        authors = [u.id for u in session.exec(select(UserAccount)) if "practitioner" in u.roles]
    authors = authors or [signed_in(store).user_id]
    now = utcnow()
    per_case = [records // cases + (1 if i < records % cases else 0) for i in range(cases)]
    case_batch: list[dict[str, Any]] = []
    record_batch: list[dict[str, Any]] = []
    written = 0
    for index in range(cases):
        case_id, created = str(uuid.uuid4()), now - timedelta(days=rng.randint(30, 730))
        name = gen.person()
        draft = CaseDraft(
            display_name=name,
            date_of_birth=date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            case_reference=f"DEMO-{created.year}-{index + 1:05d}",
        )
        author = rng.choice(authors)
        case_batch.append(
            {
                "row": {
                    "id": case_id,
                    "display_name": name,
                    "name_key": name_key(name),
                    "date_of_birth": draft.date_of_birth,
                    "case_reference": draft.case_reference,
                    "other_identifiers": "",
                    "restricted": False,
                    "created_at": created,
                    "created_by": author,
                },
                "search": search_text(draft) + "\n" + draft.case_reference.replace("-", ""),
            }
        )
        span = (now - created).total_seconds()
        times = sorted(
            created + timedelta(seconds=rng.uniform(0, span)) for _ in range(per_case[index])
        )
        for n, occurred in enumerate(times):
            delay = (
                timedelta(hours=rng.uniform(2, 100))
                if rng.random() < 0.08
                else timedelta(minutes=rng.uniform(5, 300))
            )
            recorded = min(occurred + delay, now)
            author = rng.choice(authors)
            if n == 0 or rng.random() < 0.08:
                made: Draft = gen.consent(occurred)
            elif rng.random() < 0.04:
                made = gen.advice(occurred)
            else:
                made = gen.sharing(occurred, recorded)
            sharing = made if isinstance(made, SharingDecisionDraft) else None
            record_batch.append(
                _row(
                    case_id=case_id,
                    draft=made,
                    author=author,
                    occurred=occurred,
                    recorded=recorded,
                    without_consent=sharing is not None
                    and made_without_consent(sharing.kind, sharing.consent_status),
                    harm=sharing is not None and sharing.significant_harm_concern,
                )
            )
        if len(record_batch) >= 5000 or index == cases - 1:
            _write(store, case_batch, record_batch)
            written += len(record_batch)
            case_batch, record_batch = [], []
    return DemoResult(cases, written)


def create_demo_store(paths: DataPaths, *, cases: int, records: int) -> DemoResult:
    """A new store in an empty folder: the demo users, then the fictional cases."""
    admin_name, (admin_display, _) = next(iter(DEMO_USERS.items()))
    store = accounts.first_run(
        paths, username=admin_name, display_name=admin_display, password=DEMO_PASSWORD
    )
    try:
        for username, (display, roles) in list(DEMO_USERS.items())[1:]:
            code = accounts.add_user(store, username=username, display_name=display, roles=roles)
            accounts.sign_in(
                paths, username=username, password=code, new_password=DEMO_PASSWORD
            ).close()
        return populate(store, cases=max(1, cases), records=max(0, records))
    finally:
        store.close()
