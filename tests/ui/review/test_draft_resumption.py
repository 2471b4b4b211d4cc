"""Starting the same record again carries on with its draft instead of a second one; the
drafts list says what each draft is about. Real windows on a real store."""

from __future__ import annotations

from PySide6.QtCore import Qt

from infoshare_desktop.domain import RecordKind
from infoshare_desktop.domain.records import AmendmentDraft, ConsentDecisionDraft
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.services.drafts import NOTHING_TYPED, draft_snippet
from infoshare_desktop.ui.main_window import CASES, DRAFTS
from infoshare_desktop.ui.review import RETURNED_TO_ME
from tests.domain.factories import complete_case, complete_review, complete_sharing_decision
from tests.ui.review.conftest import without_consent

PURPOSE = "To let the school nurse know about the new care plan"


def open_case(window, store) -> str:
    case_id = cases.create_case(store, draft=complete_case())
    window.show_page(CASES)
    assert window.cases_page.open_case(case_id)
    return case_id


def test_ctrl_d_resumes_the_unfinished_sharing_decision(qtbot, admin_window, admin_store):
    case_id = open_case(admin_window, admin_store)
    view = admin_window.cases_page.case_view
    qtbot.keyClick(admin_window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    first = view.editor
    assert first is not None
    first.form.inputs["purpose"].setPlainText(PURPOSE)
    qtbot.keyClick(first.form.inputs["purpose"], Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert view.editor is None and view.stack.currentWidget() is view.case_page  # Alt+Left
    (kept,) = drafts.list_drafts(admin_store, case_id=case_id)
    assert f"“{PURPOSE}”" in view.drafts_label.text()  # the bar says which draft it is

    qtbot.keyClick(admin_window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    again = view.editor
    assert again is not None and again.draft_id == kept.draft_id
    assert again.form.inputs["purpose"].value() == PURPOSE
    assert again.draft_status.text() == "Draft resumed"
    again.form.inputs["reasons"].setPlainText("Still thinking about this one")
    view.close_editor()
    assert len(drafts.list_drafts(admin_store, case_id=case_id)) == 1  # never a second

    view.new_sharing_button.click()  # the button does the same
    assert view.editor.draft_id == kept.draft_id


def test_alt_left_leaves_the_case_for_the_list(qtbot, admin_window, admin_store):
    open_case(admin_window, admin_store)
    page = admin_window.cases_page
    page.case_view.table.setFocus()
    qtbot.keyClick(page.case_view.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert page.currentWidget() is page.list_page


def test_amending_the_same_record_again_resumes_the_amendment(qtbot, admin_window, admin_store):
    case_id = open_case(admin_window, admin_store)
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    view = admin_window.cases_page.case_view
    dialog = view.amend(saved.record_id)
    dialog.editor.form.text.setPlainText("The meeting was on Tuesday, not Monday")
    dialog.reject()  # Close keeps a draft
    (kept,) = drafts.list_drafts(admin_store, case_id=case_id)
    again = view.amend(saved.record_id)
    assert again.editor.draft_id == kept.draft_id
    assert again.editor.form.text.value() == "The meeting was on Tuesday, not Monday"
    again.reject()
    assert len(drafts.list_drafts(admin_store, case_id=case_id)) == 1


def test_answer_with_an_amendment_resumes_the_answer_begun(qtbot, team, open_window):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    records.record_review(team.supervisor, draft=complete_review(target_id=saved.record_id))
    window, pages = open_window(team.author)
    window.show_page(RETURNED_TO_ME)
    returned = pages.returned
    returned.table.selectRow(0)
    returned.answer_button.click()
    first = returned.amendment_dialog
    first.editor.form.text.setPlainText("Told the school's designated lead on Monday")
    first.reject()
    (kept,) = drafts.list_drafts(team.author)
    assert kept.kind == RecordKind.AMENDMENT.value and kept.target_id == saved.record_id

    returned.table.setFocus()
    qtbot.keyClick(returned.table, Qt.Key.Key_Return)  # Enter answers too
    again = returned.amendment_dialog
    assert again is not first and again.editor.draft_id == kept.draft_id
    assert again.editor.form.text.value() == "Told the school's designated lead on Monday"
    again.reject()
    assert len(drafts.list_drafts(team.author)) == 1


def test_the_drafts_list_shows_what_each_draft_says(qtbot, admin_window, admin_store):
    case_id = open_case(admin_window, admin_store)
    drafts.save_draft(
        admin_store,
        draft=complete_sharing_decision(purpose=PURPOSE),
        case_id=case_id,
    )
    drafts.save_draft(admin_store, draft=ConsentDecisionDraft(), case_id=case_id)
    admin_window.show_page(DRAFTS)
    page = admin_window.drafts_page
    shown = {page.table.item(row, 2).text() for row in range(page.table.rowCount())}
    assert shown == {f"Shared: {PURPOSE}", NOTHING_TYPED}
    assert page.table.horizontalHeaderItem(2).text() == "What it says so far"


def test_snippets_are_short_and_use_the_first_text_written():
    long = "word " * 60
    line = draft_snippet(complete_sharing_decision(purpose=long))
    assert len(line) <= drafts.SNIPPET_LENGTH and line.endswith("…")
    assert draft_snippet(AmendmentDraft(text="  The date\nwas wrong ")) == "The date was wrong"
