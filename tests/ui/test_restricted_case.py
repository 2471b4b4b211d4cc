"""A restricted case through the screens: its content is sealed in the store, and its
member still creates it, records on it, finds it by search as you type, sees it in the
list and keeps a half-typed draft across the idle lock."""

from __future__ import annotations

import pytest

from infoshare_desktop.services import drafts
from infoshare_desktop.ui.cases.case_table_model import CaseTableModel
from infoshare_desktop.ui.main_window import MainWindow
from infoshare_desktop.ui.records import RecordEditorBase, SharingDecisionEditor
from tests.conftest import ADMIN_PASSWORD
from tests.ui.conftest import WAIT_MS
from tests.ui.records.flows import fill_refused_consent_decision
from tests.ui.test_main_window import unlock_again


@pytest.fixture
def confirm_save(monkeypatch) -> None:
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda self: True)


def test_a_member_works_on_a_restricted_case_through_the_screens(qtbot, admin_store, confirm_save):
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    page = window.cases_page

    window.new_case_action.trigger()
    dialog = page.new_case_dialog
    dialog.name_edit.setText("Marlowe Sealedname")
    dialog.dob_unknown_check.click()
    dialog.reference_edit.setText("SEAL-0001")
    dialog.restricted_check.setChecked(True)
    dialog.create_button.click()
    case_id = page.open_case_id
    assert case_id is not None
    view = page.case_view
    assert view.name_label.text() == "Marlowe Sealedname"
    assert "Restricted case" in view.identity_label.text()

    window.new_sharing_action.trigger()
    editor = view.editor
    assert isinstance(editor, SharingDecisionEditor)
    fill_refused_consent_decision(qtbot, editor, reasons="Shared because of the Quillon visit")
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        editor.save_button.click()
    assert "Quillon visit" in view.details.toPlainText()

    # In the store the row is a placeholder; the list and search show the member the case.
    window.find_action.trigger()
    listing = page.list_page
    listing.model.reload()
    names = {listing.model.index(r, 1).data() for r in range(listing.model.rowCount())}
    assert "Marlowe Sealedname" in names
    listing.search_edit.setText("quillon")
    qtbot.waitUntil(lambda: listing.model.searching, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1, timeout=WAIT_MS)
    assert listing.model.index(0, 1).data() == "Marlowe Sealedname"
    assert "Quillon" in str(listing.model.index(0, CaseTableModel.MATCH_COLUMN).data())
    listing.search_edit.clear()

    # A half-typed decision survives the idle lock as a draft sealed to its owner.
    assert page.open_case(case_id)
    window.new_sharing_action.trigger()
    view.editor.form.inputs["purpose"].setPlainText("Half-typed sealed purpose")
    window.idle_timer.setInterval(50)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.is_locked, timeout=WAIT_MS)
    unlock_again(qtbot, window, ADMIN_PASSWORD)
    (kept,) = drafts.list_drafts(window.session.store)
    assert kept.case_id == case_id and kept.case_name == "Marlowe Sealedname"
    assert page.open_case(case_id)
    view.resume_button.click()
    assert view.editor.form.inputs["purpose"].toPlainText() == "Half-typed sealed purpose"
    window.close()
