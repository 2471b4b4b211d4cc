"""Domain errors carry a message fit to show a practitioner."""

from __future__ import annotations

from infoshare_desktop.domain import (
    ChecklistRefused,
    DomainError,
    Finding,
    InvalidTextError,
    Severity,
)


def test_domain_error_str_is_the_user_message() -> None:
    error = DomainError("Something plain went wrong.")
    assert str(error) == error.user_message == "Something plain went wrong."


def test_invalid_text_error_names_the_field() -> None:
    error = InvalidTextError("The purpose is too long.", field="purpose")
    assert isinstance(error, DomainError)
    assert error.field == "purpose"
    assert str(error) == "The purpose is too long."


def test_checklist_refused_lists_what_to_add() -> None:
    findings = [
        Finding("PURPOSE", Severity.BLOCKING, "Describe the purpose.", "purpose", "Rule 7"),
        Finding("THIRD_PARTY", Severity.ADVISORY, "Consider identities.", "categories", "Rule"),
        Finding("REASONS", Severity.BLOCKING, "Write the reasons.", "reasons", "Rule 7"),
    ]
    error = ChecklistRefused(findings)
    assert isinstance(error, DomainError)
    assert error.findings == tuple(findings)
    lines = str(error).splitlines()
    assert lines[1:] == ["- Describe the purpose.", "- Write the reasons."]
    assert str(ChecklistRefused(findings, "Custom message.")) == "Custom message."
