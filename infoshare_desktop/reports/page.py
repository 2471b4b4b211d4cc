"""The page template: protective marking top and bottom, printed by and at, the audit
anchor, and "Page X of Y" (drawn when the document is saved, once the total is known)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from infoshare_desktop.reports.fonts import BOLD, REGULAR
from infoshare_desktop.reports.styles import INK, MUTED, RULE
from infoshare_desktop.reports.text import truncate

PAGE_SIZE = A4
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 25 * mm
#: The height of the body frame of each page.
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
MARKING_SIZE = 10
FOOTER_SIZE = 7.5
MARKING_TOP_Y = PAGE_HEIGHT - 10 * mm
HEADER_LINE_Y = PAGE_HEIGHT - 17 * mm
FOOTER_LINE_Y = 19 * mm
FOOTER_TEXT_Y = 15 * mm
MARKING_BOTTOM_Y = 8 * mm


@dataclass(frozen=True)
class PageDecoration:
    """What every page carries besides the page number."""

    marking: str
    title: str  #: e.g. "Case summary: ref ABC-123"
    printed: str  #: e.g. "Printed by Sam Lead, 3 Mar 2026 10:05"
    anchor: str  #: e.g. "Audit anchor 1234:0123456789ab"

    def draw(self, canvas: Canvas, _doc: Any = None) -> None:
        """Draw the header and footer (reportlab's onPage callback). They are the same
        on every page: drawn once per canvas, then the same operators again."""
        code: list[str] = canvas._code  # type: ignore[attr-defined]  # the page's content
        drawn = _DRAWN.get(canvas)
        if drawn is not None and drawn[0] is self:
            code.extend(drawn[1])
            return
        start = len(code)
        self._draw(canvas)
        _DRAWN[canvas] = (self, code[start:])

    def _draw(self, canvas: Canvas) -> None:
        canvas.saveState()
        right = PAGE_WIDTH - MARGIN_RIGHT
        usable = right - MARGIN_LEFT
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, MARKING_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARKING_TOP_Y, self.marking)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN_LEFT, HEADER_LINE_Y + 2 * mm, _fit(self.title, usable))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_LEFT, HEADER_LINE_Y, right, HEADER_LINE_Y)
        canvas.line(MARGIN_LEFT, FOOTER_LINE_Y, right, FOOTER_LINE_Y)
        canvas.drawString(MARGIN_LEFT, FOOTER_TEXT_Y, _fit(self.printed, usable * 0.62))
        canvas.drawRightString(right, FOOTER_TEXT_Y, self.anchor)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, MARKING_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARKING_BOTTOM_Y, self.marking)
        canvas.restoreState()


#: Each canvas's decoration and the operators that draw it (see PageDecoration.draw).
_DRAWN: weakref.WeakKeyDictionary[Canvas, tuple[PageDecoration, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _fit(text: str, width: float) -> str:
    """Cut ``text`` so it fits ``width`` points in the footer font."""
    if stringWidth(text, REGULAR, FOOTER_SIZE) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(truncate(text, mid), REGULAR, FOOTER_SIZE) <= width:
            low = mid
        else:
            high = mid - 1
    return truncate(text, low)


class EnoughPages(Exception):
    """Raised by a NumberedCanvas once it holds the pages it was asked to stop after."""


class NumberedCanvas(Canvas):
    """A canvas that keeps each page until saving, then stamps "Page X of Y" on all.

    With ``stop_after``, it raises EnoughPages once that many pages are laid out; saved
    then, its pages read "Page X of …" (the total is not known)."""

    def __init__(self, *args: Any, stop_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._stop_after = stop_after
        self._stopped = False

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own reset; not in its stubs
        if self._stop_after is not None and len(self._pages) >= self._stop_after:
            self._stopped = True
            raise EnoughPages()

    def save(self) -> None:
        total = "…" if self._stopped else str(len(self._pages))
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_page_number(number, total)
            super().showPage()
        super().save()

    def _draw_page_number(self, number: int, total: str) -> None:
        self.saveState()
        self.setFont(REGULAR, FOOTER_SIZE)
        self.setFillColor(INK)
        self.drawRightString(
            PAGE_WIDTH - MARGIN_RIGHT, MARKING_BOTTOM_Y, f"Page {number} of {total}"
        )
        self.restoreState()
