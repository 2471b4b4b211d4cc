"""The tables ask their models only about the rows on screen: a page of the case list
(or of a review page) may hold many more rows than fit, and neither painting, fitting
the columns nor sizing the rows reads the others; a hidden list reloaded reads none.
The case list's first page is shown before its cases are counted (a count walks every
case open to the user), and the number follows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from infoshare_desktop.services import cases
from infoshare_desktop.ui.cases.case_table_model import CaseTableModel
from infoshare_desktop.ui.cases.cases_page import CasesPage
from infoshare_desktop.ui.common.session import Session
from tests.ui.conftest import WAIT_MS
from tests.ui.test_cases import add_cases

CASES = 60


def rows_on_screen(view: QTableView) -> set[int]:
    """The rows of which some part is inside the view's viewport."""
    area = view.viewport().rect()
    model = view.model()
    return {
        row
        for row in range(model.rowCount())
        if view.visualRect(model.index(row, 0)).intersects(area) and not view.isRowHidden(row)
    }


def rows_asked(monkeypatch, model_class) -> set[int]:
    """The rows the views ask a model of this class about (any role)."""
    asked: set[int] = set()
    real = model_class.data

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        asked.add(index.row())
        return real(self, index, role)

    monkeypatch.setattr(model_class, "data", data)
    return asked


@pytest.fixture
def cases_page(qtbot, admin_store):
    ids = add_cases(admin_store, CASES)
    page = CasesPage(Session(admin_store))
    qtbot.addWidget(page)
    page.resize(900, 420)
    return page, ids


def test_the_case_list_asks_only_about_the_cases_on_screen(qtbot, cases_page, monkeypatch):
    page, ids = cases_page
    asked = rows_asked(monkeypatch, CaseTableModel)
    assert asked == set()  # not shown, not read
    page.show()
    table = page.list_page.table
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT_MS)
    page.grab()  # painted
    shown = rows_on_screen(table)
    assert page.list_page.model.rowCount() == CASES  # one page holds them all...
    assert 0 < len(shown) < CASES // 2  # ...but only some fit
    assert asked == shown  # and only those were asked about (columns fitted to them)
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance("REF-000")

    # Scrolling asks about the rows scrolled to, not the rest.
    asked.clear()
    table.scrollToBottom()
    page.grab()
    assert asked == rows_on_screen(table) and max(asked) == CASES - 1
    assert 0 not in asked

    # A case open, the list reloaded behind it (after a save): nothing is read from it
    # until it is shown again, and then only the rows on screen.
    assert page.open_case(ids[0])
    asked.clear()
    page.list_page.reload()
    assert asked == set()
    page.show_list()
    page.grab()
    assert asked == rows_on_screen(page.list_page.table)


def test_the_case_list_shows_its_first_page_then_counts(qtbot, cases_page, monkeypatch):
    page, _ids = cases_page
    counted: list[int] = []
    real = cases.count_cases

    def count_cases(store):
        counted.append(1)
        return real(store)

    monkeypatch.setattr(cases, "count_cases", count_cases)
    page.show()
    page.grab()  # the first page, painted
    assert page.list_page.model.rowCount() == CASES and counted == []
    status = page.list_page.status_label
    qtbot.waitUntil(lambda: status.text().startswith(f"{CASES} cases, sorted by"), timeout=WAIT_MS)
    assert counted == [1]
    # A new sort reads the first page again, and counts again once it is shown.
    page.list_page.sort_combo.setCurrentIndex(2)
    page.list_page.sort_combo.activated.emit(2)
    assert page.list_page.model.index(0, 1).data() == "Child 00"  # name, A to Z
    qtbot.waitUntil(lambda: "sorted by name, a to z" in status.text(), timeout=WAIT_MS)
    assert counted == [1, 1]
