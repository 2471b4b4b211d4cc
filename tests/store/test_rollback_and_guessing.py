"""Rollback detection (an older database or key store put back, the WAL deleted after a
crash) and failed sign-ins counted under the key-store lock by parallel processes."""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlmodel import select as sql_select

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, maintenance, records
from infoshare_desktop.services.errors import (
    AccountLockedError,
    RollbackDetectedError,
    WrongPasswordError,
)
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.errors import StoreDamagedError
from infoshare_desktop.store.keyslots import LOCK_AFTER_FAILURES, Keystore, failure_delay
from infoshare_desktop.store.tables import AuditEvent
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision

BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"


def cli(paths, *args: str, password: str = ADMIN_PASSWORD, user: str = ADMIN):
    """The real command line, in its own process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infoshare_desktop",
            *args,
            "--data-dir",
            str(paths.root),
            "--user",
            user,
            "--password-stdin",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ), password


def run_cli(paths, *args: str, **kw) -> tuple[int, str]:
    proc, password = cli(paths, *args, **kw)
    out, err = proc.communicate(password + "\n", timeout=300)
    return proc.returncode, out + err


def _save_records(store, case_id: str, n: int) -> None:
    for _ in range(n):
        records.record_sharing_decision(store, case_id=case_id, draft=complete_sharing_decision())


@pytest.fixture
def with_records(admin_store, data_paths):
    case_id = cases.create_case(admin_store, draft=complete_case())
    _save_records(admin_store, case_id, 3)
    admin_store.close()
    return data_paths, case_id


def test_an_older_database_put_back_is_refused_at_unlock_and_by_verify(with_records, tmp_path):
    paths, case_id = with_records
    old = tmp_path / "old.db"
    shutil.copy(paths.database, old)
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    _save_records(store, case_id, 2)
    store.close()
    shutil.copy(old, paths.database)  # what a colleague with the folder could do
    with pytest.raises(RollbackDetectedError, match="older than the one this account last saw"):
        accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    code, out = run_cli(paths, "verify")
    assert code == 2
    assert "records saved since then are missing" in out
    assert "restore" in out


def _writer(paths, case_id: str, ack_fd: int) -> None:
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    os.write(ack_fd, b"ready\n")
    draft = complete_sharing_decision()
    while True:
        saved = records.record_sharing_decision(store, case_id=case_id, draft=draft)
        os.write(ack_fd, f"{saved.record_id}\n".encode())


def _kill_a_writer(paths, case_id: str, wait: float) -> int:
    """Fork a writer, SIGKILL it `wait` s after it has signed in (however long that
    takes on a loaded machine); the number of saves it acknowledged."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            _writer(paths, case_id, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    data = b""
    while b"\n" not in data and select.select([read_fd], [], [], 120)[0]:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"ready\n"), "the writer did not sign in within the time cap"
    time.sleep(wait)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while select.select([read_fd], [], [], 0)[0]:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(read_fd)
    return data.count(b"\n") - 1


def _seq_of_copy(paths, key, folder, *, with_wal: bool) -> int:
    """The audit sequence a copy of the database reaches (with or without its WAL);
    -1 when the copy does not open (a crash during SQLite's own checkpoint leaves a
    database file that needs its WAL: deleting that is caught as damage, not here)."""
    folder.mkdir()
    shutil.copy(paths.database, folder / "infoshare.db")
    if with_wal:
        shutil.copy(paths.sidecars()[0], folder / "infoshare.db-wal")
    try:
        conn = raw_connect(folder / "infoshare.db", key)
    except StoreDamagedError:
        return -1
    try:
        return conn.execute("SELECT seq FROM audit_state").fetchone()[0]
    finally:
        conn.close()


def test_no_false_alarm_after_crashes_but_a_deleted_wal_is_refused(with_records, tmp_path):
    paths, case_id = with_records
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    key, user_id = store.keys.current_key, store.keys.user_id
    store.close()
    checkpoint = paths.root / "checkpoints" / f"{user_id}.json"
    acked = kills = 0
    while kills < 20 or acked < 40:  # ordinary crashes: the store always opens again
        assert kills < 400, "the writer hardly ever saved; the test proves little"
        acked += _kill_a_writer(paths, case_id, (kills % 5) * 0.02)
        kills += 1
        accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD).close()
    # Crash again until acknowledged saves are in the WAL only (a checkpoint by SQLite
    # may just have copied them all into the database file). Acknowledged means the
    # user's checkpoint reached them: a commit killed before its checkpoint was written
    # was never reported saved, and losing it with the WAL is not a rollback.
    for attempt in range(100):
        if (
            _kill_a_writer(paths, case_id, 0.1)
            and -1
            < _seq_of_copy(paths, key, tmp_path / f"without-{attempt}", with_wal=False)
            < json.loads(checkpoint.read_bytes())["seq"]
        ):
            break
    else:
        pytest.fail("no crash left saves in the WAL alone")
    wal, shm = paths.sidecars()
    wal.unlink()
    shm.unlink(missing_ok=True)
    code, out = run_cli(paths, "verify")
    assert code == 2
    assert "journal file (infoshare.db-wal) deleted" in out


def test_an_older_key_store_put_back_is_refused(admin_store, data_paths, tmp_path):
    """It would undo a password change, or a lock-out."""
    paths = data_paths
    code = accounts.add_user(admin_store, username=BEA, display_name="Bea", roles={Role.TEAM_LEAD})
    accounts.sign_in(paths, username=BEA, password=code, new_password=BEA_PASSWORD).close()
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    accounts.change_password(bea, old_password=BEA_PASSWORD, new_password="new lantern song here")
    bea.close()
    shutil.copy(before, paths.keystore)  # the old password would work again
    with pytest.raises(RollbackDetectedError, match=r"older copy of keystore\.json"):
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    code, out = run_cli(paths, "verify")
    assert code == 2 and "older copy of keystore.json" in out


def test_an_undone_lock_out_is_refused_once_anyone_signed_in_since(
    admin_store, data_paths, tmp_path
):
    paths = data_paths
    code = accounts.add_user(admin_store, username=BEA, display_name="Bea", roles={Role.TEAM_LEAD})
    admin_store.close()
    accounts.sign_in(paths, username=BEA, password=code, new_password=BEA_PASSWORD).close()
    before = tmp_path / "keystore-before.json"
    shutil.copy(paths.keystore, before)
    keystore = Keystore.load(paths.keystore)
    slot = keystore._slot(BEA)
    with pytest.raises(AccountLockedError):
        for _ in range(LOCK_AFTER_FAILURES):
            slot["last_failure"] = 0.0  # as if the growing delay had passed
            paths.keystore.write_bytes(keystore.to_bytes())
            with pytest.raises(WrongPasswordError):
                accounts.sign_in(paths, username=BEA, password="guess number one")
            keystore = Keystore.load(paths.keystore)
            slot = keystore._slot(BEA)
    accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD).close()  # audits them
    shutil.copy(before, paths.keystore)
    with pytest.raises(RollbackDetectedError):
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)


def test_an_edited_checkpoint_is_refused(with_records):
    paths, _ = with_records
    (checkpoint,) = (paths.root / "checkpoints").glob("*.json")
    data = json.loads(checkpoint.read_text())
    data["seq"] = 1  # claim less was seen, to hide a rollback
    checkpoint.write_text(json.dumps(data))
    with pytest.raises(RollbackDetectedError, match="has been altered"):
        accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)


def _reading_stdin(pid: int) -> bool:
    """Linux: the process is blocked in read(2) on file descriptor 0."""
    try:
        with open(f"/proc/{pid}/syscall") as fh:
            fields = fh.read().split()
    except OSError:
        return False
    return len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == 0


@pytest.mark.slow
def test_parallel_wrong_passwords_are_all_counted_and_the_delay_holds(
    admin_store, data_paths, tmp_path
):
    """36 command-line processes try a wrong password at once (24 signing in, 12 restoring
    a backup). Each try either counts as a failure (with its own audit entry) or is
    refused without trying the password; the growing delay holds between counted
    failures, and the account locks at ten."""
    paths = data_paths
    code = accounts.add_user(admin_store, username=BEA, display_name="Bea", roles={Role.TEAM_LEAD})
    accounts.sign_in(paths, username=BEA, password=code, new_password=BEA_PASSWORD).close()
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup_file)
    tries = [("verify",)] * 24 + [("restore", str(backup_file))] * 12
    procs = [cli(paths, *args, user=BEA, password="a wrong guess") for args in tries]
    # Start line: every process has loaded the program and waits for its password on
    # standard input; then all get it at once.
    deadline = time.monotonic() + 300
    while not all(_reading_stdin(proc.pid) for proc, _ in procs):
        assert time.monotonic() < deadline, "the processes did not start within the time cap"
        time.sleep(0.1)
    for proc, password in procs:
        proc.stdin.write(password + "\n")
    for proc, _ in procs:
        proc.stdin.flush()
    outputs = []
    for proc, _ in procs:
        out, err = proc.communicate(timeout=300)
        outputs.append((proc.returncode, out + err))
    assert all(code == 2 for code, _ in outputs), outputs
    counted = sum(1 for _, out in outputs if "password is not right" in out)
    too_soon = sum(1 for _, out in outputs if "Too many failed attempts" in out)
    locked = sum(1 for _, out in outputs if "account is locked" in out)
    assert counted + too_soon + locked == 36
    keystore = Keystore.load(paths.keystore)
    user_id = keystore.user_id_for(BEA)
    failures = keystore.failures(user_id)
    # The try that reaches ten is counted, then reported as a lock-out.
    assert failures == counted + (1 if failures == LOCK_AFTER_FAILURES else 0)
    assert failures >= 5
    accounts.unlock_account(admin_store, user_id=user_id)  # audits the journal, clears
    with admin_store.read() as session:
        failed = list(
            session.exec(
                sql_select(AuditEvent)
                .where(AuditEvent.action == "session.unlock_failed")
                .where(AuditEvent.target_id == user_id)
                .order_by(AuditEvent.at)
            )
        )
    assert len(failed) == failures
    for before, after, n in zip(failed, failed[1:], range(1, len(failed)), strict=False):
        assert after.at - before.at >= timedelta(seconds=failure_delay(n) * 0.999)
    print(f"\ncounted={counted} too_soon={too_soon} locked={locked} failures={failures}")


class _Crash(BaseException):
    """The process dying at this point (nothing after it runs, nothing catches it)."""


@pytest.mark.parametrize("crash_at", ["save", "commit_intents"])
def test_a_crash_while_demoting_an_admin_never_leaves_them_the_audit_anchor(
    admin_store, data_paths, monkeypatch, crash_at
):
    paths = data_paths
    code = accounts.add_user(
        admin_store, username=BEA, display_name="Bea", roles={Role.ADMINISTRATOR}
    )
    accounts.sign_in(paths, username=BEA, password=code, new_password=BEA_PASSWORD).close()
    bea_id = next(u.user_id for u in accounts.list_users(admin_store) if u.username == BEA)

    def crash(*args, **kwargs):
        raise _Crash()

    if crash_at == "save":
        monkeypatch.setattr(Keystore, "save", crash)
    else:
        monkeypatch.setattr(type(admin_store), "commit_intents", crash)
    with pytest.raises(_Crash):
        accounts.set_roles(admin_store, user_id=bea_id, roles={Role.TEAM_LEAD})
    monkeypatch.undo()
    admin_store.close()

    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)  # audits intents
    (summary,) = [u for u in accounts.list_users(admin) if u.username == BEA]
    with admin.read() as session:
        audited = session.exec(
            sql_select(AuditEvent).where(
                AuditEvent.action == "account.roles", AuditEvent.target_id == bea_id
            )
        ).all()
    admin.close()
    bea = accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    holds_anchor = bea.keys.audit_anchor is not None
    bea.close()
    still_admin = Role.ADMINISTRATOR in summary.roles
    assert holds_anchor == still_admin
    assert len(audited) == (0 if still_admin else 1)
    assert still_admin == (crash_at == "save")


def test_a_key_store_save_that_failed_for_lack_of_space_can_be_retried(admin_store, data_paths):
    """No misleading 'changed in another window' after the disk filled up once."""
    admin_store.close()
    before = data_paths.keystore.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    with Keystore.transaction(data_paths.keystore) as keystore:
        keystore.add_intent(Action.ACCOUNT_UNLOCK, actor_id=None, target_id=None)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))  # a real short write
        try:
            with pytest.raises(OSError):
                keystore.save()
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, old_handler)
        assert data_paths.keystore.read_bytes() == before  # nothing half-written
        keystore.save()  # space again: the same change saves
    saved = Keystore.load(data_paths.keystore)
    assert saved.generation == json.loads(before)["generation"] + 1
    assert Action.ACCOUNT_UNLOCK in [i.action for i in saved.intents()]
