"""Team overview (team leads and supervisors): where each practitioner's records stand
in review: awaiting review, returned and not yet answered, endorsed, overdue. Counted in
the store, one row per practitioner, when the page is shown (never before)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from infoshare_desktop.services import reviews
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.review.models import TeamTableModel
from infoshare_desktop.ui.review.tables import ReviewTableView

EMPTY_TEXT = "No records have entered review yet."


def _total(counts: list[int]) -> str:
    """The sum of counts, "or more" when one of them reached the cap."""
    more = any(c >= reviews.COUNT_CAP for c in counts)
    return f"{sum(counts)} or more" if more else str(sum(counts))


class TeamOverviewPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = TeamTableModel()
        self.table = ReviewTableView(
            self.model, "Review by practitioner", stretch_column=0, parent=self
        )
        self.summary_label = text_label("", self, role="muted")
        self.summary_label.setAccessibleDescription("Team summary")
        self.alert = AlertLabel(self)
        layout = page_layout(self)
        layout.addWidget(heading_label("Team overview", self))
        layout.addWidget(
            text_label(
                "For each practitioner, how many of their records are awaiting review, "
                "returned and not yet answered, endorsed, and overdue for review.",
                self,
                role="muted",
            )
        )
        layout.addWidget(self.alert)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        session.store_changed.connect(self._on_session_store_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if not self.session.store.is_open:
            return
        with feedback.user_errors(
            self.alert, prefix="The team overview could not be loaded."
        ) as outcome:
            rows = reviews.team_overview(self.session.store)
        if outcome.failed:
            return
        self.alert.clear()
        self.model.set_rows(rows)
        if not rows:
            self.summary_label.setText(EMPTY_TEXT)
            return
        awaiting = _total([r.awaiting for r in rows])
        returned = _total([r.returned for r in rows])
        overdue = _total([r.overdue for r in rows])
        self.summary_label.setText(
            f"{awaiting} awaiting review ({overdue} OVERDUE), {returned} returned and not "
            f"yet answered, across {len(rows)} practitioner{'s' * (len(rows) != 1)}."
        )

    def _on_session_store_changed(self) -> None:
        if self.isVisible():
            self.refresh()
