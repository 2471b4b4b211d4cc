"""The declaration of kinds and fields (domain.kinds, domain.fields): what applies when,
what a reader sees, and that every declared kind is complete."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_desktop.domain import utcnow
from infoshare_desktop.domain.enums import (
    ConsentFrom,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    Initiation,
    Method,
    RecordKind,
    SharingKind,
)
from infoshare_desktop.domain.fields import (
    CONSENT_DECISION_FORM,
    SHARING_DECISION_FORM,
    Widget,
    form_of,
    words,
)
from infoshare_desktop.domain.kinds import KINDS, CheckContext, kind_of, spec, summary_of
from infoshare_desktop.domain.records import (
    AdviceDraft,
    ConsentDecisionDraft,
    CriterionRationale,
    SharingDecisionDraft,
)
from tests.domain.strategies import declared

S = SharingDecisionDraft
NOW = utcnow()

# (field, draft, applies): the "when it applies" of the sharing decision, settled once for
# the form, the details pane and the printout.
SHARING_APPLIES = [
    ("requester_name", S(initiation=Initiation.ON_REQUEST), True),
    ("requester_name", S(initiation=Initiation.PROACTIVE), False),
    ("requester_reference", S(initiation=Initiation.ON_REQUEST), True),
    (
        "requester_told_reasons",
        S(initiation=Initiation.ON_REQUEST, kind=SharingKind.NOT_SHARED),
        True,
    ),
    ("requester_told_reasons", S(initiation=Initiation.ON_REQUEST, kind=SharingKind.SHARED), False),
    ("late_entry_reason", S(occurred_at=NOW - timedelta(hours=25)), True),
    ("late_entry_reason", S(occurred_at=NOW - timedelta(hours=2)), False),
    ("could_less_be_shared", S(kind=None), True),
    ("could_less_be_shared", S(kind=SharingKind.SHARED_IN_PART), True),
    ("could_less_be_shared", S(kind=SharingKind.NOT_SHARED), False),
    ("could_less_be_shared", S(kind=SharingKind.RECEIVED), False),
    ("withheld", S(kind=SharingKind.SHARED_IN_PART), True),
    ("withheld", S(kind=SharingKind.SHARED), False),
    ("consent_status", S(kind=SharingKind.SHARED), True),
    ("consent_status", S(kind=SharingKind.RECEIVED), False),
    ("consent_from", S(consent_status=ConsentStatus.EXPLICIT), True),
    ("consent_from", S(consent_status=ConsentStatus.NOT_SOUGHT), False),
    ("consent_from", S(kind=SharingKind.RECEIVED, consent_status=ConsentStatus.EXPLICIT), False),
    ("child_competence_considered", S(consent_from=ConsentFrom.CHILD), True),
    ("child_competence_considered", S(consent_from=ConsentFrom.PARENT_CARER), False),
    ("consent_decision_id", S(consent_status=ConsentStatus.IMPLIED), True),
    ("consent_decision_id", S(consent_status=ConsentStatus.REFUSED), False),
    ("public_interest", S(consent_status=ConsentStatus.REFUSED), True),
    ("public_interest", S(consent_status=ConsentStatus.EXPLICIT), False),
    ("weighing", S(kind=SharingKind.NOT_SHARED), True),
    ("weighing", S(kind=SharingKind.SHARED, consent_status=ConsentStatus.EXPLICIT), False),
    ("grounds", S(kind=SharingKind.SHARED), True),
    ("grounds", S(kind=SharingKind.RECEIVED), False),
    ("told_details", S(individual_told=True), True),
    ("not_told_reason", S(individual_told=False), True),
    ("not_told_reason", S(individual_told=None), False),
    ("advice_from_role", S(advice_sought=True), True),
    ("no_time_for_advice_reason", S(advice_sought=False), True),
    ("no_time_for_advice_reason", S(advice_sought=None), False),
    ("method", S(kind=SharingKind.NOT_SHARED), True),
    ("method", S(kind=SharingKind.RECEIVED), False),
    ("method_other", S(method=Method.OTHER), True),
    ("insecure_reason", S(channel_secure=False), True),
    ("criteria", S(kind=SharingKind.SHARED), True),
    ("criteria", S(kind=None), True),
    ("criteria", S(kind=SharingKind.NOT_SHARED), False),
    ("criteria", S(kind=SharingKind.RECEIVED), False),
    ("reasons", S(kind=SharingKind.RECEIVED), True),
]


@pytest.mark.parametrize(("name", "draft", "applies"), SHARING_APPLIES)
def test_when_a_sharing_decision_field_applies(name, draft, applies):
    assert SHARING_DECISION_FORM.field(name).applies(draft) is applies


def test_an_answer_is_shown_even_where_the_field_no_longer_applies():
    """The seven criteria of a record that is not shared: shown when any has content
    (details pane and printout alike), left out when all are blank."""
    criteria = SHARING_DECISION_FORM.field("criteria")
    blank = S(kind=SharingKind.NOT_SHARED)
    assert not criteria.is_shown(blank)
    answered = S(kind=SharingKind.NOT_SHARED)
    answered.criteria[Criterion.TIMELY] = CriterionRationale(rationale="Asked the same day")
    assert criteria.is_shown(answered)
    withheld = SHARING_DECISION_FORM.field("withheld")
    assert withheld.is_shown(S(kind=SharingKind.SHARED, withheld="The siblings' names"))
    assert not withheld.is_shown(S(kind=SharingKind.SHARED))


def test_an_optional_field_is_left_out_until_filled():
    late = SHARING_DECISION_FORM.field("late_entry_reason")
    old = S(occurred_at=NOW - timedelta(days=3))
    assert late.applies(old) and not late.is_shown(old)
    assert late.is_shown(dataclasses.replace(old, late_entry_reason="Off sick"))


def test_the_consent_scope_applies_only_to_given_consent():
    scope = CONSENT_DECISION_FORM.field("scope_information")
    for outcome in ConsentOutcome:
        assert scope.applies(ConsentDecisionDraft(outcome=outcome)) is outcome.is_given


def test_labels_that_follow_the_draft():
    recipients = SHARING_DECISION_FORM.field("recipients")
    assert recipients.short_for(S(kind=SharingKind.RECEIVED)) == "Source"
    assert recipients.label_for(S(kind=SharingKind.NOT_SHARED)) == "Who it would have gone to"
    group = SHARING_DECISION_FORM.groups[2]
    assert group.title_for(S(kind=SharingKind.RECEIVED)) == "3. Source"


def test_the_redaction_list_is_the_declared_descriptions_of_the_information():
    assert set(SHARING_DECISION_FORM.redactable()) == {
        "request_details",
        "information_shared",
        "minimisation_notes",
        "withheld",
        "protected_identities",  # whose details were withheld to protect them, from whom
    }


def test_every_kind_is_declared_with_its_draft_form_and_words():
    assert set(KINDS) == set(RecordKind)
    for kind, found in KINDS.items():
        assert spec(kind.value) is found and kind_of(found.draft) is found
        assert form_of(found.draft) is found.form
        assert found.words and found.plural and found.icon.startswith("SP_")
        assert summary_of(kind, found.draft()), kind
        assert found.title(found.draft()).startswith(kind.label)
    started = [found.kind for found in KINDS.values() if found.menu]
    assert RecordKind.ADVICE in started  # advice is started from the case view
    assert [k for k in RecordKind if KINDS[k].printable] == [
        RecordKind.SHARING_DECISION,
        RecordKind.CONSENT_DECISION,
        RecordKind.ADVICE,
        RecordKind.REQUEST,
        RecordKind.REQUEST_REPLY,
    ]


def test_words_are_what_a_reader_sees():
    assert words(None) == "" and words(True) == "Yes" and words(False) == "No"
    assert words(SharingKind.SHARED) == "Shared"
    assert words([Method.OTHER, Method.PHONE]) == "Other (say what); Phone"


def test_advice_summary_and_checklist_through_the_declaration():
    found = spec(RecordKind.ADVICE)
    draft = AdviceDraft(sought_from_role="Named nurse", advice="Share it", sought_at=NOW)
    assert summary_of(RecordKind.ADVICE, draft) == "Advice from Named nurse"
    assert not [f for f in found.check(draft, CheckContext(now=NOW)) if f.rule_id == "ADVICE_FROM"]
    assert [f.rule_id for f in found.check(AdviceDraft(), CheckContext(now=NOW))][:1] == [
        "ADVICE_FROM"
    ]


@given(st.sampled_from(list(KINDS.values())).flatmap(lambda k: declared(k.draft)))
def test_what_a_reader_sees_never_fails_and_never_hides_an_answer(draft):
    form = form_of(draft)
    for f in form.fields():
        applies = f.applies(draft)
        assert isinstance(applies, bool)
        if f.has_answer(draft):
            assert f.is_shown(draft)
        if applies and not f.optional:
            assert f.is_shown(draft)
        assert f.short_for(draft)
        if f.widget is not Widget.CUSTOM:
            assert isinstance(words(f.value(draft)), str)
