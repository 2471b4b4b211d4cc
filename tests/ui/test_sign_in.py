"""The first-run and unlock dialogs, and the application around them."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from infoshare_desktop.ui import application
from infoshare_desktop.ui.application import SessionController, handle_exception
from infoshare_desktop.ui.signin.first_run import FirstRunDialog
from infoshare_desktop.ui.signin.set_password import SetPasswordDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import WAIT_MS


def fill_first_run(dialog: FirstRunDialog, password: str = ADMIN_PASSWORD) -> None:
    dialog.username_edit.setText(ADMIN)
    dialog.full_name_edit.setText("Alex Example")
    dialog.password_fields.password.setText(password)
    dialog.password_fields.confirm.setText(password)


def test_first_run_creates_the_store_and_signs_in(qtbot, qapp, data_paths):
    controller = SessionController(data_paths, qapp)
    controller.start()
    dialog = controller.dialog
    assert isinstance(dialog, FirstRunDialog)
    qtbot.addWidget(dialog)
    assert not dialog.create_button.isEnabled()
    fill_first_run(dialog)
    assert dialog.create_button.isEnabled()

    dialog.create_button.click()

    # The store exists: its root of trust is shown as eight words to note and compare.
    assert controller.window is None
    assert dialog.pages.currentIndex() == 1
    words = dialog.fingerprint_label.text().split()
    assert len(words) == 8
    assert " ".join(words) == dialog.store.root_fingerprint
    dialog.continue_button.click()

    window = controller.window
    assert window is not None
    qtbot.addWidget(window)
    assert "Alex Example" in window.user_label.text()
    assert window.session.store.is_open
    assert data_paths.keystore.exists()
    assert not application.needs_first_run(data_paths)
    window.close()
    assert not window.session.store.is_open


def test_first_run_hints_follow_the_password_policy(qtbot, data_paths):
    dialog = FirstRunDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText(ADMIN)
    dialog.password_fields.password.setText("short")
    assert "at least 8 characters" in dialog.password_fields.hint.text()
    dialog.password_fields.password.setText("password")
    assert "commonly used" in dialog.password_fields.hint.text()
    dialog.password_fields.password.setText(ADMIN_PASSWORD)
    dialog.password_fields.confirm.setText(ADMIN_PASSWORD + "x")
    assert "not the same" in dialog.password_fields.match_hint.text()
    assert not dialog.create_button.isEnabled()
    assert "not the same" in dialog.create_button.toolTip()


def test_first_run_error_stays_inline_with_the_typing_kept(qtbot, admin_store, data_paths):
    dialog = FirstRunDialog(data_paths)  # the store already exists: refused
    qtbot.addWidget(dialog)
    dialog.show()
    fill_first_run(dialog)
    dialog.create_button.click()
    assert dialog.isVisible() and dialog.store is None
    assert "already exists" in dialog.alert.text()
    assert dialog.alert.isVisible() and dialog.alert.property("role") == "alert"
    assert dialog.username_edit.text() == ADMIN
    assert dialog.password_fields.value() == ADMIN_PASSWORD


def test_wrong_password_shows_why_and_keeps_the_user_name(qtbot, admin_store, data_paths):
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText(ADMIN)
    qtbot.keyClicks(dialog.password_edit, "not the password")
    dialog.unlock_button.click()

    assert dialog.isVisible() and dialog.store is None
    assert "password is not right" in dialog.alert.text()
    assert dialog.username_edit.text() == ADMIN
    assert dialog.password_edit.text() == ""

    dialog.password_edit.setText(ADMIN_PASSWORD)
    dialog.unlock_button.click()
    assert dialog.store is not None and dialog.store.is_open
    dialog.store.close()


def test_unknown_user_and_empty_fields(qtbot, admin_store, data_paths):
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.unlock_button.click()
    assert "Enter your user name" in dialog.alert.text()
    dialog.username_edit.setText("nobody")
    dialog.password_edit.setText("whatever it is")
    dialog.unlock_button.click()
    assert "no account with that user name" in dialog.alert.text()


def test_enter_in_the_password_field_unlocks(qtbot, admin_store, data_paths):
    from PySide6.QtCore import Qt

    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username_edit, ADMIN)
    qtbot.keyClicks(dialog.password_edit, ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    dialog.store.close()


def test_repeated_failures_hold_the_unlock_button_back(qtbot, admin_store, data_paths):
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText(ADMIN)
    for _ in range(5):
        dialog.password_edit.setText("wrong again")
        dialog.unlock_button.click()
    assert not dialog.unlock_button.isEnabled()
    assert dialog.alert.text()


def test_setup_code_cancelled_explains_what_next(qtbot, admin_store, data_paths, monkeypatch):
    from infoshare_desktop.domain.accounts import Role
    from infoshare_desktop.services import accounts

    code = accounts.add_user(
        admin_store, username="new.one", display_name="", roles={Role.PRACTITIONER}
    )
    monkeypatch.setattr(SetPasswordDialog, "ask", classmethod(lambda cls, *a: None))
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.username_edit.setText("new.one")
    dialog.password_edit.setText(code)
    dialog.unlock_button.click()
    assert dialog.store is None
    assert "not set up yet" in dialog.alert.text()


def test_lock_mode_fixes_the_user_and_offers_sign_out(qtbot, data_paths):
    dialog = UnlockDialog(data_paths, locked_user=ADMIN, locked_name="Alex Example")
    qtbot.addWidget(dialog)
    assert dialog.username_edit.text() == ADMIN and dialog.username_edit.isReadOnly()
    assert dialog.other_button.text() == "Sign out"
    assert dialog.windowTitle() == "InfoShare Desktop is locked"
    with qtbot.waitSignal(dialog.rejected, timeout=WAIT_MS):
        dialog.other_button.click()
    assert dialog.sign_out_chosen


def test_every_input_has_an_accessible_name(qtbot, data_paths):
    from PySide6.QtWidgets import QLineEdit

    for dialog in (FirstRunDialog(data_paths), UnlockDialog(data_paths)):
        qtbot.addWidget(dialog)
        for edit in dialog.findChildren(QLineEdit):
            assert edit.accessibleName(), edit


def test_sign_out_returns_to_a_fresh_sign_in(qtbot, qapp, admin_store, data_paths):
    admin_store.close()
    controller = SessionController(data_paths, qapp)
    controller.start()
    dialog = controller.dialog
    assert isinstance(dialog, UnlockDialog)
    dialog.username_edit.setText(ADMIN)
    dialog.password_edit.setText(ADMIN_PASSWORD)
    dialog.unlock_button.click()
    window = controller.window
    qtbot.addWidget(window)
    store = window.session.store

    window.sign_out()

    assert not store.is_open
    assert controller.window is None
    fresh = controller.dialog
    assert isinstance(fresh, UnlockDialog) and fresh.locked_user is None
    qtbot.addWidget(fresh)
    assert fresh.isVisible()


def test_unexpected_errors_log_no_message_and_say_so_plainly(messages, caplog):
    try:
        raise ValueError("Jane Doe, 12 Acacia Avenue")  # fictional personal data
    except ValueError as exc:
        with caplog.at_level(logging.INFO, logger="infoshare"):
            handle_exception(type(exc), exc, exc.__traceback__)
    assert messages.errors == [application.UNEXPECTED_ERROR]
    assert "ValueError" in caplog.text and "Jane Doe" not in caplog.text


def test_known_errors_show_their_own_words(messages):
    from infoshare_desktop.services.errors import DiskFullError

    exc = DiskFullError()
    handle_exception(DiskFullError, exc, None)
    assert messages.errors == [exc.user_message]


def test_run_wires_the_application(qapp, data_paths, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    shown = []
    monkeypatch.setattr(SessionController, "start", lambda self: shown.append(self))
    monkeypatch.setattr(type(qapp), "exec", staticmethod(lambda: 7))
    assert application.run(data_paths) == 7
    assert qapp.applicationName() == "InfoShare Desktop"
    assert sys.excepthook is handle_exception
    assert shown
    qapp.setQuitOnLastWindowClosed(True)


@pytest.mark.parametrize(
    "module",
    [
        "infoshare_desktop.ui.application",
        "infoshare_desktop.ui.signin.unlock",
        "infoshare_desktop.ui.signin.first_run",
    ],
)
def test_sign_in_modules_do_not_import_the_storage_stack(module):
    code = (
        f"import sys, {module}\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', "
        "'sqlcipher3', 'alembic') or m.startswith(('infoshare_desktop.services', "
        "'infoshare_desktop.store'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_rolled_back_database_is_refused_in_the_sign_in_dialog(
    qtbot, admin_store, data_paths, tmp_path
):
    """An older copy of the database put back: the dialog says what happened and points
    to restore; nothing is opened."""
    import shutil

    from infoshare_desktop.services import accounts

    admin_store.close()
    shutil.copy(data_paths.database, tmp_path / "old.db")
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    accounts.set_idle_lock_minutes(store, minutes=9)  # a change the old copy lacks
    store.close()
    shutil.copy(tmp_path / "old.db", data_paths.database)
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText(ADMIN)
    dialog.password_edit.setText(ADMIN_PASSWORD)
    dialog.unlock_button.click()
    assert dialog.isVisible() and dialog.store is None
    assert "older than the one this account last saw" in dialog.alert.text()
    assert "restore the latest backup" in dialog.alert.text()
