"""The print UI of issue #6 driven as a team lead would: options, preview from memory,
print, save, cancel, refusals. Builds run on the real worker thread."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QPushButton

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import printing
from infoshare_desktop.services.errors import PermissionDenied
from infoshare_desktop.services.printing import OutputUse, Section, Signatory
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.printing import (
    CaseSummaryPrinter,
    SummaryBuild,
    SummaryOptionsDialog,
    open_case_summary,
)
from infoshare_desktop.ui.printing.options_dialog import MISMATCH
from tests.reports.conftest import NAMES
from tests.ui.conftest import USER_PASSWORD, WAIT_MS, add_user
from tests.ui.printing.conftest import print_events


def open_printer(qtbot, session, case_id) -> CaseSummaryPrinter:
    printer = open_case_summary(None, session, case_id, case_label="EX-2026-0042")
    assert printer is not None
    qtbot.addWidget(printer.dialog)
    assert printer.dialog.isVisible()
    return printer


def run(qtbot, printer: CaseSummaryPrinter, button) -> SummaryBuild:
    """Click ``button`` and wait for the build it starts to finish."""
    button.click()
    build = printer.build
    assert build is not None, printer.dialog.alert.text()
    with qtbot.waitSignal(build.finished, timeout=WAIT_MS):
        pass
    return build


def test_options_dialog_defaults_and_choices(qtbot):
    dialog = SummaryOptionsDialog("EX-1")
    qtbot.addWidget(dialog)
    options = dialog.options()
    assert options.redact and dialog.redact.isChecked()
    assert dialog.redaction_help.text() == printing.REDACTION_HELP
    assert options.sections == frozenset(Section)
    assert options.date_from is None and options.date_to is None
    assert options.password is None and options.signatures == ()
    assert dialog.problem() is None

    dialog.date_from.set_value(date(2026, 1, 1))
    dialog.date_to.set_value(date(2026, 3, 31))
    dialog.section_boxes[Section.REVIEWS].setChecked(False)
    dialog.redact.setChecked(False)
    row = dialog.signature_rows[1]
    assert not row.name.isEnabled()
    row.check.setChecked(True)
    row.name.setText("  Tia Lead ")
    row.role.setText("Team lead")
    options = dialog.options(OutputUse.SAVE)
    assert (options.date_from, options.date_to) == (date(2026, 1, 1), date(2026, 3, 31))
    assert Section.REVIEWS not in options.sections and not options.redact
    assert options.use is OutputUse.SAVE
    (block,) = options.signature_blocks()
    assert (block.signatory, block.name, block.role) == (
        Signatory.TEAM_LEAD,
        "Tia Lead",
        "Team lead",
    )

    dialog.date_from.set_value(date(2026, 4, 1))
    assert dialog.problem() == "The start of the period is after its end."
    dialog.date_from.set_value(None)
    for box in dialog.section_boxes.values():
        box.setChecked(False)
    assert dialog.problem() == "Choose at least one section to print."


def test_password_mismatch_and_short_password_are_refused_inline(
    qtbot, session, admin_store, printed_case
):
    printer = open_printer(qtbot, session, printed_case.case_id)
    dialog = printer.dialog
    dialog.protect.setChecked(True)
    dialog.password.setText("correct horse 42")
    dialog.confirm.setText("correct horse 43")
    assert dialog.match_hint.isVisible() and dialog.match_hint.text() == MISMATCH
    for button in (dialog.preview_button, dialog.print_button, dialog.save_button):
        button.click()
        assert printer.build is None
        assert dialog.alert.isVisible() and dialog.alert.text() == MISMATCH
    assert dialog.focusWidget() in (dialog.confirm, None)
    dialog.password.setText("short")
    dialog.confirm.setText("short")
    dialog.preview_button.click()
    assert printer.build is None and "at least 8" in dialog.alert.text()
    assert print_events(admin_store) == []


def test_preview_is_read_from_memory_and_audited(qtbot, session, admin_store, printed_case):
    printer = open_printer(qtbot, session, printed_case.case_id)
    run(qtbot, printer, printer.dialog.preview_button)
    preview = printer.preview
    assert preview is not None and preview.isVisible()
    assert isinstance(preview.document, QPdfDocument)
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() > 0
    assert "page" in preview.summary.text()
    assert preview.position.text() == f"Page 1 of {preview.document.pageCount()}"
    preview.zoom.setCurrentIndex(1)
    assert preview.view.zoomMode() == preview.view.ZoomMode.FitInView
    (detail,) = print_events(admin_store)
    assert detail.startswith("summary;use=preview;")
    assert printer.dialog.preview_button.isEnabled()
    preview.close_button.click()
    assert printer.preview is None


def test_a_protected_preview_opens_with_its_password(qtbot, session, printed_case):
    printer = open_printer(qtbot, session, printed_case.case_id)
    printer.dialog.protect.setChecked(True)
    printer.dialog.password.setText("correct horse 42")
    printer.dialog.confirm.setText("correct horse 42")
    run(qtbot, printer, printer.dialog.preview_button)
    assert printer.preview.document.status() == QPdfDocument.Status.Ready


def test_save_writes_a_pdf_named_without_personal_data(
    qtbot, session, admin_store, printed_case, tmp_path, monkeypatch
):
    asked: list[Path] = []

    def ask_save_path(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return tmp_path / suggested.name

    monkeypatch.setattr(feedback, "ask_save_path", ask_save_path)
    printer = open_printer(qtbot, session, printed_case.case_id)
    run(qtbot, printer, printer.dialog.save_button)
    (suggested,) = asked
    assert re.fullmatch(r"case-summary-\d{8}-\d{4}\.pdf", suggested.name)
    for personal in ("EX-2026-0042", *NAMES):
        assert personal not in str(suggested)
    saved = tmp_path / suggested.name
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) > 1
    (detail,) = print_events(admin_store)
    assert detail.startswith("summary;use=save;")


def test_cancelling_the_save_dialog_builds_nothing(qtbot, session, admin_store, printed_case):
    printer = open_printer(qtbot, session, printed_case.case_id)
    printer.dialog.save_button.click()  # the recorder's ask_save_path answers None
    assert printer.build is None and print_events(admin_store) == []


def test_print_and_save_from_the_preview_are_audited_again(
    qtbot, session, admin_store, printed_case, tmp_path, monkeypatch, messages
):
    target = tmp_path / "printed.pdf"

    def ask_printer(cls, _parent, pages=0):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        return printer

    monkeypatch.setattr(CaseSummaryPrinter, "ask_printer", classmethod(ask_printer))
    messages.save_path = tmp_path / "saved.pdf"
    printer = open_printer(qtbot, session, printed_case.case_id)
    run(qtbot, printer, printer.dialog.preview_button)
    pages = printer.preview.document.pageCount()
    printer.preview.print_button.click()
    assert len(PdfReader(target).pages) == pages
    printer.preview.save_button.click()
    assert (tmp_path / "saved.pdf").read_bytes().startswith(b"%PDF")
    uses = [d.split(";")[1] for d in print_events(admin_store)]
    assert uses == ["use=preview", "use=print", "use=save"]
    assert all(d.endswith("again=1") for d in print_events(admin_store)[1:])
    assert any("sent to" in text for _title, text in messages.infos)


def test_print_from_the_options_asks_for_the_printer_first(
    qtbot, session, admin_store, printed_case, tmp_path, monkeypatch
):
    target = tmp_path / "direct.pdf"
    chosen: list[QPrinter] = []

    def ask_printer(cls, _parent, pages=0):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        chosen.append(printer)
        return printer

    monkeypatch.setattr(CaseSummaryPrinter, "ask_printer", classmethod(ask_printer))
    printer = open_printer(qtbot, session, printed_case.case_id)
    run(qtbot, printer, printer.dialog.print_button)
    assert chosen and len(PdfReader(target).pages) > 1
    (detail,) = print_events(admin_store)
    assert detail.startswith("summary;use=print;")


def test_cancel_during_the_build_releases_nothing(qtbot, session, admin_store, printed_case):
    printer = open_printer(qtbot, session, printed_case.case_id)
    # Press Cancel at the first progress report, from inside the running build.
    original_start = SummaryBuild.start

    def start(build):
        build.worker.progressed.connect(
            lambda *_: build.worker.cancel(), Qt.ConnectionType.DirectConnection
        )
        original_start(build)

    SummaryBuild.start = start
    try:
        printer.dialog.preview_button.click()
        build = printer.build
        with (
            qtbot.waitSignal(build.cancelled, timeout=WAIT_MS),
            qtbot.assertNotEmitted(build.succeeded),
        ):
            pass
    finally:
        SummaryBuild.start = original_start
    qtbot.waitUntil(lambda: printer.build is None, timeout=WAIT_MS)
    assert printer.preview is None
    assert print_events(admin_store) == []
    assert printer.dialog.preview_button.isEnabled()


def test_the_progress_dialogs_cancel_button_cancels(qtbot, admin_store, printed_case):
    build = SummaryBuild(admin_store, printed_case.case_id, printing.SummaryOptions())
    qtbot.addWidget(build.progress)
    (cancel,) = build.progress.findChildren(QPushButton)
    cancel.click()
    assert build.worker.is_cancelled()
    with qtbot.waitSignal(build.cancelled, timeout=WAIT_MS):
        build.start()
    assert print_events(admin_store) == []


def test_only_team_leads_print(qtbot, admin_store, data_paths, printed_case, messages):
    store = add_user(admin_store, data_paths, "pat.prac", {Role.PRACTITIONER}, USER_PASSWORD)
    try:
        assert open_case_summary(None, Session(store), printed_case.case_id) is None
    finally:
        store.close()
    (error,) = messages.errors
    assert "team lead role" in error


def test_a_permission_refused_during_the_build_is_shown_plainly(
    qtbot, session, admin_store, printed_case, messages, monkeypatch
):
    printer = open_printer(qtbot, session, printed_case.case_id)

    def refuse(*_args, **_kwargs):
        raise PermissionDenied("This needs the team lead role.")

    monkeypatch.setattr(printing, "build_case_summary", refuse)
    run(qtbot, printer, printer.dialog.preview_button)
    assert messages.errors == ["This needs the team lead role."]
    assert printer.preview is None


def test_locking_stops_showing_the_summary(qtbot, session, printed_case, request):
    printer = open_printer(qtbot, session, printed_case.case_id)
    run(qtbot, printer, printer.dialog.preview_button)
    preview, dialog = printer.preview, printer.dialog
    assert preview.isVisible()
    session.about_to_lock.emit()
    assert not preview.isVisible() and preview.loaded is None
    assert not dialog.isVisible()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)  # no hidden window keeps the case's pages
    # Its Python object outlives the test, as it once did in CI: the teardown must not
    # close the deleted dialog again (tests/conftest.py, pytest_runtest_teardown).
    request.addfinalizer(lambda: dialog.objectName)


def test_a_fault_while_building_logs_no_personal_data(qapp, monkeypatch, caplog):
    import logging

    from infoshare_desktop.ui.printing.worker import FAULT

    def broken(*_args, **_kwargs):
        raise RuntimeError("Zofia Wiśniewska, 12 Acacia Avenue")  # fictional personal data

    monkeypatch.setattr(printing, "build_case_summary", broken)
    build = SummaryBuild(None, "case-id", printing.SummaryOptions())  # type: ignore[arg-type]
    worker = build.worker  # run here, on this thread, to catch what it logs
    failed: list[str] = []
    worker.failed.connect(failed.append, Qt.ConnectionType.DirectConnection)
    infoshare = logging.getLogger("infoshare")
    infoshare.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            worker.run()
    finally:
        infoshare.removeHandler(caplog.handler)
    assert failed == [FAULT]
    assert "RuntimeError" in caplog.text and "Acacia" not in caplog.text
