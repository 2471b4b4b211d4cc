"""Labels with a meaning: headings, paragraphs, inline alerts and hints.

Alerts and hints always pair an icon with words, so no meaning rests on colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QWidget

from infoshare_desktop.ui.theme import set_role

ICON_SIZE = 20
MIN_TEXT_WIDTH = 300


def heading_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_role(label, "heading")
    label.setAccessibleName(text)
    return label


def text_label(text: str, parent: QWidget | None = None, *, role: str = "") -> QLabel:
    """A wrapped paragraph of plain text (user-supplied names are never read as HTML)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        set_role(label, role)
    return label


class AlertLabel(QFrame):
    """An error shown inline, next to what it is about: a warning icon and the words.

    Its `role` property is "alert", and showing it raises an accessibility Alert event so
    a screen reader announces it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "alert")
        self.setAccessibleName("Error")
        icon = QLabel(self)
        icon.setPixmap(
            self.style()
            .standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            .pixmap(ICON_SIZE, ICON_SIZE)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        icon.setAccessibleName("Error")
        self._text = text_label("", self)
        self._text.setMinimumWidth(MIN_TEXT_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)
        layout.addWidget(icon)
        layout.addWidget(self._text, 1)
        self.hide()

    def show_message(self, text: str) -> None:
        self._text.setText(text)
        self.setAccessibleDescription(text)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def clear(self) -> None:
        self._text.clear()
        self.setAccessibleDescription("")
        self.hide()

    def text(self) -> str:
        return self._text.text()


class HintLabel(QWidget):
    """Live guidance under a field: an icon for the state (information, problem, good)
    and a sentence."""

    INFO = QStyle.StandardPixmap.SP_MessageBoxInformation
    PROBLEM = QStyle.StandardPixmap.SP_MessageBoxWarning
    GOOD = QStyle.StandardPixmap.SP_DialogApplyButton

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._text = text_label("", self, role="muted")
        # A wrapped label guesses a narrow width for its height; a floor keeps the
        # form from reserving lines the hint never uses.
        self._text.setMinimumWidth(MIN_TEXT_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)

    def set_hint(self, kind: QStyle.StandardPixmap, text: str) -> None:
        self._icon.setPixmap(self.style().standardIcon(kind).pixmap(16, 16))
        self._text.setText(text)
        self.setAccessibleDescription(text)

    def text(self) -> str:
        return self._text.text()
