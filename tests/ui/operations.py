"""Following a long operation's progress dialog (ui.common.progress.StoreOperation) from
a test, on the UI thread, and holding a store copy until Cancel is pressed."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtWidgets import QProgressBar, QPushButton

from infoshare_desktop.store import snapshot
from infoshare_desktop.ui.common.announce import announcer
from tests.ui.conftest import WAIT_MS


@dataclass
class Watch:
    """What the UI thread saw of the running operation, each time its bar moved."""

    values: list[int] = field(default_factory=list)
    dialog_shown: bool = False
    names: set[str] = field(default_factory=set)
    said: list[str] = field(default_factory=list)
    worker_running: bool = False  # the bar moved while the work was still going on


def watch_operation(operation, *, cancel_at: int | None = None) -> Watch:
    """Follow a StoreOperation just started (through its progress bar's own signal);
    press Cancel once the bar reaches `cancel_at`."""
    seen = Watch()
    dialog = operation.progress
    seen.names.add(dialog.accessibleName())
    bar = dialog.findChild(QProgressBar)
    seen.names.add(bar.accessibleName())  # the bar is read out by the same name
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"

    def moved(value: int) -> None:
        seen.values.append(value)
        seen.dialog_shown |= dialog.isVisible()
        seen.worker_running |= operation.worker_thread.isRunning()
        if cancel_at is not None and value >= cancel_at and cancel.isEnabled():
            cancel.click()

    bar.valueChanged.connect(moved)
    announcer.announced.connect(lambda text, _assertive: seen.said.append(text))
    return seen


def hold_until_cancelled(monkeypatch) -> None:
    """The next store copy (a backup, a rotation) stops once it has reported its first
    step, until Cancel is pressed (or WAIT_MS passes), so no machine, fast or loaded,
    finishes it before the click. Undone with `monkeypatch` (a MonkeyPatch of its own
    to undo it alone)."""
    calls: list[None] = []

    def check_stop(should_stop):
        # Checked before the copy, then before each step's progress: the third check
        # comes after the first step was reported.
        calls.append(None)
        if should_stop is not None and len(calls) == 3:
            pause = threading.Event()
            for _ in range(WAIT_MS // 10):
                if should_stop():
                    break
                pause.wait(0.01)
        snapshot_check_stop(should_stop)

    snapshot_check_stop = snapshot.check_stop
    monkeypatch.setattr(snapshot, "check_stop", check_stop)
