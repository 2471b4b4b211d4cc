"""How every list of the application behaves: read-only, whole rows, one at a time,
reachable with Tab and left with Tab (arrow keys move inside)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableView


def make_list_table(table: QTableView, name: str) -> QTableView:
    """Configure ``table`` as a read-only list named ``name`` for assistive technology."""
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setHighlightSections(False)
    return table
