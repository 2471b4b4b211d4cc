"""Keep the mouse wheel and the Enter key from doing what a user did not mean.

One event filter on the application, so it applies to every form and dialog:

- The wheel over a combo box, spin box or slider that does not have the keyboard focus
  never changes its value (it changed "Fact or opinion" while the form scrolled by);
  the wheel scrolls the form around it instead. Once the control has the focus (a
  click or Tab), the wheel changes it as usual. Such controls are also given
  ``Qt.StrongFocus`` when they are polished: with Qt's default (``WheelFocus``) a real
  wheel turn would first give the control the focus and then change its value.
- Enter or Return on a focused push button presses that button, as Space does, instead
  of a dialog's default button or nothing at all.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QPushButton,
    QScrollBar,
    QWidget,
)

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
WHEEL_FOCUS = Qt.FocusPolicy.WheelFocus
_GUARD = "_infoshare_input_guard"


def value_control(widget: QWidget) -> QWidget | None:
    """The combo, spin box or slider ``widget`` belongs to (it may be its line edit)."""
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, QComboBox | QAbstractSpinBox) or (
            isinstance(current, QAbstractSlider) and not isinstance(current, QScrollBar)
        ):
            return current
        if current.isWindow():
            return None
        current = current.parentWidget()
    return None


def _has_focus(control: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is control or control.isAncestorOf(focused))


def _scroll_bar_for(control: QWidget, vertical: bool) -> QScrollBar | None:
    """The scroll bar of the nearest scroll area around ``control`` that can move."""
    current = control.parentWidget()
    while current is not None and not current.isWindow():
        if isinstance(current, QAbstractScrollArea):
            bar = current.verticalScrollBar() if vertical else current.horizontalScrollBar()
            if bar.maximum() > bar.minimum():
                return bar
        current = current.parentWidget()
    return None


class InputGuard(QObject):
    """The application-wide filter described in the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, QWidget):
            if value_control(watched) is watched and watched.focusPolicy() == WHEEL_FOCUS:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if isinstance(event, QWheelEvent) and isinstance(watched, QWidget):
            return self._wheel(watched, event)
        if (
            kind == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QPushButton)
        ):
            return self._enter(watched, event)
        return False

    def _wheel(self, widget: QWidget, event: QWheelEvent) -> bool:
        control = value_control(widget)
        if control is None or _has_focus(control):
            return False
        delta = event.angleDelta()
        vertical = abs(delta.y()) >= abs(delta.x())
        bar = _scroll_bar_for(control, vertical)
        if bar is not None:
            QApplication.sendEvent(bar, event)
        return True  # the control never sees it: its value stays as the user left it

    def _enter(self, button: QPushButton, event: QKeyEvent) -> bool:
        if event.key() not in _ENTER_KEYS or event.isAutoRepeat():
            return False
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers != Qt.KeyboardModifier.NoModifier or not button.isEnabled():
            return False
        if not button.hasFocus():
            return False
        button.click()
        return True


def install_input_guard(app: QApplication) -> InputGuard:
    """Install the guard on ``app`` once (later calls return the same guard)."""
    guard = app.findChild(InputGuard, _GUARD)
    if guard is None:
        guard = InputGuard(app)
        guard.setObjectName(_GUARD)
        app.installEventFilter(guard)
    return guard
