"""The demo generator writes records of the declared kinds, as the declaration says."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlmodel import select

from infoshare_desktop import demo
from infoshare_desktop.domain import checklist
from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import CheckContext, spec, summary_of
from infoshare_desktop.services import cases
from infoshare_desktop.store.tables import SavedRecord


def test_demo_records_are_of_declared_kinds_and_pass_their_checklists(admin_store):
    result = demo.populate(admin_store, cases=4, records=200)
    with admin_store.read() as session:
        rows = session.exec(select(SavedRecord)).all()
    assert len(rows) == result.records == 200
    kinds = Counter(RecordKind(r.kind) for r in rows)
    assert kinds[RecordKind.SHARING_DECISION] and kinds[RecordKind.CONSENT_DECISION]
    assert kinds[RecordKind.ADVICE], "the demo has advice records too"
    authors = {r.id: r.author_id for r in rows}
    for row in rows:
        declared = spec(row.kind)
        draft = declared.draft.from_dict(json.loads(row.payload))
        assert row.summary == summary_of(declared.kind, draft)
        assert row.subkind == declared.subkind(draft)
        context = CheckContext(
            now=row.recorded_at,
            reviewer_id=row.author_id,
            author_id=authors.get(row.target_id or "", ""),
        )
        assert not checklist.blocking(declared.check(draft, context))
    advice = next(r for r in rows if r.kind == RecordKind.ADVICE.value)
    detail = cases.record_detail(admin_store, record_id=advice.id)
    assert detail.content.sought_from_role  # readable through the service like any record


def test_demo_store_holds_what_real_saves_make(tmp_path):
    """Review requests as the default rules make them at save (about a fifth of the
    records), reviews endorsed and returned, requests received with acknowledgements and
    replies, recipients' organisation types, and a valid NHS number (from the range
    kept for tests) or a declared reason on every case; and it verifies."""
    from infoshare_desktop.domain.identifier import nhs_number_problem
    from infoshare_desktop.domain.records import SharingDecisionDraft
    from infoshare_desktop.domain.reviews import ReviewRules
    from infoshare_desktop.paths import DataPaths
    from infoshare_desktop.services import accounts, maintenance
    from infoshare_desktop.store import identifiers
    from infoshare_desktop.store.tables import CaseFile, ReviewRequest

    paths = DataPaths(tmp_path / "data")
    result = demo.create_demo_store(paths, cases=40, records=800)
    store = accounts.sign_in(paths, username="demo.admin", password=demo.DEMO_PASSWORD)
    try:
        with store.read() as session:
            rows = session.exec(select(SavedRecord)).all()
            requested = {r.record_id for r in session.exec(select(ReviewRequest)).all()}
            case_ids = [c.id for c in session.exec(select(CaseFile)).all()]
            current = identifiers.current_of(session, case_ids)
        # every envelope and audit entry signed by its author: verify finds nothing
        assert maintenance.verify(store).ok
    finally:
        store.close()
    assert len(rows) == result.records == 800
    # exactly the records the service's rule enters, and about a fifth of all records
    rules = ReviewRules()
    expected = set()
    for row in rows:
        if row.kind == RecordKind.SHARING_DECISION.value:
            draft = SharingDecisionDraft.from_dict(json.loads(row.payload))
            if rules.requires_review(
                kind=draft.kind, without_consent=row.without_consent, harm_concern=row.harm_concern
            ):
                expected.add(row.id)
    assert requested == expected and result.entered_for_review == len(expected)
    assert 0.15 < len(expected) / len(rows) < 0.3
    reviews = [r for r in rows if r.kind == RecordKind.REVIEW.value]
    assert {r.subkind for r in reviews} >= {"endorsed", "returned"}
    assert all(r.target_id in requested for r in reviews)
    kinds = Counter(r.kind for r in rows)
    assert kinds[RecordKind.REQUEST.value] and kinds[RecordKind.REQUEST_REPLY.value]
    requests = [json.loads(r.payload) for r in rows if r.kind == RecordKind.REQUEST.value]
    assert any(r["acknowledged"] and r["acknowledged_at"] for r in requests)
    types = {
        recipient["organisation_type"]
        for r in rows
        if r.kind == RecordKind.SHARING_DECISION.value
        for recipient in json.loads(r.payload)["recipients"]
    }
    assert {"section_11_body", "education_childcare", "other"} <= types
    assert len(current) == len(case_ids) == 40
    numbers = [i.nhs_number for i in current.values() if i.nhs_number]
    assert numbers and all(nhs_number_problem(n) is None and n.startswith("999") for n in numbers)
    assert all(i.nhs_number or i.reason for i in current.values())


def _store_content(paths):
    """What a demo store holds, without its ids and times: each kind of record and how
    many, the review requests and statuses, the audit entries by action, the indexes."""
    from infoshare_desktop.services import accounts, maintenance
    from infoshare_desktop.store.writes import raw_connection

    store = accounts.sign_in(paths, username="demo.admin", password=demo.DEMO_PASSWORD)
    try:
        result = maintenance.verify(store, full=True)
        with store.read() as session:
            raw = raw_connection(session)

            def counted(sql):
                return sorted(tuple(r) for r in raw.execute(sql).fetchall())

            content = {
                "records": counted(
                    "SELECT kind, subkind, count(*) FROM saved_record GROUP BY 1, 2"
                ),
                "summaries": counted("SELECT summary, count(*) FROM saved_record GROUP BY 1"),
                "requests": counted("SELECT reason, count(*) FROM review_request GROUP BY 1"),
                "statuses": counted("SELECT status, count(*) FROM review_status GROUP BY 1"),
                "audit": counted(
                    "SELECT action, target_kind, count(*) FROM audit_event GROUP BY 1, 2"
                ),
                "envelopes": counted("SELECT kind, count(*) FROM envelope GROUP BY 1"),
                "indexes": counted("SELECT name, sql FROM sqlite_master WHERE type = 'index'"),
                "found": counted(
                    "SELECT count(*) FROM search_index WHERE search_index MATCH 'consent'"
                ),
            }
    finally:
        store.close()
    return result, content


def test_a_bulk_demo_build_writes_the_same_store_and_it_verifies_in_full(tmp_path):
    """A bulk build (its batches made by a helper process, the randomly filled indexes
    built at the end) writes what the build in one process writes, from the same seed:
    the same records, review requests and statuses, signed envelopes and audit entries,
    search index and indexes; and a full verify finds nothing wrong."""
    from infoshare_desktop.paths import DataPaths

    built = {}
    for bulk in (False, True):
        paths = DataPaths(tmp_path / f"bulk-{bulk}" / "data")
        result = demo.create_demo_store(paths, cases=25, records=500, bulk=bulk)
        assert result.records == 500
        verified, built[bulk] = _store_content(paths)
        assert verified.ok, verified.lines()
    assert built[True] == built[False]
    assert dict(built[True]["statuses"]).get("awaiting")  # review requests as saves make them
    names = {name for name, _ in built[True]["indexes"]}
    assert {"ix_record_author", "ix_review_status_status", "ix_case_created"} <= names


def test_a_demo_build_leaves_a_tidy_search_index_and_saves_merging_nothing(tmp_path, monkeypatch):
    """The build merges the index's segments as it writes (saves no longer do, migration
    0016), so the first save after it is not handed a crisis merge of the whole build:
    nothing is left to tidy, and the setting saves use is back. (Batches of 100 records
    here, in one process: each batch is a transaction, and a segment of the index.)"""
    import importlib

    from infoshare_desktop.paths import DataPaths
    from infoshare_desktop.services import accounts
    from infoshare_desktop.store import search
    from infoshare_desktop.store.writes import raw_connection

    monkeypatch.setattr(importlib.import_module("infoshare_desktop.demo.populate"), "BATCH", 100)
    paths = DataPaths(tmp_path / "data")
    demo.create_demo_store(paths, cases=60, records=1_200, bulk=False)
    store = accounts.sign_in(paths, username="demo.practitioner", password=demo.DEMO_PASSWORD)
    try:
        with store.write() as tx:
            conn = raw_connection(tx)
            for index in ("search_index", "case_index"):
                [(setting,)] = conn.execute(
                    f"SELECT v FROM {index}_config WHERE k = 'automerge'"
                ).fetchall()
                assert setting == 0, index
            assert not search.tidy(tx), "the build left segments for the first saves to merge"
    finally:
        store.close()


def test_the_rate_report_says_each_hundred_thousand_and_the_rate_since_the_last():
    said: list[str] = []
    report = demo.RateReport(said.append)
    report(10_000, 5.0, 4.0)
    report(60_000, 30.0, 24.0)
    report(100_000, 50.0, 40.0)
    report(150_000, 80.0, 60.0)
    report(200_000, 110.0, 80.0)
    report(205_000, 113.0, 82.0)
    report(205_000, 123.0, 90.0)  # the work after the last batch (indexes)
    report.finish()
    assert said[0] == "10,000 records in 5.0 s: 2,000 records/s (2,500 per CPU second)"
    assert said[1].startswith("100,000 records in 50.0 s: 2,000 records/s")
    assert "the last 90,000: 2,000/s (2,500 per CPU second)" in said[1]
    # the rate at 200,000 is that of the 100,000 records since the mark before
    assert "the last 100,000: 1,667/s (2,500 per CPU second)" in said[2]
    assert report.interval_rates[200_000] == pytest.approx(100_000 / 60)
    assert report.cpu_rates[200_000] == pytest.approx(200_000 / 80)
    assert said[3].startswith("205,000 records in 123.0 s: 1,667 records/s")
    assert len(said) == 4
    # a build ending on a mark: said once more if the work after its last batch took time
    report(300_000, 150.0, 100.0)
    report(300_000, 160.0, 104.0)
    report.finish()
    assert said[4].startswith("300,000 records in 150.0 s: 2,000 records/s")
    assert said[5] == (
        "300,000 records in 160.0 s in all, with 10.0 s after the last batch: "
        "1,875 records/s (2,885 per CPU second)"
    )
