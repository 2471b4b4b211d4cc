"""Requests received on the worklist: which are due or overdue, and which declined
requests come back for reconsideration (docs/domain.md, "Requests received").

Pure functions over a case's saved records as the services read them (``Saved``): a
request is open until a reply names it; the latest reply to a request is the one that
stands. A request declined with "reconsider if new information" comes back when a record
that can bring new information (anything but a review or another reply) is recorded on its
case after that reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from infoshare_desktop.domain.enums import RecordKind, ReplyOutcome
from infoshare_desktop.domain.records import Draft, RequestDraft, RequestReplyDraft
from infoshare_desktop.domain.timeutil import format_local

__all__ = [
    "DUE_SOON",
    "NOT_NEW_INFORMATION",
    "OVERDUE",
    "REPLY_DUE",
    "DueRequest",
    "Reconsider",
    "Saved",
    "reply_badges",
    "requests_due",
    "requests_to_reconsider",
]

DUE_SOON = timedelta(hours=24)
"""A request whose reply is due within this is on the worklist as due."""
NOT_NEW_INFORMATION = frozenset({RecordKind.REVIEW, RecordKind.REQUEST_REPLY})
"""Records that do not bring a declined request back: a review judges a record already
there, and a reply is the answer itself."""


@dataclass(frozen=True)
class Saved:
    """One saved record of a case, as the worklist needs it."""

    record_id: str
    case_id: str
    kind: RecordKind
    recorded_at: datetime
    content: Draft | None = None  #: the draft, for requests and replies


@dataclass(frozen=True)
class DueRequest:
    """An open request whose reply is due soon, or overdue."""

    record_id: str
    case_id: str
    request: RequestDraft
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class Reconsider:
    """A declined request to reconsider, with the records added since it was declined."""

    record_id: str
    case_id: str
    request: RequestDraft
    reply_id: str
    declined_at: datetime
    new_record_ids: tuple[str, ...]


def _latest_replies(records: Iterable[Saved]) -> dict[str, Saved]:
    """The latest reply to each request, by the request's id."""
    latest: dict[str, Saved] = {}
    for saved in records:
        reply = saved.content
        if saved.kind is not RecordKind.REQUEST_REPLY or not isinstance(reply, RequestReplyDraft):
            continue
        if reply.request is None or not reply.request.record_id:
            continue
        key = reply.request.record_id
        if key not in latest or latest[key].recorded_at < saved.recorded_at:
            latest[key] = saved
    return latest


def _requests(records: Iterable[Saved]) -> list[tuple[Saved, RequestDraft]]:
    return [
        (saved, saved.content)
        for saved in records
        if saved.kind is RecordKind.REQUEST and isinstance(saved.content, RequestDraft)
    ]


def requests_due(
    records: Sequence[Saved], *, now: datetime, soon: timedelta = DUE_SOON
) -> list[DueRequest]:
    """The requests no reply names whose reply is due by ``now + soon`` (overdue when
    due before ``now``), soonest first."""
    replied = _latest_replies(records)
    out = []
    for saved, request in _requests(records):
        due = request.reply_due()
        if saved.record_id in replied or due is None or due > now + soon:
            continue
        out.append(DueRequest(saved.record_id, saved.case_id, request, due, due < now))
    return sorted(out, key=lambda item: (item.due_at, item.record_id))


OVERDUE = "Overdue"
"""The badge of an open request whose reply is past due."""
REPLY_DUE = "Reply due"
"""The start of the badge of an open request whose reply is not yet due ("Reply due 3 Dec
2026 14:00")."""


def reply_badges(records: Sequence[Saved], *, now: datetime) -> dict[str, str]:
    """The chronology's and the details pane's badge of each open request (no reply names
    it) of ``records``, by record id: "Overdue", or "Reply due" and when; a replied
    request, or one with no due time, has none."""
    replied = _latest_replies(records)
    out = {}
    for saved, request in _requests(records):
        due = request.reply_due()
        if saved.record_id in replied or due is None:
            continue
        out[saved.record_id] = OVERDUE if due < now else f"{REPLY_DUE} {format_local(due)}"
    return out


def requests_to_reconsider(records: Sequence[Saved]) -> list[Reconsider]:
    """The requests whose latest reply declined them with "reconsider if new information"
    and whose case has had a record (not a review or a reply) recorded since that reply,
    longest waiting first."""
    replied = _latest_replies(records)
    out = []
    for saved, request in _requests(records):
        reply = replied.get(saved.record_id)
        content = reply.content if reply is not None else None
        if (
            reply is None
            or not isinstance(content, RequestReplyDraft)
            or content.outcome is not ReplyOutcome.DECLINED
            or content.reconsider_if_new is not True
        ):
            continue
        linked = {link.record_id for link in content.answered_by}
        new = tuple(
            other.record_id
            for other in records
            if other.case_id == saved.case_id
            and other.recorded_at > reply.recorded_at
            and other.kind not in NOT_NEW_INFORMATION
            and other.record_id not in linked
        )
        if new:
            out.append(
                Reconsider(
                    saved.record_id, saved.case_id, request, reply.record_id, reply.recorded_at, new
                )
            )
    return sorted(out, key=lambda item: (item.declined_at, item.record_id))
