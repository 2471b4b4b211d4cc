"""The security review's findings on signed identity, each as the attack it names: the
key store's journal planted, grants deleted to trigger a second carry-over, a demotion
grant removed, a statement broken in the middle of the chain, entries signed after a
disable, and restricted-case membership inserted with SQL.

As in test_signed_identity, the attacker (Cal, a practitioner, or Bea, a team lead) edits
`infoshare.db` with an independent SQLCipher reader (apsw-sqlite3mc) using a data key from
their own slot, and `keystore.json` with a text editor. Each test fails on the code
before the fix it names."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, maintenance, records
from infoshare_desktop.services.visibility import CaseNotFound
from infoshare_desktop.store import audit, crypto, signing
from infoshare_desktop.store.errors import IdentityRefusedError
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import FICTIONAL_CHILD, complete_case, complete_sharing_decision
from tests.store.test_signed_identity import (
    BEA,
    BEA_PASSWORD,
    CAL,
    CAL_PASSWORD,
    _onboard,
    cals_signer,
    edit_keystore,
    raw_db,
    user_id,
    verify_as,
)
from tests.store.test_signed_identity import team as team  # the fixture

DEE, DEE_PASSWORD = "dee.worker", "velvet orchard compass"


def signed_roles(paths, username, password, whose) -> frozenset[Role]:
    store = accounts.sign_in(paths, username=username, password=password)
    try:
        grant = store.load_trust().account(user_id(paths, whose))
        assert grant is not None
        return grant.roles
    finally:
        store.close()


# -- 1. the key store's journal ------------------------------------------------------------


@pytest.mark.parametrize("how", ["unsigned", "signed_by_cal"])
def test_a_role_change_planted_in_the_key_store_is_not_carried_out(team, how):
    """Cal writes an intent "the administrator gave Cal the administrator role" into
    keystore.json; the administrator's next sign-in used to sign its grant."""
    admin_id, cal_id = user_id(team, ADMIN), user_id(team, CAL)
    store_id = Keystore.load(team.keystore).store_id
    intent = {
        "id": str(uuid.uuid4()),
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "action": "account.roles",
        "actor": admin_id,
        "target": cal_id,
        "detail": "roles=administrator,practitioner",
    }
    if how == "signed_by_cal":
        statement = {"store": store_id, **intent}
        signature = cals_signer(team).sign_statement(signing.Context.INTENT, statement)
        intent["signature"] = crypto.b64e(signature)
    edit_keystore(team, lambda data: data["journal"].append(intent))

    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    admin.close()
    assert signed_roles(team, ADMIN, ADMIN_PASSWORD, CAL) == {Role.PRACTITIONER}
    cal = accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    try:
        assert cal.user.roles == {Role.PRACTITIONER}
        result = maintenance.verify(cal)
    finally:
        cal.close()
    assert any("account.roles" in p and "not carried out" in p for p in result.grant_problems), (
        result.grant_problems
    )


def test_an_administrators_own_role_change_is_still_carried_out(team):
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_roles(admin, user_id=user_id(team, CAL), roles={Role.TEAM_LEAD})
    result = maintenance.verify(admin)
    admin.close()
    assert result.ok, result.lines()
    assert signed_roles(team, CAL, CAL_PASSWORD, CAL) == {Role.TEAM_LEAD}


# -- 2. the carry-over happens once ------------------------------------------------------


@pytest.mark.parametrize("deleted", ["every grant", "the root statement"])
def test_deleting_grants_does_not_carry_the_store_over_again_from_edited_rows(team, deleted):
    """Cal makes himself an administrator in his row and deletes the grants, hoping the
    administrator's next sign-in takes the store for one never signed and grants the
    rows as they stand."""
    conn = raw_db(team)
    conn.execute("DROP TRIGGER grant_statement_no_delete")
    where = "" if deleted == "every grant" else " WHERE n = 1"
    conn.execute(f"DELETE FROM grant_statement{where}")
    conn.execute(
        "UPDATE user_account SET roles = 'administrator,practitioner' WHERE username = ?", (CAL,)
    )
    conn.close()
    for name, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD), (CAL, CAL_PASSWORD)):
        with pytest.raises(IdentityRefusedError, match="replaced or removed"):
            accounts.sign_in(team, username=name, password=password)
    conn = raw_db(team)
    (carried,) = conn.execute(
        "SELECT count(*) FROM audit_event WHERE action = 'store.carry_over'"
    ).fetchone()
    conn.close()
    assert carried == 0


# -- 3. a removed demotion ---------------------------------------------------------------


def test_removing_the_grant_that_demoted_an_administrator_does_not_restore_the_role(team):
    """Bea was an administrator and has been made a team lead again; she deletes the
    demotion grant (the newest) and puts her row back."""
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    bea_id = user_id(team, BEA)
    accounts.set_roles(admin, user_id=bea_id, roles={Role.ADMINISTRATOR, Role.TEAM_LEAD})
    accounts.set_roles(admin, user_id=bea_id, roles={Role.TEAM_LEAD})
    admin.close()
    conn = raw_db(team, (BEA, BEA_PASSWORD))
    conn.execute("DROP TRIGGER grant_statement_no_delete")
    conn.execute("DELETE FROM grant_statement WHERE n = (SELECT max(n) FROM grant_statement)")
    conn.execute(
        "UPDATE user_account SET roles = 'administrator,team_lead' WHERE username = ?", (BEA,)
    )
    conn.close()
    with pytest.raises(IdentityRefusedError, match="latest signed grant is missing"):
        accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    warnings = accounts.trust_warnings(admin)
    result = maintenance.verify(admin)
    admin.close()
    assert any("grants were removed" in w for w in warnings), warnings
    assert any("grants were removed" in p for p in result.grant_problems)
    assert any(BEA in p and "missing (removed)" in p for p in result.grant_problems)


# -- 4. a break voids everything after it ------------------------------------------------


def test_a_break_in_the_grant_chain_voids_every_grant_after_it(team, data_paths):
    """Dee is added after Bea and Cal; Cal alters Bea's grant (the third statement). It,
    and every statement after it, Dee's included, grant nothing: Dee and Bea are refused,
    the administrator (whose grant comes before) signs in and is told."""
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    _onboard(data_paths, admin, DEE, DEE_PASSWORD, {Role.PRACTITIONER})
    admin.close()
    bea_id = user_id(team, BEA)
    conn = raw_db(team)
    conn.execute("DROP TRIGGER grant_statement_no_update")
    (n, body), *_ = [
        (n, body)
        for n, body in conn.execute("SELECT n, body FROM grant_statement ORDER BY n")
        if json.loads(body).get("subject") == bea_id
    ]
    conn.execute(
        "UPDATE grant_statement SET body = ? WHERE n = ?",
        (body.replace(b'"team_lead"', b'"administrator","team_lead"'), n),
    )
    conn.close()
    for name, password in ((BEA, BEA_PASSWORD), (DEE, DEE_PASSWORD), (CAL, CAL_PASSWORD)):
        with pytest.raises(IdentityRefusedError, match="latest signed grant"):
            accounts.sign_in(team, username=name, password=password)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    warnings = accounts.trust_warnings(admin)
    result = maintenance.verify(admin)
    admin.close()
    assert any(f"grant {n} " in w and "nor do the" in w for w in warnings), warnings
    assert any(f"grant {n} " in p and "grants nothing" in p for p in result.grant_problems)


def test_no_one_but_an_administrator_is_told_at_sign_in(team):
    cal = accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    try:
        assert accounts.trust_warnings(cal) == []
    finally:
        cal.close()


# -- 5. a disabled key signs nothing --------------------------------------------------------


def test_an_entry_signed_after_the_signers_account_was_disabled_does_not_verify(team):
    """Cal kept his signing key; disabled, he appends an entry in his own name, signed
    with it (through Bea's data key: his own slot no longer opens the data)."""
    cal = cals_signer(team)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.disable_user(admin, user_id=cal.user_id)
    admin.close()
    conn = raw_db(team, (BEA, BEA_PASSWORD))
    seq, head, key = conn.execute("SELECT seq, head, next_key FROM audit_state").fetchone()
    at = datetime(2026, 12, 1, 9, 0)
    fields = {"actor": cal.user_id, "action": "record.print", "kind": None, "target": None}
    entry_hash = audit._hash(head, seq + 1, at, {**fields, "detail": None})
    signature = cal.sign(
        signing.Context.AUDIT_ENTRY, audit._signed_message(cal.user_id, entry_hash)
    )
    conn.execute(
        "INSERT INTO audit_event (seq, at, actor_id, action, prev_hash, entry_hash, mac,"
        " signer_id, signature) VALUES (?, ?, ?, 'record.print', ?, ?, ?, ?, ?)",
        (seq + 1, at.isoformat(sep=" ", timespec="microseconds"), cal.user_id, head,
         entry_hash, audit._mac(key, entry_hash), cal.user_id, signature),
    )  # fmt: skip
    conn.execute(
        "UPDATE audit_state SET seq = ?, head = ?, next_key = ?",
        (seq + 1, entry_hash, audit._evolve(key)),
    )
    conn.close()
    result = verify_as(team, BEA, BEA_PASSWORD)
    assert any(
        f"entry {seq + 1} has a signature that does not verify" in p for p in result.audit_problems
    ), result.audit_problems


# -- 7. restricted-case membership ---------------------------------------------------------


def test_a_membership_row_inserted_with_sql_opens_no_restricted_case(team):
    bea = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)
    case_id = cases.create_case(bea, draft=complete_case(restricted=True))
    bea.close()
    cal_id = user_id(team, CAL)
    conn = raw_db(team)
    conn.execute(
        "INSERT INTO case_member (case_id, user_id, added_at, added_by) VALUES (?, ?, ?, ?)",
        (case_id, cal_id, "2026-12-01 09:00:00.000000", user_id(team, BEA)),
    )
    conn.close()

    cal = accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    try:
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=case_id)
        with pytest.raises(CaseNotFound):
            cases.chronology(cal, case_id=case_id)
        assert case_id not in {c.case_id for c in cases.list_cases(cal)}
        assert case_id not in {h.case_id for h in cases.search(cal, query=FICTIONAL_CHILD)}
        with pytest.raises(CaseNotFound):  # the save path asks the signed membership too
            records.record_sharing_decision(cal, case_id=case_id, draft=complete_sharing_decision())
        with cal.read() as session:
            assert cal.members_of(session, case_id) == {user_id(team, BEA)}
        result = maintenance.verify(cal)
    finally:
        cal.close()
    assert any(
        case_id in p and CAL in p and "row grants nothing" in p for p in result.grant_problems
    ), result.grant_problems

    bea = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)  # named by a member
    cases.add_case_member(bea, case_id=case_id, user_id=cal_id)
    bea.close()
    cal = accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    try:
        assert cases.open_case(cal, case_id=case_id).case_id == case_id
        assert case_id in {c.case_id for c in cases.list_cases(cal)}
        assert case_id in {h.case_id for h in cases.search(cal, query=FICTIONAL_CHILD)}
        assert cal.trust.members_of(case_id) == {user_id(team, BEA), cal_id}
        records.record_sharing_decision(cal, case_id=case_id, draft=complete_sharing_decision())
        # Signed now; the planted row itself is still named by the envelopes' check.
        assert not any(case_id in p for p in maintenance.verify(cal).grant_problems)
    finally:
        cal.close()


def test_a_membership_statement_signed_by_a_non_member_grants_nothing(team):
    """Cal signs a statement naming himself on Bea's restricted case, with his own key."""
    from infoshare_desktop.store import grants

    bea = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)
    case_id = cases.create_case(bea, draft=complete_case(restricted=True))
    bea.close()
    cal = cals_signer(team)
    conn = raw_db(team)
    with audit.signing_as(cal):
        grants.issue_member(conn, cal, case_id=case_id, members=[cal.user_id], reason="mine")
    conn.close()
    store = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)
    try:
        assert store.trust.members_of(case_id) == {user_id(team, BEA)}
        assert any("not entitled to name members" in p for p in store.trust.problems)
    finally:
        store.close()


# -- property: any single-byte change breaks the chain at that statement ------------------


def test_any_single_byte_change_to_a_grant_voids_it_and_every_grant_after_it(team):
    import sqlite3

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from infoshare_desktop.store import grants

    store_id = Keystore.load(team.keystore).store_id
    conn = raw_db(team)
    rows = [
        (n, bytes(b), bytes(s))
        for n, b, s in conn.execute("SELECT n, body, signature FROM grant_statement ORDER BY n")
    ]
    conn.close()

    def load(statements) -> grants.Trust:
        mem = sqlite3.connect(":memory:")
        try:
            mem.execute(
                "CREATE TABLE grant_statement (n INTEGER PRIMARY KEY, body BLOB, signature BLOB)"
            )
            mem.executemany("INSERT INTO grant_statement VALUES (?, ?, ?)", statements)
            return grants.load(mem, store_id)
        finally:
            mem.close()  # Python 3.13 warns of an unclosed connection

    whole = load(rows)
    assert whole.problems == [] and whole.head_n == len(rows) >= 4

    @settings(max_examples=150, deadline=None)
    @given(st.data())
    def one_byte_changed(data):
        i = data.draw(st.integers(0, len(rows) - 1), label="statement")
        n, body, signature = rows[i]
        field = data.draw(st.sampled_from(["body", "signature"]), label="field")
        value = bytearray(body if field == "body" else signature)
        at = data.draw(st.integers(0, len(value) - 1), label="byte")
        value[at] ^= data.draw(st.integers(1, 255), label="xor")
        changed = (n, bytes(value), signature) if field == "body" else (n, body, bytes(value))
        trust = load([*rows[:i], changed, *rows[i + 1 :]])
        assert trust.broken_at == n and trust.head_n == n - 1
        assert all(g.n < n for g in trust.accounts.values())
        assert len(trust.problems) == 1 and f"grant {n} " in trust.problems[0]

    one_byte_changed()
