"""Python's cycle collector, paused while a report is built.

A 2,000-record summary makes millions of short-lived objects (lines, words, flowables),
most of them alive until the PDF is written, so the collector's full passes walk a heap
that only grows and free almost nothing: a quarter of the build's time. Paused for the
build, the same garbage is freed when it ends (reference counting frees most of it at
once; what cycles there are wait for the next pass after it).

The collector is global to the process: a pause from two threads at once (a preview and
a print) lasts until the last one ends, and a collector someone else had turned off is
left off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cycle collector for the block (nestable, from any thread)."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
