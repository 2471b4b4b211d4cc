"""Search, four kinds of query, beside a bare `MATCH ... LIMIT 50` on the same index."""

from __future__ import annotations

import pytest

from infoshare_desktop.services import cases
from tests.benchmarks.ab import compare
from tests.benchmarks.test_bench_records import bare_match

#: a word in nearly every record, two letters typed, a surname, a case reference
QUERIES = {
    "a word in every record ('child')": "child",
    "two letters ('ch')": "ch",
    "a surname ('Pennock')": "Pennock",
    "a reference": None,
}


@pytest.mark.parametrize("which", QUERIES)
def test_scale_search(benchmark, scale_store, practitioner, which):
    query = QUERIES[which]
    if query is None:
        (case,) = cases.list_cases(practitioner, limit=1, sort="reference")
        query = case.case_reference
    compare(
        benchmark,
        work=lambda: cases.search(practitioner, query=query),
        floor=lambda: bare_match(practitioner, query),
        floor_name="bare MATCH ... LIMIT 50",
        labels={"work": f"search: {which}", "size": scale_store.size},
    )
