"""My work through the services, against a real store with a practitioner, a supervisor
and a team lead: each section's count and items follow what is saved, agree with the
review fold and the consent standing rule, respect restricted cases, are audited, and
every query walks an index (its plan never scans a table that grows with the store)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from infoshare_desktop.domain import (
    AmendmentDraft,
    AmendmentReason,
    ReviewDraft,
    ReviewOutcome,
    utcnow,
)
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.timeutil import to_local
from infoshare_desktop.services import accounts, cases, drafts, records, reviews, worklist
from infoshare_desktop.services.errors import PermissionDenied
from infoshare_desktop.services.worklist import WorkKind
from infoshare_desktop.store import worklist as queries
from infoshare_desktop.store.tables import AuditEvent
from tests.domain.factories import (
    complete_case,
    complete_consent_decision,
    complete_sharing_decision,
)
from tests.services.test_records import _relying_on
from tests.services.test_reviews import PASSWORD, without_consent
from tests.store.test_packed_envelopes import back_to_revision_0013

AUTHOR, SUPERVISOR, LEAD = "ann.author", "sid.supervisor", "tess.lead"


@pytest.fixture
def team(admin_store, data_paths):
    for name, roles in (
        (AUTHOR, {Role.PRACTITIONER}),
        (SUPERVISOR, {Role.SUPERVISOR, Role.PRACTITIONER}),
        (LEAD, {Role.TEAM_LEAD}),
    ):
        code = accounts.add_user(admin_store, username=name, display_name=name.title(), roles=roles)
        accounts.sign_in(data_paths, username=name, password=code, new_password=PASSWORD).close()
    stores = [
        accounts.sign_in(data_paths, username=n, password=PASSWORD)
        for n in (AUTHOR, SUPERVISOR, LEAD)
    ]
    case_id = cases.create_case(stores[0], draft=complete_case())
    yield (*stores, case_id)
    for store in stores:
        store.close()


def work(store, **kwargs) -> dict[WorkKind, worklist.WorkSection]:
    return {s.kind: s for s in worklist.my_work(store, **kwargs)}


def counts(store, **kwargs) -> dict[WorkKind, int]:
    return {kind: s.count for kind, s in work(store, **kwargs).items()}


def test_sections_follow_the_roles(team, admin_store, data_paths):
    author, supervisor, lead, _case = team
    assert list(work(author)) == [
        WorkKind.RETURNED,
        WorkKind.OVERDUE_REVIEW,
        WorkKind.CONSENTS,
        WorkKind.REQUESTS_DUE,
        WorkKind.RECONSIDER,
        WorkKind.DRAFTS,
    ]
    assert WorkKind.AWAITING_REVIEW in work(supervisor)
    assert WorkKind.AWAITING_REVIEW not in work(lead)
    assert work(lead)[WorkKind.TEAM_CONSENTS].team
    assert work(lead)[WorkKind.OVERDUE_REVIEW].team
    assert not work(author)[WorkKind.OVERDUE_REVIEW].team
    code = accounts.add_user(
        admin_store, username="ada.admin", display_name="Ada", roles={Role.ADMINISTRATOR}
    )
    admin_only = accounts.sign_in(
        data_paths, username="ada.admin", password=code, new_password=PASSWORD
    )
    with pytest.raises(PermissionDenied):  # an administrator who holds no case role
        worklist.my_work(admin_only)
    admin_only.close()


def test_the_review_loop_moves_a_record_between_worklists(team):
    author, supervisor, _lead, case_id = team
    assert set(counts(author).values()) == {0}
    saved = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())

    (item,) = work(supervisor)[WorkKind.AWAITING_REVIEW].items
    assert item.record_id == saved.record_id and item.case_id == case_id
    assert item.title.startswith("Sharing decision: ")
    assert "recorded by Ann.Author" in item.detail and not item.overdue
    assert counts(author)[WorkKind.RETURNED] == 0

    records.record_review(
        supervisor,
        draft=ReviewDraft(
            target_id=saved.record_id,
            outcome=ReviewOutcome.RETURNED,
            comment="Please record who you told at the school and why.",
        ),
    )
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 0
    (returned,) = work(author)[WorkKind.RETURNED].items
    assert returned.record_id == saved.record_id
    assert returned.detail.startswith("Returned ")
    assert [i.record_id for i in reviews.returned_to_me(author)] == [saved.record_id]

    records.add_amendment(
        author,
        draft=AmendmentDraft(
            target_id=saved.record_id,
            text="Told the designated safeguarding lead at school the same afternoon.",
            reason=AmendmentReason.RESPONSE_TO_REVIEW,
            recipients_told=True,
            recipients_told_notes="Sent the addition the same day.",
        ),
    )
    assert counts(author)[WorkKind.RETURNED] == 0
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 1
    records.record_review(
        supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
    )
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 0
    # Asked for again after endorsement: back in the queue (as the review fold says).
    reviews.request_review(author, record_id=saved.record_id)
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 1
    state = reviews.review_state_of(author, record_id=saved.record_id)
    assert state.status.value == "awaiting" and state.rounds == 2


def test_overdue_reviews_the_team_lead_sees_the_team(team):
    author, supervisor, lead, case_id = team
    saved = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    days = reviews.review_rules(author).overdue_after_days
    assert counts(lead)[WorkKind.OVERDUE_REVIEW] == 0
    later = utcnow() + timedelta(days=days + 1)
    for store in (author, supervisor, lead):
        (item,) = work(store, now=later)[WorkKind.OVERDUE_REVIEW].items
        assert item.record_id == saved.record_id and item.overdue
        assert "overdue" in item.detail
    assert work(supervisor, now=later)[WorkKind.AWAITING_REVIEW].items[0].overdue
    # The supervisor's own records are not theirs to review, so not their overdue items.
    records.record_sharing_decision(supervisor, case_id=case_id, draft=without_consent())
    assert counts(supervisor, now=later)[WorkKind.OVERDUE_REVIEW] == 1
    assert counts(lead, now=later)[WorkKind.OVERDUE_REVIEW] == 2


def test_consents_expiring_and_expired_while_relied_on(team):
    author, supervisor, lead, case_id = team
    today = to_local(utcnow()).date()
    soon = complete_consent_decision(valid_until=today + timedelta(days=10))
    later = complete_consent_decision(valid_until=today + timedelta(days=200))
    unused = complete_consent_decision(valid_until=today + timedelta(days=12))
    relied = records.record_consent_decision(author, case_id=case_id, draft=soon)
    records.record_consent_decision(author, case_id=case_id, draft=later)
    records.record_consent_decision(author, case_id=case_id, draft=unused)
    records.record_sharing_decision(
        author, case_id=case_id, draft=_relying_on(relied.record_id, soon)
    )

    section = work(author)[WorkKind.CONSENTS]
    assert section.count == 2  # within 30 days; the one valid for 200 days is not
    first = section.items[0]
    assert first.record_id == relied.record_id
    assert "(ends in 10 days)" in first.detail and not first.overdue
    assert first.title.startswith("Explicit consent given, Parent or carer")

    # Twenty days on, the relied-on one has expired; the unused one, expired too, is
    # nobody's concern; the 200-day one is not yet due.
    on = utcnow() + timedelta(days=20)
    section = work(author, now=on)[WorkKind.CONSENTS]
    (expired,) = section.items
    assert expired.record_id == relied.record_id and expired.overdue
    assert "1 sharing decision relied on it" in expired.detail
    (team_item,) = work(lead, now=on)[WorkKind.TEAM_CONSENTS].items
    assert team_item.record_id == relied.record_id
    assert "recorded by Ann.Author" in team_item.detail
    assert counts(supervisor, now=on)[WorkKind.CONSENTS] == 0  # not theirs

    # A renewal naming it takes it off every worklist.
    renewal = complete_consent_decision(
        valid_until=today + timedelta(days=365), supersedes_ids=[relied.record_id]
    )
    records.record_consent_decision(author, case_id=case_id, draft=renewal)
    assert counts(author, now=on)[WorkKind.CONSENTS] == 0
    assert counts(lead, now=on)[WorkKind.TEAM_CONSENTS] == 0


def test_drafts_are_listed_newest_first_and_carry_the_draft(team):
    author, _supervisor, _lead, case_id = team
    first = drafts.save_draft(author, draft=complete_sharing_decision(), case_id=case_id)
    second = drafts.save_draft(author, draft=complete_consent_decision(), case_id=case_id)
    section = work(author)[WorkKind.DRAFTS]
    assert section.count == 2
    assert [i.draft.draft_id for i in section.items] == [second, first]
    assert section.items[0].title.startswith("Consent decision (draft): ")
    assert section.items[0].case_reference == "TEST-0001"


def test_a_restricted_case_others_cannot_see_is_not_counted(team):
    author, supervisor, _lead, _case = team
    secret = cases.create_case(
        author,
        draft=complete_case(
            display_name="Another Example", case_reference="TEST-0002", restricted=True
        ),
    )
    saved = records.record_sharing_decision(author, case_id=secret, draft=without_consent())
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 0
    assert work(supervisor)[WorkKind.AWAITING_REVIEW].items == ()
    # the control: once named on the case, the same supervisor does see it
    cases.add_case_member(author, case_id=secret, user_id=supervisor.user.user_id)
    (item,) = work(supervisor)[WorkKind.AWAITING_REVIEW].items
    assert (item.record_id, item.case_reference) == (saved.record_id, "TEST-0002")
    assert counts(supervisor)[WorkKind.AWAITING_REVIEW] == 1


def test_counts_stop_at_the_cap_and_items_at_the_limit(team, monkeypatch):
    author, _supervisor, _lead, case_id = team
    for _ in range(4):
        drafts.save_draft(author, draft=complete_sharing_decision(), case_id=case_id)
    section = work(author, limit=3)[WorkKind.DRAFTS]
    assert section.count == 4 and len(section.items) == 3
    assert section.count_text == "4"
    # the cap reached (a cap of 3 here, rather than a thousand drafts): the count stops at
    # it, and says so
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(worklist, "COUNT_CAP", 3)
    section = work(author, limit=2)[WorkKind.DRAFTS]
    assert section.count == 3 and len(section.items) == 2
    assert section.count_text == "3 or more"


def test_reading_the_worklist_is_audited_with_counts_only(team):
    author, _supervisor, _lead, case_id = team
    drafts.save_draft(author, draft=complete_sharing_decision(), case_id=case_id)
    worklist.my_work(author)
    with author.read() as session:
        entry = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert entry.action == "record.view" and entry.target_kind == "worklist"
    assert "drafts=1" in entry.detail and "returned=0" in entry.detail
    assert "TEST-0001" not in entry.detail and "Ann" not in entry.detail


def _plans(store, sql_calls) -> list[str]:
    """EXPLAIN QUERY PLAN of every statement the worklist runs."""
    seen: list[str] = []
    with store.read() as session:
        raw = session.connection().connection.dbapi_connection
        for sql, params in sql_calls:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            seen.append(" | ".join(r[-1] for r in rows))
    return seen


#: The restricted cases (few: each has its own key), by their partial index: what a count
#: tells a case's visibility by, reading no case row per row counted.
RESTRICTED_CASES = "SCAN case_file USING COVERING INDEX ix_case_restricted"


def test_every_query_walks_an_index(team, monkeypatch):
    """No query scans saved_record, review_status, consent_watch or draft: each is an
    index range (plus a primary-key lookup per row), so the cost does not grow with the
    store, only with what is listed; the expired consents relied on are found in an index
    of those alone (most consents are never relied on, and all of them expire); a count
    walks its index alone (covering), not a row of the table and of its case per row.
    (The lists read whole are the user's signed restricted member cases, json_each of a
    parameter, and the restricted cases: a few ids each, not a table.)"""
    author, supervisor, lead, _case_id = team
    captured: list[tuple[str, dict]] = []
    real_rows, real_count = queries._rows, queries._count

    def rows(tx, sql, params):
        captured.append((sql, params))
        return real_rows(tx, sql, params)

    def count(tx, body, params):
        captured.append((f"SELECT count(*) FROM (SELECT 1 {body} LIMIT 1000)", params))
        return real_count(tx, body, params)

    monkeypatch.setattr(queries, "_rows", rows)
    monkeypatch.setattr(queries, "_count", count)
    for store in (author, supervisor, lead):
        worklist.my_work(store)
    assert len(captured) >= 20
    relied_only = 0
    for (sql, _params), plan in zip(captured, _plans(author, captured), strict=True):
        steps = plan.split(" | ")
        if "relied_on > 0" in sql:  # expired consents relied on: only those are walked
            relied_only += 1
            walk = next(step for step in steps if step.startswith("SEARCH w"))
            assert " INDEX ix_consent_watch_relied" in walk, plan
        assert steps[0].startswith(("SEARCH", "CO-ROUTINE")), plan
        scans = [
            s
            for s in steps
            if s.startswith("SCAN")
            and not s.startswith(("SCAN (subquery", "SCAN json_each"))
            and s != RESTRICTED_CASES
        ]
        assert scans == [], plan
        if sql.startswith("SELECT count(*)"):
            assert "SEARCH c " not in plan and "SEARCH r " not in plan, plan
            walk = next(step for step in steps if step.startswith("SEARCH"))
            assert "COVERING INDEX" in walk, plan
    assert relied_only >= 6  # each store's own expired ones (listed, counted); the lead's team's


def test_the_migration_backfill_gives_what_the_triggers_gave(team):
    """Stores from before migration 0007 get both tables from their saved records: the
    backfill must agree with the triggers on the same history."""
    import importlib.util

    from infoshare_desktop.store import migrate

    author, supervisor, _lead, case_id = team
    today = to_local(utcnow()).date()
    soon = complete_consent_decision(valid_until=today + timedelta(days=10))
    relied = records.record_consent_decision(author, case_id=case_id, draft=soon)
    records.record_sharing_decision(
        author, case_id=case_id, draft=_relying_on(relied.record_id, soon)
    )
    records.record_consent_decision(
        author, case_id=case_id, draft=complete_consent_decision(supersedes_ids=[relied.record_id])
    )
    returned = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    records.record_review(
        supervisor,
        draft=ReviewDraft(
            target_id=returned.record_id, outcome=ReviewOutcome.RETURNED, comment="More, please."
        ),
    )
    records.record_sharing_decision(author, case_id=case_id, draft=without_consent())

    def tables(store):
        with store.read() as session:
            conn = session.connection()
            return [
                sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
                for t in ("review_status", "consent_watch")
            ]

    by_triggers = tables(author)
    assert len(by_triggers[0]) == 2 and len(by_triggers[1]) == 2
    assert [r[-1] for r in by_triggers[1]].count(1) == 1  # the renewed one is ended
    path = next((migrate.SCRIPTS / "versions").glob("0007_worklist_*.py"))
    spec = importlib.util.spec_from_file_location("worklist_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with author.write() as session:
        conn = session.connection()
        # The records as the stores it runs on hold them (from before migration 0014).
        back_to_revision_0013(conn.connection.dbapi_connection)
        conn.exec_driver_sql("DELETE FROM review_status")
        conn.exec_driver_sql("DELETE FROM consent_watch")
        module.backfill(conn)
    assert tables(author) == by_triggers
