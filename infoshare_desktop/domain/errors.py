"""The root of every error a user can act on, and the domain's own errors.

`UserFacingError` is the one root: each layer derives its own base from it (`DomainError`
here, `StoreError` in the store, `ReportError` in the reports, `ServiceError` in the
services, `PdfError` in the interface), and the interface shows any of them the same way
(`ui.feedback.user_errors`). Its message is a sentence fit to show a practitioner and
never holds personal data; anything that is not a `UserFacingError` is a bug and goes to
the crash handler.
"""

from __future__ import annotations

from collections.abc import Iterable

# The rule catalogue, not the checklist: the checklist imports the drafts, which import
# this module (a cycle); the catalogue imports only the pick-lists.
from infoshare_desktop.domain.rules import Finding, Severity


class UserFacingError(Exception):
    """An error the user can act on; ``str(error)`` is the plain-language ``user_message``.

    A subclass may give a default ``user_message`` as a class attribute. ``field``, when
    set, names the draft attribute the error is about, so a form can move to it.
    """

    user_message: str = "That could not be done."
    field: str | None = None

    def __init__(self, user_message: str | None = None, *, field: str | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        if field is not None:
            self.field = field
        super().__init__(self.user_message)

    def __str__(self) -> str:
        return self.user_message


class DomainError(UserFacingError):
    """Base of the domain's errors: a rule of the domain refused the input."""


class InvalidTextError(DomainError):
    """A text field could not be accepted; ``field`` names the draft attribute."""

    field: str

    def __init__(self, user_message: str, *, field: str) -> None:
        super().__init__(user_message, field=field)


class ChecklistRefused(DomainError):
    """A record was refused because blocking checklist findings remain."""

    def __init__(self, findings: Iterable[Finding], user_message: str | None = None) -> None:
        self.findings: tuple[Finding, ...] = tuple(findings)
        if user_message is None:
            shown = [f for f in self.findings if f.severity is Severity.BLOCKING] or self.findings
            lines = [f"- {finding.message}" for finding in shown]
            user_message = "\n".join(
                ["This record cannot be saved yet. Please add the following:", *lines]
            )
        super().__init__(user_message)
