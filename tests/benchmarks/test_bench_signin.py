"""Sign-in to the main window painted, for every role, with the review pages installed
as the application installs them, beside a bare main window with the same widgets empty
(the same sign-in first); and the review screens' reads beside their bare queries.

Run on demand (`make bench`); on a bigger store with ``INFOSHARE_BENCH_STORE=<data dir>``
(a demo store, e.g. ``infoshare-desktop demo --data-dir D --cases 5000 --records 100000``).
Each pair is measured interleaved (floor, work, floor, work...), medians beside each
other in ``extra_info`` and printed."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, reviews
from infoshare_desktop.store.engine import raw_connect

ROLES = ("demo.practitioner", "demo.supervisor", "demo.lead", "demo.admin")
ROUNDS = 7


@pytest.fixture(scope="module")
def store_paths(tmp_path_factory) -> DataPaths:
    given = os.environ.get("INFOSHARE_BENCH_STORE")
    if given:
        return DataPaths(Path(given))
    paths = DataPaths(tmp_path_factory.mktemp("signin") / "data")
    create_demo_store(paths, cases=500, records=10_000)
    return paths


def _interleaved(work: Callable[[], object], floor: Callable[[], object]) -> dict[str, float]:
    works, floors = [], []
    work()  # warm both once (imports, the OS file cache)
    floor()
    for _ in range(ROUNDS):
        for side, out in ((floor, floors), (work, works)):
            start = time.perf_counter()
            side()
            out.append(time.perf_counter() - start)
    return {
        "work_median_s": statistics.median(works),
        "work_min_s": min(works),
        "work_max_s": max(works),
        "floor_median_s": statistics.median(floors),
        "floor_min_s": min(floors),
        "floor_max_s": max(floors),
        "ratio": statistics.median(works) / statistics.median(floors),
    }


def _report(benchmark, name: str, figures: dict[str, float], floor_name: str) -> None:
    benchmark.extra_info.update({k: round(v, 4) for k, v in figures.items()})
    benchmark.extra_info["floor"] = floor_name
    print(
        f"\n{name}: {figures['work_median_s'] * 1000:.0f} ms "
        f"(min {figures['work_min_s'] * 1000:.0f}, max {figures['work_max_s'] * 1000:.0f}) "
        f"beside {floor_name} {figures['floor_median_s'] * 1000:.1f} ms: "
        f"{figures['ratio']:.2f}x"
    )


def _paint(window) -> None:
    from PySide6.QtWidgets import QApplication

    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    window.grab()


def _close(window, store) -> None:
    from PySide6.QtWidgets import QApplication

    window.close()
    window.deleteLater()
    QApplication.processEvents()
    store.close()


def _bare_window(names: list[str]):
    """A QMainWindow with the main window's parts, empty: navigation, a page stack, a
    table on each page."""
    from PySide6.QtWidgets import (
        QHBoxLayout,
        QListWidget,
        QMainWindow,
        QStackedWidget,
        QTableView,
        QVBoxLayout,
        QWidget,
    )

    window = QMainWindow()
    central = QWidget(window)
    row = QHBoxLayout(central)
    navigation = QListWidget(central)
    navigation.addItems(names)
    stack = QStackedWidget(central)
    for _ in names:
        page = QWidget(stack)
        QVBoxLayout(page).addWidget(QTableView(page))
        stack.addWidget(page)
    row.addWidget(navigation)
    row.addWidget(stack, 1)
    window.setCentralWidget(central)
    window.menuBar().addMenu("&File")
    return window


@pytest.mark.parametrize("username", ROLES)
def test_bench_sign_in_to_main_window_painted(benchmark, qapp, store_paths, username):
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.review import install_review_pages

    names: list[str] = []

    def work() -> None:
        store = accounts.sign_in(store_paths, username=username, password=DEMO_PASSWORD)
        window = MainWindow(store)
        install_review_pages(window, window.session)
        _paint(window)
        names[:] = window.page_names()
        _close(window, store)

    work()

    def floor() -> None:
        store = accounts.sign_in(store_paths, username=username, password=DEMO_PASSWORD)
        window = _bare_window(names)
        _paint(window)
        _close(window, store)

    figures = _interleaved(work, floor)
    benchmark.pedantic(work, rounds=1, iterations=1)
    _report(benchmark, f"sign-in to main window painted ({username})", figures, "bare window")


@pytest.mark.parametrize("username", ("demo.supervisor", "demo.practitioner"))
def test_bench_navigation_counts_after_paint(benchmark, qapp, store_paths, username):
    """The review counts read just after the first paint (what follows sign-in)."""
    store = accounts.sign_in(store_paths, username=username, password=DEMO_PASSWORD)
    try:
        user = store.user
        assert user is not None

        def work() -> None:
            if user.has(Role.SUPERVISOR):
                reviews.queue_count(store)
            reviews.returned_count(store)

        def floor() -> None:
            _bare(store, "SELECT count(*) FROM review_status WHERE author_id = ?", user.user_id)

        figures = _interleaved(work, floor)
        benchmark.pedantic(work, rounds=1, iterations=1)
        _report(benchmark, f"navigation counts ({username})", figures, "bare indexed count")
    finally:
        store.close()


def _bare(store, sql: str, *args: object) -> list[object]:
    conn = raw_connect(store.paths.database, store.keys.current_key)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


BARE_RETURNED = (
    "SELECT r.id, r.summary, r.payload FROM review_status s "
    "JOIN saved_record r ON r.id = s.record_id "
    "WHERE s.author_id = ? AND s.status = 'returned' ORDER BY s.since LIMIT 25"
)
BARE_QUEUE = (
    "SELECT r.id, r.summary, r.payload FROM review_status s "
    "JOIN saved_record r ON r.id = s.record_id "
    "WHERE s.status = 'awaiting' AND s.author_id <> ? ORDER BY s.since LIMIT 25"
)


@pytest.mark.parametrize(
    ("page", "username"),
    [("returned", "demo.practitioner"), ("queue", "demo.supervisor"), ("team", "demo.lead")],
)
def test_bench_review_page_first_screenful(benchmark, store_paths, page, username):
    """What a review page reads when first shown (a screenful and its figures), beside
    a bare query for the same rows on a fresh raw connection."""
    from infoshare_desktop.ui.review.models import BATCH

    store = accounts.sign_in(store_paths, username=username, password=DEMO_PASSWORD)
    try:
        user = store.user
        assert user is not None
        work: Callable[[], object]
        if page == "returned":

            def work() -> None:
                reviews.returned_count(store)
                reviews.returned_to_me(store, limit=BATCH)

            def floor() -> None:
                _bare(store, BARE_RETURNED, user.user_id)

        elif page == "queue":

            def work() -> None:
                reviews.queue_authors(store)
                reviews.queue_summary(store)
                reviews.review_queue(store, limit=BATCH)

            def floor() -> None:
                _bare(store, BARE_QUEUE, user.user_id)

        else:

            def work() -> None:
                reviews.team_overview(store)

            def floor() -> None:
                _bare(
                    store,
                    "SELECT author_id, status, count(*) FROM review_status "
                    "WHERE ? IS NOT NULL GROUP BY author_id, status",
                    user.user_id,
                )

        figures = _interleaved(work, floor)
        benchmark.pedantic(work, rounds=1, iterations=1)
        _report(benchmark, f"{page} page first screenful ({username})", figures, "bare query")
    finally:
        store.close()
