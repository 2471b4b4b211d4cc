"""Saving a sharing decision beside a bare insert and commit with the same sync settings."""

from __future__ import annotations

from infoshare_desktop.services import cases, records
from tests.benchmarks.ab import compare
from tests.benchmarks.test_bench_records import _bare_insert_commit
from tests.domain.factories import complete_sharing_decision


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
