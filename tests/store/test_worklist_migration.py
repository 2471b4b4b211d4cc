"""Migration 0015: request_status keeps each request's latest reply (what "declined
requests to reconsider" needed to read every reply of a case to find), and the consents
relied on get their own indexes.

The store is a real one, written by the services, then put back to the layout of
revision 0014 by direct edits (the new columns, indexes and the reply trigger as 0014 left
them) and opened again by signing in, which migrates it: the backfill must give what the
triggers give, the lists must not change, and verify's rebuild (the store's own triggers,
run again over the signed envelopes) must agree with the migrated tables."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import AmendmentDraft, AmendmentReason, SharingKind, utcnow
from infoshare_desktop.domain.enums import ReplyOutcome
from infoshare_desktop.domain.records import RecordLink
from infoshare_desktop.domain.requests import requests_to_reconsider as over_every_record
from infoshare_desktop.domain.timeutil import to_local
from infoshare_desktop.services import accounts, cases, maintenance, records, requests, worklist
from infoshare_desktop.store import migrate
from infoshare_desktop.store.engine import raw_connect
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import (
    complete_advice,
    complete_case,
    complete_consent_decision,
    complete_reply,
    complete_request,
    complete_sharing_decision,
)
from tests.services.test_records import _relying_on

#: The reply trigger as migrations 0010 and 0014 left it.
REPLY_TRIGGER_0014 = (
    "CREATE TRIGGER saved_reply_status AFTER INSERT ON saved_record "
    "WHEN NEW.kind = 'request_reply' AND json_valid(unpacked(NEW.payload)) BEGIN "
    "UPDATE request_status SET replied = 1, "
    "declined_reconsider = (json_extract(unpacked(NEW.payload), '$.outcome') = 'declined' "
    "AND coalesce(json_extract(unpacked(NEW.payload), '$.reconsider_if_new'), 0) = 1) "
    "WHERE request_id = json_extract(unpacked(NEW.payload), '$.request.record_id'); END"
)


def back_to_revision_0014(conn) -> None:
    """Undo migration 0015 in `conn`'s transaction (a DB-API connection): its indexes (and
    those it widened as 0007 made them),
    request_status's new columns and triggers, the reply trigger as revision 0014 had it."""
    for index in (
        "ix_request_status_back",
        "ix_consent_watch_relied_author",
        "ix_consent_watch_relied",
    ):
        conn.execute(f"DROP INDEX {index}")
    for name, table, columns in (
        ("ix_review_status_author", "review_status", "author_id, status, since"),
        ("ix_review_status_status", "review_status", "status, since"),
        ("ix_consent_watch_author", "consent_watch", "author_id, ended, valid_until"),
        ("ix_request_status_open", "request_status", "replied, due_at"),
    ):
        conn.execute(f"DROP INDEX {name}")
        conn.execute(f"CREATE INDEX {name} ON {table} ({columns})")
    conn.execute("DROP TRIGGER saved_reply_status")
    conn.execute("DROP TRIGGER saved_record_reconsider")
    for column in ("reply_id", "replied_at", "answered_by", "news"):
        conn.execute(f"ALTER TABLE request_status DROP COLUMN {column}")
    conn.execute(REPLY_TRIGGER_0014)
    conn.execute("UPDATE alembic_version SET version_num = '0014'")


def _request(store, case_id) -> str:
    now = utcnow()
    draft = complete_request(now, received_at=now - timedelta(hours=6))
    return records.record_case_record(store, case_id=case_id, draft=draft).record_id


def _reply(store, case_id, request_id, outcome, reconsider=None) -> str:
    decision = records.record_sharing_decision(
        store, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    ).record_id
    draft = complete_reply(
        request=RecordLink(record_id=request_id, description="Request from Example MASH"),
        answered_by=[RecordLink(record_id=decision, description="Not shared")],
        outcome=outcome,
        reconsider_if_new=reconsider if outcome is ReplyOutcome.DECLINED else None,
    )
    return records.record_case_record(store, case_id=case_id, draft=draft).record_id


def _advice(store, case_id) -> str:
    return records.record_case_record(store, case_id=case_id, draft=complete_advice()).record_id


def _amendment(store, record_id) -> str:
    draft = AmendmentDraft(
        target_id=record_id,
        text="The school has since said the family moved in March.",
        reason=AmendmentReason.ADDITIONAL_INFORMATION,
        recipients_told=False,
        recipients_told_notes="Not shared, so nobody to tell.",
    )
    return records.add_amendment(store, draft=draft).record_id


DECLINED = ReplyOutcome.DECLINED
#: Each case's history after its request: (reply outcome, reconsider) or "advice"; and
#: whether the request is then to be reconsidered, with how many records since.
HISTORIES: list[tuple[str, list[tuple[ReplyOutcome, bool | None] | str], int | None]] = [
    ("declined, then advice", [(DECLINED, True), "advice"], 1),
    ("declined, nothing since", [(DECLINED, True)], None),
    ("declined without reconsider", [(DECLINED, False), "advice"], None),
    ("declined, then shared", [(DECLINED, True), (ReplyOutcome.SHARED, None), "advice"], None),
    ("shared, then declined", [(ReplyOutcome.SHARED, None), (DECLINED, True), "advice"], 1),
    ("declined twice", [(DECLINED, True), "advice", (DECLINED, True), "advice", "advice"], 2),
    ("never answered", ["advice"], None),
    ("declined, then the reply amended", [(DECLINED, True), "amend the reply"], 1),
]


def _history(store) -> dict[str, str]:
    """Every history of HISTORIES on its own case; the request ids by history."""
    out = {}
    for name, steps, _ in HISTORIES:
        case_id = cases.create_case(
            store, draft=complete_case(display_name=f"Case {name}"), confirmed_not_duplicate=True
        )
        request_id = out[name] = _request(store, case_id)
        reply_id = ""
        for step in steps:
            if step == "advice":
                _advice(store, case_id)
            elif step == "amend the reply":
                _amendment(store, reply_id)
            else:
                assert isinstance(step, tuple)
                reply_id = _reply(store, case_id, request_id, *step)
    return out


def _consents(store) -> dict[str, str]:
    """A consent relied on and one not, both ending in 10 days."""
    case_id = cases.create_case(
        store, draft=complete_case(display_name="Case consents"), confirmed_not_duplicate=True
    )
    until = to_local(utcnow()).date() + timedelta(days=10)
    consent = complete_consent_decision(valid_until=until)
    out = {
        name: records.record_consent_decision(store, case_id=case_id, draft=consent).record_id
        for name in ("relied on", "unused")
    }
    decision = _relying_on(out["relied on"], consent)
    records.record_sharing_decision(store, case_id=case_id, draft=decision)
    return out


def _sections(store) -> dict:
    later = utcnow() + timedelta(days=20)
    return {
        (when, s.kind): (s.count, [i.record_id for i in s.items])
        for when, now in (("now", None), ("later", later))
        for s in worklist.my_work(store, now=now)
    }


def _status_rows(store) -> list[tuple]:
    with store.read() as session:
        raw = session.connection().connection.dbapi_connection
        return sorted(tuple(r) for r in raw.execute("SELECT * FROM request_status"))


def test_a_store_as_0014_left_it_is_migrated_to_what_the_triggers_make(admin_store, data_paths):
    ids = _history(admin_store)
    consents = _consents(admin_store)
    found = requests.requests_to_reconsider(admin_store)
    with admin_store.read() as session:  # the domain's rule over every record of every case
        assert found == over_every_record(
            requests.saved_records(
                session,
                user_id=accounts.current_user(admin_store).user_id,
                only_requests=False,
                store=admin_store,
            )
        )
    expected = [(ids[name], n) for name, _, n in HISTORIES if n is not None]
    assert [(r.record_id, len(r.new_record_ids)) for r in found] == expected
    by_triggers = _status_rows(admin_store)
    assert len(by_triggers) == len(HISTORIES)
    sections = _sections(admin_store)
    assert sections["now", worklist.WorkKind.CONSENTS][1] == [
        consents["relied on"],
        consents["unused"],
    ]
    # twenty days on, only the one relied on is a concern
    assert sections["later", worklist.WorkKind.CONSENTS] == (1, [consents["relied on"]])
    key = admin_store.keys.current_key
    admin_store.close()

    conn = raw_connect(data_paths.database, key)
    try:
        conn.execute("BEGIN IMMEDIATE")
        back_to_revision_0014(conn)
        conn.execute("COMMIT")
        columns = [r[1] for r in conn.execute("PRAGMA table_info(request_status)")]
    finally:
        conn.close()
    assert "reply_id" not in columns

    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        with store.read() as session:
            assert migrate.current_revision(session.connection()) == migrate.head_revision()
        assert _status_rows(store) == by_triggers
        assert requests.requests_to_reconsider(store) == found
        assert _sections(store) == sections
        result = maintenance.verify(store, full=True)
        assert result.ok, result.lines()
        # the trigger goes on: a reply sharing after all takes the first one off the list
        first = next(r for r in found if r.record_id == ids["declined, then advice"])
        _reply(store, first.case_id, first.record_id, ReplyOutcome.SHARED)
        assert [r.record_id for r in requests.requests_to_reconsider(store)] == [
            i for i, _ in expected if i != first.record_id
        ]
        assert maintenance.verify(store, full=True).ok
    finally:
        store.close()


def test_the_latest_reply_by_when_it_was_recorded_stands_whatever_order_it_arrives_in(
    admin_store, data_paths
):
    """A reply recorded earlier than the one standing (a machine's records arriving late)
    marks the request replied but does not replace the latest reply (the trigger, on the
    store's own tables, written directly)."""
    (request_id,) = _history_of(admin_store, [(DECLINED, True)])
    with admin_store.read() as session:
        raw = session.connection().connection.dbapi_connection
        (reply_id, at) = raw.execute(
            "SELECT reply_id, replied_at FROM request_status WHERE request_id = ?", (request_id,)
        ).fetchone()
        kept = raw.execute("SELECT * FROM saved_record WHERE id = ?", (reply_id,)).fetchone()
        names = [d[0] for d in raw.execute("SELECT * FROM saved_record LIMIT 0").description]
    key = admin_store.keys.current_key
    admin_store.close()
    row = dict(zip(names, kept, strict=True))
    conn = raw_connect(data_paths.database, key)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for suffix, when in (("older", "2000-01-01 00:00:00.000000"), ("newer", None)):
            late = {
                **row,
                "id": reply_id[:-6] + suffix,
                "recorded_at": when or at,
                "payload": conn.execute(
                    "SELECT packed(replace(unpacked(?), '\"declined\"', '\"shared\"'))",
                    (row["payload"],),
                ).fetchone()[0],
            }
            marks = ", ".join("?" * len(late))
            conn.execute(
                f"INSERT INTO saved_record ({', '.join(late)}) VALUES ({marks})",
                list(late.values()),
            )
            standing = conn.execute(
                "SELECT replied, declined_reconsider, reply_id FROM request_status "
                "WHERE request_id = ?",
                (request_id,),
            ).fetchone()
            if suffix == "older":  # recorded before the standing one: it stays
                assert tuple(standing) == (1, 1, reply_id)
            else:  # recorded at the same time, saved after it: the one saved last stands
                assert tuple(standing) == (1, 0, late["id"])
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _history_of(store, steps) -> list[str]:
    case_id = cases.create_case(store, draft=complete_case(), confirmed_not_duplicate=True)
    request_id = _request(store, case_id)
    for step in steps:
        if step == "advice":
            _advice(store, case_id)
        else:
            _reply(store, case_id, request_id, *step)
    return [request_id]


@pytest.mark.parametrize(
    ("column", "value"),
    [("reply_id", None), ("replied_at", None), ("answered_by", "[]"), ("news", 0)],
)
def test_an_edited_latest_reply_is_named_by_verify(admin_store, data_paths, column, value):
    """Each column the triggers keep is rebuilt by verify from the signed records."""
    (request_id,) = _history_of(admin_store, [(DECLINED, True), (DECLINED, True), "advice"])
    key = admin_store.keys.current_key
    admin_store.close()
    conn = raw_connect(data_paths.database, key)
    try:
        conn.execute(
            f"UPDATE request_status SET {column} = ? WHERE request_id = ?", (value, request_id)
        )
    finally:
        conn.close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    try:
        result = maintenance.verify(store, full=True)
    finally:
        store.close()
    assert not result.ok
    assert any(f"request_status row {request_id} differs" in line for line in result.lines())


STEPS = st.sampled_from(
    [(DECLINED, True), (DECLINED, False), (ReplyOutcome.SHARED, None), "advice", "amend the reply"]
)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=4))
def test_any_history_lists_what_the_domains_rule_over_the_case_does(admin_store, steps):
    """Any run of replies, new records and amendments after a request, on a case of its
    own: request_status (kept by the triggers alone) lists the request back exactly when
    the domain's rule over every record of the case does, with the same new records."""
    case_id = cases.create_case(
        admin_store, draft=complete_case(display_name="Case any"), confirmed_not_duplicate=True
    )
    request_id = _request(admin_store, case_id)
    reply_id = ""
    for step in steps:
        if step == "advice":
            _advice(admin_store, case_id)
        elif step == "amend the reply":
            if reply_id:
                _amendment(admin_store, reply_id)
        else:
            assert isinstance(step, tuple)
            reply_id = _reply(admin_store, case_id, request_id, *step)
    with admin_store.read() as session:
        expected = over_every_record(
            requests.saved_records(
                session,
                user_id=accounts.current_user(admin_store).user_id,
                case_ids={case_id},
                only_requests=False,
                store=admin_store,
            )
        )
    assert requests.requests_to_reconsider(admin_store, case_id=case_id) == expected
    listed = {r.record_id for r in requests.requests_to_reconsider(admin_store)}
    assert (request_id in listed) == bool(expected)
