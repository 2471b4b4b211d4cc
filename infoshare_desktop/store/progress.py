"""Progress and cancel for long store work (backup, restore, key rotation, verify).

Such work takes `progress(done, total)`, called now and then from the thread doing it,
and `should_stop()`, polled as often: when it returns True the work raises
`OperationCancelled`, removing what it had written, and the store is as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from infoshare_desktop.store.errors import OperationCancelled

Progress = Callable[[int, int], None]
StopCheck = Callable[[], bool]


def check_stop(should_stop: StopCheck | None) -> None:
    """Raise OperationCancelled if the user has asked to stop."""
    if should_stop is not None and should_stop():
        raise OperationCancelled()


class Stages:
    """One progress bar over consecutive stages: stage `i` moves the bar through its
    share (`weights[i]` of their sum) of `SCALE` steps, whatever its own unit."""

    SCALE = 1000

    def __init__(self, progress: Progress | None, weights: Sequence[int]) -> None:
        self._progress = progress
        total = sum(weights)
        starts = [self.SCALE * n // total for n in itertools.accumulate(weights, initial=0)]
        self._bounds = list(itertools.pairwise(starts))

    def stage(self, index: int) -> Progress | None:
        """The progress callback of stage `index` (None when nobody listens)."""
        if self._progress is None:
            return None
        report, (low, high) = self._progress, self._bounds[index]

        def progress(done: int, total: int) -> None:
            share = (high - low) * min(done, total) // total if total > 0 else 0
            report(low + share, self.SCALE)

        return progress

    def done(self, index: int) -> None:
        """Stage `index` has finished."""
        if self._progress is not None:
            self._progress(self._bounds[index][1], self.SCALE)
