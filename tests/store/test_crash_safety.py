"""SIGKILL a writer hundreds of times while it saves records through the service: no
acknowledged commit is lost, no record exists without its audit entry and search text
(or the reverse), and the store still verifies.

The guard does not depend on the machine's load: each kill waits until the writer says
it has signed in (so a slow start cannot use up the kill), and the loop runs until it has
both made its kills and seen enough acknowledged commits, under a generous time cap."""

from __future__ import annotations

import os
import random
import select
import signal
import time

import pytest
from sqlmodel import select as sql_select

from infoshare_desktop.services import accounts, cases, records
from infoshare_desktop.store import audit
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.snapshot import integrity_problems
from infoshare_desktop.store.tables import AuditEvent, SavedRecord, StoreSetting
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision

KILLS = 200  # at least this many kills while the writer is committing
ACKNOWLEDGED = 400  # and at least this many acknowledged commits before checking
CAP_S = 900  # only a broken writer (or a machine stalled for minutes) reaches this
READY = "ready"


def _writer(paths, case_id: str, ack_fd: int) -> None:
    """The child: sign in, then save sharing decisions through the service (record,
    search text and audit entry in one transaction) and, between them, a setting with
    its audit entry through a Session, acknowledging each only after it returned."""
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    draft = complete_sharing_decision()
    os.write(ack_fd, f"{READY}\n".encode())
    while True:
        saved = records.record_sharing_decision(store, case_id=case_id, draft=draft)
        os.write(ack_fd, f"{saved.record_id}\n".encode())
        name = f"crash-{saved.record_id}"
        with store.write() as session:
            session.add(StoreSetting(name=name, value="v"))
            audit.append(
                session,
                actor_id=store.user.user_id,
                action=audit.Action.SETTING_CHANGE,
                target_kind="setting",
                target_id=name,
            )
        os.write(ack_fd, f"{name}\n".encode())


def _read_acks(fd: int, data: bytes = b"") -> list[str]:
    """Every line the writer finished (``data``: bytes already read)."""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    *complete, _unfinished = data.split(b"\n")
    return [line.decode() for line in complete if line.strip()]


def _wait_until_ready(fd: int, deadline: float) -> bytes:
    """Wait until the writer has signed in; what it wrote so far."""
    data = b""
    while f"{READY}\n".encode() not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"the writer did not sign in within {CAP_S} s")
        chunk = os.read(fd, 65536)
        assert chunk, "the writer exited before signing in"
        data += chunk
    return data


@pytest.mark.slow
def test_sigkill_during_commits_loses_nothing_acknowledged(admin_store, data_paths):
    case_id = cases.create_case(admin_store, draft=complete_case())
    admin_store.close()
    accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD).close()  # warm imports
    rng = random.Random(20261129)
    acknowledged: set[str] = set()
    kills = 0
    deadline = time.monotonic() + CAP_S
    while (kills < KILLS or len(acknowledged) < ACKNOWLEDGED) and time.monotonic() < deadline:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                _writer(data_paths, case_id, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        try:
            early = _wait_until_ready(read_fd, deadline)
            time.sleep(rng.uniform(0.0, 0.06))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        kills += 1
        acknowledged.update(a for a in _read_acks(read_fd, early) if a != READY)
        os.close(read_fd)

    assert kills >= KILLS and len(acknowledged) >= ACKNOWLEDGED, (
        f"{kills} kills and {len(acknowledged)} acknowledged commits in {CAP_S} s"
    )
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    conn = raw_connect(data_paths.database, store.keys.current_key)
    assert integrity_problems(conn) == []
    conn.close()
    with store.read() as session:
        report = audit.verify_chain(session, store.keys.audit_anchor)
        saved = set(session.exec(sql_select(SavedRecord.id)))
        indexed = {
            row[0]
            for row in session.connection().exec_driver_sql(
                "SELECT record_id FROM search_index WHERE record_id IS NOT NULL"
            )
        }
        settings = {
            s.name for s in session.exec(sql_select(StoreSetting)) if s.name.startswith("crash-")
        }
        audited = {
            (e.target_kind, e.target_id)
            for e in session.exec(
                sql_select(AuditEvent).where(
                    AuditEvent.action.in_(["record.create", "store.setting"])  # type: ignore[attr-defined]
                )
            )
        }
    store.close()
    assert report.ok, report.problems
    assert {a for a in acknowledged if not a.startswith("crash-")} <= saved
    assert {a for a in acknowledged if a.startswith("crash-")} <= settings
    assert saved == indexed  # no record without its search text, or the reverse
    assert {("sharing_decision", r) for r in saved} == {
        (k, t) for k, t in audited if k == "sharing_decision"
    }
    assert {("setting", n) for n in settings} == {(k, t) for k, t in audited if k == "setting"}
