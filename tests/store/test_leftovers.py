"""Crash leftovers never accumulate: backups and restores killed half-way (SIGKILL, real
child processes), and the `.part`/`.new`/`.rotating` files of interrupted writes, are
removed at the next start; nothing that is not provably ours is touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infoshare_desktop.services import maintenance
from infoshare_desktop.store.tables import StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD

ATTEMPTS, WANTED = 30, 3
TIME_CAP = 240.0
HOURS_AGO = time.time() - 2 * 3600


def cli(*argv: str) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-m", "infoshare_desktop", *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdin is not None
    child.stdin.write(ADMIN_PASSWORD.encode() + b"\n")
    child.stdin.close()
    return child


def kill_when(child: subprocess.Popen[bytes], folder: Path, prefix: str, delay: float) -> bool:
    """SIGKILL the child once a `prefix` folder exists in `folder` (after `delay`);
    False if it finished first."""
    while child.poll() is None:
        if any(p.name.startswith(prefix) for p in folder.iterdir()):
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
            return True
        time.sleep(0.002)
    return False


def leftovers(folder: Path, prefix: str) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(prefix)] if folder.exists() else []


def aged(path: Path) -> Path:
    for p in [path, *path.rglob("*")]:
        os.utime(p, (HOURS_AGO, HOURS_AGO))
    return path


@pytest.mark.slow
def test_killed_backups_and_restores_leave_nothing_after_the_next_start(
    admin_store, data_paths, tmp_path
):
    with admin_store.write() as session:  # a store big enough to be killed mid-copy
        session.merge(StoreSetting(name="padding", value=os.urandom(6_000_000).hex()))
    good = tmp_path / "good.isbackup"
    maintenance.backup(admin_store, dest=good)
    admin_store.close()
    data = data_paths.root
    creds = ["--data-dir", str(data), "--user", ADMIN, "--password-stdin"]
    stick = tmp_path / "stick"
    stick.mkdir()

    # Each start removes what the previous kill left, so there is never more than one.
    started, landed = time.monotonic(), {"backup": 0, "restore": 0}
    for attempt in range(ATTEMPTS):
        if min(landed.values()) >= WANTED or time.monotonic() - started > TIME_CAP:
            break
        kind = "backup" if landed["backup"] <= landed["restore"] else "restore"
        if kind == "backup":
            child = cli("backup", str(stick / f"b{attempt}.isbackup"), *creds)
            folder, prefix = stick, ".tmp-backup-"
        else:
            child = cli("restore", str(good), *creds)
            folder, prefix = data, ".tmp-restore-"
        if kill_when(child, folder, prefix, delay=(attempt % 3) * 0.04):
            left = leftovers(stick, ".tmp-backup-") + leftovers(data, ".tmp-restore-")
            assert len(left) <= 1, f"leftovers accumulate: {len(left)}"
            landed[kind] += bool(leftovers(folder, prefix))
    print(f"kills that landed mid-way: {landed}")
    assert landed["backup"] >= 1, "no kill landed mid-backup"
    assert landed["restore"] >= 1, "no kill landed mid-restore"
    if not leftovers(stick, ".tmp-backup-") and not leftovers(data, ".tmp-restore-"):
        while not kill_when(cli("restore", str(good), *creds), data, ".tmp-restore-", 0.0):
            assert time.monotonic() - started < 2 * TIME_CAP
    assert leftovers(stick, ".tmp-backup-") + leftovers(data, ".tmp-restore-")

    # Leftovers of interrupted writes, and things that are not provably ours.
    ours = [data / ".tmp-4f2a9c.part", data / "infoshare.db.rotating", data / "infoshare.db.new"]
    for path in ours:
        path.write_bytes(os.urandom(64))
    (data / "checkpoints").mkdir(exist_ok=True)
    stale_part = data / "checkpoints" / ".tmp-9a8b.part"
    stale_part.write_bytes(b"{}")
    os.utime(stale_part, (HOURS_AGO, HOURS_AGO))
    ours.append(stale_part)
    old_version = aged(_folder(data / ".tmp-backup-0ld", "infoshare.db", "backup.zip"))
    keep = [
        data / "notes.part",
        aged(_folder(data / ".tmp-backup-holiday", "photo.jpg")),
        _folder(data / ".tmp-restore-fresh", "infoshare.db"),  # could be in use
        aged(_folder(stick / ".tmp-backup-unlisted", "infoshare.db")),  # not in the registry
        stick / ".tmp-1234.part",
        data / "checkpoints" / ".tmp-fresh.part",  # could be being written
    ]
    for path in (keep[0], keep[-2], keep[-1]):
        path.write_text("mine")
    before_keep = {p: _contents(p) for p in keep}

    # The next start (any command).
    done = subprocess.run(
        [sys.executable, "-m", "infoshare_desktop", "verify", *creds],
        input=ADMIN_PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    assert [p for p in leftovers(stick, ".tmp-backup-") if p not in keep] == []
    assert [p for p in leftovers(data, ".tmp-restore-") if p not in keep] == []
    assert not any(p.exists() for p in ours), [p.name for p in ours if p.exists()]
    assert not old_version.exists()
    assert list((data / ".temp").glob("*.json")) == []
    assert {p: _contents(p) for p in keep} == before_keep, "something not ours was touched"


def _folder(path: Path, *names: str) -> Path:
    path.mkdir()
    for name in names:
        (path / name).write_bytes(os.urandom(32))
    return path


def _contents(path: Path) -> object:
    if path.is_dir():
        return sorted((p.name, p.read_bytes()) for p in path.rglob("*") if p.is_file())
    return path.read_bytes()


def test_a_backup_in_progress_in_another_process_is_left_alone(admin_store, data_paths, tmp_path):
    """The registry lock tells a live backup from an abandoned one."""
    from infoshare_desktop.store.leftovers import BACKUP_PREFIX, clean_leftovers, temp_folder

    with temp_folder(data_paths, tmp_path / "usb", BACKUP_PREFIX) as live:
        (live / "infoshare.db").write_bytes(b"x")
        assert clean_leftovers(data_paths) == 0
        assert live.exists()
    assert not live.exists()
    admin_store.close()
