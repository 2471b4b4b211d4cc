"""Saving a sharing decision through the real save path (services.records) on a big
store, beside a bare sqlcipher3 insert and commit of a row of the same size, with the
same sync settings (WAL, synchronous=FULL), measured interleaved.

Run on demand (`make bench`); on a bigger store with ``INFOSHARE_BENCH_STORE=<data dir>``
(it adds a few dozen records to that store's first case). ``phases`` prints where a save's
time goes (statements, the commit, the rest) for the note."""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import pytest
import sqlcipher3

from infoshare_desktop.demo import DEMO_PASSWORD, create_demo_store
from infoshare_desktop.domain.ids import uuid7
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, cases, records
from tests.domain.factories import complete_sharing_decision
from tests.ui.review.conftest import without_consent

ROUNDS = 40


@pytest.fixture(scope="module")
def store_paths(tmp_path_factory) -> DataPaths:
    given = os.environ.get("INFOSHARE_BENCH_STORE")
    if given:
        return DataPaths(Path(given))
    paths = DataPaths(tmp_path_factory.mktemp("save") / "data")
    create_demo_store(paths, cases=500, records=10_000)
    return paths


@pytest.fixture
def bare(tmp_path):
    """A fresh sqlcipher3 file keyed as the store is, WAL and synchronous=FULL."""
    conn = sqlcipher3.connect(str(tmp_path / "bare.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE r (id TEXT PRIMARY KEY, payload TEXT NOT NULL)")
    yield conn
    conn.close()


def wal_frames_per_save(store, save, rounds: int = 9) -> float:
    """The median number of pages a save writes to the WAL: the WAL emptied (checkpoint
    TRUNCATE), one save, then the frames a PASSIVE checkpoint finds in it."""

    def checkpoint(mode: str) -> int:
        with store.read() as session:
            raw = session.connection().connection.dbapi_connection
            return int(raw.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[1])

    counts = []
    for _ in range(rounds):
        checkpoint("TRUNCATE")
        save()
        counts.append(checkpoint("PASSIVE"))
    return statistics.median(counts)


@pytest.mark.parametrize("which", ["with consent", "without consent (enters review)"])
def test_bench_save_sharing_decision_beside_bare_insert(benchmark, store_paths, bare, which):
    store = accounts.sign_in(store_paths, username="demo.practitioner", password=DEMO_PASSWORD)
    try:
        (case,) = cases.list_cases(store, limit=1)
        draft = complete_sharing_decision() if which == "with consent" else without_consent()
        row = json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True)

        def save() -> None:
            records.record_sharing_decision(store, case_id=case.case_id, draft=draft)

        def floor() -> None:
            bare.execute("BEGIN IMMEDIATE")
            bare.execute("INSERT INTO r (id, payload) VALUES (?, ?)", (uuid7(), row))
            bare.execute("COMMIT")

        saves, floors = [], []
        save()
        floor()
        for _ in range(ROUNDS):
            for side, out in ((floor, floors), (save, saves)):
                start = time.perf_counter()
                side()
                out.append(time.perf_counter() - start)
        benchmark.pedantic(save, rounds=1, iterations=1)
        frames = wal_frames_per_save(store, save)
        work, base = statistics.median(saves), statistics.median(floors)
        benchmark.extra_info.update(
            save_median_ms=round(work * 1000, 3),
            save_min_ms=round(min(saves) * 1000, 3),
            save_max_ms=round(max(saves) * 1000, 3),
            bare_median_ms=round(base * 1000, 3),
            bare_min_ms=round(min(floors) * 1000, 3),
            bare_max_ms=round(max(floors) * 1000, 3),
            ratio=round(work / base, 2),
            row_bytes=len(row),
            wal_frames_per_save=frames,
        )
        print(
            f"\nsave a sharing decision ({which}): {work * 1000:.2f} ms "
            f"(min {min(saves) * 1000:.2f}, max {max(saves) * 1000:.2f}) beside a bare "
            f"insert+commit of {len(row)} bytes {base * 1000:.2f} ms "
            f"(min {min(floors) * 1000:.2f}, max {max(floors) * 1000:.2f}): {work / base:.2f}x; "
            f"{frames} WAL frames (pages) a save"
        )
    finally:
        store.close()
