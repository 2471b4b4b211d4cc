"""The preview: the built summary on screen, read from memory, with Print… and Save as PDF….

The bytes reach Qt PDF through a QBuffer (no temporary file). Closing the preview closes
the document and empties the buffer.

A long summary's preview opens on its first pages while the rest is built
(``building=True``): a progress bar and Cancel sit under the pages, Print… and Save as
PDF… wait, and :meth:`SummaryPreviewDialog.show_whole` swaps in the whole document at
the page the reader is on.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from infoshare_desktop.ui.common.labels import text_label
from infoshare_desktop.ui.common.layout import SPACING, page_layout
from infoshare_desktop.ui.common.progress import STEPS
from infoshare_desktop.ui.printing.pdf import LoadedPdf, load_pdf

PREVIEW_NOTE = (
    "OFFICIAL-SENSITIVE. Previewing is recorded in the audit log; printing or saving from "
    "here is recorded again. Close the preview when you have finished."
)


class SummaryPreviewDialog(QDialog):
    """Shows one built summary; emits ``print_requested`` or ``save_requested``, and
    ``cancel_requested`` while it shows the first pages of a build still running."""

    print_requested = Signal()
    save_requested = Signal()
    cancel_requested = Signal()

    def __init__(
        self,
        data: bytes,
        *,
        password: str | None = None,
        building: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from PySide6.QtPdfWidgets import QPdfView

        self.setWindowTitle("Case summary preview")
        self.setObjectName("SummaryPreviewDialog")
        self.password = password
        self.building = building
        self.loaded: LoadedPdf | None = load_pdf(data, password=password, parent=self)
        self.document = self.loaded.document
        layout = page_layout(self)
        self.summary = text_label("", self, role="muted")
        layout.addWidget(self.summary)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Case summary pages")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setDocument(self.document)
        layout.addWidget(self.view, 1)
        self.zoom = QComboBox(self)
        self.zoom.setAccessibleName("Zoom")
        for label, mode in (
            ("Page width", QPdfView.ZoomMode.FitToWidth),
            ("Whole page", QPdfView.ZoomMode.FitInView),
            ("Actual size", QPdfView.ZoomMode.Custom),
        ):
            self.zoom.addItem(label, mode)
        self.zoom.currentIndexChanged.connect(self._on_zoom_current_index_changed)
        self.position = QLabel(self)
        self.position.setAccessibleDescription("Current page")
        navigator = self.view.pageNavigator()
        navigator.currentPageChanged.connect(self._on_navigator_current_page_changed)
        self._on_navigator_current_page_changed(navigator.currentPage())
        zoom_label = QLabel("&Zoom", self)
        zoom_label.setBuddy(self.zoom)
        bar = QHBoxLayout()
        bar.addWidget(zoom_label)
        bar.addWidget(self.zoom)
        bar.addSpacing(SPACING)
        bar.addWidget(self.position)
        bar.addStretch(1)
        buttons = QDialogButtonBox(self)
        self.print_button = QPushButton("&Print…", self)
        self.save_button = QPushButton("&Save as PDF…", self)
        for button in (self.print_button, self.save_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setAutoDefault(False)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_requested)
        self.save_button.clicked.connect(self.save_requested)
        bar.addWidget(buttons)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, STEPS)
        self.progress.setValue(0)
        self.progress.setAccessibleName("Case summary progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("Preparing the rest of the summary… %p%")
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setAccessibleDescription("Stop preparing the summary and close")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        building_bar = QHBoxLayout()
        building_bar.addWidget(self.progress, 1)
        building_bar.addWidget(self.cancel_button)
        layout.addLayout(building_bar)
        layout.addLayout(bar)
        self._show_state()
        self.resize(900, 700)

    def _show_state(self) -> None:
        pages = self.document.pageCount()
        if self.building:
            shown = f"The first {pages} pages" if pages != 1 else "The first page"
            text = f"{shown}; the rest of the summary is being prepared. {PREVIEW_NOTE}"
        else:
            text = f"{pages} page{'s' if pages != 1 else ''}. {PREVIEW_NOTE}"
        self.summary.setText(text)
        for widget in (self.progress, self.cancel_button):
            widget.setVisible(self.building)
        for button in (self.print_button, self.save_button):
            button.setEnabled(not self.building)
            button.setToolTip("Wait for the whole summary." if self.building else "")
        self._on_navigator_current_page_changed(self.view.pageNavigator().currentPage())

    def set_progress(self, step: int) -> None:
        """How far the rest of the summary has got (0 to STEPS)."""
        self.progress.setValue(step)

    def show_whole(self, data: bytes) -> None:
        """The whole summary in place of its first pages, at the page being read."""
        loaded = load_pdf(data, password=self.password, parent=self)
        navigator = self.view.pageNavigator()
        page = navigator.currentPage()
        self.view.setDocument(loaded.document)
        if self.loaded is not None:
            self.loaded.close()
        self.loaded, self.document = loaded, loaded.document
        navigator.jump(page, QPointF(), navigator.currentZoom())
        self.building = False
        self._show_state()

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress.setFormat("Cancelling…")
        self.cancel_requested.emit()

    def _on_zoom_current_index_changed(self, _index: int) -> None:
        mode = self.zoom.currentData()
        self.view.setZoomMode(mode)
        if mode == self.view.ZoomMode.Custom:
            self.view.setZoomFactor(1.0)

    def _on_navigator_current_page_changed(self, page: int) -> None:
        if self.loaded is not None:
            more = " so far" if self.building else ""
            self.position.setText(f"Page {page + 1} of {self.document.pageCount()}{more}")

    def done(self, result: int) -> None:
        self.release()
        super().done(result)

    def release(self) -> None:
        """Stop showing the summary and drop its bytes (closing, or the screen locking)."""
        if self.loaded is not None:
            self.loaded.close()  # the view then shows nothing
            self.loaded = None
