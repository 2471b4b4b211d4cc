"""The consistent identifier through the screens: typed in the New case dialog (checked as
it is typed, shown 3-3-4), on the case view, changed with Change NHS number (an
amendment with its history), and found by searching the case list for the number.
Synthetic 999 numbers only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from infoshare_desktop.domain.identifier import IdentifierReason
from infoshare_desktop.services import cases, identifiers
from infoshare_desktop.ui.cases.case_table_model import CaseTableModel
from infoshare_desktop.ui.cases.identifier_fields import NO_REASON
from infoshare_desktop.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS


def finding_ids(dialog) -> set[str]:
    return {f.rule_id for f in dialog.findings()}


def test_new_case_with_an_nhs_number_then_changed_to_a_reason(qtbot, admin_window):
    window: MainWindow = admin_window
    page = window.cases_page
    window.new_case_action.trigger()
    dialog = page.new_case_dialog
    fields = dialog.identifier
    assert fields.nhs_edit.accessibleName() == "NHS number"
    assert fields.reason_combo.accessibleName() == "Reason the NHS number is not included"
    assert fields.reason_combo.currentText() == NO_REASON
    assert not fields.reason_edit.isEnabled()  # asked for once a reason is chosen
    fields.reason_combo.setCurrentIndex(fields.index_of(IdentifierReason.UNKNOWN_DELAY))
    assert fields.reason is IdentifierReason.UNKNOWN_DELAY and fields.reason_edit.isEnabled()
    fields.reason_combo.setCurrentIndex(0)
    assert fields.reason is None and not fields.reason_edit.isEnabled()
    dialog.name_edit.setText("Riley Example")
    dialog.dob_unknown_check.click()
    dialog.reference_edit.setText("NHS-0001")
    assert "IDENTIFIER_MISSING" in finding_ids(dialog)  # advisory: Create stays enabled
    assert dialog.create_button.isEnabled()

    qtbot.keyClicks(fields.nhs_edit, "999 000 0019")  # one digit wrong
    assert "NHS_NUMBER_INVALID" in finding_ids(dialog)
    assert not dialog.create_button.isEnabled()
    assert "last digit does not match" in fields.nhs_edit.accessibleDescription()
    fields.nhs_edit.clear()
    qtbot.keyClicks(fields.nhs_edit, "9990000018")
    fields.nhs_edit.editingFinished.emit()
    assert fields.nhs_edit.text() == "999 000 0018"  # shown 3-3-4 once valid
    assert not finding_ids(dialog) & {"NHS_NUMBER_INVALID", "IDENTIFIER_MISSING"}
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    case_id = page.open_case_id
    assert case_id is not None
    view = page.case_view
    assert "NHS number 999 000 0018" in view.identity_label.text()
    assert "recorded by Alex Example (Admin)" in view.identity_label.toolTip()

    # Change it: to a reason, with words. Save waits for the words.
    qtbot.mouseClick(view.identifier_button, Qt.MouseButton.LeftButton)
    change = view.identifier_dialog
    assert change is not None and change.isVisible()
    assert change.identifier.nhs_edit.text() == "999 000 0018"
    assert change.history_list.count() == 1
    assert (
        change.history_list.item(0)
        .text()
        .startswith("NHS number 999 000 0018 — recorded by Alex Example (Admin), ")
    )
    change.identifier.nhs_edit.clear()
    assert "IDENTIFIER_REQUIRED" in finding_ids(change)
    assert not change.save_button.isEnabled()  # a change must leave an identifier
    other = change.identifier.index_of(IdentifierReason.OTHER)
    assert other > 0
    change.identifier.reason_combo.setCurrentIndex(other)
    assert change.identifier.reason_edit.isEnabled()
    assert not change.save_button.isEnabled()
    qtbot.keyClicks(change.identifier.reason_edit, "Arrived from abroad last week")
    assert change.save_button.isEnabled()
    with qtbot.waitSignal(change.changed, timeout=WAIT_MS):
        qtbot.mouseClick(change.save_button, Qt.MouseButton.LeftButton)
    assert not change.isVisible()
    assert "NHS number not included: Arrived from abroad last week" in (view.identity_label.text())
    assert "The earlier identifier is kept" in view.saved_label.text()
    history = identifiers.identifier_history(window.session.store, case_id=case_id)
    assert [h.nhs_number for h in history] == [None, "9990000018"]

    # Reopened, the case shows what the store holds.
    page.show_list()
    assert page.open_case(case_id)
    assert "Arrived from abroad last week" in view.identity_label.text()


def test_the_case_list_finds_a_case_by_its_nhs_number(qtbot, admin_window):
    from tests.domain.factories import complete_case

    wanted = cases.create_case(
        admin_window.session.store, draft=complete_case(nhs_number="999 000 0026")
    )
    cases.create_case(
        admin_window.session.store,
        draft=complete_case(display_name="Another Example", case_reference="TEST-0002"),
    )
    admin_window.show_page("Cases")
    page = admin_window.cases_page
    page.show_list()
    lister = page.list_page
    lister.search_edit.setText("999 000 0026")
    with qtbot.waitSignal(lister.search_shown, timeout=WAIT_MS):
        lister.run_search_now()
    model = lister.model
    assert model.rowCount() == 1 and model.case_id_at(0) == wanted
    assert model.headerData(CaseTableModel.NHS_COLUMN, Qt.Orientation.Horizontal) == "NHS number"
    assert model.index(0, CaseTableModel.NHS_COLUMN).data() == "999 000 0026"
    lister.search_edit.setText("Another")
    with qtbot.waitSignal(lister.search_shown, timeout=WAIT_MS):
        lister.run_search_now()
    assert model.rowCount() == 1
    shown = model.index(0, CaseTableModel.NHS_COLUMN).data()
    assert shown.startswith("999 ") and len(shown) == 12
