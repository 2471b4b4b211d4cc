"""A new password and its confirmation, with live guidance from the domain's policy."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from infoshare_desktop.domain.accounts import MIN_PASSWORD, RECOMMENDED_PASSWORD, password_problem
from infoshare_desktop.ui.common.labels import HintLabel

GUIDANCE = (
    f"At least {MIN_PASSWORD} characters; {RECOMMENDED_PASSWORD} or more is better. "
    "A short phrase of ordinary words is fine."
)


def password_edit(accessible_name: str, parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(accessible_name)
    edit.setMaxLength(512)
    return edit


class NewPasswordFields(QObject):
    """Two password fields and their hints, added as rows to a caller's QFormLayout.

    `changed` fires on every edit; `problem()` says what still stops the password being
    accepted (None when it is fine).
    """

    changed = Signal()

    def __init__(
        self,
        parent: QWidget,
        *,
        username: Callable[[], str],
        name: str = "New password",
    ) -> None:
        super().__init__(parent)
        self._username = username
        self.password = password_edit(name, parent)
        self.confirm = password_edit(f"Confirm {name.lower()}", parent)
        self.hint = HintLabel(parent, field=self.password)
        self.match_hint = HintLabel(parent, field=self.confirm)
        self.password.textChanged.connect(self._on_password_text_changed)
        self.confirm.textChanged.connect(self._on_password_text_changed)
        self.refresh()

    def add_rows(self, form: QFormLayout, label: str, confirm_label: str) -> None:
        form.addRow(label, self.password)
        form.addRow("", self.hint)
        form.addRow(confirm_label, self.confirm)
        form.addRow("", self.match_hint)

    def value(self) -> str:
        return self.password.text()

    def problem(self) -> str | None:
        problem = password_problem(self.password.text(), username=self._username())
        if problem:
            return problem
        if self.confirm.text() != self.password.text():
            if not self.confirm.text():
                return "Type the password again to confirm it."
            return "The two passwords are not the same."
        return None

    def refresh(self) -> None:
        """Update the hints (also when the user name they are checked against changes)."""
        text = self.password.text()
        problem = password_problem(text, username=self._username()) if text else None
        if not text:
            self.hint.set_hint(HintLabel.INFO, GUIDANCE)
        elif problem:
            self.hint.set_hint(HintLabel.PROBLEM, problem)
        elif len(text) < RECOMMENDED_PASSWORD:
            self.hint.set_hint(
                HintLabel.INFO,
                f"Acceptable. {RECOMMENDED_PASSWORD} or more characters would be stronger: "
                "try adding a word.",
            )
        else:
            self.hint.set_hint(HintLabel.GOOD, "Good: a long password.")
        confirm = self.confirm.text()
        self.match_hint.setVisible(bool(confirm))
        if not confirm:
            self.confirm.setAccessibleDescription("")
        elif confirm != text:
            self.match_hint.set_hint(HintLabel.PROBLEM, "The two passwords are not the same.")
        else:
            self.match_hint.set_hint(HintLabel.GOOD, "The two passwords match.")
        self.changed.emit()

    def _on_password_text_changed(self, _text: str) -> None:
        self.refresh()
