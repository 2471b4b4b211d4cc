"""Issue 2 benchmarks: unlock and durable commits against their raw baselines."""

from __future__ import annotations

import json
import os

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from infoshare_desktop.services import accounts
from infoshare_desktop.store import audit
from infoshare_desktop.store import keyslots as keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_sharing_decision

RESULTS: dict[str, float] = {}


@pytest.fixture
def real_cost_store(tmp_path):
    """A store whose slots use the production Argon2id cost."""
    from infoshare_desktop.paths import DataPaths

    paths = DataPaths(tmp_path / "data")
    prod = {"memory_kib": 65536, "iterations": 3, "lanes": 4}
    old = dict(keystore.DEFAULT_KDF)
    keystore.DEFAULT_KDF.update(prod)
    try:
        accounts.first_run(
            paths, username=ADMIN, display_name="Bench", password=ADMIN_PASSWORD
        ).close()
    finally:
        keystore.DEFAULT_KDF.clear()
        keystore.DEFAULT_KDF.update(old)
    return paths


@pytest.mark.real_kdf
def test_bench_unlock_baseline_argon2id(benchmark):
    salt = os.urandom(16)

    def derive():
        Argon2id(salt=salt, length=32, iterations=3, lanes=4, memory_cost=65536).derive(b"x" * 20)

    benchmark(derive)
    RESULTS["argon2id"] = benchmark.stats.stats.median


@pytest.mark.real_kdf
def test_bench_unlock(benchmark, real_cost_store):
    def unlock():
        accounts.sign_in(real_cost_store, username=ADMIN, password=ADMIN_PASSWORD).close()

    benchmark.pedantic(unlock, rounds=10, warmup_rounds=1)
    if "argon2id" in RESULTS:
        benchmark.extra_info["ratio_to_argon2id"] = round(
            benchmark.stats.stats.median / RESULTS["argon2id"], 2
        )


def test_bench_commit_baseline_raw_sqlcipher(benchmark, tmp_path):
    conn = sqlcipher3.connect(str(tmp_path / "raw.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    payload = json.dumps(complete_sharing_decision().to_dict())

    def commit():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
        conn.execute("COMMIT")

    benchmark(commit)
    conn.close()
    RESULTS["raw_commit"] = benchmark.stats.stats.median


def test_bench_commit_with_audit_entry(benchmark, admin_store):
    """A saved record row, its search-index row and its audit entry in one durable
    commit, on the record services' own write path (`Store.write_direct`) through the
    store's repository (store.records)."""
    import uuid
    from dataclasses import replace

    from infoshare_desktop.domain import utcnow
    from infoshare_desktop.domain.enums import RecordKind
    from infoshare_desktop.services import cases
    from infoshare_desktop.store import records as record_rows
    from tests.domain.factories import complete_case, complete_sharing_decision

    case_id = cases.create_case(admin_store, draft=complete_case())
    draft = complete_sharing_decision()
    user_id = admin_store.user.user_id

    now = utcnow()
    row, index = record_rows.new_record(
        record_id="", case_id=case_id, kind=RecordKind.SHARING_DECISION, subkind="shared",
        draft=draft, summary="Shared", author_id=user_id, occurred_at=now, recorded_at=now,
        late=False,
    )  # fmt: skip

    def commit():
        record_id, now = str(uuid.uuid4()), utcnow()
        saved = replace(row, id=record_id, occurred_at=now, recorded_at=now)
        with admin_store.write_direct() as db:
            record_rows.insert_many(db, [(saved, replace(index, record_id=record_id))])
            audit.append(
                db,
                actor_id=user_id,
                action=audit.Action.CREATE,
                target_kind="sharing_decision",
                target_id=record_id,
            )

    benchmark(commit)
    if "raw_commit" in RESULTS:
        benchmark.extra_info["ratio_to_raw_commit"] = round(
            benchmark.stats.stats.median / RESULTS["raw_commit"], 2
        )


def _save_a_record(store):
    from infoshare_desktop.services import cases, records
    from tests.domain.factories import complete_case

    case_id = cases.create_case(store, draft=complete_case())
    draft = complete_sharing_decision()
    return lambda: records.record_sharing_decision(store, case_id=case_id, draft=draft)


def test_bench_record_save_baseline_without_checkpoint(benchmark, admin_store):
    """Issue 9 baseline: a record save through the service with the rollback checkpoint
    switched off (as before it existed)."""
    save = _save_a_record(admin_store)
    admin_store._checkpointer = None
    benchmark(save)
    RESULTS["save_without_checkpoint"] = benchmark.stats.stats.median


def test_bench_record_save_with_checkpoint(benchmark, admin_store):
    """The same save, then the user's checkpoint file advanced (temp file, fsync, rename)."""
    save = _save_a_record(admin_store)
    assert admin_store._checkpointer is not None
    benchmark(save)
    if "save_without_checkpoint" in RESULTS:
        benchmark.extra_info["ratio_to_save_without_checkpoint"] = round(
            benchmark.stats.stats.median / RESULTS["save_without_checkpoint"], 2
        )


def test_bench_checkpoint_write_alone(benchmark, tmp_path):
    """What the checkpoint adds to every commit, on its own (compare with the saves)."""
    from infoshare_desktop.store.checkpoint import Checkpointer, Seen

    checkpointer = Checkpointer(
        tmp_path, store_id="s", user_id="u", public="p", private=os.urandom(32)
    )
    checkpointer.write_file(Seen(1, os.urandom(32)), sync=True)
    seen = Seen(2, os.urandom(32))
    benchmark(checkpointer.write_file, seen)
    checkpointer.close()
    if "save_without_checkpoint" in RESULTS:
        benchmark.extra_info["ratio_to_save_without_checkpoint"] = round(
            benchmark.stats.stats.median / RESULTS["save_without_checkpoint"], 4
        )
