"""Pick-lists: values, labels, and the guidance each carries."""

from __future__ import annotations

from enum import StrEnum

import pytest

from infoshare_desktop.domain import (
    ConsentOutcome,
    Criterion,
    Ground,
    InfoCategory,
    NotSoughtReason,
    PublicInterestCircumstance,
    RecordKind,
    SharingKind,
    enums,
)

ENUMS = [
    value
    for value in vars(enums).values()
    if isinstance(value, type) and issubclass(value, enums.LabelledEnum) and len(value)
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_members_are_strings_with_labels(enum: type[enums.LabelledEnum]) -> None:
    assert issubclass(enum, StrEnum)
    for member in enum:
        assert str(member) == member.value == member.name.lower()
        assert enum(member.value) is member
        assert member.label and member.label[0].isupper()
    assert enum.choices() == [(member, member.label) for member in enum]
    assert len({label for _, label in enum.choices()}) == len(enum)


def test_contract_values() -> None:
    assert [m.value for m in SharingKind] == ["shared", "shared_in_part", "not_shared", "received"]
    assert len(NotSoughtReason) == 7 and NotSoughtReason.OTHER in NotSoughtReason
    assert len(Ground) == 9 and Ground.OTHER in Ground
    assert len(PublicInterestCircumstance) == 3
    assert [c.value for c in Criterion] == [
        "necessary", "proportionate", "relevant", "adequate", "accurate", "timely", "secure",
    ]  # fmt: skip
    assert [k.value for k in RecordKind] == [
        "sharing_decision",
        "consent_decision",
        "amendment",
        "review",
        "advice",
        "request",
        "request_reply",
    ]  # fmt: skip  (stored values: never renamed once records exist)


def test_grounds_carry_their_legal_basis() -> None:
    assert Ground.CONSENT.legal_basis.startswith("UK GDPR Art 6(1)(a)")
    assert "Sch 1 para 18" in Ground.SIGNIFICANT_HARM.legal_basis
    assert Ground.PREVENT_HARM.legal_basis == Ground.SIGNIFICANT_HARM.legal_basis
    assert "Sch 1 para 10" in Ground.SERIOUS_CRIME.legal_basis
    assert "6(1)(c)" in Ground.STATUTORY_DUTY.legal_basis
    assert "9(2)(f)" in Ground.COURT_ORDER.legal_basis
    assert "6(1)(d)" in Ground.VITAL_INTERESTS.legal_basis
    assert "Sch 1 para 2" in Ground.PUBLIC_FUNCTION.legal_basis
    assert all(ground.legal_basis for ground in Ground)
    assert {g for g in Ground if g.needs_reference} == {Ground.STATUTORY_DUTY, Ground.COURT_ORDER}


def test_category_and_outcome_helpers() -> None:
    assert {c for c in InfoCategory if c.is_special_category} == {
        InfoCategory.HEALTH,
        InfoCategory.OTHER_SPECIAL_CATEGORY,
    }
    assert {o for o in ConsentOutcome if o.is_given} == {
        ConsentOutcome.EXPLICIT,
        ConsentOutcome.IMPLIED,
    }


def test_every_criterion_has_guidance() -> None:
    for criterion in Criterion:
        assert criterion.value in criterion.guidance.lower()
        assert criterion.guidance.endswith(".")
    assert "fact from opinion" in Criterion.ACCURATE.guidance
    assert "relied on" in Criterion.ADEQUATE.guidance
