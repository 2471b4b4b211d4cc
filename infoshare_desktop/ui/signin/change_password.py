"""The signed-in user changes their own password."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import UserFacingError, WrongPasswordError
from infoshare_desktop.ui.common.feedback import busy_cursor, show_user_error
from infoshare_desktop.ui.common.labels import (
    AlertLabel,
    HintLabel,
    block_until_ready,
    heading_label,
    text_label,
)
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.password_fields import NewPasswordFields, password_edit
from infoshare_desktop.ui.common.session import Session


class ChangePasswordDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Change password")
        self.setMinimumWidth(520)
        self.current_edit = password_edit("Current password", self)
        self.new_fields = NewPasswordFields(self, username=lambda: session.user.username)
        self.alert = AlertLabel(self)

        layout = page_layout(self)
        layout.addWidget(heading_label("Change your password", self))
        layout.addWidget(
            text_label(
                "Your records stay as they are; only the key that opens them for you "
                "changes. Other people's passwords are not affected.",
                self,
                role="muted",
            )
        )
        form = form_layout()
        form.addRow("C&urrent password", self.current_edit)
        self.new_fields.add_rows(form, "&New password", "&Confirm new password")
        layout.addLayout(form)
        layout.addWidget(self.alert)
        self.problem_hint = HintLabel(self)
        layout.addWidget(self.problem_hint)
        buttons = QDialogButtonBox(self)
        self.change_button = QPushButton("Change password", self)
        self.change_button.setDefault(True)
        buttons.addButton(self.change_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.current_edit.textChanged.connect(self._on_fields_changed)
        self.new_fields.changed.connect(self._on_fields_changed)
        self._on_fields_changed()

    def problem(self) -> str | None:
        if not self.current_edit.text():
            return "Enter your current password."
        return self.new_fields.problem()

    def _on_fields_changed(self, _text: str = "") -> None:
        problem = self.problem()
        block_until_ready(self.change_button, self.problem_hint, problem)

    def _on_buttons_accepted(self) -> None:
        if self.problem() is not None:
            return
        try:
            with busy_cursor():
                accounts.change_password(
                    self.session.store,
                    old_password=self.current_edit.text(),
                    new_password=self.new_fields.value(),
                )
        except WrongPasswordError:
            self.alert.show_message(
                "Your current password is not right, so nothing was changed. Try again."
            )
            self.current_edit.clear()
            self.current_edit.setFocus()
            return
        except UserFacingError as error:
            show_user_error(self.alert, error)
            return
        self.accept()

    @classmethod
    def ask(cls, session: Session, parent: QWidget | None) -> bool:
        """True if the password was changed."""
        return cls(session, parent).exec() == QDialog.DialogCode.Accepted
