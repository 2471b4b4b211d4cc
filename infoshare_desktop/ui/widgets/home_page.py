"""The first page after signing in: who is signed in, and what they can do here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.ui.models.account_table import roles_text
from infoshare_desktop.ui.session import Session
from infoshare_desktop.ui.widgets.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.widgets.layout import MARGIN, SPACING, form_layout, page_layout


def _value_label(text: str, parent: QWidget, accessible_name: str) -> QLabel:
    label = text_label(text, parent)
    label.setAccessibleDescription(accessible_name)
    return label


class HomePage(QScrollArea):
    """An overview that scrolls rather than clips when the text is large."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Nothing on it takes focus, so the page itself does (to scroll it by keyboard)
        # and says what it is.
        self.setAccessibleName("Home")
        body = QWidget(self)
        self.setWidget(body)
        user = session.user
        layout = page_layout(body, margin=MARGIN + 4)
        layout.addWidget(heading_label(f"Welcome, {user.display_name}", body))
        self.rotation_alert = AlertLabel(body)  # administrators only
        layout.addWidget(self.rotation_alert)

        form = form_layout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.signed_in_label = _value_label(
            f"{user.display_name} (user name {user.username})", body, "Signed in as"
        )
        self.roles_label = _value_label(roles_text(user.roles), body, "Your roles")
        self.folder_label = _value_label(
            str(accounts.data_folder(session.store)), body, "Data folder"
        )
        self.lock_label = _value_label("", body, "Screen lock")
        form.addRow("Signed in as:", self.signed_in_label)
        form.addRow("Your roles:", self.roles_label)
        form.addRow("Data folder:", self.folder_label)
        form.addRow("Screen lock:", self.lock_label)
        layout.addLayout(form)

        layout.addSpacing(SPACING)
        subheading = text_label("What you can do here", body, role="subheading")
        layout.addWidget(subheading)
        self.tasks_layout = QVBoxLayout()
        self.tasks_layout.setSpacing(6)
        layout.addLayout(self.tasks_layout)
        layout.addSpacing(SPACING)
        layout.addWidget(
            text_label(
                "Everything you record is kept encrypted in the data folder on this "
                "computer. Other people who use this computer sign in with their own "
                "accounts and cannot unlock your session.",
                body,
                role="muted",
            )
        )
        layout.addStretch(1)
        session.store_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        try:
            minutes = accounts.idle_lock_minutes(self.session.store)
        except UserFacingError:  # a locked or busy store: the page fills in next time
            return
        if self.session.is_administrator and accounts.key_rotation_pending(self.session.store):
            self.rotation_alert.show_message(
                "Key rotation pending: a revoked account's old key could still open this "
                "store. Use Administration > Rotate the data key now."
            )
        else:
            self.rotation_alert.clear()
        unit = "minute" if minutes == 1 else "minutes"
        self.lock_label.setText(
            f"Locks itself after {minutes} {unit} without use; lock it yourself with "
            "Ctrl+L whenever you step away."
        )

    def set_tasks(self, tasks: list[tuple[str, str]]) -> None:
        """(title, what it does) for each thing the user can do, shown as a list."""
        while self.tasks_layout.count():
            item = self.tasks_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for title, text in tasks:
            label = text_label(f"•  {title}: {text}", self.widget())
            self.tasks_layout.addWidget(label)
