"""When a reply to a request is due (the declared RAG timescales, working days), and the
worklist's pure functions: requests due or overdue, declined requests to reconsider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain.enums import Rating, RecordKind, ReplyOutcome
from infoshare_desktop.domain.records import RecordLink
from infoshare_desktop.domain.requests import Saved, requests_due, requests_to_reconsider
from infoshare_desktop.domain.rules import REPLY_TIMESCALES, add_working_days, default_reply_due
from tests.domain import factories as f

MON = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
FRI = MON + timedelta(days=4)
SAT = MON + timedelta(days=5)


@pytest.mark.parametrize(
    ("received", "rating", "due"),
    [
        (MON, Rating.RED, MON + timedelta(hours=4)),
        (FRI.replace(hour=22), Rating.RED, SAT.replace(hour=2)),  # red does not wait
        (MON, Rating.AMBER, MON + timedelta(days=1)),
        (FRI, Rating.AMBER, MON + timedelta(days=7)),  # over the weekend
        (SAT, Rating.AMBER, MON + timedelta(days=8)),  # counted from Monday
        (MON, Rating.GREEN, MON + timedelta(days=3)),
        (FRI, Rating.GREEN, MON + timedelta(days=9)),  # the next Wednesday
    ],
)
def test_the_default_reply_date_follows_the_rating(received, rating, due) -> None:
    assert default_reply_due(received, rating) == due


def test_every_rating_has_a_timescale_said_in_its_label() -> None:
    for rating in Rating:
        assert REPLY_TIMESCALES[rating].words() in rating.label


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    days=st.integers(0, 30),
)
def test_working_days_skip_weekends_and_keep_the_time(start, days) -> None:
    end = add_working_days(start, days)
    assert end.time() == start.time() and end >= start
    assert days == 0 or end.weekday() < 5
    span = [start + timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(day.weekday() < 5 for day in span) == days or start.weekday() >= 5


def _saved(record_id, kind, at, content=None, case_id="case-1"):
    return Saved(record_id, case_id, kind, at, content)


def _request(record_id, due, case_id="case-1"):
    return _saved(record_id, RecordKind.REQUEST, MON, f.complete_request(MON, due_at=due), case_id)


def _reply(request_id, at, outcome=ReplyOutcome.DECLINED, reconsider=True, reply_id=None):
    content = f.complete_reply(
        at,
        request=RecordLink(record_id=request_id, description="Request"),
        answered_by=[RecordLink(record_id="decision-1", description="Not shared")],
        outcome=outcome,
        reconsider_if_new=reconsider,
    )
    record_id = reply_id or f"reply-{request_id}-{at:%d%H}"
    return _saved(record_id, RecordKind.REQUEST_REPLY, at, content)


NOW = MON + timedelta(days=1)


def test_requests_due_are_open_due_soon_or_overdue_soonest_first() -> None:
    records = [
        _request("later", NOW + timedelta(days=3)),
        _request("soon", NOW + timedelta(hours=5)),
        _request("overdue", NOW - timedelta(hours=1)),
        _request("answered", NOW - timedelta(hours=2)),
        _reply("answered", NOW - timedelta(hours=3), ReplyOutcome.SHARED),
    ]
    due = requests_due(records, now=NOW)
    assert [(d.record_id, d.overdue) for d in due] == [("overdue", True), ("soon", False)]


def test_a_request_without_a_due_date_is_due_by_its_rating() -> None:
    draft = f.complete_request(MON, received_at=MON, rating=Rating.RED, due_at=None)
    records = [_saved("red", RecordKind.REQUEST, MON, draft)]
    (due,) = requests_due(records, now=MON + timedelta(hours=5))
    assert due.due_at == MON + timedelta(hours=4) and due.overdue


DECLINED = MON + timedelta(hours=2)
LATER = DECLINED + timedelta(hours=1)


@pytest.mark.parametrize(
    ("others", "back"),
    [
        ([], False),
        ([_saved("advice", RecordKind.ADVICE, LATER)], True),
        ([_saved("s", RecordKind.SHARING_DECISION, LATER)], True),
        ([_saved("amend", RecordKind.AMENDMENT, LATER)], True),
        ([_saved("review", RecordKind.REVIEW, LATER)], False),  # no new information
        ([_saved("advice", RecordKind.ADVICE, DECLINED - timedelta(minutes=1))], False),
        ([_saved("advice", RecordKind.ADVICE, LATER, case_id="case-2")], False),
        ([_saved("decision-1", RecordKind.SHARING_DECISION, LATER)], False),  # its own answer
        ([_reply("r", LATER, ReplyOutcome.SHARED), _saved("a", RecordKind.ADVICE, LATER)], False),
    ],
)
def test_a_declined_request_comes_back_only_with_new_information(others, back) -> None:
    records = [_request("r", NOW), _reply("r", DECLINED), *others]
    found = requests_to_reconsider(records)
    assert [item.record_id for item in found] == (["r"] if back else [])


@pytest.mark.parametrize(
    ("outcome", "reconsider"),
    [(ReplyOutcome.DECLINED, False), (ReplyOutcome.DECLINED, None), (ReplyOutcome.SHARED, True)],
)
def test_only_declined_with_reconsider_comes_back(outcome, reconsider) -> None:
    records = [
        _request("r", NOW),
        _reply("r", DECLINED, outcome, reconsider),
        _saved("advice", RecordKind.ADVICE, LATER),
    ]
    assert requests_to_reconsider(records) == []


@settings(max_examples=100, deadline=None)
@given(
    offsets=st.lists(st.integers(-48, 48), max_size=8),
    kinds=st.lists(st.sampled_from(RecordKind), min_size=8, max_size=8),
)
def test_reconsideration_follows_records_after_the_reply(offsets, kinds) -> None:
    others = [
        _saved(f"x{n}", kind, DECLINED + timedelta(hours=h))
        for n, (h, kind) in enumerate(zip(offsets, kinds, strict=False))
        if kind not in (RecordKind.REQUEST, RecordKind.REQUEST_REPLY)
    ]
    found = requests_to_reconsider([_request("r", NOW), _reply("r", DECLINED), *others])
    expected = tuple(
        o.record_id for o in others if o.recorded_at > DECLINED and o.kind is not RecordKind.REVIEW
    )
    assert (found[0].new_record_ids if found else ()) == expected
