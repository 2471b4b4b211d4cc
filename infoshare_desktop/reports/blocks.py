"""Text and grids that cost little to lay out, for documents of thousands of records.

A case summary of 2,000 records is about 2,000 pages of short labelled answers. Laid out
with reportlab's general tools it took several times as long as the same text flowing
as bare Paragraphs (issue 13): every cell was a Paragraph (its markup parsed, its lines
broken by the general algorithm, each line drawn as its own text object), and every
record was several Tables (each styled cell by cell, measured again each time it split
across a page). This module does the same job directly:

* :class:`Typesetter` breaks text into lines once, when the story is built, at the width
  its column will have. Text is a sequence of :class:`Run` (plain, bold or coloured
  text); it is never parsed as markup, so user text prints exactly as written (``<b>``
  prints as ``<b>``). Words break at whitespace, as reportlab's Paragraph breaks them; a
  word too long for the column is split between characters; line breaks in the text
  start new lines; tabs print as spaces and control characters are dropped (as
  :func:`~infoshare_desktop.reports.text.escape` makes a Paragraph print them). Word
  widths are measured once per report (the cache goes with the report).
* :class:`TextBlock` is a flowable of such lines (a heading, a note, a cell). It splits
  between lines across pages.
* :class:`Grid` is a flowable table of TextBlock cells with a light grid: an optional
  shaded header row (repeated when the grid splits across pages) or a shaded first
  column. Row heights are known when it is built; a page break cuts between rows, and
  inside a row only when the row would not fit even on a page of its own. It draws all
  of its text as one PDF text object, row by row, left to right, so text extracts in
  reading order.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from infoshare_desktop.reports.fonts import BOLD

#: A piece of a laid-out line: font name, colour, text.
Frag = tuple[str, Color, str]
Line = tuple[Frag, ...]

_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Whitespace a line may break at (any but the no-break spaces), kept as separators.
_SPACES = re.compile(r"((?:(?![\u00a0\u2007\u202f])\s)+)")
_FUZZ = 1e-6


@dataclass(frozen=True)
class Run:
    """Text in the block's face, or in bold, or in a colour (None: the style's)."""

    text: str
    bold: bool = False
    color: Color | None = None


Text = str | Sequence[Run]
"""What a block prints: plain text, or runs of plain, bold or coloured text."""


def runs_of(text: Text) -> Sequence[Run]:
    return (Run(text),) if isinstance(text, str) else text


class Typesetter:
    """Breaks text into lines at a width; remembers word widths for one report."""

    def __init__(self) -> None:
        self._widths: dict[tuple[str, float], dict[str, float]] = {}
        self._laid_out: dict[tuple[Text, float, str], list[Line]] = {}

    def width(self, text: str, font: str, size: float) -> float:
        widths = self._widths.setdefault((font, size), {})
        found = widths.get(text)
        if found is None:
            found = widths[text] = stringWidth(text, font, size)
        return found

    def block(self, text: Text, width: float, style: ParagraphStyle) -> TextBlock:
        """``text`` in ``style``'s face, size, leading and colour, broken to ``width``
        (bold runs in the bold face); the block takes ``style``'s space before and
        after and its keep-with-next."""
        key = (text if isinstance(text, str) else tuple(text), width, style.name)
        lines = self._laid_out.get(key)
        if lines is None:  # labels and stock answers repeat on every record
            lines = self._laid_out[key] = self.lines(runs_of(text), width, style)
        return TextBlock(
            lines,
            width=width,
            size=style.fontSize,
            leading=style.leading,
            style=style,
        )

    def lines(self, runs: Iterable[Run], width: float, style: ParagraphStyle) -> list[Line]:
        """The runs broken into lines no wider than ``width`` (see the module notes).

        Greedy, word by word: a word goes on the line if it fits after a space, else it
        starts the next line. Text with no whitespace between two runs is one word that
        may break where its face changes.
        """
        size = style.fontSize
        limit = width + _FUZZ
        lines: list[Line] = []
        line: list[Frag] = []
        used = 0.0  # the width of the line so far
        spaced = False  # whitespace came after the line's last word
        for run in runs:
            font = BOLD if run.bold else style.fontName
            color = run.color if run.color is not None else style.textColor
            widths = self._widths.setdefault((font, size), {})
            space = self.width(" ", font, size)
            text = run.text
            if _NOT_PLAIN.search(text):
                text = _CONTROL.sub("", _LINE_BREAK.sub("\n", text).replace("\t", "    "))
            for number, part in enumerate(text.split("\n")):
                if number:  # a line break in the text
                    lines.append(tuple(line))
                    line, used, spaced = [], 0.0, False
                for index, piece in enumerate(_SPACES.split(part)):
                    if index % 2:  # whitespace
                        spaced = bool(line)
                        continue
                    if not piece:
                        continue
                    word = widths.get(piece)
                    if word is None:
                        word = widths[piece] = stringWidth(piece, font, size)
                    gap = space if spaced else 0.0
                    if line and used + gap + word > limit:
                        lines.append(tuple(line))
                        line, used, gap = [], 0.0, 0.0
                    if word > limit:  # longer than a whole line: cut it between characters
                        *whole, (piece, word) = self._pieces(piece, font, size, width - used)
                        for cut, _cut_width in whole:
                            line.append((font, color, cut))
                            lines.append(tuple(line))
                            line = []
                        used = 0.0
                    chars = " " + piece if gap else piece
                    if line and line[-1][0] == font and line[-1][1] is color:
                        line[-1] = (font, color, line[-1][2] + chars)
                    else:
                        line.append((font, color, chars))
                    used += gap + word
                    spaced = False
        if line:
            lines.append(tuple(line))
        return lines

    def _pieces(self, text: str, font: str, size: float, room: float) -> list[tuple[str, float]]:
        """A word too long for a line cut between characters: the first piece fits
        ``room`` (if a character does), each piece at least one character."""
        pieces: list[tuple[str, float]] = []
        start, used = 0, 0.0
        for end, char in enumerate(text):
            char_width = self.width(char, font, size)
            if used + char_width > room + _FUZZ and end > start:
                pieces.append((text[start:end], used))
                start, used = end, 0.0
            used += char_width
        pieces.append((text[start:], used))
        return pieces


class _Pen:
    """One PDF text object (``BT`` ... ``ET``) of laid-out lines, written straight into
    the page: the operators reportlab's own text object writes for the embedded
    TrueType faces (font subset and size, position, fill colour, the string), without
    its per-call generality (it measures every string again and re-checks shaping,
    encodings and colour spaces). A string is encoded for its font subsets once per
    document (the encoding of a character never changes within a document)."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.doc = canvas._doc  # type: ignore[attr-defined]  # reportlab's document, not in the stubs
        self.code: list[str] = ["BT"]
        self._face: tuple[str, float] | None = None
        self._subset: int | None = None
        self._color: Color | None = None
        self._shown = _SHOWN.setdefault(self.doc, {})

    def line(self, x: float, y: float, frags: Line, size: float, leading: float) -> None:
        code = self.code
        code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        for font, color, text in frags:
            if self._face != (font, size):
                self._face = (font, size)
                self._subset = None
            if color is not self._color:
                code.append(f"{fp_str(color.red, color.green, color.blue)} rg")
                self._color = color
            key = (font, text)
            shown = self._shown.get(key)
            if shown is None:
                shown = self._shown[key] = self._encode(font, text)
            for subset, string in shown:
                if subset != self._subset:
                    name = _truetype(font).getSubsetInternalName(subset, self.doc)
                    code.append(f"{name} {fp_str(size)} Tf {fp_str(leading)} TL")
                    self._subset = subset
                code.append(string)

    def _encode(self, font: str, text: str) -> list[tuple[int, str]]:
        escape = self.canvas._escape  # type: ignore[attr-defined]  # as reportlab escapes
        return [
            (subset, f"({escape(chars)}) Tj")
            for subset, chars in _truetype(font).splitString(text, self.doc)
        ]

    def finish(self) -> None:
        self.code.append("ET")
        self.canvas._code.append(" ".join(self.code))  # type: ignore[attr-defined]  # the page's content


@functools.cache
def _truetype(name: str) -> TTFont:
    """A registered face (both of this package's faces are TrueType)."""
    font = getFont(name)
    assert isinstance(font, TTFont)
    return font


#: Each document's strings as encoded for its font subsets (see _Pen); gone with it.
_SHOWN: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], list[tuple[int, str]]]] = (
    weakref.WeakKeyDictionary()
)


class TextBlock(Flowable):
    """Lines laid out by a :class:`Typesetter`: a heading, a note or a cell."""

    # Flowable's per-instance defaults, as class attributes: a summary makes 100,000
    # blocks, and Flowable.__init__ is not called.
    wrapped = 0
    hAlign = "LEFT"
    vAlign = "BOTTOM"
    _traceInfo = None
    _showBoundary = None
    encoding = None

    def __init__(
        self,
        lines: list[Line],
        *,
        width: float,
        size: float,
        leading: float,
        style: ParagraphStyle | None = None,
    ) -> None:
        self.lines = lines
        self.width = width
        self.size = size
        self.leading = leading
        self.height = len(lines) * leading
        if style is not None:
            self.style = style  # space before and after, keep with next

    def __repr__(self) -> str:  # reportlab names a flowable in its errors: no user text
        return f"<TextBlock of {len(self.lines)} lines>"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def lines_that_fit(self, height: float) -> int:
        if height <= 0:
            return 0
        return min(int((height + _FUZZ) / self.leading), len(self.lines))

    def part(self, lines: list[Line]) -> TextBlock:
        block = TextBlock(lines, width=self.width, size=self.size, leading=self.leading)
        if hasattr(self, "style"):
            block.style = self.style
        return block

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        n = self.lines_that_fit(availHeight)
        if n <= 0 or n >= len(self.lines):
            return []
        return [self.part(self.lines[:n]), self.part(self.lines[n:])]

    def draw_with(self, pen: _Pen, x: float, top: float) -> None:
        """Draw the lines with their first top at ``top`` (the baseline a font size
        below, as a Paragraph places it)."""
        y = top - self.size
        for line in self.lines:
            if line:
                pen.line(x, y, line, self.size, self.leading)
            y -= self.leading

    def draw(self) -> None:
        pen = _Pen(self.canv)
        self.draw_with(pen, 0, self.height)
        pen.finish()


@dataclass(frozen=True)
class GridLook:
    """A grid's padding, rule and shading."""

    padding: float  #: left and right of each cell
    top: float
    bottom: float
    rule: Color
    rule_width: float
    shade: Color | None = None  #: the header row's, or the first column's


class Grid(Flowable):
    """A table of :class:`TextBlock` cells (see the module notes).

    ``header`` (shaded, repeated on every page the grid reaches) or ``label_column``
    (the first column shaded). ``page_room`` is the height of a page's frame: a row
    that fits in it is never cut, it moves to the next page instead.
    """

    def __init__(
        self,
        rows: list[list[TextBlock]],
        widths: Sequence[float],
        look: GridLook,
        *,
        page_room: float,
        header: list[TextBlock] | None = None,
        label_column: bool = False,
        heights: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.widths = list(widths)
        self.look = look
        self.page_room = page_room
        self.header = header
        self.label_column = label_column
        self.hAlign = "LEFT"
        self.heights = heights if heights is not None else [self._row_height(r) for r in rows]
        self.header_height = self._row_height(header) if header is not None else 0.0
        self.width = sum(self.widths)
        self.height = self.header_height + sum(self.heights)

    def __repr__(self) -> str:  # no user text in reportlab's errors
        return f"<Grid of {len(self.rows)} rows>"

    def _row_height(self, row: list[TextBlock]) -> float:
        return max((b.height for b in row), default=0.0) + self.look.top + self.look.bottom

    def _with(self, rows: list[list[TextBlock]], heights: list[float] | None = None) -> Grid:
        return Grid(
            rows,
            self.widths,
            self.look,
            page_room=self.page_room,
            header=self.header,
            label_column=self.label_column,
            heights=heights,
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        used = self.header_height
        fit = 0
        for height in self.heights:
            if used + height > availHeight + _FUZZ:
                break
            used += height
            fit += 1
        if fit >= len(self.rows):
            return []
        if fit:
            return [
                self._with(self.rows[:fit], self.heights[:fit]),
                self._with(self.rows[fit:], self.heights[fit:]),
            ]
        if self.header_height + self.heights[0] <= self.page_room + _FUZZ:
            return []  # the row fits on the next page: it goes there whole
        room = availHeight - self.header_height - self.look.top - self.look.bottom
        first, rest = [], []
        for block in self.rows[0]:
            n = block.lines_that_fit(room)
            first.append(block.part(block.lines[:n]))
            rest.append(block.part(block.lines[n:]))
        if not any(b.lines for b in first):
            return []
        return [self._with([first]), self._with([rest, *self.rows[1:]])]

    def draw(self) -> None:
        canvas, look = self.canv, self.look
        rows = [self.header, *self.rows] if self.header is not None else self.rows
        heights = [self.header_height, *self.heights] if self.header is not None else self.heights
        lefts = [sum(self.widths[:i]) for i in range(len(self.widths))]
        canvas.saveState()
        if look.shade is not None and self.header is not None:
            canvas.setFillColor(look.shade)
            canvas.rect(0, self.height - self.header_height, self.width, self.header_height, 0, 1)
        if look.shade is not None and self.label_column:
            canvas.setFillColor(look.shade)
            canvas.rect(0, 0, self.widths[0], self.height, 0, 1)
        pen = _Pen(canvas)
        top = self.height
        for row, height in zip(rows, heights, strict=True):
            for block, left in zip(row, lefts, strict=True):
                block.draw_with(pen, left + look.padding, top - look.top)
            top -= height
        pen.finish()
        rules: list[tuple[float, float, float, float]] = []
        y = self.height
        rules.append((0, y, self.width, y))
        for height in heights:
            y -= height
            rules.append((0, y, self.width, y))
        for x in [*lefts, self.width]:
            rules.append((x, 0, x, self.height))
        canvas.setStrokeColor(look.rule)
        canvas.setLineWidth(look.rule_width)
        canvas.lines(rules)
        canvas.restoreState()
