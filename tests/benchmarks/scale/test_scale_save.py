"""Saving a sharing decision beside a bare insert and commit with the same sync settings,
and the pages a save writes (WAL frames: what the durable commit has to write and fsync,
whatever the machine's load), over enough saves to include the search index's merges."""

from __future__ import annotations

import statistics

from infoshare_desktop.services import cases, records
from tests.benchmarks.ab import compare, record_value
from tests.benchmarks.test_bench_records import _bare_insert_commit
from tests.domain.factories import complete_sharing_decision

#: Saves counted for the pages: a few of FTS5's merge steps fall inside as many saves.
PAGES_OF = 120


def test_scale_save_sharing_decision(benchmark, scale_store, practitioner, tmp_path):
    (case,) = cases.list_cases(practitioner, limit=1)
    draft = complete_sharing_decision()
    conn, insert = _bare_insert_commit(tmp_path)
    compare(
        benchmark,
        work=lambda: records.record_sharing_decision(
            practitioner, case_id=case.case_id, draft=draft
        ),
        floor=insert,
        floor_name="bare insert + commit (WAL, FULL)",
        rounds=15,
        warmup=2,
        labels={"work": "save a sharing decision", "size": scale_store.size},
    )
    conn.close()


def test_scale_pages_written_per_save(benchmark, scale_store, practitioner):
    """The WAL emptied (checkpoint TRUNCATE), one save, the frames a PASSIVE checkpoint
    finds: median, mean and max over PAGES_OF saves (a bare insert of as big a row writes
    about 3)."""
    (case,) = cases.list_cases(practitioner, limit=1)
    draft = complete_sharing_decision()

    def checkpoint(mode: str) -> int:
        with practitioner.read() as session:
            raw = session.connection().connection.dbapi_connection
            return int(raw.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()[1])

    def measure() -> list[int]:
        frames = []
        for _ in range(PAGES_OF):
            checkpoint("TRUNCATE")
            records.record_sharing_decision(practitioner, case_id=case.case_id, draft=draft)
            frames.append(checkpoint("PASSIVE"))
        return frames

    frames = benchmark.pedantic(measure, rounds=1, iterations=1)
    record_value(
        f"median {statistics.median(frames):.0f}, mean {statistics.mean(frames):.1f}, "
        f"max {max(frames)} over {PAGES_OF} saves",
        {
            "work": "pages a save writes",
            "size": scale_store.size,
            "floor": "a bare insert: about 3",
        },
    )
