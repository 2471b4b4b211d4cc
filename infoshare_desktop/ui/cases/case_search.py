"""Case searches off the UI thread: one at a time, the newest wins.

``CaseSearch.start(query)`` cancels the search still running (the service polls its
flag while the store works and stops with ``SearchCancelled``) and queues the new one on
a single worker thread, where ``services.cases.search`` runs on a connection of its own
from the store's pool (a connection is never used by two threads at once). Each search
has a ticket; ``found(ticket, query, hits)`` or ``failed(ticket, message)`` reach the UI
thread as queued signals, and only the latest ticket's are acted on (``is_latest``), so a
superseded query's results never replace a newer one's, whatever order they finish in.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from PySide6.QtCore import QObject, Signal

from infoshare_desktop.diagnostics import safe_traceback
from infoshare_desktop.services import cases
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.services.errors import UserFacingError

log = logging.getLogger("infoshare")

FAULT = (
    "The search could not be completed because of a fault in InfoShare Desktop. "
    "Nothing was changed. Please report this problem."
)


class CaseSearch(QObject):
    """Runs case searches on a worker thread (see the module notes)."""

    found = Signal(int, str, object)  # ticket, query, list[SearchHit]
    failed = Signal(int, str)  # ticket, a message fit to show the user

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-search")
        self._ticket = 0
        self._cancel = threading.Event()
        self._future: Future[None] | None = None

    def start(self, store: Store, query: str) -> int:
        """Search for `query` (cancelling the search before it); returns its ticket."""
        self.cancel()
        self._ticket += 1
        self._cancel = threading.Event()
        self._future = self._pool.submit(self._run, self._ticket, store, query, self._cancel)
        return self._ticket

    def cancel(self) -> None:
        """Stop the running search; its results, if any, are never shown."""
        self._cancel.set()
        self._ticket += 1

    def is_latest(self, ticket: int) -> bool:
        return ticket == self._ticket

    def wait(self, seconds: float = 10.0) -> bool:
        """Block until the worker is idle (after cancel(), before the store closes)."""
        if self._future is None:
            return True
        try:
            self._future.result(timeout=seconds)
        except FutureTimeout:
            return False
        return True

    def shutdown(self) -> None:
        self.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- on the worker thread ----------------------------------------------------------------

    def _run(self, ticket: int, store: Store, query: str, cancel: threading.Event) -> None:
        if cancel.is_set():
            return  # superseded before it began
        try:
            hits = cases.search(store, query=query, cancelled=cancel.is_set)
        except cases.SearchCancelled:
            return
        except UserFacingError as error:
            if not cancel.is_set():
                self.failed.emit(ticket, error.user_message)
        except Exception as exc:  # a bug: logged (no query, no content), told plainly
            log.error("a case search failed\n%s", safe_traceback(exc))
            if not cancel.is_set():
                self.failed.emit(ticket, FAULT)
        else:
            if not cancel.is_set():
                self.found.emit(ticket, query, hits)
