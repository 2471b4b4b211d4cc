"""The preview: the built summary on screen, read from memory, with Print… and Save as PDF….

The bytes reach Qt PDF through a QBuffer (no temporary file). Closing the preview closes
the document and empties the buffer.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from infoshare_desktop.ui.common.labels import text_label
from infoshare_desktop.ui.common.layout import SPACING, page_layout
from infoshare_desktop.ui.printing.pdf import LoadedPdf, load_pdf

PREVIEW_NOTE = (
    "OFFICIAL-SENSITIVE. Previewing is recorded in the audit log; printing or saving from "
    "here is recorded again. Close the preview when you have finished."
)


class SummaryPreviewDialog(QDialog):
    """Shows one built summary; emits ``print_requested`` or ``save_requested``."""

    print_requested = Signal()
    save_requested = Signal()

    def __init__(
        self, data: bytes, *, password: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from PySide6.QtPdfWidgets import QPdfView

        self.setWindowTitle("Case summary preview")
        self.setObjectName("SummaryPreviewDialog")
        self.loaded: LoadedPdf | None = load_pdf(data, password=password, parent=self)
        self.document = self.loaded.document
        layout = page_layout(self)
        pages = self.document.pageCount()
        self.summary = text_label(
            f"{pages} page{'s' if pages != 1 else ''}. {PREVIEW_NOTE}", self, role="muted"
        )
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
        layout.addLayout(bar)
        self.resize(900, 700)

    def _on_zoom_current_index_changed(self, _index: int) -> None:
        mode = self.zoom.currentData()
        self.view.setZoomMode(mode)
        if mode == self.view.ZoomMode.Custom:
            self.view.setZoomFactor(1.0)

    def _on_navigator_current_page_changed(self, page: int) -> None:
        if self.loaded is not None:
            self.position.setText(f"Page {page + 1} of {self.document.pageCount()}")

    def done(self, result: int) -> None:
        self.release()
        super().done(result)

    def release(self) -> None:
        """Stop showing the summary and drop its bytes (closing, or the screen locking)."""
        if self.loaded is not None:
            self.loaded.close()  # the view then shows nothing
            self.loaded = None
