"""Restore accepts only a backup of this store, from one of its administrators, and never
lets a revoked account back in. Through the real command line in child processes, on
real files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.errors import (
    BackupOfAnotherStoreError,
    BackupPasswordError,
    PermissionDenied,
    StoreBusyError,
    StoreDamagedError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store import audit, backup
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.backup_files import rewrite_backup

SECOND = "sam.admin"
SECOND_PASSWORD = "velvet harbour compass"
TIMEOUT = 120


def run_cli(*argv: str, password: str) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process (production Argon2id cost)."""
    return subprocess.run(
        [sys.executable, "-m", "infoshare_desktop", *argv],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def creds(data: Path, user: str) -> list[str]:
    return ["--data-dir", str(data), "--user", user, "--password-stdin"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the data folder and its bytes (logs aside)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts
    }


def audit_actions(paths: DataPaths, username: str, password: str) -> list[tuple]:
    store = accounts.sign_in(paths, username=username, password=password)
    try:
        with store.read() as session:
            from sqlmodel import select

            from infoshare_desktop.store.tables import AuditEvent

            rows = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
            return [(r.action, r.target_id, r.detail) for r in rows]
    finally:
        store.close()


@pytest.mark.real_kdf
def test_a_backup_of_a_store_of_ones_own_is_refused_and_nothing_changes(tmp_path):
    real, own = tmp_path / "real", tmp_path / "own"
    assert run_cli("init", *creds(real, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    # Someone inits a store of their own (even with the real administrator's name and
    # password) and backs it up.
    assert run_cli("init", *creds(own, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    foreign = tmp_path / "foreign.isbackup"
    assert (
        run_cli("backup", str(foreign), *creds(own, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    )
    before = snapshot(real)

    # As the real administrator: refused, it is another store's backup.
    done = run_cli("restore", str(foreign), *creds(real, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 2, done.stderr
    assert "another InfoShare store" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(real) == before

    # Its manifest relabelled with the real store's id: its key store still says otherwise.
    real_id = Keystore.load(real / "keystore.json").store_id
    relabelled = tmp_path / "relabelled.isbackup"
    rewrite_backup(foreign, relabelled, manifest={"store_id": real_id})
    done = run_cli("restore", str(relabelled), *creds(real, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 2 and "another InfoShare store" in done.stderr
    # Both relabelled: the slots are bound to their own store id and do not open.
    both = tmp_path / "both.isbackup"
    rewrite_backup(foreign, both, manifest={"store_id": real_id}, keystore={"store_id": real_id})
    done = run_cli("restore", str(both), *creds(real, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 2 and "Nothing has been changed" in done.stderr
    assert snapshot(real) == before

    # The store's owner of `own` under another name has no account in the real store.
    assert (
        run_cli("init", *creds(tmp_path / "third", "mallory"), password=SECOND_PASSWORD).returncode
        == 0
    )
    third = tmp_path / "third.isbackup"
    run_cli("backup", str(third), *creds(tmp_path / "third", "mallory"), password=SECOND_PASSWORD)
    done = run_cli("restore", str(third), *creds(real, "mallory"), password=SECOND_PASSWORD)
    assert done.returncode == 2 and "no account" in done.stderr
    assert snapshot(real) == before
    assert not (real / "backups").exists()

    store = accounts.sign_in(DataPaths(real), username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(store).ok
    store.close()


@pytest.mark.real_kdf
def test_a_revoked_administrator_cannot_get_back_in_through_an_old_backup(tmp_path):
    data = tmp_path / "data"
    paths = DataPaths(data)
    assert run_cli("init", *creds(data, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    code = accounts.add_user(store, username=SECOND, display_name="Sam", roles=set(Role))
    store.close()
    accounts.sign_in(paths, username=SECOND, password=code, new_password=SECOND_PASSWORD).close()
    old = tmp_path / "before-revocation.isbackup"
    done = run_cli("backup", str(old), *creds(data, SECOND), password=SECOND_PASSWORD)
    assert done.returncode == 0, done.stderr

    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    sam_id = next(u.user_id for u in accounts.list_users(store) if u.username == SECOND)
    accounts.revoke_user(store, user_id=sam_id)
    store.close()

    # Sam, revoked, tries to restore the backup that still holds his slot: refused.
    before = snapshot(data)
    done = run_cli("restore", str(old), *creds(data, SECOND), password=SECOND_PASSWORD)
    assert done.returncode == 2, done.stderr
    assert "no account" in done.stderr
    assert snapshot(data) == before

    # The remaining administrator restores it: it works, without Sam.
    done = run_cli("restore", str(old), *creds(data, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "removed from the restored store: " + SECOND in done.stdout
    assert len(list((data / "backups").glob("replaced-*/keystore.json"))) == 1

    with pytest.raises(UnknownUserError):
        accounts.sign_in(paths, username=SECOND, password=SECOND_PASSWORD)
    done = run_cli("verify", *creds(data, SECOND), password=SECOND_PASSWORD)
    assert done.returncode == 2 and "no account" in done.stderr

    # The data key now exists only in the remaining slot: Sam's slot in the backup file
    # yields the backup's key, which does not open the restored database.
    restored = Keystore.load(paths.keystore)
    assert restored.user_ids() == [restored.user_id_for(ADMIN)]
    with zipfile.ZipFile(old) as zf:
        zf.extract("keystore.json", tmp_path / "old")
    sams_key = (
        Keystore.load(tmp_path / "old" / "keystore.json")
        .unlock(SECOND, SECOND_PASSWORD)
        .current_key
    )
    with pytest.raises(StoreDamagedError):
        raw_connect(paths.database, sams_key)
    admin_keys = restored.unlock(ADMIN, ADMIN_PASSWORD)
    assert list(admin_keys.data_keys) == [restored.epoch]
    raw_connect(paths.database, admin_keys.current_key).close()

    # Sam's account is marked revoked, with audit entries, and the store verifies.
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    (sam,) = [u for u in accounts.list_users(store) if u.username == SECOND]
    assert sam.status == "revoked"
    assert maintenance.verify(store).ok
    store.close()
    actions = audit_actions(paths, ADMIN, ADMIN_PASSWORD)
    assert (audit.Action.ACCOUNT_REVOKE, sam_id, "restore") in actions
    restore_entry = next(a for a in actions if a[0] == audit.Action.RESTORE)
    assert "previous_kept=replaced-" in restore_entry[2]
    # The restore's own entries (after those the backup holds, sequence numbers from 1)
    # include one key rotation: the backup's database was copied under the new key.
    backup_seq = int(backup.read_manifest(old)["audit_head"].split(":")[0])
    restore_entries = [a[0] for a in actions[backup_seq:]]
    assert audit.Action.RESTORE in restore_entries
    assert restore_entries.count(audit.Action.KEY_ROTATE) == 1


@pytest.mark.real_kdf
def test_an_administrator_restores_a_backup_of_this_store(tmp_path):
    data = tmp_path / "data"
    paths = DataPaths(data)
    assert run_cli("init", *creds(data, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    backup = tmp_path / "good.isbackup"
    assert (
        run_cli("backup", str(backup), *creds(data, ADMIN), password=ADMIN_PASSWORD).returncode == 0
    )
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_idle_lock_minutes(store, minutes=42)
    store.close()

    done = run_cli("restore", str(backup), *creds(data, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Audit trail head in the backup" in done.stdout
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
    assert maintenance.verify(store).ok
    store.close()
    # And it can be restored again (a restored store is not refused as a rollback).
    done = run_cli("restore", str(backup), *creds(data, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr
    done = run_cli("verify", *creds(data, ADMIN), password=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr


def test_an_administrator_promoted_after_the_backup_cannot_restore_it(
    admin_store, data_paths, tmp_path
):
    code = accounts.add_user(
        admin_store, username=SECOND, display_name="Sam", roles={Role.PRACTITIONER}
    )
    accounts.sign_in(
        data_paths, username=SECOND, password=code, new_password=SECOND_PASSWORD
    ).close()
    backup = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup)
    sam_id = next(u.user_id for u in accounts.list_users(admin_store) if u.username == SECOND)
    accounts.set_roles(admin_store, user_id=sam_id, roles=set(Role))
    admin_store.close()
    before = snapshot(data_paths.root)
    with pytest.raises(PermissionDenied, match="not an active administrator in that backup"):
        maintenance.restore(data_paths, src=backup, username=SECOND, password=SECOND_PASSWORD)
    assert snapshot(data_paths.root) == before


def test_a_backup_from_before_the_users_password_change_is_explained(
    admin_store, data_paths, tmp_path
):
    backup = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup)
    accounts.change_password(
        admin_store, old_password=ADMIN_PASSWORD, new_password="quartz meadow violin"
    )
    admin_store.close()
    before = snapshot(data_paths.root)
    with pytest.raises(BackupPasswordError):
        maintenance.restore(data_paths, src=backup, username=ADMIN, password="quartz meadow violin")
    assert snapshot(data_paths.root) == before


def test_a_damaged_store_is_restored_by_its_administrator(admin_store, data_paths, tmp_path):
    """When the database no longer opens, the key store shows who is an administrator."""
    backup = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup)
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER}
    )
    admin_store.close()
    accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password=SECOND_PASSWORD
    ).close()
    data_paths.database.write_bytes(b"\x07" * 8192)  # damaged beyond opening
    with pytest.raises(StoreDamagedError):
        accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    with pytest.raises(PermissionDenied, match="administrator account of the current store"):
        maintenance.restore(data_paths, src=backup, username="pat.p", password=SECOND_PASSWORD)
    store = maintenance.restore(data_paths, src=backup, username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(store).ok
    store.close()


def test_a_foreign_backup_is_refused_in_process_too(admin_store, data_paths, tmp_path):
    admin_store.close()
    other = DataPaths(tmp_path / "other")
    own = accounts.first_run(other, username=ADMIN, display_name="X", password=ADMIN_PASSWORD)
    maintenance.backup(own, dest=tmp_path / "x.isbackup")
    own.close()
    with pytest.raises(BackupOfAnotherStoreError):
        maintenance.preview_restore(
            data_paths, src=tmp_path / "x.isbackup", username=ADMIN, password=ADMIN_PASSWORD
        )
    assert not list(data_paths.root.glob(".tmp-restore-*"))


def test_a_backup_taken_after_key_rotations_restores(admin_store, data_paths, tmp_path):
    """The copy remembers the key epoch it has seen; its key store must not be older."""
    accounts.rotate_key(admin_store)
    accounts.rotate_key(admin_store)
    backup = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup)
    admin_store.close()
    store = maintenance.restore(data_paths, src=backup, username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(store).ok
    store.close()
    accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD).close()


def _add_second_admin(store, paths: DataPaths) -> str:
    code = accounts.add_user(store, username=SECOND, display_name="Sam", roles=set(Role))
    accounts.sign_in(paths, username=SECOND, password=code, new_password=SECOND_PASSWORD).close()
    return next(u.user_id for u in accounts.list_users(store) if u.username == SECOND)


def test_a_wrong_password_given_to_restore_is_counted_on_the_current_key_store(
    admin_store, data_paths, tmp_path
):
    """A restore's wrong password counts like a sign-in's, under the key-store lock: a
    failure counted by someone else meanwhile is not lost or refused as a stale copy."""
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup_file)
    admin_store.close()
    outcome: list[BaseException] = []

    def restore_with_a_wrong_password() -> None:
        try:
            maintenance.restore(data_paths, src=backup_file, username=ADMIN, password="wrong one")
        except BaseException as exc:  # the outcome is what is checked
            outcome.append(exc)

    with Keystore.transaction(data_paths.keystore) as keystore:
        worker = threading.Thread(target=restore_with_a_wrong_password)
        worker.start()
        time.sleep(1.0)  # the restore has started (and, unfixed, read the key store)
        with pytest.raises(WrongPasswordError):
            keystore.unlock(ADMIN, "another wrong one")  # counted, under the lock
    worker.join(TIMEOUT)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], WrongPasswordError), outcome
    ks = Keystore.load(data_paths.keystore)
    assert ks.failures(ks.user_id_for(ADMIN)) == 2


def test_an_account_revoked_while_a_restore_is_staged_does_not_come_back(
    admin_store, data_paths, tmp_path
):
    sam_id = _add_second_admin(admin_store, data_paths)
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup_file)
    admin_store.close()
    revoke_errors: list[BaseException] = []

    def revoke_sam() -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
                try:
                    accounts.revoke_user(store, user_id=sam_id)
                finally:
                    store.close()
                return
            except StoreBusyError as exc:  # the restored store is still open: retry
                if time.monotonic() > deadline:
                    revoke_errors.append(exc)
                    return
                time.sleep(0.2)
            except BaseException as exc:
                revoke_errors.append(exc)
                return

    settle = backup._settle_staged
    revoker = threading.Thread(target=revoke_sam)

    def settle_while_sam_is_revoked(*args, **kwargs):  # type: ignore[no-untyped-def]
        revoker.start()  # an administrator revokes Sam while the restore is staged
        revoker.join(3.0)
        return settle(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(backup, "_settle_staged", settle_while_sam_is_revoked)
    try:
        maintenance.restore(
            data_paths, src=backup_file, username=ADMIN, password=ADMIN_PASSWORD
        ).close()
    finally:
        mp.undo()
    revoker.join(TIMEOUT)
    assert not revoker.is_alive() and not revoke_errors, revoke_errors
    with pytest.raises((UnknownUserError, PermissionDenied)):
        accounts.sign_in(data_paths, username=SECOND, password=SECOND_PASSWORD).close()
    assert Keystore.load(data_paths.keystore).user_ids() == [
        Keystore.load(data_paths.keystore).user_id_for(ADMIN)
    ]


class _OneInstant(datetime):
    """A clock that stands still: every restore happens in the same instant."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def test_two_restores_in_the_same_instant_both_keep_the_store_they_replaced(
    admin_store, data_paths, tmp_path, monkeypatch
):
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup_file)
    admin_store.close()
    monkeypatch.setattr(backup, "datetime", _OneInstant)
    kept_stores = []
    for _ in range(2):
        kept_stores.append(data_paths.keystore.read_bytes())
        maintenance.restore(
            data_paths, src=backup_file, username=ADMIN, password=ADMIN_PASSWORD
        ).close()
    kept = sorted(data_paths.backups.glob("replaced-*"))
    assert len(kept) == 2
    assert sorted((k / "keystore.json").read_bytes() for k in kept) == sorted(kept_stores)
    assert all((k / "infoshare.db").exists() for k in kept)


def test_a_restores_key_rotation_is_audited_once(admin_store, data_paths, tmp_path):
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(admin_store, dest=backup_file)
    admin_store.close()
    store = maintenance.restore(
        data_paths, src=backup_file, username=ADMIN, password=ADMIN_PASSWORD
    )
    epoch = store.keystore.epoch
    store.close()
    actions = audit_actions(data_paths, ADMIN, ADMIN_PASSWORD)
    rotations = [a for a in actions if a[0] == audit.Action.KEY_ROTATE]
    assert [a[2] for a in rotations] == [f"epoch={epoch}"]


def test_a_backup_carries_no_slot_checkpoints_beyond_its_own_head(
    admin_store, data_paths, tmp_path
):
    """A checkpoint written while the database is copied may name an entry the copy
    lacks; the backup's key store has only checkpoints at the copy's own head, signed by
    whoever took it, so its restore is neither refused as replaced nor as checkpoints
    removed."""
    _add_second_admin(admin_store, data_paths)
    admin_store.close()
    # Signing in again leaves both slots with a checkpoint in the live key store.
    accounts.sign_in(data_paths, username=SECOND, password=SECOND_PASSWORD).close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    live = Keystore.load(data_paths.keystore)
    assert any(live.slot_checkpoint(u) for u in live.user_ids())
    backup_file = tmp_path / "b.isbackup"
    maintenance.backup(store, dest=backup_file)
    store.close()
    with zipfile.ZipFile(backup_file) as zf:
        copied = json.loads(zf.read("keystore.json"))
    with zipfile.ZipFile(backup_file) as zf:
        backup_head = json.loads(zf.read("manifest.json"))["audit_head"]
    assert copied["slots"]
    for slot in copied["slots"].values():
        mark = slot["checkpoint"]
        assert f"{mark['seq']}:{mark['head'][:12]}" == backup_head
    maintenance.restore(
        data_paths, src=backup_file, username=SECOND, password=SECOND_PASSWORD
    ).close()
    accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD).close()
