"""Issue 12 parts 3 and 6: what signed envelopes cost, each beside a same-run baseline.

- saving a sharing decision with envelopes, beside the same save in the same code with
  envelopes off (a store not yet carried over writes the rows and the audit entry only,
  exactly the path before envelopes, plus building the rows from the payload);
- opening a 200-record case (open_case + chronology) of the 100,000-record store, beside
  the same store with the envelope table dropped and vacuumed (the layout before);
- verify of the 100,000 envelopes (full), beside the audit chain's own verify of the same
  store, and the incremental verify after one more save;
- the full verify's peak memory (tracemalloc) at 100,000.

Run: `make bench PYTEST_ARGS="-k envelopes"` (the 100,000-record store takes a minute or
two to build).
"""

from __future__ import annotations

import shutil
import tracemalloc

import pytest

from infoshare_desktop.services import cases, maintenance, records
from infoshare_desktop.store import audit, envelopes, grants
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.writes import raw_connection
from tests.benchmarks.conftest import ratio
from tests.domain.factories import complete_advice, complete_case, complete_sharing_decision

RESULTS: dict[str, object] = {}


def _envelopes_off(store) -> None:
    """This store as before envelopes: saves write rows and audit entries only."""
    with store.write() as session:
        raw_connection(session).execute("UPDATE envelope_state SET carried_at = NULL")


def test_bench_save_sharing_decision_without_envelopes(benchmark, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    _envelopes_off(admin_store)
    draft = complete_sharing_decision()
    benchmark(records.record_sharing_decision, admin_store, case_id=case_id, draft=draft)
    RESULTS["save_without"] = benchmark.stats
    with admin_store.read() as session:
        assert not envelopes.active(session)


def test_bench_save_sharing_decision_with_envelopes(benchmark, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    draft = complete_sharing_decision()
    benchmark(records.record_sharing_decision, admin_store, case_id=case_id, draft=draft)
    if "save_without" in RESULTS:
        assert ratio(benchmark, RESULTS["save_without"]) > 0
    assert maintenance.verify(admin_store, full=True).ok


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


def test_bench_open_200_record_case_before_envelopes(benchmark, old_layout):
    from infoshare_desktop.demo import DEMO_PASSWORD
    from infoshare_desktop.services import accounts

    store = accounts.sign_in(old_layout, username="demo.practitioner", password=DEMO_PASSWORD)
    try:
        assert benchmark(_open_200, store) == 200
    finally:
        store.close()
    RESULTS["open_before"] = benchmark.stats


def test_bench_open_200_record_case_with_envelopes(benchmark, big_store):
    assert benchmark(_open_200, big_store) == 200
    if "open_before" in RESULTS:
        assert ratio(benchmark, RESULTS["open_before"]) > 0


def _checker(store):
    with store.read() as session:
        trust = grants.load(raw_connection(session), store.keystore.store_id)
    return trust, store.keystore.store_id


def test_bench_verify_audit_chain_100k_baseline(benchmark, big_store):
    trust, _ = _checker(big_store)

    def chain():
        with big_store.read() as session:
            return audit.verify_chain(session, None, trust)

    report = benchmark.pedantic(chain, rounds=1, iterations=1)
    # (not report.ok: the demo signs every author's audit entries with the admin's key,
    # which the chain check names; the walk is the same work either way)
    assert report.entries >= 100_000 and report.signatures_checked >= 100_000
    RESULTS["audit_chain"] = benchmark.stats


def test_bench_verify_100k_envelopes_full(benchmark, big_store):
    trust, store_id = _checker(big_store)

    def full():
        with big_store.read() as session:
            return envelopes.verify_envelopes(
                session, trust, store_id=store_id, user_id=None, full=True
            )

    report = benchmark.pedantic(full, rounds=2, iterations=1)
    assert report.ok and report.checked >= 100_500, report.problems[:5]
    benchmark.extra_info["envelopes"] = report.checked
    if "audit_chain" in RESULTS:
        ratio(benchmark, RESULTS["audit_chain"])


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
