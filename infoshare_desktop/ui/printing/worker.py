"""Building a summary off the UI thread, with a progress dialog that can cancel it.

``SummaryBuild`` is a :class:`~infoshare_desktop.ui.common.progress.StoreOperation` whose
work calls :func:`services.printing.build_case_summary` (the store hands each thread its
own pooled connection, and the service opens its own read transaction). It ends with
exactly one of ``succeeded(bytes)``, ``failed(str)`` or ``cancelled()``, then
``finished`` once the thread has stopped. Cancelling sets a flag the service polls: it
raises SummaryCancelled and nothing is audited or returned (unless a preview's first pages
were already shown: see services.printing); a build cancelled just as it finished
releases nothing either.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from infoshare_desktop.services import printing
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.errors import OperationCancelled
from infoshare_desktop.services.printing import OutputUse, SummaryCancelled, SummaryOptions
from infoshare_desktop.ui.common.progress import (
    STEPS,
    Progress,
    StopCheck,
    StoreOperation,
    Work,
)

FAULT = (
    "The case summary could not be built because of a fault in InfoShare Desktop. "
    "Nothing was printed or saved. Please report this problem; the store is unaffected."
)
_LABELS = {
    OutputUse.PREVIEW: "Preparing the preview of the case summary…",
    OutputUse.PRINT: "Preparing the case summary for printing…",
    OutputUse.SAVE: "Preparing the case summary to save as a PDF…",
}


def summary_work(
    store: Store,
    case_id: str,
    options: SummaryOptions,
    first_pages: Callable[[bytes], None] | None = None,
) -> Work:
    """The build as a StoreOperation's work: the PDF's bytes, or OperationCancelled."""

    def work(progress: Progress, should_stop: StopCheck) -> bytes:
        try:
            data = printing.build_case_summary(
                store,
                case_id=case_id,
                options=options,
                progress=progress,
                cancelled=should_stop,
                first_pages=first_pages,
            )
        except SummaryCancelled:
            raise OperationCancelled() from None
        if should_stop():  # cancelled as it finished: release nothing
            raise OperationCancelled()
        return data

    return work


class SummaryBuild(StoreOperation):
    """One build on a worker thread, shown in a progress dialog with Cancel.

    A preview's build also emits ``first_pages(bytes)`` (from the worker thread, queued
    onto the UI thread) with the first pages of a long summary while the rest is laid
    out; whoever shows them can take the progress over (:meth:`report_progress_to`).
    """

    first_pages = Signal(object)  # bytes

    def __init__(
        self,
        store: Store,
        case_id: str,
        options: SummaryOptions,
        parent: QWidget | None = None,
    ) -> None:
        early = self._emit_first_pages if options.use is OutputUse.PREVIEW else None
        super().__init__(
            summary_work(store, case_id, options, early),
            title="Case summary",
            label=_LABELS[options.use],
            accessible_name="Case summary progress",
            parent=parent,
            fault=FAULT,
            cancelling="Cancelling…",
        )
        self.options = options
        self.worker_thread.setObjectName("case-summary-build")
        self._progress_to: Callable[[int], None] | None = None

    def _emit_first_pages(self, data: bytes) -> None:  # on the worker thread
        self.first_pages.emit(data)

    def report_progress_to(self, show: Callable[[int], None]) -> None:
        """Close the progress dialog (never to reopen) and hand each step, 0 to STEPS,
        to ``show`` instead (Cancel is then the caller's to offer: :meth:`cancel`)."""
        self._progress_to = show
        self.progress.reset()  # stops the timer that would show the dialog
        self.progress.hide()

    def _on_worker_progressed(self, done: int, total: int) -> None:
        if self._progress_to is None:
            super()._on_worker_progressed(done, total)
        elif not self.worker.is_cancelled() and total > 0:
            self._progress_to(STEPS * min(done, total) // total)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread has stopped (after cancel(), when the store must close)."""
        return super().wait(msecs)
