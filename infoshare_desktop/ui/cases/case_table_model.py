"""The case list: the user's cases, fetched a page at a time, or the results of a search.

Browsing: `rowCount` grows as the view scrolls (`canFetchMore`/`fetchMore` read the next
`page_size` cases with `services.cases.list_cases`, while the last page read was full),
and sorting is done by the store (`sort` starts again from the first page with the new
order). How many cases there are in all (`total`, which counts every case open to the
user) is counted when first asked for, not to show the first page (`counted`). Searching
(`set_query`, or `show_hits` with hits found off the UI thread): the rows are
`services.cases.search` hits and a "Matching text" column
shows the snippet; `SNIPPET_HTML_ROLE` gives it as HTML with the matched words in bold
(escaped first, so the record's own text is never read as markup).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from infoshare_desktop.domain.dates import born_text
from infoshare_desktop.domain.identifier import format_nhs_number
from infoshare_desktop.domain.timeutil import format_local
from infoshare_desktop.services import cases
from infoshare_desktop.services.cases import MATCH_END, MATCH_START, CaseSummary, SearchHit
from infoshare_desktop.services.identifiers import CaseIdentifier
from infoshare_desktop.ui.common.session import Session

_Index = QModelIndex | QPersistentModelIndex

SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def snippet_html(snippet: str) -> str:
    """A search snippet as HTML: escaped, then the match markers turned into bold."""
    return html.escape(snippet).replace(MATCH_START, "<b>").replace(MATCH_END, "</b>")


def snippet_text(snippet: str) -> str:
    """A search snippet as plain text (the markers dropped)."""
    return snippet.replace(MATCH_START, "").replace(MATCH_END, "")


def flags_text(case: CaseSummary) -> str:
    """The case's flags in words ("" when it has none)."""
    words = []
    if case.restricted:
        words.append("Restricted")
    if case.harm_concern:
        words.append("Harm concern")
    if case.late_entries:
        words.append("Late entries")
    return " · ".join(words)


def flags_tooltip(case: CaseSummary) -> str:
    lines = []
    if case.restricted:
        lines.append("Restricted: only staff named on the case can see it.")
    if case.harm_concern:
        lines.append("A record on this case marks a significant-harm concern.")
    if case.late_entries:
        lines.append("Some records were entered more than 24 hours after the event.")
    return "\n".join(lines)


#: The roles data() answers (any other is None).
_ANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        SNIPPET_HTML_ROLE,
        CASE_ID_ROLE,
    )
)


@dataclass(frozen=True)
class _Column:
    title: str
    sort_key: str | None


class CaseTableModel(QAbstractTableModel):
    BROWSE_COLUMNS = (
        _Column("Reference", "reference"),
        _Column("Name", "name"),
        _Column("Date of birth", "date_of_birth"),
        _Column("Last activity", "last_activity"),
        _Column("Records", "records"),
        _Column("Flags", None),
    )
    SEARCH_COLUMNS = (
        _Column("Reference", None),
        _Column("Name", None),
        _Column("Date of birth", None),
        _Column("NHS number", None),
        _Column("Matching text", None),
    )
    PAGE_SIZE = 200
    NHS_COLUMN = 3
    MATCH_COLUMN = 4
    RECORDS_COLUMN = 4

    def __init__(self, session: Session, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self._session = session
        self.page_size = page_size
        self.sort_key = "last_activity"
        self.descending = True
        self.query = ""
        self._total: int | None = 0
        self._more = False
        self._cases: list[CaseSummary] = []
        self._hits: list[SearchHit] = []

    # -- what the page asks ----------------------------------------------------------------
    @property
    def searching(self) -> bool:
        return bool(self.query)

    @property
    def columns(self) -> tuple[_Column, ...]:
        return self.SEARCH_COLUMNS if self.searching else self.BROWSE_COLUMNS

    @property
    def counted(self) -> bool:
        """Whether `total` is known without counting the store's cases."""
        return self._total is not None

    @property
    def total(self) -> int:
        """How many cases the list holds in all (browsing: counted in the store once)."""
        if self._total is None:
            self._total = cases.count_cases(self._session.store)
        return self._total

    def reload(self) -> None:
        """Read everything again (after a save, an unlock, or a new sort or search)."""
        self.beginResetModel()
        self._cases, self._hits = [], []
        self._more = False
        if self.searching:
            self._hits = cases.search(self._session.store, query=self.query)
            self._total = len(self._hits)
        else:
            self._total = None  # counted when asked for (after the first page is shown)
            self._cases = self._page(0)
            self._more = len(self._cases) == self.page_size
        self.endResetModel()

    def set_query(self, query: str) -> None:
        """Show the cases matching `query`, or (when blank) every case again."""
        self.query = query.strip()
        self.reload()

    def show_hits(self, query: str, hits: list[SearchHit]) -> None:
        """Show a search's results, found elsewhere (the page searches off the UI thread)."""
        self.beginResetModel()
        self.query = query.strip()
        self._cases, self._hits = [], list(hits) if self.query else []
        self._total, self._more = len(self._hits), False
        self.endResetModel()

    def case_id_at(self, row: int) -> str:
        return self._hits[row].case_id if self.searching else self._cases[row].case_id

    def row_of(self, case_id: str) -> int | None:
        rows = self._hits if self.searching else self._cases
        ids = [item.case_id for item in rows]
        return ids.index(case_id) if case_id in ids else None

    def sort_column(self) -> int:
        keys = [c.sort_key for c in self.BROWSE_COLUMNS]
        return keys.index(self.sort_key)

    def _page(self, offset: int) -> list[CaseSummary]:
        return cases.list_cases(
            self._session.store,
            offset=offset,
            limit=self.page_size,
            sort=self.sort_key,
            descending=self.descending,
        )

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._hits) if self.searching else len(self._cases)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self.searching and self._more

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        more = self._page(len(self._cases))
        self._more = len(more) == self.page_size
        if not more:
            return
        start = len(self._cases)
        self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
        self._cases.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.searching or not 0 <= column < len(self.BROWSE_COLUMNS):
            return
        key = self.BROWSE_COLUMNS[column].sort_key
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole and not self.searching:
            return (
                f"Sort by {column.title.lower()}"
                if column.sort_key
                else "Restricted cases, harm concerns and late entries"
            )
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Asked a dozen roles per cell painted: those the model never answers, at once.
        if role not in _ANSWERED or not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if role == CASE_ID_ROLE:
            return self.case_id_at(index.row())
        if self.searching:
            return self._hit_data(self._hits[index.row()], index.column(), role)
        return self._case_data(self._cases[index.row()], index.column(), role)

    def _hit_data(self, hit: SearchHit, column: int, role: int) -> object:
        if role == SNIPPET_HTML_ROLE and column == self.MATCH_COLUMN:
            return snippet_html(hit.snippet)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        if column == 0:
            return hit.case_reference
        if column == 1:
            return hit.display_name
        if column == 2:
            return born_text(hit.date_of_birth, date.today())
        if column == self.NHS_COLUMN:
            return nhs_text(hit.identifier, spoken=role != Qt.ItemDataRole.DisplayRole)
        if column == self.MATCH_COLUMN:
            return snippet_text(hit.snippet)
        return None

    def _case_data(self, case: CaseSummary, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.RECORDS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return flags_tooltip(case) or None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if column == 0:
            return case.case_reference
        if column == 1:
            return case.display_name
        if column == 2:
            return born_text(case.date_of_birth, date.today())
        if column == 3:
            return _when(case.last_activity, "No records yet")
        if column == self.RECORDS_COLUMN:
            return str(case.records)
        if column == 5:
            return flags_text(case)
        return None


def nhs_text(identifier: CaseIdentifier | None, *, spoken: bool = False) -> str:
    """A search result's NHS number (3-3-4), or why there is none, in a few words; the
    spoken form and the tooltip give the reason in full."""
    if identifier is not None and identifier.nhs_number:
        return format_nhs_number(identifier.nhs_number)
    if identifier is None:
        return "Not recorded"
    return identifier.text() if spoken else "Not included"


def _when(value: datetime | None, missing: str) -> str:
    return format_local(value) if value is not None else missing
