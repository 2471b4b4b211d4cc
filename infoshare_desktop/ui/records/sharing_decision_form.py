"""The sharing decision form: the fourteen groups of the domain brief, in a scroll area.

The groups, fields, labels and "when it applies" come from the declaration
(``domain.fields.SHARING_DECISION_FORM``) through :class:`DeclaredForm`; this module adds
the named exceptions: the recipients list, the consent decision pick-list and the purpose
it covers, a reference under each ground that needs one, and the seven criteria (group
12), which live in the form's ``checklist_panel`` beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from infoshare_desktop.domain.consent import (
    ConsentRecord,
    consent_standing,
    describe_consent,
    find_consent,
)
from infoshare_desktop.domain.enums import Criterion, Ground, SharingKind
from infoshare_desktop.domain.fields import SHARING_DECISION_FORM, Field
from infoshare_desktop.domain.records import SharingDecisionDraft
from infoshare_desktop.domain.text import MEDIUM_TEXT
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.ui.common.checklist_panel import ChecklistPanel
from infoshare_desktop.ui.common.fields import (
    EnumCheckGroup,
    FieldRow,
    LineEdit,
    RecipientListEditor,
    RecordChoiceComboBox,
    SuggestionComboBox,
    WrappingLabel,
    focus_target,
    value_of,
    watch,
)
from infoshare_desktop.ui.records.declared_form import DeclaredForm

REFERENCE_LABELS = {
    Ground.STATUTORY_DUTY: "Statute that requires the sharing (e.g. Children Act 1989 s47)",
    Ground.COURT_ORDER: "Court order reference",
    Ground.OTHER: "The other ground for sharing, in words",
}


NO_CONSENT_CHOSEN = "None: no recorded consent decision is relied on"


def consent_choice_label(
    record: ConsentRecord, consents: Sequence[ConsentRecord], at: datetime
) -> str:
    """How a consent decision reads in the pick-list: who, what, when and scope, and where
    it stood at ``at`` (when the sharing happened), as ``domain.consent`` judges it."""
    standing = consent_standing(record.record_id, consents, at)
    where = standing.phrase() if standing is not None else "not found"
    return f"{describe_consent(record)} ({where} at that time)"


def consent_choices(
    consents: Sequence[ConsentRecord], at: datetime, chosen: str | None = None
) -> list[tuple[str, str]]:
    """The pick-list: the consents given that stood at ``at``, newest first, and the one
    already chosen (whatever its standing, so a choice is never changed behind the
    practitioner's back; the checklist says if it did not stand)."""
    offered = []
    for record in sorted(consents, key=lambda r: r.order, reverse=True):
        standing = consent_standing(record.record_id, consents, at)
        if record.record_id == chosen or (standing is not None and standing.stands):
            offered.append((record.record_id, consent_choice_label(record, consents, at)))
    return offered


class SharingDecisionForm(DeclaredForm):
    """Every field of a sharing decision; ``changed`` on any edit."""

    def __init__(self, consents: Sequence[ConsentRecord] = (), parent: QWidget | None = None):
        self._consents: list[ConsentRecord] = []
        self.reference_edits: dict[Ground, LineEdit] = {}
        self._reference_rows: dict[str, FieldRow] = {}
        self.checklist_panel = ChecklistPanel()
        super().__init__(
            SHARING_DECISION_FORM,
            {
                "recipients": lambda _f: RecipientListEditor("recipient"),
                "consent_choice": lambda _f: RecordChoiceComboBox(NO_CONSENT_CHOSEN),
                "consent_purpose": lambda _f: SuggestionComboBox(),
                "grounds": lambda _f: EnumCheckGroup(
                    Ground, lambda g: f"Legal basis: {g.legal_basis}"
                ),
                "ground_references": self._make_references,
                "criteria": self._make_criteria,
            },
            parent,
        )
        self.rows.update(self._reference_rows)
        for edit in self.reference_edits.values():
            watch(edit, self._on_input_changed)
        self.checklist_panel.criteria_changed.connect(self._on_input_changed)
        consent_choice = self.inputs["consent_decision_id"]
        assert isinstance(consent_choice, RecordChoiceComboBox)
        consent_choice.currentIndexChanged.connect(self._on_consent_choice_changed)
        self.set_consent_choices(consents)
        self.set_draft(SharingDecisionDraft())

    # ---- the named exceptions -----------------------------------------------------------

    def _make_references(self, _field: Field) -> QWidget:
        """A reference under each ground that needs one."""
        box = QWidget(self._content)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for ground, label in REFERENCE_LABELS.items():
            edit = LineEdit(MEDIUM_TEXT)
            row = FieldRow(label, edit, "", box)
            self._reference_rows[f"ground_references.{ground}"] = row
            self.reference_edits[ground] = edit
            layout.addWidget(row)
        return box

    def _make_criteria(self, _field: Field) -> QWidget:
        """Group 12 points to the checklist panel, where the criteria are confirmed."""
        box = QWidget(self._content)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            WrappingLabel(
                "Confirm each of the seven criteria, with its own rationale, in the "
                "checklist beside this form.",
                None,
                box,
            )
        )
        self.criteria_button = QPushButton("Go to the seven criteria", box)
        self.criteria_button.clicked.connect(self._on_criteria_button_clicked)
        layout.addWidget(self.criteria_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _extra_values(self) -> dict[str, Any]:
        return {
            "ground_references": {
                ground.value: edit.text()
                for ground, edit in self.reference_edits.items()
                if edit.text()
            },
            "criteria": self.checklist_panel.criteria(),
        }

    def _load_extra(self, draft: Any) -> None:
        for ground, edit in self.reference_edits.items():
            edit.setText(draft.ground_references.get(ground.value, ""))
        self.checklist_panel.set_criteria(draft.criteria)
        self._offer_consents()
        self._on_consent_choice_changed()

    # ---- the draft --------------------------------------------------------------------

    def draft(self) -> SharingDecisionDraft:
        """The draft as the form shows it (hidden fields keep their values)."""
        draft = super().draft()
        assert isinstance(draft, SharingDecisionDraft)
        return draft

    def set_consent_choices(self, consents: Sequence[ConsentRecord]) -> None:
        """The case's saved consent decisions (services.records.case_consents)."""
        self._consents = list(consents)
        self._offer_consents()

    def _offer_consents(self) -> None:
        """Offer the consents that stood when the sharing happened (now, if not entered)."""
        combo = self.inputs["consent_decision_id"]
        assert isinstance(combo, RecordChoiceComboBox)
        at = value_of(self.inputs["occurred_at"])
        at = at if isinstance(at, datetime) else utcnow()
        choices = consent_choices(self._consents, at, combo.value())
        shown = [(combo.itemData(n), combo.itemText(n)) for n in range(1, combo.count())]
        if choices != shown:  # only when the offer changes (keeps the combo's own state)
            was = combo.blockSignals(True)
            try:
                combo.set_choices(choices)
            finally:
                combo.blockSignals(was)

    # ---- what applies -------------------------------------------------------------------

    def _update_extra(self, draft: Any) -> None:
        for ground in REFERENCE_LABELS:
            self.rows[f"ground_references.{ground}"].setVisible(ground in draft.grounds)
        self.rows["criteria"].setVisible(True)  # the panel says when they are optional
        kind = draft.kind
        recipients = self.inputs["recipients"]
        assert isinstance(recipients, RecipientListEditor)
        recipients.set_item_word("source" if kind is SharingKind.RECEIVED else "recipient")
        self.checklist_panel.criteria_group.setTitle(
            "12. The seven criteria"
            if kind in (None, SharingKind.SHARED, SharingKind.SHARED_IN_PART)
            else "12. The seven criteria (optional here)"
        )

    # ---- focus ------------------------------------------------------------------------

    def focus_field(self, name: str) -> bool:
        """Move the focus to the field a finding names (e.g. "reasons", "criteria.timely")."""
        if name.startswith("criteria."):
            try:
                criterion = Criterion(name.partition(".")[2])
            except ValueError:
                return False
            self.checklist_panel.focus_criterion(criterion)
            return True
        if name != "ground_references":
            return super().focus_field(name)
        shown = [
            (self.rows[f"ground_references.{g}"], edit)
            for g, edit in self.reference_edits.items()
            if not self.rows[f"ground_references.{g}"].isHidden()
        ]
        blank = [pair for pair in shown if not pair[1].text().strip()]
        candidates = blank or shown
        if not candidates:
            return False
        row, target = candidates[0]
        if not row.isVisibleTo(self._content):
            return False
        self.scroll.ensureWidgetVisible(row)
        focus_target(target).setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # ---- slots ------------------------------------------------------------------------

    def _before_conditions(self) -> None:
        self._offer_consents()

    def _on_consent_choice_changed(self, *_args: object) -> None:
        combo = self.inputs["consent_decision_id"]
        purpose = self.inputs["consent_purpose"]
        assert isinstance(combo, RecordChoiceComboBox)
        assert isinstance(purpose, SuggestionComboBox)
        record = find_consent(combo.value(), self._consents)
        purpose.set_suggestions(record.decision.scope_purposes if record else ())

    def _on_criteria_button_clicked(self) -> None:
        self.checklist_panel.focus_criterion(Criterion.NECESSARY)
