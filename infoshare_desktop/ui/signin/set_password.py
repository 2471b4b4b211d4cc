"""First sign-in with a one-time code: the user chooses their own password."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from infoshare_desktop.ui.common.labels import (
    HintLabel,
    block_until_ready,
    heading_label,
    text_label,
)
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.password_fields import NewPasswordFields


class SetPasswordDialog(QDialog):
    def __init__(self, username: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose your password")
        self.setMinimumWidth(480)
        self.fields = NewPasswordFields(self, username=lambda: username)
        layout = page_layout(self)
        layout.addWidget(heading_label("Choose your password", self))
        layout.addWidget(text_label(message, self))
        layout.addWidget(
            text_label(
                "Only you will know it; nobody, not even an administrator, can look it up.",
                self,
                role="muted",
            )
        )
        form = form_layout()
        self.fields.add_rows(form, "New password", "Confirm password")
        layout.addLayout(form)
        self.problem_hint = HintLabel(self)
        layout.addWidget(self.problem_hint)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton("Set password", self)
        self.ok_button.setDefault(True)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fields.changed.connect(self._on_fields_changed)
        self._on_fields_changed()

    def new_password(self) -> str:
        return self.fields.value()

    def accept(self) -> None:
        if self.fields.problem() is None:
            super().accept()

    def _on_fields_changed(self) -> None:
        problem = self.fields.problem()
        block_until_ready(self.ok_button, self.problem_hint, problem)

    @classmethod
    def ask(cls, parent: QWidget | None, username: str, message: str) -> str | None:
        """The chosen password, or None if the user cancelled."""
        dialog = cls(username, message, parent)
        return dialog.new_password() if dialog.exec() == QDialog.DialogCode.Accepted else None
