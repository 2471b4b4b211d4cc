"""Tell a screen reader about an error or a change of status, in words.

`QAccessibleAnnouncementEvent` is what reaches AT-SPI (and so Orca): the older Alert
event produces nothing there. Every error shown inline and every status line that
changes on its own goes through `announce`, so what a sighted user sees appear is also
heard. `announcer.announced` lets the application's own tests see the same words.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent


class Announcer(QObject):
    """Emits each announcement's text and whether it interrupts (errors do)."""

    announced = Signal(str, bool)


announcer = Announcer()


def announce(source: QObject, text: str, *, assertive: bool = False) -> None:
    """Have assistive technology speak `text`; `source` is the widget showing it.

    Errors are assertive (spoken at once); status changes are polite (after what is
    being read).
    """
    text = " ".join(text.split())
    if not text:
        return
    event = QAccessibleAnnouncementEvent(source, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
    announcer.announced.emit(text, assertive)
