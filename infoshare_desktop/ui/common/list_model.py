"""The read-only table over a list of rows that every list screen shares: the rows,
the headings, and finding a row by its id. Subclasses say what a cell shows."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class ListTableModel[T](QAbstractTableModel):
    """Rows of ``T`` shown under ``headings()``; ``row_id`` names a row for ``row_of``."""

    def __init__(self, rows: Sequence[T] = ()) -> None:
        super().__init__()
        self._rows: list[T] = list(rows)

    def headings(self) -> Sequence[str]:
        raise NotImplementedError

    def row_id(self, item: T) -> str | None:
        return None

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_of(self, row_id: str) -> int | None:
        for row, item in enumerate(self._rows):
            if self.row_id(item) == row_id:
                return row
        return None

    def item(self, index: Index) -> T | None:
        """The row an index points at, or None for an invalid or stale index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.headings()):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headings())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        headings = self.headings()
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(headings)
        ):
            return headings[section]
        return None
