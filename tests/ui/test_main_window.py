"""The main window: pages, menus by role, locking, and the account dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from infoshare_desktop.services import accounts, records
from infoshare_desktop.ui.main_window import TIDY_AFTER_MS, MainWindow, backup_file_name
from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
from infoshare_desktop.ui.signin.idle_lock import IdleLockDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.test_search_tidy import fill_with_saves, found_by_search
from tests.ui.conftest import USER, USER_PASSWORD, WAIT_MS


def menu_titles(window: MainWindow) -> list[str]:
    return [a.text().replace("&", "") for a in window.menuBar().actions()]


def all_text(widget: QWidget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_administrator_sees_home_users_and_administration(admin_window):
    assert admin_window.windowTitle() == "InfoShare Desktop"
    assert "Alex Example (Admin)" in admin_window.user_label.text()
    assert "Administrator" in admin_window.roles_label.text()
    assert menu_titles(admin_window) == [
        "File",
        "Go",
        "Case",
        "View",
        "Account",
        "Administration",
        "Help",
    ]
    assert admin_window.page_names() == ["Home", "Users", "Cases", "My drafts"]
    admin = [a.text() for a in admin_window.admin_menu.actions() if a.text()]
    assert admin == [
        "&Users…",
        "&Idle lock…",
        "&Back up now…",
        "Re&store from backup…",
        "&Verify store…",
        "Verify the &whole store…",
        "&Rotate the data key now…",
    ]
    assert admin_window.lock_action.shortcut().toString() == "Ctrl+L"
    home = all_text(admin_window.home_page)
    assert "Alex Example (Admin)" in home and "Administrator" in home
    assert str(accounts.data_folder(admin_window.session.store)) in home
    assert "5 minutes" in home and "Users (Ctrl+2)" in home
    assert "coming soon" not in home.lower()


def test_non_administrator_sees_no_administration(qtbot, worker_store):
    window = MainWindow(worker_store)
    qtbot.addWidget(window)
    assert "Sam Worker" in window.user_label.text()
    assert "Administration" not in menu_titles(window)
    assert window.admin_menu is None
    assert window.page_names() == ["Home", "Cases", "My drafts"]
    assert "Administration" not in all_text(window.home_page)


def test_add_page_adds_navigation_menu_shortcut_and_home_line(admin_window):
    page = QWidget()
    action = admin_window.add_page("Reports", page, "Ctrl+7", description="see team reports")
    assert admin_window.navigation.item(4).text() == "Reports"
    assert action in admin_window.go_menu.actions()
    assert action.shortcut().toString() == "Ctrl+7"
    action.trigger()
    assert admin_window.current_page_name() == "Reports"
    assert admin_window.pages_stack.currentWidget() is page
    admin_window.navigation.setCurrentRow(0)
    assert admin_window.current_page_name() == "Home"
    assert "Reports (Ctrl+7): see team reports" in all_text(admin_window.home_page)


def unlock_again(qtbot, window: MainWindow, password: str) -> None:
    dialog = window.lock_dialog
    assert isinstance(dialog, UnlockDialog) and dialog.isVisible()
    qtbot.addWidget(dialog)
    assert dialog.username_edit.isReadOnly()
    dialog.password_edit.setText(password)
    dialog.unlock_button.click()


def test_idle_timer_locks_and_the_right_password_unlocks(qtbot, admin_window):
    store = admin_window.session.store
    drafts_saved = []
    admin_window.session.about_to_lock.connect(lambda: drafts_saved.append(store.is_open))
    admin_window.idle_timer.setInterval(50)
    admin_window.idle_timer.start()

    qtbot.waitUntil(lambda: admin_window.is_locked, timeout=WAIT_MS)

    assert drafts_saved == [True]  # announced while the store was still open
    assert not store.is_open
    assert not admin_window.isVisible()
    assert admin_window.outer_stack.currentWidget() is admin_window.lock_page

    dialog = admin_window.lock_dialog
    qtbot.addWidget(dialog)
    dialog.password_edit.setText("wrong password here")
    dialog.unlock_button.click()
    assert admin_window.is_locked and dialog.isVisible()
    assert "not right" in dialog.alert.text()

    unlock_again(qtbot, admin_window, ADMIN_PASSWORD)
    assert not admin_window.is_locked
    assert admin_window.isVisible()
    assert admin_window.outer_stack.currentWidget() is admin_window.content
    assert admin_window.session.store is not store and admin_window.session.store.is_open
    assert admin_window.idle_timer.isActive()
    assert admin_window.lock_dialog is None


def test_user_input_restarts_the_idle_timer(qtbot, admin_window):
    """Each key press starts the idle time again (read from the timer, not raced against
    it, so a slow machine cannot lock the window between two presses)."""
    timer = admin_window.idle_timer
    timer.setTimerType(Qt.TimerType.PreciseTimer)  # remainingTime() without coarse rounding
    timer.setInterval(600_000)
    timer.start()
    for _ in range(3):
        qtbot.wait(200)
        left = timer.remainingTime()
        assert 0 <= left < 600_000 - 100  # the idle time is running
        qtbot.keyClick(admin_window.navigation, "a")
        assert timer.remainingTime() > left
    assert not admin_window.is_locked


def test_lock_screen_sign_out_ends_the_session(qtbot, admin_window):
    admin_window.lock_action.trigger()
    assert admin_window.is_locked
    qtbot.addWidget(admin_window.lock_dialog)
    with qtbot.waitSignal(admin_window.signed_out, timeout=WAIT_MS):
        admin_window.lock_dialog.other_button.click()
    assert not admin_window.isVisible()


def test_lock_closes_open_dialogs(qtbot, admin_window):
    dialog = ChangePasswordDialog(admin_window.session, admin_window)
    dialog.show()
    admin_window.lock()
    assert not dialog.isVisible()
    qtbot.addWidget(admin_window.lock_dialog)
    unlock_again(qtbot, admin_window, ADMIN_PASSWORD)


def test_change_password_then_sign_in_with_the_new_one(qtbot, admin_window, data_paths):
    dialog = ChangePasswordDialog(admin_window.session, admin_window)
    qtbot.addWidget(dialog)
    new = "quiet harbour at dawn"
    dialog.current_edit.setText("not my password")
    dialog.new_fields.password.setText(new)
    dialog.new_fields.confirm.setText(new)
    assert dialog.change_button.isEnabled()
    dialog.change_button.click()
    assert "not right" in dialog.alert.text() and dialog.current_edit.text() == ""

    dialog.current_edit.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.change_button.click()

    admin_window.sign_out()
    unlock = UnlockDialog(data_paths)
    qtbot.addWidget(unlock)
    unlock.username_edit.setText(ADMIN)
    unlock.password_edit.setText(ADMIN_PASSWORD)
    unlock.unlock_button.click()
    assert unlock.store is None
    unlock.password_edit.setText(new)
    unlock.unlock_button.click()
    assert unlock.store is not None
    unlock.store.close()


def test_change_password_menu_reports_success(admin_window, messages, monkeypatch):
    monkeypatch.setattr(ChangePasswordDialog, "ask", classmethod(lambda cls, *a: True))
    admin_window.change_password_action.trigger()
    assert messages.infos[0][0] == "Password changed"


def test_idle_lock_dialog_changes_the_setting(qtbot, admin_window):
    dialog = IdleLockDialog(admin_window.session, admin_window)
    qtbot.addWidget(dialog)
    assert dialog.minutes_spin.value() == 5
    assert (dialog.minutes_spin.minimum(), dialog.minutes_spin.maximum()) == (1, 240)
    dialog.minutes_spin.setValue(12)
    dialog._on_buttons_accepted()
    assert accounts.idle_lock_minutes(admin_window.session.store) == 12


def test_backup_and_verify_report_their_results(qtbot, admin_window, messages, tmp_path):
    messages.save_path = tmp_path / "copy"
    with qtbot.waitSignal(admin_window.session.operation_finished, timeout=WAIT_MS):
        admin_window._on_backup_action_triggered()  # off the UI thread
    assert (tmp_path / "copy.isbackup").exists()
    title, text = messages.infos[-1]
    assert title == "Backup written" and "Audit trail head" in text

    with qtbot.waitSignal(admin_window.session.operation_finished, timeout=WAIT_MS):
        admin_window._on_verify_action_triggered()
    title, text = messages.infos[-1]
    assert title == "Verify store" and "Database integrity: ok" in text

    # Again: only what was added since that clean verify; the pages wait for a whole one.
    with qtbot.waitSignal(admin_window.session.operation_finished, timeout=WAIT_MS):
        admin_window._on_verify_action_triggered()
    title, text = messages.infos[-1]
    assert "The store and its audit trail are intact." in text
    assert "Database integrity: not checked this time" in text and "checked before" in text
    whole = next(
        a for a in admin_window.admin_menu.actions() if a.text() == "Verify the &whole store…"
    )
    with qtbot.waitSignal(admin_window.session.operation_finished, timeout=WAIT_MS):
        whole.trigger()
    title, text = messages.infos[-1]
    assert title == "Verify store" and "Database integrity: ok" in text
    assert "checked before" not in text


def test_backup_name_holds_only_the_time():
    from datetime import datetime

    assert backup_file_name(datetime(2025, 3, 4, 9, 7)) == "infoshare-backup-20250304-0907.isbackup"


def test_closing_the_window_signs_out(qtbot, admin_store):
    window = MainWindow(admin_store)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.closed, timeout=WAIT_MS):
        window.close()
    assert not admin_store.is_open


def test_main_window_fits_1366x768_at_large_text(qtbot, qapp, admin_window):
    from infoshare_desktop.ui.common.theme import apply_theme

    apply_theme(qapp, "large")
    try:
        for name in admin_window.page_names():
            admin_window.show_page(name)
            hint = admin_window.minimumSizeHint().expandedTo(admin_window.minimumSize())
            assert hint.width() <= 1366 and hint.height() <= 740, (name, hint)
    finally:
        apply_theme(qapp)


def test_the_lock_screen_names_who_locked_it(qtbot, worker_store):
    window = MainWindow(worker_store)
    qtbot.addWidget(window)
    window.show()
    window.lock()
    qtbot.addWidget(window.lock_dialog)
    assert window.lock_dialog.username_edit.text() == USER
    unlock_again(qtbot, window, USER_PASSWORD)
    assert not window.is_locked


def test_the_idle_lock_warns_first_and_stay_signed_in_keeps_the_session(qtbot, admin_window):
    """WCAG 2.2.1: 30 seconds before the idle lock a warning is shown and announced;
    Stay signed in (or any use) keeps the session, and the lock comes as before."""
    from infoshare_desktop.ui.common.announce import announcer

    said: list[str] = []
    announcer.announced.connect(lambda text, _assertive: said.append(text))
    warning = admin_window.idle_warning
    admin_window.idle_timer.setInterval(30_300)  # the warning is due in 0.3 s
    qtbot.keyClick(admin_window.navigation, Qt.Key.Key_Shift)  # use restarts both timers
    qtbot.waitUntil(warning.isVisible, timeout=10_000)
    qtbot.waitUntil(warning.stay_button.hasFocus, timeout=10_000)  # Enter or Space answers
    assert "lock in 30 seconds" in warning.message.text()
    assert said and "lock in 30 seconds" in said[-1]
    assert not admin_window.is_locked

    qtbot.mouseClick(warning.stay_button, Qt.MouseButton.LeftButton)
    assert not warning.isVisible()
    assert admin_window.idle_timer.remainingTime() > 29_000
    assert not admin_window.is_locked
    announcer.announced.disconnect()

    admin_window.idle_timer.setInterval(50)  # and when nobody answers, it locks
    admin_window.idle_timer.start()
    qtbot.waitUntil(lambda: admin_window.is_locked, timeout=10_000)
    assert not warning.isVisible()


def test_the_search_index_is_tidied_while_the_user_is_idle_and_not_while_they_type(
    qtbot, admin_window
):
    """Saves leave the merging of the search index to idle time (services.records.
    tidy_search_index): once the user stops, the window tidies it a step at a time until
    nothing is left; a key press puts the next step off again."""
    store = admin_window.session.store
    fill_with_saves(store)
    found = found_by_search(store)
    steps: list[int] = []
    admin_window.tidy_timer.timeout.connect(lambda: steps.append(1))
    admin_window.tidy_timer.setTimerType(Qt.TimerType.PreciseTimer)
    qtbot.keyClick(admin_window.navigation, "a")
    assert admin_window.tidy_timer.remainingTime() > TIDY_AFTER_MS - 1000  # put off
    qtbot.waitUntil(lambda: bool(steps) and not admin_window.tidy_timer.isActive(), timeout=120_000)
    assert len(steps) >= 2  # steps until one found nothing left to merge
    assert not records.tidy_search_index(store)
    assert found_by_search(store) == found
    assert not admin_window.is_locked
