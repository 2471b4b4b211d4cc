"""Payloads are stored packed (store.packing, migration 0014): envelopes' (what is signed
and verified is their canonical JSON as before) and saved records' (read back as the same
JSON, by the triggers and queries too). A store written by the previous schema (its
payloads as written) is carried over by the migration, verifies, and reads as before; a
damaged packed payload is named by verify."""

from __future__ import annotations

import apsw
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_desktop.services import accounts, cases, maintenance, records
from infoshare_desktop.store import migrate, packing, signing
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_any_payload_unpacks_to_its_canonical_bytes(payload):
    canonical = signing.canonical(payload)
    packed = packing.pack(canonical)
    assert packed[0] == packing.MARK_1 and packing.unpack(packed) == canonical
    assert packing.unpack(canonical) == canonical  # stored as written: read as itself


@pytest.mark.parametrize("damage", [lambda p: p[:-3], lambda p: p + b"x", lambda p: p[:1]])
def test_damaged_packed_bytes_are_refused(damage):
    packed = packing.pack(signing.canonical({"reasons": "the record's text " * 40}))
    with pytest.raises(ValueError):
        packing.unpack(damage(packed))


def _raw(paths) -> apsw.Connection:
    key = Keystore.load(paths.keystore).unlock(ADMIN, ADMIN_PASSWORD).current_key
    conn = apsw.Connection(str(paths.database))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
    return conn


def with_packing(conn: apsw.Connection) -> apsw.Connection:
    """An independent reader's connection given the SQL functions saved_record.payload's
    triggers and queries use (store.packing): `packed(text)`, `unpacked(stored)`."""
    conn.create_scalar_function("packed", packing.packed_text, 1, deterministic=True)
    conn.create_scalar_function("unpacked", packing.unpacked_text, 1, deterministic=True)
    return conn


def back_to_revision_0013(conn) -> None:
    """Put a store's payloads and triggers back as revision 0013 wrote them (envelopes'
    canonical JSON as bytes, saved records' JSON as text), in `conn`'s transaction (a
    DB-API connection: apsw, or sqlcipher3), migration 0015 undone first."""
    from tests.store.test_worklist_migration import back_to_revision_0014

    back_to_revision_0014(conn)
    for name in ("envelope_no_update", "saved_record_no_update"):
        conn.execute(f"DROP TRIGGER {name}")
    envelopes = conn.execute("SELECT pos, payload FROM envelope").fetchall()
    conn.executemany(
        "UPDATE envelope SET payload = ? WHERE pos = ?",
        [(packing.unpack(bytes(p)), pos) for pos, p in envelopes],
    )
    saved = conn.execute("SELECT rowid, payload FROM saved_record").fetchall()
    conn.executemany(
        "UPDATE saved_record SET payload = ? WHERE rowid = ?",
        [(packing.unpack(bytes(p)).decode(), rowid) for rowid, p in saved],
    )
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%unpacked(%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(sql.replace("unpacked(NEW.payload)", "NEW.payload"))
    for table in ("envelope", "saved_record"):
        conn.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT "
            f"RAISE(ABORT, '{table} rows cannot be changed or deleted'); END"
        )
    conn.execute("UPDATE alembic_version SET version_num = '0013'")


def _payloads(paths) -> dict[int, bytes]:
    conn = _raw(paths)
    try:
        return {int(pos): bytes(p) for pos, p in conn.execute("SELECT pos, payload FROM envelope")}
    finally:
        conn.close()


def _saved(store) -> tuple[str, str]:
    case_id = cases.create_case(store, draft=complete_case(display_name="Mira Okafor"))
    decision = records.record_sharing_decision(
        store,
        case_id=case_id,
        draft=complete_sharing_decision(reasons="Shared after the heron sighting " * 30),
    )
    secret = cases.create_case(
        store,
        draft=complete_case(case_reference="R-2", restricted=True),
        confirmed_not_duplicate=True,
    )
    records.record_sharing_decision(store, case_id=secret, draft=complete_sharing_decision())
    return case_id, decision.record_id


def test_a_store_of_the_previous_schema_is_packed_by_the_migration_and_verifies(
    admin_store, data_paths
):
    case_id, record_id = _saved(admin_store)
    detail = cases.record_detail(admin_store, record_id=record_id)
    admin_store.close()
    packed = _payloads(data_paths)
    assert packed and all(p[0] == packing.MARK_1 for p in packed.values())
    # Back to revision 0013: every payload as that schema's code wrote it.
    conn = _raw(data_paths)
    try:
        conn.execute("BEGIN")
        back_to_revision_0013(conn)
        conn.execute("COMMIT")
        records_then = conn.execute("SELECT id, payload FROM saved_record").fetchall()
    finally:
        conn.close()
    plain = _payloads(data_paths)
    assert all(p.startswith(b"{") for p in plain.values())
    assert sum(map(len, plain.values())) > 2 * sum(map(len, packed.values()))
    assert records_then and all(isinstance(p, str) and p[0] == "{" for _, p in records_then)

    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        with store.read() as session:
            assert migrate.current_revision(session.connection()) == migrate.head_revision()
        assert cases.record_detail(store, record_id=record_id) == detail
        result = maintenance.verify(store, full=True)
        assert result.ok, result.lines()
        records.record_sharing_decision(store, case_id=case_id, draft=complete_sharing_decision())
    finally:
        store.close()
    after = _payloads(data_paths)
    conn = _raw(data_paths)
    try:
        records_now = dict(conn.execute("SELECT id, payload FROM saved_record").fetchall())
        triggers = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master")]
    finally:
        conn.close()
    assert all(records_now[i][0] == packing.MARK_1 for i, _ in records_then)
    assert all(packing.unpack(records_now[i]).decode() == p for i, p in records_then)
    payload_triggers = [t for t in triggers if t and "payload" in t and "TRIGGER" in t]
    assert len(payload_triggers) >= 4
    assert all("unpacked(NEW.payload)" in t for t in payload_triggers if "NEW.payload" in t)
    assert all(after[pos][0] == packing.MARK_1 for pos in plain)
    assert all(packing.unpack(after[pos]) == plain[pos] for pos in plain)
    assert len(after) == len(plain) + 1 and after[max(after)][0] == packing.MARK_1
    conn = _raw(data_paths)
    try:  # still append-only
        with pytest.raises(apsw.ConstraintError):
            conn.execute("UPDATE envelope SET payload = payload WHERE pos = 1")
    finally:
        conn.close()


def test_a_damaged_packed_payload_is_named_by_verify(admin_store, data_paths):
    _saved(admin_store)
    admin_store.close()
    payloads = _payloads(data_paths)
    pos = max(payloads, key=lambda p: len(payloads[p]))
    conn = _raw(data_paths)
    try:
        conn.execute("DROP TRIGGER envelope_no_update")
        stored = payloads[pos]
        conn.execute(
            "UPDATE envelope SET payload = ? WHERE pos = ?",
            (
                stored[: len(stored) // 2]
                + bytes([stored[len(stored) // 2] ^ 0x5A])
                + stored[len(stored) // 2 + 1 :],
                pos,
            ),
        )
    finally:
        conn.close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        result = maintenance.verify(store, full=True)
    finally:
        store.close()
    assert not result.ok
    assert f"  envelope {pos} (record.sharing_decision) has no valid signature" in "\n".join(
        result.lines()
    )
