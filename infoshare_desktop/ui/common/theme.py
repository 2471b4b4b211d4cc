"""App-wide look: the Fusion style, a text size and an optional high-visibility theme.

The style sheets live in `resources/themes/` (the package `infoshare_desktop.resources`,
read with `importlib.resources`); `@text_size@`, `@heading_size@` and
`@code_size@` in them are replaced with point sizes for the chosen text size, so every
screen scales together; `@icons@` is the folder of the check marks and arrows they
draw. Widgets opt into named looks with a `role` property
(`heading`, `subheading`, `muted`, `code`) rather than styling themselves.
"""

from __future__ import annotations

import contextlib
import gc
import weakref
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

RESOURCES = files("infoshare_desktop.resources")
THEMES = RESOURCES / "themes"
APP_ICON = RESOURCES / "icons" / "infoshare.svg"

TEXT_SIZES: dict[str, int] = {"small": 9, "medium": 11, "large": 14, "larger": 18, "largest": 22}
"""Base point size for each text size: up to 200% of medium (WCAG 1.4.4)."""


_BASE_COLOURS = {
    QPalette.ColorRole.Window: "#f6f7f9",
    QPalette.ColorRole.WindowText: "#0b0c0c",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f3f6f9",
    QPalette.ColorRole.Text: "#0b0c0c",
    QPalette.ColorRole.Button: "#ffffff",
    QPalette.ColorRole.ButtonText: "#0b0c0c",
    QPalette.ColorRole.Highlight: "#1d5fa8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#0b0c0c",
    QPalette.ColorRole.PlaceholderText: "#5f6b78",
}
_HIGH_VISIBILITY_COLOURS = {
    QPalette.ColorRole.Window: "#000000",
    QPalette.ColorRole.WindowText: "#ffffff",
    QPalette.ColorRole.Base: "#000000",
    QPalette.ColorRole.AlternateBase: "#1a1a1a",
    QPalette.ColorRole.Text: "#ffffff",
    QPalette.ColorRole.Button: "#000000",
    QPalette.ColorRole.ButtonText: "#ffffff",
    QPalette.ColorRole.Highlight: "#ffff00",
    QPalette.ColorRole.HighlightedText: "#000000",
    QPalette.ColorRole.ToolTipBase: "#000000",
    QPalette.ColorRole.ToolTipText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#c8c8c8",
}


def palette(high_visibility: bool = False) -> QPalette:
    colours = _HIGH_VISIBILITY_COLOURS if high_visibility else _BASE_COLOURS
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    return result


def style_sheet(text_size: str = "medium", high_visibility: bool = False) -> str:
    """The combined style sheet for these settings."""
    if text_size not in TEXT_SIZES:
        raise ValueError(f"unknown text size {text_size!r}")
    points = TEXT_SIZES[text_size]
    parts = [(THEMES / "base.qss").read_text(encoding="utf-8")]
    if high_visibility:
        parts.append((THEMES / "high-visibility.qss").read_text(encoding="utf-8"))
    return (
        "\n".join(parts)
        .replace("@text_size@", str(points))
        .replace("@heading_size@", str(round(points * 1.45)))
        .replace("@code_size@", str(round(points * 1.9)))
        .replace("@icons@", Path(str(RESOURCES / "icons")).as_posix())
    )


_current: tuple[str, bool] | None = None
_fusion_app: weakref.ref[QApplication] | None = None


def current_theme() -> tuple[str, bool] | None:
    """(text size, high visibility) as last applied, or None before the first."""
    return _current


def apply_theme(
    app: QApplication, text_size: str = "medium", high_visibility: bool = False
) -> None:
    """Apply a text size and theme to every window, open or still to come."""
    global _current, _fusion_app
    sheet = style_sheet(text_size, high_visibility)
    _current = (text_size, high_visibility)
    with _no_collection_while_qt_walks_every_widget():
        if _fusion_app is None or _fusion_app() is not app:
            # Once per application: setting a style again deletes the one every open
            # widget is polished by.
            app.setStyle("Fusion")
            _fusion_app = weakref.ref(app)
        app.setPalette(palette(high_visibility))
        font = app.font()
        font.setPointSize(TEXT_SIZES[text_size])
        app.setFont(font)
        app.setStyleSheet(sheet)
    app.setWindowIcon(QIcon(str(APP_ICON)))


@contextlib.contextmanager
def _no_collection_while_qt_walks_every_widget() -> Iterator[None]:
    """Collect Python's garbage first, then hold the collector off until Qt is done.

    A style, palette, font or style sheet set on the application makes Qt walk a copy of
    its list of widgets, sending each one events that our Python overrides handle. A
    collection started by one of them could free a window nobody holds any more (a
    parentless widget in a reference cycle), and Qt would then touch it in the same walk:
    a segfault (tests/ui/test_theme.py reproduces it).
    """
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def set_role(label: QLabel | QWidget, role: str) -> None:
    """Give a widget one of the theme's named looks (see the module docstring)."""
    label.setProperty("role", role)
    label.style().unpolish(label)
    label.style().polish(label)
