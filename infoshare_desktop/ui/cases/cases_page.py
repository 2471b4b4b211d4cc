"""The "Cases" page: the case list, and one case at a time in its place.

`open_case(case_id)` shows a case; "All cases" goes back to the list (which keeps its
search and scroll position). "New case" is a dialog; once created, the new case opens.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from infoshare_desktop.services.drafts import DraftSummary
from infoshare_desktop.ui.cases.case_list_page import CaseListPage
from infoshare_desktop.ui.cases.case_view import CaseView
from infoshare_desktop.ui.cases.new_case import NewCaseDialog
from infoshare_desktop.ui.common.session import Session


class CasesPage(QStackedWidget):
    case_opened = Signal(str)
    """A case is on screen (its id), or "" when the list is."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.new_case_dialog: NewCaseDialog | None = None
        self.list_page = CaseListPage(session, self)
        self.case_view = CaseView(session, self)
        self.addWidget(self.list_page)
        self.addWidget(self.case_view)
        self.list_page.open_requested.connect(self._on_list_page_open_requested)
        self.list_page.new_case_requested.connect(self._on_list_page_new_case_requested)
        self.case_view.back_requested.connect(self._on_case_view_back_requested)
        self.case_view.records_changed.connect(self._on_case_view_records_changed)

    @property
    def open_case_id(self) -> str | None:
        """The case on screen, if any."""
        if self.currentWidget() is self.case_view and self.case_view.case is not None:
            return self.case_view.case.case_id
        return None

    def show_list(self) -> None:
        self.case_view.close_editor()
        self.list_page.ensure_loaded()
        self.setCurrentWidget(self.list_page)
        self.case_opened.emit("")

    def focus_search(self) -> None:
        self.show_list()
        self.list_page.focus_search()

    def open_case(self, case_id: str) -> bool:
        if not self.case_view.open_case(case_id):
            return False
        self.setCurrentWidget(self.case_view)
        self.case_view.table.setFocus()
        self.case_opened.emit(case_id)
        return True

    def resume_draft(self, draft: DraftSummary) -> None:
        """Open the draft's case and carry on with the draft."""
        if draft.case_id and self.open_case(draft.case_id):
            self.case_view.resume(draft)

    def new_case(self) -> NewCaseDialog:
        """Start the New case dialog (it opens the new or existing case when done)."""
        dialog = NewCaseDialog(self.session, self)
        self.new_case_dialog = dialog
        dialog.finished.connect(self._on_new_case_dialog_finished)
        dialog.open()
        return dialog

    # -- slots ------------------------------------------------------------------------------
    def _on_list_page_open_requested(self, case_id: str) -> None:
        self.open_case(case_id)

    def _on_list_page_new_case_requested(self) -> None:
        self.new_case()

    def _on_case_view_back_requested(self) -> None:
        self.show_list()
        self.list_page.table.setFocus()

    def _on_case_view_records_changed(self) -> None:
        self.list_page.reload()

    def _on_new_case_dialog_finished(self, _result: int) -> None:
        dialog, self.new_case_dialog = self.new_case_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.created_case_id:
            self.list_page.reload()
            self.open_case(dialog.created_case_id)
        elif dialog.existing_case_id:
            self.open_case(dialog.existing_case_id)
