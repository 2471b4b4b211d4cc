"""Backup, restore and key rotation, each beside a plain copy of the same database file
with fsync in the same run (`shutil.copyfile` + `os.fsync`), interleaved A B A B, medians.

The issue's target: backup and rotation at most 3x the copy, and never more temporary
disk than one copy of the store (tests/store/test_backup_progress.py checks the disk).

By default a demo store of MAINT_RECORDS records is built (a few thousand: seconds).
By hand, at scale:

    INFOSHARE_BENCH_MAINT_RECORDS=100000 .venv/bin/python -m pytest -p no:xdist \\
        --benchmark-only -s tests/benchmarks/test_bench_maintenance.py

or INFOSHARE_BENCH_MAINT_STORE=<a demo data folder> to use a copy of an existing store
(the 1M store `make bench-scale` caches). Each figure is printed and kept in the JSON's
extra_info (median, min, max of both sides, and their ratio).
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance

MAINT_RECORDS = int(os.environ.get("INFOSHARE_BENCH_MAINT_RECORDS", "3000"))
ROUNDS = int(os.environ.get("INFOSHARE_BENCH_MAINT_ROUNDS", "3"))
ADMIN = "demo.admin"


@pytest.fixture(scope="module")
def maint_paths(tmp_path_factory) -> DataPaths:
    root = tmp_path_factory.mktemp("maint") / "data"
    given = os.environ.get("INFOSHARE_BENCH_MAINT_STORE")
    if given:
        shutil.copytree(given, root)
    else:
        create_demo_store(DataPaths(root), cases=max(1, MAINT_RECORDS // 20), records=MAINT_RECORDS)
    return DataPaths(root)


def plain_copy(src: Path, dest: Path) -> None:
    """The floor: copy the file and make it durable."""
    shutil.copyfile(src, dest)
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def interleaved(
    work: Callable[[], object],
    floor: Callable[[], object],
    tidy: Callable[[], object],
) -> tuple[list[float], list[float], list[float]]:
    """floor, work, floor, work... ROUNDS times each; `tidy` (untimed) after each call.
    Returns the work's and the floor's wall times, and the work's CPU time (this
    process's: on a machine shared with other work, what the work would take alone,
    less its waits for the disk)."""
    works, floors, cpu = [], [], []
    for _ in range(ROUNDS):
        for run, into in ((floor, floors), (work, works)):
            started, used = time.perf_counter(), time.process_time()
            run()
            into.append(time.perf_counter() - started)
            if into is works:
                cpu.append(time.process_time() - used)
            tidy()
    return works, floors, cpu


def record(
    benchmark, name: str, works: list[float], floors: list[float], cpu: list[float], size: int
) -> float:
    ratio = statistics.median(works) / statistics.median(floors)
    figures = {
        "load_average": round(os.getloadavg()[0], 1),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "store_mb": round(size / 1e6, 1),
        "median_s": round(statistics.median(works), 3),
        "min_s": round(min(works), 3),
        "max_s": round(max(works), 3),
        "copy_median_s": round(statistics.median(floors), 3),
        "copy_min_s": round(min(floors), 3),
        "copy_max_s": round(max(floors), 3),
        "ratio_to_copy": round(ratio, 2),
    }
    benchmark.extra_info.update(figures)
    print(f"\n{name}: {figures}")
    return ratio


def run_once(benchmark, measure: Callable[[], object]) -> None:
    benchmark.pedantic(measure, rounds=1, iterations=1)


def test_bench_backup_beside_a_plain_copy(benchmark, maint_paths, tmp_path):
    store = accounts.sign_in(maint_paths, username=ADMIN, password=DEMO_PASSWORD)
    dest, copy = tmp_path / "b.isbackup", tmp_path / "copy.db"
    size = maint_paths.database.stat().st_size

    def tidy() -> None:
        dest.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)

    def measure() -> None:
        works, floors, cpu = interleaved(
            lambda: maintenance.backup(store, dest=dest),
            lambda: plain_copy(maint_paths.database, copy),
            tidy,
        )
        record(benchmark, "backup", works, floors, cpu, size)

    try:
        run_once(benchmark, measure)
    finally:
        store.close()


def test_bench_key_rotation_beside_a_plain_copy(benchmark, maint_paths, tmp_path):
    store = accounts.sign_in(maint_paths, username=ADMIN, password=DEMO_PASSWORD)
    copy = tmp_path / "copy.db"
    size = maint_paths.database.stat().st_size

    def measure() -> None:
        works, floors, cpu = interleaved(
            lambda: accounts.rotate_key(store),
            lambda: plain_copy(maint_paths.database, copy),
            lambda: copy.unlink(missing_ok=True),
        )
        record(benchmark, "key rotation", works, floors, cpu, size)

    try:
        run_once(benchmark, measure)
    finally:
        store.close()


def test_bench_restore_beside_a_plain_copy(benchmark, maint_paths, tmp_path):
    store = accounts.sign_in(maint_paths, username=ADMIN, password=DEMO_PASSWORD)
    backup = tmp_path / "b.isbackup"
    maintenance.backup(store, dest=backup)
    store.close()
    copy = tmp_path / "copy.db"
    size = maint_paths.database.stat().st_size

    def restore() -> None:
        maintenance.restore(maint_paths, src=backup, username=ADMIN, password=DEMO_PASSWORD).close()

    def tidy() -> None:
        copy.unlink(missing_ok=True)
        for kept in maint_paths.backups.glob("replaced-*"):  # a store's copy each time
            shutil.rmtree(kept)

    def measure() -> None:
        floor = lambda: plain_copy(maint_paths.database, copy)  # noqa: E731
        works, floors, cpu = interleaved(restore, floor, tidy)
        record(benchmark, "restore", works, floors, cpu, size)

    run_once(benchmark, measure)
