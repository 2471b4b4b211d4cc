"""PDF bytes on screen and on paper, from memory: Qt PDF (the PySide6-Pdf package).

``load_pdf`` feeds the bytes to a QPdfDocument through a QBuffer: no temporary file ever
holds the summary. ``print_pdf`` renders each page to the printer chosen in Qt's print
dialog. Qt PDF is a separate wheel; when it is missing, ``PDF_AVAILABLE`` is False and
the caller offers Save as PDF only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, QSize
from PySide6.QtGui import QPainter

from infoshare_desktop.domain.errors import UserFacingError

if TYPE_CHECKING:  # Qt Print Support loads when printing starts
    from PySide6.QtPrintSupport import QPrinter

try:
    from PySide6.QtPdf import QPdfDocument
except ImportError:  # pragma: no cover - a packaging fault, reported to the user
    # None marks the module missing (PDF_AVAILABLE); the name is typed as the class.
    QPdfDocument = None  # type: ignore[assignment,misc]

PDF_AVAILABLE = QPdfDocument is not None
PDF_MISSING = (
    "Preview and printing need the Qt PDF module (the PySide6-Pdf package), which is "
    "missing from this installation. Save the summary as a PDF instead, or ask your "
    "administrator to reinstall InfoShare Desktop."
)
#: Pages are rendered for the printer at most at this resolution (dots per inch).
PRINT_DPI = 300


class PdfError(UserFacingError):
    """The PDF could not be shown or printed; ``str(error)`` says why, in plain words."""


@dataclass
class LoadedPdf:
    """A document and the in-memory buffer it reads from (both must live together)."""

    document: QPdfDocument
    buffer: QBuffer

    def close(self) -> None:
        self.document.close()
        self.buffer.close()
        self.buffer.setData(QByteArray())


def load_pdf(data: bytes, *, password: str | None = None, parent: QObject) -> LoadedPdf:
    """A QPdfDocument reading ``data`` from memory, ready (status Ready) or PdfError."""
    if QPdfDocument is None:
        raise PdfError(PDF_MISSING)
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent)
    if password:
        document.setPassword(password)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        error = document.error()
        document.close()
        buffer.close()
        raise PdfError(f"The case summary could not be opened for display ({error.name}).")
    return LoadedPdf(document, buffer)


def print_pdf(document: QPdfDocument, printer: QPrinter, *, first: int = 0, last: int = 0) -> int:
    """Render pages ``first``..``last`` (1-based; 0 and 0 for all) to ``printer``, each
    scaled to fit the printable area and centred. Returns the number of pages sent."""
    count = document.pageCount()
    start = max(first, 1) - 1
    stop = min(last, count) if last else count
    painter = QPainter()
    if not painter.begin(printer):
        raise PdfError("The printer could not be started. Check it is connected and try again.")
    sent = 0
    try:
        area: QRect = painter.viewport()
        dpi = min(printer.resolution(), PRINT_DPI)
        for page in range(start, stop):
            if sent:
                printer.newPage()
            points = document.pagePointSize(page)
            scale = min(area.width() / points.width(), area.height() / points.height())
            target = QSize(int(points.width() * scale), int(points.height() * scale))
            image = document.render(
                page, QSize(int(points.width() * dpi / 72), int(points.height() * dpi / 72))
            )
            if image.isNull():
                raise PdfError(f"Page {page + 1} of the case summary could not be rendered.")
            x = area.x() + (area.width() - target.width()) // 2
            y = area.y() + (area.height() - target.height()) // 2
            painter.drawImage(QRect(x, y, target.width(), target.height()), image)
            sent += 1
    finally:
        painter.end()
    return sent
