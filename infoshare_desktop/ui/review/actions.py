"""Actions other screens offer: the case view's "Ask for review" on the author's own record."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from infoshare_desktop.services import reviews
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.session import Session


def ask_for_review(parent: QWidget | None, session: Session, record_id: str) -> bool:
    """Put one of the signed-in author's own records in the review queue; say how it went.

    True when the request was recorded. Refusals (not their record, already in review)
    and store errors are shown through ``ui.feedback``.
    """
    with feedback.user_errors(parent, title="Ask for review") as outcome:
        reviews.request_review(session.store, record_id=record_id)
    if outcome.failed:
        return False
    feedback.inform(
        parent,
        "Review requested",
        "The record is now in the supervisors' review queue. If it is returned to you, "
        "it appears under “Returned to me” with the supervisor's comment.",
    )
    return True
