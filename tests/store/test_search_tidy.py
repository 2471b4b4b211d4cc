"""Saves leave the merging of the search index's segments to an idle tidy (migration
0016, store.search.tidy, services.records.tidy_search_index): against a real SQLCipher
file, what a search finds is the same before, during and after tidying, the index passes
FTS5's own check, and a full verify (which rebuilds the index from the envelopes and
compares) still passes."""

from __future__ import annotations

import os
import random
import select
import signal
import time

import pytest
import sqlcipher3

from infoshare_desktop.services import accounts, cases, maintenance, records
from infoshare_desktop.store import search
from infoshare_desktop.store.writes import raw_connection
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision

BIRDS = ["heron", "kestrel", "curlew", "dunlin", "plover", "merlin", "osprey", "linnet"]
QUERIES = ["heron", "kes", "curlew osprey", "Ash", "T-1", "child", "osp", "merlin dunlin"]
SAVES = 40  # past FTS5's crisis merge of 16 segments on a level, twice
KILLS = 25


def fill_with_saves(store, ids: list[str] | None = None) -> list[str]:
    """Cases (or those of `ids`) and saves through the service, each with two words."""
    ids = ids or [
        cases.create_case(
            store, draft=complete_case(display_name=f"Ash {b.title()}", case_reference=f"T-{n}")
        )
        for n, b in enumerate(BIRDS[:4])
    ]
    for n in range(SAVES):
        words = " and ".join(BIRDS[(n * k) % len(BIRDS)] for k in (1, 3))
        draft = complete_sharing_decision(reasons=f"Seen near the {words} today ({n})")
        records.record_sharing_decision(store, case_id=ids[n % len(ids)], draft=draft)
    return ids


def found_by_search(store) -> dict[str, list[tuple[str, str]]]:
    return {q: [(h.case_id, h.snippet) for h in cases.search(store, query=q)] for q in QUERIES}


def _index_problems(store) -> list[str]:
    """FTS5's own check of both indexes (an error names what is wrong)."""
    problems = []
    with store.write_direct() as db:
        for index in ("search_index", "case_index"):
            try:
                db.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
            except sqlcipher3.DatabaseError as error:  # the check names what is wrong
                problems.append(f"{index}: {error}")
    return problems


def _tidy_to_the_end(store) -> int:
    steps = 0
    while records.tidy_search_index(store):
        steps += 1
        assert steps < 200, "tidying never finished"
    return steps


def test_saves_leave_merging_to_tidy_and_searches_find_the_same_before_and_after(admin_store):
    fill_with_saves(admin_store)
    before = found_by_search(admin_store)
    assert all(before[q] for q in ("heron", "kes", "Ash", "curlew osprey", "T-1"))
    assert _index_problems(admin_store) == []
    # the saves merged nothing beyond FTS5's crisis bound: there is work left for tidying
    assert _tidy_to_the_end(admin_store) >= 1
    assert found_by_search(admin_store) == before
    assert _index_problems(admin_store) == []
    assert not records.tidy_search_index(admin_store)  # a tidy index is left alone
    result = maintenance.verify(admin_store, full=True)
    assert result.ok, result.lines()


def test_a_search_between_tidying_steps_finds_the_same(admin_store):
    ids = fill_with_saves(admin_store)
    before = found_by_search(admin_store)
    with admin_store.write_direct() as db:
        assert search.tidy(db, pages=4)  # a step far smaller than the work: a merge half done
    assert found_by_search(admin_store) == before
    assert _index_problems(admin_store) == []
    fill_with_saves(admin_store, ids)  # saves on top of a merge half done
    after = found_by_search(admin_store)
    _tidy_to_the_end(admin_store)
    assert found_by_search(admin_store) == after
    assert _index_problems(admin_store) == []


def test_a_tidy_step_that_fails_leaves_the_index_as_it_was(admin_store):
    """A step is one transaction: rolled back (here by an error after the merge, in the
    same transaction), it leaves the index exactly as before, and tidying later works."""
    fill_with_saves(admin_store)
    before = found_by_search(admin_store)
    with pytest.raises(RuntimeError), admin_store.write_direct() as db:
        search.tidy(db, pages=50)
        raise RuntimeError("cut off mid-step")
    assert found_by_search(admin_store) == before
    assert _index_problems(admin_store) == []
    _tidy_to_the_end(admin_store)
    assert found_by_search(admin_store) == before


def test_tidying_needs_a_signed_in_user(admin_store, data_paths):
    admin_store.close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.sign_out(store)
    with pytest.raises(Exception, match=r"(?i)locked|sign"):
        records.tidy_search_index(store)


def test_new_and_migrated_stores_do_not_merge_inside_a_save(admin_store):
    with admin_store.read() as session:
        raw = raw_connection(session)
        for index in ("search_index", "case_index"):
            settings = dict(raw.execute(f"SELECT k, v FROM {index}_config").fetchall())
            assert settings.get("automerge") == 0, index


def _saver(paths, case_id: str, ack_fd: int) -> None:
    """The child: saves through the service, each followed by a tidying step (as an idle
    window runs them), acknowledging each save once it returned."""
    store = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    os.write(ack_fd, b"ready\n")
    n = 0
    while True:
        words = f"{BIRDS[n % len(BIRDS)]} {BIRDS[(n * 3) % len(BIRDS)]}"
        draft = complete_sharing_decision(reasons=f"Seen near the school, {words} ({n})")
        saved = records.record_sharing_decision(store, case_id=case_id, draft=draft)
        os.write(ack_fd, f"{saved.record_id}\n".encode())
        records.tidy_search_index(store)
        n += 1


@pytest.mark.slow
def test_a_writer_killed_while_saving_and_tidying_leaves_an_index_that_finds_every_save(
    admin_store, data_paths
):
    """SIGKILL a writer that saves and tidies, again and again: every acknowledged save is
    found by its words, the index passes FTS5's check, and a full verify passes."""
    case_id = cases.create_case(admin_store, draft=complete_case())
    admin_store.close()
    rng = random.Random(20261202)
    acknowledged: set[str] = set()
    deadline = time.monotonic() + 600
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                _saver(data_paths, case_id, write_fd)
            finally:
                os._exit(0)
        os.close(write_fd)
        try:
            data = b""
            while b"ready\n" not in data:  # signed in: the kill cannot land before
                assert select.select([read_fd], [], [], max(0, deadline - time.monotonic()))[0]
                data += os.read(read_fd, 65536)
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        while select.select([read_fd], [], [], 0)[0] and (chunk := os.read(read_fd, 65536)):
            data += chunk
        os.close(read_fd)
        *done, _ = data.split(b"\n")
        acknowledged |= {line.decode() for line in done if line and line != b"ready"}
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        assert len(acknowledged) >= KILLS  # the writer got on between the kills
        assert _index_problems(store) == []
        with store.read() as session:
            found = {
                r[0]
                for r in raw_connection(session).execute(
                    "SELECT record_id FROM search_index WHERE search_index MATCH 'school'"
                )
            }
        assert acknowledged <= found
        before = found_by_search(store)
        _tidy_to_the_end(store)
        assert found_by_search(store) == before
        result = maintenance.verify(store, full=True)
        assert result.ok, result.lines()
    finally:
        store.close()
