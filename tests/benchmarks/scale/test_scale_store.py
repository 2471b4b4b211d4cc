"""What the store holds and costs to build: size per record, the demo build rate (as
measured when the cached store was built), peak memory with the store open. Not
timings: each is measured once through the benchmark fixture (so `--benchmark-only` runs
it) and goes into the table with `record_value`."""

from __future__ import annotations

import subprocess
import sys

from tests.benchmarks.ab import record_value
from tests.benchmarks.scale.conftest import LARGE_CASE, ROOT
from tests.benchmarks.test_bench_case_screens import PEAK_SCRIPT


def test_scale_store_size_per_record(benchmark, scale_store):
    database = scale_store.paths.database

    def measure() -> int:
        files = database.parent.glob(database.name + "*")
        return sum(p.stat().st_size for p in files if p.is_file())

    size = benchmark.pedantic(measure, rounds=1, iterations=1)
    per_record = size / (scale_store.records + LARGE_CASE)
    record_value(
        f"{per_record / 1000:.2f} KB per record ({size / 1e9:.2f} GB)",
        {"work": "store size", "size": scale_store.size, "floor": "target 5 KB per record"},
    )


def test_scale_demo_build_rate(benchmark, scale_store):
    build = benchmark.pedantic(lambda: scale_store.build, rounds=1, iterations=1)
    cpu = build.get("cpu_rates", {})
    step, step_cpu = build.get("interval_rates", {}), build.get("interval_cpu_rates", {})
    marks = "; ".join(
        f"at {int(mark):,}: {rate:,.0f}/s, {cpu.get(mark, 0):,.0f}/CPU s, "
        f"since the mark before {step.get(mark, 0):,.0f}/s, {step_cpu.get(mark, 0):,.0f}/CPU s"
        for mark, rate in build["rates"].items()
    )
    record_value(
        f"{build['seconds']:.0f} s in all ({marks})",
        {"work": "demo build", "size": scale_store.size, "floor": "constant rate, 1M < 10 min"},
    )


def test_scale_peak_memory_with_the_store_open(benchmark, scale_store):
    """A fresh process signs in, opens the main window, the case list and the 200-record
    case, and reports its VmHWM (the benchmark's time is that whole process)."""

    def measure():
        return subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, str(scale_store.paths.root), str(ROOT)],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )

    out = benchmark.pedantic(measure, rounds=1, iterations=1)
    mib = int(out.stdout.strip().splitlines()[-1]) / 1024
    record_value(
        f"{mib:.0f} MB",
        {"work": "peak memory, store open", "size": scale_store.size, "floor": "target 250 MB"},
    )
