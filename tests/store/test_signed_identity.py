"""Signed identity: the attacks an account holder with a raw SQLCipher reader could make
on the accounts, the key store and the audit trail, each refused or detected.

The attacker is Cal, a practitioner: he opens his own key slot with his own password
(as any account holder can) and edits `infoshare.db` with an independent SQLCipher
reader (apsw-sqlite3mc), and `keystore.json` with a text editor. Nothing here goes
through the application's services to do the tampering."""

from __future__ import annotations

import contextlib
import json
import shutil
import zipfile
from datetime import datetime

import apsw
import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import (
    AccountDisabledError,
    PermissionDenied,
    SetupCodeRequired,
)
from infoshare_desktop.store import audit, crypto, grants, signing
from infoshare_desktop.store.engine import make_engine, raw_connect, read_session
from infoshare_desktop.store.errors import (
    IdentityRefusedError,
    KeystoreDamagedError,
    RollbackDetectedError,
    StoreDamagedError,
)
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD

BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"
CAL, CAL_PASSWORD = "cal.worker", "amber kettle horizon"


def _onboard(paths, admin, username, password, roles):
    code = accounts.add_user(admin, username=username, display_name=username.title(), roles=roles)
    with pytest.raises(SetupCodeRequired):
        accounts.sign_in(paths, username=username, password=code)
    accounts.sign_in(paths, username=username, password=code, new_password=password).close()


@pytest.fixture
def team(admin_store, data_paths):
    """An administrator, Bea (team lead, supervisor) and Cal (practitioner); closed."""
    _onboard(data_paths, admin_store, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR})
    _onboard(data_paths, admin_store, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
    for minutes in (5, 6, 7, 8):
        accounts.set_idle_lock_minutes(admin_store, minutes=minutes)
    admin_store.close()
    return data_paths


def cals_key(paths, who=(CAL, CAL_PASSWORD)) -> bytes:
    """What Cal gets from his own slot with his own password: the data key (or, once his
    account is disabled and the key rotated without him, what Bea gets from hers)."""
    return Keystore.load(paths.keystore).unlock(*who).current_key


def raw_db(paths, who=(CAL, CAL_PASSWORD)) -> apsw.Connection:
    """The database opened by an independent SQLCipher reader, writable, with Cal's key
    (or another account holder's, `who`)."""
    conn = apsw.Connection(str(paths.database))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{cals_key(paths, who).hex()}'\"")
    return conn


def user_id(paths, username) -> str:
    return Keystore.load(paths.keystore).user_id_for(username)


def verify_as(paths, username, password) -> maintenance.VerificationResult:
    store = accounts.sign_in(paths, username=username, password=password)
    try:
        return maintenance.verify(store)
    finally:
        store.close()


def chain_problems(paths, username, password) -> list[str]:
    """The audit chain check alone (what `verify` runs after the checkpoint check), as
    `username` can run it: signatures always, MACs with an administrator's anchor."""
    keystore = Keystore.load(paths.keystore)
    keys = keystore.unlock(username, password)
    engine = make_engine(paths.database, keys.current_key)
    try:
        with read_session(engine) as session:
            trust = grants.load(raw_connection(session), keystore.store_id)
            return audit.verify_chain(session, keys.audit_anchor, trust).problems
    finally:
        engine.dispose()


def forget_checkpoints(paths) -> None:
    """What a tamperer who knows the design also does: remove the checkpoints."""
    shutil.rmtree(paths.root / "checkpoints", ignore_errors=True)
    data = json.loads(paths.keystore.read_bytes())
    for slot in data["slots"].values():
        slot.pop("checkpoint", None)
    paths.keystore.write_text(json.dumps(data))


def edit_keystore(paths, change) -> None:
    data = json.loads(paths.keystore.read_bytes())
    change(data)
    paths.keystore.write_text(json.dumps(data))


def slot_of(data, uid) -> dict:
    return next(s for s in data["slots"].values() if s["user_id"] == uid)


# -- grants, not rows ----------------------------------------------------------------


def test_an_sql_role_change_on_ones_own_row_grants_nothing_and_verify_names_it(team):
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    admin.close()
    conn = raw_db(team)
    conn.execute(
        "UPDATE user_account SET roles = 'administrator,practitioner' WHERE username = ?", (CAL,)
    )
    conn.close()

    cal = accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    try:
        assert cal.user.roles == {Role.PRACTITIONER}
        with pytest.raises(PermissionDenied):
            accounts.list_users(cal)
        with pytest.raises(PermissionDenied):
            accounts.add_user(cal, username="mallory", display_name="M", roles={Role.ADMINISTRATOR})
        result = maintenance.verify(cal)
    finally:
        cal.close()
    assert not result.ok
    assert any(CAL in p and "grants nothing" in p for p in result.grant_problems)
    assert any(CAL in line and "grants nothing" in line for line in result.lines())

    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    (summary,) = [u for u in accounts.list_users(admin) if u.username == CAL]
    admin.close()
    assert summary.roles == {Role.PRACTITIONER} and summary.unsigned_change


def test_an_sql_status_change_does_not_let_a_disabled_account_back_in(team):
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.disable_user(admin, user_id=user_id(team, CAL))
    admin.close()
    conn = raw_db(team, (BEA, BEA_PASSWORD))  # Cal's slot no longer opens the data
    conn.execute("UPDATE user_account SET status = 'active' WHERE username = ?", (CAL,))
    conn.close()
    with pytest.raises(AccountDisabledError):
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)


def test_removing_the_grant_that_disabled_an_account_does_not_let_it_back_in(team):
    bea = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)  # open: no rotation yet
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.disable_user(admin, user_id=user_id(team, CAL))
    assert accounts.key_rotation_pending(admin)
    admin.close()
    bea.close()
    conn = raw_db(team)
    conn.execute("DROP TRIGGER grant_statement_no_delete")
    conn.execute("DELETE FROM grant_statement WHERE n = (SELECT max(n) FROM grant_statement)")
    conn.execute("UPDATE user_account SET status = 'active' WHERE username = ?", (CAL,))
    conn.close()
    with pytest.raises(IdentityRefusedError):
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    result = verify_as(team, BEA, BEA_PASSWORD)
    assert any(CAL in p and "missing (removed)" in p for p in result.grant_problems)


def test_the_restore_check_uses_grants_not_the_edited_row(team, tmp_path):
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    maintenance.backup(admin, dest=tmp_path / "b.isbackup")
    admin.close()
    conn = raw_db(team)
    conn.execute("UPDATE user_account SET roles = 'administrator' WHERE username = ?", (CAL,))
    conn.close()
    with pytest.raises(PermissionDenied):
        maintenance.preview_restore(
            team, src=tmp_path / "b.isbackup", username=CAL, password=CAL_PASSWORD
        )


def test_an_edited_grant_grants_nothing(team):
    conn = raw_db(team)
    conn.execute("DROP TRIGGER grant_statement_no_update")
    rows = conn.execute("SELECT n, body FROM grant_statement").fetchall()
    cal_id = user_id(team, CAL)
    for n, body in rows:
        statement = json.loads(body)
        if statement.get("subject") == cal_id:
            statement["roles"] = ["administrator", "practitioner"]
            conn.execute(
                "UPDATE grant_statement SET body = ? WHERE n = ?",
                (signing.canonical(statement), n),
            )
    conn.close()
    with pytest.raises(IdentityRefusedError):  # Cal now has no valid grant at all
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    result = verify_as(team, ADMIN, ADMIN_PASSWORD)
    assert any("signature that does not verify" in p for p in result.grant_problems)


def test_a_replaced_root_of_trust_is_refused_by_every_account(team):
    """Cal swaps in a root of his own and grants himself administrator under it."""
    attacker = signing.Signer(user_id(team, CAL), signing.new_signing_key()[0])
    store_id = Keystore.load(team.keystore).store_id
    conn = raw_db(team)
    conn.execute("DROP TRIGGER grant_statement_no_delete")
    conn.execute("DELETE FROM grant_statement")
    conn.close()
    raw = raw_connect(team.database, cals_key(team))
    grants.issue_root(raw, attacker, store_id=store_id)
    slot = Keystore.load(team.keystore).slot_publics()[attacker.user_id]
    grants.issue_account(
        raw,
        attacker,
        store_id=store_id,
        user_id=attacker.user_id,
        username=CAL,
        roles={Role.ADMINISTRATOR},
        status="active",
        box_public=crypto.b64d(slot["public"]),
        sign_public=crypto.b64d(slot["sign_public"]),
        reason="forged",
    )
    raw.commit()
    raw.close()
    for name, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD), (CAL, CAL_PASSWORD)):
        with pytest.raises(IdentityRefusedError, match="replaced or removed"):
            accounts.sign_in(team, username=name, password=password)


# -- key slots -------------------------------------------------------------------------


def test_a_hidden_slot_receives_no_key_at_rotation(team):
    _private, public = crypto.new_keypair()
    edit_keystore(
        team,
        lambda data: data["slots"].__setitem__(
            "0" * 64,
            {
                **slot_of(data, user_id(team, CAL)),
                "user_id": "hidden",
                "public": crypto.b64e(public),
            },
        ),
    )
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    result = maintenance.verify(admin)
    assert any("hidden" in p and "no signed grant" in p for p in result.grant_problems)
    epoch = admin.rotate_key()
    admin.close()
    hidden = json.loads(team.keystore.read_bytes())["slots"]["0" * 64]
    assert str(epoch) not in hidden["keys"] and hidden["keys"] == {}


def test_a_swapped_public_key_in_a_colleagues_slot_is_refused(team):
    """Cal puts his own X25519 key in Bea's slot, hoping the next rotation seals the new
    data key to him: her slot gets nothing, and the administrator is told."""
    _private, public = crypto.new_keypair()
    bea_id = user_id(team, BEA)
    edit_keystore(team, lambda data: slot_of(data, bea_id).update(public=crypto.b64e(public)))
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    result = maintenance.verify(admin)
    assert any(BEA in p and "does not certify" in p for p in result.grant_problems)
    with pytest.raises(accounts.AccountError, match="does not certify"):
        accounts.set_roles(admin, user_id=bea_id, roles={Role.ADMINISTRATOR})
    epoch = admin.rotate_key()
    admin.close()
    bea_slot = slot_of(json.loads(team.keystore.read_bytes()), bea_id)
    assert str(epoch) not in bea_slot["keys"]


def test_a_disabled_accounts_slot_and_its_old_key_open_nothing_at_once(team):
    """Disabling rotates the data key without the account: its slot, or the data key
    Cal kept from it, opens nothing; enabling him gives his slot the current key."""
    old_key = cals_key(team)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.disable_user(admin, user_id=user_id(team, CAL))
    assert not accounts.key_rotation_pending(admin)
    cal_slot = slot_of(json.loads(team.keystore.read_bytes()), user_id(team, CAL))
    assert cal_slot["keys"] == {}
    with pytest.raises(StoreDamagedError):
        raw_connect(team.database, old_key)
    with pytest.raises(AccountDisabledError):
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    accounts.enable_user(admin, user_id=user_id(team, CAL))
    admin.close()
    accounts.sign_in(team, username=CAL, password=CAL_PASSWORD).close()


def test_a_backup_made_after_an_account_is_disabled_holds_no_key_for_its_slot(team, tmp_path):
    """A backup's key store seals the backup's key only to slots holding the key an
    active account's signed grant certifies: Cal's slot holds it in a backup made before
    he was disabled, and not in one made after."""
    from infoshare_desktop.store.backup import KEYSTORE_MEMBER

    def cal_slot_keys(backup) -> dict:
        with zipfile.ZipFile(backup) as zf:
            data = json.loads(zf.read(KEYSTORE_MEMBER))
        return slot_of(data, user_id(team, CAL))["keys"]

    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        maintenance.backup(admin, dest=tmp_path / "before.isbackup")
        accounts.disable_user(admin, user_id=user_id(team, CAL))
        maintenance.backup(admin, dest=tmp_path / "after.isbackup")
    finally:
        admin.close()
    assert cal_slot_keys(tmp_path / "before.isbackup") != {}  # the control
    # Nothing to open with his private key, whatever code reads the file (not only ours,
    # which also refuses his disabled status).
    assert cal_slot_keys(tmp_path / "after.isbackup") == {}


def test_an_old_copy_of_a_slot_or_key_store_after_a_reset_opens_nothing(team):
    """After a password reset (which rotates the data key), Cal puts back his old slot,
    then the whole old key store with its generation raised above the current one."""
    old = json.loads(team.keystore.read_bytes())
    old_key = cals_key(team)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    code = accounts.reset_password(admin, user_id=user_id(team, CAL))
    admin.close()
    accounts.sign_in(team, username=CAL, password=code, new_password="new cal passphrase").close()
    current = json.loads(team.keystore.read_bytes())
    with pytest.raises(StoreDamagedError):  # the key the old slot held opens nothing
        raw_connect(team.database, old_key)

    edit_keystore(
        team,
        lambda data: slot_of(data, user_id(team, CAL)).update(slot_of(old, user_id(team, CAL))),
    )
    with pytest.raises((IdentityRefusedError, AccountDisabledError)):
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)
    result = verify_as(team, BEA, BEA_PASSWORD)
    assert any(CAL in p and "does not certify" in p for p in result.grant_problems)

    team.keystore.write_text(json.dumps(dict(old, generation=current["generation"] + 1000)))
    for name, password in ((CAL, CAL_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        with pytest.raises(StoreDamagedError):  # a rolled-back key store opens nothing
            accounts.sign_in(team, username=name, password=password)
    team.keystore.write_text(json.dumps(current))
    accounts.sign_in(team, username=CAL, password="new cal passphrase").close()


# -- the audit trail -------------------------------------------------------------------


def cals_signer(paths) -> signing.Signer:
    keys = Keystore.load(paths.keystore).unlock(CAL, CAL_PASSWORD)
    assert keys.sign_private is not None
    return signing.Signer(keys.user_id, keys.sign_private)


def append_print_entry(conn, *, actor_id: str, how: str, signer: signing.Signer) -> int:
    """An audit entry appended in `actor_id`'s name ("record.print"), its hash, MAC and
    chain head right (the next MAC key sits in audit_state), its signature by `signer`:
    "unsigned", "signed_by_cal" (Cal's own id) or "claims_bea_signed" (the actor's id).
    Returns its sequence number."""
    seq, head, key = conn.execute("SELECT seq, head, next_key FROM audit_state").fetchone()
    at = datetime(2026, 11, 30, 9, 0)
    fields = {"actor": actor_id, "action": "record.print", "kind": None, "target": None}
    entry_hash = audit._hash(head, seq + 1, at, {**fields, "detail": None})
    message = audit._signed_message(signer.user_id, entry_hash)
    signer_id, signature = {
        "unsigned": (None, None),
        "signed_by_cal": (signer.user_id, signer.sign(signing.Context.AUDIT_ENTRY, message)),
        "claims_bea_signed": (actor_id, signer.sign(signing.Context.AUDIT_ENTRY, message)),
    }[how]
    conn.execute(
        "INSERT INTO audit_event (seq, at, actor_id, action, prev_hash, entry_hash, mac,"
        " signer_id, signature) VALUES (?, ?, ?, 'record.print', ?, ?, ?, ?, ?)",
        (seq + 1, at.isoformat(sep=" ", timespec="microseconds"), actor_id, head, entry_hash,
         audit._mac(key, entry_hash), signer_id, signature),
    )  # fmt: skip
    conn.execute(
        "UPDATE audit_state SET seq = ?, head = ?, next_key = ?",
        (seq + 1, entry_hash, audit._evolve(key)),
    )
    return int(seq) + 1


@pytest.mark.parametrize("how", ["unsigned", "signed_by_cal", "claims_bea_signed"])
def test_an_entry_appended_in_the_team_leads_name_is_detected_by_a_practitioners_verify(team, how):
    conn = raw_db(team)
    seq = append_print_entry(conn, actor_id=user_id(team, BEA), how=how, signer=cals_signer(team))
    conn.close()
    result = verify_as(team, CAL, CAL_PASSWORD)
    assert not result.ok
    assert any(f"entry {seq}" in p for p in result.audit_problems), result.audit_problems


def _recompute_chain(conn, *, from_seq: int, anchor: bytes | None = None) -> None:
    """Recompute every hash (and, given an anchor of the tamperer's own, every MAC) from
    `from_seq` on, and the chain head: what a tamperer does to hide an edit."""
    rows = conn.execute(
        "SELECT seq, at, actor_id, action, target_kind, target_id, detail, prev_hash"
        " FROM audit_event ORDER BY seq"
    ).fetchall()
    prev, key = audit.GENESIS, anchor
    updates = []
    for seq, at, actor, action, kind, target, detail, prev_hash in rows:
        fields = {
            "actor": actor,
            "action": action,
            "kind": kind,
            "target": target,
            "detail": detail,
        }
        if seq < from_seq and anchor is None:
            prev = audit._hash(bytes(prev_hash), seq, datetime.fromisoformat(at), fields)
            continue
        entry_hash = audit._hash(prev, seq, datetime.fromisoformat(at), fields)
        mac = audit._mac(key, entry_hash) if key is not None else None
        updates.append((prev, entry_hash, mac, seq))
        prev = entry_hash
        if key is not None:
            key = audit._evolve(key)
    for prev_hash, entry_hash, mac, seq in updates:
        if mac is None:
            conn.execute(
                "UPDATE audit_event SET prev_hash = ?, entry_hash = ? WHERE seq = ?",
                (prev_hash, entry_hash, seq),
            )
        else:
            conn.execute(
                "UPDATE audit_event SET prev_hash = ?, entry_hash = ?, mac = ? WHERE seq = ?",
                (prev_hash, entry_hash, mac, seq),
            )
    last = rows[-1][0]
    if key is not None:
        conn.execute("UPDATE audit_state SET seq = ?, head = ?, next_key = ?", (last, prev, key))
    else:
        conn.execute("UPDATE audit_state SET seq = ?, head = ?", (last, prev))


@pytest.mark.parametrize("tamper", ["edited", "reordered", "deleted"])
def test_a_tampered_then_recomputed_chain_is_detected_by_a_practitioners_verify(team, tamper):
    conn = raw_db(team)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("DROP TRIGGER audit_event_no_delete")
    target = 8
    if tamper == "edited":
        conn.execute(
            "UPDATE audit_event SET detail = 'idle_lock_minutes=240' WHERE seq = ?", (target,)
        )
    elif tamper == "reordered":
        a = conn.execute(
            "SELECT actor_id, action, detail FROM audit_event WHERE seq = ?", (target,)
        ).fetchone()
        b = conn.execute(
            "SELECT actor_id, action, detail FROM audit_event WHERE seq = ?", (target + 1,)
        ).fetchone()
        for seq, row in ((target, b), (target + 1, a)):
            conn.execute(
                "UPDATE audit_event SET actor_id = ?, action = ?, detail = ? WHERE seq = ?",
                (*row, seq),
            )
    else:
        conn.execute("DELETE FROM audit_event WHERE seq = ?", (target,))
        for seq in range(
            target + 1, conn.execute("SELECT max(seq) FROM audit_event").fetchone()[0] + 1
        ):
            conn.execute("UPDATE audit_event SET seq = ? WHERE seq = ?", (seq - 1, seq))
    _recompute_chain(conn, from_seq=target)
    conn.close()
    # A practitioner's check (no MAC anchor): the signatures do not verify.
    problems = chain_problems(team, CAL, CAL_PASSWORD)
    assert any("signature that does not verify" in p for p in problems), problems
    assert not any("MAC" in p for p in problems)
    with contextlib.suppress(RollbackDetectedError):  # by the checkpoint, or by the chain:
        assert not verify_as(team, CAL, CAL_PASSWORD).ok


def test_a_whole_chain_rewritten_under_a_new_anchor_sealed_to_the_admins_is_detected(team):
    """The tamperer rewrites the whole chain under an audit anchor of his own and seals
    it into the administrator's slot (write access to keystore.json): the MACs then
    verify, the signatures do not."""
    forget_checkpoints(team)
    anchor = crypto.random_key()
    admin_id = user_id(team, ADMIN)
    keystore = Keystore.load(team.keystore)

    def reseal(data):
        slot = slot_of(data, admin_id)
        slot["audit_anchor"] = crypto.seal(
            crypto.b64d(slot["public"]), anchor, keystore._aad("audit", admin_id)
        )

    edit_keystore(team, reseal)
    conn = raw_db(team)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET detail = 'idle_lock_minutes=240' WHERE seq = 8")
    _recompute_chain(conn, from_seq=1, anchor=anchor)
    conn.close()
    for name, password in ((ADMIN, ADMIN_PASSWORD), (CAL, CAL_PASSWORD)):
        problems = chain_problems(team, name, password)
        assert not any("MAC" in p for p in problems)
        assert any("signature that does not verify" in p for p in problems), name
    # With the checkpoints removed as well, nobody who had signed in gets in.
    for name, password in ((ADMIN, ADMIN_PASSWORD), (CAL, CAL_PASSWORD)):
        with pytest.raises(RollbackDetectedError, match="removed"):
            accounts.sign_in(team, username=name, password=password)


def test_an_older_database_with_the_checkpoints_removed_is_refused(team, tmp_path):
    """Known gap 2 of the last review: a missing checkpoint counted as "nothing seen"."""
    old = tmp_path / "old.db"
    shutil.copy(team.database, old)
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_idle_lock_minutes(admin, minutes=30)
    admin.close()
    shutil.copy(old, team.database)
    forget_checkpoints(team)
    for name, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD), (CAL, CAL_PASSWORD)):
        with pytest.raises(RollbackDetectedError, match="removed"):
            accounts.sign_in(team, username=name, password=password)


def test_the_checkpoint_flag_in_a_slot_cannot_be_stripped(team):
    forget_checkpoints(team)
    edit_keystore(team, lambda data: slot_of(data, user_id(team, CAL)).update(checkpointed=False))
    with pytest.raises(KeystoreDamagedError):
        accounts.sign_in(team, username=CAL, password=CAL_PASSWORD)


def test_an_untouched_store_verifies_for_every_role_with_signatures(team):
    for name, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD), (CAL, CAL_PASSWORD)):
        result = verify_as(team, name, password)
        assert result.ok, result.lines()
        assert result.audit_signatures_checked == result.audit_entries
        assert result.audit_signed_from == 1


def test_the_root_fingerprint_is_eight_words_every_account_sees_alike(team):
    seen = set()
    for name, password in ((ADMIN, ADMIN_PASSWORD), (CAL, CAL_PASSWORD)):
        store = accounts.sign_in(team, username=name, password=password)
        seen.add(store.root_fingerprint)
        store.close()
    (words,) = seen
    assert len(words.split()) == 8
    from mnemonic import Mnemonic

    assert set(words.split()) <= set(Mnemonic("english").wordlist)


# -- the carry-over of a store from before signed identity ---------------------------


def test_a_store_from_before_signatures_is_carried_over_by_its_first_administrator(
    data_paths, monkeypatch
):
    from alembic import command

    from infoshare_desktop.store import migrate

    with monkeypatch.context() as patch:  # the store as version 0.2.0 left it
        patch.setattr(
            migrate,
            "upgrade",
            lambda conn, progress=None: command.upgrade(migrate._config(conn), "0005"),
        )
        admin = accounts.first_run(
            data_paths, username=ADMIN, display_name="A", password=ADMIN_PASSWORD
        )
        _onboard(data_paths, admin, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
        accounts.set_idle_lock_minutes(admin, minutes=9)
        admin.close()
    assert "sign_public" not in json.dumps(json.loads(data_paths.keystore.read_bytes()))

    # Cal signs in first: the schema moves on, but only an administrator can carry over.
    cal = accounts.sign_in(data_paths, username=CAL, password=CAL_PASSWORD)
    assert cal.root_fingerprint is None and cal.user.roles == {Role.PRACTITIONER}
    cal.close()

    admin = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    words = admin.root_fingerprint
    result = maintenance.verify(admin)
    admin.close()
    assert words is not None and result.ok, result.lines()
    assert result.audit_signed_from is not None and result.audit_signed_from > 1
    assert any("carried over from before signatures" in line for line in result.lines())

    cal = accounts.sign_in(data_paths, username=CAL, password=CAL_PASSWORD)  # takes his key
    assert cal.root_fingerprint == words
    result = maintenance.verify(cal)
    cal.close()
    assert result.ok, result.lines()
    assert result.audit_signatures_checked == result.audit_entries - result.audit_signed_from + 1
    cal_slot = slot_of(json.loads(data_paths.keystore.read_bytes()), user_id(data_paths, CAL))
    assert "sign_private" in cal_slot and "sign_sealed" not in cal_slot

    with raw_connect(data_paths.database, cals_key(data_paths)) as conn:
        (carried,) = conn.execute(
            "SELECT actor_id, detail FROM audit_event WHERE action = 'store.carry_over'"
        ).fetchall()
    assert carried[0] == user_id(data_paths, ADMIN) and "carried over" in carried[1]


def test_the_root_key_signs_nothing_once_its_own_account_is_no_longer_an_administrator(team):
    """The root of trust is the first administrator's own signing key: demoted by another
    administrator, that person cannot use it to make themselves an administrator again."""
    admin = accounts.sign_in(team, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_roles(admin, user_id=user_id(team, BEA), roles={Role.ADMINISTRATOR})
    admin.close()
    bea = accounts.sign_in(team, username=BEA, password=BEA_PASSWORD)
    accounts.set_roles(bea, user_id=user_id(team, ADMIN), roles={Role.PRACTITIONER})
    bea.close()
    keystore = Keystore.load(team.keystore)
    keys = keystore.unlock(ADMIN, ADMIN_PASSWORD)
    assert keys.sign_private is not None
    root = signing.Signer(keys.user_id, keys.sign_private)
    conn = raw_db(team)
    before = grants.load(conn, keystore.store_id)
    assert before.root_id == root.user_id and not before.may_issue(root.user_id)
    own = before.account(root.user_id)
    assert own is not None and Role.ADMINISTRATOR not in own.roles
    grants.issue_account(
        conn, root, store_id=keystore.store_id, user_id=root.user_id, username=ADMIN,
        roles={Role.ADMINISTRATOR}, status="active", box_public=own.box_public,
        sign_public=own.sign_public, reason="making myself an administrator again",
    )  # fmt: skip
    after = grants.load(conn, keystore.store_id)
    conn.close()
    regranted = after.account(root.user_id)
    assert regranted is not None and Role.ADMINISTRATOR not in regranted.roles
    assert any("not an active administrator" in p for p in after.problems)
