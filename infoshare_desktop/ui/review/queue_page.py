"""The supervisor's review queue: colleagues' records awaiting review, oldest first.

Filters narrow the list by practitioner, kind, when it happened and consent; Enter or a
double-click opens the review screen. ``count_changed`` carries the number awaiting
(unfiltered) so the navigation entry can show it. Nothing is read before the page is
first shown (``refresh_count`` reads the count alone, counted in the store): it reloads
when shown, after each review and when the store changes while it is shown (after an
unlock). The table reads a screenful at a time as the user scrolls.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import TypedDict

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from infoshare_desktop.domain.enums import ReviewOutcome
from infoshare_desktop.services import reviews
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.reviews import KindFilter, ReviewItem
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.fields import OptionalDateTimeEdit
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import FlowLayout, page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.review.models import KIND_FILTERS, ReviewQueueTableModel
from infoshare_desktop.ui.review.review_dialog import ReviewDialog
from infoshare_desktop.ui.review.tables import ReviewTableView

EMPTY_TEXT = "Nothing is waiting for your review."


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


class QueueFilters(TypedDict):
    """The keyword arguments of ``services.reviews.review_queue`` the filters choose."""

    author_id: str | None
    kind: KindFilter | None
    since: datetime | None
    until: datetime | None
    without_consent_only: bool


class ReviewQueuePage(QWidget):
    count_changed = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.count = 0
        self.review_dialog: ReviewDialog | None = None
        self.model = ReviewQueueTableModel()
        self.table = ReviewTableView(
            self.model,
            "Records awaiting review",
            "Press Enter on a record to review it.",
            stretch_column=2,  # summary
            parent=self,
        )

        self.practitioner_combo = QComboBox(self)
        self.practitioner_combo.setAccessibleName("Practitioner")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName("Kind of record")
        for label, _filter in KIND_FILTERS:
            self.kind_combo.addItem(label)
        self.from_edit = self._date_edit("Happened on or after")
        self.to_edit = self._date_edit("Happened on or before")
        self.without_consent_check = QCheckBox("&Without consent only", self)
        self.without_consent_check.setAccessibleName("Without consent only")
        self.clear_button = QPushButton("C&lear filters", self)
        self.clear_button.setAutoDefault(False)
        self.review_button = QPushButton("&Review…", self)
        self.review_button.setAutoDefault(False)
        self.review_button.setToolTip("Open the selected record for review (Enter).")

        self.summary_label = text_label("", self, role="muted")
        self.summary_label.setAccessibleDescription("Queue summary")
        self.alert = AlertLabel(self)

        # Each filter keeps its label beside it; the filters wrap onto more lines when
        # they do not fit (at 200% text), rather than being cut.
        filters = FlowLayout(spacing=12)
        for text, widget in (
            ("&Practitioner", self.practitioner_combo),
            ("&Kind", self.kind_combo),
            ("Happened fr&om", self.from_edit),
            ("&to", self.to_edit),
        ):
            pair = QWidget(self)
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(8)
            caption = QLabel(text, pair)
            caption.setBuddy(widget.edit if isinstance(widget, OptionalDateTimeEdit) else widget)
            row.addWidget(caption)
            row.addWidget(widget)
            filters.addWidget(pair)
        filters.addWidget(self.without_consent_check)
        filters.addWidget(self.clear_button)

        actions = QHBoxLayout()
        actions.addWidget(self.summary_label, 1)
        actions.addWidget(self.review_button)

        layout = page_layout(self)
        layout.addWidget(heading_label("Review queue", self))
        layout.addWidget(
            text_label(
                "Colleagues' records waiting for your review, oldest first. Your own "
                "records never appear here: another supervisor reviews them.",
                self,
                role="muted",
            )
        )
        layout.addLayout(filters)
        layout.addWidget(self.alert)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

        self.practitioner_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.from_edit.changed.connect(self._on_filter_changed)
        self.to_edit.changed.connect(self._on_filter_changed)
        self.without_consent_check.toggled.connect(self._on_filter_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.review_button.clicked.connect(self._on_review_button_clicked)
        self.table.row_entered.connect(self._on_table_row_entered)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        session.store_changed.connect(self._on_session_store_changed)

    def _date_edit(self, name: str) -> OptionalDateTimeEdit:
        edit = OptionalDateTimeEdit(with_time=False, parent=self, now_button=False, empty_text=None)
        edit.set_accessible_name(name)
        edit.edit.setToolTip(f"{name}. Leave it empty for any date.")
        return edit

    # -- state ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def filters(self) -> QueueFilters:
        """The keyword arguments for ``services.reviews.review_queue`` as chosen."""
        since = self.from_edit.value()
        until = self.to_edit.value()
        return {
            "author_id": self.practitioner_combo.currentData(),
            "kind": KIND_FILTERS[max(0, self.kind_combo.currentIndex())][1],
            "since": _local_start(since) if isinstance(since, date) else None,
            "until": _local_start(until + timedelta(days=1)) - timedelta(microseconds=1)
            if isinstance(until, date)
            else None,
            "without_consent_only": self.without_consent_check.isChecked(),
        }

    def refresh_count(self) -> None:
        """Read the number awaiting review (for the navigation entry) and nothing else."""
        if not self.session.store.is_open:
            return
        with contextlib.suppress(UserFacingError):  # the page says why when opened
            self._set_count(reviews.queue_count(self.session.store))

    def refresh(self) -> None:
        """Reload the queue (and the count), keeping the filters and the selection."""
        if not self.session.store.is_open:
            return
        current = self.selected_item()
        store = self.session.store
        with feedback.user_errors(
            self.alert, prefix="The review queue could not be loaded."
        ) as outcome:
            self._fill_practitioners(reviews.queue_authors(store))
            chosen = self.filters()
            summary = reviews.queue_summary(store, **chosen)
            self.model.set_source(
                lambda offset, limit: self._fetch(chosen, offset=offset, limit=limit)
            )
        if outcome.failed:
            return
        self.alert.clear()
        self._set_count(summary.awaiting)
        awaiting = reviews.count_text(summary.awaiting)
        words = f"{awaiting} awaiting review" if summary.awaiting else EMPTY_TEXT
        if summary.awaiting and summary.overdue:
            words += f", {reviews.count_text(summary.overdue)} OVERDUE"
        if summary.shown != summary.awaiting:
            words += f"; {reviews.count_text(summary.shown)} shown with these filters"
        self.summary_label.setText(words + ("." if summary.awaiting else ""))
        row = self.model.row_of(current.record_id) if current is not None else None
        if row is not None:
            self.table.selectRow(row)
        elif self.model.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def _fetch(self, chosen: QueueFilters, *, offset: int, limit: int) -> list[ReviewItem]:
        """One batch of the queue for the table (an error is shown, and ends the list)."""
        with feedback.user_errors(
            self.alert, prefix="The review queue could not be loaded."
        ) as outcome:
            return reviews.review_queue(self.session.store, **chosen, offset=offset, limit=limit)
        assert outcome.failed
        return []

    def _fill_practitioners(self, found: list[tuple[str, str]]) -> None:
        chosen = self.practitioner_combo.currentData()
        authors = list(found)
        if chosen is not None and chosen not in {a for _, a in authors}:
            name = self.practitioner_combo.currentText()
            authors.append((name, chosen))  # keep a chosen filter even when it empties
        self.practitioner_combo.blockSignals(True)
        self.practitioner_combo.clear()
        self.practitioner_combo.addItem("All practitioners", None)
        for name, author_id in authors:
            self.practitioner_combo.addItem(name, author_id)
        self.practitioner_combo.setCurrentIndex(max(self.practitioner_combo.findData(chosen), 0))
        self.practitioner_combo.blockSignals(False)

    def _set_count(self, count: int) -> None:
        self.count = count
        self.count_changed.emit(count)

    def selected_item(self) -> ReviewItem | None:
        row = self.table.selected_row()
        return None if row is None else self.model.row_at(row)

    def _update_buttons(self) -> None:
        self.review_button.setEnabled(self.selected_item() is not None)

    # -- reviewing --------------------------------------------------------------------
    def open_review(self, item: ReviewItem) -> ReviewDialog | None:
        """Open the review screen for ``item`` (window-modal, not blocking)."""
        try:
            detail = reviews.open_for_review(self.session.store, record_id=item.record_id)
        except UserFacingError as error:
            feedback.show_user_error(self, error)
            self.refresh()
            return None
        dialog = ReviewDialog(
            self.session, detail, case_label=f"{item.case_reference} {item.case_name}", parent=self
        )
        dialog.reviewed.connect(self._on_review_dialog_reviewed)
        dialog.finished.connect(self._on_review_dialog_finished)
        self.review_dialog = dialog
        dialog.open()
        return dialog

    # -- slots ------------------------------------------------------------------------
    def _on_filter_changed(self, *_args: object) -> None:
        self.refresh()

    def _on_session_store_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self.refresh_count()

    def _on_clear_button_clicked(self) -> None:
        for widget in (self.practitioner_combo, self.kind_combo):
            widget.blockSignals(True)
        self.practitioner_combo.setCurrentIndex(0)
        self.kind_combo.setCurrentIndex(0)
        self.from_edit.set_value(None)
        self.to_edit.set_value(None)
        for widget in (self.practitioner_combo, self.kind_combo):
            widget.blockSignals(False)
        self.without_consent_check.setChecked(False)
        self.refresh()

    def _on_table_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _on_table_row_entered(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_review(self.model.row_at(index.row()))

    def _on_review_button_clicked(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.open_review(item)

    def _on_review_dialog_reviewed(self, record_id: str, outcome: str) -> None:
        item = next((i for i in self.model.rows() if i.record_id == record_id), None)
        where = f" of {item.case_reference} ({item.summary})" if item else ""
        self.refresh()
        self.summary_label.setText(
            f"Your review{where} was saved: {ReviewOutcome(outcome).label.lower()}. "
            + self.summary_label.text()
        )

    def _on_review_dialog_finished(self, _result: int) -> None:
        dialog, self.review_dialog = self.review_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
