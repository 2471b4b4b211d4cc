"""The fast paragraph builders lay out exactly what reportlab's own parser would."""

from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from infoshare_desktop.reports.paragraphs import (
    CachedParagraph,
    markup_paragraph,
    plain_paragraph,
)
from infoshare_desktop.reports.styles import REDACTED_INK, stylesheet
from infoshare_desktop.reports.text import escape

PLAIN = [
    "Zofia Wiśniewska",
    "R&D <b>not bold</b> &amp; <a href='javascript:x'>link</a>",
    "  leading and trailing  spaces ",
    "a " * 200,
    "Superlongwordwithoutanyspacesthatmustbesplitbecauseitcannotfitinthecolumnatall" * 2,
    "two\nlines",
    "tab\there",
    "",
]
MARKUP = [
    "<b>Label:</b> value<br/><b>Other:</b> " + escape("R&D <i>x</i> &amp;\nnext line"),
    f'<font color="{REDACTED_INK.hexval()}"><b>[redacted: third-party details]</b></font>',
    "<b>Sought:</b> No<br/><b>From:</b> " + escape("Ολυμπία & Анна"),
    "plain words only",
    "<i>markup this package does not write</i> &nbsp;",
]


def layout(paragraph: Paragraph, width: float = 150) -> list[tuple[str, str]]:
    """(text, font) of every word of every line, once laid out at ``width``."""
    paragraph.wrap(width, 10_000)
    lines = paragraph.blPara.lines
    out = []
    for line in lines:
        if isinstance(line, tuple):  # simple lines: (extra space, words)
            out.append((" ".join(line[1]), paragraph.frags[0].fontName))
        else:
            out.append(("".join(w.text for w in line.words), line.words[0].fontName))
    return out


@pytest.mark.parametrize("text", PLAIN)
def test_plain_paragraph_lays_out_as_an_escaped_paragraph(text):
    style = stylesheet()["Cell"]
    expected = Paragraph(escape(text), style)
    fast = plain_paragraph(text, style)
    assert isinstance(fast, CachedParagraph)
    assert fast.getPlainText() == expected.getPlainText()
    assert fast.wrap(150, 10_000) == expected.wrap(150, 10_000)


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_paragraph_matches_reportlabs_parser(markup):
    style = stylesheet()["Small"]
    expected = Paragraph(markup, style)
    fast = markup_paragraph(markup, style)
    colours = {str(f.textColor) for f in fast.frags} - {str(style.textColor)}
    assert colours == {str(f.textColor) for f in expected.frags} - {str(style.textColor)}
    assert fast.getPlainText() == expected.getPlainText()
    assert fast.wrap(120, 10_000) == expected.wrap(120, 10_000)
    assert layout(fast, 120) == layout(expected, 120)


def test_a_cached_paragraph_breaks_its_lines_once_per_width(monkeypatch):
    para = plain_paragraph("some words " * 40, stylesheet()["Cell"])
    calls = []
    original = Paragraph.breakLines

    def counting(self, widths):
        calls.append(widths)
        return original(self, widths)

    monkeypatch.setattr(Paragraph, "breakLines", counting)
    first = para.wrap(200, 100)
    assert para.wrap(200, 50) == first and len(calls) == 1
    assert para.wrap(100, 100) != first and len(calls) == 2
    # A split that found no room drops the lines: the next wrap breaks them again.
    assert para.split(100, 1) == []
    assert para.wrap(100, 100) and len(calls) == 3
