"""Telling the user things: message boxes, confirmations, a file chooser, a busy cursor.

Everything modal in the shell goes through these functions, so tests replace them with
`monkeypatch.setattr(feedback, "confirm", ...)` and never block on a nested event loop.
Every box shows its text as plain text: it often holds names people typed, which Qt
would otherwise render as HTML when they look like it.

Errors a user can act on (any `UserFacingError`, whatever its layer) are shown one way:
`user_errors`, a context manager that catches that one root, shows its message inline
(in the screen's alert, next to what it is about) or in a message box, and announces it
to a screen reader. It touches no field, so nothing the user typed is lost. Any other
exception is a bug: it is not caught here and reaches the crash handler, which shows a
fixed sentence and logs no message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from infoshare_desktop.domain.errors import UserFacingError
from infoshare_desktop.ui.common.announce import announce

TITLE = "InfoShare Desktop"


@runtime_checkable
class InlineAlert(Protocol):
    """Where a screen shows its errors inline (`AlertLabel`); showing one announces it."""

    def show_message(self, text: str) -> None: ...


#: Where an error is shown: a screen's inline alert, or a message box over a widget (or
#: over the active window, for None).
ErrorPlace = InlineAlert | QWidget | None


@dataclass
class Outcome:
    """What `user_errors` yields: the error it caught and showed, if any."""

    error: UserFacingError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


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


def show_error(parent: QWidget | None, text: str, title: str = TITLE) -> None:
    """A problem the user should know about; `text` is already fit to show them."""
    box = message_box(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, _parent(parent)
    )
    box.exec()


def show_user_error(
    where: ErrorPlace, error: UserFacingError, *, prefix: str = "", title: str = TITLE
) -> str:
    """Show `error` inline or in a message box and announce it; returns the words shown.

    `prefix` says what did not happen ("Not saved."); the error's message says why.
    """
    text = f"{prefix} {error.user_message}" if prefix else error.user_message
    if isinstance(where, InlineAlert):
        where.show_message(text)  # an alert announces what it shows
        return text
    parent = _parent(where)
    source: QObject | None = parent if parent is not None else QApplication.instance()
    if source is not None:
        announce(source, text, assertive=True)
    show_error(parent, text, title)
    return text


@contextmanager
def user_errors(where: ErrorPlace, *, prefix: str = "", title: str = TITLE) -> Iterator[Outcome]:
    """Run the block; a `UserFacingError` from it is shown (see `show_user_error`) and
    recorded in the yielded `Outcome` instead of propagating. Anything else propagates::

        with feedback.user_errors(self.alert, prefix="Not saved.") as outcome:
            records.record_review(store, draft=draft)
        if outcome.failed:
            return
    """
    outcome = Outcome()
    try:
        yield outcome
    except UserFacingError as error:
        outcome.error = error
        show_user_error(where, error, prefix=prefix, title=title)


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
