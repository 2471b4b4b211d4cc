"""Cases: the lazily fetched case list, search as you type, New case with the duplicate
check, and the whole flow from sign-in to a draft kept across an idle lock."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from PySide6.QtCore import Qt

from infoshare_desktop.domain import (
    AmendmentReason,
    RecordKind,
)
from infoshare_desktop.services import cases, drafts, records
from infoshare_desktop.ui.cases.case_list_page import CaseListPage
from infoshare_desktop.ui.cases.case_table_model import (
    SNIPPET_HTML_ROLE,
    CaseTableModel,
    snippet_html,
)
from infoshare_desktop.ui.cases.cases_page import CasesPage
from infoshare_desktop.ui.cases.new_case import NewCaseDialog
from infoshare_desktop.ui.common.announce import announcer
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.main_window import MainWindow
from infoshare_desktop.ui.records import RecordEditorBase, SharingDecisionEditor
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.domain.factories import complete_case, complete_sharing_decision
from tests.ui.conftest import WAIT_MS
from tests.ui.records.flows import choose, fill_refused_consent_decision
from tests.ui.test_main_window import unlock_again


@pytest.fixture
def confirm_save(monkeypatch) -> None:
    monkeypatch.setattr(RecordEditorBase, "confirm_save", lambda self: True)


def add_cases(store, n: int) -> list[str]:
    return [
        cases.create_case(
            store,
            draft=complete_case(
                display_name=f"Child {k:02d}", case_reference=f"REF-{k:03d}", date_of_birth=None
            ),
        )
        for k in range(n)
    ]


def test_case_model_fetches_lazily_sorts_and_passes_the_model_tester(
    qtbot, qtmodeltester, admin_store
):
    ids = add_cases(admin_store, 12)
    records.record_sharing_decision(
        admin_store, case_id=ids[3], draft=complete_sharing_decision(significant_harm_concern=True)
    )
    session = Session(admin_store)
    tested = CaseTableModel(session, page_size=5)
    tested.reload()
    qtmodeltester.check(tested)
    assert tested.rowCount() == 12  # the tester fetched every page, 5 at a time
    searched = CaseTableModel(session)
    searched.set_query("REF-007")
    qtmodeltester.check(searched)
    # (The tester runs its checks while a reset is still in flight and then fetches
    # more, which it reports as an error: hence a new model for each state.)

    model = CaseTableModel(session, page_size=5)
    model.reload()
    assert (model.total, model.rowCount()) == (12, 5)
    assert model.canFetchMore(model.index(0, 0).parent())
    while model.canFetchMore(model.index(0, 0).parent()):
        model.fetchMore(model.index(0, 0).parent())
    assert model.rowCount() == 12
    top = model.index(0, 0)
    assert top.data() == "REF-003"  # newest activity first
    assert model.index(0, 5).data() == "Harm concern"
    assert model.index(0, 4).data() == "1"
    assert model.index(1, 3).data() == "No records yet"
    assert model.index(1, 2).data() == "Not known"

    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 5 and model.index(0, 0).data() == "REF-000"
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 1).data() == "Child 11"

    model.set_query("REF-007")
    assert model.searching and model.columnCount() == 5
    assert model.index(0, 1).data() == "Child 07"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "NHS number"
    assert re.fullmatch(r"999 \d{3} \d{4}", model.index(0, 3).data())  # shown 3-3-4


def test_snippets_are_escaped_before_the_matches_are_emphasised():
    raw = f"a <i>x</i> & {cases.MATCH_START}Pennock{cases.MATCH_END} y"
    assert snippet_html(raw) == "a &lt;i&gt;x&lt;/i&gt; &amp; <b>Pennock</b> y"


def test_search_as_you_type_replaces_the_list_with_snippets(qtbot, admin_store):
    ids = add_cases(admin_store, 3)
    records.record_sharing_decision(
        admin_store,
        case_id=ids[1],
        draft=complete_sharing_decision(reasons="Shared after the <b>Pennock</b> & family visit"),
    )
    page = CaseListPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 3
    qtbot.waitUntil(lambda: "3 cases" in page.status_label.text(), timeout=WAIT_MS)
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.search_edit.setText("pennock")
        assert page.model.rowCount() == 3  # waits for the pause in typing
    assert page.model.searching and page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "Child 01"
    html = page.model.index(0, CaseTableModel.MATCH_COLUMN).data(SNIPPET_HTML_ROLE)
    assert "<b>Pennock</b>" in html and "&lt;b&gt;" in html and "&amp;" in html
    assert "1 case match" in page.status_label.text()
    opened = []
    page.open_requested.connect(opened.append)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.table.hasFocus() or page.table.currentIndex().row() == 0
    page.table.activated.emit(page.table.currentIndex())
    assert opened == [ids[1]]

    page.search_edit.clear()
    qtbot.waitUntil(lambda: not page.model.searching, timeout=WAIT_MS)
    assert page.model.rowCount() == 3


def test_a_possible_duplicate_asks_open_or_create(qtbot, admin_store):
    existing = cases.create_case(admin_store, draft=complete_case())
    dialog = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    assert not dialog.create_button.isEnabled()
    dialog.name_edit.setText(complete_case().display_name)
    dialog.reference_edit.setText("TEST-0002")
    assert not dialog.create_button.isEnabled()  # the date of birth is not answered
    born = complete_case().date_of_birth
    dialog.dob_edit.set_text(f"{born:%d/%m/%Y}")
    assert dialog.create_button.isEnabled()
    dialog.create_button.click()
    assert not dialog.duplicate_box.isHidden()
    assert dialog.duplicate_list.count() == 1
    assert "TEST-0001" in dialog.duplicate_list.item(0).text()
    assert not dialog.create_button.isEnabled()
    dialog.open_existing_button.click()
    assert dialog.existing_case_id == existing and dialog.created_case_id is None

    again = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(again)
    again.name_edit.setText(complete_case().display_name)
    again.reference_edit.setText("TEST-0002")
    again.dob_edit.set_text(f"{born:%d/%m/%Y}")
    again.create_button.click()
    again.create_anyway_button.click()
    assert again.created_case_id is not None and cases.count_cases(admin_store) == 2


def test_whole_flow_from_sign_in_to_a_draft_kept_across_the_idle_lock(
    qtbot, admin_store, data_paths, confirm_save
):
    unlock = UnlockDialog(data_paths)
    qtbot.addWidget(unlock)
    unlock.username_edit.setText(ADMIN)
    unlock.password_edit.setText(ADMIN_PASSWORD)
    unlock.unlock_button.click()
    window = MainWindow(unlock.store)
    qtbot.addWidget(window)
    window.show()
    page = window.cases_page
    assert not window.new_sharing_action.isEnabled()
    assert not window.print_action.isEnabled()  # no case open yet

    # a new case, through the dialog
    window.new_case_action.trigger()
    dialog = page.new_case_dialog
    dialog.name_edit.setText("Riley Example")
    dialog.dob_unknown_check.click()
    dialog.reference_edit.setText("FLOW-0001")
    dialog.create_button.click()
    case_id = page.open_case_id
    assert case_id is not None and window.current_page_name() == "Cases"
    view = page.case_view
    assert view.name_label.text() == "Riley Example"
    assert "No consent decision" in view.consent_label.text()

    # a sharing decision with consent refused
    assert window.new_sharing_action.isEnabled()
    window.new_sharing_action.trigger()
    editor = view.editor
    assert isinstance(editor, SharingDecisionEditor) and editor.isVisible()
    fill_refused_consent_decision(
        qtbot, editor, reasons="Shared without <consent> because the child is at risk"
    )
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS) as saved:
        editor.save_button.click()
    record_id = saved.args[0]
    assert view.stack.currentWidget() is view.case_scroll
    assert view.selected_entry().record_id == record_id
    assert "Shared without <consent>" in view.details.toPlainText()

    # an amendment to it
    view.amend_button.click()
    amend = view.amendment_dialog
    form = amend.editor.form
    form.text.setPlainText("The teacher's name was spelt wrongly")
    choose(form.reason, AmendmentReason.CORRECTION_OF_FACT)
    choose(form.recipients_told, True)
    form.recipients_told_notes.setPlainText("Told by secure email")
    amend.editor.evaluate()
    amend.editor.save_button.click()
    kinds = [view.model.row_at(r).kind for r in range(view.model.rowCount())]
    assert kinds == [RecordKind.SHARING_DECISION, RecordKind.AMENDMENT]
    view.select_record(record_id)
    assert "Amendment 1" in view.details.toPlainText()

    # a second form half-filled, then the idle lock
    window.new_sharing_action.trigger()
    view.editor.form.inputs["purpose"].setPlainText("Half-typed purpose")
    window.idle_timer.setInterval(50)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.is_locked, timeout=WAIT_MS)
    assert view.editor is None
    unlock_again(qtbot, window, ADMIN_PASSWORD)
    assert not window.is_locked

    (kept,) = drafts.list_drafts(window.session.store)
    assert kept.case_id == case_id and kept.kind == RecordKind.SHARING_DECISION.value
    assert not view.drafts_bar.isHidden()
    assert "1 unfinished sharing decision" in view.drafts_label.text()
    window.show_page("My drafts")
    assert window.drafts_page.table.rowCount() == 1
    assert "Riley Example" in window.drafts_page.table.item(0, 1).text()

    # reopening the case offers the draft; Resume brings the typing back
    window.find_action.trigger()
    assert page.currentWidget() is page.list_page
    assert page.open_case(case_id)
    assert "1 unfinished sharing decision" in view.drafts_label.text()
    view.resume_button.click()
    assert view.editor.form.inputs["purpose"].toPlainText() == "Half-typed purpose"
    window.close()


def test_text_size_and_theme_are_remembered_per_user(qtbot, admin_store, qapp):
    from infoshare_desktop.services import accounts
    from infoshare_desktop.ui.common.theme import apply_theme, current_theme

    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    try:
        window.set_text_size("large")
        window.set_high_visibility(True)
        assert current_theme() == ("large", True)
        assert accounts.preferences(admin_store) == {
            "text_size": "large",
            "theme": "high_visibility",
        }
        apply_theme(qapp)
        again = MainWindow(admin_store)
        qtbot.addWidget(again)
        assert current_theme() == ("large", True)
        assert again.text_size_actions["large"].isChecked()
    finally:
        apply_theme(qapp)


def test_new_case_dialog_keeps_the_date_of_birth_when_known(qtbot, admin_store):
    dialog = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    dialog.dob_edit.set_text("29/02/2016")
    assert dialog.draft().date_of_birth == date(2016, 2, 29)
    dialog.dob_unknown_check.click()
    assert dialog.draft().date_of_birth is None and not dialog.dob_edit.isEnabled()


def test_an_author_asks_for_review_of_their_own_sharing_decision(qtbot, admin_store, messages):
    from infoshare_desktop.services import reviews

    case_id = cases.create_case(admin_store, draft=complete_case())
    saved = records.record_sharing_decision(
        admin_store, case_id=case_id, draft=complete_sharing_decision()
    )
    page = CasesPage(Session(admin_store))
    qtbot.addWidget(page)
    assert page.open_case(case_id)
    view = page.case_view
    assert not view.review_button.isEnabled()  # nothing selected yet
    view.select_record(saved.record_id)
    assert view.review_button.isEnabled()
    view.review_button.click()
    assert messages.infos and messages.infos[-1][0] == "Review requested"
    state = reviews.review_state_of(admin_store, record_id=saved.record_id)
    assert state.status.value == "awaiting"
    view.review_button.click()  # asking twice is refused plainly
    assert "already in review" in messages.errors[-1]


def test_print_opens_the_summary_options_for_the_open_case(qtbot, admin_store):
    case_id = cases.create_case(admin_store, draft=complete_case())
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    assert not window.print_action.isEnabled()
    assert window.cases_page.open_case(case_id)
    assert window.print_action.isEnabled()
    window.print_action.trigger()
    printer = window.cases_page.case_view.summary_printer
    assert printer is not None and printer.dialog.isVisible()
    printer.dialog.reject()


def test_a_lock_keeps_the_typing_when_it_cannot_be_kept_as_a_draft(
    qtbot, admin_window, monkeypatch
):
    from infoshare_desktop.services.errors import DiskFullError

    case_id = cases.create_case(admin_window.session.store, draft=complete_case())
    page = admin_window.cases_page
    assert page.open_case(case_id)
    view = page.case_view
    admin_window.new_sharing_action.trigger()
    view.editor.form.inputs["purpose"].setPlainText("Typed while the disk was full")

    def disk_full(*_args, **_kwargs):
        raise DiskFullError()

    with monkeypatch.context() as m:
        m.setattr(drafts, "save_draft", disk_full)
        admin_window.lock()
    assert admin_window.is_locked
    qtbot.addWidget(admin_window.lock_dialog)
    assert admin_window.outer_stack.currentWidget() is admin_window.lock_page
    unlock_again(qtbot, admin_window, ADMIN_PASSWORD)
    assert view.editor is not None and view.stack.currentWidget() is view.editor_page
    assert view.editor.form.inputs["purpose"].toPlainText() == "Typed while the disk was full"
    assert view.editor.save_draft_now() is not None  # the editor works on the new store
    (kept,) = drafts.list_drafts(admin_window.session.store)
    assert kept.case_id == case_id


def test_a_half_filled_new_case_survives_a_lock(qtbot, admin_store):
    from tests.ui.test_main_window import unlock_again

    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    window.new_case_action.trigger()
    dialog = window.cases_page.new_case_dialog
    dialog.name_edit.setText("Morgan Example")
    dialog.reference_edit.setText("LOCK-0001")
    window.lock()
    assert not dialog.isVisible()
    unlock_again(qtbot, window, ADMIN_PASSWORD)
    assert dialog.isVisible() and dialog.name_edit.text() == "Morgan Example"
    dialog.dob_unknown_check.click()
    dialog.create_button.click()
    assert window.cases_page.open_case_id is not None  # created through the new store


def test_a_superseded_search_never_replaces_the_newer_ones_results(qtbot, admin_store, monkeypatch):
    """The first query is still being searched (held back here, as a slow store would)
    when the user types on: its search is told to stop, and even though it returns
    results anyway, only the newer query's are ever shown."""
    ids = add_cases(admin_store, 2)  # "Child 00" (REF-000) and "Child 01" (REF-001)
    release = threading.Event()
    told_to_stop: list[bool] = []
    real_search = cases.search

    def held_back(store, *, query, cancelled=None, **kw):
        if query == "REF-000":
            assert release.wait(30)
            told_to_stop.append(cancelled is not None and cancelled())
            return real_search(store, query=query, **kw)  # finishes despite being cancelled
        return real_search(store, query=query, cancelled=cancelled, **kw)

    monkeypatch.setattr(cases, "search", held_back)
    page = CaseListPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    shown: list[str] = []
    page.search_shown.connect(shown.append)
    page.search_edit.setText("REF-000")
    page.run_search_now()
    assert page.search_pending and page.status_label.text() == "Searching…"
    page.search_edit.setText("REF-001")  # typed on
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.run_search_now()
        release.set()
    qtbot.wait(200)  # time for the stale results to arrive, were they ever to be shown
    assert told_to_stop == [True]
    assert shown == ["REF-001"]
    assert page.model.query == "REF-001" and page.model.case_id_at(0) == ids[1]
    assert page.model.rowCount() == 1 and "1 case match" in page.status_label.text()


def test_two_letters_search_only_for_a_reference_and_say_why(qtbot, admin_store):
    add_cases(admin_store, 2)
    cases.create_case(
        admin_store, draft=complete_case(display_name="Ab Short", case_reference="AB")
    )
    page = CaseListPage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    heard: list[str] = []
    announcer.announced.connect(lambda text, _assertive: heard.append(text))
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.search_edit.setText("Ch")  # "Child 00", "Child 01": not searched for yet
    assert page.model.searching and page.model.rowCount() == 0
    status = page.status_label.text()
    assert "at least 3 letters or digits" in status and status in heard
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.search_edit.setText("ab")  # a whole reference is looked up
    assert page.model.rowCount() == 1 and page.model.index(0, 1).data() == "Ab Short"
    with qtbot.waitSignal(page.search_shown, timeout=WAIT_MS):
        page.search_edit.setText("Chi")
    assert page.model.rowCount() == 2 and "2 cases match" in page.status_label.text()
    assert page.status_label.text() in heard
