"""Printing one case's summary, start to finish: options, build, preview, print, save.

``open_case_summary(parent, session, case_id)`` is the one entry point (the case view's
Print action, Ctrl+P). Only team leads print: anyone else is told so plainly and no
dialog opens. The audit rule of services.printing holds throughout: a build is audited
for what it is for (preview, print or save) before its bytes come back, so the printer
is chosen and the file named *before* building; printing or saving bytes already
previewed is audited again (``record_release``) before they are handed on.

Every message goes through :mod:`infoshare_desktop.ui.common.feedback`; the print dialog through
:meth:`CaseSummaryPrinter.ask_printer`, a classmethod tests replace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QWidget

from infoshare_desktop.services import printing
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.services.printing import OutputUse, SummaryOptions
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.printing.options_dialog import SummaryOptionsDialog
from infoshare_desktop.ui.printing.pdf import PDF_AVAILABLE, PDF_MISSING, print_pdf
from infoshare_desktop.ui.printing.worker import SummaryBuild

if TYPE_CHECKING:  # imported when first used: they load Qt PDF and Qt Print Support
    from PySide6.QtPrintSupport import QPrinter

    from infoshare_desktop.ui.printing.preview import SummaryPreviewDialog

PDF_FILTER = "PDF documents (*.pdf)"


def _documents_folder() -> Path:
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


class CaseSummaryPrinter(QObject):
    """Drives the options dialog, one build at a time, the preview, printing and saving.

    It belongs to its options dialog (which deletes itself, and so this, when closed).
    """

    def __init__(
        self,
        session: Session,
        case_id: str,
        *,
        case_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        dialog = SummaryOptionsDialog(case_label, parent)
        super().__init__(dialog)
        self.dialog = dialog
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.case_id = case_id
        self.build: SummaryBuild | None = None
        self.preview: SummaryPreviewDialog | None = None  # while one is open
        self._preview_options: SummaryOptions | None = None
        self._preview_data: bytes | None = None
        self.dialog.preview_requested.connect(self._on_dialog_preview_requested)
        self.dialog.print_requested.connect(self._on_dialog_print_requested)
        self.dialog.save_requested.connect(self._on_dialog_save_requested)
        self.dialog.finished.connect(self._on_dialog_finished)
        session.about_to_lock.connect(self._on_session_about_to_lock)
        if not PDF_AVAILABLE:
            for button in (self.dialog.preview_button, self.dialog.print_button):
                button.setEnabled(False)
                button.setToolTip(PDF_MISSING)

    # -- what tests replace -------------------------------------------------------------------

    @classmethod
    def ask_printer(cls, parent: QWidget | None, pages: int = 0) -> QPrinter | None:
        """Qt's print dialog: the chosen QPrinter, or None if the user cancelled."""
        from PySide6.QtGui import QPageSize
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName("Case summary")  # the print queue shows no name or reference
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("Print case summary")
        # Printing to a file would write an unprotected copy: Save as PDF is the way.
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
        if pages:
            dialog.setMinMax(1, pages)
        else:
            dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    # -- the three actions -----------------------------------------------------------------------

    def _on_dialog_preview_requested(self) -> None:
        self._start(OutputUse.PREVIEW, self._show_preview)

    def _on_dialog_print_requested(self) -> None:
        printer = self.ask_printer(self.dialog)
        if printer is None:
            return
        self._start(OutputUse.PRINT, lambda data, options: self._print(data, options, printer))

    def _on_dialog_save_requested(self) -> None:
        path = self._ask_path(self.dialog)
        if path is None:
            return
        self._start(OutputUse.SAVE, lambda data, options: self._save(data, options, path))

    def _start(
        self, use: OutputUse, then: Callable[[bytes, SummaryOptions], None]
    ) -> SummaryBuild | None:
        if self.build is not None:
            return None  # one build at a time (the buttons are disabled meanwhile)
        options = self.dialog.options(use)
        build = SummaryBuild(self.session.store, self.case_id, options, self.dialog)
        self.build = build
        self.dialog.set_busy(True)
        build.succeeded.connect(lambda data: then(data, options))
        build.first_pages.connect(lambda data: self._show_first_pages(data, options))
        build.failed.connect(self._on_build_failed)
        build.cancelled.connect(self._on_build_cancelled)
        build.finished.connect(self._on_build_finished)
        build.start()
        return build

    def _on_build_failed(self, message: str) -> None:
        """The worker's words (a known error's message, or its fixed sentence for a bug)."""
        if self.preview is not None and self.preview.building:  # its first pages only
            self._close_preview()
        feedback.show_user_error(self.dialog, UserFacingError(message))

    def _on_build_cancelled(self) -> None:
        if self.preview is not None and self.preview.building:  # Cancel under its pages
            self._close_preview()

    def _on_build_finished(self) -> None:
        if self.build is not None:
            self.build.deleteLater()
        self.build = None
        self.dialog.set_busy(False)

    # -- after a build ---------------------------------------------------------------------------

    def _show_first_pages(self, data: bytes, options: SummaryOptions) -> None:
        """A long summary's first pages, readable while the rest is built (the build's
        progress and Cancel move under them)."""
        build = self.build
        if build is None or not build.is_running() or build.worker.is_cancelled():
            return
        if self._open_preview(data, options, building=True):
            assert self.preview is not None
            build.report_progress_to(self.preview.set_progress)
            self.preview.cancel_requested.connect(build.cancel)
        else:
            build.cancel()  # the pages cannot be shown: building the rest is pointless

    def _show_preview(self, data: bytes, options: SummaryOptions) -> None:
        if self.preview is not None and self.preview.building:
            with feedback.user_errors(self.preview) as outcome:
                self.preview.show_whole(data)
            if outcome.failed:
                self._close_preview()
                return
            self._preview_data = data
            return
        self._open_preview(data, options)

    def _open_preview(
        self, data: bytes, options: SummaryOptions, *, building: bool = False
    ) -> bool:
        from infoshare_desktop.ui.printing.preview import SummaryPreviewDialog

        self._close_preview()
        with feedback.user_errors(self.dialog) as outcome:
            preview = SummaryPreviewDialog(
                data, password=options.password, building=building, parent=self.dialog
            )
        if outcome.failed:
            return False
        self.preview = preview
        self._preview_data = None if building else data
        self._preview_options = options
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.print_requested.connect(self._on_preview_print_requested)
        preview.save_requested.connect(self._on_preview_save_requested)
        preview.finished.connect(self._on_preview_finished)
        window = self.dialog.window().screen().availableGeometry()
        preview.resize(min(1000, window.width() - 40), min(900, window.height() - 40))
        preview.show()
        return True

    def _print(self, data: bytes, options: SummaryOptions, printer: QPrinter) -> None:
        from infoshare_desktop.ui.printing.pdf import load_pdf

        with feedback.user_errors(self.dialog) as outcome:
            loaded = load_pdf(data, password=options.password, parent=self)
            try:
                pages = print_pdf(loaded.document, printer)
            finally:
                loaded.close()
        if outcome.failed:
            return
        feedback.inform(self.dialog, "Case summary", self._printed_text(pages, printer))

    def _save(self, data: bytes, options: SummaryOptions, path: Path) -> None:
        with feedback.user_errors(self.dialog) as outcome:
            saved = printing.save_pdf(data, path)
        if outcome.failed:
            return
        text = f"The case summary was saved as {saved}."
        if options.password:
            text += " It opens only with its password."
        feedback.inform(self.dialog, "Case summary saved", text)

    # -- from the preview: the same bytes, audited again ------------------------------------

    def _release(self, use: OutputUse) -> bool:
        assert self._preview_options is not None
        with feedback.user_errors(self.preview or self.dialog) as outcome:
            printing.record_release(
                self.session.store,
                case_id=self.case_id,
                options=replace(self._preview_options, use=use),
            )
        return not outcome.failed

    def _on_preview_print_requested(self) -> None:
        preview = self.preview
        if preview is None or preview.loaded is None or preview.building:
            return
        printer = self.ask_printer(preview, preview.document.pageCount())
        if printer is None or not self._release(OutputUse.PRINT):
            return
        with feedback.user_errors(preview) as outcome:
            pages = print_pdf(
                preview.document, printer, first=printer.fromPage(), last=printer.toPage()
            )
        if outcome.failed:
            return
        feedback.inform(preview, "Case summary", self._printed_text(pages, printer))

    def _on_preview_save_requested(self) -> None:
        preview = self.preview
        if preview is None or self._preview_data is None or self._preview_options is None:
            return
        path = self._ask_path(preview)
        if path is None or not self._release(OutputUse.SAVE):
            return
        with feedback.user_errors(preview) as outcome:
            saved = printing.save_pdf(self._preview_data, path)
        if outcome.failed:
            return
        text = f"The case summary was saved as {saved}."
        if self._preview_options.password:
            text += " It opens only with its password."
        feedback.inform(preview, "Case summary saved", text)

    def _on_preview_finished(self, _result: int) -> None:
        if self.preview is not None and self.preview.building and self.build is not None:
            self.build.cancel()  # closed while the rest was being built
        self.preview = None
        self._preview_data = None
        self._preview_options = None

    # -- helpers and endings -------------------------------------------------------------------

    @staticmethod
    def _ask_path(parent: QWidget | None) -> Path | None:
        suggested = _documents_folder() / printing.default_file_name()
        return feedback.ask_save_path(parent, "Save case summary as PDF", suggested, PDF_FILTER)

    @staticmethod
    def _printed_text(pages: int, printer: QPrinter) -> str:
        name = printer.printerName() or "the printer"
        return f"{pages} page{'s' if pages != 1 else ''} of the case summary sent to {name}."

    def _close_preview(self) -> None:
        if self.preview is not None:
            self.preview.release()
            self.preview.close()
        self._on_preview_finished(0)

    def _stop_build(self) -> None:
        if self.build is not None and self.build.is_running():
            self.build.cancel()
            self.build.wait()

    def _on_session_about_to_lock(self) -> None:
        # The store is about to close and the screen to lock: stop reading, hide the pages.
        self._stop_build()
        self._close_preview()
        self.dialog.close()

    def _on_dialog_finished(self, _result: int) -> None:
        self._stop_build()
        self._close_preview()
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.session.about_to_lock.disconnect(self._on_session_about_to_lock)


def open_case_summary(
    parent: QWidget | None, session: Session, case_id: str, *, case_label: str = ""
) -> CaseSummaryPrinter | None:
    """Offer the print options for ``case_id`` (team leads only); returns the controller,
    whose ``dialog`` is open, or None when the user may not print."""
    with feedback.user_errors(parent) as outcome:
        printing.check_can_print(session.store)
    if outcome.failed:
        return None
    printer = CaseSummaryPrinter(session, case_id, case_label=case_label, parent=parent)
    printer.dialog.open()
    return printer
