"""Building a summary off the UI thread, with a progress dialog that can cancel it.

``SummaryBuildWorker`` calls :func:`services.printing.build_case_summary` in a QThread
(the store hands each thread its own pooled connection, and the service opens its own
read transaction); it reports ``progressed(done, total)`` and ends with exactly one of
``succeeded(bytes)``, ``failed(str)`` or ``cancelled()``. Cancelling sets a flag the
service polls: it raises SummaryCancelled and nothing is audited or returned.

``SummaryBuild`` owns one worker, its thread and a QProgressDialog whose Cancel cancels
the worker; ``finished`` fires once the thread has stopped, whatever the outcome.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from infoshare_desktop.diagnostics import safe_traceback
from infoshare_desktop.services import printing
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.printing import SummaryCancelled, SummaryOptions

log = logging.getLogger("infoshare")

FAULT = (
    "The case summary could not be built because of a fault in InfoShare Desktop. "
    "Nothing was printed or saved. Please report this problem; the store is unaffected."
)
#: The progress dialog appears only for builds that take longer than this.
SHOW_AFTER_MS = 400


class SummaryBuildWorker(QObject):
    """Runs one build (see the module notes). Lives in its own thread."""

    progressed = Signal(int, int)
    succeeded = Signal(bytes)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, store: Store, case_id: str, options: SummaryOptions) -> None:
        super().__init__()
        self._store = store
        self._case_id = case_id
        self._options = options
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the build to stop (safe from any thread)."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        try:
            data = printing.build_case_summary(
                self._store,
                case_id=self._case_id,
                options=self._options,
                progress=self.progressed.emit,
                cancelled=self._cancel.is_set,
            )
        except SummaryCancelled:
            self.cancelled.emit()
        except UserFacingError as error:  # shown by the controller, on the UI thread
            self.failed.emit(error.user_message)
        except Exception as exc:  # a bug: logged (no message), and told plainly
            log.error("building a case summary failed\n%s", safe_traceback(exc))
            self.failed.emit(FAULT)
        else:
            if self._cancel.is_set():
                self.cancelled.emit()  # cancelled as it finished: release nothing
            else:
                self.succeeded.emit(data)


class SummaryBuild(QObject):
    """One build on a worker thread, shown in a progress dialog with Cancel."""

    succeeded = Signal(bytes)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        store: Store,
        case_id: str,
        options: SummaryOptions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.options = options
        self.worker = SummaryBuildWorker(store, case_id, options)
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("case-summary-build")
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        self.worker.succeeded.connect(self._on_worker_succeeded)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.cancelled.connect(self._on_worker_cancelled)
        self.worker.progressed.connect(self._on_worker_progressed)
        # No worker.deleteLater on thread.finished: that deletes the worker in its own
        # thread, where PySide takes the GIL while holding Qt's connection lock, and it
        # deadlocked (or crashed) against the UI thread connecting a signal. The worker
        # goes with its Python reference, on the UI thread, once the thread has ended.
        self.worker_thread.finished.connect(self._on_thread_finished)

        label = {
            printing.OutputUse.PREVIEW: "Preparing the preview of the case summary…",
            printing.OutputUse.PRINT: "Preparing the case summary for printing…",
            printing.OutputUse.SAVE: "Preparing the case summary to save as a PDF…",
        }[options.use]
        self.progress = QProgressDialog(label, "Cancel", 0, printing.PROGRESS_TOTAL, parent)
        self.progress.setWindowTitle("Case summary")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(SHOW_AFTER_MS)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setAccessibleName("Case summary progress")
        self.progress.canceled.connect(self.cancel)
        self._outcome: tuple[SignalInstance, tuple[Any, ...]] | None = None
        self._running = False

    def start(self) -> None:
        self._running = True
        self.progress.setValue(0)
        if self.worker.is_cancelled():  # cancelled before it began
            self._outcome = (self.cancelled, ())
            self._finish()
            return
        self.worker_thread.start()

    def cancel(self) -> None:
        """Stop the build (the Cancel button, a lock, or closing the dialog)."""
        self.worker.cancel()
        self.progress.setLabelText("Cancelling…")

    def is_running(self) -> bool:
        return self._running

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread has stopped (after cancel(), when the store must close)."""
        return self.worker_thread.wait(msecs) if self.worker_thread.isRunning() else True

    # -- worker results (queued onto the UI thread) -------------------------------------

    def _on_worker_progressed(self, done: int, total: int) -> None:
        if not self.worker.is_cancelled():
            self.progress.setValue(min(done, total))

    def _on_worker_succeeded(self, data: bytes) -> None:
        self._outcome = (self.succeeded, (data,))
        self.worker_thread.quit()

    def _on_worker_failed(self, message: str) -> None:
        self._outcome = (self.failed, (message,))
        self.worker_thread.quit()

    def _on_worker_cancelled(self) -> None:
        self._outcome = (self.cancelled, ())
        self.worker_thread.quit()

    def _on_thread_finished(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self.worker_thread.wait()  # finished is emitted just before the thread ends: let it end
        self._running = False
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()
        outcome = self._outcome or (self.failed, (FAULT,))
        signal, args = outcome
        signal.emit(*args)
        self.finished.emit()
