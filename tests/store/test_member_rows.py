"""A `case_member` row added by SQL adds nothing to what the case queries return: the
worklist and its counts, the case count and list, the review queue with its counts,
authors and team overview, and the NHS-number lookup read the restricted cases signed
statements name the user on, never the rows.

Cal (a practitioner and supervisor, named on nothing) adds the row with an independent
SQLCipher reader (apsw-sqlite3mc) and his own data key. Each test ends with the
control: Bea naming him by the service (a signed statement) does add the case."""

from __future__ import annotations

import json

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import cases, maintenance, records, reviews, sealed, worklist
from infoshare_desktop.services.visibility import CaseNotFound
from infoshare_desktop.store import crypto, sealing
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case
from tests.services.test_reviews import without_consent
from tests.store.test_member_carry_over import old_store  # noqa: F401  (a fixture)
from tests.store.test_sealed_content import (
    BEA,
    BEA_PASSWORD,
    CAL,
    CAL_PASSWORD,
    TEXT_MARK,
    _cals_key,
    _onboard,
    _raw_db,
    _sign_in,
    _user_id,
    bea_case,  # noqa: F401  (a fixture)
    plant_member_row,
)

OLD_NHS = "999 000 0018"  # the number old_store's restricted case was saved with


def _plant_row(paths, case_id: str) -> None:
    cal_id = _user_id(paths, CAL)
    conn = _raw_db(paths, _cals_key(paths))
    try:
        plant_member_row(conn, case_id, cal_id)
    finally:
        conn.close()


def _name_cal(paths, case_id: str) -> None:
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:
        cases.add_case_member(bea, case_id=case_id, user_id=_user_id(paths, CAL))
    finally:
        bea.close()


def _cals_view(paths) -> dict[str, object]:
    """What Cal's screens show: the worklist's counts and items, the case count and the
    cases listed."""
    cal = _sign_in(paths, CAL, CAL_PASSWORD)
    try:
        sections = worklist.my_work(cal)
        return {
            "work": {s.kind: (s.count, [i.record_id for i in s.items]) for s in sections},
            "count": cases.count_cases(cal),
            "listed": sorted(c.case_id for c in cases.list_cases(cal)),
        }
    finally:
        cal.close()


def _beas_cases(paths) -> tuple[str, str, str]:
    """Bea's restricted case with a sharing decision waiting for review, and an ordinary
    case with one: (restricted case, its record, ordinary case)."""
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(bea, draft=complete_case(restricted=True, nhs_number=""))
        record_id = records.record_sharing_decision(
            bea, case_id=case_id, draft=without_consent()
        ).record_id
        ordinary = cases.create_case(
            bea, draft=complete_case(case_reference="ORD-2"), confirmed_not_duplicate=True
        )
        records.record_sharing_decision(bea, case_id=ordinary, draft=without_consent())
    finally:
        bea.close()
    return case_id, record_id, ordinary


@pytest.fixture
def team(admin_store, data_paths):
    _onboard(data_paths, admin_store, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.PRACTITIONER})
    _onboard(data_paths, admin_store, CAL, CAL_PASSWORD, {Role.PRACTITIONER, Role.SUPERVISOR})
    admin_store.close()
    return data_paths


def test_a_member_row_added_by_sql_adds_nothing_to_the_worklist_or_the_counts(team):
    """Bea's restricted case holds a sharing decision waiting for review: a supervisor
    named on it sees it in "Awaiting my review"; Cal's row does not make him one."""
    case_id, record_id, ordinary = _beas_cases(team)
    before = _cals_view(team)
    assert before["count"] == 1 and before["listed"] == [ordinary]
    assert before["work"][worklist.WorkKind.AWAITING_REVIEW][0] == 1  # the ordinary case's
    assert record_id not in before["work"][worklist.WorkKind.AWAITING_REVIEW][1]

    _plant_row(team, case_id)
    assert _cals_view(team) == before

    _name_cal(team, case_id)  # the control: a signed statement does add it
    after = _cals_view(team)
    awaiting = after["work"][worklist.WorkKind.AWAITING_REVIEW]
    assert after["count"] == 2 and case_id in after["listed"]
    assert record_id in awaiting[1]
    assert awaiting[0] == before["work"][worklist.WorkKind.AWAITING_REVIEW][0] + 1


def _cals_review_pages(paths) -> dict[str, object]:
    """What Cal's review pages show: the queue, its figures, its authors, the team."""
    cal = _sign_in(paths, CAL, CAL_PASSWORD)
    try:
        return {
            "queue": sorted(item.record_id for item in reviews.review_queue(cal)),
            "summary": reviews.queue_summary(cal),
            "count": reviews.queue_count(cal),
            "authors": reviews.queue_authors(cal),
            "team": reviews.team_overview(cal),
        }
    finally:
        cal.close()


def test_a_member_row_added_by_sql_adds_nothing_to_the_review_pages(team):
    """A supervisor's review queue, its counts, its authors and the team overview list
    and count a restricted case's record only for a supervisor signed statements name on
    the case: Cal's planted row shows him nothing more."""
    case_id, record_id, _ordinary = _beas_cases(team)
    before = _cals_review_pages(team)
    assert len(before["queue"]) == 1 and record_id not in before["queue"]
    assert before["count"] == 1 and before["summary"].awaiting == 1

    _plant_row(team, case_id)
    assert _cals_review_pages(team) == before

    _name_cal(team, case_id)  # the control: a signed statement does add it
    after = _cals_review_pages(team)
    assert record_id in after["queue"] and after["count"] == 2
    assert after["summary"].awaiting == 2
    assert [row.awaiting for row in after["team"]] == [2]


def test_a_member_row_added_by_sql_finds_nothing_by_nhs_number(old_store):  # noqa: F811
    """The previous release's restricted case keeps its NHS number plain until an
    administrator's sign-in seals it: before that, Cal's row finds it neither by the
    number's search nor by the duplicate check's lookup of the number, nor in his case
    count."""
    paths, case_id, _ordinary = old_store
    digits = OLD_NHS.replace(" ", "")
    _plant_row(paths, case_id)
    cal = _sign_in(paths, CAL, CAL_PASSWORD)
    try:
        assert cases.search(cal, query=OLD_NHS) == []
        assert cases._same_nhs_number(cal, digits, known=set()) == []  # the duplicate check
        assert cases.count_cases(cal) == 1
    finally:
        cal.close()
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:  # nor does Bea's own row: nobody's row counts until the carry-over signs it
        assert cases.search(bea, query=OLD_NHS) == []
        assert cases._same_nhs_number(bea, digits, known=set()) == []
    finally:
        bea.close()
    _sign_in(paths, ADMIN, ADMIN_PASSWORD).close()  # the carry-over, and the seal
    bea = _sign_in(paths, BEA, BEA_PASSWORD)
    try:  # the control: signed now, the case is hers, found by its number
        assert [h.case_id for h in cases.search(bea, query=OLD_NHS)] == [case_id]
    finally:
        bea.close()
    cal = _sign_in(paths, CAL, CAL_PASSWORD)
    try:
        assert cases.search(cal, query=OLD_NHS) == []
    finally:
        cal.close()


def test_a_case_key_sealed_to_someone_not_named_on_the_case_is_ignored_and_named(
    team,
    bea_case,  # noqa: F811
):
    """Bea (a member, holding the case's key) seals it to Cal with a direct SQL insert,
    and adds his membership row: the key opens with Cal's own private key, but his
    session ignores the grant row (no signed statement names him), so the case stays
    closed and unsearchable to him; verify names the row."""
    cal_id = _user_id(team, CAL)
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        with bea.read() as session:
            epoch, key = bea.case_keys.current(session, bea_case)
        store_id = bea.case_keys.store_id
    finally:
        bea.close()
    cal_keys = Keystore.load(team.keystore).unlock(CAL, CAL_PASSWORD)
    cal_public = crypto.b64d(Keystore.load(team.keystore).public_key(cal_id))
    aad = sealing._grant_aad(store_id, bea_case, epoch, cal_id)
    box = crypto.seal(cal_public, key, aad)
    assert crypto.open_sealed(cal_keys.private_key, box, aad) == key  # a real key for him
    conn = _raw_db(team, _cals_key(team))
    try:
        conn.execute(
            "INSERT INTO case_key_grant (case_id, epoch, user_id, public, box, granted_at,"
            " granted_by) VALUES (?, ?, ?, ?, ?, '2026-01-01 00:00:00.000000', ?)",
            (bea_case, epoch, cal_id, crypto.b64e(cal_public), json.dumps(box), cal_id),
        )
    finally:
        conn.close()
    _plant_row(team, bea_case)
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        with cal.read() as session:
            assert cal.case_keys.held(session, bea_case) == {}
            assert sealed.identities(cal, session, [bea_case]) == {}
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=bea_case)
        assert cases.search(cal, query=TEXT_MARK) == []
        text = "\n".join(maintenance.verify(cal).lines())
    finally:
        cal.close()
    assert (
        f"restricted case {bea_case}'s key (epoch {epoch}) is sealed to {CAL}, whom no "
        "signed statement names on it: it is ignored"
    ) in text


def test_restricting_a_case_signs_only_the_members_its_envelopes_named(team):
    """On an ordinary case, Bea names Dee (a signed envelope) and Cal adds his own row by
    SQL; Bea then restricts the case: Dee is named on it by a signed statement, Cal not."""
    admin = _sign_in(team, ADMIN, ADMIN_PASSWORD)
    try:
        _onboard(team, admin, "dee.worker", "cobalt lantern meadow", {Role.PRACTITIONER})
    finally:
        admin.close()
    dee_id = _user_id(team, "dee.worker")
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        case_id = cases.create_case(bea, draft=complete_case(nhs_number=""))
        cases.add_case_member(bea, case_id=case_id, user_id=dee_id)
    finally:
        bea.close()
    _plant_row(team, case_id)
    bea = _sign_in(team, BEA, BEA_PASSWORD)
    try:
        cases.set_case_restricted(bea, case_id=case_id, restricted=True)
        with bea.read() as session:
            assert bea.members_of(session, case_id) == {_user_id(team, BEA), dee_id}
    finally:
        bea.close()
    cal = _sign_in(team, CAL, CAL_PASSWORD)
    try:
        with pytest.raises(CaseNotFound):
            cases.open_case(cal, case_id=case_id)
    finally:
        cal.close()
