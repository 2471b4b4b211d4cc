"""Tampering with the audit trail is detected by `infoshare-desktop verify`."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from infoshare_desktop import app
from infoshare_desktop.services import accounts
from infoshare_desktop.store import audit
from infoshare_desktop.store.engine import raw_connect
from tests.conftest import ADMIN, ADMIN_PASSWORD


@pytest.fixture
def busy_store(admin_store, data_paths):
    """A store with a few dozen audit entries, closed; yields (paths, raw key)."""
    for minutes in range(5, 25):
        accounts.set_idle_lock_minutes(admin_store, minutes=minutes)
    key = admin_store.keys.current_key
    admin_store.close()
    return data_paths, key


def run_verify(paths, capsys, monkeypatch) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    code = app.main(["verify", "--data-dir", str(paths.root), "--user", ADMIN, "--password-stdin"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_untouched_store_verifies(busy_store, capsys, monkeypatch):
    code, out = run_verify(busy_store[0], capsys, monkeypatch)
    assert code == 0, out
    assert "Database integrity: ok" in out
    assert "hashes, signatures, MACs: ok" in out


def _forget_checkpoints(paths) -> None:
    """What a tamperer who knows the design would also do: delete each user's checkpoint
    file and the copy in their key slot, so only the audit chain's own MACs are left."""
    import shutil

    shutil.rmtree(paths.root / "checkpoints")
    data = json.loads(paths.keystore.read_bytes())
    for slot in data["slots"].values():
        slot.pop("checkpoint", None)
    paths.keystore.write_text(json.dumps(data))


def _mac_problems(paths) -> list[str]:
    """The chain check by hashes and MACs alone, with the administrator's anchor (what
    `verify` runs once the checkpoints pass; signatures are tests/store/
    test_signed_identity.py's)."""
    from infoshare_desktop.store.engine import make_engine, read_session
    from infoshare_desktop.store.keyslots import Keystore

    keys = Keystore.load(paths.keystore).unlock(ADMIN, ADMIN_PASSWORD)
    engine = make_engine(paths.database, keys.current_key)
    try:
        with read_session(engine) as session:
            return audit.verify_chain(session, keys.audit_anchor).problems
    finally:
        engine.dispose()


def _tamper(paths, key, *sql):
    conn = raw_connect(paths.database, key)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("DROP TRIGGER audit_event_no_delete")
    for statement in sql:
        conn.execute(statement)
    conn.close()


def test_the_triggers_refuse_update_and_delete(busy_store):
    paths, key = busy_store
    conn = raw_connect(paths.database, key)
    for statement in (
        "UPDATE audit_event SET action = 'x' WHERE seq = 3",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(Exception, match="cannot be changed"):
            conn.execute(statement)
    conn.close()


def test_an_edited_entry_is_detected(busy_store, capsys, monkeypatch):
    paths, key = busy_store
    _tamper(paths, key, "UPDATE audit_event SET actor_id = 'someone-else' WHERE seq = 4")
    code, out = run_verify(paths, capsys, monkeypatch)
    assert code != 0
    assert "entry 4 has been altered" in out


def test_deleting_the_last_entries_is_detected_even_with_the_head_rewound(
    busy_store, capsys, monkeypatch
):
    paths, key = busy_store
    conn = raw_connect(paths.database, key)
    seq, head = conn.execute("SELECT seq, entry_hash FROM audit_event WHERE seq = 10").fetchone()
    conn.close()
    _tamper(
        paths,
        key,
        "DELETE FROM audit_event WHERE seq > 10",
        f"UPDATE audit_state SET seq = {seq}, head = x'{bytes(head).hex()}'",
    )
    code, out = run_verify(paths, capsys, monkeypatch)
    assert code != 0
    assert "older than the one this account last saw" in out  # the checkpoint is ahead
    _forget_checkpoints(paths)
    code, out = run_verify(paths, capsys, monkeypatch)
    assert code != 0
    assert "has been removed" in out  # a missing checkpoint is not "nothing seen"
    assert any("entries were removed" in p for p in _mac_problems(paths))


def test_recomputing_the_chain_after_an_edit_is_detected(busy_store, capsys, monkeypatch):
    paths, key = busy_store
    conn = raw_connect(paths.database, key)
    conn.execute("DROP TRIGGER audit_event_no_update")
    rows = conn.execute(
        "SELECT seq, at, actor_id, action, target_kind, target_id, detail "
        "FROM audit_event ORDER BY seq"
    ).fetchall()
    prev = audit.GENESIS
    for seq, at, actor, action, kind, target, detail in rows:
        if seq == 6:
            detail = "idle_lock_minutes=240"
        body = json.dumps(
            {
                "seq": seq,
                "at": at.replace(" ", "T"),
                "actor": actor,
                "action": action,
                "kind": kind,
                "target": target,
                "detail": detail,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(prev + body.encode()).digest()
        conn.execute(
            "UPDATE audit_event SET detail = ?, prev_hash = ?, entry_hash = ? WHERE seq = ?",
            (detail, prev, digest, seq),
        )
        prev = digest
    conn.execute("UPDATE audit_state SET head = ?", (prev,))
    conn.close()
    code, out = run_verify(paths, capsys, monkeypatch)
    assert code != 0
    assert "history has been changed or replaced" in out  # the checkpoint's entry differs
    _forget_checkpoints(paths)
    code, out = run_verify(paths, capsys, monkeypatch)
    assert code != 0
    assert "has been removed" in out  # a missing checkpoint is not "nothing seen"
    problems = _mac_problems(paths)
    assert "entry 6 fails its MAC (altered or forged)" in problems
    assert not any("hash mismatch" in p for p in problems)  # the hashes were recomputed


def test_a_change_and_its_audit_entry_commit_together(admin_store):
    from sqlmodel import func, select

    from infoshare_desktop.store.tables import AuditEvent, StoreSetting

    def counts():
        with admin_store.read() as s:
            return (
                s.exec(select(func.count()).select_from(AuditEvent)).one(),
                s.exec(select(func.count()).select_from(StoreSetting)).one(),
            )

    before = counts()
    with pytest.raises(RuntimeError), admin_store.write() as session:
        session.add(StoreSetting(name="x", value="y"))
        audit.append(session, actor_id=None, action=audit.Action.SETTING_CHANGE)
        raise RuntimeError("crash between the two")
    assert counts() == before
    with pytest.raises(accounts.AccountError):
        accounts.set_idle_lock_minutes(admin_store, minutes=0)
    assert counts() == before
