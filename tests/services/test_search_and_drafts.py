"""Full-text search inside the encrypted store, the chronology, and drafts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infoshare_desktop.domain import SharingDecisionDraft, utcnow
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts, cases, drafts, records
from infoshare_desktop.services.visibility import CaseNotFound
from tests.domain.factories import complete_case, complete_sharing_decision


@pytest.fixture
def two_cases(admin_store):
    a = cases.create_case(
        admin_store,
        draft=complete_case(display_name="Zofia Wiśniewska", case_reference="CS-2026-00417"),
    )
    b = cases.create_case(
        admin_store,
        draft=complete_case(display_name="Ολυμπία Παπαδοπούλου", case_reference="CS-2026-00999"),
    )
    records.record_sharing_decision(
        admin_store,
        case_id=a,
        draft=complete_sharing_decision(
            reasons="Shared because the bruising pattern reported by the school nurse needed a "
            "strategy discussion with the duty team today."
        ),
    )
    return a, b


def test_search_finds_a_record_by_a_word_from_its_reasons(admin_store, two_cases):
    a, _ = two_cases
    (hit,) = cases.search(admin_store, query="bruising")
    assert hit.case_id == a
    assert cases.MATCH_START + "bruising" + cases.MATCH_END in hit.snippet


def test_search_finds_a_case_by_part_of_its_reference_and_by_name(admin_store, two_cases):
    a, b = two_cases
    assert [h.case_id for h in cases.search(admin_store, query="00417")] == [a]
    assert [h.case_id for h in cases.search(admin_store, query="CS2026009")] == [b]
    assert [h.case_id for h in cases.search(admin_store, query="wisniewska")] == [a]
    assert [h.case_id for h in cases.search(admin_store, query="Παπαδοπ")] == [b]
    assert {h.case_id for h in cases.search(admin_store, query="CS-2026")} == {a, b}


@pytest.mark.parametrize(
    "query", ['"', "*", "AND OR NOT", "NEAR(", "', DROP TABLE x; --", "", "  "]
)
def test_search_syntax_in_the_query_is_harmless(admin_store, two_cases, query):
    cases.search(admin_store, query=query)  # no error


def test_search_returns_nothing_from_a_restricted_case_the_user_is_not_named_on(
    admin_store, data_paths, two_cases
):
    secret = cases.create_case(
        admin_store,
        draft=complete_case(
            display_name="Restricted Fictional Child", case_reference="RX-1", restricted=True
        ),
    )
    records.record_sharing_decision(
        admin_store,
        case_id=secret,
        draft=complete_sharing_decision(
            reasons="Kestrel operation details are for named staff only."
        ),
    )
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )
    assert cases.search(pat, query="Kestrel") == []
    assert cases.search(pat, query="Restricted") == []
    assert secret not in {c.case_id for c in cases.list_cases(pat)}
    with pytest.raises(CaseNotFound):
        cases.chronology(pat, case_id=secret)
    # Once named on the case, they see it.
    cases.add_case_member(admin_store, case_id=secret, user_id=pat.user.user_id)
    assert [h.case_id for h in cases.search(pat, query="Kestrel")] == [secret]
    pat.close()


def test_chronology_is_ordered_by_when_it_happened(admin_store, two_cases):
    a, _ = two_cases
    now = utcnow()
    records.record_sharing_decision(
        admin_store,
        case_id=a,
        draft=complete_sharing_decision(
            occurred_at=now - timedelta(days=10), late_entry_reason="Paper notes typed up late."
        ),
    )
    entries = cases.chronology(admin_store, case_id=a)
    assert [e.occurred_at for e in entries] == sorted(e.occurred_at for e in entries)
    assert entries[0].late and not entries[1].late


def test_case_list_counts_and_flags(admin_store, two_cases):
    a, b = two_cases
    listed = {c.case_id: c for c in cases.list_cases(admin_store)}
    assert listed[a].records == 1 and listed[b].records == 0
    assert listed[a].last_activity is not None and listed[a].last_activity.tzinfo is not None
    assert cases.count_cases(admin_store) == 2
    by_ref = cases.list_cases(admin_store, sort="reference", descending=False)
    assert [c.case_reference for c in by_ref] == ["CS-2026-00417", "CS-2026-00999"]


def test_drafts_keep_any_typing_and_are_private(admin_store, data_paths, two_cases):
    a, _ = two_cases
    half = SharingDecisionDraft(
        purpose="Half-typed purpose with odd text \ud800 and \x00", reasons=""
    )
    draft_id = drafts.save_draft(admin_store, draft=half, case_id=a)
    half.reasons = "more typing"
    assert drafts.save_draft(admin_store, draft=half, case_id=a, draft_id=draft_id) == draft_id
    (summary,) = drafts.list_drafts(admin_store)
    assert summary.case_reference == "CS-2026-00417"
    _, loaded = drafts.load_draft(admin_store, draft_id=draft_id)
    assert loaded == half
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )
    assert drafts.list_drafts(pat) == []
    with pytest.raises(drafts.DraftNotFound):
        drafts.load_draft(pat, draft_id=draft_id)
    pat.close()
    # Saving the record from the draft removes the draft in the same transaction.
    records.record_sharing_decision(
        admin_store, case_id=a, draft=complete_sharing_decision(), from_draft_id=draft_id
    )
    assert drafts.list_drafts(admin_store) == []


def test_discarding_a_draft(admin_store, two_cases):
    draft_id = drafts.save_draft(admin_store, draft=SharingDecisionDraft(), case_id=two_cases[0])
    drafts.discard_draft(admin_store, draft_id=draft_id)
    with pytest.raises(drafts.DraftNotFound):
        drafts.load_draft(admin_store, draft_id=draft_id)


def test_a_draft_cannot_name_a_restricted_case_its_author_is_not_named_on(admin_store, data_paths):
    secret = cases.create_case(
        admin_store,
        draft=complete_case(
            display_name="Restricted Fictional Child", case_reference="RX-7", restricted=True
        ),
    )
    code = accounts.add_user(
        admin_store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
    )
    pat = accounts.sign_in(
        data_paths, username="pat.p", password=code, new_password="copper lagoon sparrow"
    )
    with pytest.raises(CaseNotFound):
        drafts.save_draft(pat, draft=SharingDecisionDraft(reasons="x"), case_id=secret)
    shown = [(d.case_name, d.case_reference) for d in drafts.list_drafts(pat)]
    assert ("Restricted Fictional Child", "RX-7") not in shown
    pat.close()


# -- ranking, short queries, cancelling ------------------------------------------------------


def test_a_word_in_many_records_lists_the_case_named_by_it_first_then_the_newest_records(
    admin_store,
):
    """A case whose own name matches comes first; the other cases follow by their newest
    matching record (the one whose snippet is shown), newest first."""
    named = cases.create_case(admin_store, draft=complete_case(display_name="Robin Pennock"))
    others = [
        cases.create_case(admin_store, draft=complete_case(display_name=f"Child {n}"))
        for n in range(3)
    ]
    for n, case_id in enumerate([*others, named, others[0]]):
        records.record_sharing_decision(
            admin_store,
            case_id=case_id,
            draft=complete_sharing_decision(reasons=f"Shared after visit {n} to the Pennock home"),
        )
    hits = cases.search(admin_store, query="Pennock")
    assert [h.case_id for h in hits] == [named, others[0], others[2], others[1]]
    assert [h.score for h in hits] == sorted(h.score for h in hits)
    mark = f"{cases.MATCH_START}Pennock{cases.MATCH_END}"
    assert hits[0].snippet.startswith(f"Robin {mark}")  # its own words: the name
    assert "visit 4" in hits[1].snippet and mark in hits[1].snippet  # its newest record
    assert all(mark in h.snippet for h in hits)
    assert [h.case_id for h in cases.search(admin_store, query="Pennock", limit=2)] == [
        named,
        others[0],
    ]


def test_fewer_than_three_letters_search_nothing_but_a_whole_reference(admin_store):
    short = cases.create_case(
        admin_store, draft=complete_case(display_name="Chris Ab", case_reference="AB")
    )
    cases.create_case(admin_store, draft=complete_case(display_name="Charlie Chapman"))
    assert cases.too_short("ch") and cases.too_short(" c h ") and not cases.too_short("cha")
    assert cases.search(admin_store, query="ch") == []  # would start a thousand words
    (hit,) = cases.search(admin_store, query="ab")  # a reference, typed in full
    assert hit.case_id == short
    assert hit.snippet == f"Reference {cases.MATCH_START}AB{cases.MATCH_END}"
    assert {h.display_name for h in cases.search(admin_store, query="cha")} == {"Charlie Chapman"}
    assert cases.search(admin_store, query="Ab Chris")[0].case_id == short  # whole words


def test_a_cancelled_search_stops_without_results(admin_store, two_cases):
    with pytest.raises(cases.SearchCancelled):
        cases.search(admin_store, query="bruising", cancelled=lambda: True)
    assert len(cases.search(admin_store, query="bruising", cancelled=lambda: False)) == 1
