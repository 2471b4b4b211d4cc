"""The review pages at thousands of records in review: nothing read before a page is
shown, the tables ask only about the rows on screen (a hidden page about none), and the
counts are right.

The records are written in one transaction through the same row builders and the same
review-request insert as a save (as the demo store writes them), so the store's
triggers keep where each stands exactly as they do for saves one at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infoshare_desktop.domain.enums import RecordKind, ReviewOutcome
from infoshare_desktop.domain.kinds import kind_of
from infoshare_desktop.domain.records import ReviewDraft
from infoshare_desktop.domain.reviews import ReviewStatus
from infoshare_desktop.domain.timeutil import utcnow
from infoshare_desktop.services import records, reviews
from infoshare_desktop.services.reviews import COUNT_CAP
from infoshare_desktop.store import envelopes
from infoshare_desktop.ui.review import RETURNED_TO_ME, REVIEW_QUEUE, TEAM_OVERVIEW
from infoshare_desktop.ui.review.models import BATCH, ReturnedTableModel, ReviewQueueTableModel
from tests.ui.review.conftest import NAMES, SUPERVISOR, nav_text, without_consent
from tests.ui.test_rows_on_screen import rows_asked, rows_on_screen

pytestmark = pytest.mark.slow

AWAITING, RETURNED, ENDORSED = 4_700, 200, 100
IN_REVIEW = AWAITING + RETURNED + ENDORSED


def _bulk_review_load(team) -> list[str]:
    """IN_REVIEW sharing decisions by the author, each entered for review; then the
    supervisor's reviews: RETURNED returned, ENDORSED endorsed. Ids oldest first."""
    author, supervisor = team.author.user, team.supervisor.user
    draft = without_consent()
    declared = kind_of(draft)
    start = utcnow() - timedelta(days=30)
    rows = [
        records.new_record(
            case_id=team.case_id,
            kind=declared.kind,
            subkind=declared.subkind(draft),
            draft=draft,
            occurred_at=start + timedelta(minutes=n),
            recorded_at=start + timedelta(minutes=n),
            without_consent=True,
            harm_concern=True,
            review_reason="automatic",
        )
        for n in range(IN_REVIEW)
    ]
    ids = [item.payload["id"] for item in rows]
    later = start + timedelta(minutes=IN_REVIEW + 60)  # after every request
    outcomes = [ReviewOutcome.RETURNED] * RETURNED + [ReviewOutcome.ENDORSED] * ENDORSED
    review_records = [
        records.new_record(
            case_id=team.case_id,
            kind=RecordKind.REVIEW,
            subkind=outcome.value,
            draft=ReviewDraft(target_id=target, outcome=outcome, comment=f"Round {n}"),
            occurred_at=later + timedelta(seconds=n),
            recorded_at=later + timedelta(seconds=n),
            target_id=target,
        )
        for n, (target, outcome) in enumerate(zip(ids[AWAITING:], outcomes, strict=True))
    ]
    with team.author.write() as session:
        # The records (each entered for review), then the reviews of them.
        envelopes.save_many(session, [(None, author.user_id, item) for item in rows], at=utcnow())
        envelopes.save_many(
            session, [(None, supervisor.user_id, item) for item in review_records], at=utcnow()
        )
    return ids


@pytest.fixture
def loaded(team):
    return _bulk_review_load(team)


@pytest.fixture
def page_reads(monkeypatch):
    """The service reads that fill a review page (not the navigation counts), by name."""
    calls: dict[str, int] = {}
    for name in ("review_queue", "queue_summary", "queue_authors", "returned_to_me"):
        real = getattr(reviews, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(reviews, name, counting)
    real_team = reviews.team_overview

    def team_overview(*args, **kwargs):
        calls["team_overview"] = calls.get("team_overview", 0) + 1
        return real_team(*args, **kwargs)

    monkeypatch.setattr(reviews, "team_overview", team_overview)
    return calls


def test_a_supervisor_signs_in_to_the_counts_without_reading_any_page(
    team, loaded, open_window, page_reads, monkeypatch
):
    monkeypatch.setattr(reviews, "queue_count", _counted(page_reads, reviews.queue_count))
    window, pages = open_window(team.supervisor)
    # Counted as far as the cap ("1000 or more", as the worklist counts): at any size of
    # store a count walks at most COUNT_CAP index rows.
    assert AWAITING > COUNT_CAP > RETURNED
    assert nav_text(window, REVIEW_QUEUE) == f"Review queue ({COUNT_CAP}+)"
    assert nav_text(window, RETURNED_TO_ME) == RETURNED_TO_ME  # the supervisor wrote none
    # The counts were counted; no page read its rows or its figures before it was shown.
    assert page_reads == {"queue_count": 1}

    window.show_page(TEAM_OVERVIEW)
    assert page_reads["team_overview"] == 1
    assert "review_queue" not in page_reads and "returned_to_me" not in page_reads
    (row,) = pages.team.model.rows()
    assert (row.author_name, row.awaiting, row.returned, row.endorsed) == (
        NAMES["ann.author"],
        COUNT_CAP,  # of AWAITING
        RETURNED,
        ENDORSED,
    )
    assert row.overdue == COUNT_CAP  # every one has waited 30 days, the rules allow 5
    assert pages.team.model.index(0, 1).data() == f"{COUNT_CAP} or more"
    assert pages.team.model.index(0, 2).data() == str(RETURNED)
    assert pages.team.summary_label.text() == (
        f"{COUNT_CAP} or more awaiting review ({COUNT_CAP} or more OVERDUE), {RETURNED} "
        "returned and not yet answered, across 1 practitioner."
    )


def _counted(calls: dict[str, int], real):
    def counting(*args, **kwargs):
        calls["queue_count"] = calls.get("queue_count", 0) + 1
        return real(*args, **kwargs)

    return counting


def test_the_queue_table_asks_only_about_the_rows_on_screen(
    qtbot, team, loaded, open_window, monkeypatch
):
    asked = rows_asked(monkeypatch, ReviewQueueTableModel)
    window, pages = open_window(team.supervisor)
    assert asked == set()  # not shown, not asked
    window.show_page(REVIEW_QUEUE)
    queue = pages.queue
    qtbot.waitUntil(lambda: bool(asked))
    window.grab()  # laid out and painted
    assert queue.summary_label.text() == (
        f"{COUNT_CAP} or more awaiting review, {COUNT_CAP} or more OVERDUE."
    )
    assert queue.model.rowCount() < 4 * BATCH  # a screenful or so, of thousands
    shown = rows_on_screen(queue.table)
    assert asked == shown and len(shown) < queue.model.rowCount()
    # Each row on screen was fitted to its wrapped text (taller than one line).
    line = queue.table.fontMetrics().lineSpacing()
    assert all(queue.table.rowHeight(row) > line for row in shown)

    # Another page shown, the window resized: the hidden queue is asked nothing.
    asked.clear()
    window.show_page(RETURNED_TO_ME)
    window.resize(window.width() - 80, window.height())
    window.grab()
    assert asked == set()
    window.show_page(REVIEW_QUEUE)
    window.grab()
    assert asked == rows_on_screen(queue.table)
    # Oldest waiting first, as before; the first is selected and can be reviewed.
    assert queue.model.row_at(0).record_id == loaded[0]
    assert queue.selected_item().record_id == loaded[0]
    assert queue.review_button.isEnabled()

    # Scrolling to the end reads the next batch, not the rest of the queue.
    shown = queue.model.rowCount()
    queue.table.scrollToBottom()
    qtbot.waitUntil(lambda: queue.model.rowCount() > shown)
    assert queue.model.rowCount() <= shown + 2 * BATCH
    assert [i.record_id for i in queue.model.rows()] == loaded[: queue.model.rowCount()]


def test_the_filters_count_what_they_leave_and_show_the_first_rows(
    qtbot, team, loaded, open_window
):
    # One record by the supervisor's practitioner colleague... of another author: the lead.
    records.record_sharing_decision(team.lead, case_id=team.case_id, draft=without_consent())
    window, pages = open_window(team.supervisor)
    assert nav_text(window, REVIEW_QUEUE) == f"Review queue ({COUNT_CAP}+)"
    window.show_page(REVIEW_QUEUE)
    queue = pages.queue
    names = [queue.practitioner_combo.itemText(i) for i in range(queue.practitioner_combo.count())]
    assert names == ["All practitioners", NAMES["ann.author"], NAMES["tia.lead"]]
    queue.practitioner_combo.setCurrentIndex(names.index(NAMES["tia.lead"]))
    assert queue.model.rowCount() == 1
    assert queue.summary_label.text().endswith("; 1 shown with these filters.")
    assert nav_text(window, REVIEW_QUEUE) == f"Review queue ({COUNT_CAP}+)"


def test_returned_to_me_counts_and_pages_thousands(qtbot, team, loaded, open_window, monkeypatch):
    asked = rows_asked(monkeypatch, ReturnedTableModel)
    window, pages = open_window(team.author)
    assert nav_text(window, RETURNED_TO_ME) == f"Returned to me ({RETURNED})"
    assert asked == set()
    window.show_page(RETURNED_TO_ME)
    returned = pages.returned
    assert returned.summary_label.text() == f"{RETURNED} records to answer."
    assert returned.model.rowCount() < 4 * BATCH
    window.grab()
    assert asked and asked == rows_on_screen(returned.table)
    first = returned.model.row_at(0)  # returned longest ago first
    assert first.record_id == loaded[AWAITING]
    assert first.last_comment == "Round 0"
    assert first.last_reviewer == NAMES[SUPERVISOR]
    assert "Round 0" in returned.comment_label.text()


def test_where_a_record_stands_agrees_with_the_rule_over_its_events(team, loaded):
    """The screens read the store's kept state; the single-record checks fold the events
    (domain.reviews.review_state): both say the same, after bulk writes and after saves."""
    sample = [loaded[0], loaded[AWAITING], loaded[-1]]
    records.record_review(
        team.supervisor,
        draft=ReviewDraft(
            target_id=loaded[1],
            outcome=ReviewOutcome.RETURNED,
            comment="Please say which school staff were told, and when.",
        ),
    )
    listed = {i.record_id: i for i in reviews.returned_to_me(team.author)}
    queued = {i.record_id: i for i in reviews.review_queue(team.supervisor, limit=10)}
    assert loaded[1] in listed and loaded[1] not in queued
    for record_id in [*sample, loaded[1]]:
        folded = reviews.review_state_of(team.author, record_id=record_id)
        kept = listed.get(record_id) or queued.get(record_id)
        if folded.status is ReviewStatus.ENDORSED:
            assert kept is None
            continue
        assert kept is not None and kept.state == folded, record_id
