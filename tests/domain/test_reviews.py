"""The review loop's states, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infoshare_desktop.domain.enums import ReviewOutcome, SharingKind
from infoshare_desktop.domain.reviews import (
    ReviewEvent,
    ReviewEventKind,
    ReviewRules,
    ReviewStatus,
    review_state,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REQ, REV, ANS = ReviewEventKind.REQUESTED, ReviewEventKind.REVIEWED, ReviewEventKind.ANSWERED
E, EC, R = ReviewOutcome.ENDORSED, ReviewOutcome.ENDORSED_WITH_COMMENT, ReviewOutcome.RETURNED


def events(*spec):
    return [
        ReviewEvent(kind, T0 + timedelta(hours=i), outcome)
        for i, (kind, outcome) in enumerate(spec)
    ]


@pytest.mark.parametrize(
    ("spec", "status", "rounds"),
    [
        ((), ReviewStatus.NOT_REQUIRED, 0),
        (((REQ, None),), ReviewStatus.AWAITING, 0),
        (((REQ, None), (REV, E)), ReviewStatus.ENDORSED, 1),
        (((REQ, None), (REV, EC)), ReviewStatus.ENDORSED, 1),
        (((REQ, None), (REV, R)), ReviewStatus.RETURNED, 1),
        (((REQ, None), (REV, R), (ANS, None)), ReviewStatus.AWAITING, 1),
        (((REQ, None), (REV, R), (ANS, None), (REV, E)), ReviewStatus.ENDORSED, 2),
        (((REQ, None), (REV, E), (REQ, None)), ReviewStatus.AWAITING, 1),
        # An amendment with nothing returned changes nothing; a review when nothing awaits
        # (it cannot be saved, but a stray one must not confuse the state) neither.
        (((ANS, None),), ReviewStatus.NOT_REQUIRED, 0),
        (((REV, E),), ReviewStatus.NOT_REQUIRED, 0),
        (((REQ, None), (REV, R), (REQ, None)), ReviewStatus.RETURNED, 1),
    ],
)
def test_review_state(spec, status, rounds):
    state = review_state(events(*spec))
    assert (state.status, state.rounds) == (status, rounds)


def test_waiting_since_restarts_when_the_author_answers_and_overdue_counts_from_it():
    state = review_state(events((REQ, None), (REV, R), (ANS, None)))
    assert state.waiting_since == T0 + timedelta(hours=2)
    assert not state.overdue(T0 + timedelta(days=3), days=5)
    assert state.overdue(T0 + timedelta(days=6), days=5)


@pytest.mark.parametrize(
    ("rules", "kind", "without", "harm", "expected"),
    [
        (ReviewRules(), SharingKind.SHARED, True, False, True),
        (ReviewRules(), SharingKind.SHARED, False, False, False),
        (ReviewRules(), SharingKind.NOT_SHARED, False, True, True),
        (ReviewRules(), SharingKind.NOT_SHARED, False, False, False),
        (ReviewRules(without_consent=False), SharingKind.SHARED, True, False, False),
        (ReviewRules(every_sharing_decision=True), SharingKind.RECEIVED, False, False, True),
        (ReviewRules(), None, True, True, False),
    ],
)
def test_review_rules(rules, kind, without, harm, expected):
    assert rules.requires_review(kind=kind, without_consent=without, harm_concern=harm) is expected
