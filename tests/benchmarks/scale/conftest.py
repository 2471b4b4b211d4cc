"""The scale benchmarks (`make bench-scale`): demo stores of 10k, 100k and 1M records (20
per case), built once and cached under `.bench-cache/`, keyed by the demo's and the
schema's source (a change to either rebuilds them), then every figure of issue 13's
table beside its same-run floor. The table is printed in markdown at the end of the run
and written to `.bench-cache/scale-results.md`.

They run only when asked: `INFOSHARE_SCALE_SIZES=10k,100k,1M` (what `make bench-scale`
sets; `make bench-scale SIZES=10k` for one size); `make bench` skips them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from infoshare_desktop.paths import DataPaths
from tests.benchmarks import ab

ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / ".bench-cache"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
PER_CASE = 20
#: One case of this many records is added to each store, for "open a case".
LARGE_CASE = 200
ENV = "INFOSHARE_SCALE_SIZES"


def asked_sizes() -> list[str]:
    return [s.strip() for s in os.environ.get(ENV, "").split(",") if s.strip() in SIZES]


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"scale benchmarks run by `make bench-scale` ({ENV})")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.scale)
            if not asked_sizes():
                item.add_marker(skip)
    # Smallest store first, each store's tests together (built once each); sign-in last
    # in each (at 1M a crash there, the reliability issue's Qt bug, loses nothing else).
    order = list(SIZES)

    def key(item):
        spec = getattr(item, "callspec", None)
        size = spec.params.get("size", "10k") if spec is not None else "10k"
        return (order.index(size) if size in order else 0, "sign_in" in item.name)

    items.sort(key=key)


def pytest_generate_tests(metafunc):
    if "size" in metafunc.fixturenames:
        metafunc.parametrize("size", asked_sizes() or ["10k"], scope="session")


def cache_key() -> str:
    """A digest of what decides a demo store's content and layout."""
    digest = hashlib.sha256()
    package = ROOT / "infoshare_desktop"
    sources = sorted(
        [*(package / "demo").glob("*.py"), *(package / "store" / "migrations").rglob("*.py")]
    )
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class ScaleStore:
    size: str
    records: int
    paths: DataPaths
    build: dict  # seconds and rates measured when it was built


def _build(folder: Path, records: int) -> dict:
    from infoshare_desktop.demo import DEMO_PASSWORD, RateReport, create_demo_store, populate
    from infoshare_desktop.services import accounts

    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    paths = DataPaths(building / "data")
    lines: list[str] = []
    report = RateReport(lambda line: (lines.append(line), print(line, flush=True)))
    started = time.perf_counter()
    create_demo_store(paths, cases=records // PER_CASE, records=records, progress=report)
    seconds = time.perf_counter() - started
    report.finish()
    store = accounts.sign_in(paths, username="demo.practitioner", password=DEMO_PASSWORD)
    try:
        populate(store, cases=1, records=LARGE_CASE, seed=7)
    finally:
        store.close()
    info = {
        "records": records,
        "seconds": seconds,
        "rate": records / seconds,
        "rates": {str(k): v for k, v in report.rates.items()},
        "cpu_rates": {str(k): v for k, v in report.cpu_rates.items()},
        "interval_rates": {str(k): v for k, v in report.interval_rates.items()},
        "interval_cpu_rates": {str(k): v for k, v in report.interval_cpu_rates.items()},
        "lines": lines,
    }
    (building / "build.json").write_text(json.dumps(info, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return info


@pytest.fixture(scope="session")
def scale_store(size) -> ScaleStore:
    """The cached demo store of `size` records (built now if missing or stale)."""
    records = SIZES[size]
    key = cache_key()
    folder = CACHE / f"demo-{size}-{key}"
    if not (folder / "build.json").exists():
        for stale in CACHE.glob(f"demo-{size}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        CACHE.mkdir(exist_ok=True)
        _build(folder, records)
    info = json.loads((folder / "build.json").read_text())
    return ScaleStore(size, records, DataPaths(folder / "data"), info)


@pytest.fixture
def practitioner(scale_store):
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    store = accounts.sign_in(
        scale_store.paths, username="demo.practitioner", password=DEMO_PASSWORD
    )
    yield store
    store.close()


@pytest.fixture
def admin(scale_store):
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    store = accounts.sign_in(scale_store.paths, username="demo.admin", password=DEMO_PASSWORD)
    yield store
    store.close()


def _spread(figures: ab.Figures) -> str:
    """A median with its min and max: "12.3 ms (10.1 ms–15.0 ms)"."""
    return f"{ab._fmt(figures.median)} ({ab._fmt(figures.min)}–{ab._fmt(figures.max)})"


def scale_table() -> str:
    """Issue 13's table: work / 10k / 100k / 1M / same-run floor, in markdown. A cell is
    the work's median (min–max) and its ratio to the floor's median in the same run; the
    last column names the floor and gives its median (min–max) at each size."""
    rows: dict[str, dict[str, str]] = {}
    floors: dict[str, tuple[str, dict[str, str]]] = {}
    for labels, comparison in ab.RESULTS:
        if "size" not in labels:
            continue
        work, size = labels.get("work", comparison.name), labels["size"]
        rows.setdefault(work, {})[size] = f"{_spread(comparison.work)} (x{comparison.ratio:.2f})"
        name, medians = floors.setdefault(work, (comparison.floor_name, {}))
        medians[size] = _spread(comparison.floor)
    for labels, text in ab.VALUES:
        if "size" in labels:
            rows.setdefault(labels["work"], {})[labels["size"]] = text
            if "floor" in labels:
                floors.setdefault(labels["work"], (labels["floor"], {}))
    lines = ["| work | 10k | 100k | 1M | same-run floor |", "|---|---|---|---|---|"]
    for work, cells in rows.items():
        values = " | ".join(cells.get(size, "") for size in SIZES)
        name, medians = floors.get(work, ("", {}))
        at_sizes = " / ".join(medians[s] for s in SIZES if s in medians)
        floor = f"{name}: {at_sizes}" if at_sizes else name
        lines.append(f"| {work} | {values} | {floor} |")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if not any("size" in labels for labels, _ in (*ab.RESULTS, *ab.VALUES)):
        return
    table = scale_table()
    terminalreporter.write_line("")
    terminalreporter.write_line(
        "Issue 13 at scale (median; in brackets, x the floor's median in the same run):"
    )
    terminalreporter.write_line(table)
    CACHE.mkdir(exist_ok=True)
    (CACHE / "scale-results.md").write_text(table + "\n")
