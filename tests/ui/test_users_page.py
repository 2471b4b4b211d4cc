"""The administrator's Users page, its dialogs and table model."""

from __future__ import annotations

import contextlib

import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts
from infoshare_desktop.ui.admin.account_table import AccountTableModel
from infoshare_desktop.ui.admin.user_accounts import (
    AddUserDialog,
    ChangeRolesDialog,
    OneTimeCodeDialog,
)
from infoshare_desktop.ui.admin.users_page import UsersPage
from infoshare_desktop.ui.main_window import MainWindow
from infoshare_desktop.ui.signin.set_password import SetPasswordDialog
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN
from tests.ui.conftest import USER, WAIT_MS

NEW_PASSWORD = "violet railway sandwich"


@pytest.fixture
def codes(monkeypatch) -> list[tuple[str, str]]:
    """One-time codes the page would have shown, as (user name, code)."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        OneTimeCodeDialog, "present", classmethod(lambda cls, u, c, p: shown.append((u, c)))
    )
    return shown


@pytest.fixture
def users_page(admin_window) -> UsersPage:
    admin_window.show_page("Users")
    return admin_window.users_page


def drive_add_user(qtbot, monkeypatch, username: str, roles: set[Role]) -> None:
    """AddUserDialog.ask, driven through the real dialog without a modal loop."""

    def ask(cls, session, parent):
        dialog = cls(session, parent)
        qtbot.addWidget(dialog)
        dialog.username_edit.setText(username)
        dialog.full_name_edit.setText("Casey Nurse")
        for role, box in dialog.roles.boxes.items():
            box.setChecked(role in roles)
        assert dialog.add_button.isEnabled()
        dialog.add_button.click()
        return (dialog.username, dialog.code) if dialog.result() else None

    monkeypatch.setattr(AddUserDialog, "ask", classmethod(ask))


def test_admin_adds_a_user_who_signs_in_with_the_code(
    qtbot, monkeypatch, users_page, codes, data_paths
):
    drive_add_user(qtbot, monkeypatch, "casey.nurse", {Role.PRACTITIONER})
    users_page.add_button.click()

    [(username, code)] = codes
    assert username == "casey.nurse" and len(code) == 19
    assert users_page.selected_account().username == "casey.nurse"
    assert users_page.model.rowCount() == 2

    def choose(cls, parent, name, message):
        dialog = cls(name, message, parent)
        qtbot.addWidget(dialog)
        assert not dialog.ok_button.isEnabled()
        dialog.fields.password.setText(NEW_PASSWORD)
        dialog.fields.confirm.setText(NEW_PASSWORD)
        assert dialog.ok_button.isEnabled()
        return dialog.new_password()

    monkeypatch.setattr(SetPasswordDialog, "ask", classmethod(choose))
    unlock = UnlockDialog(data_paths)
    qtbot.addWidget(unlock)
    unlock.username_edit.setText(username)
    unlock.password_edit.setText(code)
    unlock.unlock_button.click()
    assert unlock.store is not None
    window = MainWindow(unlock.store)
    qtbot.addWidget(window)
    assert "Casey Nurse" in window.user_label.text()
    assert window.page_names() == ["Home", "Cases", "My drafts"]
    window.close()

    again = accounts.sign_in(data_paths, username=username, password=NEW_PASSWORD)
    again.close()


def test_add_user_dialog_explains_problems_inline(qtbot, admin_window):
    dialog = AddUserDialog(admin_window.session, admin_window)
    qtbot.addWidget(dialog)
    assert not dialog.add_button.isEnabled()
    dialog.username_edit.setText(ADMIN)
    dialog.add_button.click()
    assert "already exists" in dialog.alert.text()
    assert dialog.username_edit.text() == ADMIN
    for box in dialog.roles.boxes.values():
        box.setChecked(False)
    assert dialog.add_button.toolTip() == "Choose at least one role."


def test_one_time_code_is_large_and_selectable(qtbot):
    dialog = OneTimeCodeDialog("casey.nurse", "ABCD-EFGH-JKLM-NPQR")
    qtbot.addWidget(dialog)
    assert dialog.code_label.text() == "ABCD-EFGH-JKLM-NPQR"
    assert dialog.code_label.property("role") == "code"
    assert dialog.code_label.font().pointSize() > dialog.font().pointSize()
    assert dialog.code_label.textInteractionFlags()


def test_the_page_shows_the_root_of_trust_in_words(users_page):
    words = users_page.session.store.root_fingerprint
    assert words and len(words.split()) == 8
    assert f"Root of trust: {words}." in users_page.fingerprint_label.text()
    assert users_page.fingerprint_label.isVisibleTo(users_page)


def test_own_account_cannot_be_disabled_or_revoked(users_page):
    users_page.select_user(ADMIN)
    assert users_page.roles_button.isEnabled()
    assert not users_page.status_button.isEnabled()
    assert not users_page.revoke_button.isEnabled()
    assert "your own account" in users_page.revoke_button.toolTip()


def test_disable_enable_reset_and_revoke(qtbot, users_page, worker_store, messages, codes):
    worker_store.close()  # a key rotation needs the only open connection
    users_page.refresh()
    users_page.select_user(USER)
    assert users_page.status_button.text() == "&Disable"
    finished = users_page.session.operation_finished

    with qtbot.waitSignal(finished, timeout=WAIT_MS):  # the key rotation runs off the UI
        users_page.status_button.click()  # thread (tests/ui/test_account_change_progress.py)
    assert users_page.selected_account().status == "disabled"
    assert users_page.status_button.text() == "&Enable"
    users_page.status_button.click()  # enabling rotates nothing: done at once
    assert users_page.selected_account().status == "active"

    with qtbot.waitSignal(finished, timeout=WAIT_MS):
        users_page.reset_button.click()
    assert codes and codes[-1][0] == USER

    with qtbot.waitSignal(finished, timeout=WAIT_MS):
        users_page.revoke_button.click()
    assert messages.confirms == ["Disable account", "Reset password", "Revoke account"]
    revoked = users_page.selected_account()
    assert revoked.status == "revoked"
    assert not any(
        b.isEnabled()
        for b in (users_page.roles_button, users_page.status_button, users_page.revoke_button)
    )
    assert messages.errors == []


def test_declined_confirmation_changes_nothing(users_page, worker_store, messages):
    messages.answer = False
    users_page.refresh()
    users_page.select_user(USER)
    users_page.status_button.click()
    assert users_page.selected_account().status == "active"


def test_locked_out_account_can_be_unlocked(
    users_page, worker_store, data_paths, messages, monkeypatch
):
    from infoshare_desktop.services.errors import AccountLockedError, WrongPasswordError
    from infoshare_desktop.store import keyslots as keystore

    monkeypatch.setattr(keystore, "failure_delay", lambda failures: 0.0)
    for _ in range(keystore.LOCK_AFTER_FAILURES):
        with contextlib.suppress(WrongPasswordError, AccountLockedError):
            accounts.sign_in(data_paths, username=USER, password="wrong every time")
    users_page.refresh()
    users_page.select_user(USER)
    assert users_page.selected_account().locked_out
    assert users_page.model.data(users_page.table.selectionModel().selectedRows(4)[0]) == (
        "Yes: too many failed attempts"
    )
    assert users_page.unlock_button.isEnabled()
    users_page.unlock_button.click()
    assert not users_page.selected_account().locked_out
    assert messages.infos[-1][0] == "Account unlocked"


def test_change_roles_dialog(qtbot, admin_window, worker_store):
    page = admin_window.users_page
    page.refresh()
    page.select_user(USER)
    dialog = ChangeRolesDialog(admin_window.session, page.selected_account(), admin_window)
    qtbot.addWidget(dialog)
    dialog.roles.boxes[Role.PRACTITIONER].setChecked(False)
    assert not dialog.save_button.isEnabled()
    dialog.roles.boxes[Role.TEAM_LEAD].setChecked(True)
    dialog.save_button.click()
    page.refresh()
    assert page.selected_account().roles == frozenset({Role.TEAM_LEAD})


def test_account_table_model(qtmodeltester, admin_store, worker_store):
    model = AccountTableModel(accounts.list_users(admin_store))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 5
    row = model.row_of(accounts.current_user(admin_store).user_id)
    assert model.data(model.index(row, 2)) == "Practitioner, Team lead, Supervisor, Administrator"
    assert model.data(model.index(row, 3)) == "Active"
    assert model.data(model.index(row, 4)) == "No"


def test_a_rotation_left_pending_is_shown_and_finished_from_the_page(
    qtbot, monkeypatch, users_page, admin_store, data_paths, messages
):
    """A revocation whose key rotation found the store busy is never silent: the page
    says so, marks the account, and Rotate the data key now finishes it."""
    from infoshare_desktop.services.errors import StoreBusyError
    from infoshare_desktop.store.core import Store
    from tests.ui.conftest import add_user

    add_user(admin_store, data_paths, "leaver.one", {Role.PRACTITIONER}, NEW_PASSWORD).close()
    users_page.refresh()
    users_page.select_user("leaver.one")
    with monkeypatch.context() as patch:

        def busy(self, keystore, **_progress):
            raise StoreBusyError()  # another program opened the store at that moment

        patch.setattr(Store, "_rotate_locked", busy)
        with qtbot.waitSignal(users_page.session.operation_finished, timeout=WAIT_MS):
            users_page.revoke_button.click()
    assert messages.errors  # the failure was shown
    assert users_page.rotation_alert.isVisible()
    assert "Key rotation pending" in users_page.rotation_alert.text()
    assert users_page.rotate_button.isVisible()
    row = next(
        r
        for r in range(users_page.model.rowCount())
        if users_page.model.row_at(r).username == "leaver.one"
    )
    status = users_page.model.index(row, 3).data()
    assert status == "Revoked: data key not yet rotated"
    home = users_page.window().home_page
    assert not home.rotation_alert.isHidden()
    assert "Rotate the data key now" in home.rotation_alert.text()
    epoch = admin_store.keystore.epoch
    with qtbot.waitSignal(users_page.session.operation_finished, timeout=WAIT_MS):
        users_page.rotate_button.click()  # off the UI thread, behind a progress dialog
    assert admin_store.keystore.epoch == epoch + 1
    assert not users_page.rotation_alert.isVisible()
    assert not users_page.rotate_button.isVisible()
    assert users_page.model.index(row, 3).data() == "Revoked"
    assert users_page.window().home_page.rotation_alert.isHidden()


def test_the_administration_menu_rotates_the_data_key(qtbot, admin_window, admin_store, messages):
    action = next(
        a for a in admin_window.admin_menu.actions() if a.text() == "&Rotate the data key now…"
    )
    epoch = admin_store.keystore.epoch
    with qtbot.waitSignal(admin_window.session.operation_finished, timeout=WAIT_MS):
        action.trigger()
    assert admin_store.keystore.epoch == epoch + 1
    assert messages.infos[-1] == ("Rotate the data key", "The data key has been replaced.")
