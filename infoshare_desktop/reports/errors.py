"""The report layer's errors, each with a sentence fit to show a user.

``ReportError`` is this layer's base under the one root, ``UserFacingError``, which the
interface shows plainly.
"""

from __future__ import annotations

from infoshare_desktop.domain.errors import UserFacingError


class ReportError(UserFacingError):
    """A printed document could not be produced; ``str(error)`` says why, in plain words."""


class SummaryCancelled(ReportError):
    """The user cancelled building a summary; nothing was produced or released."""

    def __init__(self, user_message: str = "Building the case summary was cancelled.") -> None:
        super().__init__(user_message)
