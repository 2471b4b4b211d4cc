"""Issue 3 benchmarks: checklist, chronology, search and saving, against baselines."""

from __future__ import annotations

import os

import pytest
import sqlcipher3

from infoshare_desktop.domain import check_sharing_decision, utcnow
from infoshare_desktop.services import cases, records
from tests.domain.factories import complete_case, complete_sharing_decision

RESULTS: dict[str, float] = {}
#: a common word (in every "shared in part" record, about 15% of them) and a surname
#: (in about one case in twenty, and in recipients' names): what staff type most.
WORDS = {"common": "counselling", "surname": "Pennock"}


def _ratio(benchmark, key: str) -> None:
    if key in RESULTS:
        benchmark.extra_info[f"ratio_to_{key}"] = round(
            benchmark.stats.stats.median / RESULTS[key], 2
        )


def test_bench_checklist_full_draft(benchmark):
    draft, now = complete_sharing_decision(), utcnow()
    benchmark(check_sharing_decision, draft, now=now)


def test_bench_chronology_200_of_100k(benchmark, big_store):
    (case,) = cases.list_cases(big_store, limit=1)
    entries = benchmark(cases.chronology, big_store, case_id=case.case_id)
    assert len(entries) == 200


@pytest.mark.parametrize("which", WORDS)
def test_bench_search_like_baseline(benchmark, big_store, which):
    with big_store.read() as session:
        conn = session.connection()

        def like():
            return conn.exec_driver_sql(
                "SELECT DISTINCT case_id FROM saved_record WHERE payload LIKE ?",
                (f"%{WORDS[which]}%",),
            ).all()

        assert benchmark(like)
    RESULTS[f"like_{which}"] = benchmark.stats.stats.median


@pytest.mark.parametrize("which", WORDS)
def test_bench_search_fts(benchmark, big_store, which):
    hits = benchmark(cases.search, big_store, query=WORDS[which])
    assert hits
    _ratio(benchmark, f"like_{which}")


def test_bench_save_baseline_bare_insert(benchmark, tmp_path):
    conn = sqlcipher3.connect(str(tmp_path / "raw.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, payload TEXT)")
    payload = str(complete_sharing_decision().to_dict())

    def insert():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO r (payload) VALUES (?)", (payload,))
        conn.execute("COMMIT")

    benchmark(insert)
    conn.close()
    RESULTS["bare_insert"] = benchmark.stats.stats.median


def test_bench_save_sharing_decision(benchmark, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    draft = complete_sharing_decision()
    benchmark(records.record_sharing_decision, admin_store, case_id=case_id, draft=draft)
    _ratio(benchmark, "bare_insert")
