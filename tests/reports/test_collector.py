"""The cycle collector is paused while a summary is built, and only then."""

from __future__ import annotations

import gc
import threading

import pytest

from infoshare_desktop.reports import collector
from infoshare_desktop.reports.errors import SummaryCancelled
from infoshare_desktop.services import cases, printing
from tests.domain.factories import complete_case


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_for_the_block_and_back_after_it_even_when_it_fails() -> None:
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("layout failed")
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_is_left_off() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_two_builds_at_once_keep_it_paused_until_the_last_ends() -> None:
    first_in, first_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector.paused():
            first_in.set()
            first_may_end.wait(30)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(30)
    with collector.paused():
        pass
    seen.append(gc.isenabled())  # the second ended; the first still builds
    first_may_end.set()
    thread.join(30)
    assert seen == [False, False]
    assert gc.isenabled()


def test_printing_a_summary_pauses_it_and_leaves_it_on(admin_store) -> None:
    case_id = cases.create_case(admin_store, draft=complete_case())
    seen: list[bool] = []

    def progress(done: int, total: int) -> None:
        seen.append(gc.isenabled())

    data = printing.build_case_summary(
        admin_store, case_id=case_id, options=printing.SummaryOptions(), progress=progress
    )
    assert data.startswith(b"%PDF-")
    assert seen and not any(seen)
    assert gc.isenabled()
    with pytest.raises(SummaryCancelled):
        printing.build_case_summary(
            admin_store,
            case_id=case_id,
            options=printing.SummaryOptions(),
            cancelled=lambda: bool(seen.append(gc.isenabled())) or len(seen) > 3,
        )
    assert gc.isenabled()
