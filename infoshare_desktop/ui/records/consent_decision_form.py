"""The consent decision form: who was asked, the outcome, its scope, limits and dates.

A withdrawal or refusal is a new consent decision that says which consents it ends: the
form offers the consents of the person asked that stand at the time given (judged by
``domain.consent``, as everywhere else). A renewal or a narrower consent may say which
earlier consent it replaces. The checklist refuses a withdrawal that ends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QWidget,
)

from infoshare_desktop.domain.consent import (
    ConsentRecord,
    consent_standing,
    describe_consent,
    endable_consents,
    find_consent,
)
from infoshare_desktop.domain.enums import ConsentOutcome
from infoshare_desktop.domain.fields import CONSENT_DECISION_FORM
from infoshare_desktop.domain.records import ConsentDecisionDraft
from infoshare_desktop.domain.text import MEDIUM_TEXT, SHORT_TEXT
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.ui.common.fields import (
    StringListEditor,
    WrappingLabel,
    name_input,
    refresh_tab_order,
    value_of,
)
from infoshare_desktop.ui.records.declared_form import DeclaredForm

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


class ConsentDecisionForm(DeclaredForm):
    """Every field of a consent decision; ``changed`` on any edit."""

    def __init__(self, consents: Sequence[ConsentRecord] = (), parent: QWidget | None = None):
        self._consents: list[ConsentRecord] = list(consents)
        super().__init__(
            CONSENT_DECISION_FORM,
            {
                "consent_ends": lambda _f: ConsentEndsList(),
                "agencies": lambda _f: StringListEditor("agency", SHORT_TEXT),
                "purposes": lambda _f: StringListEditor("purpose", MEDIUM_TEXT),
            },
            parent,
        )
        self.set_draft(ConsentDecisionDraft())

    def draft(self) -> ConsentDecisionDraft:
        """The draft as the form shows it (hidden fields keep their values)."""
        draft = super().draft()
        assert isinstance(draft, ConsentDecisionDraft)
        return draft

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

    def _update_extra(self, draft: Any) -> None:
        if draft.outcome is not None:
            self._offer_ends(draft.outcome)

    def _on_input_changed(self, *args: object) -> None:
        super()._on_input_changed(*args)
        refresh_tab_order(self)
