"""An administrator's account dialogs: add a user, change roles, hand over a code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from infoshare_desktop.domain.accounts import MAX_USERNAME, Role, username_problem
from infoshare_desktop.services import accounts
from infoshare_desktop.services.accounts import AccountSummary
from infoshare_desktop.ui.admin.role_checks import RoleCheckGroup
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.labels import (
    AlertLabel,
    HintLabel,
    block_until_ready,
    heading_label,
    text_label,
)
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.common.theme import set_role


def _button_box(dialog: QDialog, action: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(dialog)
    button = QPushButton(action, dialog)
    button.setDefault(True)
    box.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(QDialogButtonBox.StandardButton.Cancel)
    box.rejected.connect(dialog.reject)
    return box, button


class AddUserDialog(QDialog):
    """Creates the account when Add is pressed; then `username` and `code` are set."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.username = ""
        self.code = ""
        self.setWindowTitle("Add user")
        self.setMinimumWidth(480)
        self.username_edit = QLineEdit(self)
        self.username_edit.setAccessibleName("User name")
        self.username_edit.setMaxLength(MAX_USERNAME)
        self.username_edit.setPlaceholderText("for example j.smith")
        self.full_name_edit = QLineEdit(self)
        self.full_name_edit.setAccessibleName("Full name")
        self.full_name_edit.setMaxLength(200)
        self.roles = RoleCheckGroup([Role.PRACTITIONER], self)
        self.alert = AlertLabel(self)
        self.username_hint = HintLabel(self, field=self.username_edit)
        self.problem_hint = HintLabel(self)

        layout = page_layout(self)
        layout.addWidget(heading_label("Add a user", self))
        layout.addWidget(
            text_label(
                "The new user signs in once with a one-time code, which you will see "
                "next, and then chooses their own password.",
                self,
                role="muted",
            )
        )
        form = form_layout()
        form.addRow("&User name", self.username_edit)
        form.addRow("", self.username_hint)
        form.addRow("&Full name", self.full_name_edit)
        layout.addLayout(form)
        layout.addWidget(self.roles)
        layout.addWidget(self.alert)
        layout.addWidget(self.problem_hint)
        buttons, self.add_button = _button_box(self, "Add user")
        buttons.accepted.connect(self._on_buttons_accepted)
        layout.addWidget(buttons)

        self.username_edit.textChanged.connect(self._on_fields_changed)
        self.roles.changed.connect(self._on_fields_changed)
        self._on_fields_changed()

    def problem(self) -> str | None:
        if not self.username_edit.text().strip():
            return "Enter a user name."
        if not self.roles.roles():
            return "Choose at least one role."
        return username_problem(self.username_edit.text())

    def _on_fields_changed(self, _value: object = None) -> None:
        text = self.username_edit.text()
        self.username_hint.show_problem(username_problem(text) if text.strip() else None)
        block_until_ready(self.add_button, self.problem_hint, self.problem())

    def _on_buttons_accepted(self) -> None:
        if self.problem() is not None:
            return
        username = self.username_edit.text().strip()
        with feedback.user_errors(self.alert) as outcome:
            self.code = accounts.add_user(
                self.session.store,
                username=username,
                display_name=self.full_name_edit.text(),
                roles=self.roles.roles(),
            )
        if outcome.failed:
            return
        self.username = username
        self.accept()

    @classmethod
    def ask(cls, session: Session, parent: QWidget | None) -> tuple[str, str] | None:
        """(user name, one-time code) of the account created, or None if cancelled."""
        dialog = cls(session, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.username, dialog.code


class ChangeRolesDialog(QDialog):
    def __init__(
        self, session: Session, account: AccountSummary, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.account = account
        self.setWindowTitle("Change roles")
        self.setMinimumWidth(420)
        self.roles = RoleCheckGroup(account.roles, self)
        self.alert = AlertLabel(self)
        self.problem_hint = HintLabel(self)
        layout = page_layout(self)
        layout.addWidget(heading_label(f"Roles of {account.username}", self))
        layout.addWidget(
            text_label(f"{account.display_name}. Changes apply from their next sign-in.", self)
        )
        layout.addWidget(self.roles)
        layout.addWidget(self.alert)
        layout.addWidget(self.problem_hint)
        buttons, self.save_button = _button_box(self, "Save roles")
        buttons.accepted.connect(self._on_buttons_accepted)
        layout.addWidget(buttons)
        self.roles.changed.connect(self._on_roles_changed)
        self._on_roles_changed()

    def _on_roles_changed(self) -> None:
        problem = None if self.roles.roles() else "Choose at least one role."
        block_until_ready(self.save_button, self.problem_hint, problem)

    def _on_buttons_accepted(self) -> None:
        with feedback.user_errors(self.alert) as outcome:
            accounts.set_roles(
                self.session.store, user_id=self.account.user_id, roles=self.roles.roles()
            )
        if outcome.failed:
            return
        self.accept()

    @classmethod
    def ask(cls, session: Session, account: AccountSummary, parent: QWidget | None) -> bool:
        return cls(session, account, parent).exec() == QDialog.DialogCode.Accepted


class OneTimeCodeDialog(QDialog):
    """Shows a one-time code once, large and selectable, with how to hand it over."""

    def __init__(self, username: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("One-time code")
        self.setMinimumWidth(500)
        layout = page_layout(self, margin=16)
        layout.addWidget(heading_label(f"One-time code for {username}", self))
        self.code_label = QLabel(code, self)
        self.code_label.setTextFormat(Qt.TextFormat.PlainText)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.code_label.setAccessibleName("One-time code")
        self.code_label.setAccessibleDescription(" ".join(code))
        set_role(self.code_label, "code")
        layout.addWidget(self.code_label)
        layout.addWidget(
            text_label(
                f"Give this code to {username} in person: not by email, chat or phone "
                "message. They sign in with it once and then choose their own password. "
                "It will not be shown again; if it is lost, use Reset password.",
                self,
            )
        )
        buttons = QDialogButtonBox(self)
        done = QPushButton("I have noted the code", self)
        done.setDefault(True)
        buttons.addButton(done, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    @classmethod
    def present(cls, username: str, code: str, parent: QWidget | None) -> None:
        cls(username, code, parent).exec()
