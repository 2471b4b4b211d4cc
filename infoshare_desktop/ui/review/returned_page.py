"""Returned to me: the signed-in author's records a supervisor returned for more detail.

Each shows the supervisor's comment, who returned it and when. "Answer with an
amendment" opens the ``AmendmentDialog`` for that record (its reason set to "response to
review"); once the amendment is saved the record goes back to the review queue and
leaves this list. ``count_changed`` carries the number for the navigation entry.

Nothing is read before the page is first shown (``refresh_count`` reads the number
alone, counted in the store); the table reads a screenful at a time as the user scrolls.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from infoshare_desktop.domain.enums import AmendmentReason, RecordKind
from infoshare_desktop.domain.records import AmendmentDraft
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services import drafts, reviews
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.reviews import ReviewItem
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.records.amendment_dialog import AmendmentDialog
from infoshare_desktop.ui.review.models import ReturnedTableModel
from infoshare_desktop.ui.review.tables import ReviewTableView

EMPTY_TEXT = "Nothing has been returned to you."
NO_SELECTION = "Select a record to see the supervisor's comment."


class ReturnedToMePage(QWidget):
    count_changed = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.count = 0
        self.amendment_dialog: AmendmentDialog | None = None
        self.model = ReturnedTableModel()
        self.table = ReviewTableView(
            self.model,
            "Records returned to me",
            "Press Enter on a record to answer it with an amendment.",
            stretch_column=5,  # the comment
            parent=self,
        )
        self.summary_label = text_label("", self, role="muted")
        self.summary_label.setAccessibleDescription("Returned records summary")
        self.alert = AlertLabel(self)

        comment_box = QGroupBox("The supervisor's comment", self)
        self.from_label = text_label("", comment_box, role="muted")
        self.comment_label = text_label(NO_SELECTION, comment_box)
        self.comment_label.setAccessibleDescription("Supervisor's comment")
        self.comment_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.answer_button = QPushButton("Ans&wer with an amendment…", comment_box)
        self.answer_button.setAutoDefault(False)
        self.answer_button.setToolTip(
            "Add the detail asked for. The record then goes back to the review queue."
        )
        comment_layout = QVBoxLayout(comment_box)
        comment_layout.addWidget(self.from_label)
        comment_layout.addWidget(self.comment_label)
        answer_row = QHBoxLayout()
        answer_row.addStretch(1)
        answer_row.addWidget(self.answer_button)
        comment_layout.addLayout(answer_row)

        layout = page_layout(self)
        layout.addWidget(heading_label("Returned to me", self))
        layout.addWidget(
            text_label(
                "Your records a supervisor returned for more detail. Answer each with an "
                "amendment: the saved record is never changed, and your answer goes back "
                "to the supervisor for review.",
                self,
                role="muted",
            )
        )
        layout.addWidget(self.alert)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(comment_box)

        self.table.row_entered.connect(self._on_table_row_entered)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.answer_button.clicked.connect(self._on_answer_button_clicked)
        session.store_changed.connect(self._on_session_store_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh_count(self) -> None:
        """Read the number returned (for the navigation entry) and nothing else."""
        if not self.session.store.is_open:
            return
        with contextlib.suppress(UserFacingError):  # the page says why when opened
            self._set_count(reviews.returned_count(self.session.store))

    def _set_count(self, count: int) -> None:
        self.count = count
        self.count_changed.emit(count)

    def refresh(self) -> None:
        """Reload the returned records (longest returned first), keeping the selection."""
        if not self.session.store.is_open:
            return
        current = self.selected_item()
        with feedback.user_errors(
            self.alert, prefix="The returned records could not be loaded."
        ) as outcome:
            count = reviews.returned_count(self.session.store)
            self.model.set_source(self._fetch)
        if outcome.failed:
            return
        self.alert.clear()
        self._set_count(count)
        self.summary_label.setText(
            f"{reviews.count_text(count)} record{'s' * (count != 1)} to answer."
            if count
            else EMPTY_TEXT
        )
        row = self.model.row_of(current.record_id) if current is not None else None
        if row is not None:
            self.table.selectRow(row)
        elif self.model.rowCount():
            self.table.selectRow(0)
        self._show_selected()

    def _fetch(self, offset: int, limit: int) -> list[ReviewItem]:
        """One batch for the table (an error is shown, and ends the list)."""
        with feedback.user_errors(
            self.alert, prefix="The returned records could not be loaded."
        ) as outcome:
            return reviews.returned_to_me(self.session.store, offset=offset, limit=limit)
        assert outcome.failed
        return []

    def selected_item(self) -> ReviewItem | None:
        row = self.table.selected_row()
        return None if row is None else self.model.row_at(row)

    def _show_selected(self) -> None:
        item = self.selected_item()
        self.answer_button.setEnabled(item is not None)
        if item is None:
            self.from_label.clear()
            self.comment_label.setText(NO_SELECTION)
            return
        when = format_local(item.last_reviewed_at) if item.last_reviewed_at else "unknown time"
        self.from_label.setText(
            f"Returned by {item.last_reviewer or 'a supervisor'} on {when}, about "
            f"{item.case_reference} {item.case_name}: {item.summary}"
        )
        self.comment_label.setText(item.last_comment or "No comment was written.")

    def answer(self, item: ReviewItem) -> AmendmentDialog | None:
        """Open the amendment dialog for ``item`` (window-modal, not blocking); an answer
        already begun (a draft amendment of that record) is resumed, not started again."""
        try:
            existing = drafts.find_draft(
                self.session.store,
                case_id=item.case_id,
                kind=RecordKind.AMENDMENT.value,
                target_id=item.record_id,
            )
            dialog = AmendmentDialog(
                self.session.store,
                item.record_id,
                existing.draft_id if existing else None,
                parent=self,
            )
        except UserFacingError as error:
            feedback.show_user_error(self, error)
            self.refresh()
            return None
        editor = dialog.editor
        if existing is None:
            editor.set_draft(
                AmendmentDraft(
                    target_id=item.record_id,
                    reason=AmendmentReason.RESPONSE_TO_REVIEW,
                    target_was_shared=editor.target_was_shared,
                )
            )
        editor.evaluate()
        dialog.saved.connect(self._on_amendment_dialog_saved)
        dialog.finished.connect(self._on_amendment_dialog_finished)
        self.amendment_dialog = dialog
        dialog.open()
        return dialog

    # -- slots ------------------------------------------------------------------------
    def _on_session_store_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self.refresh_count()

    def _on_table_selection_changed(self, *_args: object) -> None:
        self._show_selected()

    def _on_table_row_entered(self, index: QModelIndex) -> None:
        if index.isValid():
            self.answer(self.model.row_at(index.row()))

    def _on_answer_button_clicked(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.answer(item)

    def _on_amendment_dialog_saved(self, _record_id: str) -> None:
        self.refresh()
        self.summary_label.setText(
            "Your amendment was saved and the record is back in the review queue. "
            + self.summary_label.text()
        )

    def _on_amendment_dialog_finished(self, _result: int) -> None:
        dialog, self.amendment_dialog = self.amendment_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
