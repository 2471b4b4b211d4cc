"""The domain's error types: each carries a sentence fit to show a practitioner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Finding(Protocol):
    """What a refusal needs of a checklist finding (``domain.checklist.Finding`` is one).
    A protocol, not an import: the checklist imports the drafts, which import this module."""

    @property
    def rule_id(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def citation(self) -> str: ...


class DomainError(Exception):
    """Base of all domain errors; ``str(error)`` is the plain-language ``user_message``."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message

    def __str__(self) -> str:
        return self.user_message


class InvalidTextError(DomainError):
    """A text field could not be accepted; ``field`` names the draft attribute."""

    def __init__(self, user_message: str, *, field: str) -> None:
        super().__init__(user_message)
        self.field = field


class ChecklistRefused(DomainError):
    """A record was refused because blocking checklist findings remain."""

    def __init__(self, findings: Iterable[Finding], user_message: str | None = None) -> None:
        self.findings: tuple[Finding, ...] = tuple(findings)
        if user_message is None:
            shown = [f for f in self.findings if f.severity == "blocking"] or self.findings
            lines = [f"- {finding.message}" for finding in shown]
            user_message = "\n".join(
                ["This record cannot be saved yet. Please add the following:", *lines]
            )
        super().__init__(user_message)
