"""Pick-lists of the case's own records, for declared fields that link records
(``Widget.CUSTOM``): the request a reply answers, and the sharing decisions that
answered it. Each choice keeps the line that described the record when it was chosen
(``RecordLink``), so the details pane and the printout name it without a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QWidget

from infoshare_desktop.domain.enums import RecordKind, SharingKind
from infoshare_desktop.domain.fields import Field
from infoshare_desktop.domain.records import RecordLink
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services.cases import ChronologyEntry
from infoshare_desktop.ui.common.fields import WrappingLabel, _allow_narrow, name_input

NO_REQUEST = "Choose the request…"
NOT_LISTED = "A record not listed for this case"
NO_DECISIONS = "No sharing decision is recorded on this case yet: record it first."


def link_line(entry: ChronologyEntry) -> str:
    """How a pick-list names a record: its chronology line and when it happened."""
    return f"{entry.summary}, {format_local(entry.occurred_at)}"


def _links(
    entries: Sequence[ChronologyEntry], keep: Callable[[ChronologyEntry], bool]
) -> list[RecordLink]:
    return [RecordLink(record_id=e.record_id, description=link_line(e)) for e in entries if keep(e)]


class RecordLinkComboBox(QComboBox):
    """One of the offered records, or none; its value is a ``RecordLink``;
    ``currentIndexChanged``."""

    def __init__(self, links: Sequence[RecordLink], none_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._links: dict[str, RecordLink] = {}
        self.addItem(none_text, "")
        for link in links:
            self._offer(link)
        _allow_narrow(self)

    def _offer(self, link: RecordLink) -> None:
        self._links[link.record_id] = link
        self.addItem(link.description or NOT_LISTED, link.record_id)

    def value(self) -> RecordLink | None:
        """The chosen record, or None."""
        return self._links.get(self.currentData() or "")

    def set_value(self, link: RecordLink | None) -> None:
        """Choose ``link``; one not offered is added (as it was described) and chosen."""
        if not isinstance(link, RecordLink) or not link.record_id:
            self.setCurrentIndex(0)
            return
        if link.record_id not in self._links:
            self._offer(link)
        self.setCurrentIndex(self.findData(link.record_id))


class RecordLinkTickList(QWidget):
    """Tick any of the offered records; its value is the ticked ``RecordLink``s in the
    order offered. ``changed`` on every tick."""

    changed = Signal()

    def __init__(self, links: Sequence[RecordLink], empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._links: dict[str, RecordLink] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setColumnStretch(1, 1)
        self.empty_label = QLabel(empty_text, self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "muted")
        self._layout.addWidget(self.empty_label, 0, 0, 1, 2)
        for link in links:
            self._add(link)

    def _add(self, link: RecordLink) -> None:
        row = len(self.boxes) + 1
        box = QCheckBox(self)
        name_input(box, link.description)
        box.toggled.connect(self._on_box_toggled)
        self._layout.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
        self._layout.addWidget(WrappingLabel(link.description, box, self), row, 1)
        self._links[link.record_id] = link
        self.boxes[link.record_id] = box
        self.empty_label.hide()
        if len(self.boxes) == 1:
            self.setFocusProxy(box)  # a finding on this field focuses the first box

    def value(self) -> list[RecordLink]:
        return [self._links[i] for i, box in self.boxes.items() if box.isChecked()]

    def set_value(self, links: Sequence[RecordLink]) -> None:
        """Tick exactly ``links`` (one not offered is added, ticked), without ``changed``."""
        wanted = {link.record_id: link for link in links if isinstance(link, RecordLink)}
        for record_id, link in wanted.items():
            if record_id not in self.boxes:
                self._add(link)
        self.blockSignals(True)
        try:
            for record_id, box in self.boxes.items():
                box.setChecked(record_id in wanted)
        finally:
            self.blockSignals(False)

    def _on_box_toggled(self, _checked: bool) -> None:
        self.changed.emit()


def _answers(entry: ChronologyEntry) -> bool:
    kind = SharingKind.parse(entry.subkind)
    return entry.kind is RecordKind.SHARING_DECISION and kind is not SharingKind.RECEIVED


def record_link_inputs(
    entries: Sequence[ChronologyEntry],
) -> Mapping[str, Callable[[Field], QWidget]]:
    """The custom inputs that link records, offering the case's ``entries``."""
    requests = _links(entries, lambda e: e.kind is RecordKind.REQUEST)
    decisions = _links(entries, _answers)
    return {
        "request": lambda _f: RecordLinkComboBox(requests, NO_REQUEST),
        "answering_decisions": lambda _f: RecordLinkTickList(decisions, NO_DECISIONS),
    }
