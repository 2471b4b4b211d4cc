"""Issue 12 part 4 benchmarks: what sealed content costs, beside same-run baselines.

- a sharing decision saved on an ordinary case (the baseline) and on a restricted case
  (summary and payload sealed under the case key, no shared index row);
- the ordinary save with the one extra lookup sealing added (is the case restricted?)
  taken out again, so any change to an ordinary save shows as a ratio;
- opening a 200-record case (open, chronology, one record's details) ordinary and
  restricted;
- building a member's in-memory search index over 5 restricted cases of 40 records.
"""

from __future__ import annotations

from infoshare_desktop.services import cases, member_search, records
from infoshare_desktop.store import cases as case_rows
from tests.domain.factories import complete_case, complete_sharing_decision

RESULTS: dict[str, float] = {}
CASE_RECORDS = 200


def _saver(store, *, restricted: bool):
    case_id = cases.create_case(store, draft=complete_case(restricted=restricted))
    draft = complete_sharing_decision()
    return lambda: records.record_sharing_decision(store, case_id=case_id, draft=draft)


def _ratio(benchmark, baseline: str) -> None:
    if baseline in RESULTS:
        benchmark.extra_info[f"ratio_to_{baseline}"] = round(
            benchmark.stats.stats.median / RESULTS[baseline], 3
        )


def test_bench_save_ordinary_without_the_restricted_lookup(benchmark, admin_store, monkeypatch):
    save = _saver(admin_store, restricted=False)
    monkeypatch.setattr(case_rows, "is_restricted", lambda tx, case_id: False)
    benchmark(save)
    RESULTS["ordinary_save_as_before"] = benchmark.stats.stats.median


def test_bench_save_ordinary(benchmark, admin_store):
    save = _saver(admin_store, restricted=False)
    benchmark(save)
    RESULTS["ordinary_save"] = benchmark.stats.stats.median
    _ratio(benchmark, "ordinary_save_as_before")


def test_bench_save_restricted(benchmark, admin_store):
    save = _saver(admin_store, restricted=True)
    benchmark(save)
    _ratio(benchmark, "ordinary_save")


def _opener(store, *, restricted: bool):
    case_id = cases.create_case(store, draft=complete_case(restricted=restricted))
    draft = complete_sharing_decision()
    for _ in range(CASE_RECORDS):
        records.record_sharing_decision(store, case_id=case_id, draft=draft)

    def run() -> None:
        cases.open_case(store, case_id=case_id)
        rows = cases.chronology(store, case_id=case_id)
        cases.record_detail(store, record_id=rows[-1].record_id)

    return run


def test_bench_open_ordinary_case(benchmark, admin_store):
    benchmark(_opener(admin_store, restricted=False))
    RESULTS["ordinary_open"] = benchmark.stats.stats.median


def test_bench_open_restricted_case(benchmark, admin_store):
    benchmark(_opener(admin_store, restricted=True))
    _ratio(benchmark, "ordinary_open")


def test_bench_member_index_build(benchmark, admin_store):
    """The in-memory index of 5 restricted cases of 40 records each, built from scratch
    (as at the first search after sign-in)."""
    draft = complete_sharing_decision()
    for _ in range(5):
        case_id = cases.create_case(admin_store, draft=complete_case(restricted=True))
        for _ in range(40):
            records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    user_id = admin_store.user.user_id

    def build() -> None:
        member_search.invalidate(admin_store)
        with admin_store.read() as session:
            member_search.index_for(admin_store, session, user_id)

    benchmark.pedantic(build, rounds=5, iterations=1)
    benchmark.extra_info["cases"] = 5
    benchmark.extra_info["records"] = 200
