"""The consistent identifier: a child's NHS number, or why it is not included.

Children Act 2004 s16LC (inserted by the Children's Wellbeing and Schools Act 2026) names
the NHS number as the consistent identifier to include when information about a child is
processed, unless including it would be more detrimental to the child than not, or it is
not known and finding it would cause unreasonable delay.

An NHS number is 10 digits whose last is a Modulus 11 check digit: the first nine
digits are weighted 10 down to 2 and summed; the check digit is 11 minus the remainder
of that sum divided by 11 (11 becomes 0; 10 means no valid number has those nine
digits). People type it with spaces ("943 476 5919"); it is shown as 3-3-4.
"""

from __future__ import annotations

from enum import StrEnum

from infoshare_desktop.domain.enums import LabelledEnum

__all__ = [
    "IdentifierReason",
    "NhsNumberProblem",
    "describe_identifier",
    "format_nhs_number",
    "nhs_check_digit",
    "nhs_number_digits",
    "nhs_number_problem",
]

NHS_NUMBER_LENGTH = 10
_SEPARATORS = str.maketrans("", "", " \u00a0\t-")


class IdentifierReason(LabelledEnum):
    """Why a case carries no NHS number (s16LC's exceptions, or another reason)."""

    MORE_DETRIMENTAL = (
        "more_detrimental",
        "Including it would be more detrimental to the child than not including it",
    )
    UNKNOWN_DELAY = (
        "unknown_delay",
        "It is not known, and finding it would cause unreasonable delay",
    )
    OTHER = "other", "Another reason (say what)"


class NhsNumberProblem(StrEnum):
    """Why typed text is not a valid NHS number (the values are the keys of the
    NHS_NUMBER_INVALID rule's messages in domain.rules)."""

    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    CHECK_DIGIT = "check_digit"


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no number has them."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        return None
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _compact(text: object) -> str:
    return text.translate(_SEPARATORS) if isinstance(text, str) else ""


def nhs_number_problem(text: object) -> NhsNumberProblem | None:
    """What is wrong with ``text`` as an NHS number (spaces and hyphens ignored), or None
    when it is a valid one. Blank text is a problem too (WRONG_LENGTH)."""
    digits = _compact(text)
    if digits and not (digits.isascii() and digits.isdigit()):
        return NhsNumberProblem.NOT_DIGITS
    if len(digits) != NHS_NUMBER_LENGTH:
        return NhsNumberProblem.WRONG_LENGTH
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        return NhsNumberProblem.CHECK_DIGIT
    return None


def nhs_number_digits(text: object) -> str | None:
    """The 10 digits of a valid NHS number typed with or without spaces, else None."""
    return _compact(text) if nhs_number_problem(text) is None else None


def format_nhs_number(text: object) -> str:
    """A valid NHS number shown 3-3-4 ("943 476 5919"); anything else as given."""
    digits = nhs_number_digits(text)
    if digits is None:
        return text if isinstance(text, str) else ""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def describe_identifier(nhs_number: object, reason: object = None, reason_text: object = "") -> str:
    """The consistent identifier in words, for the case view, lists and the printout:
    "NHS number 999 000 0018", "NHS number not included: it is not known, and finding
    it would cause unreasonable delay", or "NHS number not recorded"."""
    if isinstance(nhs_number, str) and nhs_number_digits(nhs_number):
        return f"NHS number {format_nhs_number(nhs_number)}"
    if isinstance(reason, IdentifierReason):
        text = reason_text.strip() if isinstance(reason_text, str) else ""
        if reason is IdentifierReason.OTHER:
            return f"NHS number not included: {text}" if text else "NHS number not included"
        words = reason.label[0].lower() + reason.label[1:]
        return f"NHS number not included: {words}" + (f" ({text})" if text else "")
    return "NHS number not recorded"
