"""A long summary's preview opens on its first pages while the rest is built: the reader
can read page 1, the progress bar and Cancel stay live under it, and the whole document
takes its place when built. The build is held after its first pages (until released or
cancelled), so no machine, fast or loaded, finishes it before the test looks."""

from __future__ import annotations

import threading

import pytest

from infoshare_desktop.reports import ReportError, case_summary
from infoshare_desktop.reports.case_summary import CaseSummaryReport
from tests.ui.conftest import WAIT_MS
from tests.ui.printing.conftest import print_events
from tests.ui.printing.test_print_ui import open_printer


@pytest.fixture
def held_after_first_pages(monkeypatch):
    """The build stops after handing over its first page (one, so the test case's
    front page is enough) until the event is set or Cancel is pressed."""
    monkeypatch.setattr(case_summary, "FIRST_PAGES", 1)
    release = threading.Event()
    records = CaseSummaryReport.records

    def held(self):
        while not release.wait(0.01):
            if self._meter.check_cancelled():
                break
        return records(self)

    monkeypatch.setattr(CaseSummaryReport, "records", held)
    yield release
    release.set()


def page_text(document, page: int) -> str:
    return document.getAllText(page).text()


def first_pages_shown(qtbot, printer):
    printer.dialog.preview_button.click()
    build = printer.build
    assert build is not None
    qtbot.waitUntil(lambda: printer.preview is not None, timeout=WAIT_MS)
    return build, printer.preview


def test_the_first_page_is_readable_while_the_rest_is_built(
    qtbot, session, admin_store, printed_case, held_after_first_pages
):
    printer = open_printer(qtbot, session, printed_case.case_id)
    build, preview = first_pages_shown(qtbot, printer)
    assert build.is_running() and preview.isVisible() and preview.building
    assert preview.document.pageCount() == 1
    text = page_text(preview.document, 0)
    assert "Case summary" in text and "Page 1 of …" in text
    assert preview.summary.text().startswith("The first page; the rest")
    assert preview.position.text() == "Page 1 of 1 so far"
    assert preview.progress.isVisible() and preview.cancel_button.isEnabled()
    assert not build.progress.isVisible()  # the progress moved under the pages
    assert not preview.print_button.isEnabled() and not preview.save_button.isEnabled()
    # Shown, so audited already; once.
    (detail,) = print_events(admin_store)
    assert detail.startswith("summary;use=preview;")

    held_after_first_pages.set()
    with qtbot.waitSignal(build.finished, timeout=WAIT_MS):
        pass
    assert printer.preview is preview and not preview.building
    pages = preview.document.pageCount()
    assert pages > 3
    assert f"Page 1 of {pages}" in page_text(preview.document, 0)
    assert "Sharing decisions" in " ".join(page_text(preview.document, n) for n in range(pages))
    assert not preview.progress.isVisible() and not preview.cancel_button.isVisible()
    assert preview.print_button.isEnabled() and preview.save_button.isEnabled()
    assert preview.summary.text().startswith(f"{pages} pages.")
    assert len(print_events(admin_store)) == 1
    assert printer.dialog.preview_button.isEnabled()


def test_cancel_under_the_first_pages_stops_the_build_and_closes_the_preview(
    qtbot, session, admin_store, printed_case, held_after_first_pages
):
    printer = open_printer(qtbot, session, printed_case.case_id)
    build, preview = first_pages_shown(qtbot, printer)
    with qtbot.waitSignal(build.cancelled, timeout=WAIT_MS):
        preview.cancel_button.click()
        assert preview.progress.text().startswith("Cancelling")
    qtbot.waitUntil(lambda: printer.build is None, timeout=WAIT_MS)
    assert printer.preview is None and not preview.isVisible()
    assert printer.dialog.isVisible() and printer.dialog.preview_button.isEnabled()
    assert len(print_events(admin_store)) == 1  # what was shown stays audited


def test_closing_the_preview_early_cancels_the_rest(
    qtbot, session, printed_case, held_after_first_pages
):
    printer = open_printer(qtbot, session, printed_case.case_id)
    build, preview = first_pages_shown(qtbot, printer)
    with qtbot.waitSignal(build.cancelled, timeout=WAIT_MS):
        preview.close_button.click()
    qtbot.waitUntil(lambda: printer.build is None, timeout=WAIT_MS)
    assert printer.preview is None


def test_a_build_failing_after_its_first_pages_closes_them_and_says_so(
    qtbot, session, printed_case, held_after_first_pages, monkeypatch, messages
):
    def broken(self, *_args):
        raise ReportError("The case summary could not be laid out.")

    printer = open_printer(qtbot, session, printed_case.case_id)
    build, preview = first_pages_shown(qtbot, printer)
    monkeypatch.setattr(CaseSummaryReport, "sharing_decision", broken)  # built after the hold
    with qtbot.waitSignal(build.finished, timeout=WAIT_MS):
        held_after_first_pages.set()
    assert printer.preview is None and not preview.isVisible()
    assert messages.errors == ["The case summary could not be laid out."]
