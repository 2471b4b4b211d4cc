"""Benchmarks run on demand only: `make bench` (never in `make test`: pyproject's
addopts pass --benchmark-skip). `make bench-scale` runs tests/benchmarks/scale.

Every figure is measured beside a floor in the same run, interleaved (tests/benchmarks/
ab.py: A B A B, medians, min and max, the ratio of medians), so the ratio survives a
noisy machine.
"""

from __future__ import annotations

import pytest

from infoshare_desktop.paths import DataPaths

BIG_CASES, BIG_RECORDS = 500, 100_000  # 200 records per case


@pytest.fixture(scope="session")
def big_store_paths(tmp_path_factory) -> DataPaths:
    """A demo store of 100,000 records (about a minute to build, once per session)."""
    from infoshare_desktop.demo import create_demo_store

    paths = DataPaths(tmp_path_factory.mktemp("big") / "data")
    create_demo_store(paths, cases=BIG_CASES, records=BIG_RECORDS)
    return paths


@pytest.fixture
def big_store(big_store_paths):
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    store = accounts.sign_in(big_store_paths, username="demo.practitioner", password=DEMO_PASSWORD)
    yield store
    store.close()


def ratio(benchmark, baseline_stats) -> float:
    """Median of this benchmark over an earlier benchmark's median (not interleaved: new
    benchmarks use tests/benchmarks/ab.py); kept for test_bench_envelopes.py."""
    value = benchmark.stats.stats.median / baseline_stats.stats.median
    benchmark.extra_info["ratio_to_baseline"] = round(value, 2)
    return value
