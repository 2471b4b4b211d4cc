"""Restricted-case membership carried over from a store the previous release left.

That release signed accounts (grants) but kept who is named on a restricted case as
`case_member` rows alone, with the case's content plain (no case keys). The store here
is made so: schema 0009, with the signed membership statements, the sealing and the
case keys of today's code switched off while it is written. After the upgrade its
restricted cases open to nobody until an administrator signs in; that sign-in carries
the rows over, once, into one signed statement (the audit says so), and seals the
cases' keys to their members. Cal (a practitioner named on nothing) then edits the
database with an independent SQLCipher reader (apsw-sqlite3mc) and his own data key."""

from __future__ import annotations

import json
import os
import time

import pytest
from alembic import command

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, maintenance, sealed
from infoshare_desktop.services.errors import StoreBusyError
from infoshare_desktop.services.visibility import CaseNotFound
from infoshare_desktop.store import envelopes, grants, migrate, signing
from infoshare_desktop.store.core import Store
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case
from tests.store.test_sealed_content import (
    BEA,
    BEA_PASSWORD,
    CAL,
    CAL_PASSWORD,
    NAME_MARK,
    TEXT_MARK,
    _cals_key,
    _epochs_held,
    _onboard,
    _raw_db,
    _restricted_record,
    _sign_in,
    _user_id,
    plant_member_row,
)

DEE, DEE_PASSWORD = "dee.worker", "cobalt lantern meadow"
EVE, EVE_PASSWORD = "eve.admin", "saffron harbour kite"


def _rows_members(self: Store, tx: object, case_id: str) -> frozenset[str]:
    """Membership as the previous release read it: the rows."""
    rows = raw_connection(tx).execute(
        "SELECT user_id FROM case_member WHERE case_id = ?", (case_id,)
    )
    return frozenset(r[0] for r in rows)


def _rows_member_cases(self: Store, tx: object) -> frozenset[str]:
    rows = raw_connection(tx).execute(
        "SELECT case_id FROM case_member WHERE user_id = ?", (self.keys.user_id,)
    )
    return frozenset(r[0] for r in rows)


@pytest.fixture
def old_store(data_paths, monkeypatch):
    """The store as the previous release left it: Bea's restricted case (Dee named on it,
    one record), her ordinary case; Cal and Eve (a second administrator) have accounts.
    Returns (paths, restricted case id, ordinary case id)."""
    with monkeypatch.context() as patch:
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), "0009"),
        )
        # A case's words went into the one index then (0011 gave cases their own).
        patch.setitem(
            envelopes._INSERTS,
            "case_index",
            "INSERT INTO search_index (case_id, record_id, body) VALUES (?, NULL, ?)",
        )
        # No membership statements, no case keys, content plain: rows alone.
        patch.setattr(grants, "issue_member", lambda *args, **kwargs: 0)
        patch.setattr(grants, "carry_over_members", lambda *args, **kwargs: None)
        patch.setattr(sealed, "sealed_case_item", lambda store, tx, item, **kwargs: item)
        patch.setattr(sealed, "sealed_record_item", lambda store, tx, item: item)
        patch.setattr(sealed, "sync_case_keys", lambda *args, **kwargs: 0)
        patch.setattr(Store, "members_of", _rows_members)
        patch.setattr(Store, "member_cases", _rows_member_cases)
        admin = accounts.first_run(
            data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
        )
        _onboard(data_paths, admin, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.PRACTITIONER})
        _onboard(data_paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
        _onboard(data_paths, admin, DEE, DEE_PASSWORD, {Role.PRACTITIONER})
        _onboard(data_paths, admin, EVE, EVE_PASSWORD, {Role.ADMINISTRATOR})
        admin.close()
        bea = _sign_in(data_paths, BEA, BEA_PASSWORD)
        case_id = cases.create_case(
            bea,
            draft=complete_case(
                display_name=f"{NAME_MARK} Older", restricted=True, nhs_number="9990000018"
            ),
        )
        cases.add_case_member(bea, case_id=case_id, user_id=_user_id(data_paths, DEE))
        _restricted_record(bea, case_id)
        ordinary = cases.create_case(
            bea,
            draft=complete_case(display_name="Ordinary Child", case_reference="ORD-9"),
            confirmed_not_duplicate=True,
        )
        bea.close()
    conn = _raw_db(data_paths, _cals_key(data_paths))
    try:  # the shape the previous release left: rows, and no statement names anyone
        kinds = [
            json.loads(bytes(b))["kind"]
            for (b,) in conn.execute("SELECT body FROM grant_statement")
        ]
        assert "member" not in kinds and grants.MEMBERS_CARRIED not in kinds
        assert (
            conn.execute(
                "SELECT count(*) FROM case_member WHERE case_id = ?", (case_id,)
            ).fetchone()[0]
            == 2
        )
    finally:
        conn.close()
    return data_paths, case_id, ordinary


def _statements(paths) -> list[dict]:
    conn = _raw_db(paths, _cals_key(paths))
    try:
        return [
            json.loads(bytes(body))
            for (body,) in conn.execute("SELECT body FROM grant_statement ORDER BY n")
        ]
    finally:
        conn.close()


def _carried(paths) -> list[dict]:
    return [s for s in _statements(paths) if s["kind"] == grants.MEMBERS_CARRIED]


def _opens(paths, username, password, case_id) -> bool:
    store = _sign_in(paths, username, password)
    try:
        cases.open_case(store, case_id=case_id)
    except CaseNotFound:
        return False
    finally:
        store.close()
    return True


def test_members_are_told_until_an_administrators_sign_in_carries_them_over(old_store):
    paths, case_id, ordinary = old_store
    bea = _sign_in(paths, BEA, BEA_PASSWORD)  # upgrades the schema; she cannot sign
    try:
        assert accounts.members_carry_over_pending(bea)
        with pytest.raises(CaseNotFound):
            cases.open_case(bea, case_id=case_id)
        assert [c.case_id for c in cases.list_cases(bea)] == [ordinary]
        lines = "\n".join(maintenance.verify(bea).lines())
        assert (
            "Restricted-case members: not yet signed (an administrator's sign-in carries "
            "them over)" in lines
        )
    finally:
        bea.close()
    assert _carried(paths) == []

    admin = _sign_in(paths, ADMIN, ADMIN_PASSWORD)
    try:
        assert not accounts.members_carry_over_pending(admin)
        result = maintenance.verify(admin)
        assert result.ok, result.lines()
        assert "Restricted-case members" not in "\n".join(result.lines())
        with admin.read() as session:
            (entry,) = (
                raw_connection(session)
                .execute(
                    "SELECT actor_id, detail FROM audit_event WHERE action = ?",
                    ("store.carry_over_members",),
                )
                .fetchall()
            )
    finally:
        admin.close()
    admin_id, bea_id, dee_id = (_user_id(paths, u) for u in (ADMIN, BEA, DEE))
    assert entry == (
        admin_id,
        "2 members of 1 restricted cases carried over into signed statements",
    )
    (statement,) = _carried(paths)
    assert statement["issuer"] == admin_id
    assert statement["cases"] == {case_id: [bea_id, dee_id]}  # in the order named

    # Bea and Dee open it, with its content, now sealed to them; Cal still cannot.
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:
        assert not accounts.members_carry_over_pending(bea)
        assert cases.open_case(bea, case_id=case_id).display_name == f"{NAME_MARK} Older"
        assert case_id in {c.case_id for c in cases.list_cases(bea)}
        assert [h.case_id for h in cases.search(bea, query=TEXT_MARK)] == [case_id]
    finally:
        bea.close()
    assert _opens(paths, DEE, DEE_PASSWORD, case_id)
    assert not _opens(paths, CAL, CAL_PASSWORD, case_id)
    assert _epochs_held(paths, BEA, BEA_PASSWORD, case_id) == {1}
    assert _epochs_held(paths, DEE, DEE_PASSWORD, case_id) == {1}
    assert _epochs_held(paths, CAL, CAL_PASSWORD, case_id) == set()
    assert verify_as(paths, CAL, CAL_PASSWORD).ok


def verify_as(paths, username, password):
    store = _sign_in(paths, username, password)
    try:
        return maintenance.verify(store)
    finally:
        store.close()


def test_a_row_added_by_sql_after_the_carry_over_grants_nothing_at_any_later_sign_in(
    old_store, tmp_path
):
    """Cal names himself on the case with a raw reader after the carry-over, and on a
    second restricted case of his own making that no statement names anyone on; the
    administrators sign in again: nothing is carried over a second time."""
    paths, case_id, ordinary = old_store
    _sign_in(paths, ADMIN, ADMIN_PASSWORD).close()
    cal_id = _user_id(paths, CAL)
    conn = _raw_db(paths, _cals_key(paths))
    try:
        for target in (case_id, ordinary):
            plant_member_row(conn, target, cal_id)
        conn.execute("DROP TRIGGER case_file_no_update")
        conn.execute("UPDATE case_file SET restricted = 1 WHERE id = ?", (ordinary,))
    finally:
        conn.close()
    for username, password in ((ADMIN, ADMIN_PASSWORD), (EVE, EVE_PASSWORD)):
        _sign_in(paths, username, password).close()
    assert len(_carried(paths)) == 1
    assert not _opens(paths, CAL, CAL_PASSWORD, case_id)
    assert not _opens(paths, CAL, CAL_PASSWORD, ordinary)
    assert _epochs_held(paths, CAL, CAL_PASSWORD, case_id) == set()
    text = "\n".join(verify_as(paths, CAL, CAL_PASSWORD).lines())
    assert f"restricted case {case_id} names {CAL} as a member, but no signed statement" in text


def test_a_second_carry_over_statement_grants_nothing_and_verify_names_it(old_store):
    """Cal cannot make a second carry-over: he is no administrator, and even one signed
    by an administrator's key after the first is refused by everyone's reading."""
    paths, case_id, _ = old_store
    _sign_in(paths, ADMIN, ADMIN_PASSWORD).close()
    keys = Keystore.load(paths.keystore).unlock(ADMIN, ADMIN_PASSWORD)
    admin = signing.Signer(keys.user_id, keys.sign_private)
    cal_id = _user_id(paths, CAL)
    conn = _raw_db(paths, _cals_key(paths))
    try:
        trust = grants.load(conn, Keystore.load(paths.keystore).store_id)
        trust.members_carried = None  # as if it were not done: a second one is written
        del trust.members[case_id]
        conn.execute("DELETE FROM case_member WHERE case_id = ?", (case_id,))
        plant_member_row(conn, case_id, cal_id)
        grants.carry_over_members(conn, admin, trust, {case_id: [cal_id]})
    finally:
        conn.close()
    assert len(_carried(paths)) == 2
    assert not _opens(paths, CAL, CAL_PASSWORD, case_id)
    text = "\n".join(verify_as(paths, CAL, CAL_PASSWORD).lines())
    assert "carries membership over a second time" in text


def _child_sign_in(paths, username: str, password: str, ready: float) -> None:
    """In a forked process: sign in at `ready` (retrying while the other holds the key
    store), then exit 0; any other outcome exits 1."""
    code = 1
    try:
        time.sleep(max(0.0, ready - time.time()))
        for _ in range(200):
            try:
                accounts.sign_in(paths, username=username, password=password).close()
                code = 0
                break
            except StoreBusyError:
                time.sleep(0.05)
    finally:
        os._exit(code)


def test_two_administrators_signing_in_at_once_carry_over_once(old_store):
    paths, case_id, _ = old_store
    _sign_in(paths, BEA, BEA_PASSWORD).close()  # the schema upgrade, apart
    ready = time.time() + 1.0
    children = []
    for username, password in ((ADMIN, ADMIN_PASSWORD), (EVE, EVE_PASSWORD)):
        pid = os.fork()
        if pid == 0:
            _child_sign_in(paths, username, password, ready)
        children.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0, 0]
    assert len(_carried(paths)) == 1
    assert _opens(paths, DEE, DEE_PASSWORD, case_id)
    assert verify_as(paths, CAL, CAL_PASSWORD).ok


def test_cases_sealed_to_the_administrators_alone_are_sealed_to_their_members_too(
    old_store, monkeypatch
):
    """A store an administrator opened with the release before this one: its restricted
    cases were sealed then, to the administrators only (no statement named the members).
    The next administrator's sign-in carries the members over and seals the key to them."""
    paths, case_id, _ = old_store
    with monkeypatch.context() as patch:
        patch.setattr(Store, "_carry_over_members", lambda self: None)
        _sign_in(paths, ADMIN, ADMIN_PASSWORD).close()
    assert _epochs_held(paths, ADMIN, ADMIN_PASSWORD, case_id) == {1}
    assert _epochs_held(paths, BEA, BEA_PASSWORD, case_id) == set()
    assert not _opens(paths, BEA, BEA_PASSWORD, case_id)
    _sign_in(paths, EVE, EVE_PASSWORD).close()
    assert _epochs_held(paths, BEA, BEA_PASSWORD, case_id) == {1}
    assert _opens(paths, BEA, BEA_PASSWORD, case_id)
    assert _opens(paths, DEE, DEE_PASSWORD, case_id)
    assert not _opens(paths, CAL, CAL_PASSWORD, case_id)


def _forge_member_added(paths, case_id: str, user_id: str) -> None:
    """Cal appends a `case.member_added` envelope naming `user_id` on the case, signed
    with his own certified key and chained after the last one (a valid envelope of his)."""
    keys = Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD)
    cal = signing.Signer(keys.user_id, keys.sign_private)
    conn = _raw_db(paths, keys.current_key)
    try:
        (pos, chain, device, seq) = conn.execute(
            "SELECT pos, chain, device_id, device_seq FROM envelope ORDER BY pos DESC LIMIT 1"
        ).fetchone()
        payload = signing.canonical({"user_id": user_id, "added_at": "2026-01-01T00:00:00Z"})
        env = envelopes.Envelope(
            signing.uuid7(),
            case_id,
            envelopes.MEMBER_ADDED,
            keys.user_id,
            device,
            seq + 1,
            (),
            "2026-01-01T00:00:00.000000+00:00",
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
                envelopes.chain_next(bytes(chain), env.signed_bytes()),
            ),
        )
        conn.execute(
            "INSERT INTO case_member (case_id, user_id, added_at, added_by) "
            "VALUES (?, ?, '2026-01-01 00:00:00.000000', ?)",
            (case_id, user_id, keys.user_id),
        )
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["row", "own_envelope"])
def test_a_member_planted_before_the_carry_over_is_not_carried_over(old_store, how):
    """Before any administrator has signed in, Cal names himself on the case: a bare row,
    or a row with a `case.member_added` envelope he signed himself (he is not named on
    the case, so his envelope names no one). The carry-over signs Bea and Dee only."""
    paths, case_id, _ = old_store
    cal_id = _user_id(paths, CAL)
    if how == "row":
        conn = _raw_db(paths, _cals_key(paths))
        try:
            plant_member_row(conn, case_id, cal_id)
        finally:
            conn.close()
    else:
        _forge_member_added(paths, case_id, cal_id)
    _sign_in(paths, ADMIN, ADMIN_PASSWORD).close()
    (statement,) = _carried(paths)
    assert statement["cases"] == {case_id: [_user_id(paths, BEA), _user_id(paths, DEE)]}
    assert not _opens(paths, CAL, CAL_PASSWORD, case_id)
    assert _opens(paths, DEE, DEE_PASSWORD, case_id)
    assert _epochs_held(paths, CAL, CAL_PASSWORD, case_id) == set()
    text = "\n".join(verify_as(paths, CAL, CAL_PASSWORD).lines())
    assert f"restricted case {case_id} names {CAL} as a member, but no signed statement" in text
