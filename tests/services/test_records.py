"""Saving records through the services alone: complete ones save and read back equal,
incomplete ones are refused with their findings and nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

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
    ReviewDraft,
    ReviewOutcome,
    SharingKind,
    utcnow,
)
from infoshare_desktop.domain.accounts import Role
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


def test_consent_scope_is_checked_against_the_consent_relied_on(admin_store, case_id):
    consent = complete_consent_decision()
    saved_consent = records.record_consent_decision(admin_store, case_id=case_id, draft=consent)
    ok = complete_sharing_decision(
        consent_status=ConsentStatus.EXPLICIT,
        consent_decision_id=saved_consent.record_id,
        consent_purpose=consent.scope_purposes[0],
    )
    ok.recipients[0].organisation = consent.scope_agencies[0]
    records.record_sharing_decision(admin_store, case_id=case_id, draft=ok)

    # The child's parent withdraws consent: a new decision supersedes the first.
    withdrawal = complete_consent_decision(
        outcome=ConsentOutcome.WITHDRAWN,
        supersedes_id=saved_consent.record_id,
        scope_agencies=[],
        scope_purposes=[],
        scope_information="",
    )
    records.record_consent_decision(admin_store, case_id=case_id, draft=withdrawal)
    with pytest.raises(ChecklistRefused) as refused:
        records.record_sharing_decision(admin_store, case_id=case_id, draft=ok)
    assert "CONSENT_SCOPE" in {f.rule_id for f in refused.value.findings}
    position = cases.consent_position(admin_store, case_id=case_id)
    assert [p.status for p in position] == ["withdrawn", "superseded"]


def test_consent_position_marks_expired_consent(admin_store, case_id):
    records.record_consent_decision(
        admin_store, case_id=case_id, draft=complete_consent_decision(valid_until=date(2026, 1, 31))
    )
    (item,) = cases.consent_position(admin_store, case_id=case_id, today=date(2026, 6, 1))
    assert item.status == "expired"


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


def test_checking_a_sharing_decision_does_not_read_consent_of_a_restricted_case(
    data_paths, admin_store
):
    secret = cases.create_case(admin_store, draft=complete_case(restricted=True))
    consent = records.record_consent_decision(
        admin_store, case_id=secret, draft=complete_consent_decision()
    )
    pat = _practitioner(admin_store, data_paths)
    draft = complete_sharing_decision(
        consent_status=ConsentStatus.EXPLICIT, consent_decision_id=consent.record_id
    )
    with pytest.raises(cases.StoreError):
        records.check_sharing_decision(pat, case_id=secret, draft=draft)
    pat.close()


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
