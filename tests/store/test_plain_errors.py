"""Environment failures and bad input get a plain message and change no file: a read-only
data folder, a full backup disk, tampered Argon2id parameters, damaged display names,
and an account whose key slot has gone. Real files, real child processes, real mounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.errors import InvalidTextError
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.services.accounts import AccountError
from infoshare_desktop.store.errors import DiskFullError, KeystoreDamagedError
from tests.conftest import ADMIN, ADMIN_PASSWORD

TIMEOUT = 120


def run_cli(*argv: str | bytes, password: str, timeout: float = TIMEOUT):
    return subprocess.run(
        [sys.executable, "-m", "infoshare_desktop", *argv],
        input=(password + "\n").encode(),
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def creds(data: Path, user: str = ADMIN) -> list[str]:
    return ["--data-dir", str(data), "--user", user, "--password-stdin"]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts and not p.name.endswith("-shm")
    }


def _mount(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["mount", *args], capture_output=True, check=False, timeout=30)


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[callable]:
    """Mount small tmpfs file systems (needs root); each is unmounted afterwards."""
    mounted: list[Path] = []

    def make(size: str) -> Path:
        point = tmp_path / f"mnt-{len(mounted)}"
        point.mkdir()
        done = _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point))
        if done.returncode != 0:
            pytest.skip(
                "a tmpfs cannot be mounted here (the test needs root and mount(8)): "
                + done.stderr.decode(errors="replace").strip()
            )
        mounted.append(point)
        return point

    yield make
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


# -- a read-only data folder --------------------------------------------------------------
def test_a_read_only_data_folder_gets_plain_messages_and_a_wrong_password_says_so(tmpfs):
    point = tmpfs("16m")
    data = point / "data"
    assert run_cli("init", *creds(data), password=ADMIN_PASSWORD).returncode == 0
    before = snapshot(data)
    remount = _mount("-o", "remount,ro", str(point))
    assert remount.returncode == 0, remount.stderr

    wrong = run_cli("verify", *creds(data), password="not the password at all")
    err = wrong.stderr.decode()
    assert wrong.returncode == 2, err
    assert "password is not right" in err and "could not be recorded" in err
    assert "cannot be written to" in err and "Traceback" not in err

    right = run_cli("verify", *creds(data), password=ADMIN_PASSWORD)
    assert right.returncode == 2 and "cannot be written to" in right.stderr.decode()
    backup = run_cli(
        "backup", str(point.parent / "b.isbackup"), *creds(data), password=ADMIN_PASSWORD
    )
    assert backup.returncode == 2 and "cannot be written to" in backup.stderr.decode()
    assert snapshot(data) == before

    assert _mount("-o", "remount,rw", str(point)).returncode == 0
    store = accounts.sign_in(DataPaths(data), username=ADMIN, password=ADMIN_PASSWORD)
    assert maintenance.verify(store).ok
    store.close()


# -- a backup onto a full disk --------------------------------------------------------------
@pytest.mark.parametrize("fails", ["copy", "archive"], ids=["copy-fails", "archive-fails"])
def test_a_backup_onto_a_full_disk_says_so_and_changes_nothing(
    fails, tmpfs, admin_store, data_paths, tmp_path
):
    if fails == "copy":
        size = "48k"
    else:  # room for the database and its moment in WAL mode, not for the key store after
        for n in range(48):  # a key store of about 55 KB
            accounts.add_user(
                admin_store, username=f"user.{n}", display_name="U", roles={Role.PRACTITIONER}
            )
        assert data_paths.keystore.stat().st_size > 44 * 1024
        size = f"{data_paths.database.stat().st_size // 1024 + 40}k"
    stick = tmpfs(size)
    before = snapshot(data_paths.root)
    with pytest.raises(DiskFullError, match="backup was being written to is full"):
        maintenance.backup(admin_store, dest=stick / "infoshare.isbackup")
    assert list(stick.iterdir()) == [], "the failed backup left files on the disk"
    assert snapshot(data_paths.root) == before
    admin_store.close()

    # The same through the command line, in its own process.
    done = run_cli(
        "backup", str(stick / "b.isbackup"), *creds(data_paths.root), password=ADMIN_PASSWORD
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "backup was being written to is full" in err and "Traceback" not in err
    assert list(stick.iterdir()) == []


# -- tampered Argon2id parameters -----------------------------------------------------------
TAMPERED = [
    ("memory_kib", 4_000_000),
    ("memory_kib", 2**40),
    ("memory_kib", 16),
    ("iterations", 1_000_000),
    ("iterations", 0),
    ("lanes", 0),
    ("lanes", 1000),
    ("memory_kib", "65536"),
    ("iterations", True),
    ("alg", "scrypt"),
    ("salt", "AAAA"),
]


def tamper_kdf(paths: DataPaths, name: str, value: object) -> bytes:
    data = json.loads(paths.keystore.read_bytes())
    for slot in data["slots"].values():
        slot["private"]["kdf"][name] = value
    raw = json.dumps(data).encode()
    paths.keystore.write_bytes(raw)
    return raw


@pytest.mark.parametrize(("name", "value"), TAMPERED)
def test_tampered_argon2id_parameters_are_refused_as_damage(admin_store, data_paths, name, value):
    admin_store.close()
    tampered = tamper_kdf(data_paths, name, value)
    for password in (ADMIN_PASSWORD, "a wrong password"):
        with pytest.raises(KeystoreDamagedError):
            accounts.sign_in(data_paths, username=ADMIN, password=password)
    assert data_paths.keystore.read_bytes() == tampered, "a refused slot counted a failure"


@pytest.mark.parametrize(("name", "value"), [("iterations", 1_000_000), ("memory_kib", 4_000_000)])
def test_a_costly_tampered_slot_is_refused_at_once_on_the_command_line(
    admin_store, data_paths, name, value
):
    """Without the range check, the first keeps a core busy for hours and the second asks
    for 4 GB of memory."""
    admin_store.close()
    tampered = tamper_kdf(data_paths, name, value)
    done = run_cli("verify", *creds(data_paths.root), password=ADMIN_PASSWORD, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "key store file is damaged" in err
    assert data_paths.keystore.read_bytes() == tampered


# -- display names --------------------------------------------------------------------------
BAD_NAMES = [
    ("lone surrogate", "Alex \ud800 Example", "damaged character"),
    ("over-long", "A" * 40_000, "too long"),
    ("control character", "Alex\x00Example", "control character"),
]


@pytest.mark.parametrize(("case", "name", "words"), BAD_NAMES, ids=[b[0] for b in BAD_NAMES])
def test_a_bad_display_name_is_refused_plainly_when_adding_a_user(
    admin_store, data_paths, case, name, words
):
    before = snapshot(data_paths.root)
    with pytest.raises(InvalidTextError, match=words):
        accounts.add_user(
            admin_store, username="pat.p", display_name=name, roles={Role.PRACTITIONER}
        )
    assert not admin_store.keystore.has_user("pat.p")
    assert snapshot(data_paths.root) == before


def test_display_names_are_tidied_to_one_line(admin_store):
    accounts.add_user(
        admin_store,
        username="pat.p",
        display_name="  Pat\r\n  Practitioner\u2028 ",
        roles={Role.PRACTITIONER},
    )
    (pat,) = [u for u in accounts.list_users(admin_store) if u.username == "pat.p"]
    assert pat.display_name == "Pat Practitioner"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (os.fsencode("Alex \udced\udca0\udc80 Example"), "damaged character"),
        ("B" * 40_000, "too long"),
    ],
    ids=["invalid UTF-8 (a lone surrogate)", "40,000 characters"],
)
def test_init_refuses_a_bad_display_name_and_creates_nothing(tmp_path, name, words):
    data = tmp_path / "data"
    done = run_cli("init", *creds(data), "--display-name", name, password=ADMIN_PASSWORD)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert words in err and "Traceback" not in err
    assert not (data / "keystore.json").exists() and not (data / "infoshare.db").exists()


# -- an account whose key slot has gone -----------------------------------------------------
def test_an_account_whose_key_slot_was_lost_is_re_issued_by_reset_password(admin_store, data_paths):
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER}
    )
    accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    ).close()
    pat_id = admin_store.keystore.user_id_for("pat.p")
    data = json.loads(data_paths.keystore.read_bytes())  # the slot disappears
    data["slots"] = {k: s for k, s in data["slots"].items() if s["user_id"] != pat_id}
    data_paths.keystore.write_bytes(json.dumps(data).encode())

    (pat,) = [u for u in accounts.list_users(admin_store) if u.username == "pat.p"]
    assert pat.not_set_up and pat.status == "active"
    with pytest.raises(AccountError, match="Reset password"):
        accounts.add_user(
            admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER}
        )
    new_code = accounts.reset_password(admin_store, user_id=pat_id)
    pat_store = accounts.sign_in(
        data_paths, username="pat.p", password=new_code, new_password="ember tundra quill"
    )
    assert accounts.current_user(pat_store).user_id == pat_id
    pat_store.close()
    (pat,) = [u for u in accounts.list_users(admin_store) if u.username == "pat.p"]
    assert not pat.not_set_up


def test_a_revoked_user_name_is_not_reused_and_says_so(admin_store):
    accounts.add_user(admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER})
    pat_id = admin_store.keystore.user_id_for("pat.p")
    accounts.revoke_user(admin_store, user_id=pat_id)
    with pytest.raises(AccountError, match="revoked"):
        accounts.add_user(
            admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER}
        )
