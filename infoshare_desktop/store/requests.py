"""The SQL behind the requests worklist (services.requests): the visible cases' records,
with the content only of requests and their replies.

Every function takes a Session (or a raw connection behind one) first and returns plain
rows; which of them are due or to reconsider is decided in ``domain.requests``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case
from sqlmodel import col, select

from infoshare_desktop.store.cases import visible_clause
from infoshare_desktop.store.tables import CaseFile, SavedRecord
from infoshare_desktop.store.writes import Session, Tx, aware, raw_connection

__all__ = [
    "OpenRequest",
    "ReconsiderRow",
    "RecordRow",
    "declined_to_reconsider",
    "open_requests",
    "open_requests_due",
    "visible_records",
]

#: (record id, case id, kind, recorded at, payload of a request or reply, else None)
RecordRow = tuple[str, str, str, datetime, str | None]


def visible_records(
    session: Session,
    *,
    members: Collection[str],
    with_content: Collection[str],
    case_ids: Collection[str] | None = None,
    only_with_content: bool,
) -> Sequence[RecordRow]:
    """The records of the cases open to a user named on ``members`` (the restricted cases
    signed statements name them on; of ``case_ids`` if given), carrying
    the payload only of the kinds in ``with_content``; with ``only_with_content``, just
    those kinds."""
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel's select() takes 4 columns at most
            SavedRecord.id,
            SavedRecord.case_id,
            SavedRecord.kind,
            SavedRecord.recorded_at,
            case(
                (col(SavedRecord.kind).in_(with_content), SavedRecord.payload),
                else_=None,
            ),
        )
        .join(CaseFile, CaseFile.id == SavedRecord.case_id)
        .where(visible_clause(members))
    )
    if case_ids is not None:
        query = query.where(col(SavedRecord.case_id).in_(case_ids))
    if only_with_content:
        query = query.where(col(SavedRecord.kind).in_(with_content))
    rows: Sequence[RecordRow] = session.exec(query).all()
    return rows


def open_requests(tx: Tx, *, due_by: datetime) -> list[RecordRow]:
    """The requests no reply names yet, on the ordinary cases (open to every case role),
    due by ``due_by`` (to the second) or with no due date saved: what may be due
    (request_status, kept by the triggers of migration 0010; an indexed range, not every
    request). A restricted case's are sealed, so request_status cannot know them: the
    services open its members' ones themselves, by signed membership."""
    bound = due_by.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = raw_connection(tx).execute(
        "SELECT r.id, r.case_id, r.kind, r.recorded_at, unpacked(r.payload) FROM request_status q "
        "JOIN saved_record r ON r.id = q.request_id JOIN case_file c ON c.id = q.case_id "
        "WHERE q.replied = 0 AND (q.due_at IS NULL OR q.due_at <= ?) AND c.restricted = 0",
        (bound,),
    )
    return [(i, case_id, kind, aware(str(at)), payload) for i, case_id, kind, at, payload in rows]


@dataclass(frozen=True)
class OpenRequest:
    record_id: str
    case_id: str
    payload: str


#: The request is on an ordinary case, told without reading the case (the restricted
#: ones are few, by their own index): a walk of request_status's indexes alone.
_ORDINARY = "q.case_id NOT IN (SELECT id FROM case_file WHERE restricted = 1)"


def _stored_second(value: datetime) -> str:
    """As request_status.due_at holds it: UTC 'YYYY-MM-DD HH:MM:SS'."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _open_due_body(*, until: datetime, case_id: str | None) -> tuple[str, list[object]]:
    """FROM ... WHERE of the open requests on the ordinary cases due by ``until``."""
    where = f"q.replied = 0 AND q.due_at IS NOT NULL AND q.due_at <= ? AND {_ORDINARY}"
    args: list[object] = [_stored_second(until)]
    if case_id is not None:
        where += " AND q.case_id = ?"
        args.append(case_id)
    return "FROM request_status q WHERE " + where, args


def open_requests_due(
    tx: Tx,
    *,
    until: datetime,
    limit: int,
    count_cap: int,
    case_id: str | None = None,
) -> tuple[int, list[OpenRequest]]:
    """The open requests (no reply names them) on the ordinary cases (or on ``case_id``,
    if ordinary) whose reply is due by ``until``, soonest first: how many (up to
    ``count_cap``) and the first ``limit``. Walks request_status's (replied, due_at) index
    with LIMIT: a closed request is never read, and the home page reads only what it
    lists. (Restricted cases' are sealed: see open_requests.)"""
    body, args = _open_due_body(until=until, case_id=case_id)
    conn = raw_connection(tx)
    rows = conn.execute(
        "SELECT r.id, r.case_id, unpacked(r.payload) FROM saved_record r JOIN "
        f"(SELECT q.request_id, q.due_at {body} ORDER BY q.due_at, q.request_id LIMIT ?) AS d "
        "ON r.id = d.request_id ORDER BY d.due_at, d.request_id",
        (*args, limit),
    ).fetchall()
    counted = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {body} LIMIT ?)", (*args, count_cap)
    ).fetchone()
    return int(counted[0]), [OpenRequest(str(i), str(c), str(p)) for i, c, p in rows]


@dataclass(frozen=True)
class ReconsiderRow:
    """A declined request back for reconsideration, as the worklist lists it."""

    record_id: str
    case_id: str
    payload: str  #: the request's
    reply_id: str  #: its latest reply, which declined it
    declined_at: datetime  #: when that reply was recorded
    new_record_ids: tuple[str, ...]  #: the case's records since, in the order saved


def _reconsider_body(
    *, not_new: Collection[str], case_id: str | None
) -> tuple[str, list[object], str]:
    """FROM ... WHERE of the ordinary cases' requests (open to every case role) whose
    latest reply declined them "reconsider if new information" and whose case has had a
    record since that reply that is not of a `not_new` kind and not one the reply names
    as answering it: request_status keeps the latest reply and counts those records
    (`news`, migration 0015), so this is a walk of ix_request_status_back, longest waiting
    first, that stops at its LIMIT (q: the request's row). Its arguments; and the FROM ...
    WHERE of those records (of q), read only for the requests listed."""
    kinds = ", ".join("?" * len(not_new)) or "NULL"
    where = f"q.declined_reconsider = 1 AND q.news > 0 AND {_ORDINARY}"
    args: list[object] = []
    if case_id is not None:
        where += " AND q.case_id = ?"
        args.append(case_id)
    since = (
        "FROM saved_record o WHERE o.case_id = q.case_id AND o.recorded_at > q.replied_at "
        f"AND o.kind NOT IN ({kinds}) "
        "AND o.id NOT IN (SELECT value FROM json_each(coalesce(q.answered_by, '[]')))"
    )
    return f"FROM request_status q WHERE {where}", args, since


def declined_to_reconsider(
    tx: Tx,
    *,
    not_new: Collection[str],
    limit: int | None,
    count_cap: int,
    case_id: str | None = None,
) -> tuple[int, list[ReconsiderRow]]:
    """The requests on the ordinary cases (or on ``case_id``, if ordinary) whose
    latest reply declined them "reconsider if new information" and whose case has had a
    record since (see _reconsider_body), longest waiting first: how many (up to
    ``count_cap``) and the first ``limit`` (all if None), each with the records since.
    Only those requests, their replies and their cases' records are read."""
    body, args, since = _reconsider_body(not_new=not_new, case_id=case_id)
    conn = raw_connection(tx)
    rows = conn.execute(
        "SELECT q.request_id, q.case_id, unpacked(req.payload), q.reply_id, q.replied_at, "
        f"(SELECT json_group_array(id) FROM (SELECT o.id {since} ORDER BY o.rowid)) "
        f"FROM (SELECT q.request_id {body} ORDER BY q.replied_at, q.request_id LIMIT ?) AS d "
        "JOIN request_status q ON q.request_id = d.request_id "
        "JOIN saved_record req ON req.id = d.request_id "
        "ORDER BY q.replied_at, q.request_id",
        (*not_new, *args, -1 if limit is None else limit),
    ).fetchall()
    counted = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {body} LIMIT ?)", (*args, count_cap)
    ).fetchone()
    out = [
        ReconsiderRow(
            str(request_id),
            str(case),
            str(payload),
            str(reply_id),
            aware(str(at)),
            tuple(str(i) for i in json.loads(ids)),
        )
        for request_id, case, payload, reply_id, at, ids in rows
    ]
    return int(counted[0]), out
