"""The consistent identifier: the NHS number's Modulus 11 check and the case's findings,
both directions (table-driven and hypothesis). Synthetic numbers only (the 999 range)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_desktop.domain.checklist import Severity, check_case, check_identifier
from infoshare_desktop.domain.identifier import (
    IdentifierReason,
    NhsNumberProblem,
    describe_identifier,
    format_nhs_number,
    nhs_check_digit,
    nhs_number_digits,
    nhs_number_problem,
)
from tests.domain import factories as f

B, A = Severity.BLOCKING, Severity.ADVISORY


def _weighted_check(first_nine: str) -> int | None:
    """The check digit worked out the long way, as the NHS describes it."""
    total = 0
    for position, digit in enumerate(first_nine, start=1):
        total += int(digit) * (11 - position)
    remainder = total % 11
    check = 11 - remainder
    return {11: 0, 10: None}.get(check, check)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A synthetic 10-digit number (999 prefix) with a correct check digit."""
    first_nine = "999" + draw(st.text("0123456789", min_size=6, max_size=6))
    check = _weighted_check(first_nine)
    if check is None:
        first_nine = first_nine[:8] + str((int(first_nine[8]) + 1) % 10)
        check = _weighted_check(first_nine)
        if check is None:  # two neighbours cannot both be impossible
            first_nine = first_nine[:8] + str((int(first_nine[8]) + 1) % 10)
            check = _weighted_check(first_nine)
    assert check is not None
    return first_nine + str(check)


VALID = [
    ("9990000018", "9990000018"),
    ("999 000 0018", "9990000018"),
    ("  999 000 0026 ", "9990000026"),
    ("999-000-0034", "9990000034"),
    ("9990000107", "9990000107"),  # check digit 7 after a carry through the weights
]
INVALID = [
    ("", NhsNumberProblem.WRONG_LENGTH),
    ("   ", NhsNumberProblem.WRONG_LENGTH),
    ("999000001", NhsNumberProblem.WRONG_LENGTH),
    ("99900000180", NhsNumberProblem.WRONG_LENGTH),
    ("9990000019", NhsNumberProblem.CHECK_DIGIT),
    ("9990000081", NhsNumberProblem.CHECK_DIGIT),
    ("999 000 00l8", NhsNumberProblem.NOT_DIGITS),  # a letter l for a one
    ("999０００００18", NhsNumberProblem.NOT_DIGITS),  # full-width digits are not ASCII
    ("NHS 9990000018", NhsNumberProblem.NOT_DIGITS),
]


@pytest.mark.parametrize(("typed", "digits"), VALID)
def test_valid_numbers_are_accepted_with_spaces(typed: str, digits: str) -> None:
    assert nhs_number_problem(typed) is None
    assert nhs_number_digits(typed) == digits
    assert format_nhs_number(typed) == f"{digits[:3]} {digits[3:6]} {digits[6:]}"


@pytest.mark.parametrize(("typed", "problem"), INVALID)
def test_invalid_numbers_are_refused_with_the_reason(typed: str, problem: NhsNumberProblem) -> None:
    assert nhs_number_problem(typed) is problem
    assert nhs_number_digits(typed) is None
    assert format_nhs_number(typed) == typed  # shown as typed, never "corrected"


def test_nine_digits_whose_check_would_be_ten_have_no_valid_number() -> None:
    # 999000003: weights give 11 - (sum % 11) == 10, so no tenth digit makes it valid.
    impossible = next(
        str(n) for n in range(999000000, 999001000) if _weighted_check(str(n)) is None
    )
    assert nhs_check_digit(impossible) is None
    assert all(nhs_number_problem(impossible + str(d)) for d in range(10))


@given(valid_numbers())
def test_every_number_with_a_correct_check_digit_is_accepted(number: str) -> None:
    assert nhs_number_problem(number) is None
    assert nhs_number_problem(format_nhs_number(number)) is None
    assert nhs_number_digits(f"{number[:3]} {number[3:6]} {number[6:]}") == number


@given(valid_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_is_rejected(number: str, position: int, shift: int) -> None:
    changed = str((int(number[position]) + shift) % 10)
    wrong = number[:position] + changed + number[position + 1 :]
    assert nhs_number_problem(wrong) is NhsNumberProblem.CHECK_DIGIT


@given(st.text(max_size=20) | st.none() | st.integers())
def test_anything_typed_never_raises(value: object) -> None:
    problem = nhs_number_problem(value)
    assert (problem is None) == (nhs_number_digits(value) is not None)
    assert isinstance(format_nhs_number(value), str)


# ---- the case's findings, both directions --------------------------------------------

RAISES = [
    ("NHS_NUMBER_INVALID", B, "nhs_number", {"nhs_number": "999 000 0019"}),
    ("NHS_NUMBER_INVALID", B, "nhs_number", {"nhs_number": "999 000 001"}),
    ("NHS_NUMBER_INVALID", B, "nhs_number", {"nhs_number": "unknown"}),
    ("IDENTIFIER_NUMBER_AND_REASON", B, "identifier_reason",
     {"identifier_reason": IdentifierReason.UNKNOWN_DELAY}),
    ("IDENTIFIER_MISSING", A, "nhs_number", {"nhs_number": "  "}),
    ("IDENTIFIER_REASON_TEXT", B, "identifier_reason_text",
     {"nhs_number": "", "identifier_reason": IdentifierReason.OTHER,
      "identifier_reason_text": "  "}),
]  # fmt: skip
SATISFIED = [
    {},
    {"nhs_number": "9990000026"},
    {"nhs_number": "", "identifier_reason": IdentifierReason.MORE_DETRIMENTAL},
    {"nhs_number": "", "identifier_reason": IdentifierReason.UNKNOWN_DELAY},
    {"nhs_number": "", "identifier_reason": IdentifierReason.OTHER,
     "identifier_reason_text": "Born abroad; no NHS number issued yet"},
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "severity", "field", "changes"), RAISES)
def test_identifier_rules_raise(rule_id: str, severity: Severity, field: str, changes) -> None:
    found = [x for x in check_case(f.complete_case(**changes)) if x.rule_id == rule_id]
    assert [(x.severity, x.field) for x in found] == [(severity, field)]
    assert "s16LC" in found[0].citation


@pytest.mark.parametrize("changes", SATISFIED)
def test_identifier_rules_are_satisfied(changes) -> None:
    assert check_identifier(f.complete_case(**changes)) == []
    assert check_case(f.complete_case(**changes)) == []


@pytest.mark.parametrize(
    ("number", "reason", "text", "expected"),
    [
        ("9990000018", None, "", "NHS number 999 000 0018"),
        ("9990000018", IdentifierReason.OTHER, "x", "NHS number 999 000 0018"),
        (None, IdentifierReason.MORE_DETRIMENTAL, "",
         "NHS number not included: including it would be more detrimental to the child "
         "than not including it"),
        (None, IdentifierReason.UNKNOWN_DELAY, "GP practice closed",
         "NHS number not included: it is not known, and finding it would cause "
         "unreasonable delay (GP practice closed)"),
        (None, IdentifierReason.OTHER, "Born abroad last month",
         "NHS number not included: Born abroad last month"),
        (None, None, "", "NHS number not recorded"),
        ("9990000019", None, "", "NHS number not recorded"),  # never shows an invalid one
    ],
)  # fmt: skip
def test_the_identifier_in_words(number, reason, text, expected) -> None:
    assert describe_identifier(number, reason, text) == expected


def test_leaving_both_out_blocks_a_change_but_not_a_new_case() -> None:
    draft = f.complete_case(nhs_number="")
    (new,) = check_identifier(draft)
    (change,) = check_identifier(draft, required=True)
    assert (new.rule_id, new.severity) == ("IDENTIFIER_MISSING", A)
    assert (change.rule_id, change.severity) == ("IDENTIFIER_REQUIRED", B)
    assert check_identifier(f.complete_case(), required=True) == []
