"""Every saved item is a signed envelope; the tables are projected from them, and
`verify` rebuilds them and names any difference.

The attacker is Cal, a practitioner: he opens his own key slot with his own password and
edits `infoshare.db` with an independent SQLCipher reader (apsw-sqlite3mc), dropping the
append-only triggers first where he needs to. Nothing here tampers through the services."""

from __future__ import annotations

import contextlib
import shutil
from collections import Counter
from datetime import timedelta

import apsw
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import ConsentOutcome, ReviewOutcome
from infoshare_desktop.domain.records import RecordLink, ReviewDraft
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import (
    accounts,
    cases,
    identifiers,
    maintenance,
    records,
    reviews,
)
from infoshare_desktop.services.errors import SetupCodeRequired
from infoshare_desktop.store import envelopes, grants, packing, signing
from infoshare_desktop.store.engine import make_engine, raw_connect, read_session
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import (
    complete_advice,
    complete_amendment,
    complete_case,
    complete_consent_decision,
    complete_reply,
    complete_request,
    complete_sharing_decision,
    synthetic_nhs_number,
)
from tests.store.test_packed_envelopes import with_packing

BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"
CAL, CAL_PASSWORD = "cal.worker", "amber kettle horizon"


def _onboard(paths, admin, username, password, roles):
    code = accounts.add_user(admin, username=username, display_name=username.title(), roles=roles)
    with pytest.raises(SetupCodeRequired):
        accounts.sign_in(paths, username=username, password=code)
    accounts.sign_in(paths, username=username, password=code, new_password=password).close()


def _fill(paths) -> dict[str, str]:
    """One of every kind of saved item, by Bea (supervisor) and Cal (practitioner)."""
    cal = accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD)
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    try:
        case_id = cases.create_case(cal, draft=complete_case(nhs_number=synthetic_nhs_number()))
        secret = cases.create_case(
            cal,
            draft=complete_case(case_reference="R-2", restricted=True),
            confirmed_not_duplicate=True,
        )
        cases.add_case_member(cal, case_id=secret, user_id=bea.user.user_id)
        shared = records.record_sharing_decision(
            cal, case_id=case_id, draft=complete_sharing_decision()
        )
        consent = records.record_consent_decision(
            cal, case_id=case_id, draft=complete_consent_decision()
        )
        records.add_amendment(cal, draft=complete_amendment(target_id=shared.record_id))
        reviews.request_review(cal, record_id=consent.record_id)
        records.record_review(
            bea, draft=ReviewDraft(target_id=shared.record_id, outcome=ReviewOutcome.ENDORSED)
        )
        records.record_advice(cal, case_id=case_id, draft=complete_advice())
        request = records.record_case_record(cal, case_id=case_id, draft=complete_request())
        records.record_case_record(  # the links name this case's request and decision
            cal,
            case_id=case_id,
            draft=complete_reply(
                request=RecordLink(record_id=request.record_id, description="Request"),
                answered_by=[RecordLink(record_id=shared.record_id, description="Shared")],
            ),
        )
        identifiers.change_identifier(cal, case_id=case_id, nhs_number=synthetic_nhs_number())
        return {"case": case_id, "shared": shared.record_id, "secret": secret}
    finally:
        cal.close()
        bea.close()


@pytest.fixture
def team(admin_store, data_paths):
    """An administrator, Bea (team lead, supervisor) and Cal (practitioner); closed."""
    _onboard(data_paths, admin_store, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR})
    _onboard(data_paths, admin_store, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
    reviews.set_review_rules(admin_store, rules=ReviewRules(every_sharing_decision=True))
    admin_store.close()
    return data_paths


@pytest.fixture
def filled(team):
    return team, _fill(team)


def raw_db(paths) -> apsw.Connection:
    """The database opened by an independent SQLCipher reader, writable, with Cal's key."""
    key = Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD).current_key
    conn = apsw.Connection(str(paths.database))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
    return with_packing(conn)


def unlocked(conn: apsw.Connection, *tables: str) -> None:
    """What Cal does first: drop the append-only triggers."""
    for table in tables:
        for verb in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def verify_as(paths, username, password, *, full=True) -> maintenance.VerificationResult:
    store = accounts.sign_in(paths, username=username, password=password)
    try:
        return maintenance.verify(store, full=full)
    finally:
        store.close()


def envelope_problems(paths, *, full=True, user=CAL, password=CAL_PASSWORD) -> list[str]:
    """The envelope check alone, as `user` runs it (no sign-in, no audit entry)."""
    keystore = Keystore.load(paths.keystore)
    keys = keystore.unlock(user, password)
    engine = make_engine(paths.database, keys.current_key)
    try:
        with read_session(engine) as session:
            trust = grants.load(raw_connection(session), keystore.store_id)
            return envelopes.verify_envelopes(
                session, trust, store_id=keystore.store_id, user_id=keys.user_id, full=full
            ).problems
    finally:
        engine.dispose()


# -- every saved item is an envelope, and the tables are rebuilt from them ---------------------


def test_every_kind_of_saved_item_is_a_signed_envelope_and_verify_passes(filled):
    paths, _ = filled
    with raw_db(paths) as conn:
        kinds = Counter(k for (k,) in conn.execute("SELECT kind FROM envelope"))
        authors = {a for (a,) in conn.execute("SELECT DISTINCT author_id FROM envelope")}
        (signed,) = conn.execute("SELECT count(*) FROM envelope WHERE length(signature) = 64")
    assert kinds == {
        "case.created": 2,
        "case.member_added": 1,
        "case.identifier": 1,
        "record.sharing_decision": 1,
        "record.consent_decision": 1,
        "record.amendment": 1,
        "record.review": 1,
        "record.advice": 1,
        "record.request": 1,
        "record.request_reply": 1,
        "review.requested": 1,
    }
    ids = Keystore.load(paths.keystore)
    assert authors == {ids.user_id_for(CAL), ids.user_id_for(BEA)}
    assert signed[0] == sum(kinds.values())
    for user, password in ((CAL, CAL_PASSWORD), (BEA, BEA_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        result = verify_as(paths, user, password)
        assert result.ok, result.lines()
        assert result.envelopes.checked == sum(kinds.values())
    assert any("all 12 checked" in line and line.endswith(": ok") for line in result.lines())


def _tables(conn) -> dict[str, Counter]:
    out = {}
    for table in envelopes.TABLES:  # as the projections make them (a payload unpacked)
        rows = conn.execute(f"SELECT {envelopes.selected(table)} FROM {table}").fetchall()
        out[table] = Counter(rows)
    return out


def test_the_tables_rebuilt_from_the_envelopes_alone_equal_the_tables(filled):
    paths, _ = filled
    store = accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD)
    try:
        with store.read() as session:
            raw = raw_connection(session)
            rebuilt: dict[str, Counter] = {t: Counter() for t in envelopes.TABLES}
            for table, values in envelopes.rebuilt(session):
                rebuilt[table][values] += 1
            actual = _tables(raw)
    finally:
        store.close()
    assert rebuilt == actual
    assert sum(rebuilt["saved_record"].values()) == 7 and sum(rebuilt["review_request"].values())


_OPERATIONS = st.lists(
    st.sampled_from(["case", "sharing", "consent", "amend", "advice", "identifier", "ask"]),
    min_size=1,
    max_size=8,
)


@pytest.mark.slow
@hypothesis_settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=_OPERATIONS, restricted=st.booleans())
def test_for_any_sequence_of_saves_the_rebuilt_tables_equal_the_tables(
    tmp_path_factory, operations, restricted
):
    paths = DataPaths(tmp_path_factory.mktemp("envelopes") / "data")
    store = accounts.first_run(paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD)
    try:
        reviews.set_review_rules(store, rules=ReviewRules(every_sharing_decision=restricted))
        case_id = cases.create_case(store, draft=complete_case(restricted=restricted))
        last = None
        for n, op in enumerate(operations):
            if op == "case":
                case_id = cases.create_case(
                    store,
                    draft=complete_case(case_reference=f"C-{n}", restricted=restricted),
                    confirmed_not_duplicate=True,
                )
            elif op == "sharing":
                last = records.record_sharing_decision(
                    store, case_id=case_id, draft=complete_sharing_decision()
                ).record_id
            elif op == "consent":
                records.record_consent_decision(
                    store,
                    case_id=case_id,
                    draft=complete_consent_decision(outcome=ConsentOutcome.REFUSED),
                )
            elif op == "amend" and last:
                records.add_amendment(store, draft=complete_amendment(target_id=last))
            elif op == "advice":
                records.record_advice(store, case_id=case_id, draft=complete_advice())
            elif op == "identifier":
                identifiers.change_identifier(
                    store, case_id=case_id, nhs_number=synthetic_nhs_number()
                )
            elif op == "ask" and last:
                with contextlib.suppress(reviews.ReviewNotAllowed):  # already in review
                    reviews.request_review(store, record_id=last)
        with store.read() as session:
            rebuilt: dict[str, Counter] = {t: Counter() for t in envelopes.TABLES}
            for table, values in envelopes.rebuilt(session):
                rebuilt[table][values] += 1
            assert rebuilt == _tables(raw_connection(session))
        assert maintenance.verify(store, full=True).ok
    finally:
        store.close()
        shutil.rmtree(paths.root, ignore_errors=True)


# -- any single-byte change to any envelope is detected --------------------------------------

_TEXT = ["id", "case_id", "kind", "author_id", "device_id", "base", "at"]
_BLOB = ["payload", "signature", "chain"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A filled store, closed, to copy for each change."""
    paths = DataPaths(tmp_path_factory.mktemp("pristine") / "data")
    admin = accounts.first_run(paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD)
    _onboard(paths, admin, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR})
    _onboard(paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
    reviews.set_review_rules(admin, rules=ReviewRules(every_sharing_decision=True))
    admin.close()
    _fill(paths)
    assert envelope_problems(paths) == []
    return paths


@pytest.fixture(scope="module")
def pristine_db(pristine):
    """Cal's own connection to the pristine store's SQLCipher file (each change is made
    in a transaction and rolled back), with the grants as they verify."""
    keystore = Keystore.load(pristine.keystore)
    conn = raw_connect(pristine.database, keystore.unlock(CAL, CAL_PASSWORD).current_key)
    trust = grants.load(conn, keystore.store_id)
    yield conn, trust, keystore.store_id
    conn.close()


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_to_any_envelope_is_detected(pristine_db, data):
    conn, trust, store_id = pristine_db
    (count,) = conn.execute("SELECT count(*) FROM envelope").fetchone()
    pos = data.draw(st.integers(1, count), label="envelope")
    column = data.draw(st.sampled_from([*_TEXT, *_BLOB, "device_seq", "key_epoch"]))
    (value,) = conn.execute(f"SELECT {column} FROM envelope WHERE pos = ?", (pos,)).fetchone()
    if column in _BLOB:
        raw = bytearray(value)
        at = data.draw(st.integers(0, len(raw) - 1), label="byte")
        raw[at] ^= data.draw(st.integers(1, 255), label="xor")
        changed: object = bytes(raw)
    elif column in _TEXT:
        at = data.draw(st.integers(0, len(value) - 1), label="char")
        new = data.draw(
            st.characters(min_codepoint=32, max_codepoint=126).filter(
                lambda c, old=value[at]: c != old
            )
        )
        changed = value[:at] + new + value[at + 1 :]
    elif column == "device_seq":
        changed = data.draw(st.sampled_from([0, value + 1000, -value]))
    else:
        changed = data.draw(st.integers(0, 5))
    conn.execute("BEGIN")
    try:
        unlocked(conn, "envelope")
        conn.execute(f"UPDATE envelope SET {column} = ? WHERE pos = ?", (changed, pos))
        problems = envelopes.verify_envelopes(
            conn, trust, store_id=store_id, user_id=None, full=True
        ).problems
    finally:
        conn.execute("ROLLBACK")
    if column == "payload" and not problems:
        # A packed payload (store.packing) has a few bits deflate ignores (the padding of
        # its last byte): a change there leaves the signed payload as it was, byte for byte.
        assert packing.unpack(changed) == packing.unpack(value), f"payload of {pos} changed"
        return
    assert problems, f"{column} of envelope {pos} changed unnoticed"


def test_the_pristine_store_passes_after_the_changes_are_rolled_back(pristine_db):
    conn, trust, store_id = pristine_db
    report = envelopes.verify_envelopes(conn, trust, store_id=store_id, user_id=None, full=True)
    assert report.ok and report.checked == 12


# -- attacks on a real SQLCipher file --------------------------------------------------------


def test_a_record_edited_by_sql_is_named_by_verify(filled):
    paths, ids = filled
    with raw_db(paths) as conn:
        unlocked(conn, "saved_record")
        conn.execute(
            "UPDATE saved_record SET summary = 'Not shared', payload = "
            "packed(json_set(unpacked(payload), '$.purpose', 'nothing')) WHERE id = ?",
            (ids["shared"],),
        )
    result = verify_as(paths, CAL, CAL_PASSWORD)
    assert not result.ok
    assert f"saved_record row {ids['shared']} differs from its envelope" in "\n".join(
        result.lines()
    )


def test_a_row_added_or_deleted_by_sql_is_named_by_verify(filled):
    paths, ids = filled
    with raw_db(paths) as conn:
        unlocked(conn, "case_member", "review_request")
        conn.execute(
            "INSERT INTO case_member (case_id, user_id, added_at, added_by) "
            "SELECT ?, id, '2026-01-01 00:00:00.000000', id FROM user_account WHERE username = ?",
            (ids["secret"], ADMIN),
        )
        conn.execute("DELETE FROM review_request")
    text = "\n".join(verify_as(paths, BEA, BEA_PASSWORD).lines())
    assert f"case_member row {ids['secret']} comes from no envelope" in text
    assert "review_request row" in text and "is missing (deleted in the database)" in text


def test_an_envelope_forged_in_a_colleagues_name_is_detected(filled):
    """Cal signs a review in Bea's name with his own key and adds it with its rows."""
    paths, ids = filled
    keys = Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD)
    cal = signing.Signer(keys.user_id, keys.sign_private)
    bea_id = Keystore.load(paths.keystore).user_id_for(BEA)
    with raw_db(paths) as conn:
        (pos, chain, device, seq) = conn.execute(
            "SELECT pos, chain, device_id, device_seq FROM envelope ORDER BY pos DESC LIMIT 1"
        ).fetchone()
        item = envelopes.review_request_item(
            case_id=ids["case"], record_id=ids["shared"], at=envelopes_now(), reason="author"
        )
        env = envelopes.Envelope(
            signing.uuid7(),
            ids["case"],
            item.kind,
            bea_id,
            device,
            seq + 1,
            (),
            "x",
            None,
            signing.canonical(item.payload),
        )
        signature = cal.sign(signing.Context.ENVELOPE, env.signed_bytes())
        conn.execute(
            f"INSERT INTO envelope ({envelopes._COLUMNS}) VALUES ({', '.join('?' * 13)})",
            (
                pos + 1,
                env.id,
                env.case_id,
                env.kind,
                env.author_id,
                env.device_id,
                env.device_seq,
                "[]",
                env.at,
                None,
                env.payload,
                signature,
                envelopes.chain_next(chain, env.signed_bytes()),
            ),
        )
        for table, values in envelopes.rows_of(item, author_id=bea_id):
            conn.execute(envelopes._INSERTS[table], values)
    problems = envelope_problems(paths)
    assert any("has no valid signature of its author" in p for p in problems)


def envelopes_now():
    from infoshare_desktop.domain.timeutil import utcnow

    return utcnow() - timedelta(minutes=1)


def test_an_envelope_deleted_or_two_reordered_is_detected(filled):
    paths, _ = filled
    copy = DataPaths(paths.root.parent / "copy")
    shutil.copytree(paths.root, copy.root)
    with raw_db(paths) as conn:
        unlocked(conn, "envelope")
        conn.execute("DELETE FROM envelope WHERE pos = 3")
    problems = envelope_problems(paths)
    assert any("envelope 3 is missing" in p for p in problems)
    with raw_db(copy) as conn:
        unlocked(conn, "envelope")
        conn.execute("UPDATE envelope SET pos = -1 WHERE pos = 4")
        conn.execute("UPDATE envelope SET pos = 4 WHERE pos = 5")
        conn.execute("UPDATE envelope SET pos = 5 WHERE pos = -1")
    problems = envelope_problems(copy)
    assert any("reordered" in p for p in problems)


# -- checked once: the next verify checks only what is new -------------------------------------


def test_a_second_verify_checks_only_what_was_saved_since(filled):
    paths, ids = filled
    first = verify_as(paths, CAL, CAL_PASSWORD, full=False)
    assert first.ok and first.envelopes.after == 0 and first.envelopes.checked == 12
    cal = accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD)
    records.record_advice(cal, case_id=ids["case"], draft=complete_advice())
    second = maintenance.verify(cal)
    cal.close()
    assert second.ok, second.lines()
    assert (second.envelopes.after, second.envelopes.checked) == (12, 1)
    # Bea has never verified: hers checks everything.
    assert verify_as(paths, BEA, BEA_PASSWORD, full=False).envelopes.checked == 13


def test_an_unsigned_envelope_added_after_a_verify_is_caught_by_the_next(filled):
    paths, ids = filled
    assert verify_as(paths, BEA, BEA_PASSWORD, full=False).ok
    with raw_db(paths) as conn:
        (pos, chain, device, seq) = conn.execute(
            "SELECT pos, chain, device_id, device_seq FROM envelope ORDER BY pos DESC LIMIT 1"
        ).fetchone()
        conn.execute(
            f"INSERT INTO envelope ({envelopes._COLUMNS}) VALUES ({', '.join('?' * 13)})",
            (
                pos + 1,
                signing.uuid7(),
                ids["case"],
                "record.advice",
                "x",
                device,
                seq + 1,
                "[]",
                "x",
                None,
                b"{}",
                b"",
                chain,
            ),
        )
    result = verify_as(paths, BEA, BEA_PASSWORD, full=False)
    assert not result.ok and result.envelopes.checked == 1
    assert any("no valid signature" in p for p in result.envelopes.problems)


def test_the_verified_position_cannot_be_moved_on_by_editing_the_database(filled):
    """Cal pushes Bea's record of what she checked past an envelope he edited: the
    check's signature fails, so her verify checks everything and finds the edit."""
    paths, ids = filled
    assert verify_as(paths, BEA, BEA_PASSWORD, full=False).ok
    bea_id = Keystore.load(paths.keystore).user_id_for(BEA)
    with raw_db(paths) as conn:
        unlocked(conn, "saved_record")
        conn.execute("UPDATE saved_record SET summary = 'edited' WHERE id = ?", (ids["shared"],))
        (statement,) = conn.execute(
            "SELECT statement FROM envelope_check WHERE user_id = ?", (bea_id,)
        ).fetchone()
        conn.execute(
            "UPDATE envelope_check SET statement = ? WHERE user_id = ?",
            (statement.replace(b'"saved_record":', b'"saved_record":9'), bea_id),
        )
    result = verify_as(paths, BEA, BEA_PASSWORD, full=False)
    text = "\n".join(result.lines())
    assert "record of what their verify checked has been altered" in text
    assert f"saved_record row {ids['shared']} differs" in text and result.envelopes.after == 0


# -- carrying over a store from before envelopes -------------------------------------------


def test_a_store_from_before_envelopes_is_carried_over_and_the_audit_says_so(
    data_paths, monkeypatch
):
    from alembic import command

    from infoshare_desktop.store import migrate

    with monkeypatch.context() as patch:  # the store as schema 0008 left it
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), "0008"),
        )
        # A case's words went into the one index of 0002 then (0011 gave cases their own).
        patch.setitem(
            envelopes._INSERTS,
            "case_index",
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
        )
        admin = accounts.first_run(
            data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
        )
        _onboard(data_paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
        case_id = cases.create_case(admin, draft=complete_case(nhs_number=synthetic_nhs_number()))
        records.record_sharing_decision(admin, case_id=case_id, draft=complete_sharing_decision())
        admin.close()

    # Cal signs in first: the schema moves on; his save is a row, not yet an envelope.
    cal = accounts.sign_in(data_paths, username=CAL, password=CAL_PASSWORD)
    records.record_advice(cal, case_id=case_id, draft=complete_advice())
    result = maintenance.verify(cal)
    assert result.ok and not result.envelopes.active
    assert "Saved items: not yet in envelopes" in "\n".join(result.lines())
    cal.close()

    admin = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    records.record_advice(admin, case_id=case_id, draft=complete_advice())  # now an envelope
    result = maintenance.verify(admin)
    admin.close()
    assert result.ok, result.lines()
    text = "\n".join(result.lines())
    assert "items from before envelopes were carried over on" in text
    admin_id = Keystore.load(data_paths.keystore).user_id_for(ADMIN)
    with raw_db(data_paths) as conn:
        kinds = Counter(k for (k,) in conn.execute("SELECT kind FROM envelope"))
        (entry,) = conn.execute(
            "SELECT actor_id, detail FROM audit_event WHERE action = 'store.carry_over_items'"
        ).fetchall()
        (carried_by,) = conn.execute(
            "SELECT DISTINCT author_id FROM envelope WHERE kind = 'carried'"
        )
    # case, member, identifier, its index row; 2 records and their index rows
    assert kinds == {"carried": 8, "record.advice": 1}
    assert entry[0] == admin_id and entry[1] == "8 items carried over into envelopes"
    assert carried_by == (admin_id,)
    assert verify_as(data_paths, CAL, CAL_PASSWORD).ok


def test_an_envelope_claiming_to_be_carried_over_later_is_refused(filled):
    paths, ids = filled
    keys = Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD)
    cal = signing.Signer(keys.user_id, keys.sign_private)
    with raw_db(paths) as conn:
        (pos, chain, device, seq) = conn.execute(
            "SELECT pos, chain, device_id, device_seq FROM envelope ORDER BY pos DESC LIMIT 1"
        ).fetchone()
        bea_id = Keystore.load(paths.keystore).user_id_for(BEA)
        row = {"case_id": ids["case"], "user_id": bea_id, "added_at": "x", "added_by": "y"}
        payload = signing.canonical({"table": "case_member", "row": row})
        env = envelopes.Envelope(
            signing.uuid7(),
            ids["case"],
            "carried",
            keys.user_id,
            device,
            seq + 1,
            (),
            "x",
            None,
            payload,
        )
        conn.execute(
            f"INSERT INTO envelope ({envelopes._COLUMNS}) VALUES ({', '.join('?' * 13)})",
            (
                pos + 1,
                env.id,
                env.case_id,
                env.kind,
                env.author_id,
                env.device_id,
                env.device_seq,
                "[]",
                env.at,
                None,
                payload,
                cal.sign(signing.Context.ENVELOPE, env.signed_bytes()),
                envelopes.chain_next(chain, env.signed_bytes()),
            ),
        )
        conn.execute("INSERT INTO case_member VALUES (?, ?, 'x', 'y')", (ids["case"], bea_id))
    problems = envelope_problems(paths)
    assert any("claims to be carried over but is not" in p for p in problems)


# -- the index words, without rebuilding the draft -----------------------------------------


@pytest.mark.parametrize(
    "draft",
    [
        complete_case(nhs_number=synthetic_nhs_number()),
        complete_sharing_decision(),
        complete_consent_decision(),
        complete_amendment(),
        ReviewDraft(target_id="r-1", outcome=ReviewOutcome.RETURNED, comment="Say who was told"),
        complete_advice(),
        complete_request(),
        complete_reply(),
    ],
    ids=lambda d: type(d).__name__,
)
def test_the_index_words_of_a_payload_are_those_of_its_draft(draft):
    import json

    from infoshare_desktop.store import search

    content = json.loads(signing.canonical(draft.to_dict()))  # as an envelope stores it
    expected = search.draft_words(type(draft).from_dict(content))
    assert search.content_words(type(draft), content) == expected
    assert expected  # not vacuous
    del content[next(iter(content))]  # a field newer than the payload takes its default
    assert search.content_words(type(draft), content) == search.draft_words(
        type(draft).from_dict(content)
    )
