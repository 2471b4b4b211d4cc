"""Drafts: defaults, JSON round trip, tolerant loading, and text cleaning."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import (
    LONG_TEXT,
    SHORT_TEXT,
    ConsentDecisionDraft,
    Criterion,
    CriterionRationale,
    Draft,
    Ground,
    InvalidTextError,
    Recipient,
    SharingDecisionDraft,
    SharingKind,
    field_label,
    validate_texts,
)
from tests.domain.factories import complete_sharing_decision
from tests.domain.strategies import DRAFT_CLASSES, well_typed


@pytest.mark.parametrize("cls", DRAFT_CLASSES, ids=lambda c: c.__name__)
def test_empty_draft_is_constructible_and_round_trips(cls: type[Draft]) -> None:
    draft = cls()
    data = json.loads(json.dumps(draft.to_dict()))
    assert cls.from_dict(data) == draft
    assert set(data) == {f.name for f in fields(cls)}


def test_empty_sharing_decision_has_all_seven_criteria() -> None:
    draft = SharingDecisionDraft()
    assert list(draft.criteria) == list(Criterion)
    assert draft.criteria[Criterion.NECESSARY] is not draft.criteria[Criterion.SECURE]
    assert SharingDecisionDraft().recipients is not draft.recipients


def test_to_dict_uses_plain_json_values() -> None:
    draft = complete_sharing_decision(
        SharingKind.SHARED,
        datetime(2026, 11, 29, 19, 35, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    )
    data = draft.to_dict()
    assert data["kind"] == "shared"
    assert data["occurred_at"] == "2026-11-29T13:05:00+00:00"
    assert data["recipients"][0]["organisation"] == draft.recipients[0].organisation
    assert data["criteria"]["necessary"]["confirmed"] is True
    assert data["grounds"] == ["consent"]
    assert ConsentDecisionDraft(valid_until=date(2027, 1, 2)).to_dict()["valid_until"] == (
        "2027-01-02"
    )
    json.dumps(data)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DRAFT_CLASSES).flatmap(well_typed))
def test_round_trip_is_exact(draft: Draft) -> None:
    assert type(draft).from_dict(draft.to_dict()) == draft
    # Through JSON text too (which joins surrogate pairs, so compare the JSON).
    text = json.dumps(draft.to_dict())
    assert json.dumps(type(draft).from_dict(json.loads(text)).to_dict()) == text


def test_from_dict_tolerates_missing_unknown_and_stale_values() -> None:
    draft = SharingDecisionDraft.from_dict(
        {
            "kind": "retired_kind",
            "grounds": ["consent", "a_ground_from_the_future", 7],
            "criteria": {"necessary": {"confirmed": True, "rationale": "Kept", "extra": 1}},
            "occurred_at": "2026-11-29T14:05:00",
            "recipients": [{"name": "Jo Example"}, "not a recipient"],
            "in_doubt": "yes",
            "reasons": 12,
            "a_field_from_the_future": {"anything": True},
        }
    )
    assert draft.kind is None
    assert draft.grounds == [Ground.CONSENT]
    assert draft.criteria[Criterion.NECESSARY] == CriterionRationale(
        confirmed=True, rationale="Kept"
    )
    assert list(draft.criteria) == list(Criterion)
    assert draft.occurred_at == datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
    assert draft.recipients == [Recipient(name="Jo Example")]
    assert draft.in_doubt is False
    assert draft.reasons == ""


@pytest.mark.parametrize("data", [{}, None, [], "nonsense"])
def test_from_dict_of_nothing_is_an_empty_draft(data: object) -> None:
    assert SharingDecisionDraft.from_dict(data) == SharingDecisionDraft()  # type: ignore[arg-type]


def test_cleaned_cleans_every_text_and_keeps_the_original() -> None:
    draft = complete_sharing_decision()
    draft.reasons = "  Reasons in words\r\nover two lines  "
    draft.recipients[0].name = " Jo Example "
    draft.criteria[Criterion.SECURE].rationale = "Secure e\u0301mail "
    draft.ground_references = {"statutory_duty": " Children Act 1989 s47 "}
    draft.occurred_at = datetime(2026, 11, 29, 19, 35, tzinfo=timezone(timedelta(hours=5)))
    clean = draft.cleaned()
    assert clean.reasons == "Reasons in words\nover two lines"
    assert clean.recipients[0].name == "Jo Example"
    assert clean.criteria[Criterion.SECURE].rationale == "Secure \u00e9mail"
    assert clean.ground_references == {"statutory_duty": "Children Act 1989 s47"}
    assert clean.occurred_at is not None and clean.occurred_at.tzinfo is UTC
    assert draft.reasons.startswith("  ")
    assert validate_texts(draft) == clean


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reasons": "bad\x00"}, "reasons"),
        ({"purpose": "x" * 4001}, "purpose"),
        ({"requester_name": "x" * (SHORT_TEXT + 1)}, "requester_name"),
        ({"information_shared": "x" * (LONG_TEXT + 1)}, "information_shared"),
        ({"recipients": [Recipient(organisation="bad\ud800")]}, "recipients"),
        (
            {"criteria": {Criterion.TIMELY: CriterionRationale(rationale="\x1b")}},
            "criteria.timely",
        ),
        ({"ground_references": {"court_order": "\x00"}}, "ground_references"),
    ],
)
def test_cleaned_refuses_bad_text_naming_the_field(change: dict, field: str) -> None:
    draft = complete_sharing_decision(**change)
    with pytest.raises(InvalidTextError) as caught:
        draft.cleaned()
    assert caught.value.field == field


def test_cleaned_handles_lists_of_texts_and_garbage() -> None:
    consent = ConsentDecisionDraft(scope_agencies=[" Example Council "], scope_purposes=None)  # type: ignore[arg-type]
    assert consent.cleaned().scope_agencies == ["Example Council"]
    assert consent.cleaned().scope_purposes == []
    with pytest.raises(InvalidTextError) as caught:
        ConsentDecisionDraft(scope_agencies=["x" * (SHORT_TEXT + 1)]).cleaned()
    assert caught.value.field == "scope_agencies"
    broken = SharingDecisionDraft(recipients=None, criteria=None, ground_references=None)  # type: ignore[arg-type]
    assert broken.cleaned() == SharingDecisionDraft()


def test_field_labels_are_plain_words() -> None:
    assert field_label(SharingDecisionDraft, "reasons") == "reasons for the decision"
    assert field_label(SharingDecisionDraft, "in_doubt") == "in doubt"
    with pytest.raises(KeyError):
        field_label(SharingDecisionDraft, "no_such_field")


def test_a_consent_decision_saved_with_one_supersedes_id_keeps_it() -> None:
    """Decisions saved before a withdrawal could end several consents read back whole."""
    old = {"outcome": "withdrawn", "supersedes_id": "earlier-consent"}
    assert ConsentDecisionDraft.from_dict(old).supersedes_ids == ["earlier-consent"]
    new = {"outcome": "withdrawn", "supersedes_ids": ["a", "b"], "supersedes_id": "x"}
    assert ConsentDecisionDraft.from_dict(new).supersedes_ids == ["a", "b"]
    assert ConsentDecisionDraft.from_dict({"supersedes_id": None}).supersedes_ids == []
