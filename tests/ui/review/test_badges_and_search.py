"""After a save the user is told; records carry where they stand (Amended, Awaiting
review, Returned, Endorsed); an amendment names the record it amends; search results
tell two children of the same name apart. Real widgets on a real store."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from infoshare_desktop.domain import ReviewOutcome
from infoshare_desktop.domain.dates import age_on
from infoshare_desktop.domain.records import AmendmentDraft
from infoshare_desktop.domain.timeutil import format_date
from infoshare_desktop.services import cases, records
from infoshare_desktop.ui.cases.case_list_page import CaseListPage
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.main_window import CASES
from infoshare_desktop.ui.records.chronology_model import ChronologyTableModel
from infoshare_desktop.ui.records.record_editor import RecordEditorBase
from tests.domain.factories import (
    complete_amendment,
    complete_case,
    complete_review,
    complete_sharing_decision,
)
from tests.ui.conftest import WAIT_MS
from tests.ui.review.conftest import without_consent

STATUS = ChronologyTableModel.STATUS
SUMMARY = ChronologyTableModel.SUMMARY


def status_of(view, record_id: str) -> str:
    row = view.model.row_of(record_id)
    return view.model.index(row, STATUS).data()


def open_in_window(window, case_id: str):
    window.show_page(CASES)
    assert window.cases_page.open_case(case_id)
    return window.cases_page.case_view


def test_a_save_is_confirmed_where_the_user_is_looking(
    qtbot, admin_window, admin_store, monkeypatch
):
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda _self: True)
    case_id = cases.create_case(admin_store, draft=complete_case())
    view = open_in_window(admin_window, case_id)
    assert view.saved_bar.isHidden()
    editor = view.start_sharing_decision()
    editor.set_draft(complete_sharing_decision())
    editor.evaluate()
    qtbot.keyClick(editor.form.inputs["reasons"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert view.stack.currentWidget() is view.case_scroll
    assert view.saved_bar.isVisible()
    text = view.saved_label.text()
    assert text.startswith("Saved: Shared with ")
    assert "selected in the chronology" in text
    assert view.selected_entry() is not None and view.selected_entry().summary in text

    target = view.selected_entry().record_id
    dialog = view.amend(target)
    dialog.editor.set_draft(complete_amendment(target_id=target))
    dialog.editor.evaluate()
    dialog.editor.save_button.click()
    assert view.saved_label.text().startswith("Saved: Amendment: Correction of fact, amending: ")
    view.start_consent_decision()
    assert view.saved_bar.isHidden()  # a new record: the confirmation has done its job


def test_records_carry_badges_and_an_amendment_names_what_it_amends(qtbot, team, open_window):
    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    other = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=complete_sharing_decision()
    )
    window, _pages = open_window(team.author)
    view = open_in_window(window, team.case_id)
    assert status_of(view, saved.record_id) == "Awaiting review"
    assert status_of(view, other.record_id) == ""  # no review needed: no badge

    records.record_review(team.supervisor, draft=complete_review(target_id=saved.record_id))
    amendment = records.add_amendment(
        team.author, draft=complete_amendment(target_id=other.record_id)
    )
    view.reload()
    assert status_of(view, saved.record_id) == "Returned"
    assert status_of(view, other.record_id) == "Amended"
    row = view.model.row_of(amendment.record_id)
    summary = view.model.index(row, SUMMARY).data()
    target_summary = view.model.row_at(view.model.row_of(other.record_id)).summary
    assert f"amending: {target_summary}, " in summary
    assert view.model.index(row, STATUS).data(Qt.ItemDataRole.ToolTipRole) is None

    view.select_record(amendment.record_id)
    assert f"Amends: {target_summary}" in view.details.toPlainText()

    records.add_amendment(
        team.author,
        draft=AmendmentDraft(
            target_id=saved.record_id,
            text="Told the school's designated lead on Monday",
            reason=complete_amendment().reason,
            target_was_shared=True,
            recipients_told=True,
            recipients_told_notes="By secure email",
        ),
    )
    records.record_review(
        team.supervisor,
        draft=complete_review(
            target_id=saved.record_id, outcome=ReviewOutcome.ENDORSED, comment=""
        ),
    )
    view.reload()
    assert status_of(view, saved.record_id) == "Amended · Endorsed"
    tip = view.model.index(view.model.row_of(saved.record_id), STATUS).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert "Endorsed by a supervisor" in tip
    view.select_record(saved.record_id)
    assert "Amended · Endorsed" in view.details.toPlainText()


def test_search_results_show_date_of_birth_and_age_and_down_moves_into_them(qtbot, admin_store):
    twins = [date(2014, 5, 2), date(2019, 11, 30)]
    for number, born in enumerate(twins):
        cases.create_case(
            admin_store,
            draft=complete_case(
                display_name="Robin Fictional", date_of_birth=born, case_reference=f"RF-{number}"
            ),
            confirmed_not_duplicate=True,
        )
    page = CaseListPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.search_edit.setFocus()
    qtbot.keyClicks(page.search_edit, "Robin")
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.run_search_now()  # searched off the UI thread
    assert page.model.searching and page.model.rowCount() == 2
    heading = page.model.headerData(2, Qt.Orientation.Horizontal)
    assert heading == "Date of birth"
    shown = {page.model.index(row, 2).data() for row in range(2)}
    today = date.today()
    assert shown == {f"{format_date(b)} (age {age_on(b, today)})" for b in twins}
    page.search_edit.setFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.focusWidget() is page.table and page.table.currentIndex().row() == 0


def test_ctrl_s_saves_a_review_through_its_confirmation(qtbot, team, open_window, messages):
    from PySide6.QtGui import QKeySequence, QShortcut

    from infoshare_desktop.services import reviews
    from infoshare_desktop.ui.review.review_dialog import CONFIRM_TITLE, ReviewDialog

    saved = records.record_sharing_decision(
        team.author, case_id=team.case_id, draft=without_consent()
    )
    detail = reviews.open_for_review(team.supervisor, record_id=saved.record_id)
    dialog = ReviewDialog(Session(team.supervisor), detail, case_label="TEST-0001")
    qtbot.addWidget(dialog)
    dialog.show()
    # The offscreen platform never activates a QDialog, so the key press itself cannot
    # reach the shortcut map here; the shortcut is found and triggered as Qt would.
    (shortcut,) = [s for s in dialog.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+S")]
    shortcut.activated.emit()
    assert messages.confirms == []  # nothing chosen yet: Save is disabled, so is Ctrl+S
    dialog.outcome_radios[ReviewOutcome.ENDORSED].click()
    with qtbot.waitSignal(dialog.reviewed, timeout=5000):
        shortcut.activated.emit()
    assert messages.confirms == [CONFIRM_TITLE]
