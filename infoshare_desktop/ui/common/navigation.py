"""The list of pages down the side of the main window: as wide as its longest entry at
the current text size, so "Returned to me (3)" is never cut off, even at 200%.

`PageHost` is what a screen family needs of the main window to add its pages (the review
pages use it), so that no package imports the main window itself."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QListWidget, QMainWindow, QMenu, QSizePolicy, QWidget

ITEM_PADDING = 12  # each side, as in the theme's QListWidget#navigation::item
MIN_WIDTH = 150


class NavigationList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigation")
        self.setAccessibleName("Pages")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.model().dataChanged.connect(self._on_model_changed)
        self.model().rowsInserted.connect(self._on_model_changed)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(self.item(row).text()) for row in range(self.count())),
            default=0,
        )
        frame = 2 * self.frameWidth() + 8  # the focus border and a little air
        return QSize(max(MIN_WIDTH, widest + 2 * ITEM_PADDING + frame), super().sizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()

    def _on_model_changed(self, *_args: object) -> None:
        self.updateGeometry()


class PageHost(QMainWindow):
    """A window of pages: a navigation entry and a Go menu item for each."""

    navigation: NavigationList
    #: The Administration menu, for administrators only.
    admin_menu: QMenu | None

    def add_page(
        self, name: str, widget: QWidget, shortcut: str | None = None, *, description: str = ""
    ) -> QAction:
        raise NotImplementedError

    def page_names(self) -> list[str]:
        raise NotImplementedError
