"""Signing in to a store an earlier version left: the backup and the update run off the UI
thread behind a progress dialog (minutes for a large store, where the window used to
stop responding), then the sign-in completes; Cancel during the backup leaves the store
as it was and says so, and Unlock again updates it. A real store made at revision 0014,
real files, real widgets."""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QProgressBar, QPushButton

from infoshare_desktop.services.errors import StoreUpdateFailedError
from infoshare_desktop.store import migrate, snapshot
from infoshare_desktop.ui.common import progress
from infoshare_desktop.ui.common.announce import announcer
from infoshare_desktop.ui.common.progress import StoreOperation
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.test_update_at_sign_in import (
    files,
    make_earlier_store,
    revision,
    set_version_record,
)
from tests.ui.conftest import WAIT_MS
from tests.ui.operations import hold_until_cancelled, watch_operation


@pytest.fixture
def earlier_store(data_paths, monkeypatch):
    """A store of some megabytes left at EARLIER, copied a few pages per step, with the
    progress dialog shown at once."""
    make_earlier_store(data_paths, padding=3_000_000)
    monkeypatch.setattr(snapshot, "STEP_PAGES", 32)
    monkeypatch.setattr(progress, "SHOW_AFTER_MS", 0)
    return data_paths


@pytest.fixture(autouse=True)
def _no_announcer_leftovers():
    yield
    with contextlib.suppress(RuntimeError, TypeError, SystemError):  # nothing connected
        announcer.announced.disconnect()


def start_update(qtbot, paths) -> tuple[UnlockDialog, StoreOperation]:
    """The sign-in dialog, the right password typed and Unlock pressed: the update it
    started on its worker thread."""
    dialog = UnlockDialog(paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText(ADMIN)
    dialog.password_edit.setText(ADMIN_PASSWORD)
    dialog.unlock_button.click()
    update = dialog._update
    assert update is not None, "the update ran on the UI thread"
    return dialog, update


def test_the_update_runs_behind_a_progress_dialog_then_signs_in(qtbot, earlier_store):
    dialog, update = start_update(qtbot, earlier_store)
    assert not dialog.unlock_button.isEnabled()  # no second sign-in meanwhile
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        seen = watch_operation(update)
    assert seen.names == {"Store update progress"}
    assert seen.dialog_shown
    # The bar moved many times, while the work went on: the UI thread was free.
    assert seen.worker_running
    assert len(set(seen.values)) > 5 and seen.values == sorted(seen.values)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.store is not None
    with dialog.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    dialog.store.close()


def test_an_update_that_fails_is_refused_in_plain_words(qtbot, admin_store, data_paths):
    """A version record set back by another program: the update fails, and the sign-in
    says why in the store's words (not as an unexpected fault), and can be tried again."""
    admin_store.close()
    set_version_record(data_paths, "0013")
    dialog, update = start_update(qtbot, data_paths)
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        pass
    assert dialog.isVisible() and dialog.store is None
    assert dialog.alert.text() == StoreUpdateFailedError.user_message
    assert dialog.unlock_button.isEnabled()
    assert not list(data_paths.backups.glob("before-migration-*"))


def test_cancel_during_the_backup_leaves_the_store_as_it_was_and_says_so(
    qtbot, earlier_store, monkeypatch
):
    before = files(earlier_store)
    holding = pytest.MonkeyPatch()
    hold_until_cancelled(holding)
    dialog, update = start_update(qtbot, earlier_store)
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        seen = watch_operation(update, cancel_at=1)
    assert dialog.isVisible() and dialog.store is None
    assert "cancelled" in dialog.alert.text() and "not updated" in dialog.alert.text()
    assert any("cancelled" in said for said in seen.said)
    assert dialog.unlock_button.isEnabled()
    assert files(earlier_store) == before
    assert revision(earlier_store) == "behind"

    holding.undo()  # no more holding: Unlock again updates it and signs in
    dialog.password_edit.setText(ADMIN_PASSWORD)
    dialog.unlock_button.click()
    assert dialog._update is not None
    with qtbot.waitSignal(dialog._update.finished, timeout=WAIT_MS):
        pass
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.store is not None
    dialog.store.close()


def test_closing_the_sign_in_during_the_update_asks_it_to_stop(qtbot, earlier_store, monkeypatch):
    hold_until_cancelled(monkeypatch)
    dialog, update = start_update(qtbot, earlier_store)
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        watch_operation(update)
        dialog.reject()  # the window's close button, Escape
    assert dialog.isVisible() and dialog.store is None
    assert "cancelled" in dialog.alert.text()
    assert revision(earlier_store) == "behind"


def test_once_the_schema_update_begins_cancel_is_disabled_and_it_finishes(qtbot, earlier_store):
    dialog, update = start_update(qtbot, earlier_store)
    shown: list[tuple[str, bool]] = []

    def moved(value: int) -> None:
        if value > progress.STEPS // 2 and not shown:  # a revision has been applied
            cancel = update.progress.findChild(QPushButton)
            shown.append((update.progress.labelText(), cancel.isEnabled()))
            dialog.reject()  # closing now changes nothing: the update goes on
            cancel.click()  # nor does the (disabled) Cancel
            QTest.keyClick(update.progress, Qt.Key.Key_Escape)  # nor Escape
            shown.append(update.progress.isVisible())

    update.progress.findChild(QProgressBar).valueChanged.connect(moved)
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        pass
    assert shown, "the bar never reached the schema update"
    (label, cancel_enabled), still_shown = shown
    assert not cancel_enabled and "cannot be stopped now" in label
    assert still_shown, "Escape hid the progress of an update that goes on"
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.store is not None
    dialog.store.close()


def test_an_update_that_fails_says_why_and_lets_the_user_try_again(
    qtbot, earlier_store, monkeypatch
):
    from infoshare_desktop.services.errors import DiskFullError

    def full(conn, progress=None):
        raise DiskFullError()

    monkeypatch.setattr(migrate, "upgrade", full)
    dialog, update = start_update(qtbot, earlier_store)
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        pass
    assert dialog.isVisible() and dialog.store is None
    assert "disk is full" in dialog.alert.text()
    assert dialog.unlock_button.isEnabled() and dialog.password_edit.text() == ""
    assert revision(earlier_store) == "behind"


def test_a_one_time_code_sets_the_password_then_the_update_signs_in(qtbot, data_paths, monkeypatch):
    """A new account's first sign-in on a store an earlier version left: the code, the
    chosen password, then the update on its worker thread with that password set."""
    from infoshare_desktop.domain.accounts import Role
    from infoshare_desktop.services import accounts
    from infoshare_desktop.services.errors import WrongPasswordError
    from infoshare_desktop.store.audit import Action
    from infoshare_desktop.ui.signin.set_password import SetPasswordDialog

    codes: list[str] = []
    make_earlier_store(
        data_paths,
        then=lambda store: codes.append(
            accounts.add_user(
                store, username="pat.p", display_name="Pat Practitioner", roles={Role.PRACTITIONER}
            )
        ),
    )
    chosen = "copper lagoon sparrow"
    asked: list[str] = []
    monkeypatch.setattr(
        SetPasswordDialog,
        "ask",
        classmethod(lambda cls, parent, user, msg: asked.append(user) or chosen),
    )
    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText("pat.p")
    dialog.password_edit.setText(codes[0])
    dialog.unlock_button.click()
    assert asked == ["pat.p"]
    update = dialog._update
    assert update is not None, "the update ran on the UI thread"
    with qtbot.waitSignal(update.finished, timeout=WAIT_MS):
        pass
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.store is not None
    with dialog.store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    dialog.store.close()
    store = accounts.sign_in(data_paths, username="pat.p", password=chosen)
    try:  # the password chosen is in the audit trail once, as at any first sign-in
        with store.read() as session:
            raw = session.connection().connection.dbapi_connection
            (changes,) = raw.execute(
                "SELECT count(*) FROM audit_event WHERE action = ? AND target_id = ?",
                (Action.PASSWORD_CHANGE.value, store.keys.user_id),
            ).fetchone()
    finally:
        store.close()
    assert changes == 1
    with pytest.raises(WrongPasswordError):
        accounts.sign_in(data_paths, username="pat.p", password=codes[0])
