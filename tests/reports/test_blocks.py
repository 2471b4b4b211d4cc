"""The summary's own text layout (reports.blocks): lines that fit, every character kept
in order, nothing parsed as markup, and grids that split across pages with their
header and every row."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import SimpleDocTemplate

from infoshare_desktop.reports.blocks import Grid, Run, Typesetter
from infoshare_desktop.reports.fonts import BOLD, REGULAR
from infoshare_desktop.reports.styles import GRID_LOOK, REDACTED_INK, stylesheet

STYLE = stylesheet()["Cell"]


def texts(lines) -> list[str]:
    return ["".join(chars for _font, _colour, chars in line) for line in lines]


def widest(line) -> float:
    return sum(stringWidth(chars, font, STYLE.fontSize) for font, _colour, chars in line)


# Letters from the scripts the summary must print, digits, punctuation, markup-like
# characters, spaces of several kinds and line breaks.
CHARACTERS = st.sampled_from(
    [*"abcxyzABC019.,;:()-&<>/\"'ąęłśżΩλπжыщ", " ", " ", "  ", "\t", "\n", "\u00a0"]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.one_of(CHARACTERS, st.text(min_size=1, max_size=40)), max_size=60).map(
        "".join
    ),
    width=st.floats(min_value=12, max_value=480),
)
def test_lines_fit_and_keep_every_character_in_order(text, width):
    lines = Typesetter().lines([Run(text)], width, STYLE)
    for line in lines:
        if len("".join(texts([line]))) > 1:  # a single character wider than the line
            assert widest(line) <= width + 1e-6
    printed = "\n".join(texts(lines))
    assert not any(t != t.strip(" ") for t in texts(lines) if t.strip(" "))  # no edge spaces
    # Every visible character, in order; whitespace only where the text had some.
    visible = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text)
    assert re.sub(r"\s", "", printed, flags=re.UNICODE) == re.sub(r"\s", "", visible)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("R&D <b>not bold</b> &amp; <a href='x'>", ["R&D <b>not bold</b> &amp; <a href='x'>"]),
        ("  leading and   inner  spaces ", ["leading and inner spaces"]),
        ("tab\there", ["tab here"]),
        ("bell\x07 rings", ["bell rings"]),
        ("one\ntwo\r\nthree", ["one", "two", "three"]),
        ("a\n\nb", ["a", "", "b"]),
        ("no\u00a0break", ["no\u00a0break"]),
        ("", []),
        ("   ", []),
    ],
)
def test_text_prints_exactly_as_written(text, lines):
    assert texts(Typesetter().lines([Run(text)], 400, STYLE)) == lines


def test_a_word_longer_than_the_line_is_cut_between_characters():
    word = "Superlongwordwithoutanyspaces" * 4
    lines = Typesetter().lines([Run(f"before {word} after")], 100, STYLE)
    assert len(lines) > 3
    assert all(widest(line) <= 100 + 1e-6 for line in lines)
    assert "".join(texts(lines)).replace(" ", "") == f"before{word}after"


def test_bold_and_coloured_runs_keep_their_faces():
    runs = [
        Run("Decision:", bold=True),
        Run(" Shared"),
        Run("\n"),
        Run("[redacted: third-party details]", bold=True, color=REDACTED_INK),
    ]
    first, second = Typesetter().lines(runs, 400, STYLE)
    assert first == ((BOLD, STYLE.textColor, "Decision:"), (REGULAR, STYLE.textColor, " Shared"))
    assert second == ((BOLD, REDACTED_INK, "[redacted: third-party details]"),)


def test_runs_with_no_space_between_them_make_one_word():
    lines = Typesetter().lines([Run("(ref "), Run("abc", bold=True), Run(")")], 400, STYLE)
    assert texts(lines) == ["(ref abc)"]


def test_a_grid_split_across_pages_repeats_its_header_and_prints_every_row_in_order():
    typesetter = Typesetter()
    small, bold = stylesheet()["Small"], stylesheet()["SmallBold"]
    widths = [60.0, 200.0, 200.0]

    def cells(row, style):
        return [typesetter.block(t, w - 6, style) for t, w in zip(row, widths, strict=True)]

    rows = [
        cells([f"row{n:03d}", f"Anna & <b>Zofia</b> {n}", "text " * (n % 7 + 1)], small)
        for n in range(300)
    ]
    rows.append(cells(["tall", "line " * 3000, "end"], small))  # taller than a page
    grid = Grid(
        rows,
        widths,
        GRID_LOOK,
        page_room=A4[1] - 144,
        header=cells(["Ref", "Who", "What"], bold),
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([grid])
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages]
    assert len(pages) > 5
    assert all(page.startswith("Ref Who What") for page in pages)
    found = [int(n) for page in pages for n in re.findall(r"row(\d{3})", page)]
    assert found == list(range(300))
    text = " ".join(pages)
    assert "Anna & <b>Zofia</b> 299" in text
    assert text.count("line") == 3000 and re.search(r"tall line .*end", text, re.S)
