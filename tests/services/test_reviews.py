"""The supervisor review loop through the services, with two users on one store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infoshare_desktop.domain import (
    AmendmentDraft,
    AmendmentReason,
    ConsentStatus,
    Ground,
    NotSoughtReason,
    PublicInterestCircumstance,
    ReviewDraft,
    ReviewOutcome,
    utcnow,
)
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import RecordKind, SharingKind
from infoshare_desktop.domain.reviews import ReviewRules, ReviewStatus
from infoshare_desktop.services import accounts, cases, records, reviews
from infoshare_desktop.services.errors import ChecklistRefused, PermissionDenied
from tests.domain.factories import complete_case, complete_sharing_decision

AUTHOR, SUPERVISOR = "ann.author", "sid.supervisor"
PASSWORD = "harbour lantern meadow"


def without_consent():
    return complete_sharing_decision(
        consent_status=ConsentStatus.NOT_SOUGHT,
        consent_from=None,
        not_sought_reasons=[NotSoughtReason.RISK_TO_CHILD],
        grounds=[Ground.SIGNIFICANT_HARM],
        public_interest=[PublicInterestCircumstance.REASONABLE_CAUSE_TO_BELIEVE],
        significant_harm_concern=True,
    )


@pytest.fixture
def team(admin_store, data_paths):
    for name, roles in (
        (AUTHOR, {Role.PRACTITIONER}),
        (SUPERVISOR, {Role.SUPERVISOR, Role.PRACTITIONER}),
    ):
        code = accounts.add_user(admin_store, username=name, display_name=name.title(), roles=roles)
        accounts.sign_in(data_paths, username=name, password=code, new_password=PASSWORD).close()
    author = accounts.sign_in(data_paths, username=AUTHOR, password=PASSWORD)
    supervisor = accounts.sign_in(data_paths, username=SUPERVISOR, password=PASSWORD)
    case_id = cases.create_case(author, draft=complete_case())
    yield author, supervisor, case_id
    author.close()
    supervisor.close()


def test_return_answer_endorse(team):
    author, supervisor, case_id = team
    saved = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    (item,) = reviews.review_queue(supervisor)
    assert item.record_id == saved.record_id and item.without_consent
    assert reviews.queue_count(supervisor) == 1

    reviews.open_for_review(supervisor, record_id=saved.record_id)
    with pytest.raises(ChecklistRefused):  # returning needs a comment
        records.record_review(
            supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.RETURNED)
        )
    records.record_review(
        supervisor,
        draft=ReviewDraft(
            target_id=saved.record_id,
            outcome=ReviewOutcome.RETURNED,
            comment="Please record who you told at the school and why the family was not told.",
        ),
    )
    assert reviews.review_queue(supervisor) == []
    (returned,) = reviews.returned_to_me(author)
    assert "who you told" in returned.last_comment
    assert returned.last_reviewer == SUPERVISOR.title()
    assert returned.last_reviewed_at is not None
    assert returned.last_reviewed_at >= returned.recorded_at

    records.add_amendment(
        author,
        draft=AmendmentDraft(
            target_id=saved.record_id,
            text="Told the designated safeguarding lead at school; family not told as it would "
            "place the child at risk before the strategy meeting.",
            reason=AmendmentReason.RESPONSE_TO_REVIEW,
            recipients_told=True,
            recipients_told_notes="The recipient was sent the addition the same day.",
        ),
    )
    assert reviews.returned_to_me(author) == []
    (again,) = reviews.review_queue(supervisor)
    assert again.state.rounds == 1
    records.record_review(
        supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
    )
    assert (
        reviews.review_state_of(author, record_id=saved.record_id).status is ReviewStatus.ENDORSED
    )
    # Only records awaiting review can be reviewed.
    with pytest.raises(reviews.ReviewNotAllowed):
        records.record_review(
            supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
        )
    kinds = [(e.kind.value, e.author_name) for e in cases.chronology(author, case_id=case_id)]
    assert kinds == [
        ("sharing_decision", AUTHOR.title()),
        ("review", SUPERVISOR.title()),
        ("amendment", AUTHOR.title()),
        ("review", SUPERVISOR.title()),
    ]
    overview = {row.author_name: row for row in reviews.team_overview(supervisor)}
    assert overview[AUTHOR.title()].endorsed == 1


def test_a_supervisor_never_reviews_their_own_record(team):
    _, supervisor, case_id = team
    saved = records.record_sharing_decision(supervisor, case_id=case_id, draft=without_consent())
    assert reviews.review_queue(supervisor) == []  # own records are not in their queue
    with pytest.raises(ChecklistRefused) as refused:
        records.record_review(
            supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
        )
    assert "REVIEW_NOT_OWN" in {f.rule_id for f in refused.value.findings}


def test_a_practitioner_cannot_open_the_queue_or_review(team):
    author, _, case_id = team
    saved = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    with pytest.raises(PermissionDenied):
        reviews.review_queue(author)
    with pytest.raises(PermissionDenied):
        records.record_review(
            author, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
        )


def test_a_saved_review_cannot_be_altered(team):
    author, supervisor, case_id = team
    saved = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    review = records.record_review(
        supervisor, draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED)
    )
    with supervisor.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            raw.execute(
                f"UPDATE saved_record SET subkind = 'returned' WHERE id = '{review.record_id}'"
            )
        with pytest.raises(Exception, match="cannot be changed or deleted"):
            raw.execute("DELETE FROM review_request")


def test_with_consent_records_need_no_review_unless_asked(team):
    author, supervisor, case_id = team
    saved = records.record_sharing_decision(
        author, case_id=case_id, draft=complete_sharing_decision()
    )
    assert reviews.review_queue(supervisor) == []
    reviews.request_review(author, record_id=saved.record_id)
    assert [i.record_id for i in reviews.review_queue(supervisor)] == [saved.record_id]
    with pytest.raises(reviews.ReviewNotAllowed):
        reviews.request_review(supervisor, record_id=saved.record_id)  # not their record


def test_rules_and_overdue(team, admin_store):
    author, supervisor, case_id = team
    reviews.set_review_rules(
        admin_store, rules=ReviewRules(every_sharing_decision=True, overdue_after_days=1)
    )
    records.record_sharing_decision(author, case_id=case_id, draft=complete_sharing_decision())
    (item,) = reviews.review_queue(supervisor)
    assert not item.overdue
    assert item.state.overdue(item.state.waiting_since + timedelta(days=2), days=1)
    with pytest.raises(PermissionDenied):
        reviews.set_review_rules(author, rules=ReviewRules())


def test_queue_filters(team):
    author, supervisor, case_id = team
    records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    assert len(reviews.review_queue(supervisor, author_id=author.user.user_id)) == 1
    assert reviews.review_queue(supervisor, author_id=supervisor.user.user_id) == []
    assert len(reviews.review_queue(supervisor, without_consent_only=True)) == 1
    not_shared = reviews.KindFilter(RecordKind.SHARING_DECISION, SharingKind.NOT_SHARED)
    assert reviews.review_queue(supervisor, kind=not_shared) == []


def test_the_kind_filter_tells_a_shared_reply_from_a_shared_decision(team):
    """Both breakdowns store "shared": the filter compares the kind and the member, so a
    sharing decision "Shared" never brings a reply "Shared" with it, nor the reverse."""
    from infoshare_desktop.domain.enums import ReplyOutcome
    from infoshare_desktop.domain.records import RecordLink
    from tests.domain.factories import complete_reply, complete_request

    author, supervisor, case_id = team
    decision = records.record_sharing_decision(author, case_id=case_id, draft=without_consent())
    request = records.record_case_record(author, case_id=case_id, draft=complete_request())
    reply = records.record_case_record(author, case_id=case_id, draft=complete_reply(
        request=RecordLink(record_id=request.record_id, description="Request"),
        answered_by=[RecordLink(record_id=decision.record_id, description="Shared")],
        outcome=ReplyOutcome.SHARED))  # fmt: skip
    reviews.request_review(author, record_id=reply.record_id)  # on its author's request

    def queue(kind, subkind=None):
        found = reviews.review_queue(supervisor, kind=reviews.KindFilter(kind, subkind))
        return [i.record_id for i in found]

    assert queue(RecordKind.SHARING_DECISION, SharingKind.SHARED) == [decision.record_id]
    assert queue(RecordKind.REQUEST_REPLY, ReplyOutcome.SHARED) == [reply.record_id]
    assert queue(RecordKind.REQUEST_REPLY) == [reply.record_id]
    assert queue(RecordKind.REQUEST_REPLY, ReplyOutcome.DECLINED) == []


def test_the_review_state_of_a_restricted_record_is_not_shown_to_others(admin_store, data_paths):
    from infoshare_desktop.services.visibility import CaseNotFound

    secret = cases.create_case(admin_store, draft=complete_case(restricted=True))
    saved = records.record_sharing_decision(
        admin_store, case_id=secret, draft=complete_sharing_decision()
    )
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )
    reviews.review_state_of(admin_store, record_id=saved.record_id)  # the named staff see it
    with pytest.raises(CaseNotFound):
        reviews.review_state_of(pat, record_id=saved.record_id)
    pat.close()


def test_the_queue_shows_the_consent_relied_on_and_flags_it_ended_since(team):
    """Shared on a consent that stood, then withdrawn: the queue knows which consent, that
    it stood when the sharing happened, and that it has ended since."""
    from infoshare_desktop.domain import ConsentOutcome
    from infoshare_desktop.domain.consent import Standing
    from tests.domain.factories import complete_consent_decision

    author, supervisor, case_id = team
    now = utcnow()
    consent = complete_consent_decision(occurred_at=now - timedelta(days=5))
    given = records.record_consent_decision(author, case_id=case_id, draft=consent)
    shared = complete_sharing_decision(
        consent_decision_id=given.record_id, occurred_at=now - timedelta(hours=3)
    )
    saved = records.record_sharing_decision(author, case_id=case_id, draft=shared)
    reviews.request_review(author, record_id=saved.record_id)
    (item,) = reviews.review_queue(supervisor)
    assert item.consent.status is ConsentStatus.EXPLICIT
    assert item.consent.relied_on.consent.record_id == given.record_id
    assert not item.consent.relied_on.ended_since

    withdrawal = complete_consent_decision(
        outcome=ConsentOutcome.WITHDRAWN, supersedes_ids=[given.record_id], scope_agencies=[],
        scope_purposes=[], scope_information="", occurred_at=now - timedelta(hours=1),
    )  # fmt: skip
    records.record_consent_decision(author, case_id=case_id, draft=withdrawal)
    (item,) = reviews.review_queue(supervisor)
    assert item.consent.relied_on.then.stands
    assert item.consent.relied_on.ended_since
    assert item.consent.relied_on.now.standing is Standing.WITHDRAWN
