"""The supervisor review loop, as pure rules.

A record *needs review* when it was entered for review (automatically by the
administrator's rules when it was saved, or at its author's request). Then:

    awaiting review --endorsed / endorsed with comment--> endorsed
    awaiting review --returned for more detail--------> returned (to its author)
    returned --the author answers with an amendment----> awaiting review (a new round)
    endorsed --the author asks for review again--------> awaiting review

A saved review is never changed; each round is a new review record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from infoshare_desktop.domain.enums import ReviewOutcome, SharingKind


class ReviewStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    AWAITING = "awaiting"
    RETURNED = "returned"
    ENDORSED = "endorsed"

    @property
    def label(self) -> str:
        return {
            ReviewStatus.NOT_REQUIRED: "No review needed",
            ReviewStatus.AWAITING: "Awaiting review",
            ReviewStatus.RETURNED: "Returned for more detail",
            ReviewStatus.ENDORSED: "Endorsed",
        }[self]


class ReviewEventKind(StrEnum):
    REQUESTED = "requested"  # entered for review (automatically or by its author)
    REVIEWED = "reviewed"  # a supervisor's outcome
    ANSWERED = "answered"  # the author amended the record


@dataclass(frozen=True)
class ReviewEvent:
    kind: ReviewEventKind
    at: datetime
    outcome: ReviewOutcome | None = None  # for REVIEWED


@dataclass(frozen=True)
class ReviewState:
    status: ReviewStatus
    waiting_since: datetime | None  # when it last entered (or re-entered) the queue
    rounds: int  # reviews so far

    def overdue(self, now: datetime, days: int) -> bool:
        return (
            self.status is ReviewStatus.AWAITING
            and self.waiting_since is not None
            and now - self.waiting_since > timedelta(days=days)
        )


@dataclass(frozen=True)
class ReviewFacts:
    """What the review rules judge of a saved record: the decision it records (a sharing
    decision's kind; a declined request is not shared), made without consent, with a
    significant-harm concern. ``decision`` None: never entered automatically (its author
    may still ask for review)."""

    decision: SharingKind | None = None
    without_consent: bool = False
    harm_concern: bool = False


@dataclass(frozen=True)
class ReviewRules:
    """The administrator's setting: which saved records enter review automatically."""

    without_consent: bool = True
    not_shared_with_harm_concern: bool = True
    every_sharing_decision: bool = False
    overdue_after_days: int = 5

    def requires_review(
        self, *, kind: SharingKind | None, without_consent: bool, harm_concern: bool
    ) -> bool:
        if kind is None:
            return False
        if self.every_sharing_decision:
            return True
        if self.without_consent and without_consent:
            return True
        return self.not_shared_with_harm_concern and kind is SharingKind.NOT_SHARED and harm_concern

    def requires(self, facts: ReviewFacts) -> bool:
        """``requires_review`` of a record's facts (``domain.kinds``' ``review``)."""
        return self.requires_review(
            kind=facts.decision,
            without_consent=facts.without_consent,
            harm_concern=facts.harm_concern,
        )


def review_state(events: list[ReviewEvent]) -> ReviewState:
    """Fold a record's review events, in time order, into where it stands now."""
    status, since, rounds = ReviewStatus.NOT_REQUIRED, None, 0
    for event in sorted(events, key=lambda e: e.at):
        if event.kind is ReviewEventKind.REQUESTED and status in (
            ReviewStatus.NOT_REQUIRED,
            ReviewStatus.ENDORSED,
        ):
            status, since = ReviewStatus.AWAITING, event.at
        elif event.kind is ReviewEventKind.REVIEWED and status is ReviewStatus.AWAITING:
            rounds += 1
            if event.outcome is ReviewOutcome.RETURNED:
                status, since = ReviewStatus.RETURNED, None
            else:
                status, since = ReviewStatus.ENDORSED, None
        elif event.kind is ReviewEventKind.ANSWERED and status is ReviewStatus.RETURNED:
            status, since = ReviewStatus.AWAITING, event.at
    return ReviewState(status, since, rounds)
