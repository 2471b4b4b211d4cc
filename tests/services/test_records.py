"""Saving records through the services alone: complete ones save and read back equal,
incomplete ones are refused with their findings and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from sqlmodel import func, select

from infoshare_desktop.domain import (
    AmendmentDraft,
    AmendmentReason,
    ConsentOutcome,
    ConsentStatus,
    Criterion,
    CriterionRationale,
    Ground,
    Recipient,
    ReviewDraft,
    ReviewOutcome,
    SharingKind,
    utcnow,
)
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.consent import Standing
from infoshare_desktop.services import accounts, cases, records, reviews
from infoshare_desktop.services.errors import ChecklistRefused, InvalidTextError, PermissionDenied
from infoshare_desktop.store.tables import AuditEvent, SavedRecord
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import (
    complete_case,
    complete_consent_decision,
    complete_sharing_decision,
)
from tests.domain.strategies import complete_sharing_decisions


@pytest.fixture
def case_id(admin_store) -> str:
    return cases.create_case(admin_store, draft=complete_case())


def counts(store) -> tuple[int, int, int]:
    with store.read() as session:
        rec = session.exec(select(func.count()).select_from(SavedRecord)).one()
        aud = session.exec(select(func.count()).select_from(AuditEvent)).one()
        fts = session.connection().exec_driver_sql("SELECT count(*) FROM search_index").scalar()
    return rec, aud, fts


def test_a_complete_sharing_decision_saves_and_reads_back_equal(admin_store, case_id):
    draft = complete_sharing_decision()
    saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    detail = cases.record_detail(admin_store, record_id=saved.record_id)
    assert detail.content == draft.cleaned()
    assert detail.author_name == "Alex Example (Admin)"
    assert detail.recorded_at == saved.recorded_at
    assert not detail.late


def test_recorded_at_is_set_by_the_service_and_late_entries_are_marked(admin_store, case_id):
    now = utcnow()
    draft = complete_sharing_decision(
        occurred_at=now - timedelta(days=3),
        late_entry_reason="Worker was on leave; logged on return.",
    )
    saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    assert abs(saved.recorded_at - now) < timedelta(seconds=30)
    (entry,) = cases.chronology(admin_store, case_id=case_id)
    assert entry.late and entry.recorded_at - entry.occurred_at > timedelta(days=2)


INCOMPLETE = [
    ("no reasons", dict(reasons="n/a"), "REASONS"),
    ("no purpose", dict(purpose=""), "PURPOSE"),
    ("future", dict(occurred_at=utcnow() + timedelta(days=2)), "WHEN"),
    ("late, no reason", dict(occurred_at=utcnow() - timedelta(days=2)), "LATE_ENTRY"),
    ("no recipient", dict(recipients=[]), "RECIPIENT"),
    ("no grounds", dict(grounds=[]), "GROUNDS"),
    ("no consent status", dict(consent_status=None), "CONSENT_STATUS"),
    ("no method", dict(method=None), "SECURE_METHOD"),
    ("no transparency", dict(individual_told=None), "TRANSPARENCY"),
    ("criterion missing", dict(criteria={Criterion.NECESSARY: CriterionRationale()}), "CRITERIA"),
    (
        "refused, no justification",
        dict(consent_status=ConsentStatus.REFUSED, public_interest=[], weighing=""),
        "OVERRIDE_JUSTIFIED",
    ),
]


@pytest.mark.parametrize(("name", "changes", "rule"), INCOMPLETE, ids=[c[0] for c in INCOMPLETE])
def test_an_incomplete_record_is_refused_and_nothing_is_written(
    admin_store, case_id, name, changes, rule
):
    before = counts(admin_store)
    draft = complete_sharing_decision(**changes)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    assert rule in {f.rule_id for f in refused.value.findings}
    assert "cannot be saved yet" in str(refused.value)
    assert counts(admin_store) == before


def test_bad_text_is_refused_with_a_clear_error(admin_store, case_id):
    before = counts(admin_store)
    for bad in ("reason with a NUL \x00 in it", "lone surrogate \ud800 here", "x" * 30_000):
        draft = complete_sharing_decision(reasons=bad)
        with pytest.raises(InvalidTextError) as err:
            records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
        assert err.value.field == "reasons"
    assert counts(admin_store) == before


def test_saved_records_cannot_be_updated_or_deleted_even_with_raw_sql(admin_store, case_id):
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    with admin_store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for statement in (
            f"UPDATE saved_record SET summary = 'changed' WHERE id = '{saved.record_id}'",
            f"DELETE FROM saved_record WHERE id = '{saved.record_id}'",
            f"UPDATE case_file SET display_name = 'X' WHERE id = '{case_id}'",
            f"DELETE FROM case_file WHERE id = '{case_id}'",
        ):
            with pytest.raises(Exception, match="cannot be changed or deleted"):
                raw.execute(statement)


def test_amendments_and_reviews_attach_to_the_record(data_paths, admin_store, case_id):
    saved = records.record_sharing_decision(
        admin_store,
        case_id=case_id,
        draft=complete_sharing_decision(),
    )
    amendment = AmendmentDraft(
        target_id=saved.record_id,
        text="The meeting date was 3 March, not 2 March as first written.",
        reason=AmendmentReason.CORRECTION_OF_FACT,
        recipients_told=True,
        recipients_told_notes="Told the recipient by secure email the same day.",
    )
    records.add_amendment(admin_store, draft=amendment)
    reviews.request_review(admin_store, record_id=saved.record_id)
    # The author cannot review their own record ...
    with pytest.raises(ChecklistRefused) as refused:
        records.record_review(
            admin_store,
            draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED),
        )
    assert "REVIEW_NOT_OWN" in {f.rule_id for f in refused.value.findings}
    # ... a supervisor colleague can.
    code = accounts.add_user(
        admin_store, username="sam.super", display_name="Sam Supervisor", roles={Role.SUPERVISOR}
    )
    sup = accounts.sign_in(
        data_paths, username="sam.super", password=code, new_password="granite willow dusk"
    )
    records.record_review(
        sup,
        draft=ReviewDraft(
            target_id=saved.record_id,
            outcome=ReviewOutcome.RETURNED,
            comment="Please say how the recipient's identity was verified.",
        ),
    )
    sup.close()
    detail = cases.record_detail(admin_store, record_id=saved.record_id)
    assert [a.content.reason for a in detail.amendments] == [AmendmentReason.CORRECTION_OF_FACT]
    assert detail.amendments[0].content.target_was_shared is True
    assert [r.author_name for r in detail.reviews] == ["Sam Supervisor"]
    kinds = [e.kind.value for e in cases.chronology(admin_store, case_id=case_id)]
    assert kinds == ["sharing_decision", "amendment", "review"]


def test_a_practitioner_only_account_cannot_review_and_admin_only_sees_no_cases(
    data_paths, admin_store, case_id
):
    code = accounts.add_user(
        admin_store, username="ivy.admin", display_name="Ivy IG Lead", roles={Role.ADMINISTRATOR}
    )
    ig = accounts.sign_in(
        data_paths, username="ivy.admin", password=code, new_password="saffron canal bridge"
    )
    with pytest.raises(PermissionDenied):
        cases.list_cases(ig)
    with pytest.raises(PermissionDenied):
        cases.chronology(ig, case_id=case_id)
    ig.close()


def _relying_on(consent_id: str, consent, **changes):
    draft = complete_sharing_decision(
        consent_status=ConsentStatus.EXPLICIT,
        consent_decision_id=consent_id,
        consent_purpose=consent.scope_purposes[0],
        **changes,
    )
    draft.recipients[0].organisation = consent.scope_agencies[0]
    return draft


def _withdrawal(*ends: str, **changes):
    return complete_consent_decision(
        outcome=ConsentOutcome.WITHDRAWN,
        supersedes_ids=list(ends),
        scope_agencies=[],
        scope_purposes=[],
        scope_information="",
        **changes,
    )


def test_a_withdrawal_must_name_the_consent_it_ends(admin_store, case_id):
    """The issue's scenario, through the services and a real store."""
    now = utcnow()
    consent = complete_consent_decision(
        valid_until=date(2027, 4, 19), occurred_at=now - timedelta(days=20)
    )
    given = records.record_consent_decision(admin_store, case_id=case_id, draft=consent)
    before = counts(admin_store)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_consent_decision(
            admin_store, case_id=case_id, draft=_withdrawal(occurred_at=now - timedelta(hours=2))
        )
    assert "CONSENT_ENDS" in {f.rule_id for f in refused.value.findings}
    assert counts(admin_store) == before
    (item,) = cases.consent_position(admin_store, case_id=case_id)
    assert item.standing.phrase() == "current, valid until 19 Apr 2027"

    withdrawn = records.record_consent_decision(
        admin_store,
        case_id=case_id,
        draft=_withdrawal(given.record_id, occurred_at=now - timedelta(hours=2)),
    )
    assert given.record_id not in records.search_text(_withdrawal(given.record_id))
    position = {p.record_id: p for p in cases.consent_position(admin_store, case_id=case_id)}
    assert position[given.record_id].standing.standing is Standing.WITHDRAWN
    assert position[given.record_id].standing.ended_by.record_id == withdrawn.record_id
    assert [e.record_id for e in position[withdrawn.record_id].ends] == [given.record_id]
    assert cases.consent_position(admin_store, case_id=case_id)[0].record_id == withdrawn.record_id

    # New sharing on the withdrawn consent is refused; sharing from before it still saves.
    with pytest.raises(ChecklistRefused) as refused:
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=_relying_on(given.record_id, consent)
        )
    (scope,) = [f for f in refused.value.findings if f.rule_id == "CONSENT_SCOPE"]
    assert "withdrawn on" in scope.message
    past = _relying_on(
        given.record_id,
        consent,
        occurred_at=now - timedelta(days=3),
        late_entry_reason="Recorded on return from leave",
    )
    saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=past)
    detail = cases.record_detail(admin_store, record_id=saved.record_id)
    assert detail.relied_on is not None and detail.relied_on.then.stands
    assert detail.relied_on.ended_since
    assert detail.relied_on.now.standing is Standing.WITHDRAWN


def test_a_withdrawal_cannot_end_a_consent_of_another_case(admin_store, case_id):
    other = cases.create_case(
        admin_store, draft=complete_case(case_reference="TEST-0002"), confirmed_not_duplicate=True
    )
    elsewhere = records.record_consent_decision(
        admin_store, case_id=other, draft=complete_consent_decision()
    )
    with pytest.raises(ChecklistRefused) as refused:
        records.record_consent_decision(
            admin_store, case_id=case_id, draft=_withdrawal(elsewhere.record_id)
        )
    assert {f.rule_id for f in refused.value.findings} == {"CONSENT_ENDS"}
    with pytest.raises(ChecklistRefused) as refused:
        records.record_sharing_decision(
            admin_store,
            case_id=case_id,
            draft=_relying_on(elsewhere.record_id, complete_consent_decision()),
        )
    assert "CONSENT_SCOPE" in {f.rule_id for f in refused.value.findings}


def test_a_renewal_later_withdrawn_ends_the_whole_chain(admin_store, case_id):
    now = utcnow()
    first_draft = complete_consent_decision(occurred_at=now - timedelta(days=30))
    first = records.record_consent_decision(admin_store, case_id=case_id, draft=first_draft)
    renewal_draft = complete_consent_decision(
        occurred_at=now - timedelta(days=10), supersedes_ids=[first.record_id]
    )
    renewal = records.record_consent_decision(admin_store, case_id=case_id, draft=renewal_draft)
    standing = {p.record_id: p.standing.standing for p in cases.consent_position(
        admin_store, case_id=case_id)}  # fmt: skip
    assert standing == {first.record_id: Standing.SUPERSEDED, renewal.record_id: Standing.CURRENT}
    records.record_consent_decision(
        admin_store,
        case_id=case_id,
        draft=_withdrawal(renewal.record_id, occurred_at=now - timedelta(days=1)),
    )
    position = cases.consent_position(admin_store, case_id=case_id)
    assert {p.record_id: p.standing.standing for p in position} == {
        first.record_id: Standing.SUPERSEDED,
        renewal.record_id: Standing.WITHDRAWN,
        position[0].record_id: Standing.WITHDRAWN,
    }
    for consent_id, draft in ((first.record_id, first_draft), (renewal.record_id, renewal_draft)):
        with pytest.raises(ChecklistRefused):
            records.record_sharing_decision(
                admin_store, case_id=case_id, draft=_relying_on(consent_id, draft)
            )


def test_consent_position_marks_expired_consent(admin_store, case_id):
    records.record_consent_decision(
        admin_store,
        case_id=case_id,
        draft=complete_consent_decision(
            valid_until=date(2026, 1, 31), occurred_at=datetime(2025, 2, 1, 10, tzinfo=UTC)
        ),
    )
    (item,) = cases.consent_position(
        admin_store, case_id=case_id, at=datetime(2026, 6, 1, 12, tzinfo=UTC)
    )
    assert item.standing.standing is Standing.EXPIRED


def test_another_ground_carries_sharing_the_consent_does_not_cover(admin_store, case_id):
    consent = complete_consent_decision()
    given = records.record_consent_decision(admin_store, case_id=case_id, draft=consent)
    police = _relying_on(given.record_id, consent)
    police.recipients.append(Recipient(name="B Example", organisation="Fictional Police"))
    with pytest.raises(ChecklistRefused):
        records.record_sharing_decision(admin_store, case_id=case_id, draft=police)
    police.grounds = [Ground.CONSENT, Ground.STATUTORY_DUTY]
    police.ground_references = {"statutory_duty": "Crime and Disorder Act 1998 s115"}
    records.record_sharing_decision(admin_store, case_id=case_id, draft=police)


def test_duplicate_case_warning(admin_store, case_id):
    with pytest.raises(cases.PossibleDuplicate) as dup:
        cases.create_case(admin_store, draft=complete_case(display_name="  testy  MCTESTFACE "))
    assert dup.value.matches[0].case_id == case_id
    other = cases.create_case(
        admin_store, draft=complete_case(case_reference="TEST-0002"), confirmed_not_duplicate=True
    )
    assert other != case_id


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=complete_sharing_decisions())
def test_any_draft_without_blocking_findings_saves_and_reads_back_equal(
    admin_store, case_id, generated
):
    from infoshare_desktop.domain import blocking, check_sharing_decision

    then, draft = generated
    age = min(then - draft.occurred_at, timedelta(hours=23))
    draft.occurred_at = utcnow() - age  # about the same age, now
    clean = draft.cleaned()
    assert not blocking(check_sharing_decision(clean, now=utcnow()))
    saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=draft)
    assert cases.record_detail(admin_store, record_id=saved.record_id).content == clean


def test_a_refused_save_keeps_the_draft_it_came_from(admin_store, case_id):
    """A decision not to share without its weighing is refused; the draft survives."""
    from infoshare_desktop.services import drafts

    draft = complete_sharing_decision(kind=SharingKind.NOT_SHARED, weighing="")
    draft_id = drafts.save_draft(admin_store, draft=draft, case_id=case_id)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_sharing_decision(
            admin_store, case_id=case_id, draft=draft, from_draft_id=draft_id
        )
    assert "WEIGHING" in {f.rule_id for f in refused.value.findings}
    assert drafts.load_draft(admin_store, draft_id=draft_id)[1] == draft


def test_records_survive_locking_and_unlocking(data_paths, admin_store, case_id):
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    admin_store.close()
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert cases.record_detail(store, record_id=saved.record_id).record_id == saved.record_id
    store.close()


def _practitioner(admin_store, data_paths):
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    return accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )


def test_advice_is_recorded_in_the_chronology_and_refused_when_incomplete(admin_store, case_id):
    from infoshare_desktop.domain import AdviceDraft
    from tests.domain.factories import complete_advice

    before = counts(admin_store)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_advice(admin_store, case_id=case_id, draft=AdviceDraft())
    assert {"ADVICE_FROM", "ADVICE_GIVEN"} <= {f.rule_id for f in refused.value.findings}
    assert counts(admin_store) == before
    advice = complete_advice()
    saved = records.record_advice(admin_store, case_id=case_id, draft=advice)
    (entry,) = cases.chronology(admin_store, case_id=case_id)
    assert (entry.record_id, entry.kind.value) == (saved.record_id, "advice")
    assert entry.occurred_at == advice.sought_at
    assert "Designated safeguarding lead" in entry.summary
    assert cases.record_detail(admin_store, record_id=saved.record_id).content == advice.cleaned()
