"""SIGKILL a writer hundreds of times: no acknowledged commit is lost, no change exists
without its audit entry (or the reverse), and the store still verifies."""

from __future__ import annotations

import os
import random
import select
import signal
import time

from sqlmodel import select as sql_select

from infoshare_desktop.services import accounts
from infoshare_desktop.store import audit
from infoshare_desktop.store.backup import integrity_problems
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.tables import AuditEvent, StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD

KILLS = 200


def _writer(paths, first: int, ack_fd: int) -> None:
    """The child: sign in, then commit a change with its audit entry, over and over,
    acknowledging each commit only after it returned."""
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    n = first
    while True:
        name = f"crash-{n}"
        with store.write() as session:
            session.add(StoreSetting(name=name, value="v" * (n % 300)))
            audit.append(
                session,
                actor_id=store.user.user_id,
                action=audit.Action.SETTING_CHANGE,
                target_kind="setting",
                target_id=name,
            )
        os.write(ack_fd, f"{n}\n".encode())
        n += 1


def _read_acks(fd: int) -> list[int]:
    data = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return [int(line) for line in data.split(b"\n") if line.strip()]


def test_sigkill_during_commits_loses_nothing_acknowledged(admin_store, data_paths):
    admin_store.close()
    accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD).close()  # warm imports
    rng = random.Random(20261129)
    acknowledged: set[int] = set()
    next_id = 0
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                _writer(data_paths, next_id, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks = _read_acks(read_fd)
        os.close(read_fd)
        acknowledged.update(acks)
        # A commit killed before its acknowledgement may still have landed: skip ahead.
        next_id = max([next_id, *[a + 1 for a in acks]]) + 1

    assert len(acknowledged) > KILLS, "the writer hardly ever committed; the test proves little"
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    conn = raw_connect(data_paths.database, store.keys.current_key)
    assert integrity_problems(conn) == []
    conn.close()
    with store.read() as session:
        report = audit.verify_chain(session, store.keys.audit_anchor)
        settings = {
            s.name for s in session.exec(sql_select(StoreSetting)) if s.name.startswith("crash-")
        }
        audited = {
            e.target_id
            for e in session.exec(sql_select(AuditEvent).where(AuditEvent.target_kind == "setting"))
        }
    store.close()
    assert report.ok, report.problems
    assert {f"crash-{n}" for n in acknowledged} <= settings
    assert settings == audited
