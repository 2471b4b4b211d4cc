"""A case's chronology: every record in the order things happened.

Each kind has an icon *and* its word; late entries say so in words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from infoshare_desktop.domain.enums import RecordKind, SharingKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.requests import OVERDUE
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services.cases import ChronologyEntry
from infoshare_desktop.ui.common.list_model import Index, ListTableModel

KIND_ICONS = {
    kind: getattr(QStyle.StandardPixmap, spec.icon, QStyle.StandardPixmap.SP_FileIcon)
    for kind, spec in KINDS.items()
}
RECEIVED_ICON = QStyle.StandardPixmap.SP_ArrowBack
LATE_TEXT = "late entry"
SHARING_WORDS = {
    SharingKind.SHARED: "Shared",
    SharingKind.SHARED_IN_PART: "Shared in part",
    SharingKind.NOT_SHARED: "Not shared",
    SharingKind.RECEIVED: "Received",
}


def kind_text(entry: ChronologyEntry) -> str:
    """The kind in a few words: "Shared", "Not shared", "Consent decision"…"""
    sharing = SharingKind.parse(entry.subkind)
    if entry.kind is RecordKind.SHARING_DECISION and sharing is not None:
        return SHARING_WORDS[sharing]
    return entry.kind.label


BADGE_TIPS = {
    "Amended": "Amended: a correction or addition has been added to it",
    "Awaiting review": "Awaiting a supervisor's review",
    "Returned": "Returned by a supervisor for more detail",
    "Endorsed": "Endorsed by a supervisor",
    OVERDUE: "Overdue: the reply to this request was due and none is recorded",
}


def summary_text(entry: ChronologyEntry) -> str:
    """The summary; an amendment also names the record it amends."""
    if entry.corrects:
        return f"{entry.summary}, amending: {entry.corrects}"
    return entry.summary


class ChronologyTableModel(ListTableModel[ChronologyEntry]):
    COLUMNS = ("Kind", "Happened", "Recorded", "By", "Status", "Summary")
    KIND, HAPPENED, RECORDED, AUTHOR, STATUS, SUMMARY = range(6)

    def __init__(self) -> None:
        super().__init__()
        self._icons: dict[QStyle.StandardPixmap, QIcon] = {}

    def headings(self) -> tuple[str, ...]:
        return self.COLUMNS

    def row_id(self, item: ChronologyEntry) -> str:
        return item.record_id

    def _icon(self, entry: ChronologyEntry) -> QIcon:
        which = KIND_ICONS.get(entry.kind, QStyle.StandardPixmap.SP_FileIcon)
        if SharingKind.parse(entry.subkind) is SharingKind.RECEIVED:
            which = RECEIVED_ICON
        if which not in self._icons:
            self._icons[which] = QApplication.style().standardIcon(which)
        return self._icons[which]

    #: The roles a cell answers; Qt asks about a dozen more per cell as it lays rows out.
    ROLES = frozenset(
        {
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.ToolTipRole,
        }
    )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in self.ROLES:
            return None
        entry = self.item(index)
        if entry is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == self.KIND:
            return self._icon(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.KIND:
                return entry.kind.label
            if column == self.RECORDED and entry.late:
                return "Recorded more than 24 hours after it happened"
            if column == self.STATUS and entry.badges:
                return "; ".join(BADGE_TIPS.get(b, b) for b in entry.badges)
            if column == self.SUMMARY:
                return summary_text(entry)
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if column == self.KIND:
            return kind_text(entry)
        if column == self.HAPPENED:
            return format_local(entry.occurred_at)
        if column == self.RECORDED:
            recorded = format_local(entry.recorded_at)
            return f"{recorded} ({LATE_TEXT})" if entry.late else recorded
        if column == self.AUTHOR:
            return entry.author_name
        if column == self.STATUS:
            return " · ".join(entry.badges)
        if column == self.SUMMARY:
            return summary_text(entry)
        return None
