"""Administration > Back up, Verify, Rotate the data key and Restore run off the UI
thread behind a progress dialog with Cancel: the dialog appears and moves while the
window keeps handling events, Cancel stops the work with nothing changed, the outcome
is announced and shown, and the idle lock waits for the work to end. Real stores,
real files, real widgets."""

from __future__ import annotations

import contextlib
import os

import pytest

from infoshare_desktop.services import accounts, maintenance
from infoshare_desktop.store import snapshot
from infoshare_desktop.store.tables import StoreSetting
from infoshare_desktop.ui.common import progress
from infoshare_desktop.ui.common.announce import announcer
from tests.ui.conftest import WAIT_MS
from tests.ui.operations import Watch, hold_until_cancelled, watch_operation


@pytest.fixture
def padded_window(admin_window, admin_store, monkeypatch):
    """The administrator's window over a store of some megabytes, copied a few pages per
    step, with the progress dialog shown at once."""
    with admin_store.write() as session:
        session.merge(StoreSetting(name="padding", value=os.urandom(3_000_000).hex()))
    monkeypatch.setattr(snapshot, "STEP_PAGES", 32)
    monkeypatch.setattr(progress, "SHOW_AFTER_MS", 0)
    return admin_window


def watch(window, *, cancel_at: int | None = None) -> Watch:
    """Follow the operation `window` has just started (see operations.watch_operation)."""
    operation = window.session.operation
    assert operation is not None, "the work ran on the UI thread: nothing is running now"
    return watch_operation(operation, cancel_at=cancel_at)


@pytest.fixture
def held_until_cancelled(monkeypatch):
    hold_until_cancelled(monkeypatch)


@pytest.fixture(autouse=True)
def _no_announcer_leftovers():
    yield
    with contextlib.suppress(RuntimeError, TypeError):  # nothing connected
        announcer.announced.disconnect()


def test_a_backup_runs_behind_a_progress_dialog_and_reports(
    qtbot, padded_window, messages, tmp_path
):
    messages.save_path = tmp_path / "copy"
    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        padded_window._on_backup_action_triggered()
        seen = watch(padded_window)
    assert seen.names == {"Backup progress"}
    assert seen.dialog_shown
    # The bar moved many times while the work went on: the UI thread was free.
    assert len(set(seen.values)) > 5 and seen.values == sorted(seen.values)
    assert (tmp_path / "copy.isbackup").exists()
    title, text = messages.infos[-1]
    assert title == "Backup written" and "Audit trail head" in text
    assert any("Backup written" in said for said in seen.said)


def test_cancelling_a_backup_leaves_no_file_and_says_so(
    qtbot, padded_window, messages, tmp_path, held_until_cancelled
):
    stick = tmp_path / "stick"
    stick.mkdir()
    messages.save_path = stick / "copy.isbackup"
    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        padded_window._on_backup_action_triggered()
        seen = watch(padded_window, cancel_at=1)
    assert list(stick.iterdir()) == []
    title, text = messages.infos[-1]
    assert title == "Back up the store" and "cancelled" in text and "nothing" in text
    assert any("cancelled" in said for said in seen.said)
    assert maintenance.verify(padded_window.session.store).ok  # the store goes on


def test_verify_from_the_menu_runs_off_the_ui_thread(qtbot, padded_window, messages):
    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        padded_window._on_verify_action_triggered()
        seen = watch(padded_window)
    assert seen.names == {"Verification progress"}
    title, text = messages.infos[-1]
    assert title == "Verify store" and "Database integrity: ok" in text


def test_cancelling_a_rotation_from_the_menu_keeps_the_key(
    qtbot, padded_window, messages, held_until_cancelled
):
    store = padded_window.session.store
    key = store.keys.current_key
    action = next(
        a for a in padded_window.admin_menu.actions() if a.text() == "&Rotate the data key now…"
    )
    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        action.trigger()
        seen = watch(padded_window, cancel_at=1)
    assert seen.names == {"Key rotation progress"}
    title, text = messages.infos[-1]
    assert title == "Rotate the data key" and "keeps its current key" in text
    assert store.keys.current_key == key
    assert accounts.idle_lock_minutes(store) == accounts.DEFAULT_IDLE_LOCK_MINUTES  # usable

    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        action.trigger()  # and done to the end, it replaces the key
    assert messages.infos[-1] == ("Rotate the data key", "The data key has been replaced.")
    assert store.keys.current_key != key


def test_the_idle_lock_waits_for_a_backup_to_finish(qtbot, padded_window, messages, tmp_path):
    messages.save_path = tmp_path / "copy"
    locked_while_running: list[bool] = []
    with qtbot.waitSignal(padded_window.session.operation_finished, timeout=WAIT_MS):
        padded_window._on_backup_action_triggered()
        watch(padded_window)
        padded_window._on_idle_timer_timeout()  # the idle time runs out mid-backup
        locked_while_running.append(padded_window.is_locked)
    assert locked_while_running == [False]
    assert (tmp_path / "copy.isbackup").exists()  # the backup was not cut off
    assert messages.infos[-1][0] == "Backup written"
    qtbot.waitUntil(lambda: padded_window.is_locked, timeout=WAIT_MS)  # then it locks
    padded_window.lock_dialog.reject()
