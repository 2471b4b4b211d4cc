"""Supervisor review screens: the review queue and review screen, Returned to me, the
team overview, Administration → Review rules, and ``actions.ask_for_review``.

The main window gets them from one call, ``install_review_pages(window, session)``,
which adds only the pages the signed-in user's roles allow and keeps the counts in the
navigation entries ("Review queue (3)") up to date. No page reads anything before it is
first shown; the counts are read (counted in the store) just after the window first
paints, so signing in costs the same whatever the store holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from infoshare_desktop.domain.accounts import CASE_ROLES, Role
from infoshare_desktop.services import reviews
from infoshare_desktop.ui.common.navigation import PageHost
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.review.queue_page import ReviewQueuePage
from infoshare_desktop.ui.review.returned_page import ReturnedToMePage
from infoshare_desktop.ui.review.rules_dialog import ReviewRulesDialog
from infoshare_desktop.ui.review.team_page import TeamOverviewPage

REVIEW_QUEUE = "Review queue"
RETURNED_TO_ME = "Returned to me"
TEAM_OVERVIEW = "Team overview"


@dataclass
class ReviewPages:
    """What ``install_review_pages`` added (None where the user's roles do not allow it)."""

    queue: ReviewQueuePage | None = None
    returned: ReturnedToMePage | None = None
    team: TeamOverviewPage | None = None
    rules_action: QAction | None = None

    def refresh_counts(self) -> None:
        """Read the numbers the navigation entries show (counts only)."""
        for page in (self.queue, self.returned):
            if page is not None:
                page.refresh_count()


def nav_count(count: int) -> str:
    """A count as the navigation shows it: "1000+" once it reaches the cap."""
    return f"{reviews.COUNT_CAP}+" if count >= reviews.COUNT_CAP else str(count)


def _show_count(window: PageHost, name: str, count: int) -> None:
    item = window.navigation.item(window.page_names().index(name))
    item.setText(f"{name} ({nav_count(count)})" if count else name)


class _AfterFirstPaint(QObject):
    """Runs ``then`` once, as soon as the watched window has first painted."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def install_review_pages(window: PageHost, session: Session) -> ReviewPages:
    """Add the review pages (and the Review rules menu item) the user's roles allow."""
    user = session.user
    added = ReviewPages()
    if user.has(Role.SUPERVISOR):
        added.queue = ReviewQueuePage(session, window)
        window.add_page(
            REVIEW_QUEUE,
            added.queue,
            "Ctrl+5",
            description="review colleagues' recorded reasons: endorse them or return them "
            "for more detail",
        )
        added.queue.count_changed.connect(lambda count: _show_count(window, REVIEW_QUEUE, count))
    if any(user.has(role) for role in CASE_ROLES):
        added.returned = ReturnedToMePage(session, window)
        window.add_page(
            RETURNED_TO_ME,
            added.returned,
            "Ctrl+6",
            description="answer, with an amendment, the records a supervisor returned to "
            "you for more detail",
        )
        added.returned.count_changed.connect(
            lambda count: _show_count(window, RETURNED_TO_ME, count)
        )
    if user.has(Role.SUPERVISOR) or user.has(Role.TEAM_LEAD):
        added.team = TeamOverviewPage(session, window)
        window.add_page(
            TEAM_OVERVIEW,
            added.team,
            "Ctrl+7",
            description="see, for each practitioner, what is awaiting review, returned, "
            "endorsed or overdue",
        )
    if window.admin_menu is not None:
        added.rules_action = QAction("&Review rules…", window)
        separators = [a for a in window.admin_menu.actions() if a.isSeparator()]
        if separators:
            window.admin_menu.insertAction(separators[0], added.rules_action)
        else:
            window.admin_menu.addAction(added.rules_action)
        added.rules_action.triggered.connect(lambda: _open_rules(window, session))
    _AfterFirstPaint(window, added.refresh_counts)
    return added


def _open_rules(window: PageHost, session: Session) -> None:
    dialog = ReviewRulesDialog(session, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()


__all__ = [
    "RETURNED_TO_ME",
    "REVIEW_QUEUE",
    "TEAM_OVERVIEW",
    "ReviewPages",
    "install_review_pages",
]
