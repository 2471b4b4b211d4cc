"""The forms never change an answer on their own and never trap the keyboard: the mouse
wheel, the date fields and the keyboard shortcuts, driven through the real widgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox, QWidget

from infoshare_desktop.domain import FactOrOpinion, SharingKind
from infoshare_desktop.services import cases, drafts
from infoshare_desktop.ui.cases.new_case import NewCaseDialog
from infoshare_desktop.ui.common.fields import OptionalDateTimeEdit
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.records import SharingDecisionEditor
from infoshare_desktop.ui.review.queue_page import ReviewQueuePage
from infoshare_desktop.ui.review.rules_dialog import ReviewRulesDialog
from tests.domain.factories import complete_sharing_decision
from tests.ui.records.conftest import NEVER_MS
from tests.ui.records.flows import choose


@pytest.fixture
def editor(qtbot, admin_store, case_id) -> SharingDecisionEditor:
    widget = SharingDecisionEditor(admin_store, case_id, autosave_interval_ms=NEVER_MS)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)  # the form is much taller: it scrolls
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def wheel(widget: QWidget, steps: int = -1) -> None:
    """Turn the mouse wheel over ``widget`` (negative: towards the user, i.e. down)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def local(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute).astimezone().astimezone(UTC)


# ---- the wheel ------------------------------------------------------------------------


def test_the_wheel_over_an_unfocused_combo_scrolls_the_form_and_keeps_the_answer(qtbot, editor):
    form = editor.form
    choose(form.inputs["fact_or_opinion"], FactOrOpinion.FACT)
    combos = [form.inputs["fact_or_opinion"], form.inputs["could_less_be_shared"]]
    before = [combo.currentIndex() for combo in combos]
    bar = form.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    form.inputs["kind"].setFocus()
    for combo in combos:
        form.scroll.ensureWidgetVisible(combo)
        position = bar.value()
        wheel(combo)
        assert bar.value() > position  # the form scrolled on
    assert [combo.currentIndex() for combo in combos] == before
    assert form.draft().fact_or_opinion is FactOrOpinion.FACT

    combo = combos[0]
    form.scroll.ensureWidgetVisible(combo)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)  # clicked: now the wheel is for it
    wheel(combo)
    assert combo.currentIndex() != before[0]


def test_value_controls_take_the_focus_from_a_click_or_tab_never_from_the_wheel(editor):
    combos = editor.findChildren(QComboBox)
    assert len(combos) > 15
    assert {combo.focusPolicy() for combo in combos} == {Qt.FocusPolicy.StrongFocus}


def test_the_wheel_leaves_an_unfocused_spin_box_alone(qtbot, admin_store):
    dialog = ReviewRulesDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    dialog.show()
    spin = dialog.findChild(QSpinBox)
    value = spin.value()
    assert spin.isEnabled() and spin.maximum() > value
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus
    wheel(spin, steps=1)  # without the guard, this adds a day (a spin box takes wheel focus)
    assert spin.value() == value


# ---- date fields ------------------------------------------------------------------------


def test_an_empty_when_field_lets_tab_through_and_up_does_nothing(qtbot, editor):
    field = editor.form.inputs["occurred_at"]
    assert isinstance(field, OptionalDateTimeEdit)
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.value() is None and field.edit.text() == ""  # no 2 Jan 1900
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert editor.focusWidget() is field.calendar_button  # left the empty field
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_Tab)
    assert not field.isAncestorOf(editor.focusWidget())


@pytest.mark.parametrize(
    ("typed", "shown", "value"),
    [
        ("1 Jan 2020 09:00", "Wed 1 Jan 2020, 09:00", local(2020, 1, 1, 9)),
        ("01/01/2020 09:00", "Wed 1 Jan 2020, 09:00", local(2020, 1, 1, 9)),
        ("1/1/2020", "Wed 1 Jan 2020, 00:00", local(2020, 1, 1)),
        ("13/2/2020 14:30", "Thu 13 Feb 2020, 14:30", local(2020, 2, 13, 14, 30)),
    ],
)
def test_a_typed_date_is_read_as_written_and_shown_back_unambiguously(
    qtbot, editor, typed, shown, value
):
    field = editor.form.inputs["occurred_at"]
    field.edit.setFocus()
    qtbot.keyClicks(field.edit, typed)
    assert field.value() == value
    assert "Read as" in field.hint.text()
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.edit.text() == shown
    assert editor.draft().occurred_at == value
    if typed == "1/1/2020":
        assert "No time was typed" in field.hint.text()


def test_unreadable_text_stays_as_typed_with_the_problem_beside_it(qtbot, editor):
    field = editor.form.inputs["occurred_at"]
    field.edit.setFocus()
    qtbot.keyClicks(field.edit, "31/02/2020 09:00")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.edit.text() == "31/02/2020 09:00"  # not silently changed
    assert field.value() is None
    assert "has no day 31" in field.hint.text() and field.hint.isVisible()
    assert "has no day 31" in field.edit.accessibleDescription()
    editor.evaluate()
    assert "WHEN" in {f.rule_id for f in editor.findings}
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "28/02/2020 09:00")
    assert field.value() == local(2020, 2, 28, 9) and not field.problem


def test_the_calendar_opens_at_today_and_puts_the_chosen_day_in_the_field(qtbot, editor):
    field = editor.form.inputs["occurred_at"]
    field.calendar_button.click()
    dialog = field.calendar_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.calendar.selectedDate() == QDate.currentDate()
    dialog.calendar.setSelectedDate(QDate(2020, 1, 1))
    dialog.accept()
    assert field.edit.text() == "Wed 1 Jan 2020, 00:00"
    assert field.value() == local(2020, 1, 1)

    field.set_text("2/1/2020 09:15")  # with a time, the calendar keeps it
    field.calendar_button.click()
    assert field.calendar_dialog.calendar.selectedDate() == QDate(2020, 1, 2)
    field.calendar_dialog.calendar.setSelectedDate(QDate(2020, 1, 3))
    field.calendar_dialog.accept()
    assert field.value() == local(2020, 1, 3, 9, 15)


def test_a_saved_value_keeps_its_seconds_until_it_is_edited(qtbot, editor):
    exact = datetime(2026, 11, 30, 8, 15, 42, tzinfo=UTC)
    draft = complete_sharing_decision(SharingKind.SHARED, occurred_at=exact)
    editor.set_draft(draft)
    assert editor.draft().occurred_at == exact
    field = editor.form.inputs["occurred_at"]
    assert field.edit.text().endswith(f"{exact.astimezone().minute:02d}")


def test_new_case_takes_a_typed_date_of_birth_and_tab_leaves_the_empty_field(qtbot, admin_store):
    dialog = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.dob_edit.edit.setFocus()
    qtbot.keyClick(dialog.dob_edit.edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is not dialog.dob_edit.edit
    dialog.name_edit.setText("Test Child Fictional")
    dialog.reference_edit.setText("TEST-0099")
    dialog.dob_edit.edit.setFocus()
    qtbot.keyClicks(dialog.dob_edit.edit, "29/02/2016")
    assert dialog.draft().date_of_birth == date(2016, 2, 29)
    assert dialog.create_button.isEnabled()
    dialog.dob_edit.calendar_button.click()
    calendar = dialog.dob_edit.calendar_dialog.calendar
    assert calendar.selectedDate() == QDate(2016, 2, 29)
    assert calendar.maximumDate() == QDate.currentDate()  # no birthday in the future
    dialog.dob_edit.calendar_dialog.reject()


def test_the_review_queue_date_filters_are_typed_and_tab_through_when_empty(qtbot, admin_store):
    page = ReviewQueuePage(Session(admin_store))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.from_edit.edit.setFocus()
    qtbot.keyClick(page.from_edit.edit, Qt.Key.Key_Up)
    qtbot.keyClick(page.from_edit.edit, Qt.Key.Key_Tab)
    assert page.focusWidget() is not page.from_edit.edit
    assert page.filters()["since"] is None
    page.from_edit.set_text("1/1/2020")
    assert page.filters()["since"] == local(2020, 1, 1)
    page.clear_button.click()
    assert page.filters()["since"] is None and page.from_edit.edit.text() == ""


# ---- shortcuts ----------------------------------------------------------------------


def test_ctrl_s_saves_through_the_same_confirmation(qtbot, editor, confirm_yes):
    editor.set_draft(complete_sharing_decision())
    editor.evaluate()
    editor.form.inputs["reasons"].setFocus()
    with qtbot.waitSignal(editor.saved, timeout=5000):
        qtbot.keyClick(
            editor.form.inputs["reasons"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        )
    assert confirm_yes == ["save"] and editor.record_id is not None


def test_ctrl_s_with_something_missing_goes_to_it_and_saves_nothing(qtbot, editor, confirm_yes):
    editor.set_draft(complete_sharing_decision(reasons=""))
    editor.form.inputs["kind"].setFocus()
    qtbot.keyClick(editor.form.inputs["kind"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert confirm_yes == [] and editor.record_id is None
    assert editor.focusWidget() is editor.form.inputs["reasons"]


def test_enter_presses_the_focused_button(qtbot, editor, admin_store):
    editor.form.inputs["purpose"].setPlainText("To keep the child safe at school")
    editor.save_draft_button.setFocus()
    qtbot.keyClick(editor.save_draft_button, Qt.Key.Key_Return)
    assert len(drafts.list_drafts(admin_store)) == 1
    field = editor.form.inputs["occurred_at"]
    field.now_button.setFocus()
    qtbot.keyClick(field.now_button, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert field.value() is not None


def test_enter_on_a_combo_does_not_press_anything(qtbot, editor):
    combo = editor.form.inputs["kind"]
    assert isinstance(combo, QComboBox)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert editor.record_id is None


# ---- dates checked against the child --------------------------------------------------


def test_an_event_before_the_childs_birth_gets_a_finding_in_the_form_and_the_service(
    qtbot, admin_store, case_id, confirm_yes
):
    from infoshare_desktop.services import records

    born = cases.open_case(admin_store, case_id=case_id).date_of_birth
    editor = SharingDecisionEditor(
        admin_store, case_id, autosave_interval_ms=NEVER_MS, date_of_birth=born
    )
    qtbot.addWidget(editor)
    draft = complete_sharing_decision(late_entry_reason="Entered from the paper file")
    editor.set_draft(draft)
    editor.form.inputs["occurred_at"].set_text(f"{born - timedelta(days=1):%d/%m/%Y} 10:00")
    found = {f.rule_id: f for f in editor.evaluate()}
    assert "BEFORE_BIRTH" in found and found["BEFORE_BIRTH"].severity == "advisory"
    saved = records.record_sharing_decision(admin_store, case_id=case_id, draft=editor.draft())
    assert "BEFORE_BIRTH" in {f.rule_id for f in saved.advisories}
    editor.form.inputs["occurred_at"].set_text(f"{born:%d/%m/%Y} 10:00")
    assert "BEFORE_BIRTH" not in {f.rule_id for f in editor.evaluate()}


def test_a_date_of_birth_in_the_future_blocks_a_new_case(qtbot, admin_store):
    dialog = NewCaseDialog(Session(admin_store))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Test Child Fictional")
    dialog.reference_edit.setText("TEST-0098")
    dialog.dob_edit.set_text(f"{date.today() + timedelta(days=1):%d/%m/%Y}")
    assert "BIRTH_IN_FUTURE" in {f.rule_id for f in dialog.findings()}
    assert not dialog.create_button.isEnabled()
    dialog.dob_edit.set_text(f"{date.today():%d/%m/%Y}")
    assert dialog.create_button.isEnabled()
