"""Paragraphs that are cheap to build and to lay out, for documents of thousands of cells.

Two costs dominate a long case summary (measured with cProfile on 200 and 2,000 records):

* **Wrapping the same paragraph again and again.** A table wraps every cell to measure
  its rows, wraps it again to draw it, and a table split across pages re-measures the
  rows that move on. :class:`CachedParagraph` breaks its lines once per width and answers
  later wraps at that width from the result (a paragraph's lines depend on the width
  only, never on the height offered).
* **Parsing markup with a general parser.** reportlab parses every paragraph's text as
  markup (with ``html.parser``) to build its fragments. Most cells are plain user text:
  :func:`plain_paragraph` builds the single fragment of a plain, one-line text directly
  from the style's own initial fragment. That text never passes through a markup parser,
  so it prints literally, exactly as :func:`~infoshare_desktop.reports.text.escape` would
  make it print; anything with a line break or a control character takes the escaped,
  parsed path. :func:`markup_paragraph` reads the little markup this package writes
  itself (``<b>``, ``<br/>``, ``<font color="#rrggbb">`` and the three entities
  :func:`escape` produces) straight into fragments, and hands anything else to
  reportlab's parser.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaFrag

from infoshare_desktop.reports.text import escape

# The markup this package writes: <b>, </b>, <br/>, <font color="#rrggbb">, </font>.
_TAG = re.compile(r'<(?:(b)|(/b)|(br/)|font color="(#[0-9a-fA-F]{6})"|(/font))>')
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}

# Line breaks and control characters (escape() turns them into <br/> or drops them), and
# a tab (escape() turns it into spaces): such text takes the escaped, parsed path.
NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class CachedParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    Tables wrap each cell to measure it and again to draw it, and re-measure the rows
    that move to the next page; the later wraps at the same width reuse the first.
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # split() may delete blPara (no room here): then the lines must be broken again.
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return width, height


@functools.cache
def _initial_frag(style: ParagraphStyle) -> ParaFrag:
    """The fragment reportlab's parser starts a paragraph of ``style`` with."""
    return Paragraph("x", style).frags[0]


def plain_paragraph(text: object, style: ParagraphStyle) -> CachedParagraph:
    """A paragraph of user text that prints exactly as written.

    One-line text is laid out without the markup parser (see the module notes); other
    text is escaped and parsed as usual. ``None`` and blank text print as nothing.
    """
    value = "" if text is None else str(text)
    if not value.strip() or NOT_PLAIN.search(value):
        return CachedParagraph(escape(value), style)
    value = cleanBlockQuotedText(value)  # as reportlab cleans text before parsing it
    frag = _initial_frag(style).clone(text=value, us_lines=[], link=[])
    return CachedParagraph(value, style, frags=[frag])


@functools.cache
def _templates(style: ParagraphStyle) -> tuple[ParaFrag, ParaFrag, ParaFrag]:
    """The regular, bold and line-break fragments reportlab's parser makes for ``style``."""
    regular, bold, line_break = Paragraph("x<b>y</b><br/>z", style).frags[:3]
    return regular, bold, line_break


def _unescape(text: str) -> str | None:
    """Entity-free text, or None if ``text`` has an entity escape() does not produce."""
    if "&" not in text:
        return text
    if len(_ENTITY.findall(text)) != text.count("&"):
        return None
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _frags(markup: str, style: ParagraphStyle) -> list[ParaFrag] | None:
    """The fragments of this package's own markup, or None for anything else."""
    regular, bold_template, line_break = _templates(style)
    frags: list[ParaFrag] = []
    bold = 0
    colours: list[Any] = []
    position = 0

    def add_text(raw: str) -> bool:
        text = _unescape(raw)
        if text is None or "<" in raw or ">" in raw:
            return False
        if text:
            frag = (bold_template if bold else regular).clone(text=text, us_lines=[], link=[])
            if colours:
                frag.textColor = colours[-1]
            frags.append(frag)
        return True

    for match in _TAG.finditer(markup):
        if not add_text(markup[position : match.start()]):
            return None
        position = match.end()
        open_bold, close_bold, br, colour, close_font = match.groups()
        if open_bold:
            bold += 1
        elif close_bold:
            if not bold:
                return None
            bold -= 1
        elif br:
            frags.append(line_break.clone(us_lines=[], link=[]))
        elif colour:
            colours.append(HexColor(colour))
        elif close_font:
            if not colours:
                return None
            colours.pop()
    if not add_text(markup[position:]) or bold or colours:
        return None
    return frags


def markup_paragraph(markup: str, style: ParagraphStyle) -> CachedParagraph:
    """A paragraph of markup built by this package (every user part already escaped)."""
    text = cleanBlockQuotedText(markup)
    frags = _frags(text, style) if text else None
    if not frags:
        return CachedParagraph(markup, style)
    return CachedParagraph(text, style, frags=frags)
