"""`verify --full` rebuilds what the database's triggers keep, and checks signatures in a
helper process, without missing anything the envelope attacks rely on.

The attacker is Cal again (tests/store/test_envelopes.py): his own key slot opens
`infoshare.db` in an independent SQLCipher reader (apsw-sqlite3mc) and he edits the
tables the case list and the worklists read. Those tables have no append-only triggers
(the store's own triggers update them), so a plain UPDATE, INSERT or DELETE does it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import sqlcipher3

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store import audit, envelopes, grants, sigcheck
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.progress import OperationCancelled
from infoshare_desktop.store.signing import Context
from tests.store import test_envelopes as signed

team = signed.team  # the same team and store, filled with one of every kind of item
filled = signed.filled
CAL, CAL_PASSWORD = signed.CAL, signed.CAL_PASSWORD
BEA, BEA_PASSWORD = signed.BEA, signed.BEA_PASSWORD


def _one_key(conn, table: str, key: str, case_id: str) -> str:
    (found,) = conn.execute(
        f"SELECT {key} FROM {table} WHERE case_id = ? ORDER BY {key} LIMIT 1", (case_id,)
    ).fetchone()
    return str(found)


#: Per table: its key column and an edit Cal might make (the worklists and the case list
#: would then show it) to the row of that key.
EDITS = {
    "case_stats": ("case_id", "UPDATE case_stats SET records = records + 40, harm_concern = 0"),
    "review_status": ("record_id", "UPDATE review_status SET rounds = rounds + 7"),
    "consent_watch": ("record_id", "UPDATE consent_watch SET ended = 1 - ended"),
    "request_status": ("request_id", "UPDATE request_status SET replied = 1 - replied"),
}


def test_the_trigger_kept_tables_are_rebuilt_and_pass_untouched(filled):
    paths, _ = filled
    result = signed.verify_as(paths, CAL, CAL_PASSWORD)
    assert result.ok, result.lines()
    assert result.envelopes.triggered_checked
    with signed.raw_db(paths) as conn:
        for table in EDITS:  # each has rows to compare in the filled store
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] >= 1, table


@pytest.mark.parametrize("table", list(EDITS))
def test_a_trigger_kept_row_edited_by_sql_is_named_by_verify(filled, table):
    paths, ids = filled
    key, edit = EDITS[table]
    with signed.raw_db(paths) as conn:
        row = _one_key(conn, table, key, ids["case"])
        conn.execute(f"{edit} WHERE {key} = ?", (row,))
    result = signed.verify_as(paths, BEA, BEA_PASSWORD)
    assert not result.ok
    text = "\n".join(result.lines())
    assert f"{table} row {row} differs from what the saved records make it" in text
    assert text.count("differs") == 1  # nothing else is blamed


def test_a_trigger_kept_row_added_or_deleted_by_sql_is_named_by_verify(filled):
    """Cal puts a record of his into "returned to me" that no review returned, and takes
    a consent off the watch list (it would never come up for renewal)."""
    paths, ids = filled
    with signed.raw_db(paths) as conn:
        (record,) = conn.execute(
            "SELECT id FROM saved_record WHERE kind = 'advice' AND case_id = ?", (ids["case"],)
        ).fetchone()
        conn.execute(
            "INSERT INTO review_status (record_id, case_id, author_id, status, since, rounds) "
            "SELECT id, case_id, author_id, 'returned', recorded_at, 1 FROM saved_record "
            "WHERE id = ?",
            (record,),
        )
        consent = _one_key(conn, "consent_watch", "record_id", ids["case"])
        conn.execute("DELETE FROM consent_watch WHERE record_id = ?", (consent,))
    text = "\n".join(signed.verify_as(paths, CAL, CAL_PASSWORD).lines())
    assert f"review_status row {record} comes from no saved record" in text
    assert f"consent_watch row {consent} that the saved records make is missing" in text


def test_an_incremental_verify_leaves_the_trigger_kept_tables_to_a_full_one(filled):
    paths, _ = filled
    assert signed.verify_as(paths, CAL, CAL_PASSWORD).ok  # signed: checked up to here
    again = signed.verify_as(paths, CAL, CAL_PASSWORD, full=False)
    assert again.ok and not again.envelopes.triggered_checked
    assert "the tables triggers keep" not in "\n".join(again.lines())


# -- the signatures checked in a helper process --------------------------------------------------


@pytest.fixture
def helper(monkeypatch):
    """Every walk checks its signatures in the helper process; records that it did."""
    used: list[bool] = []
    real = sigcheck.checker

    def recording(count):
        manager = real(count)
        checker = manager.__enter__()
        used.append(checker.in_helper)
        return _Exit(manager, checker)

    monkeypatch.setattr(sigcheck, "HELPER_FROM", 0)
    monkeypatch.setattr(sigcheck, "checker", recording)
    return used


class _Exit:
    def __init__(self, manager, checker):
        self.manager, self.checker = manager, checker

    def __enter__(self):
        return self.checker

    def __exit__(self, *exc):
        return self.manager.__exit__(*exc)


def test_the_helper_process_passes_the_store_and_finds_a_signature_changed(filled, helper):
    paths, _ = filled
    assert signed.envelope_problems(paths) == []
    with signed.raw_db(paths) as conn:
        signed.unlocked(conn, "envelope")
        (pos, signature) = conn.execute(
            "SELECT pos, signature FROM envelope WHERE kind = ? ORDER BY pos DESC LIMIT 1",
            (envelopes.RECORD + "sharing_decision",),
        ).fetchone()
        changed = bytes([signature[0] ^ 1]) + bytes(signature[1:])
        conn.execute("UPDATE envelope SET signature = ? WHERE pos = ?", (changed, pos))
    problems = signed.envelope_problems(paths)
    assert any(
        p.startswith(f"envelope {pos} (record.sharing_decision) has no valid signature")
        for p in problems
    ), problems
    assert helper == [True, True]  # both walks used the helper
    assert multiprocessing.active_children() == []  # and it ended with each


def test_one_helper_checks_the_audit_chain_and_the_envelopes_of_a_whole_verify(
    filled, helper, monkeypatch
):
    """A practitioner's whole verify hands both walks' signatures to one helper process,
    and still names an audit entry and an envelope whose signatures were changed (each
    with its hash left right, as a raw writer without the signer's key would)."""
    paths, _ = filled
    contexts: set[Context] = set()
    submit = sigcheck.Checker.submit

    def recorded(checker, context, keys, items):
        if checker.in_helper:
            contexts.add(context)
        return submit(checker, context, keys, items)

    monkeypatch.setattr(sigcheck.Checker, "submit", recorded)
    assert signed.verify_as(paths, CAL, CAL_PASSWORD).ok
    assert helper == [True]  # one helper for the chain and the envelopes
    assert contexts == {Context.AUDIT_ENTRY, Context.ENVELOPE}
    with signed.raw_db(paths) as conn:
        signed.unlocked(conn, "envelope", "audit_event")
        seq, sig = conn.execute(
            "SELECT seq, signature FROM audit_event WHERE signature IS NOT NULL "
            "ORDER BY seq DESC LIMIT 1 OFFSET 3"
        ).fetchone()
        conn.execute("UPDATE audit_event SET signature = ? WHERE seq = ?", (_flipped(sig), seq))
        pos, env_sig = conn.execute(
            "SELECT pos, signature FROM envelope ORDER BY pos DESC LIMIT 1 OFFSET 1"
        ).fetchone()
        conn.execute("UPDATE envelope SET signature = ? WHERE pos = ?", (_flipped(env_sig), pos))
    result = signed.verify_as(paths, CAL, CAL_PASSWORD)
    assert f"entry {seq} has a signature that does not verify" in "\n".join(
        result.audit_problems
    ), result.lines()
    assert any(p.startswith(f"envelope {pos} ") for p in result.envelopes.problems), result.lines()
    assert helper == [True, True]
    assert multiprocessing.active_children() == []


def _flipped(signature: bytes) -> bytes:
    return bytes([signature[0] ^ 1]) + bytes(signature[1:])


def test_the_helper_gives_the_same_answers_as_checking_in_process(filled):
    """The helper's function itself, on the store's own envelopes: every real one is
    signed, and the same with one byte of its message changed is not."""
    paths, _ = filled
    keystore = Keystore.load(paths.keystore)
    conn = raw_connect(paths.database, keystore.unlock(CAL, CAL_PASSWORD).current_key)
    try:
        trust = grants.load(conn, keystore.store_id)
        rows = conn.execute(f"SELECT {envelopes._COLUMNS} FROM envelope ORDER BY pos").fetchall()
    finally:
        conn.close()
    found = [envelopes._stored(r) for r in rows]
    keys = {
        e.author_id: [k for _, k in reversed(trust.sign_keys.get(e.author_id, [])) if k]
        for e in found
    }
    items = [(e.author_id, e.signed_bytes(), e.signature) for e in found]
    altered = [(a, m[:-1] + bytes([m[-1] ^ 1]), s) for a, m, s in items]
    with sigcheck.checker(sigcheck.HELPER_FROM) as checker:
        assert checker.in_helper
        answers = checker.submit(Context.ENVELOPE, keys, items + altered).result()
    assert answers == [True] * len(items) + [False] * len(items)
    assert sigcheck.check(Context.ENVELOPE, keys, items) == [True] * len(items)


def test_a_carried_over_history_with_reviews_rebuilds_the_tables_its_triggers_kept(
    data_paths, monkeypatch
):
    """A store from before envelopes where a decision entered review, was returned and
    answered, and a consent was relied on and renewed: carried over table by table, its
    trigger-kept tables still rebuild exactly (review requests go in by time), and an
    edit to them is named."""
    from alembic import command

    from infoshare_desktop.domain.accounts import Role
    from infoshare_desktop.domain.enums import ReviewOutcome
    from infoshare_desktop.domain.records import ReviewDraft
    from infoshare_desktop.services import accounts, cases, records, reviews
    from infoshare_desktop.store import migrate
    from infoshare_desktop.store import records as record_rows
    from tests.conftest import ADMIN, ADMIN_PASSWORD
    from tests.domain.factories import (
        complete_amendment,
        complete_case,
        complete_consent_decision,
        complete_sharing_decision,
    )
    from tests.ui.review.conftest import without_consent

    with monkeypatch.context() as patch:  # the store as schema 0008 left it
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), "0008"),
        )
        patch.setitem(
            envelopes._INSERTS,
            "case_index",
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
        )
        # and its records' payloads as written (packed from migration 0014 on)
        plain = envelopes._INSERTS["saved_record"].replace("packed(?)", "?")
        patch.setitem(envelopes._INSERTS, "saved_record", plain)
        patch.setattr(record_rows, "_INSERT", record_rows._INSERT.replace("packed(?)", "?"))
        admin = accounts.first_run(
            data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
        )
        signed._onboard(data_paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
        signed._onboard(data_paths, admin, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR})
        admin.close()
        cal = accounts.sign_in(data_paths, username=CAL, password=CAL_PASSWORD)
        bea = accounts.sign_in(data_paths, username=BEA, password=BEA_PASSWORD)
        case_id = cases.create_case(cal, draft=complete_case())
        consent = records.record_consent_decision(
            cal, case_id=case_id, draft=complete_consent_decision()
        )
        records.record_sharing_decision(
            cal,
            case_id=case_id,
            draft=complete_sharing_decision(consent_decision_id=consent.record_id),
        )
        returned = records.record_sharing_decision(cal, case_id=case_id, draft=without_consent())
        records.record_review(
            bea,
            draft=ReviewDraft(
                target_id=returned.record_id,
                outcome=ReviewOutcome.RETURNED,
                comment="Please say which risk assessment the decision relied on.",
            ),
        )
        records.add_amendment(cal, draft=complete_amendment(target_id=returned.record_id))
        advice = records.record_advice(cal, case_id=case_id, draft=signed.complete_advice())
        reviews.request_review(cal, record_id=advice.record_id)
        records.record_consent_decision(
            cal,
            case_id=case_id,
            draft=complete_consent_decision(supersedes_ids=[consent.record_id]),
        )
        cal.close()
        bea.close()

    admin = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    admin.close()  # carried over at an administrator's sign-in
    with signed.raw_db(data_paths) as conn:
        assert conn.execute("SELECT count(*) FROM envelope WHERE kind = 'carried'").fetchone()[0]
        statuses = dict(conn.execute("SELECT record_id, status FROM review_status"))
    assert statuses[returned.record_id] == "awaiting"  # returned, then answered
    assert statuses[advice.record_id] == "awaiting"
    result = signed.verify_as(data_paths, CAL, CAL_PASSWORD)
    assert result.ok and result.envelopes.triggered_checked, result.lines()
    with signed.raw_db(data_paths) as conn:
        conn.execute(
            "UPDATE review_status SET status = 'endorsed' WHERE record_id = ?",
            (returned.record_id,),
        )
    text = "\n".join(signed.verify_as(data_paths, CAL, CAL_PASSWORD).lines())
    assert f"review_status row {returned.record_id} differs" in text


def test_a_verify_cancelled_in_the_envelope_walk_stops_there_and_records_nothing(
    filled, monkeypatch
):
    """Cancel is polled in the envelopes' walk too (not only in the audit chain's): a
    verify cancelled there raises, and neither its audit entry nor a signed check is
    written, so the next verify still checks everything; the scratch database the
    walk rebuilds the trigger-kept tables in is closed (it was left to the collector)."""
    paths, _ = filled
    in_walk: list[bool] = []
    walk = envelopes.verify_envelopes

    def watched(*args, **kwargs):
        in_walk.append(True)
        return walk(*args, **kwargs)

    monkeypatch.setattr(envelopes, "verify_envelopes", watched)
    rebuilds: list[envelopes._Triggered] = []
    start = envelopes._Triggered.__init__

    def recorded(self, raw):
        start(self, raw)
        rebuilds.append(self)

    monkeypatch.setattr(envelopes._Triggered, "__init__", recorded)
    store = accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD)
    try:
        with store.read() as session:
            before = audit.chain_head(session).seq
        moves: list[int] = []
        with pytest.raises(OperationCancelled):
            maintenance.verify(
                store,
                full=True,
                progress=lambda done, _: moves.append(done),
                should_stop=lambda: bool(in_walk),
            )
        assert rebuilds and all(_closed(r.db) for r in rebuilds)
        with store.read() as session:
            assert audit.chain_head(session).seq == before  # no "verified" entry
        assert in_walk == [True] and moves == sorted(moves)
        again = maintenance.verify(store, full=False)
        assert again.ok and again.envelopes.after == 0, "\n".join(again.lines())
    finally:
        store.close()


def _closed(db: sqlcipher3.Connection) -> bool:
    try:
        db.execute("SELECT 1")
    except sqlcipher3.ProgrammingError:
        return True
    return False


def test_the_tables_are_rebuilt_in_an_encrypted_file_removed_after(filled, monkeypatch):
    """A full verify rebuilds the trigger-kept tables in a file (at a million records
    they would hold about a hundred megabytes in memory): in a listed temporary folder of
    the data folder, never in plaintext, and gone when the verify ends."""
    paths, _ = filled
    seen: list[tuple[Path, bytes]] = []
    finish = envelopes._Triggered.finish

    def looked(self, raw):
        path = Path(next(r[2] for r in self.db.execute("PRAGMA database_list") if r[1] == "main"))
        seen.append((path, path.read_bytes()))
        return finish(self, raw)

    monkeypatch.setattr(envelopes._Triggered, "finish", looked)
    result = signed.verify_as(paths, CAL, CAL_PASSWORD)
    assert result.ok and result.envelopes.triggered_checked, result.lines()
    [(path, content)] = seen
    assert path.parent.parent == paths.root and path.parent.name.startswith(".tmp-verify-")
    assert len(content) > 4096 and not content.startswith(b"SQLite format 3")
    for word in (b"review_status", b"consent_watch", b"CREATE TABLE"):
        assert word not in content
    assert not path.parent.exists()
    assert not list(paths.root.glob(".tmp-verify-*"))
    assert not list((paths.root / ".temp").glob("*.json"))
