"""The consent decision form: who was asked, the outcome, its scope, limits and dates.

A withdrawal or refusal is a new consent decision that says which consents it ends: the
form offers the consents of the person asked that stand at the time given (judged by
``domain.consent``, as everywhere else). A renewal or a narrower consent may say which
earlier consent it replaces. The checklist refuses a withdrawal that ends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.consent import (
    ConsentRecord,
    consent_standing,
    describe_consent,
    endable_consents,
    find_consent,
)
from infoshare_desktop.domain.enums import ConsentFrom, ConsentHow, ConsentOutcome
from infoshare_desktop.domain.records import ConsentDecisionDraft, field_label
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.ui.forms.fields import (
    EnumComboBox,
    FieldRow,
    LineEdit,
    OptionalDateTimeEdit,
    StringListEditor,
    TextAreaEdit,
    WrappingLabel,
    YesNoComboBox,
    focus_target,
    name_input,
    refresh_tab_order,
    set_value_of,
    value_of,
    watch,
)
from infoshare_desktop.ui.widgets.layout import scroll_past

ENDS_LABELS: dict[ConsentOutcome | None, str] = {
    ConsentOutcome.WITHDRAWN: "Consent this withdrawal ends (tick each one withdrawn)",
    ConsentOutcome.REFUSED: "Consent this refusal ends, if the person withdrew one by refusing",
}
REPLACES_LABEL = "Earlier consent this replaces, if any (a renewal or a narrower consent)"
NOTHING_TO_END = "No consent of this person stands at the time given."


def ends_choice_label(
    record: ConsentRecord, consents: Sequence[ConsentRecord], at: datetime
) -> str:
    """A consent offered as ended: who, what, when and scope, and where it stands at ``at``."""
    standing = consent_standing(record.record_id, consents, at)
    where = standing.phrase() if standing is not None else "not found"
    return f"{describe_consent(record)} ({where})"


class ConsentEndsList(QWidget):
    """Tick the consent decisions a decision ends; ``changed`` on every tick. Ticked ones
    stay (and stay ticked) when the offer changes, so nothing is unticked behind the
    practitioner's back: the checklist says if one no longer fits."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        self.words: dict[str, WrappingLabel] = {}
        self._order: list[str] = []
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setColumnStretch(1, 1)
        self.empty_label = QLabel(NOTHING_TO_END, self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "muted")
        self._layout.addWidget(self.empty_label, 0, 0, 1, 2)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """Offer ``[(record_id, label)]``; ticked records not offered stay, with their label
        from ``choices`` if there, else kept as they were."""
        labels = dict(choices)
        old_words = self.labels()
        keep = [i for i in self._order if i not in labels]
        rows = [*labels.items(), *((i, old_words.get(i, i)) for i in keep)]
        if rows == list(old_words.items()):
            return  # the same offer: keep the boxes (and the focus on them)
        for widget in [*self.boxes.values(), *self.words.values()]:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.boxes, self.words = {}, {}
        for row, (record_id, label) in enumerate(rows, start=1):
            box = QCheckBox(self)
            name_input(box, label)
            words = WrappingLabel(label, box, self)
            box.setChecked(record_id in self._order)
            box.toggled.connect(lambda checked, i=record_id: self._on_box_toggled(i, checked))
            self._layout.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
            self._layout.addWidget(words, row, 1)
            self.boxes[record_id] = box
            self.words[record_id] = words
        self.empty_label.setVisible(not rows)
        first = next(iter(self.boxes.values()), None)
        # A finding on this field focuses the first box (None, when there is none, clears
        # the proxy: Qt allows it, its stub does not say so).
        self.setFocusProxy(first)  # type: ignore[arg-type]

    def labels(self) -> dict[str, str]:
        """The offered records and their labels, in the order shown."""
        return {record_id: words.text() for record_id, words in self.words.items()}

    def value(self) -> list[str]:
        """The ticked records, in the order they were ticked."""
        return list(self._order)

    def set_value(self, record_ids: Sequence[str]) -> None:
        """Tick exactly ``record_ids`` (without emitting ``changed``)."""
        self._order = [i for i in dict.fromkeys(record_ids) if isinstance(i, str) and i]
        missing = [(i, "A consent decision not listed for this case") for i in self._order
                   if i not in self.boxes]  # fmt: skip
        if missing:
            self.set_choices([*self.labels().items(), *missing])
        self.blockSignals(True)
        try:
            for record_id, box in self.boxes.items():
                box.setChecked(record_id in self._order)
        finally:
            self.blockSignals(False)

    def _on_box_toggled(self, record_id: str, checked: bool) -> None:
        if checked and record_id not in self._order:
            self._order.append(record_id)
        elif not checked and record_id in self._order:
            self._order.remove(record_id)
        self.changed.emit()


class ConsentDecisionForm(QWidget):
    """Every field of a consent decision; ``changed`` on any edit."""

    changed = Signal()
    #: Shadows QWidget.scroll(), which nothing here calls (renaming it is left to the forms'
    #: owner, to keep merges small).
    scroll: QScrollArea  # type: ignore[assignment]

    def __init__(self, consents: Sequence[ConsentRecord] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self._consents: list[ConsentRecord] = list(consents)
        self.inputs: dict[str, QWidget] = {}
        self.rows: dict[str, FieldRow] = {}
        self.groups: dict[str, QGroupBox] = {}
        self._content = QWidget()
        self._content_layout = QVBoxLayout(self._content)
        self._build()
        self._content_layout.addStretch(1)
        self.scroll = scroll_past(QScrollArea(self))
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        for widget in self.inputs.values():
            watch(widget, self._on_input_changed)
        self.set_draft(ConsentDecisionDraft())

    def _group(self, title: str) -> None:
        box = QGroupBox(title, self._content)
        self._content_layout.addWidget(box)
        self._layout = QVBoxLayout(box)
        self.groups[title] = box

    def _add(self, name: str, widget: QWidget, label: str = "", help_text: str = "") -> None:
        label = label or field_label(ConsentDecisionDraft, name)
        row = FieldRow(label, widget, help_text, self._content)
        self.rows[name] = row
        self.inputs[name] = widget
        self._layout.addWidget(row)

    def _build(self) -> None:
        self._group("Who was asked")
        self._add("asked", EnumComboBox(ConsentFrom), "Who was asked")
        self._add("asked_name", LineEdit(SHORT_TEXT), "Their name or role")
        self._add(
            "competence_considered",
            YesNoComboBox(),
            "Was their competence or capacity to decide considered?",
        )
        self._add("competence_notes", TextAreaEdit(2, MEDIUM_TEXT), "How it was assessed")
        self._add(
            "occurred_at",
            OptionalDateTimeEdit(),
            "When consent was asked (date and time)",
            "The time it was recorded is set when you save.",
        )
        self._group("Outcome")
        self._add("outcome", EnumComboBox(ConsentOutcome), "Outcome")
        self._add("how", EnumComboBox(ConsentHow), "How it was given or refused")
        self._add(
            "supersedes_ids",
            ConsentEndsList(),
            REPLACES_LABEL,
            "Past sharing stays recorded with the consent it relied on; only what stands "
            "from now on changes.",
        )
        self._group("Scope and limits")
        self._add(
            "scope_agencies",
            StringListEditor("agency", SHORT_TEXT),
            "Agencies or recipients the consent covers",
        )
        self._add(
            "scope_information", TextAreaEdit(2, MEDIUM_TEXT), "Information the consent covers"
        )
        self._add(
            "scope_purposes",
            StringListEditor("purpose", MEDIUM_TEXT),
            "Purposes the consent covers",
        )
        self._add(
            "limits",
            TextAreaEdit(2, MEDIUM_TEXT),
            "Limits: what must not be shared, with whom, and why",
        )
        self._add("valid_until", OptionalDateTimeEdit(with_time=False), "Valid until")
        self._add("review_date", OptionalDateTimeEdit(with_time=False), "Review date")
        self._group("Views")
        self._add(
            "views_expressed", TextAreaEdit(4, LONG_TEXT), "Views expressed, in their own words"
        )

    def draft(self) -> ConsentDecisionDraft:
        """The draft as the form shows it (hidden fields keep their values)."""
        return ConsentDecisionDraft(
            **{name: value_of(widget) for name, widget in self.inputs.items()}
        )

    def set_draft(self, draft: ConsentDecisionDraft) -> None:
        """Show ``draft`` in every field, without emitting ``changed``."""
        self._loading = True
        try:
            for name, widget in self.inputs.items():
                set_value_of(widget, getattr(draft, name))
        finally:
            self._loading = False
        self.update_conditions()
        refresh_tab_order(self)

    def set_consent_choices(self, consents: Sequence[ConsentRecord]) -> None:
        """The case's saved consent decisions, from which those this may end are offered."""
        self._consents = list(consents)
        self.update_conditions()

    def _offer_ends(self, outcome: ConsentOutcome | None) -> None:
        """Offer the consents of the person asked that this decision could end at its time:
        those standing (and, for a renewal, those expired)."""
        at = value_of(self.inputs["occurred_at"])
        at = at if isinstance(at, datetime) else utcnow()
        asked = value_of(self.inputs["asked"])
        offered = endable_consents(self._consents, at, outcome=outcome, asked=asked)
        ends = self.inputs["supersedes_ids"]
        assert isinstance(ends, ConsentEndsList)
        ticked = [find_consent(i, self._consents) for i in ends.value()]
        shown = offered + [r for r in ticked if r is not None and r not in offered]
        ends.set_choices([(r.record_id, ends_choice_label(r, self._consents, at)) for r in shown])
        self.rows["supersedes_ids"].set_label(ENDS_LABELS.get(outcome, REPLACES_LABEL))

    def update_conditions(self) -> None:
        """Show the fields that apply to what has been entered; hide the rest."""
        outcome = value_of(self.inputs["outcome"])
        given = outcome is not None and outcome.is_given
        self.rows["competence_notes"].setVisible(
            value_of(self.inputs["competence_considered"]) is True
        )
        self.rows["how"].setVisible(outcome is not None)
        self.rows["supersedes_ids"].setVisible(outcome is not None)
        self.groups["Scope and limits"].setVisible(given)
        if outcome is not None:
            self._offer_ends(outcome)

    def focus_field(self, name: str) -> bool:
        """Move the focus to the field a finding names."""
        row = self.rows.get(name)
        if row is None or not row.isVisibleTo(self._content):
            return False
        self.scroll.ensureWidgetVisible(row)
        focus_target(self.inputs[name]).setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_input_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self.update_conditions()
        refresh_tab_order(self)
        self.changed.emit()
