"""The review pages one by one: who sees which, never reviewing one's own record, the
queue's filters and OVERDUE marking, inline errors, the rules dialog, ask for review,
and the table models (qtmodeltester)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from infoshare_desktop.domain import ReviewDraft, ReviewOutcome, SharingKind, utcnow
from infoshare_desktop.domain.reviews import ReviewRules
from infoshare_desktop.services import records, reviews
from infoshare_desktop.ui.review import (
    RETURNED_TO_ME,
    REVIEW_QUEUE,
    TEAM_OVERVIEW,
)
from infoshare_desktop.ui.review import models as review_models
from infoshare_desktop.ui.review.actions import ask_for_review
from infoshare_desktop.ui.review.models import (
    OVERDUE_WORD,
    ReturnedTableModel,
    ReviewQueueTableModel,
    TeamTableModel,
)
from infoshare_desktop.ui.review.review_dialog import ReviewDialog
from infoshare_desktop.ui.review.rules_dialog import ReviewRulesDialog
from tests.domain.factories import complete_sharing_decision
from tests.ui.review.conftest import AUTHOR, NAMES, nav_text, without_consent


def test_a_supervisor_cannot_review_their_own_record(team, open_window):
    own = records.record_sharing_decision(
        team.supervisor, case_id=team.case_id, draft=without_consent()
    )
    window, pages = open_window(team.supervisor)
    assert pages.queue is not None and pages.queue.model.rowCount() == 0
    assert nav_text(window, REVIEW_QUEUE) == "Review queue"

    detail = reviews.open_for_review(team.supervisor, record_id=own.record_id)
    dialog = ReviewDialog(window.session, detail, case_label="CASE-1", parent=window)
    dialog.open()
    dialog.outcome_radios[ReviewOutcome.ENDORSED].click()
    assert [f.rule_id for f in dialog.findings] == ["REVIEW_NOT_OWN"]
    assert not dialog.save_button.isEnabled()
    assert "You are the author of this record" in dialog.save_button.toolTip()
    assert "REVIEW_NOT_OWN" not in dialog.findings_panel.list.item(0).text()  # words, not ids
    assert "You are the author" in dialog.findings_panel.list.item(0).text()
    assert dialog.save_review() is None
    dialog.close()


def test_pages_follow_roles(team, admin_store, open_window):
    author_window, author_pages = open_window(team.author)
    assert REVIEW_QUEUE not in author_window.page_names()
    assert TEAM_OVERVIEW not in author_window.page_names()
    assert RETURNED_TO_ME in author_window.page_names()
    assert author_pages.queue is None and author_pages.rules_action is None

    lead_window, _ = open_window(team.lead)
    assert TEAM_OVERVIEW in lead_window.page_names()
    assert REVIEW_QUEUE not in lead_window.page_names()

    sup_window, _ = open_window(team.supervisor)
    names = sup_window.page_names()
    assert names.index(REVIEW_QUEUE) < names.index(RETURNED_TO_ME) < names.index(TEAM_OVERVIEW)

    admin_window, admin_pages = open_window(admin_store)  # the first administrator: every role
    assert {REVIEW_QUEUE, RETURNED_TO_ME, TEAM_OVERVIEW} <= set(admin_window.page_names())
    actions = [a.text() for a in admin_window.admin_menu.actions()]
    assert actions.index("&Review rules…") < actions.index("")  # before backups
    assert admin_pages.rules_action is not None


def test_review_rules_dialog_saves_rules(admin_store, open_window, monkeypatch):
    window, pages = open_window(admin_store)
    pages.rules_action.trigger()
    dialog = window.findChild(ReviewRulesDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.without_consent_check.isChecked() and not dialog.every_check.isChecked()
    dialog.every_check.click()
    assert not dialog.harm_check.isEnabled()  # every decision includes the narrower rules
    dialog.days_spin.setValue(3)

    def refuse(*_args, **_kwargs):
        raise reviews.ReviewNotAllowed("The store is read-only.")

    with monkeypatch.context() as patched:  # a refusal shows inline and keeps the choices
        patched.setattr(reviews, "set_review_rules", refuse)
        dialog.save_button.click()
        assert dialog.isVisible() and "read-only" in dialog.alert.text()
        assert dialog.every_check.isChecked() and dialog.days_spin.value() == 3
    dialog.save_button.click()
    assert not dialog.isVisible()
    assert reviews.review_rules(admin_store) == ReviewRules(
        without_consent=True,
        not_shared_with_harm_concern=True,
        every_sharing_decision=True,
        overdue_after_days=3,
    )


def test_queue_filters_and_overdue(team, open_window, monkeypatch):
    shared = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    in_part = records.record_sharing_decision(
        team.lead,
        case_id=team.case_id,
        draft=without_consent(kind=SharingKind.SHARED_IN_PART),
    )
    # A week later both have waited longer than the default five days; a third is new.
    later = utcnow() + timedelta(days=7)
    monkeypatch.setattr(reviews, "utcnow", lambda: later)
    monkeypatch.setattr(records, "utcnow", lambda: later)
    monkeypatch.setattr(review_models, "utcnow", lambda: later)
    records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent(now=later)
    )
    window, pages = open_window(team.supervisor)
    queue = pages.queue
    assert nav_text(window, REVIEW_QUEUE) == "Review queue (3)"
    window.show_page(REVIEW_QUEUE)
    model = queue.model
    assert [model.row_at(r).record_id for r in range(2)] == [shared.record_id, in_part.record_id]
    waiting = [model.index(r, 5).data() for r in range(3)]
    assert [OVERDUE_WORD in text for text in waiting] == [True, True, False]
    assert "(7 days)" in waiting[0]
    assert model.index(0, 5).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 5).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(2, 5).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, 5).data(Qt.ItemDataRole.AccessibleTextRole).endswith(", OVERDUE")
    assert "2 OVERDUE" in queue.summary_label.text()
    assert model.index(1, 1).data() == SharingKind.SHARED_IN_PART.label
    assert model.index(1, 1).data(Qt.ItemDataRole.DecorationRole) is not None

    queue.practitioner_combo.setCurrentIndex(queue.practitioner_combo.findText(NAMES[AUTHOR]))
    assert model.rowCount() == 2
    assert "2 shown with these filters" in queue.summary_label.text()
    queue.kind_combo.setCurrentIndex(queue.kind_combo.findText(SharingKind.NOT_SHARED.label))
    assert model.rowCount() == 0
    queue.clear_button.click()
    assert model.rowCount() == 3 and queue.practitioner_combo.currentIndex() == 0
    queue.to_edit.set_text(f"{date.today() - timedelta(days=2):%d/%m/%Y}")
    assert model.rowCount() == 0  # every record happened since then
    queue.to_edit.set_text(f"{date.today() + timedelta(days=1):%d/%m/%Y}")
    queue.from_edit.set_text(f"{date.today() - timedelta(days=1):%d/%m/%Y}")
    assert model.rowCount() == 2  # the third happened "a week later"
    queue.without_consent_check.setChecked(True)
    assert model.rowCount() == 2
    assert nav_text(window, REVIEW_QUEUE) == "Review queue (3)"  # the count is unfiltered

    # store_changed (after an unlock) reloads the page and the count.
    records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent(now=later)
    )
    window.session.store_changed.emit()
    assert nav_text(window, REVIEW_QUEUE) == "Review queue (4)"


def test_a_refused_review_is_shown_inline_and_keeps_the_typing(team, open_window, messages):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    window, pages = open_window(team.supervisor)
    window.show_page(REVIEW_QUEUE)
    dialog = pages.queue.open_review(pages.queue.model.row_at(0))
    dialog.outcome_radios[ReviewOutcome.ENDORSED_WITH_COMMENT].click()
    dialog.comment_edit.setPlainText("Good reasons; note the date of the strategy meeting.")
    # Meanwhile the record was reviewed elsewhere (another supervisor, another screen).
    records.record_review(
        team.supervisor,
        draft=ReviewDraft(target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED),
    )
    assert dialog.save_review() is None
    assert dialog.isVisible()
    assert "Only records awaiting review can be reviewed" in dialog.alert.text()
    assert "strategy meeting" in dialog.comment_edit.value()
    assert dialog.outcome() is ReviewOutcome.ENDORSED_WITH_COMMENT

    messages.answer = False  # cancelling the confirmation saves nothing
    dialog.alert.clear()
    assert dialog.save_review() is None and not dialog.alert.isVisible()
    dialog.close()


def test_ask_for_review(team, open_window, messages):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=complete_sharing_decision()
    )
    window, _ = open_window(team.author)
    assert ask_for_review(window, window.session, saved.record_id)
    assert messages.infos[-1][0] == "Review requested"
    assert [i.record_id for i in reviews.review_queue(team.supervisor)] == [saved.record_id]
    assert not ask_for_review(window, window.session, saved.record_id)
    assert "already in review" in messages.errors[-1]


def test_table_models(qtmodeltester, team, monkeypatch):
    records.record_sharing_decision(team.author, case_id=team.case_id, draft=without_consent())
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    records.record_review(
        team.supervisor,
        draft=ReviewDraft(
            target_id=saved.record_id, outcome=ReviewOutcome.RETURNED, comment="More <i>detail</i>"
        ),
    )
    later = utcnow() + timedelta(days=9)
    monkeypatch.setattr(reviews, "utcnow", lambda: later)
    queue = ReviewQueueTableModel(reviews.review_queue(team.supervisor))
    returned = ReturnedTableModel(reviews.returned_to_me(team.author))
    team_model = TeamTableModel(reviews.team_overview(team.supervisor))
    for model in (queue, returned, team_model):
        assert model.rowCount() == 1
        qtmodeltester.check(model, force_py=True)
        qtmodeltester.check(model)
    assert returned.index(0, 5).data() == "More <i>detail</i>"
    assert team_model.index(0, 4).data() == f"1 {OVERDUE_WORD}"
    empty = ReviewQueueTableModel()
    qtmodeltester.check(empty)


def test_a_review_comment_survives_a_lock(qtbot, team, open_window):
    from tests.ui.review.conftest import PASSWORD
    from tests.ui.test_main_window import unlock_again

    records.record_sharing_decision(team.author, case_id=team.case_id, draft=without_consent())
    window, pages = open_window(team.supervisor)
    window.show_page(REVIEW_QUEUE)
    dialog = pages.queue.open_review(pages.queue.model.row_at(0))
    dialog.outcome_radios[ReviewOutcome.RETURNED].click()
    dialog.comment_edit.setPlainText("Please say which school staff were told, and when.")
    window.lock()
    assert not dialog.isVisible() and not window.isVisible()  # nothing on screen
    unlock_again(qtbot, window, PASSWORD)
    assert dialog.isVisible()
    assert dialog.comment_edit.value() == "Please say which school staff were told, and when."
    assert dialog.outcome() is ReviewOutcome.RETURNED
    assert dialog.save_review() is not None  # saved through the newly opened store
