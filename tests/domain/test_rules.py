"""The rule catalogue, and the rules other screens share with the checklist, defined once."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import (
    AdviceDraft,
    AmendmentDraft,
    CaseDraft,
    Confidentiality,
    ConsentDecisionDraft,
    ConsentStatus,
    Criterion,
    Ground,
    ReviewDraft,
    SharingDecisionDraft,
    SharingKind,
    check_sharing_decision,
)
from infoshare_desktop.domain.consent import WITHOUT_CONSENT, made_without_consent
from infoshare_desktop.domain.records import RequestDraft, RequestReplyDraft
from infoshare_desktop.domain.rules import (
    LATE_AFTER,
    RULES,
    Citation,
    Scope,
    Severity,
    recorded_late,
    rule,
)
from tests.domain import factories as f

NOW = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
DRAFTS: dict[Scope, type] = {
    **{Scope.of(kind): SharingDecisionDraft for kind in SharingKind},
    Scope.CONSENT_DECISION: ConsentDecisionDraft,
    Scope.AMENDMENT: AmendmentDraft,
    Scope.REVIEW: ReviewDraft,
    Scope.ADVICE: AdviceDraft,
    Scope.REQUEST: RequestDraft,
    Scope.REQUEST_REPLY: RequestReplyDraft,
    Scope.CASE: CaseDraft,
}
"""The draft each scope's checklist judges."""


def _field_names(cls: type) -> set[str]:
    names = {x.name for x in fields(cls)}
    return names | ({f"criteria.{c}" for c in Criterion} if "criteria" in names else set())


# ---- the catalogue itself ---------------------------------------------------------------


def test_every_scope_has_a_checklist_and_sharing_scopes_are_the_sharing_kinds() -> None:
    assert set(DRAFTS) == set(Scope)
    assert [Scope.of(kind).value for kind in SharingKind] == [kind.value for kind in SharingKind]


@pytest.mark.parametrize("rule_id", RULES)
def test_a_rule_is_declared_completely(rule_id: str) -> None:
    found = rule(rule_id)
    assert found.rule_id == rule_id and rule_id.isupper() and " " not in rule_id
    assert found.severity in (Severity.BLOCKING, Severity.ADVISORY)
    assert found.applies_to and found.messages
    assert found.requires[0].isupper() and found.requires.endswith(".")
    assert isinstance(found.citation, Citation)
    drafts_fields = set().union(*(_field_names(DRAFTS[scope]) for scope in found.applies_to))
    for key, message in found.messages.items():
        assert message.text[0].isupper(), key
        assert message.text.rstrip("}").endswith((".", "?", "{guidance")), key
        assert set(message.fields) <= drafts_fields, key


def test_a_finding_comes_only_from_a_declared_message_and_field() -> None:
    secure = rule("SECURE_METHOD")
    found = secure.finding("insecure")
    assert (found.rule_id, found.severity, found.field) == (
        "SECURE_METHOD",
        Severity.BLOCKING,
        "insecure_reason",
    )
    assert found.citation == Citation.GOLDEN_RULE_6.label
    with pytest.raises(KeyError):
        secure.finding("no such message")
    with pytest.raises(ValueError, match="does not point at"):
        secure.finding("insecure", field="method")
    with pytest.raises(KeyError):
        rule("NOT_A_RULE")


def test_a_message_fills_in_its_values() -> None:
    found = rule("CRITERIA_COPIED").finding("copied", field="criteria.timely", count=5)
    assert found.message.startswith("The same rationale is given for 5 of the seven criteria.")
    assert found.field == "criteria.timely"


# ---- late entry: one definition for the checklist, the store's flag and the form ------


@pytest.mark.parametrize(
    ("after", "late"),
    [
        (timedelta(0), False),
        (timedelta(hours=23, minutes=59), False),
        (LATE_AFTER, False),
        (LATE_AFTER + timedelta(microseconds=1), True),
        (timedelta(days=9), True),
        (-timedelta(hours=30), False),
    ],
)
def test_an_entry_is_late_only_more_than_24_hours_after(after: timedelta, late: bool) -> None:
    assert recorded_late(NOW, NOW + after) is late


@settings(max_examples=200, deadline=None)
@given(ago=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)))
def test_the_checklist_asks_for_a_late_reason_exactly_when_the_entry_is_late(
    ago: timedelta,
) -> None:
    draft = f.complete_sharing_decision(SharingKind.SHARED, NOW, occurred_at=NOW - ago)
    raised = "LATE_ENTRY" in {x.rule_id for x in check_sharing_decision(draft, now=NOW)}
    assert raised is recorded_late(NOW - ago, NOW)


# ---- sharing without consent: one set for the checklist, the flag, the queue and the form


def test_without_consent_is_every_position_that_is_not_consent_given() -> None:
    assert {
        ConsentStatus.REFUSED,
        ConsentStatus.WITHDRAWN,
        ConsentStatus.NOT_SOUGHT,
        ConsentStatus.CANNOT_BE_GIVEN,
    } == WITHOUT_CONSENT
    assert {s for s in ConsentStatus if s.is_given} == {
        ConsentStatus.EXPLICIT,
        ConsentStatus.IMPLIED,
    }


@pytest.mark.parametrize("kind", [*SharingKind, None, "shared"])
@pytest.mark.parametrize("status", [*ConsentStatus, None, "refused"])
def test_made_without_consent(kind: object, status: object) -> None:
    """Information received is never "without consent"; neither is an unknown kind or a
    status that is not a ConsentStatus member."""
    refusing = {"refused", "withdrawn", "not_sought", "cannot_be_given"}
    expected = (
        isinstance(kind, SharingKind)
        and kind.value != "received"
        and isinstance(status, ConsentStatus)
        and status.value in refusing
    )
    assert made_without_consent(kind, status) is expected


@pytest.mark.parametrize("kind", [SharingKind.SHARED, SharingKind.SHARED_IN_PART])
@pytest.mark.parametrize("status", list(ConsentStatus))
def test_sharing_confidential_information_needs_justifying_exactly_without_consent(
    kind: SharingKind, status: ConsentStatus
) -> None:
    """OVERRIDE_JUSTIFIED asks for a public-interest circumstance (or another lawful ground)
    for the positions the review flag and the form treat as "without consent", and only
    those."""
    draft = f.complete_sharing_decision(
        kind, NOW, consent_status=status, confidentiality=Confidentiality.YES,
        grounds=[Ground.SIGNIFICANT_HARM], public_interest=[],
        not_sought_reasons=["risk_to_child"],
    )  # fmt: skip
    found = check_sharing_decision(draft, now=NOW)
    override = [x for x in found if x.rule_id == "OVERRIDE_JUSTIFIED"]
    assert bool(override) is made_without_consent(kind, status)
    assert all(x.field == "public_interest" for x in override)
