"""My work (the home page's queries) does not grow with the store: the supervisor's
worklist on a 20,000-record demo store against the same on a 2,000-record one, with
review requests for about 22% of the sharing decisions as real saves make them.

Each store's figure is also given beside a bare indexed LIMIT query on the same tables.
"""

from __future__ import annotations

import uuid

import pytest

from infoshare_desktop.paths import DataPaths

SIZES = {"small": (100, 2_000), "large": (1_000, 20_000)}
RESULTS: dict[str, float] = {}


def _build(root, cases: int, records: int) -> DataPaths:
    from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
    from infoshare_desktop.services import accounts
    from infoshare_desktop.store.writes import stored_time

    paths = DataPaths(root / "data")
    create_demo_store(paths, cases=cases, records=records)
    store = accounts.sign_in(paths, username="demo.practitioner", password=DEMO_PASSWORD)
    with store.write() as session:
        conn = session.connection()
        rows = conn.exec_driver_sql(
            "SELECT id, author_id, recorded_at FROM saved_record WHERE kind = 'sharing_decision'"
        ).all()
        chosen = [r for i, r in enumerate(rows) if i % 9 < 2]  # about 22%
        conn.exec_driver_sql(
            "INSERT INTO review_request (id, record_id, requested_by, requested_at, reason) "
            "VALUES (?, ?, ?, ?, 'automatic')",
            [(str(uuid.uuid4()), r[0], r[1], stored_time(r[2]) if not isinstance(r[2], str)
              else r[2]) for r in chosen],
        )  # fmt: skip
    store.close()
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


def test_bench_worklist_bare_query(benchmark, sized_store):
    name, store = sized_store

    def bare():
        with store.read() as session:
            session.connection().exec_driver_sql(
                "SELECT record_id FROM review_status WHERE status = 'awaiting' "
                "ORDER BY since LIMIT 20"
            ).all()

    benchmark.pedantic(bare, rounds=20, warmup_rounds=2)
    RESULTS[f"bare_{name}"] = benchmark.stats.stats.median


def test_bench_worklist_my_work(benchmark, sized_store):
    from infoshare_desktop.services import worklist

    name, store = sized_store
    sections = benchmark.pedantic(lambda: worklist.my_work(store), rounds=20, warmup_rounds=2)
    awaiting = next(s for s in sections if s.kind is worklist.WorkKind.AWAITING_REVIEW)
    assert awaiting.count > 0 and awaiting.items  # measured on real work, not empty lists
    RESULTS[name] = benchmark.stats.stats.median
    benchmark.extra_info["awaiting_count"] = awaiting.count
    if f"bare_{name}" in RESULTS:
        benchmark.extra_info["ratio_to_bare"] = round(RESULTS[name] / RESULTS[f"bare_{name}"], 1)
    if name == "large" and "small" in RESULTS:
        growth = RESULTS["large"] / RESULTS["small"]
        benchmark.extra_info["ratio_10x_store"] = round(growth, 2)
        # Ten times the records: the same work (the counts are capped at COUNT_CAP).
        assert growth < 3, f"my_work grew {growth:.1f}x with a 10x store"
