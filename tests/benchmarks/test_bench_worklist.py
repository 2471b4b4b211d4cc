"""My work (the home page's queries) does not grow with the store: the supervisor's
worklist on a 20,000-record demo store against the same on a 2,000-record one, with
review requests as real saves make them (the demo enters records by the default rules).

Each store's figure is given beside a bare indexed LIMIT query on the same tables,
interleaved.
"""

from __future__ import annotations

import pytest

from infoshare_desktop.paths import DataPaths
from tests.benchmarks.ab import compare

SIZES = {"small": (100, 2_000), "large": (1_000, 20_000)}
RESULTS: dict[str, float] = {}


def _build(root, cases: int, records: int) -> DataPaths:
    """A demo store: its review requests are made at save by the default rules."""
    from infoshare_desktop.demo import create_demo_store

    paths = DataPaths(root / "data")
    create_demo_store(paths, cases=cases, records=records)
    return paths


@pytest.fixture(scope="module", params=list(SIZES))
def sized_store(request, tmp_path_factory):
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    cases, records = SIZES[request.param]
    paths = _build(tmp_path_factory.mktemp(request.param), cases, records)
    store = accounts.sign_in(paths, username="demo.supervisor", password=DEMO_PASSWORD)
    yield request.param, store
    store.close()


def test_bench_worklist_my_work(benchmark, sized_store):
    from infoshare_desktop.services import worklist

    name, store = sized_store

    def bare():
        with store.read() as session:
            session.connection().exec_driver_sql(
                "SELECT record_id FROM review_status WHERE status = 'awaiting' "
                "ORDER BY since LIMIT 20"
            ).all()

    result = compare(
        benchmark,
        work=lambda: worklist.my_work(store),
        floor=bare,
        floor_name="bare indexed LIMIT 20 on review_status",
        rounds=20,
        warmup=2,
    )
    sections = worklist.my_work(store)
    awaiting = next(s for s in sections if s.kind is worklist.WorkKind.AWAITING_REVIEW)
    assert awaiting.count > 0 and awaiting.items  # measured on real work, not empty lists
    RESULTS[name] = result.work.median
    benchmark.extra_info["awaiting_count"] = awaiting.count
    if name == "large" and "small" in RESULTS:
        growth = RESULTS["large"] / RESULTS["small"]
        benchmark.extra_info["ratio_10x_store"] = round(growth, 2)
        # Ten times the records: the same work (the counts are capped at COUNT_CAP).
        assert growth < 3, f"my_work grew {growth:.1f}x with a 10x store"
