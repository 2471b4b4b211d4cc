"""The case list's first page beside its own bare query; opening the 200-record case
cold (new view, SQLite's cache emptied) beside the bare service calls, also cold."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from infoshare_desktop.services import cases
from infoshare_desktop.ui.cases.case_list_page import CaseListPage
from infoshare_desktop.ui.cases.case_view import CaseView
from infoshare_desktop.ui.common.session import Session
from tests.benchmarks.ab import compare
from tests.benchmarks.scale.conftest import LARGE_CASE
from tests.benchmarks.test_bench_case_screens import _bare_open, bare_case_page


def test_scale_case_list_first_page(benchmark, qapp, scale_store, practitioner):
    session = Session(practitioner)

    def run():
        page = CaseListPage(session)
        page.resize(1100, 600)
        page.show()
        page.grab()
        assert page.model.rowCount() > 0
        page.close()
        page.deleteLater()

    compare(
        benchmark,
        work=run,
        floor=lambda: bare_case_page(practitioner),
        floor_name="bare page query + count into a QTableWidget, painted",
        prepare=QApplication.processEvents,
        labels={"work": "case list first page (painted)", "size": scale_store.size},
    )


def test_scale_open_case_cold(benchmark, qapp, scale_store, practitioner):
    (case,) = cases.list_cases(practitioner, limit=1, sort="records")
    assert case.records == LARGE_CASE
    views: list[CaseView] = []

    def reset():
        for view in views:
            view.close()
            view.deleteLater()
        views.clear()
        QApplication.processEvents()
        practitioner.engine.dispose()

    def open_new_view():
        view = CaseView(Session(practitioner))
        views.append(view)
        view.resize(1340, 640)
        view.show()
        assert view.open_case(case.case_id)
        view.grab()

    compare(
        benchmark,
        work=open_new_view,
        floor=lambda: _bare_open(practitioner, case.case_id),
        floor_name="the bare service calls, also cold",
        prepare=reset,
        warmup=0,
        labels={"work": f"open a {LARGE_CASE}-record case, cold", "size": scale_store.size},
    )
    reset()
