"""The table view the review pages share: read-only rows, Enter opens the current one.

Cells may hold two lines (a case's reference above its name, a date above its time) and
long text wraps; each row grows to fit its text once it comes into view (rows not yet
seen keep two lines' height), so the model is asked only about the rows on screen
however many it holds. Column widths come from the heading and the rows on screen, fitted
while the table is shown (a hidden table would be measured over every row). When the
columns' natural widths do not fit, the widest are narrowed alike (never below a date's
width) so that the stretching column keeps at least a third of the table, at 1366x768
and at the large text size. Columns can still be widened by hand.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from infoshare_desktop.ui.common.tables import make_list_table

STRETCH_SHARE = 1 / 3
"""The part of the table's width the stretching column keeps, at least."""
ON_SCREEN = 0
"""Qt's resize precision meaning "the rows on screen only": columns are fitted to their
heading and what is shown, never to every row the model holds."""


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
        # Rows are sized one at a time as they come into view, just before they are
        # painted (``fit_rows_on_screen``): ResizeToContents would measure every row the
        # model holds, shown or not.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._sized_rows: set[int] = set()
        self._columns_fitted = False
        self._stretch_column = stretch_column
        header = self.horizontalHeader()
        header.setResizeContentsPrecision(ON_SCREEN)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if stretch_column is not None:
            header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        self.doubleClicked.connect(self.row_entered)
        model.modelReset.connect(self._on_model_reset)
        header.sectionResized.connect(self._on_header_section_resized)
        self._set_unsized_height()

    # -- rows: sized as they come into view --------------------------------------------
    def _set_unsized_height(self) -> None:
        """Rows not yet seen keep two lines' height (the scroll bar's guess)."""
        lines = 2 * self.fontMetrics().lineSpacing() + 8
        self.verticalHeader().setDefaultSectionSize(lines)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().lineSpacing() + 8)

    def fit_rows_on_screen(self) -> None:
        """Fit each row on screen not yet fitted to its text, from the top down, stopping
        at the first row that reaches the bottom (so no row below it is asked about)."""
        if not self.isVisible():
            return
        if not self._columns_fitted:  # the rows on screen first, then the columns to them
            self._fit_rows()
            self.fit_columns()
            self._sized_rows.clear()  # their text wraps anew
        self._fit_rows()

    def _fit_rows(self) -> None:
        header = self.verticalHeader()
        bottom = self.viewport().height()
        row = max(self.rowAt(0), 0)
        while row < self.model().rowCount():
            if row not in self._sized_rows:
                self._sized_rows.add(row)
                self.resizeRowToContents(row)
            if header.sectionViewportPosition(row) + header.sectionSize(row) >= bottom:
                break
            row += 1

    def paintEvent(self, event: QPaintEvent) -> None:
        self.fit_rows_on_screen()
        super().paintEvent(event)

    def _on_model_reset(self) -> None:
        self._columns_fitted = False
        self._sized_rows.clear()

    def _on_header_section_resized(self, *_args: object) -> None:
        self._sized_rows.clear()  # the text wraps anew: rows are refitted as they show
        self.viewport().update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._set_unsized_height()
            self._columns_fitted = False
            self._sized_rows.clear()

    # -- columns --------------------------------------------------------------------------
    def fit_columns(self) -> None:
        """Size the columns to their heading and the rows on screen, narrowing the widest
        when they do not fit. Only while shown: a hidden table's rows would all be read."""
        if not self.isVisible():
            self._columns_fitted = False
            return
        self._columns_fitted = True
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
        self._columns_fitted = False  # refitted to the rows on screen before the next paint

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_entered.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
