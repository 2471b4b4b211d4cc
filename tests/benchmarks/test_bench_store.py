"""Issue 2 benchmarks: unlock and durable commits beside their raw floors, interleaved."""

from __future__ import annotations

import json
import os

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from infoshare_desktop.services import accounts
from infoshare_desktop.store import audit
from infoshare_desktop.store import keyslots as keystore
from tests.benchmarks.ab import compare
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_sharing_decision


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
def test_bench_unlock(benchmark, real_cost_store):
    salt = os.urandom(16)

    def derive():
        Argon2id(salt=salt, length=32, iterations=3, lanes=4, memory_cost=65536).derive(b"x" * 20)

    compare(
        benchmark,
        work=lambda: accounts.sign_in(
            real_cost_store, username=ADMIN, password=ADMIN_PASSWORD
        ).close(),
        floor=derive,
        floor_name="one Argon2id derivation (64 MiB, t=3, p=4)",
        rounds=10,
    )


def _raw_commit(tmp_path):
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

    return conn, commit


def test_bench_commit_with_audit_entry(benchmark, admin_store, tmp_path):
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

    conn, raw = _raw_commit(tmp_path)
    compare(
        benchmark,
        work=commit,
        floor=raw,
        floor_name="raw SQLCipher insert + commit",
        rounds=30,
        warmup=3,
    )
    conn.close()


def _save_a_record(store):
    from infoshare_desktop.services import cases, records
    from tests.domain.factories import complete_case

    case_id = cases.create_case(store, draft=complete_case())
    draft = complete_sharing_decision()
    return lambda: records.record_sharing_decision(store, case_id=case_id, draft=draft)


def test_bench_record_save_with_checkpoint(benchmark, admin_store):
    """A record save, then the user's checkpoint file advanced (temp file, fsync,
    rename), beside the same save with the rollback checkpoint switched off (as before
    it existed), interleaved."""
    save = _save_a_record(admin_store)
    checkpointer = admin_store._checkpointer
    assert checkpointer is not None

    def without():
        admin_store._checkpointer = None
        try:
            save()
        finally:
            admin_store._checkpointer = checkpointer

    compare(
        benchmark,
        work=save,
        floor=without,
        floor_name="the same save without the checkpoint",
        rounds=30,
        warmup=3,
    )


def test_bench_checkpoint_write_alone(benchmark, tmp_path, admin_store):
    """What the checkpoint adds to every commit, on its own, beside a save without one."""
    from infoshare_desktop.store.checkpoint import Checkpointer, Seen

    checkpointer = Checkpointer(
        tmp_path, store_id="s", user_id="u", public="p", private=os.urandom(32)
    )
    checkpointer.write_file(Seen(1, os.urandom(32)), sync=True)
    seen = Seen(2, os.urandom(32))
    save = _save_a_record(admin_store)
    admin_store._checkpointer = None
    compare(
        benchmark,
        work=lambda: checkpointer.write_file(seen),
        floor=save,
        floor_name="a record save without the checkpoint",
        rounds=30,
        warmup=3,
    )
    checkpointer.close()
