"""A verify after a clean one checks only what was added since: the audit entries and
the envelopes after the ones that verify signed as checked (the page checks wait for a
full verify). What it must still catch, Cal (a practitioner with a raw SQLCipher reader,
as in tests/store/test_signed_identity.py) tries after his own and his colleagues'
clean verifies: a recomputed chain, a forged new entry, a pinned entry removed."""

from __future__ import annotations

import contextlib

import pytest

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store import audit, envelopes, grants
from infoshare_desktop.store.engine import make_engine, read_session
from infoshare_desktop.store.errors import RollbackDetectedError
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.test_signed_identity import (
    BEA,
    BEA_PASSWORD,
    CAL,
    CAL_PASSWORD,
    _recompute_chain,
    append_print_entry,
    cals_signer,
    raw_db,
    team,  # noqa: F401  (a fixture)
    user_id,
)


def verify_as(paths, username, password, *, full=False) -> maintenance.VerificationResult:
    store = accounts.sign_in(paths, username=username, password=password)
    try:
        return maintenance.verify(store, full=full)
    finally:
        store.close()


def _more_entries(paths, n: int = 3) -> None:
    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        for minutes in range(10, 10 + n):
            accounts.set_idle_lock_minutes(admin, minutes=minutes)
    finally:
        admin.close()


@pytest.mark.parametrize("who", [(CAL, CAL_PASSWORD), (ADMIN, ADMIN_PASSWORD)])
def test_a_verify_after_a_clean_one_checks_only_what_was_added(team, who):  # noqa: F811
    """For a practitioner (signatures) and an administrator (signatures and MACs, the
    MAC key carried forward to where the last verify stopped)."""
    first = verify_as(team, *who)
    assert first.ok and first.integrity_checked and first.audit_after == 0
    _more_entries(team)
    again = verify_as(team, *who)
    assert again.ok, again.lines()
    assert again.audit_after == first.audit_entries  # the chain as the first one saw it
    # since then: the first one's own "verified" entry, 3 changes and 2 sign-ins
    assert again.audit_entries - again.audit_after == 1 + 3 + 2
    assert not again.integrity_checked
    text = "\n".join(again.lines())
    assert f"1 to {again.audit_after} checked before" in text
    assert "Database integrity: not checked this time" in text
    whole = verify_as(team, *who, full=True)
    assert whole.ok and whole.integrity_checked and whole.audit_after == 0
    assert whole.envelopes.after == 0


def test_a_chain_recomputed_after_a_clean_verify_is_named_by_the_next_one(team):  # noqa: F811
    """Cal edits an entry his last verify checked and recomputes the hashes from there
    (signatures he cannot make aside). Sign-in refuses that history already (his
    checkpoint); the chain check itself, given where his verify stopped, finds the entry
    it pinned no longer has the hash it signed, walks the whole chain again instead of
    only what is new, and names the pin."""
    assert verify_as(team, CAL, CAL_PASSWORD).ok
    _more_entries(team)
    pin = _pin(team, CAL, CAL_PASSWORD)
    assert _chain_after(team, pin) == (pin[0], [])  # untouched: only what is new is walked
    conn = raw_db(team)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET detail = 'idle_lock_minutes=240' WHERE seq = 8")
    _recompute_chain(conn, from_seq=8)
    conn.close()
    after, problems = _chain_after(team, pin)
    assert after == 0  # the pin did not hold: everything was walked
    text = "\n".join(problems)
    assert f"the audit entries user {user_id(team, CAL)} had checked" in text
    assert "entry 8 has a signature that does not verify" in text
    with pytest.raises(RollbackDetectedError):
        verify_as(team, CAL, CAL_PASSWORD)


def _pin(paths, username, password) -> tuple[int, bytes]:
    """Where `username`'s last clean verify signed that it had checked the chain to."""
    with _session(paths, username, password) as (session, trust, keystore):
        checks, problems = envelopes.signed_checks(session, trust, keystore.store_id)
    pin = checks[user_id(paths, username)].audit
    assert not problems and pin is not None
    return pin


def _chain_after(paths, pin: tuple[int, bytes]) -> tuple[int, list[str]]:
    """Cal's chain check from `pin` on, and the pin's own check: (walked after, problems)."""
    with _session(paths, CAL, CAL_PASSWORD) as (session, trust, _keystore):
        report = audit.verify_chain(session, None, trust, after=pin)
        pins = audit.pinned_problems(session, {user_id(paths, CAL): pin})
    return report.after, report.problems + pins


@contextlib.contextmanager
def _session(paths, username, password):
    keystore = Keystore.load(paths.keystore)
    keys = keystore.unlock(username, password)
    engine = make_engine(paths.database, keys.current_key)
    try:
        with read_session(engine) as session:
            yield session, grants.load(raw_connection(session), keystore.store_id), keystore
    finally:
        engine.dispose()


def test_a_colleagues_pin_catches_what_the_tamperer_rewrote_after_his_own(team):  # noqa: F811
    """Bea verified after Cal did. Cal rewrites the chain from just after his own pin (so
    his pin holds): Bea's signed check, which every verify reads, names it."""
    assert verify_as(team, CAL, CAL_PASSWORD).ok
    _more_entries(team)
    assert verify_as(team, BEA, BEA_PASSWORD).ok
    conn = raw_db(team)
    (cal_pin,) = conn.execute(
        "SELECT max(seq) FROM audit_event WHERE action = 'store.verify' AND actor_id = ?",
        (user_id(team, CAL),),
    ).fetchone()
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute(
        "UPDATE audit_event SET detail = 'idle_lock_minutes=241' WHERE seq = ?", (cal_pin + 2,)
    )
    _recompute_chain(conn, from_seq=cal_pin + 2)
    conn.close()
    problems = verify_as(team, CAL, CAL_PASSWORD).audit_problems
    assert any(f"user {user_id(team, BEA)} had checked" in p for p in problems), problems


def test_an_entry_forged_after_a_clean_verify_is_named_by_the_next_one(team):  # noqa: F811
    """A new entry in the team lead's name, signed by Cal: only new entries are walked,
    and it is one of them."""
    assert verify_as(team, CAL, CAL_PASSWORD).ok
    conn = raw_db(team)
    seq = append_print_entry(
        conn, actor_id=user_id(team, BEA), how="claims_bea_signed", signer=cals_signer(team)
    )
    conn.close()
    result = verify_as(team, CAL, CAL_PASSWORD)
    assert result.audit_after > 0  # a walk of what is new only...
    assert f"entry {seq} has a signature that does not verify" in "\n".join(
        result.audit_problems
    )  # ...and the forged entry is one of them
