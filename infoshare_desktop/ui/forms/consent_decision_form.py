"""The consent decision form: who was asked, the outcome, its scope, limits and dates.

A withdrawal is a new consent decision that supersedes (replaces) an earlier one, picked
from the case's current consent decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QVBoxLayout, QWidget

from infoshare_desktop.domain.enums import ConsentFrom, ConsentHow, ConsentOutcome
from infoshare_desktop.domain.records import ConsentDecisionDraft, field_label
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from infoshare_desktop.services.cases import ConsentPositionItem
from infoshare_desktop.ui.forms.fields import (
    EnumComboBox,
    FieldRow,
    LineEdit,
    OptionalDateTimeEdit,
    RecordChoiceComboBox,
    StringListEditor,
    TextAreaEdit,
    YesNoComboBox,
    focus_target,
    refresh_tab_order,
    watch,
)
from infoshare_desktop.ui.forms.sharing_decision_form import consent_choice_label
from infoshare_desktop.ui.widgets.layout import scroll_past


class ConsentDecisionForm(QWidget):
    """Every field of a consent decision; ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, consents: Sequence[ConsentPositionItem] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
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
        self.set_consent_choices(consents)
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
            "supersedes_id",
            RecordChoiceComboBox("None: this does not replace an earlier decision"),
            "Earlier consent decision this replaces (for example when consent is withdrawn)",
            "Past sharing stays recorded; only the consent position changes.",
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
            **{name: widget.value() for name, widget in self.inputs.items()}  # type: ignore[attr-defined]
        )

    def set_draft(self, draft: ConsentDecisionDraft) -> None:
        """Show ``draft`` in every field, without emitting ``changed``."""
        self._loading = True
        try:
            for name, widget in self.inputs.items():
                widget.set_value(getattr(draft, name))  # type: ignore[attr-defined]
        finally:
            self._loading = False
        self.update_conditions()
        refresh_tab_order(self)

    def set_consent_choices(self, items: Sequence[ConsentPositionItem]) -> None:
        """Offer the case's current consent decisions as ones this may supersede."""
        combo = self.inputs["supersedes_id"]
        assert isinstance(combo, RecordChoiceComboBox)
        combo.set_choices(
            [
                (item.record_id, consent_choice_label(item))
                for item in items
                if item.status == "current"
            ]
        )

    def update_conditions(self) -> None:
        """Show the fields that apply to what has been entered; hide the rest."""
        outcome = self.inputs["outcome"].value()  # type: ignore[attr-defined]
        given = outcome is not None and outcome.is_given
        self.rows["competence_notes"].setVisible(
            self.inputs["competence_considered"].value() is True  # type: ignore[attr-defined]
        )
        self.rows["how"].setVisible(outcome is not None)
        self.groups["Scope and limits"].setVisible(given)

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
        self.changed.emit()
