"""Spacing shared by every dialog and page, so screens line up with each other."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

MARGIN = 12
SPACING = 10


class _DialogFitter(QObject):
    """Keeps a dialog big enough for its whole message: as wide as its widest line that
    cannot wrap, and as tall as its wrapped text needs at that width (a new error, a
    larger text size), within the screen."""

    EVENTS = (QEvent.Type.LayoutRequest, QEvent.Type.Show, QEvent.Type.FontChange)

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self._pending = False
        dialog.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.EVENTS and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._fit)  # dropped if the dialog is gone
        return False

    def _fit(self) -> None:
        self._pending = False
        dialog = self.dialog
        layout = dialog.layout()
        if layout is None or not dialog.isVisible():
            return
        needed = layout.totalHeightForWidth(dialog.width())
        screen = dialog.screen().availableGeometry() if dialog.screen() else None
        if screen is not None:
            needed = min(needed, screen.height())
        if needed > dialog.height():
            dialog.resize(dialog.width(), needed)


def page_layout(widget: QWidget, *, margin: int = MARGIN) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(SPACING)
    if isinstance(widget, QDialog):
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        _DialogFitter(widget)
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


class FlowLayout(QLayout):
    """Widgets side by side, wrapping onto the next line when they do not fit (a row
    of buttons at 200% text), never squeezed below their own size."""

    def __init__(self, parent: QWidget | None = None, spacing: int = SPACING) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            line = max(line, hint.height())
        return y + line - rect.y()


REFLOW_CHARACTERS = 90
"""Below this many average characters of width, side-by-side panes stack instead."""
CHECKLIST_COLUMN_CHARACTERS = 30
"""In a narrow, short window (200% text on 1366x768) the checklist's column; the form
keeps the rest (its titles and check boxes wrap, so it needs no sideways scroll bar)."""


class ReflowSplitter(QSplitter):
    """Two panes side by side, or one above the other when the text is large for the
    width (200% on a 1366-pixel screen), so neither is cut to a sliver."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        stacked_lines: int = 0,
        reflow_characters: int = REFLOW_CHARACTERS,
        stack_from_lines: int = 0,
    ) -> None:
        """`stacked_lines`: when stacked, at least this many lines of text tall (for a
        splitter inside a scroll area, so each pane keeps useful room);
        `reflow_characters`: narrower than this many average characters, stack;
        `stack_from_lines`: but only if at least this many lines tall (a short window,
        at 150% scaling or 200% text on 768 pixels, keeps both panes their full height
        side by side rather than give each a sliver)."""
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.stacked_lines = stacked_lines
        self.reflow_characters = reflow_characters
        self.stack_from_lines = stack_from_lines
        self._narrow_width = -1

    def resizeEvent(self, event: QResizeEvent) -> None:
        metrics = self.fontMetrics()
        narrow = self.width() < self.reflow_characters * metrics.averageCharWidth()
        if self.stack_from_lines:
            narrow = narrow and self.height() >= self.stack_from_lines * metrics.lineSpacing()
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if wanted != self.orientation():
            self.setOrientation(wanted)
            lines = self.stacked_lines if narrow else 0
            self.setMinimumHeight(lines * self.fontMetrics().lineSpacing())
            if self.count() == 2:  # the first pane (the main one) keeps most of the room
                total = max(self.height() if narrow else self.width(), 2)
                self.setSizes([total * 3 // 5, total - total * 3 // 5])
        elif self._narrow_width != self.width() and self.narrow_and_short():
            self._narrow_width = self.width()
            super().resizeEvent(event)
            self.share_side_by_side()
            return
        super().resizeEvent(event)

    def narrow_and_short(self) -> bool:
        """Side by side only because the window is too short to stack."""
        metrics = self.fontMetrics()
        return (
            bool(self.stack_from_lines)
            and self.orientation() == Qt.Orientation.Horizontal
            and self.width() < self.reflow_characters * metrics.averageCharWidth()
        )

    def share_side_by_side(self) -> None:
        """The first pane three fifths of the width; in a narrow, short window the
        second (the checklist) a readable column of 30 characters and the first (the
        form) all the rest."""
        if self.count() != 2:
            return
        width = max(self.width(), 2)
        second = width - width * 3 // 5
        if self.narrow_and_short():
            column = CHECKLIST_COLUMN_CHARACTERS * self.fontMetrics().averageCharWidth()
            checklist = self.widget(1)
            least = checklist.minimumSizeHint().width() if checklist is not None else 0
            second = min(width - 1, max(least, column))
        self.setSizes([width - second, second])
