"""Administration > Restore from backup…: through the menu, with the real dialog, on real
files. A backup of another store is refused with nothing changed; a backup of this one
is explained (dates, audit heads, accounts removed, where the current store goes) and
restored, and the user signs in again."""

from __future__ import annotations

import os
from pathlib import Path

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store.errors import UnknownUserError
from infoshare_desktop.ui.common import feedback
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.ui.conftest import WAIT_MS

# The test never changes the checkout unless asked (INFOSHARE_UPDATE_SCREENSHOTS=1).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "packaging" / "screenshots"


def choose_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(feedback, "ask_open_path", lambda *_args: path)


def check(qtbot, window, dialog) -> None:
    """Press "Check the backup" and wait for the check, which runs off the UI thread."""
    with qtbot.waitSignal(window.session.operation_finished, timeout=WAIT_MS):
        dialog.check_button.click()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts and not p.name.endswith("-shm")
    }


def test_a_backup_of_another_store_is_refused_in_the_dialog(
    qtbot, admin_window, data_paths, tmp_path, monkeypatch
):
    other = accounts.first_run(
        DataPaths(tmp_path / "own"), username=ADMIN, display_name="X", password=ADMIN_PASSWORD
    )
    maintenance.backup(other, dest=tmp_path / "own.isbackup")
    other.close()
    choose_file(monkeypatch, tmp_path / "own.isbackup")
    before = snapshot(data_paths.root)

    admin_window.restore_action.trigger()
    dialog = admin_window.restore_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.password_edit.setText(ADMIN_PASSWORD)
    check(qtbot, admin_window, dialog)
    assert "another InfoShare store" in dialog.alert.text()
    assert not dialog.restore_button.isEnabled()
    assert dialog.plan_label.isHidden()
    dialog.reject()
    assert snapshot(data_paths.root) == before
    assert not admin_window.is_locked and admin_window.session.store.is_open


def test_an_administrator_restores_a_backup_of_this_store_from_the_menu(
    qtbot, admin_window, admin_store, data_paths, tmp_path, monkeypatch, messages
):
    code = accounts.add_user(admin_store, username="sam.admin", display_name="Sam", roles=set(Role))
    assert code
    backup = tmp_path / "before.isbackup"
    maintenance.backup(admin_store, dest=backup)
    sam_id = admin_store.keystore.user_id_for("sam.admin")
    accounts.revoke_user(admin_store, user_id=sam_id)  # after the backup
    accounts.set_idle_lock_minutes(admin_store, minutes=42)
    choose_file(monkeypatch, backup)

    admin_window.restore_action.trigger()
    dialog = admin_window.restore_dialog
    assert not dialog.restore_button.isEnabled()
    dialog.password_edit.setText("not my password")
    check(qtbot, admin_window, dialog)
    assert "password is not right" in dialog.alert.text()
    dialog.password_edit.setText(ADMIN_PASSWORD)
    check(qtbot, admin_window, dialog)
    shown = dialog.plan_label.text()
    assert "Backup made:" in shown
    assert "Audit trail head in the backup" in shown
    assert "Audit trail head of the current store" in shown
    assert "Accounts revoked since the backup, removed from the restored store: sam.admin" in shown
    assert "backups/replaced-<time>/" in shown
    assert dialog.restore_button.isEnabled()
    folder = SCREENSHOTS if os.environ.get("INFOSHARE_UPDATE_SCREENSHOTS") else tmp_path
    assert dialog.grab().save(str(folder / "restore-from-backup.png"))

    with qtbot.waitSignal(admin_window.signed_out, timeout=60_000):
        dialog.restore_button.click()
    assert any(title == "Backup restored" for title, _ in messages.infos)
    assert messages.errors == []
    assert list(data_paths.backups.glob("replaced-*/infoshare.db"))

    # Signing in again: the restored store, without the account revoked since.
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES
    (sam,) = [u for u in accounts.list_users(store) if u.username == "sam.admin"]
    assert sam.status == "revoked"
    assert maintenance.verify(store).ok
    store.close()
    try:
        accounts.sign_in(data_paths, username="sam.admin", password=code)
    except UnknownUserError:
        pass
    else:
        raise AssertionError("the account revoked since the backup could sign in")
