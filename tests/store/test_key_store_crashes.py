"""SIGKILL a process again and again while it changes the key store (password changes,
failed sign-ins, add user): afterwards every key-store change has exactly one audit
entry, and the store opens for everyone."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import time
from select import select as wait_for_read

import pytest
from sqlmodel import select

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import (
    AccountLockedError,
    TooSoonError,
    WrongPasswordError,
)
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.tables import AuditEvent, UserAccount
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.test_key_store_races import _password, opens

KILLS = 150
TIME_CAP = 900.0
CHANGER, FAILER = "pat.changer", "fay.failer"


def _state(folder) -> dict:
    path = folder / "state.json"
    return json.loads(path.read_text()) if path.exists() else {"n": 0, "added": 0}


def _save_state(folder, state: dict) -> None:
    tmp = folder / "state.tmp"
    tmp.write_text(json.dumps(state))
    os.replace(tmp, folder / "state.json")  # the kill may come at any moment


def _child(paths, folder, seed: int, ready_fd: int) -> None:
    """Change passwords, fail sign-ins and add users, forever; the parent kills it."""
    rng, state = random.Random(seed), _state(folder)
    n, k = state["n"], state["added"]
    admin = None
    changer = accounts.sign_in(paths, username=CHANGER, password=_password(CHANGER, n))
    os.write(ready_fd, b"r")
    while True:
        op = rng.choice(["password", "fail", "add"])
        if op == "password":
            accounts.change_password(
                changer, old_password=_password(CHANGER, n), new_password=_password(CHANGER, n + 1)
            )
            n += 1
        elif op == "fail":
            with contextlib.suppress(WrongPasswordError, TooSoonError, AccountLockedError):
                accounts.sign_in(paths, username=FAILER, password="a wrong guess entirely")
        else:
            k += 1  # a name per attempt: one a killed attempt left behind is never re-added
            _save_state(folder, {"n": n, "added": k})
            admin = admin or accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
            accounts.add_user(
                admin, username=f"added.{k}", display_name="Added", roles={Role.PRACTITIONER}
            )


def _failures(paths) -> int:
    keystore = Keystore.load(paths.keystore)
    return keystore.failures(keystore.user_id_for(FAILER))


@pytest.mark.slow
def test_every_key_store_change_keeps_its_audit_entry_through_sigkill(
    admin_store, data_paths, tmp_path
):
    paths = data_paths
    for name in (CHANGER, FAILER):
        code = accounts.add_user(
            admin_store, username=name, display_name="Test", roles={Role.PRACTITIONER}
        )
        accounts.sign_in(
            paths, username=name, password=code, new_password=_password(name, 0)
        ).close()
    admin_store.close()
    rng = random.Random(20261201)
    n, failures_seen, kills = 0, 0, 0
    deadline = time.monotonic() + TIME_CAP
    # Run until enough kills *and* enough changes, however loaded the machine is.
    while kills < KILLS or n < 20 or failures_seen < 20 or _state(tmp_path)["added"] < 10:
        assert time.monotonic() < deadline, f"only {kills} kills within the time cap"
        _save_state(tmp_path, {**_state(tmp_path), "n": n})
        before = _failures(paths)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_fd)
                _child(paths, tmp_path, rng.randrange(1 << 30), write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        if rng.random() < 0.3:  # sometimes during its own sign-in
            time.sleep(rng.uniform(0, 0.1))
        else:  # mostly once it is at work
            wait_for_read([read_fd], [], [], 120)
            time.sleep(rng.uniform(0, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_fd)
        kills += 1
        # Where did the password get to? (Its slot is read, nothing is counted.)
        n = next(m for m in range(n, n + 500) if opens(paths, CHANGER, _password(CHANGER, m)))
        failures_seen += _failures(paths) - before
        if _failures(paths) >= 4:  # an administrator clears the counter (and the delay)
            admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
            keystore = Keystore.load(paths.keystore)
            accounts.unlock_account(admin, user_id=keystore.user_id_for(FAILER))
            admin.close()

    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(admin).ok
    keystore = admin.keystore
    with admin.read() as session:
        events = list(session.exec(select(AuditEvent)))
        users = {a.username: a.id for a in session.exec(select(UserAccount))}
    admin.close()
    for name, password in ((CHANGER, _password(CHANGER, n)), (FAILER, _password(FAILER, 0))):
        accounts.sign_in(paths, username=name, password=password).close()

    def audited(action, target, detail=None):
        return [
            e for e in events if e.action == action and e.target_id == target and e.detail == detail
        ]

    # Each password change: exactly one entry. Each counted failure: exactly one entry.
    assert len(audited("account.password_change", users[CHANGER])) == n
    failed = [
        e for e in events if e.action == "session.unlock_failed" and e.target_id == users[FAILER]
    ]
    assert len(failed) == failures_seen
    # Each slot added has exactly one account-create entry and an account row.
    added_slots = [uid for uid in keystore.user_ids() if uid not in users.values()]
    assert added_slots == []  # no orphan slot
    created = {e.target_id: 0 for e in events if e.action == "account.create"}
    for e in events:
        if e.action == "account.create":
            created[e.target_id] += 1
    for uid in keystore.user_ids():
        assert created.get(uid) == 1
    adds = sum(1 for name in users if name.startswith("added."))
    # An account whose slot a kill prevented is shown as not set up; a reset finishes it.
    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    unfinished = [u for u in accounts.list_users(admin) if u.not_set_up]
    if unfinished:
        code = accounts.reset_password(admin, user_id=unfinished[0].user_id)
        accounts.sign_in(
            paths, username=unfinished[0].username, password=code, new_password="a fresh start here"
        ).close()
    admin.close()
    print(
        f"\nkills={kills} password_changes={n} failed_sign_ins={failures_seen} "
        f"accounts_added={adds} slots={len(keystore.user_ids())} not_set_up={len(unfinished)}"
    )
