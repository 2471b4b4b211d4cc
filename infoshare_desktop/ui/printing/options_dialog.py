"""What to print: the period, the sections, redaction, a password and signature blocks.

``SummaryOptionsDialog`` only collects choices. Its three buttons (Preview, Print…,
Save as PDF…) check the choices first and say inline what is wrong; when they are fine
the dialog emits ``preview_requested``, ``print_requested`` or ``save_requested`` and
stays open, so the team lead can preview and then print or save.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.timeutil import to_local, utcnow
from infoshare_desktop.services import printing
from infoshare_desktop.services.printing import (
    OutputUse,
    Section,
    Signatory,
    SignatureBlock,
    SummaryOptions,
)
from infoshare_desktop.ui.common.fields import OptionalDateTimeEdit
from infoshare_desktop.ui.common.labels import (
    MIN_TEXT_WIDTH,
    AlertLabel,
    HintLabel,
    heading_label,
    text_label,
)
from infoshare_desktop.ui.common.layout import SPACING, form_layout, page_layout, scroll_past
from infoshare_desktop.ui.common.password_fields import password_edit

PASSWORD_GUIDANCE = (
    "At least 8 characters. Anyone opening the PDF needs it: give it to the recipient "
    "separately, never with the file."
)
MISMATCH = "The two passwords are not the same."
SIGNATURE_GUIDANCE = "Name and role are optional: left blank, they are filled in by hand."


class OptionalDateEdit(QWidget):
    """A check box that turns a date on, and the date, typed or from a calendar (off: no
    limit). The date field is the forms' own (``OptionalDateTimeEdit``): typed day first,
    shown back unambiguously, and never a Tab trap."""

    def __init__(self, label: str, initial: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label, self)
        self.check.setAccessibleName(f"Limit the period: {label.lower()}")
        self.edit = OptionalDateTimeEdit(with_time=False, parent=self, now_button=False)
        self.edit.set_accessible_name(f"{label} date")
        self.edit.set_value(initial)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.edit, 1)

    def value(self) -> date | None:
        value = self.edit.value()
        return value if self.check.isChecked() and isinstance(value, date) else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.set_value(value)


class SignatureRow(QWidget):
    """One signature block: whether to print it, and an optional name and role."""

    def __init__(self, signatory: Signatory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signatory = signatory
        self.check = QCheckBox(signatory.label, self)
        self.check.setAccessibleName(f"{signatory.label} signature block")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Name")
        self.name.setAccessibleName(f"{signatory.label}: name")
        self.name.setMaxLength(printing.SIGNATURE_TEXT)
        self.role = QLineEdit(self)
        self.role.setPlaceholderText("Role")
        self.role.setAccessibleName(f"{signatory.label}: role")
        self.role.setMaxLength(printing.SIGNATURE_TEXT)
        for edit in (self.name, self.role):
            edit.setEnabled(False)
            self.check.toggled.connect(edit.setEnabled)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(SPACING)
        layout.addWidget(self.check, 0, 0, 1, 2)
        layout.addWidget(self.name, 1, 0)
        layout.addWidget(self.role, 1, 1)

    def block(self) -> SignatureBlock | None:
        if not self.check.isChecked():
            return None
        return SignatureBlock(self.signatory, self.name.text(), self.role.text())


class SummaryOptionsDialog(QDialog):
    """The print options of one case's summary (see the module notes)."""

    preview_requested = Signal()
    print_requested = Signal()
    save_requested = Signal()

    PREFERRED_WIDTH = 920  #: the choices' width when the screen allows it

    def __init__(self, case_label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print case summary")
        self.setObjectName("SummaryOptionsDialog")
        today = to_local(utcnow()).date()

        layout = page_layout(self)
        layout.addWidget(heading_label("Print a case summary", self))
        intro = (
            "A summary leaves the encrypted store: print only what the reader needs. "
            "Printing, saving and previewing are recorded in the audit log."
        )
        if case_label:
            intro = f"Case: {case_label}. {intro}"
        layout.addWidget(text_label(intro, self, role="muted"))

        # The choices scroll (never squeeze) when the screen is too small for them.
        self.content = QWidget(self)
        columns = QHBoxLayout(self.content)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(SPACING * 2)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.scroll_area = scroll_past(QScrollArea(self))
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.content)
        layout.addWidget(self.scroll_area, 1)

        # Period
        period = QGroupBox("Period covered", self)
        period_form = form_layout()
        period.setLayout(period_form)
        self.date_from = OptionalDateEdit("From", today.replace(day=1), period)
        self.date_to = OptionalDateEdit("To", today, period)
        width = max(row.check.sizeHint().width() for row in (self.date_from, self.date_to))
        for row in (self.date_from, self.date_to):  # the two dates line up
            row.check.setMinimumWidth(width)
        period_form.addRow(self.date_from)
        period_form.addRow(self.date_to)
        period.setToolTip("Leave both unticked to print every record.")
        period.setAccessibleDescription("Leave both unticked to print every record.")
        left.addWidget(period)

        # Sections
        sections = QGroupBox("Sections", self)
        sections_layout = QVBoxLayout(sections)
        self.section_boxes: dict[Section, QCheckBox] = {}
        for section in Section:
            box = QCheckBox(section.label, sections)
            box.setChecked(True)
            box.setAccessibleName(f"Section: {section.label}")
            sections_layout.addWidget(box)
            self.section_boxes[section] = box
        left.addWidget(sections)

        # Redaction and identifiers
        privacy = QGroupBox("Redaction", self)
        privacy_layout = QVBoxLayout(privacy)
        self.redact = QCheckBox("Redact sensitive details (recommended)", privacy)
        self.redact.setChecked(True)
        self.redact.setAccessibleDescription(printing.REDACTION_HELP)
        privacy_layout.addWidget(self.redact)
        self.redaction_help = text_label(printing.REDACTION_HELP, privacy, role="muted")
        self.redaction_help.setMinimumWidth(MIN_TEXT_WIDTH)
        privacy_layout.addWidget(self.redaction_help)
        self.other_identifiers = QCheckBox("Include the case's other identifiers", privacy)
        privacy_layout.addWidget(self.other_identifiers)
        left.addWidget(privacy)
        left.addStretch(1)

        # Password
        self.protect = QGroupBox("Protect the PDF with a password", self)
        self.protect.setCheckable(True)
        self.protect.setChecked(False)
        protect_form: QFormLayout = form_layout()
        self.protect.setLayout(protect_form)
        self.password = password_edit("PDF password", self.protect)
        self.confirm = password_edit("Confirm the PDF password", self.protect)
        self.password_hint = HintLabel(self.protect)
        self.password_hint.set_hint(HintLabel.INFO, PASSWORD_GUIDANCE)
        self.match_hint = HintLabel(self.protect)
        self.match_hint.hide()
        protect_form.addRow("Password", self.password)
        protect_form.addRow("Confirm", self.confirm)
        protect_form.addRow("", self.match_hint)
        protect_form.addRow("", self.password_hint)
        self.password.textChanged.connect(self._on_password_text_changed)
        self.confirm.textChanged.connect(self._on_password_text_changed)
        right.addWidget(self.protect)

        # Signatures
        signatures = QGroupBox("Signature blocks", self)
        signatures_layout = QVBoxLayout(signatures)
        self.signature_rows = [SignatureRow(s, signatures) for s in Signatory]
        for signature_row in self.signature_rows:
            signatures_layout.addWidget(signature_row)
        signatures_layout.addWidget(text_label(SIGNATURE_GUIDANCE, signatures, role="muted"))
        right.addWidget(signatures)
        right.addStretch(1)

        self.alert = AlertLabel(self)
        layout.addWidget(self.alert)

        self.buttons = QDialogButtonBox(self)
        self.preview_button = QPushButton("Pre&view", self)
        self.print_button = QPushButton("&Print…", self)
        self.save_button = QPushButton("&Save as PDF…", self)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.preview_button, self.print_button, self.save_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setAutoDefault(False)
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:
        self.fit_to_screen()
        super().showEvent(event)

    def fit_to_screen(self) -> None:
        """As big as the choices need, within the screen; beyond that they scroll."""
        room = self.screen().availableGeometry().size() - QSize(40, 60)
        # Wide rather than tall: wrapped text takes fewer lines on a laptop screen.
        self.content.setMinimumWidth(min(self.PREFERRED_WIDTH, room.width() - 60))
        content = self.content.sizeHint().expandedTo(self.content.minimumSize())
        content.setHeight(self.content.heightForWidth(content.width()) or content.height())
        self.content.setMinimumHeight(content.height())
        self.scroll_area.setMinimumWidth(
            content.width() + self.scroll_area.verticalScrollBar().sizeHint().width()
        )
        layout = self.layout()
        assert layout is not None  # set in __init__
        layout.invalidate()
        layout.activate()
        chrome = layout.sizeHint().height() - self.scroll_area.sizeHint().height()
        margins = layout.contentsMargins()
        width = self.scroll_area.minimumWidth() + margins.left() + margins.right()
        wanted = QSize(max(layout.sizeHint().width(), width), chrome + content.height())
        self.resize(wanted.boundedTo(room).expandedTo(self.minimumSizeHint()))

    # -- values ---------------------------------------------------------------------------

    def options(self, use: OutputUse = OutputUse.PREVIEW) -> SummaryOptions:
        """The options as chosen (check them with :meth:`problem` first)."""
        blocks = tuple(b for b in (row.block() for row in self.signature_rows) if b)
        return SummaryOptions(
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
            sections=frozenset(s for s, box in self.section_boxes.items() if box.isChecked()),
            redact=self.redact.isChecked(),
            password=self.password.text() if self.protect.isChecked() else None,
            signatures=blocks,
            include_other_identifiers=self.other_identifiers.isChecked(),
            use=use,
        )

    def problem(self) -> str | None:
        """What stops these options being used, or None."""
        if self.protect.isChecked():
            if not self.password.text():
                return "Type a password to protect the PDF, or untick password protection."
            if self.confirm.text() != self.password.text():
                return MISMATCH
        return self.options().problem()

    def check(self) -> bool:
        """Show what is wrong (inline) and return False, or clear it and return True."""
        problem = self.problem()
        if problem is None:
            self.alert.clear()
            return True
        self.alert.show_message(problem)
        if self.protect.isChecked() and problem == MISMATCH:
            self.confirm.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.protect.isChecked() and "password" in problem.lower():
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)
        return False

    def set_busy(self, busy: bool) -> None:
        """Disable the three actions while a summary is being built."""
        for button in (self.preview_button, self.print_button, self.save_button):
            button.setEnabled(not busy)

    # -- slots ------------------------------------------------------------------------------

    def _on_password_text_changed(self, _text: str) -> None:
        confirm = self.confirm.text()
        self.match_hint.setVisible(bool(confirm))
        if confirm and confirm != self.password.text():
            self.match_hint.set_hint(HintLabel.PROBLEM, MISMATCH)
        elif confirm:
            self.match_hint.set_hint(HintLabel.GOOD, "The two passwords match.")

    def _on_preview_button_clicked(self) -> None:
        if self.check():
            self.preview_requested.emit()

    def _on_print_button_clicked(self) -> None:
        if self.check():
            self.print_requested.emit()

    def _on_save_button_clicked(self) -> None:
        if self.check():
            self.save_requested.emit()
