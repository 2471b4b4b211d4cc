"""The table view the review pages share: read-only rows, Enter opens the current one.

Cells may hold two lines (a case's reference above its name, a date above its time) and
long text wraps; rows grow to fit (the rows the model holds: the review models fetch a
screenful at a time). Column widths come from the heading and a sample of rows. When the
columns' natural widths do not fit, the widest are narrowed alike (never below a date's
width) so that the stretching column keeps at least a third of the table, at 1366x768
and at the large text size. Columns can still be widened by hand.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from infoshare_desktop.ui.common.tables import make_list_table

STRETCH_SHARE = 1 / 3
"""The part of the table's width the stretching column keeps, at least."""
SAMPLE_ROWS = 50
"""Columns are fitted to their heading and the first rows from the top shown, not to
every row (a paged model holds only what was scrolled to; a long list is not walked)."""


def capped_width(natural: list[int], room: int, floor: int) -> int:
    """The largest cap such that ``sum(min(w, cap))`` fits in ``room`` (not below ``floor``)."""
    if sum(natural) <= room:
        return max(natural, default=floor)
    cap = max(natural, default=floor)
    ordered = sorted(natural, reverse=True)
    for count in range(1, len(ordered) + 1):
        rest = sum(ordered[count:])
        cap = (room - rest) // count
        if count == len(ordered) or cap >= ordered[count]:
            break
    return max(cap, floor)


class ReviewTableView(QTableView):
    """Whole-row, single selection; ``row_entered`` on Enter/Return or a double-click."""

    row_entered = Signal(QModelIndex)

    def __init__(
        self,
        model: QAbstractItemModel,
        name: str,
        description: str = "",
        *,
        stretch_column: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        make_list_table(self, name)
        if description:
            self.setAccessibleDescription(description)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._stretch_column = stretch_column
        header = self.horizontalHeader()
        header.setResizeContentsPrecision(SAMPLE_ROWS)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if stretch_column is not None:
            header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        self.doubleClicked.connect(self.row_entered)
        model.modelReset.connect(self.fit_columns)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Size the columns to their contents, narrowing the widest when they do not fit."""
        columns = [c for c in range(self.model().columnCount()) if c != self._stretch_column]
        natural = []
        for column in columns:
            self.resizeColumnToContents(column)
            natural.append(self.columnWidth(column))
        room = self.viewport().width()
        if self._stretch_column is not None:
            room = int(room * (1 - STRETCH_SHARE))
        floor = self.fontMetrics().horizontalAdvance("29 Sep 2026") + 16
        cap = capped_width(natural, room, floor)
        header = self.horizontalHeader()
        for column, width in zip(columns, natural, strict=True):
            self.setColumnWidth(column, max(min(width, cap), header.sectionSizeHint(column)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_entered.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
