"""The one named stylesheet of printed documents, and the looks of its grids."""

from __future__ import annotations

import functools

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1

from infoshare_desktop.reports.blocks import GridLook
from infoshare_desktop.reports.fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#8c8c8c")
SHADE = colors.HexColor("#ececec")
LABEL_SHADE = colors.HexColor("#f5f5f5")
REDACTED_INK = colors.HexColor("#7a1f1f")

BODY_SIZE = 9
SMALL_SIZE = 7.5
GRID_PADDING = 3  #: left and right padding of grid cells
FACTS_PADDING = 4  #: left and right padding of label/value cells
SIGNATURE_PADDING = 6  #: reportlab's own cell padding (the signature blocks' tables)


@functools.cache
def stylesheet() -> StyleSheet1:
    """Named paragraph styles: Title, Heading1/2/3, Body, Label, Cell, CellBold, Small, Note."""
    register_fonts()
    sheet = StyleSheet1()
    base = ParagraphStyle(
        "Body",
        fontName=REGULAR,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.3,
        textColor=INK,
        alignment=TA_LEFT,
        splitLongWords=True,
        spaceAfter=3,
    )
    sheet.add(base)
    sheet.add(
        ParagraphStyle("Title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=4)
    )
    sheet.add(
        ParagraphStyle(
            "Heading1",
            parent=base,
            fontName=BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=5,
            keepWithNext=True,
        )
    )
    sheet.add(
        ParagraphStyle(
            "Heading2",
            parent=base,
            fontName=BOLD,
            fontSize=10.5,
            leading=13,
            spaceBefore=9,
            spaceAfter=3,
            keepWithNext=True,
        )
    )
    sheet.add(
        ParagraphStyle(
            "Heading3",
            parent=base,
            fontName=BOLD,
            fontSize=9,
            leading=11.5,
            spaceBefore=5,
            spaceAfter=2,
            keepWithNext=True,
        )
    )
    sheet.add(ParagraphStyle("Cell", parent=base, spaceAfter=0))
    sheet.add(ParagraphStyle("CellBold", parent=base, fontName=BOLD, spaceAfter=0))
    sheet.add(
        ParagraphStyle(
            "Small", parent=base, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.3, spaceAfter=0
        )
    )
    sheet.add(
        ParagraphStyle(
            "SmallBold", parent=base, fontName=BOLD, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.3
        )
    )
    sheet.add(ParagraphStyle("Note", parent=base, textColor=MUTED, fontSize=8, leading=10.5))
    return sheet


#: Grids of small text (the chronology, the criteria, amendments and reviews): a light
#: rule round every cell and a shaded header row.
GRID_LOOK = GridLook(padding=GRID_PADDING, top=2, bottom=2, rule=RULE, rule_width=0.4, shade=SHADE)
#: Label/value rows: the label column shaded (its labels in the bold face).
FACTS_LOOK = GridLook(
    padding=FACTS_PADDING, top=2, bottom=3, rule=RULE, rule_width=0.4, shade=LABEL_SHADE
)
