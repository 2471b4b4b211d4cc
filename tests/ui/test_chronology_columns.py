"""The case screen's chronology: at 1366x768, at Medium and at 200% text, every column
but the summary shows its whole text (wrapping between words, never cut), and so do
the column headings."""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.exceptions import TimeoutError as QtTimeoutError

from infoshare_desktop.domain import SharingKind
from infoshare_desktop.services import cases, records, reviews
from infoshare_desktop.ui.common.theme import apply_theme
from infoshare_desktop.ui.records.chronology_model import ChronologyTableModel
from tests.domain.factories import (
    complete_amendment,
    complete_case,
    complete_consent_decision,
    complete_sharing_decision,
)


def cut_cells(table) -> list[str]:
    """Headings and cells of the short columns whose text does not fit the room Qt
    draws it in (a word wider than the column, or more wrapped lines than the row
    height holds)."""
    model, header = table.model(), table.horizontalHeader()
    metrics = table.fontMetrics()
    measure = QStyledItemDelegate()  # to lay a cell out as the view's delegate does
    cut = []
    for column in range(ChronologyTableModel.SUMMARY):
        if table.isColumnHidden(column):
            continue
        title = model.headerData(column, Qt.Orientation.Horizontal)
        if header.sectionSizeFromContents(column).width() > header.sectionSize(column):
            cut.append(f"heading {title}")
        for row in range(model.rowCount()):
            index = model.index(row, column)
            option = QStyleOptionViewItem()
            option.initFrom(table)
            measure.initStyleOption(option, index)
            option.rect = table.visualRect(index)
            option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
            room = table.style().subElementRect(
                QStyle.SubElement.SE_ItemViewItemText, option, table
            )
            text = str(index.data() or "")
            widest = max((metrics.horizontalAdvance(w) for w in text.split()), default=0)
            needed = metrics.boundingRect(
                QRect(0, 0, room.width(), 10_000), Qt.TextFlag.TextWordWrap, text
            )
            if widest > room.width() or needed.height() > room.height():
                cut.append(f"{title}: {text!r} in {room.width()}x{room.height()}")
    return cut


@pytest.fixture
def busy_case(admin_store):
    """A case with every kind of entry and badge: long kinds, late entries, statuses."""
    case_id = cases.create_case(admin_store, draft=complete_case())
    records.record_consent_decision(admin_store, case_id=case_id, draft=complete_consent_decision())
    for kind in (SharingKind.SHARED_IN_PART, SharingKind.NOT_SHARED, SharingKind.RECEIVED):
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=complete_sharing_decision(kind)
        )
    shared = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.SHARED)
    )
    reviews.request_review(admin_store, record_id=shared.record_id)
    records.add_amendment(admin_store, draft=complete_amendment(target_id=shared.record_id))
    return case_id


@pytest.mark.parametrize("text_size", ["medium", "largest"])
def test_every_short_column_is_readable_at_1366x768(
    qtbot, qapp, admin_window, busy_case, text_size
):
    apply_theme(qapp, text_size)
    try:
        admin_window.resize(1366, 768)
        admin_window.show_page("Cases")
        assert admin_window.cases_page.open_case(busy_case)
        table = admin_window.cases_page.case_view.table
        qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() >= 6)
        assert not table.isColumnHidden(ChronologyTableModel.STATUS)  # badges are shown
        with contextlib.suppress(QtTimeoutError):  # the layout settles; then say what is cut
            qtbot.waitUntil(lambda: not cut_cells(table), timeout=10_000)
        assert not cut_cells(table)
        # The summary keeps room to be read, and nothing is pushed out of sight.
        summary = table.columnWidth(ChronologyTableModel.SUMMARY)
        assert summary >= 8 * table.fontMetrics().horizontalAdvance("M")
        assert table.horizontalScrollBar().maximum() == 0
    finally:
        apply_theme(qapp)


def test_opening_a_long_case_lays_its_rows_out_once(qtbot, admin_window, admin_store, monkeypatch):
    """An off-screen record's cells are read at most three times while the case opens
    (measured, and its row laid out, once), however many widths the page passes through
    as the window settles; it was nine times (a 200-record case took a quarter of a
    second to open, most of it fitting the columns again and again)."""
    case_id = cases.create_case(admin_store, draft=complete_case())
    for _ in range(60):
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=complete_sharing_decision()
        )
    asked: dict[tuple[int, int], int] = {}
    real = ChronologyTableModel.data

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            key = (index.row(), index.column())
            asked[key] = asked.get(key, 0) + 1
        return real(self, index, role)

    monkeypatch.setattr(ChronologyTableModel, "data", data)
    admin_window.resize(1366, 768)
    admin_window.show_page("Cases")
    view = admin_window.cases_page.case_view
    assert admin_window.cases_page.open_case(case_id)
    table = view.table
    qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() == 60)
    qtbot.wait(50)  # the layout settles (scroll bar, splitter)
    off_screen = [
        row
        for row in range(table.model().rowCount())
        if not table.visualRect(table.model().index(row, 0)).intersects(table.viewport().rect())
    ]
    assert off_screen, "every row fits: nothing to tell"
    most = max(asked.get((row, column), 0) for row in off_screen for column in range(5))
    assert most <= 3, f"an off-screen cell was read {most} times"
    assert not cut_cells(table)  # and the layout is the one it was
