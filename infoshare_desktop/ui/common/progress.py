"""Long work (backup, restore, key rotation, verify, an account change that rotates the
data key, building a case summary) off the UI thread, behind a progress dialog with
Cancel.

`StoreOperation` runs one service call in a QThread: the call gets
`progress(done, total)` (queued onto the UI thread, where it moves the bar) and
`should_stop()` (True once Cancel is pressed; the service then raises
OperationCancelled, having removed what it wrote). It ends with exactly one of
``succeeded(result)``, ``failed(message)`` or ``cancelled()``, then ``finished`` once the
thread has stopped; cancelled before `start`, it never starts the work. The worker ends
its own thread, so `cancel()` then `wait()` (the window closing) returns as soon as the
work has stopped, and the outcome still arrives afterwards. Every store call in the
services opens its own connections, so the worker needs nothing from the UI thread; the
window keeps painting meanwhile, and its modal dialog keeps the user from changing the
store underneath.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QPushButton, QWidget

from infoshare_desktop.diagnostics import safe_traceback
from infoshare_desktop.services.errors import OperationCancelled, UserFacingError
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce

log = logging.getLogger("infoshare")

FAULT = (
    "This could not be finished because of a fault in InfoShare Desktop. Please report "
    "this problem. Anything written half-way has been removed."
)
#: The progress dialog appears only for work that takes longer than this.
SHOW_AFTER_MS = 300
#: The bar's range (the services' progress is rescaled onto it).
STEPS = 1000

Progress = Callable[[int, int], None]
StopCheck = Callable[[], bool]
Work = Callable[[Progress, StopCheck], Any]
"""A service call given (progress, should_stop)."""


def report(parent: QWidget, title: str, text: str, *, warning: bool = False) -> None:
    """An operation's outcome: spoken by a screen reader, and shown."""
    announce(parent, f"{title}. {text}", assertive=warning)
    feedback.inform(parent, title, text, warning=warning)


class _OperationWorker(QObject):
    """Runs the work once, in its own thread (see the module notes)."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, work: Work, fault: str = FAULT) -> None:
        super().__init__()
        self._work = work
        self._fault = fault
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop (safe from any thread)."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._cancel.is_set)
        except OperationCancelled:
            self.cancelled.emit()
        except UserFacingError as error:  # shown by the owner, on the UI thread
            self.failed.emit(error.user_message)
        except Exception as exc:  # a bug: logged (no message), and told plainly
            log.error("a store operation failed\n%s", safe_traceback(exc))
            self.failed.emit(self._fault)
        else:  # finished, even if Cancel came too late to stop it: say what happened
            self.succeeded.emit(result)
        finally:
            # The thread ends itself: a UI thread blocked in wait() (the window closing)
            # cannot run a queued quit(). The outcome, queued first, still arrives first.
            thread = self.thread()
            thread.quit()


class StoreOperation(QObject):
    """One service call on a worker thread, shown in a progress dialog with Cancel."""

    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        work: Work,
        *,
        title: str,
        label: str,
        accessible_name: str,
        parent: QWidget | None,
        fault: str = FAULT,
        cancelling: str = "Cancelling… removing what was written so far.",
    ) -> None:
        """`fault` is said if the work fails by a bug; `cancelling` while it stops."""
        super().__init__(parent)
        self.worker = _OperationWorker(work, fault)
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("store-operation")
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.cancelled.connect(self._on_worker_cancelled)
        self.worker.progressed.connect(self._on_worker_progressed)
        # As for the summary build (ui.printing.worker): the worker goes with its Python
        # reference on the UI thread once its thread has ended, never deleteLater there.
        self.worker_thread.finished.connect(self._on_thread_finished)

        self.progress = QProgressDialog(label, "Cancel", 0, STEPS, parent)
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(SHOW_AFTER_MS)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumWidth(460)  # room for the longer "Cancelling…" words
        self.progress.setAccessibleName(accessible_name)
        self.progress.setAccessibleDescription(label)
        bar = self.progress.findChild(QProgressBar)  # read out with its value, by name
        if bar is not None:
            bar.setAccessibleName(accessible_name)
        self.progress.canceled.connect(self.cancel)
        self._fault = fault
        self._cancelling = cancelling
        self._outcome: tuple[SignalInstance, tuple[Any, ...]] | None = None
        self._running = False
        self._over = False
        self._unstoppable = False

    @classmethod
    def reported(
        cls,
        work: Work,
        done: Callable[[Any], None],
        *,
        title: str,
        label: str,
        accessible_name: str,
        cancelled: str,
        parent: QWidget,
    ) -> StoreOperation:
        """An operation whose outcome is told to the user: `done(result)` on success; a
        failure's message, or the words `cancelled`, announced and shown over `parent`."""
        operation = cls(
            work, title=title, label=label, accessible_name=accessible_name, parent=parent
        )
        operation.succeeded.connect(done)
        operation.failed.connect(
            lambda message: feedback.show_user_error(parent, UserFacingError(message), title=title)
        )
        operation.cancelled.connect(lambda: report(parent, title, cancelled))
        return operation

    def start(self) -> None:
        self._running = True
        self.progress.setValue(0)
        if self.worker.is_cancelled():  # cancelled before it began: it never begins
            self._outcome = (self.cancelled, ())
            self._on_thread_finished()
            return
        self.worker_thread.start()

    def cancel(self) -> None:
        """Stop the work at its next step (the Cancel button, a lock, or the window
        closing); before `start`, keep it from starting."""
        if self._over:
            return
        if self._unstoppable:  # Escape hid the dialog: it stays up until the work ends
            self.progress.show()
            return
        self.worker.cancel()
        if self._running:
            self.progress.setLabelText(self._cancelling)

    def cannot_stop_now(self, label: str) -> None:
        """The work has reached a part that cannot be stopped (a schema update, one
        transaction): Cancel is disabled and ignored from now on (Escape too: the dialog
        stays up), and `label` says so. Said again, it changes nothing."""
        if self._unstoppable:
            return
        self._unstoppable = True
        self.progress.setLabelText(label)
        self.progress.setAccessibleDescription(label)
        button = self.progress.findChild(QPushButton)
        if button is not None:
            button.setEnabled(False)

    def is_running(self) -> bool:
        return self._running

    def wait(self, msecs: int = 600_000) -> bool:
        """Block until the thread has stopped (after cancel(), when the window closes)."""
        return self.worker_thread.wait(msecs) if self.worker_thread.isRunning() else True

    # -- worker results (queued onto the UI thread) -------------------------------------

    def _on_worker_progressed(self, done: int, total: int) -> None:
        if not self.worker.is_cancelled() and total > 0:
            self.progress.setValue(STEPS * min(done, total) // total)

    def _on_worker_succeeded(self, result: object) -> None:
        self._outcome = (self.succeeded, (result,))
        self.worker_thread.quit()

    def _on_worker_failed(self, message: str) -> None:
        self._outcome = (self.failed, (message,))
        self.worker_thread.quit()

    def _on_worker_cancelled(self) -> None:
        self._outcome = (self.cancelled, ())
        self.worker_thread.quit()

    def _on_thread_finished(self) -> None:
        self.worker_thread.wait()  # finished comes just before the thread ends: let it end
        self._running = False
        self._over = True
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()
        signal, args = self._outcome or (self.failed, (self._fault,))
        signal.emit(*args)
        self.finished.emit()
