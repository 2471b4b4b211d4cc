"""Issue 12 benchmarks: what signed identity costs, beside same-run baselines.

- a sharing decision saved through the service, signed (its audit entry and the
  checkpoint after it carry Ed25519 signatures) against the same save with signing
  switched off (as before: unsigned entry, MACed checkpoint);
- any user's `verify` of the audit chain, signatures included, per entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

from infoshare_desktop.store import audit, grants
from infoshare_desktop.store.writes import raw_connection
from tests.benchmarks.ab import compare
from tests.benchmarks.test_bench_store import _save_a_record

VERIFY_ENTRIES = 20_000


def test_bench_save_signed(benchmark, admin_store):
    save = _save_a_record(admin_store)
    signer, checkpointer = admin_store._signer, admin_store._checkpointer
    assert signer is not None and checkpointer is not None
    checkpoint_signer = checkpointer._signer

    def unsigned():
        admin_store._signer, checkpointer._signer = None, None
        try:
            save()
        finally:
            admin_store._signer, checkpointer._signer = signer, checkpoint_signer

    compare(
        benchmark,
        work=save,
        floor=unsigned,
        floor_name="the same save unsigned (MACed checkpoint)",
        rounds=30,
        warmup=3,
    )


def test_bench_verify_signed_chain(benchmark, admin_store):
    """The whole chain with every signature, as a practitioner's verify runs it (no
    MACs); `per_entry_us` says how it scales (linearly: one hash and one signature
    check per entry)."""
    now = datetime.now(UTC)
    user_id = admin_store.user.user_id
    with admin_store.write() as session:
        audit.append_many(
            session,
            actor_id=user_id,
            action=audit.Action.VIEW,
            targets=[("case", None, now)] * VERIFY_ENTRIES,
        )
    with admin_store.read() as session:
        trust = grants.load(raw_connection(session), admin_store.keystore.store_id)

    def run():
        with admin_store.read() as session:
            return audit.verify_chain(session, None, trust)

    def bare_read():
        with admin_store.read() as session:
            return raw_connection(session).execute("SELECT * FROM audit_event").fetchall()

    compare(
        benchmark,
        work=run,
        floor=bare_read,
        floor_name="bare SELECT * of the audit rows",
        rounds=3,
    )
    report = run()
    assert report.ok and report.signatures_checked == report.entries
    per_entry = benchmark.stats.stats.median / report.entries
    benchmark.extra_info["entries"] = report.entries
    benchmark.extra_info["per_entry_us"] = round(per_entry * 1e6, 1)
    benchmark.extra_info["estimated_s_for_100k"] = round(per_entry * 100_000, 1)
    benchmark.extra_info["estimated_s_for_1m"] = round(per_entry * 1_000_000, 1)
