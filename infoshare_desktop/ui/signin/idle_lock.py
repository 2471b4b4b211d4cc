"""How long the workstation may sit unused before it locks itself, and the warning
shown before it does."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QSpinBox, QWidget

from infoshare_desktop.services import accounts
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.session import Session

MIN_MINUTES = 1
MAX_MINUTES = 240


class IdleLockDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Idle lock")
        self.setMinimumWidth(440)
        self.minutes_spin = QSpinBox(self)
        self.minutes_spin.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes_spin.setSuffix(" minutes")
        self.minutes_spin.setAccessibleName("Minutes without use before locking")
        self.minutes_spin.setValue(accounts.idle_lock_minutes(session.store))
        self.alert = AlertLabel(self)
        layout = page_layout(self)
        layout.addWidget(heading_label("Idle lock", self))
        layout.addWidget(
            text_label(
                "When nobody has used the keyboard or mouse for this long, the screen "
                "locks and the store is closed. It applies to every account on this "
                "computer.",
                self,
            )
        )
        form = form_layout()
        form.addRow("&Lock after", self.minutes_spin)
        layout.addLayout(form)
        layout.addWidget(self.alert)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_buttons_accepted(self) -> None:
        with feedback.user_errors(self.alert) as outcome:
            accounts.set_idle_lock_minutes(self.session.store, minutes=self.minutes_spin.value())
        if outcome.failed:
            return
        self.accept()

    @classmethod
    def ask(cls, session: Session, parent: QWidget | None) -> bool:
        return cls(session, parent).exec() == QDialog.DialogCode.Accepted


WARNING_SECONDS = 30
"""How long before the idle lock its warning appears (WCAG 2.2.1: time to say so)."""


class IdleWarningDialog(QDialog):
    """'Locking in 30 seconds': shown, and announced, before the idle lock. Any use of
    the keyboard or mouse (pressing Stay signed in included) keeps the session; the
    window then hides this warning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About to lock")
        self.setModal(False)
        self.message = text_label(
            f"InfoShare Desktop has not been used for a while and will lock in "
            f"{WARNING_SECONDS} seconds. Anything you are typing is kept as a draft.",
            self,
        )
        self.stay_button = QPushButton("Stay signed in", self)
        self.stay_button.setDefault(True)
        self.stay_button.clicked.connect(self.accept)
        layout = page_layout(self)
        layout.addWidget(heading_label("About to lock", self))
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.stay_button, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)

    def warn(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.stay_button.setFocus()
        announce(self, self.message.text(), assertive=True)
