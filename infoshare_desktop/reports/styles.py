"""The one named stylesheet of printed documents, and the table styles built from it."""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.platypus import TableStyle

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


@functools.cache
def grid_table_style(*, header: bool) -> TableStyle:
    """A light grid; with ``header`` the first row is shaded and bold (and repeated on
    each page). Plain-text cells print in the small face; header cells are plain text."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), GRID_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), GRID_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("FONT", (0, 0), (-1, -1), REGULAR, SMALL_SIZE, SMALL_SIZE * 1.3),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
        commands.append(("FONT", (0, 0), (-1, 0), BOLD, SMALL_SIZE, SMALL_SIZE * 1.3))
    return TableStyle(commands)


@functools.cache
def facts_table_style() -> TableStyle:
    """Label/value rows: the label column shaded, its plain-text labels in the bold face;
    plain-text values in the regular face of the Cell paragraph style."""
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_SHADE),
            ("LEFTPADDING", (0, 0), (-1, -1), FACTS_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), FACTS_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("FONT", (0, 0), (-1, -1), REGULAR, BODY_SIZE, BODY_SIZE * 1.3),
            ("FONT", (0, 0), (0, -1), BOLD, BODY_SIZE, BODY_SIZE * 1.3),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ]
    )
