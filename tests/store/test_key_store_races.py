"""Several real processes change one data folder's key store at random moments: failed
and successful sign-ins, first sign-ins with one-time codes, password changes, add user
and revoke (with its key rotation). Nothing acknowledged is lost, the store opens for
every remaining user, and no revoked account's slot ever holds a later data key."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import time

import pytest
from sqlmodel import select

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import (
    AccountDisabledError,
    StoreBusyError,
    StoreDamagedError,
    TooSoonError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store import crypto
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.tables import AuditEvent, UserAccount
from tests.conftest import ADMIN, ADMIN_PASSWORD

USERS = 3  # each hammered by its own process
USER_ROUNDS = 50
ADMIN_ROUNDS = 60  # 3 x 50 + 60 = 210 rounds in all
TIME_CAP = 600.0  # seconds; generous, so a loaded machine only makes the test slower


def _user(i: int) -> str:
    return f"user.{i}"


def _password(name: str, n: int) -> str:
    return f"{name} violet harbour {n}"


def opens(paths, username: str, password: str) -> bool:
    """Whether `password` opens the user's slot now (read only: nothing counted)."""
    keystore = Keystore.load(paths.keystore)
    try:
        keystore._open_private(keystore._slot(username), password)
    except crypto.DecryptionFailed:
        return False
    return True


def _log(path, **entry) -> None:
    with open(path, "a") as fh:
        fh.write(json.dumps(entry) + "\n")


def _user_worker(paths, i: int, log, seed: int) -> None:
    """Failed sign-ins (at most three in a row), sign-ins and password changes."""
    rng, name, n, fails = random.Random(seed), _user(i), 0, 0
    for _ in range(USER_ROUNDS):
        op = rng.choice(["fail", "sign_in", "password"] if fails < 3 else ["sign_in", "password"])
        if op == "fail":
            try:
                accounts.sign_in(paths, username=name, password="not the password at all")
            except WrongPasswordError:
                fails += 1
                _log(log, op="fail", outcome="wrong")
            except (TooSoonError, StoreBusyError) as exc:
                _log(log, op="fail", outcome=type(exc).__name__)
            continue
        store = accounts.sign_in(paths, username=name, password=_password(name, n))
        fails = 0
        if op == "sign_in":
            _log(log, op="sign_in")
        else:
            new = n + 1
            _log(log, op="password_try", n=new)
            try:
                accounts.change_password(
                    store, old_password=_password(name, n), new_password=_password(name, new)
                )
            except StoreBusyError:
                _log(log, op="password_busy", n=new)
            else:
                n = new
                _log(log, op="password", n=new)
        time.sleep(rng.uniform(0, 0.01))
        (accounts.sign_out if rng.random() < 0.5 else accounts.lock)(store)


def _admin_worker(paths, log, stolen_dir, seed: int) -> None:
    """Add users (each signs in once with their code, as a new user would), revoke them
    at random moments (keeping a copy of the key store first, as a leaver might)."""
    rng, added, revoked = random.Random(seed), [], set()
    for k in range(ADMIN_ROUNDS):
        store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
        live = [u for u in added if u not in revoked]
        if live and rng.random() < 0.35:
            name = rng.choice(live)
            user_id = next(u.user_id for u in accounts.list_users(store) if u.username == name)
            shutil.copy(paths.keystore, stolen_dir / f"{name}.json")
            _log(log, op="revoke_try", name=name)
            try:
                accounts.revoke_user(store, user_id=user_id)
            except StoreBusyError:
                status = next(u.status for u in accounts.list_users(store) if u.username == name)
                _log(log, op="revoke_busy", name=name, status=status)
                if status == "revoked":
                    revoked.add(name)
            else:
                revoked.add(name)
                _log(log, op="revoke", name=name)
        else:
            name = f"new.{k}"
            code = accounts.add_user(
                store, username=name, display_name=f"New {k}", roles={Role.PRACTITIONER}
            )
            _log(log, op="add", name=name)
            accounts.sign_in(
                paths, username=name, password=code, new_password=_password(name, 0)
            ).close()
            added.append(name)
            _log(log, op="first_sign_in", name=name)
        accounts.sign_out(store)
        time.sleep(rng.uniform(0, 0.01))


def _run(target, *args) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            target(*args)
        except BaseException as exc:  # report, so the parent's assertion says why
            _log(args[-2] if target is _user_worker else args[1], op="crash", error=repr(exc))
            code = 1
        finally:
            os._exit(code)
    return pid


def _entries(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.slow
def test_parallel_key_store_changes_lose_nothing(admin_store, data_paths, tmp_path):
    paths = data_paths
    for i in range(USERS):
        code = accounts.add_user(
            admin_store, username=_user(i), display_name=f"User {i}", roles={Role.PRACTITIONER}
        )
        accounts.sign_in(
            paths, username=_user(i), password=code, new_password=_password(_user(i), 0)
        ).close()
    admin_store.close()
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    logs = [tmp_path / f"user-{i}.log" for i in range(USERS)]
    admin_log = tmp_path / "admin.log"

    pids = [_run(_user_worker, paths, i, logs[i], 1000 + i) for i in range(USERS)]
    pids.append(_run(_admin_worker, paths, admin_log, stolen, 999))
    deadline = time.monotonic() + TIME_CAP
    codes = []
    for pid in pids:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes.append(os.waitstatus_to_exitcode(status))
                break
            if time.monotonic() > deadline:
                for p in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(p, 9)
                pytest.fail("the workers did not finish within the time cap")
            time.sleep(0.05)

    crashes = [e for log in [*logs, admin_log] for e in _entries(log) if e["op"] == "crash"]
    assert codes == [0] * len(pids), crashes
    user_entries = [_entries(log) for log in logs]
    admin_entries = _entries(admin_log)
    rounds = sum(
        1 for es in user_entries for e in es if e["op"] in ("fail", "sign_in", "password_try")
    ) + sum(1 for e in admin_entries if e["op"] in ("add", "revoke_try"))
    assert rounds == USERS * USER_ROUNDS + ADMIN_ROUNDS

    # The administrator finishes any rotation a busy store kept from finishing.
    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    if accounts.key_rotation_pending(admin):
        accounts.rotate_key(admin)
    assert not accounts.key_rotation_pending(admin)
    assert maintenance.verify(admin).ok
    final_epoch = admin.keystore.epoch
    with admin.read() as session:
        events = list(session.exec(select(AuditEvent)))
        status = {a.username: a.status for a in session.exec(select(UserAccount))}
    keystore = Keystore.load(paths.keystore)
    admin.close()

    # Every user opens the store with the last password they were told was saved.
    for i, entries in enumerate(user_entries):
        name = _user(i)
        user_id = keystore.user_id_for(name)
        acked = max([0] + [e["n"] for e in entries if e["op"] == "password"])
        unsure = [e["n"] for e in entries if e["op"] == "password_busy" and e["n"] > acked]
        current = next(n for n in [acked, *unsure] if opens(paths, name, _password(name, n)))
        assert current == acked or current in unsure
        accounts.sign_in(paths, username=name, password=_password(name, current)).close()
        # Each password change and each counted failure has exactly one audit entry.
        changes = [
            e
            for e in events
            if e.action == "account.password_change" and e.target_id == user_id and not e.detail
        ]
        assert len(changes) == current
        wrong = sum(1 for e in entries if e["op"] == "fail" and e["outcome"] == "wrong")
        failed = [
            e for e in events if e.action == "session.unlock_failed" and e.target_id == user_id
        ]
        assert len(failed) == wrong

    added = [e["name"] for e in admin_entries if e["op"] == "first_sign_in"]
    revoked = {e["name"] for e in admin_entries if e["op"] == "revoke"} | {
        e["name"] for e in admin_entries if e["op"] == "revoke_busy" and e["status"] == "revoked"
    }
    assert added and revoked, "the run added or revoked nobody; it proves little"
    for name in added:
        if name in revoked:
            assert status[name] == "revoked"
            assert not keystore.has_user(name)
            with pytest.raises((UnknownUserError, AccountDisabledError)):
                accounts.sign_in(paths, username=name, password=_password(name, 0))
        else:
            accounts.sign_in(paths, username=name, password=_password(name, 0)).close()
    # A key-store copy taken before a revocation holds only keys that open nothing now.
    for copy in stolen.glob("*.json"):
        name = copy.stem
        if name not in revoked:
            continue
        old = Keystore.load(copy).unlock(name, _password(name, 0))
        assert max(old.data_keys) < final_epoch
        for key in old.data_keys.values():
            with pytest.raises(StoreDamagedError):
                raw_connect(paths.database, key)
    changed = sum(1 for es in user_entries for e in es if e["op"] == "password")
    print(
        f"\nrounds={rounds} password_changes={changed}"
        f" failed_sign_ins={sum(1 for es in user_entries for e in es if e['op'] == 'fail')}"
        f" added={len(added)} revoked={len(revoked)}"
        f" revoke_busy={sum(1 for e in admin_entries if e['op'] == 'revoke_busy')}"
        f" final_epoch={final_epoch}"
    )
