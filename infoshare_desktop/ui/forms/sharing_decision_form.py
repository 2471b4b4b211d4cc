"""The sharing decision form: the fourteen groups of the domain brief, in a scroll area.

Fields appear only when they apply; hidden fields keep what was typed in them, so a
draft round-trips unchanged through ``set_draft()`` and ``draft()``. The seven criteria
(group 12) live in the form's ``checklist_panel``, which the editor shows beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.domain.consent import (
    WITHOUT_CONSENT,
    ConsentRecord,
    consent_standing,
    describe_consent,
    find_consent,
)
from infoshare_desktop.domain.enums import (
    Confidentiality,
    ConsentFrom,
    ConsentStatus,
    Criterion,
    FactOrOpinion,
    Ground,
    InfoCategory,
    Initiation,
    Method,
    NotSoughtReason,
    PublicInterestCircumstance,
    SharingKind,
    Urgency,
)
from infoshare_desktop.domain.records import SharingDecisionDraft, field_label
from infoshare_desktop.domain.rules import recorded_late
from infoshare_desktop.domain.text import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.ui.forms.checklist_panel import ChecklistPanel
from infoshare_desktop.ui.forms.fields import (
    CheckBox,
    EnumCheckGroup,
    EnumComboBox,
    FieldRow,
    LineEdit,
    OptionalDateTimeEdit,
    RecipientListEditor,
    RecordChoiceComboBox,
    SuggestionComboBox,
    TextAreaEdit,
    WrappingLabel,
    focus_target,
    refresh_tab_order,
    set_value_of,
    value_of,
    watch,
)
from infoshare_desktop.ui.forms.fields import (
    YesNoComboBox as YesNo,
)
from infoshare_desktop.ui.widgets.layout import scroll_past

REFERENCE_LABELS = {
    Ground.STATUTORY_DUTY: "Statute that requires the sharing (e.g. Children Act 1989 s47)",
    Ground.COURT_ORDER: "Court order reference",
    Ground.OTHER: "The other ground for sharing, in words",
}
INFORMATION_LABELS = {
    SharingKind.NOT_SHARED: "What was asked for or considered, and not shared",
    SharingKind.RECEIVED: "What was received",
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


def _label(name: str) -> str:
    return field_label(SharingDecisionDraft, name)


class SharingDecisionForm(QWidget):
    """Every field of a sharing decision; ``changed`` on any edit."""

    changed = Signal()
    #: Shadows QWidget.scroll(), which nothing here calls (renaming it is left to the forms'
    #: owner, to keep merges small).
    scroll: QScrollArea  # type: ignore[assignment]

    def __init__(self, consents: Sequence[ConsentRecord] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self._consents: list[ConsentRecord] = []
        self.inputs: dict[str, QWidget] = {}
        self.rows: dict[str, FieldRow] = {}
        self.groups: dict[int, QGroupBox] = {}
        self.reference_edits: dict[Ground, LineEdit] = {}
        self.checklist_panel = ChecklistPanel()
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
        for widget in [*self.inputs.values(), *self.reference_edits.values()]:
            watch(widget, self._on_input_changed)
        self.checklist_panel.criteria_changed.connect(self._on_input_changed)
        consent_choice = self.inputs["consent_decision_id"]
        assert isinstance(consent_choice, RecordChoiceComboBox)
        consent_choice.currentIndexChanged.connect(self._on_consent_choice_changed)
        self.set_consent_choices(consents)
        self.set_draft(SharingDecisionDraft())

    # ---- building ---------------------------------------------------------------------

    def _group(self, number: int, title: str) -> QVBoxLayout:
        box = QGroupBox(f"{number}. {title}", self._content)
        self.groups[number] = box
        self._content_layout.addWidget(box)
        layout = QVBoxLayout(box)
        layout.setSpacing(6)
        self._layout = layout
        return layout

    def _add(self, name: str, widget: QWidget, label: str = "", help_text: str = "") -> QWidget:
        row = FieldRow(label or _label(name), widget, help_text, self._content)
        self.rows[name] = row
        self.inputs[name] = widget
        self._layout.addWidget(row)
        return widget

    def _text(self, name: str, lines: int = 3, label: str = "", help_text: str = "") -> None:
        max_length = LONG_TEXT if lines >= 4 else MEDIUM_TEXT
        self._add(name, TextAreaEdit(lines, max_length), label, help_text)

    def _line(self, name: str, label: str = "", max_length: int = SHORT_TEXT) -> None:
        self._add(name, LineEdit(max_length), label)

    def _build(self) -> None:
        self._group(1, "Decision")
        self._add("kind", EnumComboBox(SharingKind), "What was decided")
        self._add("initiation", EnumComboBox(Initiation), "Proactive, or in response to a request")
        self._line("requester_name")
        self._line("requester_organisation")
        self._text("request_details", 2, "What they asked for")
        self._add("requester_identity_checked", YesNo(), "Was the requester's identity checked?")
        self._add(
            "requester_told_reasons", YesNo(), "Was the requester told the reasons for declining?"
        )
        self._add(
            "occurred_at",
            OptionalDateTimeEdit(),
            "When it happened (date and time)",
            "The time it was recorded is set when you save.",
        )
        self._text("late_entry_reason", 2, "Why this is recorded more than 24 hours later")
        self._add("urgency", EnumComboBox(Urgency), "Urgency")

        self._group(2, "Purpose")
        self._text(
            "purpose",
            3,
            "Purpose: why sharing was considered",
            "A clear and legitimate purpose, in a sentence or two.",
        )

        self._group(3, "Recipients")
        self._add("recipients", RecipientListEditor("recipient"), "Who it was shared with")

        self._group(4, "Information")
        self._text("information_shared", 4, "What was shared")
        self._add("categories", EnumCheckGroup(InfoCategory), "Categories of information")
        self._add("fact_or_opinion", EnumComboBox(FactOrOpinion), "Fact or opinion")
        self._add(
            "could_less_be_shared",
            YesNo("Yes, less could have been shared", "No, this was the least needed"),
            "Could the purpose be met by sharing less?",
        )
        self._text("minimisation_notes", 2, "How the amount shared was limited")
        self._text("withheld", 2, "What was withheld")

        self._group(5, "Confidentiality")
        self._add(
            "confidentiality",
            EnumComboBox(Confidentiality),
            "Is the information confidential?",
            "Confidential: sensitive, not already public, and given in a relationship where "
            "the giver expected it would not be passed on.",
        )
        self._text("confidentiality_reason", 2, "Why")

        self._group(6, "Consent")
        self._add(
            "consent_status",
            EnumComboBox(ConsentStatus),
            "Consent position",
            "Consent is often not the right basis in safeguarding, and is not needed to share "
            "about a child at risk of harm.",
        )
        self._add("consent_from", EnumComboBox(ConsentFrom), "Whose consent")
        self._add(
            "child_competence_considered",
            YesNo(),
            "Was the child's competence to decide considered?",
        )
        self._add(
            "consent_decision_id",
            RecordChoiceComboBox(NO_CONSENT_CHOSEN),
            "Consent decision relied on",
            "The consents that stood when this happened are offered (see “When it happened”).",
        )
        self._add(
            "consent_purpose",
            SuggestionComboBox(),
            "Which of the consent's purposes this sharing is for",
        )
        self._add(
            "not_sought_reasons", EnumCheckGroup(NotSoughtReason), "Why consent was not sought"
        )
        self._line("not_sought_other", "The other reason, in words", MEDIUM_TEXT)

        self._group(7, "Grounds for sharing (lawful basis)")
        self._add(
            "grounds",
            EnumCheckGroup(Ground, lambda g: f"Legal basis: {g.legal_basis}"),
            "Grounds: choose each that applies and confirm the legal basis shown under it",
        )
        for ground, label in REFERENCE_LABELS.items():
            edit = LineEdit(MEDIUM_TEXT)
            row = FieldRow(label, edit, "", self._content)
            self.rows[f"ground_references.{ground}"] = row
            self.reference_edits[ground] = edit
            self._layout.addWidget(row)

        self._group(8, "Public interest and proportionality")
        self._add(
            "public_interest",
            EnumCheckGroup(PublicInterestCircumstance),
            "Which public-interest circumstance applies",
            "Sharing confidential information without consent is normally justified in these "
            "circumstances.",
        )
        self._text(
            "weighing",
            4,
            "Weighing: what might happen if the information is shared, and if it is not",
        )

        self._group(9, "Transparency")
        self._add(
            "individual_told",
            YesNo(),
            "Was the individual (and/or family) told what is shared, why, how and with whom?",
        )
        self._text("told_details", 2, "What they were told, and how")
        self._text("not_told_reason", 2, "Why they were not told")

        self._group(10, "Advice")
        self._add("in_doubt", CheckBox(), "I am in doubt about whether to share")
        self._add("advice_sought", YesNo(), "Was advice sought?")
        self._line("advice_from_role", "Role of the person who advised")
        self._add("advice_when", OptionalDateTimeEdit(), "When the advice was given")
        self._text("advice_outcome", 2, "What they advised")
        self._add(
            "advice_identity_withheld",
            YesNo(),
            "Was the individual's identity withheld while seeking advice?",
        )
        self._text("no_time_for_advice_reason", 2, "Why there was no time to seek advice")

        self._group(11, "Method and security")
        self._add("method", EnumComboBox(Method), "How it was shared")
        self._line("method_other", "The other method, in words")
        self._add("channel_secure", YesNo(), "Was the channel secure?")
        self._text("insecure_reason", 2, "Why a channel that is not secure was used")
        self._add("recipient_verified", YesNo(), "Was the recipient's identity verified?")

        self._group(12, "The seven criteria")
        self._layout.addWidget(
            WrappingLabel(
                "Confirm each of the seven criteria, with its own rationale, in the "
                "checklist beside this form.",
                None,
                self._content,
            )
        )
        self.criteria_button = QPushButton("Go to the seven criteria", self._content)
        self.criteria_button.clicked.connect(self._on_criteria_button_clicked)
        self._layout.addWidget(self.criteria_button, 0, Qt.AlignmentFlag.AlignLeft)

        self._group(13, "Safety, well-being and views")
        self._add(
            "significant_harm_concern", CheckBox(), "There is a concern about significant harm"
        )
        self._text("safety_wellbeing", 4, "Safety and well-being considered")
        self._text("views_child_family", 4, "Views of the child and family")

        self._group(14, "Reasons")
        self._text(
            "reasons",
            5,
            "Reasons for the decision",
            "In your own words: why you decided as you did (golden rule 7).",
        )

    # ---- the draft --------------------------------------------------------------------

    def draft(self) -> SharingDecisionDraft:
        """The draft as the form shows it (hidden fields keep their values)."""
        values = {name: value_of(widget) for name, widget in self.inputs.items()}
        values["ground_references"] = {
            ground.value: edit.text()
            for ground, edit in self.reference_edits.items()
            if edit.text()
        }
        values["criteria"] = self.checklist_panel.criteria()
        return SharingDecisionDraft(**values)

    def set_draft(self, draft: SharingDecisionDraft) -> None:
        """Show ``draft`` in every field, without emitting ``changed``."""
        self._loading = True
        try:
            for name, widget in self.inputs.items():
                set_value_of(widget, getattr(draft, name))
            for ground, edit in self.reference_edits.items():
                edit.setText(draft.ground_references.get(ground.value, ""))
            self.checklist_panel.set_criteria(draft.criteria)
            self._offer_consents()
            self._on_consent_choice_changed()
        finally:
            self._loading = False
        self.update_conditions()
        refresh_tab_order(self)

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

    def update_conditions(self) -> None:
        """Show the fields that apply to what has been entered; hide the rest."""
        v = {name: value_of(widget) for name, widget in self.inputs.items()}
        kind, status = v["kind"], v["consent_status"]
        on_request = v["initiation"] is Initiation.ON_REQUEST
        occurred = v["occurred_at"]
        late = isinstance(occurred, datetime) and recorded_late(occurred, utcnow())
        override = status in WITHOUT_CONSENT
        given = status is not None and status.is_given
        shares = kind is None or kind.shares
        shown = {
            "requester_name": on_request,
            "requester_organisation": on_request,
            "request_details": on_request,
            "requester_identity_checked": on_request,
            "requester_told_reasons": on_request and kind is SharingKind.NOT_SHARED,
            "late_entry_reason": late,
            "could_less_be_shared": shares,
            "minimisation_notes": shares,
            "withheld": kind is SharingKind.SHARED_IN_PART,
            "consent_from": status is not None and status is not ConsentStatus.NOT_SOUGHT,
            "child_competence_considered": v["consent_from"] is ConsentFrom.CHILD,
            "consent_decision_id": given,
            "consent_purpose": given,
            "not_sought_reasons": status is ConsentStatus.NOT_SOUGHT,
            "not_sought_other": status is ConsentStatus.NOT_SOUGHT
            and NotSoughtReason.OTHER in v["not_sought_reasons"],
            "public_interest": override,
            "weighing": override or kind is SharingKind.NOT_SHARED,
            "told_details": v["individual_told"] is True,
            "not_told_reason": v["individual_told"] is False,
            "advice_from_role": v["advice_sought"] is True,
            "advice_when": v["advice_sought"] is True,
            "advice_outcome": v["advice_sought"] is True,
            "advice_identity_withheld": v["advice_sought"] is True,
            "no_time_for_advice_reason": v["advice_sought"] is False,
            "method_other": v["method"] is Method.OTHER,
            "insecure_reason": v["channel_secure"] is False,
        }
        for ground in REFERENCE_LABELS:
            shown[f"ground_references.{ground}"] = ground in v["grounds"]
        for name, visible in shown.items():
            self.rows[name].setVisible(visible)
        self.groups[8].setVisible(shown["public_interest"] or shown["weighing"])
        self._set_party_wording(kind)

    def _set_party_wording(self, kind: SharingKind | None) -> None:
        received = kind is SharingKind.RECEIVED
        self.groups[3].setTitle("3. Source" if received else "3. Recipients")
        recipients = self.inputs["recipients"]
        assert isinstance(recipients, RecipientListEditor)
        recipients.set_item_word("source" if received else "recipient")
        self.rows["recipients"].set_label(
            "Who the information came from"
            if received
            else "Who it would have gone to"
            if kind is SharingKind.NOT_SHARED
            else "Who it was shared with"
        )
        self.rows["information_shared"].set_label(
            INFORMATION_LABELS.get(kind, "What was shared") if kind else "What was shared"
        )
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
        row, target = self._focus_row_and_target(name)
        if row is None or target is None or not row.isVisibleTo(self._content):
            return False
        self.scroll.ensureWidgetVisible(row)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _focus_row_and_target(self, name: str) -> tuple[FieldRow | None, QWidget | None]:
        if name == "ground_references":
            shown = [
                (self.rows[f"ground_references.{g}"], edit)
                for g, edit in self.reference_edits.items()
                if not self.rows[f"ground_references.{g}"].isHidden()
            ]
            blank = [pair for pair in shown if not pair[1].text().strip()]
            chosen = blank or shown
            return chosen[0] if chosen else (None, None)
        if name not in self.inputs:
            return None, None
        return self.rows[name], focus_target(self.inputs[name])

    # ---- slots ------------------------------------------------------------------------

    def _on_input_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._offer_consents()
        self.update_conditions()
        self.changed.emit()

    def _on_consent_choice_changed(self, *_args: object) -> None:
        combo = self.inputs["consent_decision_id"]
        purpose = self.inputs["consent_purpose"]
        assert isinstance(combo, RecordChoiceComboBox)
        assert isinstance(purpose, SuggestionComboBox)
        record = find_consent(combo.value(), self._consents)
        purpose.set_suggestions(record.decision.scope_purposes if record else ())

    def _on_criteria_button_clicked(self) -> None:
        self.checklist_panel.focus_criterion(Criterion.NECESSARY)
