"""The consistent identifier through the services, against a real store: recorded with
the case, amended (never silently: the earlier one stays, with who and when, audited),
refused when invalid with nothing written, found by an exact search (spaces ignored)
only while it is the case's identifier, and printed."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.identifier import IdentifierReason
from infoshare_desktop.services import accounts, cases, identifiers, printing
from infoshare_desktop.services.errors import ChecklistRefused
from infoshare_desktop.services.printing import SummaryOptions
from infoshare_desktop.store.tables import AuditEvent, CaseFile
from tests.domain.factories import complete_case
from tests.reports.conftest import flat, page_texts

PASSWORD = "harbour lantern meadow"  # fictional


def identifier_rows(store) -> int:
    with store.read() as session:
        return session.connection().exec_driver_sql("SELECT count(*) FROM case_identifier").scalar()


def test_a_case_is_created_with_its_nhs_number(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(nhs_number=" 999 000 0026 "))
    shown = cases.open_case(admin_store, case_id=case_id).identifier
    assert shown.nhs_number == "9990000026"  # stored as its digits
    assert shown.text() == "NHS number 999 000 0026"
    assert shown.recorded_by == "Alex Example (Admin)"


def test_a_case_is_created_with_the_reason_there_is_none(admin_store):
    case_id = cases.create_case(
        admin_store,
        draft=complete_case(
            nhs_number="",
            identifier_reason=IdentifierReason.UNKNOWN_DELAY,
            identifier_reason_text="The GP practice is closed until Monday",
        ),
    )
    shown = cases.open_case(admin_store, case_id=case_id).identifier
    assert shown.nhs_number is None and shown.reason is IdentifierReason.UNKNOWN_DELAY
    assert shown.text().endswith("unreasonable delay (The GP practice is closed until Monday)")


def test_a_case_without_either_is_created_with_an_advisory(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(nhs_number=""))
    assert cases.open_case(admin_store, case_id=case_id).identifier is None


@pytest.mark.parametrize(
    "changes",
    [
        {"nhs_number": "999 000 0019"},  # check digit wrong
        {"nhs_number": "99900000"},
        {"nhs_number": "", "identifier_reason": IdentifierReason.OTHER},  # no words
        {"identifier_reason": IdentifierReason.MORE_DETRIMENTAL},  # both
    ],
)
def test_an_invalid_identifier_refuses_the_case_and_writes_nothing(admin_store, changes):
    with pytest.raises(ChecklistRefused):
        cases.create_case(admin_store, draft=complete_case(**changes))
    with admin_store.read() as session:
        assert session.exec(select(func.count()).select_from(CaseFile)).one() == 0
    assert identifier_rows(admin_store) == 0


def test_changing_the_identifier_is_an_audited_amendment(admin_store, data_paths):
    case_id = cases.create_case(admin_store, draft=complete_case(nhs_number="9990000018"))
    code = accounts.add_user(
        admin_store, username="pat.prac", display_name="Pat Example", roles={Role.PRACTITIONER}
    )
    other = accounts.sign_in(data_paths, username="pat.prac", password=code, new_password=PASSWORD)
    try:
        changed = identifiers.change_identifier(other, case_id=case_id, nhs_number="9990000034")
        assert changed.text() == "NHS number 999 000 0034" and changed.recorded_by == "Pat Example"
        history = identifiers.identifier_history(other, case_id=case_id)
        assert [h.nhs_number for h in history] == ["9990000034", "9990000018"]
        assert [h.recorded_by for h in history] == ["Pat Example", "Alex Example (Admin)"]
        assert history[0].recorded_at >= history[1].recorded_at
        with admin_store.read() as session:
            entry = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (entry.action, entry.target_kind, entry.target_id, entry.detail) == (
            "record.amend",
            "case",
            case_id,
            "identifier",
        )
        assert "999" not in (entry.detail or "")  # ids and codes only

        before = identifier_rows(admin_store)
        with pytest.raises(identifiers.IdentifierUnchanged):
            identifiers.change_identifier(other, case_id=case_id, nhs_number="999 000 0034")
        for bad in ({"nhs_number": "9990000035"}, {}):  # invalid, or neither given
            with pytest.raises(ChecklistRefused):
                identifiers.change_identifier(other, case_id=case_id, **bad)
        assert identifier_rows(admin_store) == before

        identifiers.change_identifier(
            other,
            case_id=case_id,
            reason=IdentifierReason.MORE_DETRIMENTAL,
            reason_text="Agreed at the strategy meeting",
        )
        now = cases.open_case(other, case_id=case_id).identifier
        assert now.nhs_number is None and now.reason is IdentifierReason.MORE_DETRIMENTAL
    finally:
        other.close()


def test_rows_are_never_changed_or_deleted(admin_store):
    cases.create_case(admin_store, draft=complete_case())
    with admin_store.write() as session:
        conn = session.connection()
        for sql in ("UPDATE case_identifier SET nhs_number = NULL", "DELETE FROM case_identifier"):
            with pytest.raises(Exception, match="cannot be changed or deleted"):
                conn.exec_driver_sql(sql)


def test_the_same_nhs_number_on_a_new_case_asks_first(admin_store):
    first = cases.create_case(admin_store, draft=complete_case(nhs_number="9990000018"))
    other_child = complete_case(display_name="Another Example", nhs_number="999 000 0018")
    with pytest.raises(cases.PossibleDuplicate) as asked:
        cases.create_case(admin_store, draft=other_child)
    assert [m.case_id for m in asked.value.matches] == [first]
    assert "same NHS number" in str(asked.value)
    cases.create_case(admin_store, draft=other_child, confirmed_not_duplicate=True)


def test_search_by_nhs_number_is_exact_and_ignores_spaces(admin_store, data_paths):
    first = cases.create_case(admin_store, draft=complete_case(nhs_number="9990000018"))
    second = cases.create_case(
        admin_store,
        draft=complete_case(
            display_name="Another Example", case_reference="TEST-0002", nhs_number="9990000042"
        ),
    )
    for typed in ("9990000018", "999 000 0018", " 999 000 0018 "):
        (hit,) = cases.search(admin_store, query=typed)
        assert hit.case_id == first
        assert hit.identifier.text() == "NHS number 999 000 0018"
    assert cases.search(admin_store, query="999000001") == []  # never a prefix match
    # Results of an ordinary search carry the identifier too.
    hits = {h.case_id: h for h in cases.search(admin_store, query="Another")}
    assert hits[second].identifier.text() == "NHS number 999 000 0042"

    # Once changed, the old number no longer finds the case; the new one does.
    identifiers.change_identifier(admin_store, case_id=first, nhs_number="9990000050")
    assert cases.search(admin_store, query="999 000 0018") == []
    assert [h.case_id for h in cases.search(admin_store, query="9990000050")] == [first]

    # A restricted case is found only by the staff named on it.
    secret = cases.create_case(
        admin_store,
        draft=complete_case(
            display_name="Third Example",
            case_reference="TEST-0003",
            nhs_number="9990000069",
            restricted=True,
        ),
    )
    code = accounts.add_user(
        admin_store, username="pat.prac", display_name="Pat Example", roles={Role.PRACTITIONER}
    )
    other = accounts.sign_in(data_paths, username="pat.prac", password=code, new_password=PASSWORD)
    try:
        assert cases.search(other, query="9990000069") == []
        assert [h.case_id for h in cases.search(admin_store, query="9990000069")] == [secret]
    finally:
        other.close()


def test_the_printed_summary_gives_the_identifier(admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case(nhs_number="9990000018"))
    data = printing.build_case_summary(admin_store, case_id=case_id, options=SummaryOptions())
    text = flat(page_texts(data)[0])
    assert "Consistent identifier NHS number 999 000 0018" in text
    identifiers.change_identifier(
        admin_store, case_id=case_id, reason=IdentifierReason.MORE_DETRIMENTAL
    )
    data = printing.build_case_summary(admin_store, case_id=case_id, options=SummaryOptions())
    assert "NHS number not included: including it would be more detrimental" in flat(
        page_texts(data)[0]
    )
