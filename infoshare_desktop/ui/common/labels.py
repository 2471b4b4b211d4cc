"""Labels with a meaning: headings, paragraphs, inline alerts and hints.

Alerts and hints always pair an icon with words, so no meaning rests on colour alone.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.theme import set_role

ICON_SIZE = 20
MIN_TEXT_WIDTH = 300


class WordWrapLabel(QLabel):
    """A label that wraps between words and never inside one: it is never narrower
    than its longest word at the current text size ("Competence", not "Competen ce")."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self.wordWrap():
            return hint
        text = self.text()
        if self.textFormat() != Qt.TextFormat.PlainText:
            text = re.sub(r"<[^>]*>", " ", text)
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(word) for word in text.split()), default=0)
        margins = self.contentsMargins()
        frame = margins.left() + margins.right() + 2 * self.margin() + 2 * self.indent()
        return QSize(max(hint.width(), widest + frame + 2), hint.height())


class SectionBox(QGroupBox):
    """A framed group of fields under a title that wraps: a group box's own title does
    not, so "7. Grounds for sharing (lawful basis)" would set the form's width at 200%
    text. The title is a bold word-wrapped label inside the frame and the box's
    accessible name; add the fields to ``body``."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = WordWrapLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        bold = QFont(self.heading.font())
        bold.setBold(True)
        self.heading.setFont(bold)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.heading)
        self.setTitle(title)

    def title(self) -> str:
        return self.heading.text()

    def setTitle(self, title: str) -> None:
        self.heading.setText(title)
        self.setAccessibleName(title)


def heading_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    set_role(label, "heading")
    return label


def text_label(text: str, parent: QWidget | None = None, *, role: str = "") -> QLabel:
    """A wrapped paragraph of plain text (user-supplied names are never read as HTML)."""
    label = WordWrapLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        set_role(label, role)
    return label


class AlertLabel(QFrame):
    """An error shown inline, next to what it is about: a warning icon and the words.

    Its `role` property is "alert", and showing it announces the words to a screen
    reader (see `ui.announce`); the words are the label's own text, so they are also
    found again when reading the window.
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
        announce(self, text, assertive=True)

    def clear(self) -> None:
        self._text.clear()
        self.setAccessibleDescription("")
        self.hide()

    def text(self) -> str:
        return self._text.text()


class HintLabel(QWidget):
    """Live guidance under a field: an icon for the state (information, problem, good)
    and a sentence.

    Given the `field` it is about, the sentence is also that field's accessible
    description, so a screen reader says it on reaching the field.
    """

    INFO = QStyle.StandardPixmap.SP_MessageBoxInformation
    PROBLEM = QStyle.StandardPixmap.SP_MessageBoxWarning
    GOOD = QStyle.StandardPixmap.SP_DialogApplyButton

    def __init__(self, parent: QWidget | None = None, *, field: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
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
        if self.field is not None:
            self.field.setAccessibleDescription(text)

    def show_problem(self, problem: str | None) -> None:
        """Show a problem, or hide the hint when there is none."""
        if problem:
            self.set_hint(self.PROBLEM, problem)
        else:
            self._text.clear()
            if self.field is not None:
                self.field.setAccessibleDescription("")
        self.setVisible(bool(problem))

    def text(self) -> str:
        return self._text.text()


def block_until_ready(button: QPushButton, hint: HintLabel, problem: str | None) -> None:
    """Enable `button` only when there is no `problem`; otherwise say why in words
    beside it (not only in a tooltip, which a disabled button never shows to the
    keyboard), and make the words the button's description."""
    button.setEnabled(problem is None)
    button.setToolTip(problem or "")
    button.setAccessibleDescription(problem or "")
    hint.show_problem(problem)
