"""Spacing shared by every dialog and page, so screens line up with each other."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QScrollArea, QVBoxLayout, QWidget

MARGIN = 12
SPACING = 10


def page_layout(widget: QWidget, *, margin: int = MARGIN) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(SPACING)
    return layout


def form_layout() -> QFormLayout:
    """Labels right of their own column, fields growing to fill the rest."""
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(SPACING)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


def scroll_past(area: QScrollArea) -> QScrollArea:
    """A scroll area around controls is not a focus stop of its own: Tab goes to its
    controls, and the area scrolls each into view (an unnamed stop says nothing)."""
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area
