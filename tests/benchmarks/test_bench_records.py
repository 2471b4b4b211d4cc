"""Issue 3 benchmarks: checklist, chronology, search and saving, each beside a floor
measured interleaved in the same run (tests/benchmarks/ab.py)."""

from __future__ import annotations

import os

import pytest
import sqlcipher3

from infoshare_desktop.domain import check_sharing_decision, utcnow
from infoshare_desktop.services import cases, records
from infoshare_desktop.store.search import match_expression
from tests.benchmarks.ab import compare
from tests.domain.factories import complete_case, complete_sharing_decision

#: a common word (in every "shared in part" record, about 15% of them), a surname (in
#: about one case in twenty, and in recipients' names) and two letters typed.
QUERIES = {"common": "counselling", "surname": "Pennock", "two letters": "ch"}


def bare_match(store, query: str, limit: int = 50) -> list:
    """The floor of a search: a bare FTS5 MATCH on the same index, LIMIT 50, unranked."""
    with store.read() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT rowid FROM search_index WHERE search_index MATCH ? LIMIT ?",
                (match_expression(query), limit),
            )
            .all()
        )


def test_bench_checklist_full_draft(benchmark):
    draft, now = complete_sharing_decision(), utcnow()
    benchmark(check_sharing_decision, draft, now=now)


def test_bench_chronology_200_of_100k(benchmark, big_store):
    (case,) = cases.list_cases(big_store, limit=1)

    def bare():
        with big_store.read() as session:
            session.connection().exec_driver_sql(
                "SELECT id, kind, subkind, summary, occurred_at FROM saved_record "
                "WHERE case_id = ? ORDER BY occurred_at",
                (case.case_id,),
            ).all()

    compare(
        benchmark,
        work=lambda: cases.chronology(big_store, case_id=case.case_id),
        floor=bare,
        floor_name="bare indexed SELECT of the case's rows",
    )
    assert len(cases.chronology(big_store, case_id=case.case_id)) == 200


@pytest.mark.parametrize("which", QUERIES)
def test_bench_search(benchmark, big_store, which):
    query = QUERIES[which]
    assert bare_match(big_store, query)
    compare(
        benchmark,
        work=lambda: cases.search(big_store, query=query),
        floor=lambda: bare_match(big_store, query),
        floor_name="bare MATCH ... LIMIT 50",
        labels={"work": f"search {which!r}"},
    )


def _bare_insert_commit(tmp_path):
    """An insert and a durable commit on a raw SQLCipher file with the store's sync
    settings (WAL, synchronous=FULL)."""
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

    return conn, insert


def test_bench_save_sharing_decision(benchmark, admin_store, tmp_path):
    case_id = cases.create_case(admin_store, draft=complete_case())
    draft = complete_sharing_decision()
    conn, insert = _bare_insert_commit(tmp_path)
    compare(
        benchmark,
        work=lambda: records.record_sharing_decision(admin_store, case_id=case_id, draft=draft),
        floor=insert,
        floor_name="bare insert + commit (WAL, FULL)",
        rounds=30,
        warmup=3,
    )
    conn.close()
