"""My drafts: the signed-in user's unfinished records, newest first; Resume or Discard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services import drafts
from infoshare_desktop.services.drafts import DraftSummary
from infoshare_desktop.ui.cases.case_view import draft_kind_words
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import heading_label, text_label
from infoshare_desktop.ui.common.layout import page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.common.tables import make_list_table


class DraftsPage(QWidget):
    resume_requested = Signal(object)
    """A DraftSummary the user wants to carry on with."""

    COLUMNS = ("Kind", "Case", "What it says so far", "Last kept")

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.drafts: list[DraftSummary] = []
        self.status_label = text_label("", self, role="muted")
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("draftsTable")
        make_list_table(self.table, "My drafts")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.resume_button = QPushButton("Resume", self)
        self.resume_button.setToolTip("Open the draft in its editor, on its case")
        self.discard_button = QPushButton("Discard…", self)
        self.discard_button.setToolTip("Throw the selected draft away")
        for button in (self.resume_button, self.discard_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        layout = page_layout(self)
        layout.addWidget(heading_label("My drafts", self))
        layout.addWidget(
            text_label(
                "Records you started and have not saved yet. Only you can see them. They "
                "are kept as you type, and when the screen locks.",
                self,
            )
        )
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(self._on_resume_button_clicked)
        session.store_changed.connect(self.reload)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        with feedback.user_errors(self) as outcome:
            self.drafts = drafts.list_drafts(self.session.store)
        if outcome.failed:
            return
        self.table.setRowCount(len(self.drafts))
        for row, draft in enumerate(self.drafts):
            case = f"{draft.case_name} ({draft.case_reference})" if draft.case_id else "No case"
            for column, text in enumerate(
                (
                    draft_kind_words(draft.kind).capitalize(),
                    case,
                    draft.snippet,
                    format_local(draft.updated_at),
                )
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, draft.draft_id)
                self.table.setItem(row, column, item)
        for column in (0, 1, 3):
            self.table.resizeColumnToContents(column)
        n = len(self.drafts)
        self.status_label.setText(
            "You have no unfinished drafts."
            if n == 0
            else f"{n} unfinished draft{'s' if n != 1 else ''}, the latest first."
        )
        if n:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_draft(self) -> DraftSummary | None:
        row = self.table.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def _update_buttons(self) -> None:
        has = self.selected_draft() is not None
        self.resume_button.setEnabled(has)
        self.discard_button.setEnabled(has)

    def _on_resume_button_clicked(self, *_args: object) -> None:
        draft = self.selected_draft()
        if draft is not None:
            self.resume_requested.emit(draft)

    def _on_discard_button_clicked(self) -> None:
        draft = self.selected_draft()
        if draft is None:
            return
        case = f" on {draft.case_name}'s case" if draft.case_name else ""
        if not feedback.confirm(
            self,
            "Discard the draft",
            f"Discard your unfinished {draft_kind_words(draft.kind)}{case}? What you typed "
            "in it will be lost.",
            "Discard",
        ):
            return
        with feedback.user_errors(self):
            drafts.discard_draft(self.session.store, draft_id=draft.draft_id)
        self.reload()
