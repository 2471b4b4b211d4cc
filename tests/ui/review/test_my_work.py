"""My work on the home page, through the screens, with a practitioner, a supervisor and a
team lead on one store: the counts in the navigation and the tree, the names a screen
reader speaks, Enter and a click opening the record or the draft, and rows that grow
with the text at 200%."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from infoshare_desktop.domain import ReviewDraft, ReviewOutcome, utcnow
from infoshare_desktop.domain.timeutil import to_local
from infoshare_desktop.services import drafts, records
from infoshare_desktop.services.worklist import WorkKind
from infoshare_desktop.ui.home.home_page import NOTHING_WAITING
from infoshare_desktop.ui.main_window import CASES, HOME
from tests.domain.factories import complete_consent_decision, complete_sharing_decision
from tests.ui.review.conftest import nav_text, without_consent

COMMENT = "Please record who you told at the school and why."


def branch(window, kind: WorkKind):
    tree = window.home_page.tree
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        if item.data(0, Qt.ItemDataRole.UserRole + 1) == kind.value:
            return item
    raise AssertionError(f"no branch {kind}")


def spoken(item) -> str:
    return item.data(0, Qt.ItemDataRole.AccessibleTextRole)


def test_returned_and_awaiting_show_with_counts_and_open_with_enter(qtbot, team, open_window):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    sup_window, _pages = open_window(team.supervisor)
    assert nav_text(sup_window, HOME) == "Home (1)"
    awaiting = branch(sup_window, WorkKind.AWAITING_REVIEW)
    assert awaiting.text(0) == "Awaiting my review (1)"
    assert spoken(awaiting) == "Awaiting my review, 1 item"
    assert "recorded by Ann Author" in spoken(awaiting.child(0))

    records.record_review(
        team.supervisor,
        draft=ReviewDraft(
            target_id=saved.record_id, outcome=ReviewOutcome.RETURNED, comment=COMMENT
        ),
    )
    window, _pages = open_window(team.author)
    home = window.home_page
    assert window.current_page_name() == HOME
    assert nav_text(window, HOME) == "Home (1)"
    returned = branch(window, WorkKind.RETURNED)
    assert returned.text(0) == "Returned to me (1)"
    child = returned.child(0)
    what, where = child.text(0).split("\n")
    assert what.startswith("Sharing decision: ")
    assert where.startswith("TEST-0001 · Testy McTestface · Returned ")
    assert spoken(child) == f"{what}. {where}"
    assert "returned to me: 1" in home.summary_label.text()
    # An empty section says so, in words, rather than showing nothing.
    overdue = branch(window, WorkKind.OVERDUE_REVIEW)
    assert overdue.text(0) == "Overdue reviews (0)"
    assert overdue.child(0).text(0) == "No review is overdue."
    assert not overdue.child(0).flags() & Qt.ItemFlag.ItemIsSelectable

    # Keyboard: down from the first branch to the item, Enter opens the record.
    tree = home.tree
    tree.setFocus()
    tree.setCurrentItem(returned)
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentItem() is child
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.current_page_name() == CASES
    view = window.cases_page.case_view
    assert view.case is not None and view.case.case_id == team.case_id
    assert view.selected_entry().record_id == saved.record_id

    # Enter on a branch folds it (and the fold is kept when the page reloads).
    window.show_page(HOME)
    tree.setCurrentItem(branch(window, WorkKind.RETURNED))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert not branch(window, WorkKind.RETURNED).isExpanded()
    home.refresh_work()
    assert not branch(window, WorkKind.RETURNED).isExpanded()


def test_a_click_on_a_draft_carries_on_with_it(qtbot, team, open_window):
    draft_id = drafts.save_draft(
        team.author,
        draft=complete_sharing_decision(purpose="Planning meeting with the school"),
        case_id=team.case_id,
    )
    window, _pages = open_window(team.author)
    mine = branch(window, WorkKind.DRAFTS)
    assert mine.text(0) == "My drafts (1)"
    child = mine.child(0)
    assert "Planning meeting with the school" in child.text(0)
    rect = window.home_page.tree.visualItemRect(child)
    qtbot.mouseClick(window.home_page.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page_name() == CASES
    editor = window.cases_page.case_view.editor
    assert editor is not None and editor.draft_id == draft_id


def test_the_team_lead_sees_the_teams_overdue_and_expired_items(qtbot, team, open_window):
    today = to_local(utcnow()).date()
    soon = complete_consent_decision(valid_until=today + timedelta(days=5))
    records.record_consent_decision(team.author, case_id=team.case_id, draft=soon)
    window, _pages = open_window(team.author)
    consents = branch(window, WorkKind.CONSENTS)
    assert consents.text(0) == "Consents to renew (1)"
    assert "(ends in 5 days)" in consents.child(0).text(0)

    lead_window, _pages = open_window(team.lead)
    overdue = branch(lead_window, WorkKind.OVERDUE_REVIEW)
    assert spoken(overdue) == "Overdue reviews, the team's, 0 items"
    assert spoken(branch(lead_window, WorkKind.TEAM_CONSENTS)).startswith(
        "Team consents expired while relied on, the team's"
    )


def test_nothing_waiting_and_rows_grow_with_the_largest_text(qtbot, team, open_window):
    window, _pages = open_window(team.author)
    assert window.home_page.summary_label.text() == NOTHING_WAITING
    assert nav_text(window, HOME) == HOME
    long_purpose = "Planning meeting with the school and the health visitor " * 4
    drafts.save_draft(
        team.author, draft=complete_sharing_decision(purpose=long_purpose), case_id=team.case_id
    )
    window.resize(900, 600)
    window.set_text_size("largest")
    window.home_page.refresh_work()
    tree = window.home_page.tree
    child = branch(window, WorkKind.DRAFTS).child(0)
    qtbot.waitUntil(lambda: tree.visualItemRect(child).height() > 0)
    rect = tree.visualItemRect(child)
    needed = QFontMetrics(tree.font()).boundingRect(
        QRect(0, 0, rect.width(), 100_000), Qt.TextFlag.TextWordWrap, child.text(0)
    )
    assert rect.right() <= tree.viewport().width()  # never wider than the page: it wraps
    assert rect.height() >= needed.height() >= 3 * QFontMetrics(tree.font()).height()
    window.set_text_size("medium")


def test_a_declined_request_comes_back_with_new_information_and_goes_when_answered(
    qtbot, team, open_window
):
    """Declined "reconsider if new information": not on My work until the case has a new
    record; then listed (Enter opens the request in its case); gone once a later reply
    shares after all (the page reads My work again when shown)."""
    from infoshare_desktop.domain import SharingKind
    from infoshare_desktop.domain.enums import ReplyOutcome
    from infoshare_desktop.domain.records import RecordLink
    from tests.domain.factories import complete_advice, complete_reply, complete_request

    author, case_id = team.author, team.case_id
    request = records.record_case_record(
        author, case_id=case_id, draft=complete_request(utcnow())
    ).record_id
    decision = records.record_sharing_decision(
        author, case_id=case_id, draft=complete_sharing_decision(SharingKind.NOT_SHARED)
    ).record_id

    def reply(outcome, **changes):
        draft = complete_reply(
            request=RecordLink(record_id=request, description="Request from Example MASH"),
            answered_by=[RecordLink(record_id=decision, description="Not shared")],
            outcome=outcome,
            **changes,
        )
        records.record_case_record(author, case_id=case_id, draft=draft)

    reply(ReplyOutcome.DECLINED, reconsider_if_new=True)
    window, _pages = open_window(author)
    reconsider = branch(window, WorkKind.RECONSIDER)
    assert reconsider.text(0) == "Declined requests to reconsider (0)"

    records.record_case_record(author, case_id=case_id, draft=complete_advice())
    window.show_page(CASES)
    window.show_page(HOME)
    reconsider = branch(window, WorkKind.RECONSIDER)
    assert reconsider.text(0) == "Declined requests to reconsider (1)"
    (item,) = [reconsider.child(i) for i in range(reconsider.childCount())]
    what, where = item.text(0).split("\n")
    assert what.startswith("Request from ")
    assert "1 new record(s) on the case since" in where
    tree = window.home_page.tree
    tree.setFocus()
    tree.setCurrentItem(item)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.current_page_name() == CASES
    assert window.cases_page.case_view.selected_entry().record_id == request

    reply(ReplyOutcome.SHARED)
    window.show_page(HOME)
    reconsider = branch(window, WorkKind.RECONSIDER)
    assert reconsider.text(0) == "Declined requests to reconsider (0)"
    assert reconsider.child(0).text(0) == "No declined request has new information on its case."
