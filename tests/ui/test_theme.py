"""The app-wide theme: text sizes, high visibility, visible focus."""

from __future__ import annotations

import subprocess
import sys

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


_GARBAGE_DURING_THE_WALK = """
import gc, os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel
from infoshare_desktop.ui.common.theme import apply_theme

app = QApplication([])
apply_theme(app)

class Collecting(QLabel):
    # Stands for any of our overrides: where Python's collector would run if it may.
    def event(self, event):
        if event.type() == QEvent.Type.StyleChange and gc.isenabled():
            gc.collect()
        return super().event(event)

class Forgotten(QLabel):
    def __init__(self):
        super().__init__("a window nobody holds any more")
        self.itself = self  # a reference cycle: only the collector frees it

gc.set_threshold(0)  # no collection but the ones asked for
first = Collecting("first"); first.show()
for _ in range(200):
    Forgotten().show()
app.processEvents()
apply_theme(app, "largest")
print("survived", flush=True)
"""


def test_a_collection_cannot_free_a_window_while_the_theme_changes(tmp_path):
    """Windows left to Python's collector are freed before Qt walks every widget, never
    during the walk (that crashed the process: a segfault in setStyleSheet)."""
    script = tmp_path / "garbage_during_the_walk.py"
    script.write_text(_GARBAGE_DURING_THE_WALK, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "survived" in run.stdout
