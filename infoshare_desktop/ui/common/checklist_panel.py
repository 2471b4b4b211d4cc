"""The checklist beside a form: the seven criteria and every finding.

Findings carry an icon and words as well as a colour (never colour alone); activating
one (click, or Enter on it) emits ``finding_activated`` with the draft field it concerns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.checklist import Finding, Severity, blocking
from infoshare_desktop.domain.enums import Criterion
from infoshare_desktop.domain.records import CriterionRationale
from infoshare_desktop.domain.text import MEDIUM_TEXT
from infoshare_desktop.ui.common.fields import LineEdit, WrappingLabel, name_input
from infoshare_desktop.ui.common.labels import SectionBox, WordWrapLabel
from infoshare_desktop.ui.common.layout import scroll_past

FIELD_ROLE = Qt.ItemDataRole.UserRole
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_WORDS = {Severity.BLOCKING: "To complete", Severity.ADVISORY: "To consider"}


def count_phrase(findings: Sequence[Finding]) -> str:
    """E.g. "3 items to complete before saving" or "Ready to save"."""
    count = len(blocking(findings))
    if count == 0:
        advisories = len(findings)
        if advisories:
            return f"Ready to save ({advisories} point{'s' * (advisories != 1)} to consider)"
        return "Ready to save"
    return f"{count} item{'s' * (count != 1)} to complete before saving"


class FindingsListWidget(QListWidget):
    """Findings, each with icon, words, colour, message and citation; activates to a field."""

    finding_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Checklist findings")
        self.setAccessibleDescription("Press Enter on a finding to go to its field.")
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSpacing(3)
        self.findings: list[Finding] = []
        self.itemClicked.connect(self._on_item_activated)
        self.itemActivated.connect(self._on_item_activated)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_items()  # the theme changed with the form open

    def _colour_items(self) -> None:
        """Severity colours that keep 4.5:1 on this theme's background."""
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        colours = {
            Severity.BLOCKING: QColor("#ff9c9c" if dark else "#a4161a"),
            Severity.ADVISORY: QColor("#ffd36b" if dark else "#6b4500"),
        }
        for row in range(self.count()):
            item = self.item(row)
            severity = item.data(SEVERITY_ROLE)
            if severity in colours:
                item.setForeground(QBrush(colours[severity]))

    def set_findings(self, findings: Sequence[Finding]) -> None:
        """Show ``findings`` (blocking ones first), keeping the current row where possible."""
        ordered = blocking(findings) + [f for f in findings if f.severity is Severity.ADVISORY]
        if ordered == self.findings and self.count():
            return
        row = self.currentRow()
        self.findings = ordered
        self.clear()
        icons = {
            Severity.BLOCKING: QStyle.StandardPixmap.SP_MessageBoxCritical,
            Severity.ADVISORY: QStyle.StandardPixmap.SP_MessageBoxInformation,
        }
        for finding in ordered:
            words = SEVERITY_WORDS[finding.severity]
            text = f"{words}: {finding.message}\nGuidance: {finding.citation}"
            item = QListWidgetItem(self.style().standardIcon(icons[finding.severity]), text)
            item.setData(FIELD_ROLE, finding.field)
            item.setData(SEVERITY_ROLE, finding.severity)
            item.setToolTip(f"{words}. Press Enter or click to go to the field.")
            self.addItem(item)
        if not ordered:
            item = QListWidgetItem(
                self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                "Nothing left to complete: the checklist is satisfied.",
            )
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addItem(item)
        self._colour_items()
        if ordered and row >= 0:
            self.setCurrentRow(min(row, len(ordered) - 1))

    def item_for(self, rule_id: str) -> QListWidgetItem | None:
        """The first item showing a finding of ``rule_id``."""
        for row, finding in enumerate(self.findings):
            if finding.rule_id == rule_id:
                return self.item(row)
        return None

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        field = item.data(FIELD_ROLE)
        if field:
            self.finding_activated.emit(field)


class FindingsPanel(QWidget):
    """A heading, a one-line summary and the findings list."""

    finding_activated = Signal(str)

    def __init__(self, title: str = "Checklist", parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = WordWrapLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.list = FindingsListWidget(self)
        heading = QLabel(title, self)
        heading.setBuddy(self.list)
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.list.finding_activated.connect(self.finding_activated)

    def set_findings(self, findings: Sequence[Finding]) -> None:
        """Show ``findings`` and their count."""
        self.summary.setText(count_phrase(findings) + ".")
        self._keep_summary_whole()
        self.list.set_findings(findings)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._keep_summary_whole()

    def _keep_summary_whole(self) -> None:
        """The summary keeps the height of all its wrapped lines: in a splitter pane (which
        does not ask for height-for-width) the list would otherwise be laid over its
        second line at large text ("4 items to complete before / saving.")."""
        # (Not heightForWidth: a label's answer never drops below its minimum height.)
        lines = self.summary.fontMetrics().boundingRect(
            QRect(0, 0, max(self.width(), 1), 0), Qt.TextFlag.TextWordWrap, self.summary.text()
        )
        needed = lines.height()
        if needed > 0 and needed != self.summary.minimumHeight():
            self.summary.setMinimumHeight(needed)


class _CriterionBox(QFrame):
    """One criterion: its tick, the guidance's words and its own rationale."""

    def __init__(self, criterion: Criterion, parent: QWidget | None = None):
        super().__init__(parent)
        self.criterion = criterion
        self.check_box = QCheckBox(f"{criterion.label}", self)
        name_input(self.check_box, f"Confirm “{criterion.label}”", criterion.guidance)
        bold = QFont(self.check_box.font())
        bold.setBold(True)
        self.check_box.setFont(bold)
        self.guidance = WrappingLabel(criterion.guidance, None, self)
        self.guidance.setProperty("role", "muted")
        self.rationale = LineEdit(MEDIUM_TEXT, self)
        self.rationale.setPlaceholderText("How this is met, in your own words")
        name_input(self.rationale, f"Rationale for “{criterion.label}”", criterion.guidance)
        words = WrappingLabel(f"Rationale for “{criterion.label}”", None, self)
        words.setBuddy(self.rationale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(2)
        layout.addWidget(self.check_box)
        layout.addWidget(self.guidance)
        layout.addWidget(words)
        layout.addWidget(self.rationale)


class ChecklistPanel(QWidget):
    """The seven criteria (each ticked, with its own rationale) above every finding."""

    criteria_changed = Signal()
    finding_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes: dict[Criterion, _CriterionBox] = {}
        self.criteria_group = SectionBox("12. The seven criteria", self)
        criteria_layout = self.criteria_group.body
        intro = WrappingLabel(
            "Golden rule 6: for information shared, confirm each criterion and say in a few "
            "words how it is met.",
            None,
            self.criteria_group,
        )
        criteria_layout.addWidget(intro)
        for criterion in Criterion:
            box = _CriterionBox(criterion, self.criteria_group)
            box.check_box.toggled.connect(self._on_criterion_edited)
            box.rationale.textChanged.connect(self._on_criterion_edited)
            criteria_layout.addWidget(box)
            self.boxes[criterion] = box
        criteria_layout.addStretch(1)
        self.criteria_scroll = scroll_past(QScrollArea(self))
        self.criteria_scroll.setWidgetResizable(True)
        self.criteria_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.criteria_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.criteria_scroll.setWidget(self.criteria_group)
        self.findings_panel = FindingsPanel("Checklist findings", self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.criteria_scroll)
        self.splitter.addWidget(self.findings_panel)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.findings_panel.finding_activated.connect(self.finding_activated)

    @property
    def findings_list(self) -> FindingsListWidget:
        """The list of findings."""
        return self.findings_panel.list

    def criteria(self) -> dict[Criterion, CriterionRationale]:
        """The seven criteria as ticked and written."""
        return {
            criterion: CriterionRationale(
                confirmed=box.check_box.isChecked(), rationale=box.rationale.text()
            )
            for criterion, box in self.boxes.items()
        }

    def set_criteria(self, criteria: Mapping[Criterion, CriterionRationale]) -> None:
        """Show ``criteria`` (missing ones unticked and blank) without emitting signals."""
        for criterion, box in self.boxes.items():
            entry = criteria.get(criterion) or CriterionRationale()
            box.check_box.blockSignals(True)
            box.check_box.setChecked(entry.confirmed is True)
            box.check_box.blockSignals(False)
            box.rationale.set_value(entry.rationale)

    def set_findings(self, findings: Sequence[Finding]) -> None:
        """Show the findings and their count."""
        self.findings_panel.set_findings(findings)

    def focus_criterion(self, criterion: Criterion) -> None:
        """Scroll to a criterion and focus its tick (or its rationale once ticked)."""
        box = self.boxes[criterion]
        target = box.rationale if box.check_box.isChecked() else box.check_box
        self.criteria_scroll.ensureWidgetVisible(box)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_criterion_edited(self, *_args: object) -> None:
        self.criteria_changed.emit()
