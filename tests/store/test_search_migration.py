"""Migration 0011 carries a store's search index over to the contentless indexes.

The store is a real one: written by the services, then put back to the layout of
revision 0010 by direct edits (the index of migration 0002, which kept every row's words
a second time, filled with the rows the code of that revision wrote), and opened again
by signing in, which migrates it."""

from __future__ import annotations

import json

from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.services import accounts, cases, records
from infoshare_desktop.store import migrate, search
from infoshare_desktop.store.engine import raw_connect
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision
from tests.store.test_packed_envelopes import back_to_revision_0013

OLD_INDEX = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "case_id UNINDEXED, record_id UNINDEXED, body, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
)


def _back_to_revision_0010(store, data_paths) -> int:
    """Rebuild the 0002 index from the store's cases and records (in the order they
    were saved), drop the new ones, and mark the schema 0010. Returns the rows."""
    key = store.keys.current_key
    store.close()
    conn = raw_connect(data_paths.database, key)
    try:
        conn.execute("BEGIN IMMEDIATE")
        back_to_revision_0013(conn)  # what migration 0014 (packed payloads) did, undone
        rows = []
        for case_id, name, ref, other in conn.execute(
            "SELECT id, display_name, case_reference, other_identifiers "
            "FROM case_file ORDER BY rowid"
        ).fetchall():
            draft = CaseDraft(display_name=name, case_reference=ref, other_identifiers=other)
            rows.append(search.case_row(case_id=case_id, draft=draft))
        drafts = {kind.value: spec.draft for kind, spec in KINDS.items()}
        for record_id, case_id, kind, payload in conn.execute(
            "SELECT id, case_id, kind, payload FROM saved_record ORDER BY rowid"
        ).fetchall():
            draft = drafts[kind].from_dict(json.loads(payload))
            rows.append(search.record_row(case_id=case_id, record_id=record_id, draft=draft))
        for table in ("search_index", "case_index"):
            conn.execute(f"DROP TABLE {table}")
            # SQLite 3.53 leaves a contentless table's id table behind when dropping it.
            conn.execute(f"DROP TABLE IF EXISTS {table}_content")
        # and what migration 0012 (case keys) made after it, so that it runs again too
        for trigger in ("case_key_grant_no_update", "case_key_grant_no_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for table in ("case_key_grant", "case_sealed"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP INDEX ix_case_restricted")
        conn.execute("DROP INDEX ix_envelope_rewritten")
        conn.execute("DROP INDEX ix_case_born")
        conn.execute("DROP INDEX ix_case_created")
        # and what migration 0013 (slot state, device binding) made
        conn.execute("DROP INDEX ix_audit_slot_state")
        conn.execute("ALTER TABLE envelope_state DROP COLUMN bound_to")
        conn.execute(OLD_INDEX)
        conn.executemany(
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, ?, ?)",
            [(r.case_id, r.record_id, r.body) for r in rows],
        )
        conn.execute("UPDATE alembic_version SET version_num = '0010'")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(rows)


def test_an_older_store_is_searched_as_before_after_the_migration(admin_store, data_paths):
    named = cases.create_case(
        admin_store, draft=complete_case(display_name="Zofia Wiśniewska", case_reference="CS-1")
    )
    other = cases.create_case(admin_store, draft=complete_case(display_name="Ann Calder"))
    for case_id, reasons in [
        (other, "The heron was seen near the Wiśniewska home"),
        (named, "Shared after the heron sighting at school"),
        (other, "A later note about the heron"),
    ]:
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=complete_sharing_decision(reasons=reasons)
        )
    before = {q: cases.search(admin_store, query=q) for q in ("heron", "wisniewska", "CS-1")}
    assert [h.case_id for h in before["heron"]] == [other, named]
    rows = _back_to_revision_0010(admin_store, data_paths)
    assert rows == 5

    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        with store.read() as session:
            conn = session.connection()
            assert migrate.current_revision(conn) == migrate.head_revision()
            tables = {
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE name LIKE '%index%'"
                )
            }
            stored = [
                column
                for (column,) in conn.exec_driver_sql(
                    "SELECT name FROM pragma_table_info('search_index_content')"
                )
            ]
            counts = [
                conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("case_index", "search_index")
            ]
        assert "search_index_0002" not in tables and "case_index" in tables
        assert len(stored) == 3  # the rowid and the two ids: no copy of the words
        assert counts == [2, 3]
        after = {q: cases.search(store, query=q) for q in before}
        assert after == before  # the same cases, in the same order, with the same snippets
        assert f"{cases.MATCH_START}heron{cases.MATCH_END}" in after["heron"][0].snippet
        records.record_sharing_decision(
            store,
            case_id=named,
            draft=complete_sharing_decision(
                reasons="Shared again after the heron was seen near school"
            ),
        )
        assert [h.case_id for h in cases.search(store, query="heron")] == [named, other]
    finally:
        store.close()
