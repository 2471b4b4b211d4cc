"""Issue 13: the main window after sign-in (every role) and verify on a 10,000-record demo
store, each beside its floor, interleaved (tests/benchmarks/work.py says what each side
does; `make bench-scale` runs them, with backup and rotation, at 100k and 1M; backup,
restore and rotation at this size are in test_bench_maintenance.py)."""

from __future__ import annotations

import pytest

from infoshare_desktop.demo import DEMO_PASSWORD, DEMO_USERS
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
from tests.benchmarks import work
from tests.benchmarks.ab import compare


@pytest.fixture(scope="module")
def demo_10k(tmp_path_factory) -> DataPaths:
    from infoshare_desktop.demo import create_demo_store

    paths = DataPaths(tmp_path_factory.mktemp("demo10k") / "data")
    create_demo_store(paths, cases=500, records=10_000)
    return paths


@pytest.fixture
def admin(demo_10k):
    store = accounts.sign_in(demo_10k, username="demo.admin", password=DEMO_PASSWORD)
    yield store
    store.close()


@pytest.mark.real_kdf
@pytest.mark.parametrize("username", list(DEMO_USERS))
def test_bench_sign_in_to_main_window(benchmark, qapp, demo_10k, username):
    run, floor, name = work.sign_in_to_main_window(demo_10k, username)
    compare(benchmark, work=run, floor=floor, floor_name=name, rounds=5)


def test_bench_verify(benchmark, admin):
    run, floor, name = work.verify(admin, full=True)
    compare(benchmark, work=run, floor=floor, floor_name=name, rounds=3)


def test_bench_verify_already_verified(benchmark, admin):
    run, floor, name = work.verify(admin, full=False)
    compare(benchmark, work=run, floor=floor, floor_name=name, rounds=5)
