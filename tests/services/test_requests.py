"""Requests received through the services, against a real store: saved like any declared
kind (refused when incomplete, nothing written), the reply due from the rating, and the
worklist queries (due and overdue; declined requests back when a record is added)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from infoshare_desktop.domain import SharingKind, utcnow
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import Rating, RecordKind, ReplyOutcome
from infoshare_desktop.domain.records import RecordLink, RequestDraft
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.services import accounts, cases, records, requests, reviews
from infoshare_desktop.services.errors import ChecklistRefused, PermissionDenied
from infoshare_desktop.services.records import LinkRefused
from infoshare_desktop.store.tables import SavedRecord
from tests.domain.factories import (
    complete_advice,
    complete_case,
    complete_reply,
    complete_request,
    complete_sharing_decision,
)


@pytest.fixture
def case_id(admin_store) -> str:
    return cases.create_case(admin_store, draft=complete_case())


def _count(store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(SavedRecord)).one()


def _request(store, case_id, **changes):
    now = utcnow()
    changes = {"received_at": now - timedelta(hours=6), **changes}
    draft = complete_request(now, **changes)
    return records.record_case_record(store, case_id=case_id, draft=draft), draft


def _reply(store, case_id, request_id, decision_id, **changes):
    draft = complete_reply(
        request=RecordLink(record_id=request_id, description="Request from Example MASH"),
        answered_by=[RecordLink(record_id=decision_id, description="Not shared")],
        **changes,
    )
    return records.record_case_record(store, case_id=case_id, draft=draft)


def test_an_incomplete_request_is_refused_and_nothing_is_written(admin_store, case_id):
    before = _count(admin_store)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_case_record(admin_store, case_id=case_id, draft=RequestDraft())
    assert {"REQUEST_FROM", "REQUEST_RECEIVED", "REQUEST_RATING"} <= {
        f.rule_id for f in refused.value.findings
    }
    assert _count(admin_store) == before


def test_a_request_is_in_the_chronology_with_its_reply_due_from_the_rating(admin_store, case_id):
    saved, draft = _request(admin_store, case_id, rating=Rating.RED)
    (entry,) = cases.chronology(admin_store, case_id=case_id)
    assert (entry.record_id, entry.kind) == (saved.record_id, RecordKind.REQUEST)
    assert entry.subkind == "red" and entry.occurred_at == draft.received_at
    assert entry.summary == "Request from Example Borough MASH (red)"
    content = cases.record_detail(admin_store, record_id=saved.record_id).content
    assert content.due_at == draft.received_at + timedelta(hours=4)  # red: 4 hours


def test_a_due_date_the_practitioner_sets_is_kept(admin_store, case_id):
    due = utcnow() + timedelta(days=10)
    saved, _ = _request(admin_store, case_id, due_at=due)
    assert cases.record_detail(admin_store, record_id=saved.record_id).content.due_at == due


def test_requests_due_lists_open_requests_due_soon_or_overdue(admin_store, case_id):
    now = utcnow()
    overdue, _ = _request(admin_store, case_id, due_at=now - timedelta(minutes=5))
    soon, _ = _request(admin_store, case_id, due_at=now + timedelta(hours=3))
    _request(admin_store, case_id, due_at=now + timedelta(days=5))  # not due yet
    answered, _ = _request(admin_store, case_id, due_at=now - timedelta(hours=1))
    decision = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    _reply(admin_store, case_id, answered.record_id, decision.record_id)
    due = requests.requests_due(admin_store, now=now)
    assert [(d.record_id, d.overdue) for d in due] == [
        (overdue.record_id, True),
        (soon.record_id, False),
    ]
    assert requests.requests_due(admin_store, case_id="no such case", now=now) == []


def test_a_declined_request_comes_back_when_a_record_is_added(admin_store, case_id):
    request, _ = _request(admin_store, case_id)
    declined = records.record_sharing_decision(
        admin_store,
        case_id=case_id,
        draft=complete_sharing_decision(SharingKind.NOT_SHARED),
    )
    _reply(
        admin_store, case_id, request.record_id, declined.record_id,
        outcome=ReplyOutcome.DECLINED, reconsider_if_new=True,
    )  # fmt: skip
    assert requests.requests_to_reconsider(admin_store) == []  # nothing new yet
    advice = records.record_case_record(admin_store, case_id=case_id, draft=complete_advice())
    (back,) = requests.requests_to_reconsider(admin_store)
    assert (back.record_id, back.case_id) == (request.record_id, case_id)
    assert back.new_record_ids == (advice.record_id,)
    assert requests.requests_due(admin_store) == []  # replied: not due


def test_a_request_declined_without_reconsideration_does_not_come_back(admin_store, case_id):
    request, _ = _request(admin_store, case_id)
    declined = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    )
    _reply(
        admin_store, case_id, request.record_id, declined.record_id,
        outcome=ReplyOutcome.DECLINED, reconsider_if_new=False,
    )  # fmt: skip
    records.record_case_record(admin_store, case_id=case_id, draft=complete_advice())
    assert requests.requests_to_reconsider(admin_store) == []


def _practitioner(admin_store, data_paths, roles=frozenset({Role.PRACTITIONER})):
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles=set(roles)
    )
    return accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )


def test_the_worklist_shows_only_cases_the_user_may_see(data_paths, admin_store):
    secret = cases.create_case(admin_store, draft=complete_case(restricted=True))
    _request(admin_store, secret, due_at=utcnow() - timedelta(hours=1))
    assert len(requests.requests_due(admin_store)) == 1  # the creator sees it
    pat = _practitioner(admin_store, data_paths)
    try:
        assert requests.requests_due(pat) == []
        assert requests.requests_to_reconsider(pat) == []
    finally:
        pat.close()


def test_an_administrator_without_a_case_role_is_refused(data_paths, admin_store):
    admin = _practitioner(admin_store, data_paths, roles={Role.ADMINISTRATOR})
    try:
        with pytest.raises(PermissionDenied):
            requests.requests_due(admin)
    finally:
        admin.close()


def test_a_half_typed_reply_is_kept_as_a_draft_with_its_links(admin_store, case_id):
    from infoshare_desktop.services import drafts

    half = complete_reply(outcome=None, replied_at=None, feedback="")
    draft_id = drafts.save_draft(admin_store, draft=half, case_id=case_id)
    (summary,) = drafts.list_drafts(admin_store, case_id=case_id)
    assert summary.kind == RecordKind.REQUEST_REPLY.value
    _, loaded = drafts.load_draft(admin_store, draft_id=draft_id)
    assert loaded == half and loaded.request.description == "Request from Example MASH"


def test_my_work_lists_requests_due_and_declined_requests_to_reconsider(admin_store, case_id):
    from infoshare_desktop.services import worklist

    def sections():
        return {s.kind: s for s in worklist.my_work(admin_store)}

    now = utcnow()
    overdue, _ = _request(admin_store, case_id, due_at=now - timedelta(minutes=5))
    found = sections()
    due = found[worklist.WorkKind.REQUESTS_DUE]
    assert due.count == 1 and [i.record_id for i in due.items] == [overdue.record_id]
    (item,) = due.items
    assert item.overdue and item.case_id == case_id and item.case_reference
    assert item.title.startswith("Request from Example Borough MASH")
    assert found[worklist.WorkKind.RECONSIDER].count == 0

    declined = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    )
    _reply(
        admin_store, case_id, overdue.record_id, declined.record_id,
        outcome=ReplyOutcome.DECLINED, reconsider_if_new=True,
    )  # fmt: skip
    assert sections()[worklist.WorkKind.REQUESTS_DUE].count == 0  # answered
    assert sections()[worklist.WorkKind.RECONSIDER].count == 0  # nothing new yet
    records.record_case_record(admin_store, case_id=case_id, draft=complete_advice())
    back = sections()[worklist.WorkKind.RECONSIDER]
    assert back.count == 1 and back.items[0].record_id == overdue.record_id
    assert "1 new record(s)" in back.items[0].detail


def test_reading_the_request_lists_is_audited_with_counts_only(admin_store, case_id):
    from infoshare_desktop.store.tables import AuditEvent

    _request(admin_store, case_id, due_at=utcnow() - timedelta(minutes=5))

    def last_entry():
        with admin_store.read() as session:
            return session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()

    requests.requests_due(admin_store, case_id=case_id)
    entry = last_entry()
    assert (entry.action, entry.target_kind, entry.target_id) == (
        "record.view", "requests_due", case_id,
    )  # fmt: skip
    assert entry.detail == "count=1"  # nothing of the request itself
    requests.requests_to_reconsider(admin_store)
    assert last_entry().target_kind == "requests_to_reconsider"


# ---- a reply's links are checked, and a declined request is reviewed like a decision ----------


def _supervisor(admin_store, data_paths):
    return _practitioner(admin_store, data_paths, roles={Role.SUPERVISOR, Role.PRACTITIONER})


def test_a_declined_request_enters_review_under_the_review_rules(data_paths, admin_store, case_id):
    """Declining a request is a decision with reasons: under the default rules (not shared
    with a significant-harm concern) its reply waits for a supervisor, as the sharing
    decision that declined it does; a reply that shared does not."""
    supervisor = _supervisor(admin_store, data_paths)
    request, _ = _request(admin_store, case_id)
    harm = complete_sharing_decision(
        SharingKind.NOT_SHARED,
        significant_harm_concern=True,
        advice_sought=True,
        advice_from_role="Designated safeguarding lead",
        advice_outcome="Do not share: the request did not say why it was needed",
    )
    declined = records.record_sharing_decision(admin_store, case_id=case_id, draft=harm)
    reply = _reply(
        admin_store, case_id, request.record_id, declined.record_id,
        outcome=ReplyOutcome.DECLINED, reconsider_if_new=False,
    )  # fmt: skip
    waiting = {i.record_id: i.kind for i in reviews.review_queue(supervisor)}
    assert waiting == {
        declined.record_id: RecordKind.SHARING_DECISION,
        reply.record_id: RecordKind.REQUEST_REPLY,
    }
    shared = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    other, _ = _request(admin_store, case_id)
    answered = _reply(admin_store, case_id, other.record_id, shared.record_id)
    assert answered.record_id not in {i.record_id for i in reviews.review_queue(supervisor)}
    supervisor.close()


def test_every_decision_rule_enters_a_declined_reply_without_a_harm_concern(
    data_paths, admin_store, case_id
):
    supervisor = _supervisor(admin_store, data_paths)
    request, _ = _request(admin_store, case_id)
    declined = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    )
    declined_args = {"outcome": ReplyOutcome.DECLINED, "reconsider_if_new": True}
    first = _reply(admin_store, case_id, request.record_id, declined.record_id, **declined_args)
    assert first.record_id not in {i.record_id for i in reviews.review_queue(supervisor)}
    reviews.set_review_rules(admin_store, rules=ReviewRules(every_sharing_decision=True))
    again = _reply(admin_store, case_id, request.record_id, declined.record_id, **declined_args)
    assert again.record_id in {i.record_id for i in reviews.review_queue(supervisor)}
    supervisor.close()


@pytest.mark.parametrize("which", ["missing", "other case", "request is a decision", "advice"])
def test_a_reply_naming_a_record_it_cannot_is_refused_and_nothing_is_written(
    admin_store, case_id, which
):
    """The request must be a request received, and each answering record a sharing
    decision, both of this case; otherwise the save is refused, naming the field."""
    request, _ = _request(admin_store, case_id)
    decision = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    elsewhere = cases.create_case(admin_store, draft=complete_case(display_name="Sam Other"))
    foreign = records.record_sharing_decision(
        admin_store, case_id=elsewhere, draft=complete_sharing_decision()
    )
    advice = records.record_case_record(admin_store, case_id=case_id, draft=complete_advice())
    request_id, decision_id, field, words = {
        "missing": (request.record_id, "no-such-record", "answered_by", "not one of this case"),
        "other case": (request.record_id, foreign.record_id, "answered_by", "not one of this case"),
        "request is a decision": (decision.record_id, decision.record_id, "request", "request"),
        "advice": (request.record_id, advice.record_id, "answered_by", "sharing decision"),
    }[which]
    before = _count(admin_store)
    with pytest.raises(LinkRefused) as refused:
        _reply(admin_store, case_id, request_id, decision_id)
    assert refused.value.field == field and words in str(refused.value)
    assert _count(admin_store) == before
    assert _reply(admin_store, case_id, request.record_id, decision.record_id).case_id == case_id


# ---- the worklist's requests due, bounded in the store -------------------------------------


def test_the_worklist_lists_open_requests_only_soonest_first_up_to_its_limit(
    admin_store, case_id, monkeypatch
):
    """Replied requests never come back; the open ones come soonest due first, the first
    ``limit`` of them, with how many there are (capped, and the cap said), as the domain's
    rule over every record says."""
    from infoshare_desktop.services import worklist
    from infoshare_desktop.store import worklist as queries

    now = utcnow()
    hours = [-30, -2, 1, 5, 30]  # when each reply is due, from now
    opened = []
    for h in hours:
        saved, _ = _request(
            admin_store,
            case_id,
            received_at=now - timedelta(hours=31),
            due_at=now + timedelta(hours=h),
            late_entry_reason="Entered from the duty log",
        )
        opened.append(saved.record_id)
    decision = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    _reply(admin_store, case_id, opened[1], decision.record_id)  # the second is answered
    _request(admin_store, case_id, rating=Rating.GREEN)  # due in weeks: not yet

    def section(**kwargs):
        (found,) = [
            s for s in worklist.my_work(admin_store, **kwargs) if s.kind.name == "REQUESTS_DUE"
        ]
        return found

    full = section()
    assert [i.record_id for i in full.items] == [opened[0], opened[2], opened[3]]
    assert full.count == 3  # overdue or due within a day: not the answered one, not +30 h
    assert [d.record_id for d in requests.requests_due(admin_store)] == [
        i.record_id for i in full.items
    ]  # the store's bounded query and the domain's rule agree
    assert full.items[0].overdue and not full.items[1].overdue
    limited = section(limit=2)
    assert limited.count == 3 and [i.record_id for i in limited.items] == [opened[0], opened[2]]
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    monkeypatch.setattr(worklist, "COUNT_CAP", 2)
    capped = section(limit=1)
    assert (capped.count, capped.count_text, len(capped.items)) == (2, "2 or more", 1)


def test_the_requests_due_query_walks_its_index(admin_store, case_id):
    """The open-requests query is an index range on request_status's (replied, due time)
    (never a scan of every saved record), however many records the store holds, and its
    count reads that index alone."""
    from infoshare_desktop.store import requests as request_rows

    _request(admin_store, case_id)
    body, args = request_rows._open_due_body(until=datetime(2030, 1, 1, tzinfo=UTC), case_id=None)
    sql = f"EXPLAIN QUERY PLAN SELECT q.request_id {body} ORDER BY q.due_at LIMIT 5"
    with admin_store.read() as session:
        raw = session.connection().connection.dbapi_connection
        plan = [row[-1] for row in raw.execute(sql, args).fetchall()]
    assert any("ix_request_status_open" in step for step in plan), plan
    assert not any("saved_record" in step for step in plan), plan
    count = f"EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 {body} LIMIT 1000)"
    with admin_store.read() as session:
        raw = session.connection().connection.dbapi_connection
        plan = [row[-1] for row in raw.execute(count, args).fetchall()]
    # counted in the index alone: no request's row, no case's row read per request
    assert any("COVERING INDEX ix_request_status_open" in step for step in plan), plan
    assert not any(step.startswith(("SEARCH c", "SEARCH q USING INDEX sqlite")) for step in plan)


def test_my_work_lists_a_restricted_cases_request_beside_the_others_soonest_first(
    admin_store, case_id
):
    """A restricted case's request is sealed (request_status cannot read it): My work
    still lists it for a member, in due order with the ordinary cases', under the limit
    and in the count, with the case's own reference."""
    from infoshare_desktop.services import worklist

    now = utcnow()
    secret = cases.create_case(
        admin_store,
        draft=complete_case(case_reference="TEST-0009", restricted=True),
        confirmed_not_duplicate=True,
    )
    later, _ = _request(admin_store, case_id, due_at=now + timedelta(hours=3))
    sooner, _ = _request(admin_store, secret, due_at=now - timedelta(hours=1))

    def section(limit):
        (found,) = [
            s
            for s in worklist.my_work(admin_store, limit=limit)
            if s.kind is worklist.WorkKind.REQUESTS_DUE
        ]
        return found

    both = section(limit=5)
    assert both.count == 2
    assert [i.record_id for i in both.items] == [sooner.record_id, later.record_id]
    assert [i.overdue for i in both.items] == [True, False]
    assert both.items[0].case_reference == "TEST-0009"
    first = section(limit=1)
    assert first.count == 2 and [i.record_id for i in first.items] == [sooner.record_id]


# ---- the worklist's declined requests to reconsider, bounded in the store ------------------


def _declined(store, case_id, *, reconsider=True, outcome=ReplyOutcome.DECLINED):
    """A request on `case_id` and a reply to it (declined "reconsider if new" unless told)."""
    request, _ = _request(store, case_id)
    decision = records.record_sharing_decision(
        store, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    )
    _reply(
        store, case_id, request.record_id, decision.record_id,
        outcome=outcome, reconsider_if_new=reconsider if outcome is ReplyOutcome.DECLINED else None,
    )  # fmt: skip
    return request.record_id, decision.record_id


def test_the_reconsider_list_returns_exactly_what_the_domains_rule_over_every_record_does(
    admin_store, monkeypatch
):
    """The bounded query (request_status, then each declined request's own case since its
    reply) lists the same requests, in the same order, with the same new records, as the
    domain's rule over every record of every case; the worklist gets the first `limit` and
    the count."""
    from infoshare_desktop.domain.requests import requests_to_reconsider as over_every_record
    from infoshare_desktop.services import worklist

    def new_case(name):
        return cases.create_case(
            admin_store, draft=complete_case(display_name=name), confirmed_not_duplicate=True
        )

    def add_advice(case_id):
        return records.record_case_record(
            admin_store, case_id=case_id, draft=complete_advice()
        ).record_id

    earliest = new_case("Alex Early")  # declined first; two records since
    early_request, _ = _declined(admin_store, earliest)
    later = new_case("Blair Later")  # declined next; one record since
    later_request, _ = _declined(admin_store, later)
    sealed = cases.create_case(  # a member's restricted case: opened, merged in order
        admin_store,
        draft=complete_case(display_name="Gus Sealed", restricted=True),
        confirmed_not_duplicate=True,
    )
    sealed_request, _ = _declined(admin_store, sealed)
    quiet = new_case("Casey Quiet")  # declined, nothing since
    _declined(admin_store, quiet)
    not_asked = new_case("Dana Final")  # declined without "reconsider": never back
    _declined(admin_store, not_asked, reconsider=False)
    accepted = new_case("Eli Accepted")  # declined, then agreed by a later reply
    first_request, decision = _declined(admin_store, accepted)
    _reply(admin_store, accepted, first_request, decision, outcome=ReplyOutcome.SHARED)
    again = new_case("Flo Again")  # declined twice: only what came after the second counts
    twice, decision = _declined(admin_store, again)
    add_advice(again)
    _reply(
        admin_store, again, twice, decision,
        outcome=ReplyOutcome.DECLINED, reconsider_if_new=True,
    )  # fmt: skip

    early_new = [add_advice(earliest)]
    early_new.append(
        records.record_sharing_decision(
            admin_store, case_id=earliest, draft=complete_sharing_decision()
        ).record_id
    )
    later_new = [add_advice(later)]
    sealed_new = [add_advice(sealed)]
    for case_id in (not_asked, accepted):
        add_advice(case_id)

    with admin_store.read() as session:  # the records of every case, as before
        everything = over_every_record(
            requests.saved_records(
                session,
                user_id=accounts.current_user(admin_store).user_id,
                only_requests=False,
                store=admin_store,
            )
        )
    found = requests.requests_to_reconsider(admin_store)
    assert found == everything
    assert [(r.record_id, r.new_record_ids) for r in found] == [
        (early_request, tuple(early_new)),
        (later_request, tuple(later_new)),
        (sealed_request, tuple(sealed_new)),
    ]
    assert [r.record_id for r in requests.requests_to_reconsider(admin_store, case_id=later)] == [
        later_request
    ]
    assert requests.requests_to_reconsider(admin_store, case_id=quiet) == []

    def section(**kwargs):
        (found,) = [
            s
            for s in worklist.my_work(admin_store, **kwargs)
            if s.kind is worklist.WorkKind.RECONSIDER
        ]
        return found

    first = section(limit=1)
    assert first.count == 3 and [i.record_id for i in first.items] == [early_request]
    assert "2 new record(s) on the case since" in first.items[0].detail
    monkeypatch.setattr(worklist, "COUNT_CAP", 1)
    capped = section(limit=1)
    assert (capped.count, capped.count_text, len(capped.items)) == (1, "1 or more", 1)


def test_the_reconsider_query_reads_only_the_declined_requests_cases(admin_store, case_id):
    """Its plan: request_status's partial index of the declined requests with records since
    their latest reply, in the order listed (longest waiting first, no sort: a page and
    the count stop at their LIMIT); no saved record is read to find them (neither the
    replies, to find the latest, nor the records since: request_status keeps both)."""
    from infoshare_desktop.store import requests as request_rows

    body, args, _since = request_rows._reconsider_body(
        not_new=["review", "request_reply"], case_id=None
    )
    with admin_store.read() as session:
        raw = session.connection().connection.dbapi_connection
        sql = f"EXPLAIN QUERY PLAN SELECT 1 {body} ORDER BY q.replied_at, q.request_id LIMIT 20"
        plan = [row[-1] for row in raw.execute(sql, args)]
    assert plan[0] == "SCAN q USING COVERING INDEX ix_request_status_back", plan
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    assert not [step for step in plan if "saved_record" in step or "case_member" in step], plan
    # the restricted cases (few) by their partial index, not a lookup of every case
    assert any("USING COVERING INDEX ix_case_restricted" in step for step in plan), plan
