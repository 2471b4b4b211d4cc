"""The store's repositories (store.records, search, cases, reviews, drafts, settings,
users) against a real SQLCipher file: what they write is what the application reads
back, the demo data is written the one way a save writes, and a failed transaction
leaves nothing behind."""

from __future__ import annotations

import json
import random
import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlcipher3
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from infoshare_desktop import demo
from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome, SharingKind
from infoshare_desktop.domain.records import CaseDraft, SharingDecisionDraft
from infoshare_desktop.domain.reviews import ReviewStatus
from infoshare_desktop.services import accounts, cases, records
from infoshare_desktop.store import cases as case_rows
from infoshare_desktop.store import drafts as draft_rows
from infoshare_desktop.store import envelopes, grants, search, settings, users
from infoshare_desktop.store import records as record_rows
from infoshare_desktop.store import reviews as review_rows
from infoshare_desktop.store.cases import NewCase
from infoshare_desktop.store.records import NewRecord
from infoshare_desktop.store.search import IndexRow
from infoshare_desktop.store.tables import DraftRow
from infoshare_desktop.store.writes import raw_connection
from tests.domain.factories import complete_case, complete_sharing_decision

WHEN = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def _case(store, **changes) -> tuple[NewCase, IndexRow]:
    return case_rows.new_case(
        case_id=str(uuid.uuid4()),
        draft=complete_case(**changes),
        created_at=WHEN,
        created_by=store.user.user_id,
    )


def _record(
    store, case_id: str, draft: SharingDecisionDraft | None = None, **changes
) -> tuple[NewRecord, IndexRow]:
    draft = draft or complete_sharing_decision(now=WHEN)
    fields = {
        "record_id": str(uuid.uuid4()),
        "case_id": case_id,
        "kind": RecordKind.SHARING_DECISION,
        "subkind": SharingKind.SHARED.value,
        "draft": draft,
        "summary": "Shared with the school",
        "author_id": store.user.user_id,
        "occurred_at": WHEN - timedelta(hours=1),
        "recorded_at": WHEN,
        "late": False,
    }
    return record_rows.new_record(**(fields | changes))


@pytest.fixture
def case_id(admin_store) -> str:
    row = _case(admin_store, display_name="Zofia Wiśniewska", case_reference="CS-2026-00417")
    with admin_store.write() as session:
        case_rows.insert_many(session, [row])
    return row[0].id


def _other_user(store, data_paths, username: str = "pat.other", roles=(Role.PRACTITIONER,)):
    code = accounts.add_user(store, username=username, display_name="Pat Other", roles=set(roles))
    other = accounts.sign_in(
        data_paths, username=username, password=code, new_password="willow harbour kettle"
    )
    user_id = other.user.user_id
    other.close()
    return user_id


# -- records ------------------------------------------------------------------------------


@pytest.mark.parametrize("direct", [False, True], ids=["session", "write_direct"])
def test_a_record_written_reads_back_as_written(admin_store, case_id, direct):
    row, index = _record(admin_store, case_id, late=True, without_consent=True, harm_concern=True)
    writer = admin_store.write_direct if direct else admin_store.write
    with writer() as tx:
        record_rows.insert_many(tx, [(row, index)])
    with admin_store.read() as session:
        saved = record_rows.get(session, row.id)
        assert saved is not None
        assert saved.case_id == case_id and saved.kind == RecordKind.SHARING_DECISION.value
        assert (saved.late, saved.without_consent, saved.harm_concern) == (True, True, True)
        assert saved.occurred_at.replace(tzinfo=UTC) == row.occurred_at  # naive UTC in SQLite
        assert saved.recorded_at.replace(tzinfo=UTC) == WHEN
        assert SharingDecisionDraft.from_dict(json.loads(saved.payload)) == row_draft(row)
        chronology = record_rows.chronology_rows(session, case_id)
    assert [(c.id, c.summary, c.late) for c in chronology] == [(row.id, row.summary, True)]


def row_draft(row: NewRecord) -> SharingDecisionDraft:
    return SharingDecisionDraft.from_dict(json.loads(row.payload))


def test_an_unknown_record_is_none(admin_store):
    with admin_store.read() as session:
        assert record_rows.get(session, "no-such-id") is None


@pytest.mark.parametrize("direct", [False, True], ids=["session", "write_direct"])
def test_a_failed_transaction_leaves_neither_the_record_nor_its_index_row(
    admin_store, case_id, direct
):
    draft = complete_sharing_decision(now=WHEN, reasons="Shared about the marmalade incident")
    row, index = _record(admin_store, case_id, draft=draft)
    writer = admin_store.write_direct if direct else admin_store.write
    with pytest.raises(RuntimeError), writer() as tx:
        record_rows.insert_many(tx, [(row, index)])
        raise RuntimeError("the audit entry could not be written")
    with admin_store.read() as session:
        assert record_rows.get(session, row.id) is None
        found = search.search(
            session,
            match=search.match_expression("marmalade") or "",
            members=set(),
            limit=5,
        )
        assert found == []


def test_saved_records_cannot_be_changed_even_through_the_repositories_connection(
    admin_store, case_id
):
    row, index = _record(admin_store, case_id)
    with admin_store.write() as session:
        record_rows.insert_many(session, [(row, index)])
    with pytest.raises(sqlcipher3.IntegrityError), admin_store.write_direct() as db:
        db.execute("UPDATE saved_record SET summary = 'changed' WHERE id = ?", (row.id,))
    with admin_store.read() as session:
        saved = record_rows.get(session, row.id)
        assert saved is not None and saved.summary == row.summary


def test_targeting_and_reviews_of_find_amendments_and_reviews_oldest_first(admin_store, case_id):
    first, first_index = _record(admin_store, case_id)
    later = [
        _record(
            admin_store,
            case_id,
            kind=kind,
            subkind=subkind,
            target_id=first.id,
            recorded_at=WHEN + timedelta(minutes=n),
            occurred_at=WHEN + timedelta(minutes=n),
        )
        for n, (kind, subkind) in enumerate(
            [(RecordKind.REVIEW, "returned"), (RecordKind.AMENDMENT, "addition")], start=1
        )
    ]
    with admin_store.write() as session:
        record_rows.insert_many(session, [(first, first_index), *later])
    with admin_store.read() as session:
        assert [r.kind for r in record_rows.targeting(session, first.id)] == ["review", "amendment"]
        (review,) = record_rows.reviews_of(session, [first.id])
        assert (review.target_id, review.author_id) == (first.id, admin_store.user.user_id)
        assert {t.kind for t in record_rows.targeting_many(session, [first.id])} == {
            "review",
            "amendment",
        }


# -- one way to build a row ---------------------------------------------------------------


def test_the_demo_writes_the_rows_a_real_save_writes(admin_store):
    """Every demo record's summary, late flag and index row are what the save path's
    builder makes of its own payload; every demo case is found by name and reference."""
    demo.populate(admin_store, cases=3, records=12)
    with admin_store.read() as session:
        case_list = case_rows.page(
            session,
            members=admin_store.member_cases(session),
            offset=0,
            limit=10,
            sort="reference",
            descending=False,
        )
        assert len(case_list) == 3 and sum(c.records for c in case_list) == 12
        for listed in case_list:
            for row in record_rows.of_case(session, listed.case.id):
                kind = RecordKind(row.kind)
                draft = cases.draft_type(row.kind).from_dict(json.loads(row.payload))
                item = records.new_record(
                    case_id=row.case_id,
                    kind=kind,
                    subkind=row.subkind,
                    draft=draft,
                    occurred_at=row.occurred_at.replace(tzinfo=UTC),
                    recorded_at=row.recorded_at.replace(tzinfo=UTC),
                )
                built = dict(envelopes.rows_of(item, author_id=row.author_id))
                rebuilt = dict(
                    zip(envelopes.TABLES["saved_record"][0], built["saved_record"], strict=True)
                )
                index = search.IndexRow(*built["search_index"])
                assert (row.summary, row.late) == (rebuilt["summary"], bool(rebuilt["late"]))
                assert row.payload == rebuilt["payload"]
                indexed = session.connection().exec_driver_sql(
                    "SELECT case_id FROM search_index WHERE record_id = ?", (row.id,)
                )
                assert [c for (c,) in indexed] == [row.case_id]  # one index row, its case's
                assert index.body == search.draft_words(draft)  # the words a snippet is made of
    case = case_list[0].case
    found = cases.search(admin_store, query=case.case_reference.replace("-", ""))
    assert [h.case_id for h in found] == [case.id]
    assert case.id in {h.case_id for h in cases.search(admin_store, query=case.display_name)}


def test_a_case_created_by_the_service_and_by_the_builder_are_the_same_row(admin_store):
    draft = complete_case(display_name="Élodie  Brierley", case_reference="CS-2026/00012")
    case_id = cases.create_case(admin_store, draft=draft)
    with admin_store.read() as session:
        saved = case_rows.get(session, case_id)
        indexed = session.connection().exec_driver_sql(
            "SELECT count(*) FROM case_index WHERE case_id = ?", (case_id,)
        )
        assert indexed.scalar() == 1
        assert case_rows.is_member(session, case_id, admin_store.user.user_id)
    item = cases.new_case(draft.cleaned(), case_id=case_id, created_at=WHEN)
    made = dict(envelopes.rows_of(item, author_id=admin_store.user.user_id))
    built = NewCase(*made["case_file"])
    case_id_, words = made["case_index"]
    index = search.IndexRow(case_id_, None, words)
    assert (saved.display_name, saved.name_key, saved.case_reference, saved.date_of_birth) == (
        built.display_name,
        built.name_key,
        built.case_reference,
        None if built.date_of_birth is None else date.fromisoformat(built.date_of_birth),
    )
    assert built.name_key == "elodie brierley"
    assert index.body.endswith("CS202600012")


# -- cases and who sees them ----------------------------------------------------------------


def test_a_restricted_case_is_visible_to_its_members_only(admin_store, data_paths):
    other = _other_user(admin_store, data_paths)
    row = _case(admin_store, restricted=True, date_of_birth=date(2015, 6, 1))
    with admin_store.write() as session:
        case_rows.insert_many(session, [row])
    case_id = row[0].id

    def members(session, user_id):  # the restricted cases signed statements name them on
        return grants.refresh(raw_connection(session), admin_store.trust).member_cases(user_id)

    with admin_store.read() as session:
        for user_id, sees in [(admin_store.user.user_id, True), (other, False)]:
            named = members(session, user_id)
            assert (case_rows.is_visible(session, case_id, named) is not None) is sees
            assert (case_rows.visible(session, case_id, named) is not None) is sees
            assert case_rows.count_visible(session, named) == int(sees)
        assert case_rows.date_of_birth(session, case_id) == date(2015, 6, 1)
        assert case_rows.is_visible(session, "no-such-case", members(session, other)) is None
    with admin_store.write() as session:
        case_rows.add_member(
            session,
            case_id=case_id,
            user_id=other,
            added_at=WHEN,
            added_by=admin_store.user.user_id,
        )
    with admin_store.read() as session:  # a row no statement backs opens nothing
        assert case_rows.is_visible(session, case_id, members(session, other)) is None
        assert case_rows.count_visible(session, members(session, other)) == 0


def test_same_identity_ignores_case_accents_and_spacing(admin_store):
    row = _case(admin_store, display_name="Zofia Wiśniewska", date_of_birth=date(2016, 2, 29))
    with admin_store.write() as session:
        case_rows.insert_many(session, [row])
    with admin_store.read() as session:
        found = case_rows.same_identity(
            session,
            display_name="  zofia   WISNIEWSKA ",
            date_of_birth=date(2016, 2, 29),
            members=frozenset(),
        )
        other_day = case_rows.same_identity(
            session,
            display_name="Zofia Wiśniewska",
            date_of_birth=date(2016, 3, 1),
            members=frozenset(),
        )
    assert [c.id for c in found] == [row[0].id] and other_day == []


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", sorted(case_rows.SORT_KEYS))
def test_the_case_list_pages_in_every_sort_order_with_its_figures(admin_store, sort, descending):
    """Pages of 2 follow the sort value (ties by reference), and the cases without a value
    (no records, no date of birth) last by reference, in either direction."""
    born = [date(2016, 1, 1), None, date(2014, 1, 1), date(2016, 1, 1), None, date(2015, 1, 1)]
    names = ["Cara", "Abe", "Bo", "Dee", "Bo", "Eve"]
    made = [
        _case(admin_store, case_reference=f"CS-{n}", display_name=names[n], date_of_birth=born[n])
        for n in range(6)
    ]
    with admin_store.write() as session:
        case_rows.insert_many(session, made)
        for n, when in [(2, 3), (0, 1), (2, 2), (5, 1)]:  # 2 records on CS-2, 1 on CS-0, CS-5
            row, index = _record(admin_store, made[n][0].id, late=True)
            row = replace(row, occurred_at=WHEN + timedelta(hours=when))
            record_rows.insert_many(session, [(row, index)])
    with admin_store.read() as session:
        pages = [
            case_rows.page(
                session,
                members=frozenset(),
                offset=offset,
                limit=2,
                sort=sort,
                descending=descending,
            )
            for offset in (0, 2, 4, 6)
        ]
    listed = [r.case.case_reference for page in pages for r in page]
    value = {
        "reference": lambda n: f"CS-{n}",
        "name": lambda n: names[n].casefold(),
        "date_of_birth": lambda n: born[n],
        "created": lambda n: WHEN,
        "last_activity": lambda n: {2: 3, 0: 1, 5: 1}.get(n),
        "records": lambda n: {2: 2, 0: 1, 5: 1}.get(n),
    }[sort]
    having = sorted(
        (n for n in range(6) if value(n) is not None),
        key=lambda n: (value(n), f"CS-{n}"),
        reverse=descending,  # ties by reference, in the same direction
    )
    expected = [f"CS-{n}" for n in having] + [f"CS-{n}" for n in range(6) if value(n) is None]
    assert listed == expected
    (busy,) = [r for page in pages for r in page if r.case.id == made[2][0].id]
    assert (busy.records, busy.late_entries) == (2, 2)
    assert busy.last_activity is not None


# -- search ----------------------------------------------------------------------------------


def test_search_finds_the_row_and_a_snippet_marks_the_matching_words(admin_store, case_id):
    draft = complete_sharing_decision(now=WHEN, reasons="Shared after the kestrel sighting")
    row, index = _record(admin_store, case_id, draft=draft)
    with admin_store.write() as session:
        record_rows.insert_many(session, [(row, index)])
    match = search.match_expression("kestrel") or ""
    with admin_store.read() as session:
        found = search.search(session, match=match, members=set(), limit=5)
    assert found == [search.IndexHit(case_id, row.id)]
    (snippet,) = search.snippets([index.body], match=match, marks=("[", "]"))
    assert "[kestrel]" in snippet and "\n" not in snippet
    assert search.snippets(["no such bird"], match=match, marks=("[", "]")) == [""]


def test_a_search_reads_the_newest_rows_a_window_at_a_time_and_stops_at_its_bounds(
    admin_store, data_paths
):
    """Newest first, one case once, restricted cases of others skipped, at most `limit`
    cases and at most `max_rows` index rows read, whatever the window."""
    rows = [_case(admin_store, restricted=(n == 3)) for n in range(6)]
    with admin_store.write() as session:
        case_rows.insert_many(session, rows)
        for n in (0, 1, 2, 3, 4, 5, 4):  # case 4 twice: its newest record is the last row
            draft = complete_sharing_decision(now=WHEN, reasons=f"The heron came back ({n})")
            record_rows.insert_many(session, [_record(admin_store, rows[n][0].id, draft=draft)])
    ids = [row.id for row, _ in rows]
    match = search.match_expression("heron") or ""
    with admin_store.read() as session:

        def found(members: set[str], **bounds: int) -> list[str]:
            hits = search.search(session, match=match, members=members, **bounds)
            return [h.case_id for h in hits]

        mine, theirs = {ids[3]}, set()  # named on the restricted case by signed statements
        for window in (1, 2, 3, 500):
            assert found(mine, limit=10, window=window) == [ids[4], ids[5], ids[3], *ids[2::-1]]
            assert found(theirs, limit=10, window=window) == [ids[4], ids[5], *ids[2::-1]]
            assert found(theirs, limit=2, window=window) == [ids[4], ids[5]]
        # windows of 2 rows: (4, 5), (4, 3), (2, 1), (0)
        assert found(theirs, limit=10, window=2, max_rows=4) == [ids[4], ids[5]]
        assert found(theirs, limit=10, window=2, max_rows=5) == [ids[4], ids[5], ids[2], ids[1]]


def test_a_search_finds_what_a_plain_walk_of_every_row_finds_whatever_its_window(admin_store):
    """The rows are read from one statement in growing windows: whatever the window and
    the limit, a search gives what walking every matching row in order gives (cases
    whose own words match, newest first; then each other case at its newest matching
    record), restricted cases only to those named on them."""
    rng = random.Random(13)
    rows = [
        _case(
            admin_store,
            display_name=f"Ash {'Kestrel' if n % 3 == 0 else 'Wren'} {n}",
            restricted=(n % 5 == 4),
        )
        for n in range(15)
    ]
    records: list[tuple[str, str, bool]] = []  # (case id, record id, matches), in saved order
    with admin_store.write() as session:
        case_rows.insert_many(session, rows)
        for n in range(120):
            case_id, matches = rng.choice(rows)[0].id, rng.random() < 0.5
            words = "the kestrel hovered" if matches else "a quiet day"
            draft = complete_sharing_decision(now=WHEN, reasons=f"Seen: {words} ({n})")
            row, index = _record(admin_store, case_id, draft=draft)
            record_rows.insert_many(session, [(row, index)])
            records.append((case_id, row.id, matches))
    restricted = {row.id for row, _ in rows if row.restricted}
    match = search.match_expression("kestrel") or ""

    def walked(members: set[str], limit: int) -> list[search.IndexHit]:
        shown = [r for r, _ in rows if r.id not in restricted or r.id in members]
        hits = [search.IndexHit(r.id, None) for r in reversed(shown) if "Kestrel" in r.display_name]
        for case_id, record_id, matches in reversed(records):
            seen = {h.case_id for h in hits}
            if (
                matches
                and case_id not in seen
                and (case_id not in restricted or case_id in members)
            ):
                hits.append(search.IndexHit(case_id, record_id))
        return hits[:limit]

    with admin_store.read() as session:

        @hypothesis_settings(max_examples=60, deadline=None)
        @given(
            window=st.integers(1, 40),
            limit=st.integers(1, 20),
            members=st.sets(st.sampled_from(sorted(restricted))),
        )
        def check(window: int, limit: int, members: set[str]) -> None:
            found = search.search(session, match=match, members=members, limit=limit, window=window)
            assert found == walked(members, limit)

        check()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kestrel", '"kestrel"*'),
        ("ke", '"ke"'),  # the last word is a prefix from 3 characters
        ("CS-2026", '"CS" "2026"*'),
        ('  "quoted" AND  NEAR(', '"quoted" "AND" "NEAR"*'),
        ("', DROP TABLE x; --", '"DROP" "TABLE" "x"'),
        ("snake_case", '"snake" "case"*'),  # cut where the index cuts words
        ("", None),
        ("*** ---", None),
        (" ".join(f"w{n}" for n in range(20)), " ".join(f'"w{n}"' for n in range(11)) + ' "w11"*'),
    ],
)
def test_what_the_user_types_becomes_a_safe_match_expression(typed, expected):
    assert search.match_expression(typed) == expected


def test_whatever_is_typed_searches_without_error_and_any_prefix_of_a_name_finds_it(
    admin_store, case_id
):
    """Any text (quotes, FTS5 operators, any script) is a harmless search; every prefix
    of 3 or more letters of a word of the child's name finds the case."""
    with admin_store.read() as session:

        def found(match: str) -> list[str]:
            rows = search.search(session, match=match, members=set(), limit=5)
            return [r.case_id for r in rows]

        @hypothesis_settings(max_examples=150)
        @given(typed=st.text(max_size=30), length=st.integers(3, len("Wiśniewska")))
        def check(typed: str, length: int) -> None:
            match = search.match_expression(typed)
            assert (match is None) == (re.search(r"[^\W_]", typed) is None)
            if match is not None:
                found(match)  # no error, whatever it finds
            assert found(search.match_expression("Wiśniewska"[:length]) or "") == [case_id]

        check()


def test_the_index_row_of_a_draft_has_its_words_and_labels_but_no_ids(admin_store):
    draft = complete_sharing_decision(now=WHEN, consent_decision_id="f00d-cafe")
    words = search.record_row(case_id="c", record_id="r", draft=draft).body
    assert "f00d-cafe" not in words
    assert draft.reasons in words and SharingKind.SHARED.label in words
    case = search.case_row(case_id="c", draft=CaseDraft(display_name="Ann", case_reference="A-1"))
    assert case.record_id is None and case.body.split("\n")[-1] == "A1"


# -- reviews, drafts, settings, users -----------------------------------------------------


def test_review_states_come_from_requests_and_saved_reviews(admin_store, case_id):
    row, index = _record(admin_store, case_id)
    with admin_store.write() as session:
        record_rows.insert_many(session, [(row, index)])
    with admin_store.read() as session:
        assert review_rows.states(session, [row])[row.id].status is ReviewStatus.NOT_REQUIRED
        assert review_rows.entered(session, members=frozenset()) == []
    with admin_store.write_direct() as db:
        review_rows.insert_request(
            db, record_id=row.id, requested_by=row.author_id, at=WHEN, reason="automatic"
        )
    with admin_store.read() as session:
        assert review_rows.states(session, [row])[row.id].status is ReviewStatus.AWAITING
        (entered, reference, name) = review_rows.entered(session, members=frozenset())[0]
        assert (entered.id, reference, name) == (row.id, "CS-2026-00417", "Zofia Wiśniewska")
        assert review_rows.entered(session, members=frozenset(), authors={"x"}) == []
    review = _record(
        admin_store,
        case_id,
        kind=RecordKind.REVIEW,
        subkind=ReviewOutcome.ENDORSED.value,
        target_id=row.id,
        recorded_at=WHEN + timedelta(hours=1),
    )
    with admin_store.write() as session:
        record_rows.insert_many(session, [review])
    with admin_store.read() as session:
        assert review_rows.states(session, [row])[row.id].status is ReviewStatus.ENDORSED


def test_drafts_are_listed_newest_first_and_deleted_only_by_their_owner(
    admin_store, data_paths, case_id
):
    other = _other_user(admin_store, data_paths)
    me = admin_store.user.user_id

    def draft(user_id: str, minutes: int, case: str | None) -> DraftRow:
        at = WHEN + timedelta(minutes=minutes)
        return DraftRow(
            id=str(uuid.uuid4()),
            user_id=user_id,
            case_id=case,
            kind="case",
            created_at=at,
            updated_at=at,
            payload="{}",
        )

    older, newer, theirs = draft(me, 1, case_id), draft(me, 2, None), draft(other, 3, case_id)
    with admin_store.write() as session:
        for row in (older, newer, theirs):
            draft_rows.put(session, row)
    with admin_store.read() as session:
        mine = draft_rows.of_user(session, user_id=me)
        assert [(d.id, name) for d, name, _ in mine] == [
            (newer.id, None),
            (older.id, "Zofia Wiśniewska"),
        ]
        assert [d.id for d, _, _ in draft_rows.of_user(session, user_id=me, case_id=case_id)] == [
            older.id
        ]
    with admin_store.write_direct() as db:
        draft_rows.delete_owned(db, draft_id=theirs.id, user_id=me)  # not mine: stays
        draft_rows.delete_owned(db, draft_id=older.id, user_id=me)
    with admin_store.read() as session:
        assert draft_rows.get(session, theirs.id) is not None
        assert draft_rows.get(session, older.id) is None


def test_settings_and_user_names(admin_store, data_paths):
    other = _other_user(admin_store, data_paths, roles=(Role.SUPERVISOR,))
    with admin_store.read() as session:
        assert settings.get(session, "review_rules") is None
    with admin_store.write() as session:
        settings.put(session, "review_rules", '{"a": 1}')
    with admin_store.write() as session:
        settings.put(session, "review_rules", '{"a": 2}')
    with admin_store.read() as session:
        assert settings.get(session, "review_rules") == '{"a": 2}'
        names = users.display_names(session)
        assert names[other] == "Pat Other" and len(names) == 2
        assert users.display_names(session, [other]) == {other: "Pat Other"}
        assert users.display_names(session, []) == {}
        # The first administrator holds every role; the other account only supervisor.
        assert set(users.with_role(session, Role.SUPERVISOR.value)) == {
            admin_store.user.user_id,
            other,
        }
        assert users.with_role(session, Role.PRACTITIONER.value) == [admin_store.user.user_id]
