"""Noticing that someone is using the application (for the idle lock)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class UserActivityFilter(QObject):
    """Installed on the QApplication: `activity` fires on any keyboard, mouse or touch
    input in any of the application's windows. Events are never consumed."""

    activity = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self.activity.emit()
        return False
