"""New case: a child's minimal identity, checked as it is typed, and a duplicate check.

The case checklist (`domain.check_case`) runs on every edit and its findings show in the
dialog; Create stays disabled while one blocks. When the service finds a case with the
same name and date of birth or the same NHS number (`PossibleDuplicate`), the dialog
lists the matches and asks the user to open the existing case or to confirm that this
is a different child.
Afterwards `created_case_id` or `existing_case_id` says what to open.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.checklist import Finding, Severity
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.domain.timeutil import format_date
from infoshare_desktop.services import cases
from infoshare_desktop.services.cases import CaseSummary, PossibleDuplicate
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.ui.cases.identifier_fields import IdentifierFields
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.checklist_panel import FindingsPanel
from infoshare_desktop.ui.common.fields import OptionalDateTimeEdit
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.session import Session

DOB_FINDING = Finding(
    "CASE_DATE_OF_BIRTH",
    Severity.BLOCKING,
    "Enter the child's date of birth (e.g. 01/01/2016), or tick “Not known”. It is how a "
    "duplicate case is spotted.",
    "date_of_birth",
    "Keeping one record per child",
)


class NewCaseDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.created_case_id: str | None = None
        self.existing_case_id: str | None = None
        self.matches: list[CaseSummary] = []
        self.setWindowTitle("New case")
        self.setMinimumWidth(560)
        # It has no draft: over a lock it is hidden, not closed (see MainWindow.lock).
        self.setProperty("survives_lock", True)

        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Child's name")
        self.dob_edit = OptionalDateTimeEdit(
            with_time=False, parent=self, latest=date.today, now_button=False
        )
        self.dob_edit.set_accessible_name("Date of birth")
        self.dob_unknown_check = QCheckBox("Not known", self)
        self.dob_unknown_check.setAccessibleName("Date of birth not known")
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setAccessibleName("Case reference")
        self.other_edit = QLineEdit(self)
        self.other_edit.setAccessibleName("Other identifiers")
        self.other_edit.setPlaceholderText("Any other identifier (optional)")
        self.identifier = IdentifierFields(self)
        self.restricted_check = QCheckBox("Restricted: only staff named on the case see it", self)
        self.restricted_check.setAccessibleName("Restricted case")
        self.findings_panel = FindingsPanel("Before the case can be created", self)
        self.findings_panel.setMaximumHeight(150)
        self.alert = AlertLabel(self)

        self.duplicate_box = QFrame(self)
        self.duplicate_box.setObjectName("duplicateBox")
        self.duplicate_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicate_text = text_label("", self.duplicate_box)
        self.duplicate_list = QListWidget(self.duplicate_box)
        self.duplicate_list.setAccessibleName(
            "Cases with the same name and date of birth, or the same NHS number"
        )
        self.duplicate_list.setMaximumHeight(80)
        self.open_existing_button = QPushButton("Open the existing case", self.duplicate_box)
        self.create_anyway_button = QPushButton(
            "This is a different child — create", self.duplicate_box
        )
        dup_buttons = QHBoxLayout()
        dup_buttons.addStretch(1)
        dup_buttons.addWidget(self.open_existing_button)
        dup_buttons.addWidget(self.create_anyway_button)
        dup_layout = QVBoxLayout(self.duplicate_box)
        dup_layout.addWidget(self.duplicate_text)
        dup_layout.addWidget(self.duplicate_list)
        dup_layout.addLayout(dup_buttons)
        self.duplicate_box.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.addButton(
            "Create case", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.open_existing_button.clicked.connect(self._on_open_existing_button_clicked)
        self.create_anyway_button.clicked.connect(self._on_create_anyway_button_clicked)
        for edit in (self.name_edit, self.reference_edit, self.other_edit):
            edit.textChanged.connect(self._on_input_changed)
        self.dob_edit.changed.connect(self._on_input_changed)
        self.identifier.changed.connect(self._on_input_changed)
        self.dob_unknown_check.toggled.connect(self._on_dob_unknown_check_toggled)
        self.findings_panel.finding_activated.connect(self._on_findings_panel_activated)

        dob_row = QVBoxLayout()  # the field and its reading get the width; "Not known" under
        dob_row.setSpacing(4)
        dob_row.addWidget(self.dob_edit)
        dob_row.addWidget(self.dob_unknown_check)
        form = form_layout()
        form.addRow("Child's &name", self.name_edit)
        dob_label = QLabel("&Date of birth", self)
        dob_label.setBuddy(self.dob_edit.edit)
        form.addRow(dob_label, dob_row)
        form.addRow("Case &reference", self.reference_edit)
        self.identifier.add_rows(form)
        form.addRow("&Other identifiers", self.other_edit)
        form.addRow("", self.restricted_check)
        layout = page_layout(self)
        layout.addWidget(heading_label("New case", self))
        layout.addWidget(
            text_label(
                "Keep identity minimal: the name staff know the child by, the date of "
                "birth, your organisation's case reference and the NHS number (the "
                "consistent identifier), or why it is not included.",
                self,
                role="muted",
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.findings_panel)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.alert)
        layout.addWidget(self.buttons)
        self._evaluate()

    def draft(self) -> CaseDraft:
        return CaseDraft(
            display_name=self.name_edit.text(),
            date_of_birth=self._date_of_birth(),
            case_reference=self.reference_edit.text(),
            other_identifiers=self.other_edit.text(),
            restricted=self.restricted_check.isChecked(),
            nhs_number=self.identifier.nhs_number,
            identifier_reason=self.identifier.reason,
            identifier_reason_text=self.identifier.reason_text,
        )

    def findings(self) -> list[Finding]:
        found = checklist.check_case(self.draft())
        if not self.dob_unknown_check.isChecked() and self._date_of_birth() is None:
            found.append(DOB_FINDING)
        return found

    def create(  # type: ignore[override]  # not QWidget.create(): that is never called here
        self, *, confirmed_not_duplicate: bool = False
    ) -> str | None:
        """Create the case; None when refused or a possible duplicate needs an answer."""
        if checklist.blocking(self._evaluate()):
            return None
        self.alert.clear()
        try:
            case_id = cases.create_case(
                self.session.store,
                draft=self.draft(),
                confirmed_not_duplicate=confirmed_not_duplicate,
            )
        except PossibleDuplicate as duplicate:
            self._show_duplicates(duplicate.matches)
            return None
        except UserFacingError as error:
            feedback.show_user_error(self.alert, error, prefix="Not created.")
            return None
        self.created_case_id = case_id
        self.accept()
        return case_id

    def _date_of_birth(self) -> date | None:
        if self.dob_unknown_check.isChecked():
            return None
        value = self.dob_edit.value()
        return value if isinstance(value, date) else None

    def _evaluate(self) -> list[Finding]:
        found = self.findings()
        self.findings_panel.set_findings(found)
        self.findings_panel.setVisible(bool(found))
        blocking = checklist.blocking(found)
        self.create_button.setEnabled(not blocking)
        tip = "Fill in what the list above asks for first." if blocking else "Create the case"
        self.create_button.setToolTip(tip)
        self.create_button.setAccessibleDescription(tip)
        # Each field is described by what it still needs, so a screen reader hears it there.
        for field, widget in self._field_widgets().items():
            problems = [finding.message for finding in blocking if finding.field == field]
            widget.setAccessibleDescription(" ".join(problems))
        return found

    def _field_widgets(self) -> dict[str, QWidget]:
        return {
            "display_name": self.name_edit,
            "date_of_birth": self.dob_edit.edit,
            "case_reference": self.reference_edit,
            **self.identifier.field_widgets(),
        }

    def _show_duplicates(self, matches: list[CaseSummary]) -> None:
        self.matches = matches
        self.duplicate_text.setText(
            "A case with the same name and date of birth, or the same NHS number, already "
            "exists. Keep one record "
            "per child: open the existing case, or confirm that this is a different child."
        )
        self.duplicate_list.clear()
        for match in matches:
            dob = format_date(match.date_of_birth) if match.date_of_birth else "not known"
            item = QListWidgetItem(
                f"{match.case_reference} — {match.display_name}, born {dob}"
                + (" (restricted)" if match.restricted else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, match.case_id)
            self.duplicate_list.addItem(item)
        self.duplicate_list.setCurrentRow(0)
        self.duplicate_box.show()
        self.create_button.setEnabled(False)
        self.open_existing_button.setDefault(True)
        self.open_existing_button.setFocus()

    # -- slots ------------------------------------------------------------------------------
    def _on_input_changed(self, *_args: object) -> None:
        if self.duplicate_box.isVisible():
            self.duplicate_box.hide()
            self.matches = []
        self._evaluate()

    def _on_dob_unknown_check_toggled(self, checked: bool) -> None:
        self.dob_edit.setEnabled(not checked)
        self._on_input_changed()

    def _on_findings_panel_activated(self, field: str) -> None:
        target = self._field_widgets().get(field, self.name_edit)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_buttons_accepted(self) -> None:
        self.create()

    def _on_open_existing_button_clicked(self) -> None:
        item = self.duplicate_list.currentItem()
        if item is not None:
            self.existing_case_id = item.data(Qt.ItemDataRole.UserRole)
            self.accept()

    def _on_create_anyway_button_clicked(self) -> None:
        self.create(confirmed_not_duplicate=True)
