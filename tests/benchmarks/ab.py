"""Interleaved A/B measurement: every benchmark's figure beside a floor of the same run.

    from tests.benchmarks.ab import compare

    def test_bench_search(benchmark, store):
        result = compare(
            benchmark,
            work=lambda: cases.search(store, query="child"),   # what the user waits for
            floor=lambda: bare_match(store, "child"),           # the fair floor
            floor_name="bare MATCH ... LIMIT 50",
        )
        assert result.ratio < 3

The two run alternately (floor, work, floor, work, ...) so a load spike on the shared
machine falls on both; the work's timings are pytest-benchmark's own (its table, its
JSON), and the floor's median, min and max and the ratio of the medians go in
``extra_info`` and a printed line. ``prepare`` runs untimed before every timed call of
either side (a new view, cleared caches: a cold measurement).

``record(...)`` also keeps each comparison for the session's summary table (the scale
benchmarks print theirs in markdown; see tests/benchmarks/scale/conftest.py).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RESULTS",
    "VALUES",
    "Comparison",
    "Figures",
    "compare",
    "measure",
    "record",
    "record_value",
]


@dataclass(frozen=True)
class Figures:
    """Timings of one side, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def __str__(self) -> str:
        return f"{_fmt(self.median)} (min {_fmt(self.min)}, max {_fmt(self.max)})"


@dataclass(frozen=True)
class Comparison:
    """The work beside its floor, measured in the same run, interleaved."""

    name: str
    work: Figures
    floor: Figures
    floor_name: str

    @property
    def ratio(self) -> float:
        """Median of the work over median of the floor."""
        return self.work.median / self.floor.median if self.floor.median > 0 else float("inf")

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.work} vs {self.floor_name} {self.floor}: "
            f"x{self.ratio:.2f} (ratio of medians, {len(self.work.samples)} rounds each)"
        )


#: Every comparison of this session, in the order measured (for summary tables).
RESULTS: list[tuple[dict[str, Any], Comparison]] = []
#: Figures that are not timings (a size, a rate, peak memory), for the same tables.
VALUES: list[tuple[dict[str, Any], str]] = []


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(
    work: Callable[[], object],
    floor: Callable[[], object],
    *,
    rounds: int = 7,
    warmup: int = 1,
    prepare: Callable[[], object] | None = None,
    name: str = "work",
    floor_name: str = "floor",
) -> Comparison:
    """Time `floor` and `work` alternately, `rounds` times each after `warmup` untimed
    pairs (none for a cold measurement), with `prepare` untimed before each call."""
    work_times: list[float] = []
    floor_times: list[float] = []
    for n in range(warmup + rounds):
        for fn, out in ((floor, floor_times), (work, work_times)):
            if prepare is not None:
                prepare()
            elapsed = _timed(fn)
            if n >= warmup:
                out.append(elapsed)
    return Comparison(name, Figures(tuple(work_times)), Figures(tuple(floor_times)), floor_name)


def compare(
    benchmark: Any,
    *,
    work: Callable[[], object],
    floor: Callable[[], object],
    rounds: int = 7,
    warmup: int = 1,
    prepare: Callable[[], object] | None = None,
    floor_name: str = "floor",
    name: str | None = None,
    labels: dict[str, Any] | None = None,
) -> Comparison:
    """`measure` through pytest-benchmark's fixture: the work's rounds are the
    benchmark's own; the floor runs (timed here) in each round's untimed setup, so the
    two alternate. Returns the comparison, also kept in RESULTS with `labels`."""
    floor_times: list[float] = []
    calls = {"n": 0}

    def setup() -> None:
        if prepare is not None:
            prepare()
        elapsed = _timed(floor)
        if calls["n"] >= warmup:
            floor_times.append(elapsed)
        calls["n"] += 1
        if prepare is not None:
            prepare()

    benchmark.pedantic(work, setup=setup, rounds=rounds, warmup_rounds=warmup, iterations=1)
    data = getattr(benchmark.stats, "stats", None)
    raw = tuple(getattr(data, "data", ()) or ())
    comparison = Comparison(
        name or benchmark.name, Figures(raw), Figures(tuple(floor_times)), floor_name
    )
    benchmark.extra_info.update(
        {
            "floor": floor_name,
            "floor_median_s": round(comparison.floor.median, 6),
            "floor_min_s": round(comparison.floor.min, 6),
            "floor_max_s": round(comparison.floor.max, 6),
            "ratio_of_medians": round(comparison.ratio, 2),
        }
    )
    print(f"\n{comparison}")
    record(comparison, labels)
    return comparison


def record(comparison: Comparison, labels: dict[str, Any] | None = None) -> Comparison:
    """Keep a comparison for the session's summary table."""
    RESULTS.append((dict(labels or {}), comparison))
    return comparison


def record_value(text: str, labels: dict[str, Any]) -> str:
    """Keep a figure that is not a timing (e.g. "4.1 KB per record") for the table."""
    VALUES.append((dict(labels), text))
    print(f"\n{labels.get('work', '')} {labels.get('size', '')}: {text}")
    return text
