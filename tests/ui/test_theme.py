"""The app-wide theme: text sizes, high visibility, visible focus."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from infoshare_desktop.ui.common.theme import TEXT_SIZES, apply_theme, set_role, style_sheet


@pytest.fixture
def restore_theme(qapp):
    yield
    apply_theme(qapp)


@pytest.mark.parametrize("size", ["small", "medium", "large"])
def test_text_size_scales_the_font_and_headings(qapp, restore_theme, size):
    apply_theme(qapp, size)
    assert qapp.font().pointSize() == TEXT_SIZES[size]
    assert f"font-size: {round(TEXT_SIZES[size] * 1.45)}pt" in qapp.styleSheet()
    assert "@" not in qapp.styleSheet().replace("@text_size@", "")


def test_sizes_grow(qapp):
    assert TEXT_SIZES["small"] < TEXT_SIZES["medium"] < TEXT_SIZES["large"]


def test_high_visibility_is_white_on_black_with_yellow_focus(qapp, restore_theme):
    apply_theme(qapp, high_visibility=True)
    palette = qapp.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == "#000000"
    assert palette.color(QPalette.ColorRole.WindowText).name() == "#ffffff"
    assert "#ffff00" in qapp.styleSheet()
    label = QLabel("x")
    label.ensurePolished()
    assert label.palette().color(QPalette.ColorRole.WindowText).name() == "#ffffff"


def test_focus_is_styled_for_every_kind_of_input():
    sheet = style_sheet()
    for selector in ("QLineEdit:focus", "QPushButton:focus", "QCheckBox:focus", "QTableView:focus"):
        assert selector in sheet


def test_unknown_text_size_is_refused():
    with pytest.raises(ValueError):
        style_sheet("huge")


def test_roles_change_the_look(qapp):
    label = QLabel("Heading")
    plain = label.font().pointSize()
    set_role(label, "heading")
    label.ensurePolished()
    assert label.font().pointSize() > plain
