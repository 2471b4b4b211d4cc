"""The consistent identifier's fields (the New case dialog and Change identifier): the
NHS number, or the reason it is not included and, for "another reason", the words.

The number may be typed with spaces; once it is valid it is shown 3-3-4. The reason's
details are asked for only once a reason is chosen. ``changed`` fires on every edit so
the dialog can run the checklist (`domain.checklist.check_identifier`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from infoshare_desktop.domain.identifier import (
    IdentifierReason,
    format_nhs_number,
    nhs_number_digits,
)

NO_REASON = "None: the NHS number is given"


class IdentifierFields(QObject):
    changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.nhs_edit = QLineEdit(parent)
        self.nhs_edit.setAccessibleName("NHS number")
        self.nhs_edit.setPlaceholderText("10 digits; spaces are fine")
        self.nhs_edit.setMaxLength(20)
        self.reason_combo = QComboBox(parent)
        self.reason_combo.setAccessibleName("Reason the NHS number is not included")
        self.reason_combo.addItem(NO_REASON, "")
        for reason, label in IdentifierReason.choices():
            self.reason_combo.addItem(label, reason.value)  # Qt keeps the plain text
        self.reason_edit = QLineEdit(parent)
        self.reason_edit.setAccessibleName("Details of the reason")
        self.reason_edit.setPlaceholderText("Say why (needed for another reason)")
        self.reason_edit.setEnabled(False)
        self.nhs_edit.textChanged.connect(self._on_any_changed)
        self.nhs_edit.editingFinished.connect(self._on_nhs_edit_editing_finished)
        self.reason_combo.currentIndexChanged.connect(self._on_reason_combo_changed)
        self.reason_edit.textChanged.connect(self._on_any_changed)

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("N&HS number", self.nhs_edit)
        reason_label = QLabel("If not &included, why", self.nhs_edit.parentWidget())
        reason_label.setBuddy(self.reason_combo)
        form.addRow(reason_label, self.reason_combo)
        details_label = QLabel("Reason det&ails", self.nhs_edit.parentWidget())
        details_label.setBuddy(self.reason_edit)
        form.addRow(details_label, self.reason_edit)

    # -- values --------------------------------------------------------------------------------
    @property
    def nhs_number(self) -> str:
        return self.nhs_edit.text()

    @property
    def reason(self) -> IdentifierReason | None:
        value = self.reason_combo.currentData()
        return IdentifierReason(value) if value else None

    @property
    def reason_text(self) -> str:
        return self.reason_edit.text() if self.reason is not None else ""

    def set_values(
        self, nhs_number: str | None, reason: IdentifierReason | None, reason_text: str
    ) -> None:
        self.nhs_edit.setText(format_nhs_number(nhs_number or ""))
        self.reason_combo.setCurrentIndex(self.index_of(reason))
        self.reason_edit.setText(reason_text)

    def index_of(self, reason: IdentifierReason | None) -> int:
        """The combo box row of ``reason`` (0, "none", for None)."""
        return max(self.reason_combo.findData(reason.value if reason else ""), 0)

    def field_widgets(self) -> dict[str, QWidget]:
        """The widget of each field a finding can name."""
        return {
            "nhs_number": self.nhs_edit,
            "identifier_reason": self.reason_combo,
            "identifier_reason_text": self.reason_edit,
        }

    # -- slots ---------------------------------------------------------------------------------
    def _on_any_changed(self, *_args: object) -> None:
        self.changed.emit()

    def _on_nhs_edit_editing_finished(self) -> None:
        if nhs_number_digits(self.nhs_edit.text()):
            shown = format_nhs_number(self.nhs_edit.text())
            if shown != self.nhs_edit.text():
                self.nhs_edit.setText(shown)

    def _on_reason_combo_changed(self, _index: int) -> None:
        self.reason_edit.setEnabled(self.reason is not None)
        self.changed.emit()
