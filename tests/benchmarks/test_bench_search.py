"""Search and the case list's first page, each beside its floor in the same run.

- Search, four kinds of query (a word in nearly every record, two letters, a surname, a
  case reference, and a word in about 15% of records): `services.cases.search` as the
  worker thread runs it (ranked cases, identities, snippets, NHS numbers), beside a bare
  `MATCH ... LIMIT 50` on the same indexes (the case index, then the record index).
- The case list's first page (200 cases, newest activity first): `list_cases`, beside
  its own bare SQL (the same page by the same index, rows fetched, nothing built).

Floor and work alternate (floor, work, floor, work...) so a load spike on the shared
machine falls on both; the floor's median, min and max and the ratio of the medians go
in extra_info. The 1M-record figures come from `make bench-scale` (tests/benchmarks/scale).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from infoshare_desktop.services import cases
from infoshare_desktop.store.search import match_expression

ROUNDS = 15
QUERIES = {
    "word in every record": "child",
    "two letters": "ch",
    "surname": "Pennock",
    "reference": None,  # the first case's, by reference
    "word in 15% of records": "counselling",
}


def bare_match(store, query: str, limit: int = 50) -> list:
    """The floor of a search: bare FTS5 MATCHes on the same indexes, LIMIT 50 rows in
    all, unranked, nothing looked up (the two letters a search refuses match as a word)."""
    match = match_expression(query)
    with store.read() as session:
        conn = session.connection()
        rows = conn.exec_driver_sql(
            "SELECT rowid FROM case_index WHERE case_index MATCH ? LIMIT ?", (match, limit)
        ).all()
        if len(rows) < limit:
            rows += conn.exec_driver_sql(
                "SELECT rowid FROM search_index WHERE search_index MATCH ? LIMIT ?",
                (match, limit - len(rows)),
            ).all()
        return rows


def bare_first_page(store, limit: int = 200) -> list:
    """The floor of the case list: its first page by the same index, rows only."""
    with store.read() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT f.*, s.records, s.last_activity, s.late_entries, s.harm_concern "
                "FROM case_stats AS s JOIN case_file AS f ON f.id = s.case_id "
                "WHERE f.restricted = 0 ORDER BY s.last_activity DESC LIMIT ?",
                (limit,),
            )
            .all()
        )


def interleaved(benchmark, work: Callable[[], object], floor: Callable[[], object]) -> float:
    """Time `work` with pytest-benchmark, `floor` untimed by it just before each round;
    returns (and records) the ratio of the medians."""
    floors: list[float] = []

    def setup() -> None:
        start = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - start)

    benchmark.pedantic(work, setup=setup, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    median = statistics.median(floors)
    ratio = benchmark.stats.stats.median / median
    benchmark.extra_info.update(
        floor_median_ms=round(median * 1000, 3),
        floor_min_ms=round(min(floors) * 1000, 3),
        floor_max_ms=round(max(floors) * 1000, 3),
        ratio_to_floor=round(ratio, 1),
    )
    print(
        f"\n{benchmark.name}: work {benchmark.stats.stats.median * 1000:.2f} ms, "
        f"floor {median * 1000:.2f} ms, ratio {ratio:.1f}"
    )
    return ratio


@pytest.mark.parametrize("which", QUERIES)
def test_bench_search_beside_bare_match(benchmark, big_store, which):
    query = QUERIES[which]
    if query is None:
        (first,) = cases.list_cases(big_store, limit=1, sort="reference", descending=False)
        query = first.case_reference
    hits = cases.search(big_store, query=query)
    assert bool(hits) == (which != "two letters")  # two letters search nothing (and say so)
    interleaved(
        benchmark,
        work=lambda: cases.search(big_store, query=query),
        floor=lambda: bare_match(big_store, query),
    )


def test_bench_case_list_first_page_beside_its_bare_query(benchmark, big_store):
    assert len(cases.list_cases(big_store, limit=200)) == len(bare_first_page(big_store))
    interleaved(
        benchmark,
        work=lambda: cases.list_cases(big_store, limit=200),
        floor=lambda: bare_first_page(big_store),
    )
