"""Building a summary off the UI thread, with a progress dialog that can cancel it.

``SummaryBuild`` is a :class:`~infoshare_desktop.ui.common.progress.StoreOperation` whose
work calls :func:`services.printing.build_case_summary` (the store hands each thread its
own pooled connection, and the service opens its own read transaction). It ends with
exactly one of ``succeeded(bytes)``, ``failed(str)`` or ``cancelled()``, then
``finished`` once the thread has stopped. Cancelling sets a flag the service polls: it
raises SummaryCancelled and nothing is audited or returned; a build cancelled just as it
finished releases nothing either.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from infoshare_desktop.services import printing
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.errors import OperationCancelled
from infoshare_desktop.services.printing import OutputUse, SummaryCancelled, SummaryOptions
from infoshare_desktop.ui.common.progress import Progress, StopCheck, StoreOperation, Work

FAULT = (
    "The case summary could not be built because of a fault in InfoShare Desktop. "
    "Nothing was printed or saved. Please report this problem; the store is unaffected."
)
_LABELS = {
    OutputUse.PREVIEW: "Preparing the preview of the case summary…",
    OutputUse.PRINT: "Preparing the case summary for printing…",
    OutputUse.SAVE: "Preparing the case summary to save as a PDF…",
}


def summary_work(store: Store, case_id: str, options: SummaryOptions) -> Work:
    """The build as a StoreOperation's work: the PDF's bytes, or OperationCancelled."""

    def work(progress: Progress, should_stop: StopCheck) -> bytes:
        try:
            data = printing.build_case_summary(
                store, case_id=case_id, options=options, progress=progress, cancelled=should_stop
            )
        except SummaryCancelled:
            raise OperationCancelled() from None
        if should_stop():  # cancelled as it finished: release nothing
            raise OperationCancelled()
        return data

    return work


class SummaryBuild(StoreOperation):
    """One build on a worker thread, shown in a progress dialog with Cancel."""

    def __init__(
        self,
        store: Store,
        case_id: str,
        options: SummaryOptions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            summary_work(store, case_id, options),
            title="Case summary",
            label=_LABELS[options.use],
            accessible_name="Case summary progress",
            parent=parent,
            fault=FAULT,
            cancelling="Cancelling…",
        )
        self.options = options
        self.worker_thread.setObjectName("case-summary-build")

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread has stopped (after cancel(), when the store must close)."""
        return super().wait(msecs)
