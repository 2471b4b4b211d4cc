"""Backup, restore and key rotation, each beside a plain copy of the same database file
with fsync in the same run (`shutil.copyfile` + `os.fsync`), interleaved A B A B, medians.

The issue's target: backup and rotation at most 3x the copy, and never more temporary
disk than one copy of the store (tests/store/test_backup_progress.py checks the disk).

A second floor is measured beside them, interleaved as well: the bare re-encrypting copy
(SQLite's backup API from the store, or the backup file, into an unjournalled file under
a fresh key, then one fsync), the least any of the three can do while each page is read
under one key and written under another (SQLCipher's AES-256-CBC and HMAC-SHA512 per
page, on one core). Each figure's ratio to both floors is printed.

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
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store import crypto
from infoshare_desktop.store.engine import bulk_connect, read_only_connect
from infoshare_desktop.store.keyslots import Keystore

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


def rekeyed_copy(src: Path, key: bytes, dest: Path) -> None:
    """The second floor: every page read under `key` and written under a fresh one."""
    source = read_only_connect(src, key)
    try:
        target = bulk_connect(dest, crypto.random_key())
        try:
            source.backup(target, pages=1024)
        finally:
            target.close()
    finally:
        source.close()
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def interleaved(
    work: Callable[[], object],
    floor: Callable[[], object],
    tidy: Callable[[], object],
    rekey: Callable[[], object],
) -> tuple[list[float], list[float], list[float], list[float]]:
    """floor, rekey floor, work, floor, ... ROUNDS times each; `tidy` (untimed) after
    each call. Returns the work's, the plain copy's and the re-encrypting copy's wall
    times, and the work's CPU time (this process's: on a machine shared with other
    work, what the work would take alone, less its waits for the disk)."""
    works: list[float] = []
    floors: list[float] = []
    rekeys: list[float] = []
    cpu: list[float] = []
    for _ in range(ROUNDS):
        for run, into in ((floor, floors), (rekey, rekeys), (work, works)):
            started, used = time.perf_counter(), time.process_time()
            run()
            into.append(time.perf_counter() - started)
            if into is works:
                cpu.append(time.process_time() - used)
            tidy()
    return works, floors, cpu, rekeys


def record(
    benchmark,
    name: str,
    works: list[float],
    floors: list[float],
    cpu: list[float],
    rekeys: list[float],
    size: int,
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
        "rekeyed_copy_median_s": round(statistics.median(rekeys), 3),
        "rekeyed_copy_ratio_to_copy": round(
            statistics.median(rekeys) / statistics.median(floors), 2
        ),
        "ratio_to_rekeyed_copy": round(statistics.median(works) / statistics.median(rekeys), 2),
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
        figures = interleaved(
            lambda: maintenance.backup(store, dest=dest),
            lambda: plain_copy(maint_paths.database, copy),
            tidy,
            lambda: rekeyed_copy(maint_paths.database, store.keys.current_key, copy),
        )
        record(benchmark, "backup", *figures, size)

    try:
        run_once(benchmark, measure)
    finally:
        store.close()


def test_bench_key_rotation_beside_a_plain_copy(benchmark, maint_paths, tmp_path):
    store = accounts.sign_in(maint_paths, username=ADMIN, password=DEMO_PASSWORD)
    copy = tmp_path / "copy.db"
    size = maint_paths.database.stat().st_size

    def measure() -> None:
        figures = interleaved(
            lambda: accounts.rotate_key(store),
            lambda: plain_copy(maint_paths.database, copy),
            lambda: copy.unlink(missing_ok=True),
            lambda: rekeyed_copy(maint_paths.database, store.keys.current_key, copy),
        )
        record(benchmark, "key rotation", *figures, size)

    try:
        run_once(benchmark, measure)
    finally:
        store.close()


def test_bench_restore_beside_a_plain_copy(benchmark, maint_paths, tmp_path):
    store = accounts.sign_in(maint_paths, username=ADMIN, password=DEMO_PASSWORD)
    backup = tmp_path / "b.isbackup"
    maintenance.backup(store, dest=backup)
    store.close()
    with zipfile.ZipFile(backup) as zf:
        zf.extract("keystore.json", tmp_path / "backup-keys")
    backup_key = (
        Keystore.load(tmp_path / "backup-keys" / "keystore.json")
        .unlock(ADMIN, DEMO_PASSWORD)
        .current_key
    )
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
        figures = interleaved(restore, floor, tidy, lambda: rekeyed_copy(backup, backup_key, copy))
        record(benchmark, "restore", *figures, size)

    run_once(benchmark, measure)
