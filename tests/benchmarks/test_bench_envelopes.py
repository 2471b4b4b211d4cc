"""Issue 12 parts 3 and 6: what signed envelopes cost, each beside a same-run baseline.

- saving a sharing decision with envelopes, beside the same save in the same code on a
  copy of the store with envelopes off (a store not yet carried over writes the rows and
  the audit entry only, exactly the path before envelopes), interleaved (ab.py);
- opening a 200-record case (open_case + chronology) of the 100,000-record store, beside
  the same store with the envelope table emptied and vacuumed (the layout before),
  interleaved;
- verify of the 100,000 envelopes (full), and `verify --full` as a whole, beside the
  same envelopes' signatures checked in line (wall and CPU seconds), and the
  incremental verify after one more save;
- the full verify's peak memory (tracemalloc) at 100,000.

Run: `make bench PYTEST_ARGS="-k envelopes"` (the 100,000-record store takes a minute or
two to build).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import tracemalloc

import pytest

from infoshare_desktop.services import cases, maintenance, records
from infoshare_desktop.store import envelopes, grants, sigcheck
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.signing import Context
from infoshare_desktop.store.writes import raw_connection
from tests.benchmarks.ab import compare
from tests.domain.factories import complete_advice, complete_sharing_decision


def _envelopes_off(paths) -> None:
    """This store as before envelopes: saves write rows and audit entries only."""
    from infoshare_desktop.store.keyslots import Keystore

    key = Keystore.load(paths.keystore).unlock("demo.admin", "demo store passphrase").current_key
    conn = raw_connect(paths.database, key)
    try:
        conn.execute("UPDATE envelope_state SET carried_at = NULL")
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def save_stores(tmp_path_factory):
    """Two copies of one 10,000-record demo store: as it is, and with envelopes off."""
    from infoshare_desktop.demo import create_demo_store
    from infoshare_desktop.paths import DataPaths

    root = tmp_path_factory.mktemp("save")
    now = DataPaths(root / "now" / "data")
    create_demo_store(now, cases=500, records=10_000)
    before = DataPaths(root / "before" / "data")
    shutil.copytree(now.root, before.root)
    _envelopes_off(before)
    return now, before


def test_bench_save_sharing_decision_beside_the_save_without_its_envelope(benchmark, save_stores):
    """Issue 12: saving a sharing decision at most 1.3x today's save. The floor is the
    same save in the same code on a copy of the same store with envelopes off (a store
    not carried over yet): the rows, the review entry and the signed audit entry, all
    that a save did before envelopes; the work adds building, signing and writing the
    envelope. Interleaved, so the load falls on both."""
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    opened = [
        accounts.sign_in(paths, username="demo.practitioner", password=DEMO_PASSWORD)
        for paths in save_stores
    ]
    try:
        now, before = opened
        (case,) = cases.list_cases(now, limit=1)
        (old_case,) = cases.list_cases(before, limit=1)
        draft = complete_sharing_decision()
        result = compare(
            benchmark,
            work=lambda: records.record_sharing_decision(now, case_id=case.case_id, draft=draft),
            floor=lambda: records.record_sharing_decision(
                before, case_id=old_case.case_id, draft=draft
            ),
            floor_name="the same save with envelopes off",
            rounds=40,
            warmup=3,
        )
        with now.read() as session:
            assert envelopes.active(session)
        with before.read() as session:
            assert not envelopes.active(session)
        print(f"saving a sharing decision: x{result.ratio:.2f} today's save (target 1.3)")
        assert result.ratio > 0
    finally:
        for store in opened:
            store.close()


@pytest.fixture(scope="module")
def old_layout(big_store_paths, tmp_path_factory):
    """A copy of the 100,000-record store without its envelopes (the layout before)."""
    from infoshare_desktop.paths import DataPaths

    paths = DataPaths(tmp_path_factory.mktemp("old") / "data")
    shutil.copytree(big_store_paths.root, paths.root)
    from infoshare_desktop.store.keyslots import Keystore

    key = Keystore.load(paths.keystore).unlock("demo.admin", "demo store passphrase").current_key
    conn = raw_connect(paths.database, key)
    conn.execute("DROP TRIGGER envelope_no_delete")
    conn.execute("DELETE FROM envelope")
    conn.execute("UPDATE envelope_state SET carried_at = NULL")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return paths


def _open_200(store) -> int:
    (case,) = cases.list_cases(store, limit=1)
    cases.open_case(store, case_id=case.case_id)
    return len(cases.chronology(store, case_id=case.case_id))


def test_bench_open_200_record_case_beside_the_layout_before_envelopes(
    benchmark, big_store, old_layout
):
    """Issue 12: opening a 200-record case within 20% of today. The floor is the same
    100,000-record store with its envelope table emptied and vacuumed (the file as it
    was before envelopes), opened by the same code, interleaved."""
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    before = accounts.sign_in(old_layout, username="demo.practitioner", password=DEMO_PASSWORD)
    try:
        assert _open_200(big_store) == _open_200(before) == 200
        result = compare(
            benchmark,
            work=lambda: _open_200(big_store),
            floor=lambda: _open_200(before),
            floor_name="the same store without its envelopes",
            rounds=15,
            warmup=2,
        )
        print(f"opening a 200-record case: x{result.ratio:.2f} today (target within 20%)")
    finally:
        before.close()


def _checker(store):
    with store.read() as session:
        trust = grants.load(raw_connection(session), store.keystore.store_id)
    return trust, store.keystore.store_id


def _signature_floor(store):
    """The envelopes' signatures checked in line, one after another, and nothing else:
    what the walk cost in signatures alone before they went to the helper process."""
    trust, _ = _checker(store)
    with store.read() as session:
        rows = (
            raw_connection(session)
            .execute(f"SELECT {envelopes._COLUMNS} FROM envelope ORDER BY pos")
            .fetchall()
        )
    found = [envelopes._stored(r) for r in rows]
    keys = {
        e.author_id: [k for _, k in reversed(trust.sign_keys.get(e.author_id, [])) if k]
        for e in found
    }
    items = [(e.author_id, e.signed_bytes(), e.signature) for e in found]
    return lambda: sigcheck.check(Context.ENVELOPE, keys, items)


class _Cpu:
    """CPU seconds (user + system) of this process and its waited-for children (the
    helper) spent in the calls it wraps, one figure per call."""

    def __init__(self, fn):
        self.fn, self.samples = fn, []

    @staticmethod
    def now() -> float:
        me, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def __call__(self):
        start = self.now()
        try:
            return self.fn()
        finally:
            self.samples.append(self.now() - start)


def test_bench_verify_100k_envelopes_full(benchmark, big_store):
    """Issue 12: `verify` of 100,000 envelopes under 15 s on this machine. The work is
    the full envelope check (signatures in the helper process, order, chain, every
    projected table and the trigger-kept tables rebuilt and compared); the floor is the
    same envelopes' signatures checked in line and nothing else. Wall and CPU seconds
    (this process and the helper) are both reported: the machine is shared."""
    trust, store_id = _checker(big_store)
    reports = []

    def full():
        with big_store.read() as session:
            reports.append(
                envelopes.verify_envelopes(
                    session, trust, store_id=store_id, user_id=None, full=True
                )
            )

    work, floor = _Cpu(full), _Cpu(_signature_floor(big_store))
    load = os.getloadavg()
    result = compare(
        benchmark,
        work=work,
        floor=floor,
        floor_name="the same signatures checked in line, nothing else",
        rounds=3,
        warmup=0,
    )
    report = reports[-1]
    assert report.ok and report.checked >= 100_500, report.problems[:5]
    assert report.triggered_checked
    cpu, floor_cpu = statistics.median(work.samples), statistics.median(floor.samples)
    benchmark.extra_info.update(
        envelopes=report.checked,
        cpu_median_s=round(cpu, 2),
        floor_cpu_median_s=round(floor_cpu, 2),
        load_before=[round(x, 1) for x in load],
        load_after=[round(x, 1) for x in os.getloadavg()],
    )
    print(
        f"full verify of {report.checked} envelopes: wall {result.work}, CPU {cpu:.2f} s "
        f"(signatures alone in line: wall {result.floor}, CPU {floor_cpu:.2f} s); load "
        f"{load[0]:.1f} -> {os.getloadavg()[0]:.1f}"
    )


def test_bench_verify_command_100k_full(benchmark, big_store):
    """What a user waits for: `verify --full` (integrity checks, the audit chain with its
    signatures, grants, the envelopes as above), beside the same floor."""
    work, floor = (
        _Cpu(lambda: maintenance.verify(big_store, full=True)),
        _Cpu(_signature_floor(big_store)),
    )
    load = os.getloadavg()
    result = compare(
        benchmark,
        work=work,
        floor=floor,
        floor_name="the envelopes' signatures checked in line, nothing else",
        rounds=2,
        warmup=0,
    )
    cpu = statistics.median(work.samples)
    benchmark.extra_info.update(cpu_median_s=round(cpu, 2), load_before=round(load[0], 1))
    print(f"verify --full at 100,000: wall {result.work}, CPU {cpu:.2f} s, load {load[0]:.1f}")


def test_bench_verify_100k_envelopes_peak_memory(benchmark, big_store):
    trust, store_id = _checker(big_store)

    def traced():
        tracemalloc.start()
        try:
            with big_store.read() as session:
                envelopes.verify_envelopes(
                    session, trust, store_id=store_id, user_id=None, full=True
                )
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak = benchmark.pedantic(traced, rounds=1, iterations=1)
    benchmark.extra_info["peak_mib"] = round(peak / 2**20, 1)
    print(f"\nfull verify of 100,000 envelopes: peak traced memory {peak / 2**20:.1f} MiB")
    assert peak < 250 * 2**20


def test_bench_verify_incremental_after_one_save(benchmark, big_store):
    """The envelope check of a store this user has verified already: one more save, then
    the check of what is new and the signed record of it (the rest of `verify`, the
    integrity check and the audit chain, is issue 13's)."""
    trust, store_id = _checker(big_store)
    user_id = big_store.user.user_id
    with big_store.write() as session:
        report = envelopes.verify_envelopes(
            session, trust, store_id=store_id, user_id=user_id, full=True
        )
        envelopes.record_check(session, big_store.signer, store_id=store_id, report=report)
    (case,) = cases.list_cases(big_store, limit=1)

    def one_more_then_verify():
        records.record_advice(big_store, case_id=case.case_id, draft=complete_advice())
        with big_store.write() as session:
            found = envelopes.verify_envelopes(session, trust, store_id=store_id, user_id=user_id)
            envelopes.record_check(session, big_store.signer, store_id=store_id, report=found)
        return found

    found = benchmark.pedantic(one_more_then_verify, rounds=5, iterations=1)
    assert found.ok and found.checked == 1 and found.after > 100_000
