"""Issue 13: the main window after sign-in (every role), verify, backup, restore and key
rotation on a 10,000-record demo store, each beside its floor, interleaved
(tests/benchmarks/work.py says what each side does; `make bench-scale` runs the same at
100k and 1M)."""

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
    run, floor, name = work.verify(admin)
    compare(benchmark, work=run, floor=floor, floor_name=name, rounds=3)


def test_bench_backup(benchmark, admin, tmp_path):
    run, floor, name = work.backup(admin, tmp_path)
    result = compare(benchmark, work=run, floor=floor, floor_name=name, rounds=3)
    assert result.ratio <= 3, result


def test_bench_rotation(benchmark, admin, tmp_path):
    run, floor, name = work.rotation(admin, tmp_path)
    result = compare(benchmark, work=run, floor=floor, floor_name=name, rounds=3)
    assert result.ratio <= 3, result


def test_bench_restore(benchmark, demo_10k, admin, tmp_path):
    from infoshare_desktop.services import maintenance

    backup_file = tmp_path / "store.isbackup"
    maintenance.backup(admin, dest=backup_file)
    admin.close()
    run, floor, name = work.restore(demo_10k, "demo.admin", backup_file, tmp_path)
    compare(
        benchmark,
        work=run,
        floor=floor,
        floor_name=name,
        rounds=3,
        prepare=lambda: work.drop_replaced(demo_10k),
    )
