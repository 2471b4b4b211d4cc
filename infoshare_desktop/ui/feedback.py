"""Telling the user things: message boxes, confirmations, a file chooser, a busy cursor.

Everything modal in the shell goes through these functions, so tests replace them with
`monkeypatch.setattr(feedback, "confirm", ...)` and never block on a nested event loop.
Every box shows its text as plain text: it often holds names people typed, which Qt
would otherwise render as HTML when they look like it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget


def _parent(parent: QWidget | None) -> QWidget | None:
    return parent if parent is not None else QApplication.activeWindow()


def message_box(
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
    parent: QWidget | None = None,
) -> QMessageBox:
    """A QMessageBox whose text is always plain text (user text is never read as HTML)."""
    box = QMessageBox(icon, title, "", buttons)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setParent(parent, box.windowFlags())
    return box


def show_error(parent: QWidget | None, text: str, title: str = "InfoShare Desktop") -> None:
    """A problem the user should know about; `text` is already fit to show them."""
    box = message_box(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, _parent(parent)
    )
    box.exec()


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    """A result or fact, acknowledged with OK."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = message_box(icon, title, text, QMessageBox.StandardButton.Ok, _parent(parent))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask before doing something that matters; `action` labels the button that does it."""
    box = message_box(QMessageBox.Icon.Question, title, text, parent=_parent(parent))
    do_it = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is do_it


def ask_save_path(
    parent: QWidget | None, title: str, suggested: Path, name_filter: str
) -> Path | None:
    """A file to write, or None if the user cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(_parent(parent), title, str(suggested), name_filter)
    return Path(chosen) if chosen else None


def ask_open_path(
    parent: QWidget | None, title: str, folder: Path, name_filter: str
) -> Path | None:
    """An existing file to read, or None if the user cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(_parent(parent), title, str(folder), name_filter)
    return Path(chosen) if chosen else None


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor while the UI thread does a short piece of work (a key derivation)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
