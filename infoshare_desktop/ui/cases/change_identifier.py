"""Change the case's consistent identifier: its NHS number, or why it is not included.

A change is an amendment of the case: the dialog says so, lists the identifiers the case
has had with who recorded each and when, and Save stays disabled until the checklist
(`domain.checklist.check_identifier`) is satisfied. ``changed`` carries the new
identifier once it is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QWidget

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.checklist import Finding
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services import identifiers
from infoshare_desktop.services.cases import CaseSummary
from infoshare_desktop.services.identifiers import CaseIdentifier
from infoshare_desktop.ui.cases.identifier_fields import IdentifierFields
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.checklist_panel import FindingsPanel
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.session import Session

NOTHING_EARLIER = "None recorded before."


def history_line(entry: CaseIdentifier) -> str:
    return f"{entry.text()} — recorded by {entry.recorded_by}, {format_local(entry.recorded_at)}"


class ChangeIdentifierDialog(QDialog):
    changed = Signal(object)  # CaseIdentifier

    def __init__(self, session: Session, case: CaseSummary, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.case = case
        self.saved: CaseIdentifier | None = None
        self.setWindowTitle("Change the NHS number")
        self.setMinimumWidth(560)
        self.setProperty("survives_lock", True)  # no draft: hidden over a lock, not closed

        self.identifier = IdentifierFields(self)
        now = case.identifier
        if now is not None:
            self.identifier.set_values(now.nhs_number, now.reason, now.reason_text)
        self.findings_panel = FindingsPanel("Before the change can be saved", self)
        self.findings_panel.setMaximumHeight(130)
        self.alert = AlertLabel(self)
        self.history_list = QListWidget(self)
        self.history_list.setAccessibleName("Identifiers recorded for this case, newest first")
        self.history_list.setMaximumHeight(110)
        self.history_list.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.addButton(
            "Save the change", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.identifier.changed.connect(self._on_identifier_changed)
        self.findings_panel.finding_activated.connect(self._on_findings_panel_activated)

        form = form_layout()
        self.identifier.add_rows(form)
        layout = page_layout(self)
        layout.addWidget(heading_label("Change the NHS number", self))
        layout.addWidget(
            text_label(
                f"{case.display_name} ({case.case_reference}). The change is kept as an "
                "amendment of the case, with your name and the time; the earlier "
                "identifier stays in the list below.",
                self,
                role="muted",
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.findings_panel)
        layout.addWidget(text_label("Recorded so far", self, role="subheading"))
        layout.addWidget(self.history_list)
        layout.addWidget(self.alert)
        layout.addWidget(self.buttons)
        self._load_history()
        self._evaluate()

    def findings(self) -> list[Finding]:
        draft = CaseDraft(
            nhs_number=self.identifier.nhs_number,
            identifier_reason=self.identifier.reason,
            identifier_reason_text=self.identifier.reason_text,
        )
        return checklist.check_identifier(draft, required=True)

    def save(self) -> CaseIdentifier | None:
        if checklist.blocking(self._evaluate()):
            return None
        with feedback.user_errors(self.alert, prefix="Not changed.") as outcome:
            saved = identifiers.change_identifier(
                self.session.store,
                case_id=self.case.case_id,
                nhs_number=self.identifier.nhs_number,
                reason=self.identifier.reason,
                reason_text=self.identifier.reason_text,
            )
        if outcome.failed:
            return None
        self.saved = saved
        self.changed.emit(saved)
        self.accept()
        return saved

    def _load_history(self) -> None:
        with feedback.user_errors(self.alert) as outcome:
            history = identifiers.identifier_history(self.session.store, case_id=self.case.case_id)
        if outcome.failed:
            return
        self.history_list.clear()
        for entry in history:
            self.history_list.addItem(history_line(entry))
        if not history:
            self.history_list.addItem(NOTHING_EARLIER)

    def _evaluate(self) -> list[Finding]:
        found = self.findings()
        self.findings_panel.set_findings(found)
        self.findings_panel.setVisible(bool(found))
        blocking = checklist.blocking(found)
        self.save_button.setEnabled(not blocking)
        tip = "Fill in what the list above asks for first." if blocking else "Save the change"
        self.save_button.setToolTip(tip)
        self.save_button.setAccessibleDescription(tip)
        for field, widget in self.identifier.field_widgets().items():
            widget.setAccessibleDescription(
                " ".join(f.message for f in blocking if f.field == field)
            )
        return found

    # -- slots ---------------------------------------------------------------------------------
    def _on_identifier_changed(self) -> None:
        self.alert.clear()
        self._evaluate()

    def _on_findings_panel_activated(self, field: str) -> None:
        widget = self.identifier.field_widgets().get(field, self.identifier.nhs_edit)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_buttons_accepted(self) -> None:
        self.save()
