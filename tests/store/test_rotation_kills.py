"""A key rotation killed at any moment (SIGKILL, a real child process) leaves the store
on its old key or its new one, never neither: it signs in and verifies, and the
half-written copy is gone after the next start. The kill waits until the child says a
rotation is under way, so a slow start cannot use up the attempts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store.tables import StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD

KILLS = 8
ATTEMPTS = 3 * KILLS  # a child that ends before it rotates is tried again, not forever

CHILD = """
import sys
from pathlib import Path
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts
paths = DataPaths(Path(sys.argv[1]))
store = accounts.sign_in(paths, username=sys.argv[2], password=sys.stdin.readline().strip())
while True:
    print("rotating", flush=True)
    accounts.rotate_key(store)
"""


@pytest.mark.slow
def test_a_rotation_killed_at_any_moment_leaves_a_store_that_opens(admin_store, data_paths):
    with admin_store.write() as session:  # big enough to be killed mid-copy
        session.merge(StoreSetting(name="padding", value=os.urandom(3_000_000).hex()))
    admin_store.close()
    rng = random.Random(13)
    kills = attempts = 0
    while kills < KILLS:
        attempts += 1
        assert attempts <= ATTEMPTS, f"only {kills} kills in {ATTEMPTS} attempts"
        with subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_paths.root), ADMIN],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as child:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(ADMIN_PASSWORD.encode() + b"\n")
            child.stdin.close()
            if child.stdout.readline() != b"rotating\n":  # signed in, first rotation begins
                child.wait(timeout=60)
                continue
            time.sleep(rng.uniform(0.0, 0.6))  # somewhere in a rotation (or the next)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
        kills += 1
        store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
        try:
            assert maintenance.verify(store).ok
            assert not accounts.key_rotation_pending(store)
        finally:
            store.close()
        maintenance.clean_leftovers(data_paths)
        assert not list(data_paths.root.glob("*.rotating"))
