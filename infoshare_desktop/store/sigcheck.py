"""Many signatures checked on the other core: a full `verify` of the envelopes hands its
Ed25519 checks, a batch at a time, to one helper process while it rebuilds the tables.

Not a thread: `cryptography` releases the GIL inside a check, but the walk beside it is
Python that holds the GIL, and a thread waiting for it gets about one 70 µs check per
5 ms switch interval (measured: no faster than checking in line). The helper is started
with ``spawn`` (never ``fork``: the parent may be a Qt program with open database
connections) and is given data, never a secret: the bytes each signature is over, the
signatures and the public keys the grants certify. It gets no data key, no private key
and no database; it holds what it is sent in memory only, cannot dump core (as the app
itself), and ends with the walk. If it cannot be started or dies, the checks are made in
this process instead: the same answers, only slower (and the log says so, without any
data). A frozen build starts it too: its entry point (packaging/launch.py) calls
`multiprocessing.freeze_support()`, and the package check verifies a demo store with it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from infoshare_desktop.diagnostics import disable_core_dumps
from infoshare_desktop.store.signing import Context, verify

log = logging.getLogger("infoshare")

#: Walks of fewer envelopes are checked in this process (starting the helper costs a few
#: tenths of a second; 5,000 checks take about a third of a second).
HELPER_FROM = 5_000

#: Per author, the public keys to try (the grants' order of preference).
Keys = dict[str, list[bytes]]
#: One check: the author, the signed bytes, the signature.
Item = tuple[str, bytes, bytes]


def check(context: Context, keys: Keys, items: Sequence[Item]) -> list[bool]:
    """Whether each item is signed (for `context`) by one of its author's keys; the key
    that worked is tried first for that author's next item."""
    order = {author: list(found) for author, found in keys.items()}
    out: list[bool] = []
    for author, signed, signature in items:
        candidates = order.get(author, [])
        ok = False
        for n, key in enumerate(candidates):
            if verify(key, context, signed, signature):
                if n:
                    candidates.insert(0, candidates.pop(n))
                ok = True
                break
        out.append(ok)
    return out


class Pending:
    """A batch's answers, from the helper or (if it failed) checked here when asked."""

    def __init__(
        self, future: Future[list[bool]] | None, context: Context, keys: Keys, items: list[Item]
    ) -> None:
        self._future, self._context, self._keys, self._items = future, context, keys, items

    def result(self) -> list[bool]:
        if self._future is not None:
            try:
                return self._future.result()
            except (BrokenProcessPool, OSError, EOFError, pickle.PicklingError) as exc:
                # the helper died or could not be reached: check here instead
                log.warning("signature helper failed (%s); checking in process", type(exc).__name__)
        return check(self._context, self._keys, self._items)


class Checker:
    """Hands batches to the helper process (or checks them here: `pool` None)."""

    def __init__(self, pool: ProcessPoolExecutor | None) -> None:
        self._pool = pool
        self.in_helper = pool is not None

    def submit(self, context: Context, keys: Keys, items: list[Item]) -> Pending:
        if self._pool is None:
            return Pending(None, context, keys, items)
        try:
            return Pending(self._pool.submit(check, context, keys, items), context, keys, items)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            log.warning("signature helper lost (%s); checking in process", type(exc).__name__)
            self._pool = None
            return Pending(None, context, keys, items)


@contextlib.contextmanager
def checker(count: int) -> Iterator[Checker]:
    """A Checker for a walk of about `count` signatures: with a helper process from
    HELPER_FROM on (stopped when the walk ends, however it ends)."""
    if count < HELPER_FROM:
        yield Checker(None)
        return
    try:
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=disable_core_dumps,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("signature helper not started (%s); checking in process", type(exc).__name__)
        yield Checker(None)
        return
    try:
        yield Checker(pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def shared_or_own(shared: Checker | None, count: int) -> Iterator[Checker]:
    """`shared` if given (one helper for several walks of one verify), else a checker of
    this walk's own for about `count` signatures."""
    if shared is not None:
        yield shared
        return
    with checker(count) as own:
        yield own


def checked_batches[T](
    checker: Checker, context: Context, batches: Iterable[tuple[T, Keys, list[Item]]]
) -> Iterator[tuple[T, list[bool]]]:
    """Each batch (what it carries, and its checks) with its answers, one batch behind:
    batch n+1 is read, prepared and handed to the checker before batch n's answers are
    waited for, so a helper process checks while the caller works through the batch
    before. At most two batches are held at a time, whatever the walk's length."""
    ahead: tuple[T, Pending] | None = None
    for carried, keys, items in batches:
        this = (carried, checker.submit(context, keys, items))
        if ahead is not None:
            yield ahead[0], ahead[1].result()
        ahead = this
    if ahead is not None:
        yield ahead[0], ahead[1].result()
