"""Setting up an empty data folder: the encrypted store and its first administrator.

After `accepted`, `store` holds the new store, signed in as that administrator. The
storage stack is imported when Create is pressed, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from infoshare_desktop import APP_NAME
from infoshare_desktop.domain.accounts import MAX_USERNAME, username_problem
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.ui.common.feedback import busy_cursor, user_errors
from infoshare_desktop.ui.common.labels import (
    AlertLabel,
    HintLabel,
    block_until_ready,
    heading_label,
    text_label,
)
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.password_fields import NewPasswordFields

if TYPE_CHECKING:
    from infoshare_desktop.services.accounts import Store


class FirstRunDialog(QDialog):
    def __init__(self, paths: DataPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.store: Store | None = None
        self.setWindowTitle(f"Set up {APP_NAME}")
        self.setMinimumWidth(560)

        self.username_edit = QLineEdit(self)
        self.username_edit.setAccessibleName("User name")
        self.username_edit.setMaxLength(MAX_USERNAME)
        self.username_edit.setPlaceholderText("for example j.smith")
        self.full_name_edit = QLineEdit(self)
        self.full_name_edit.setAccessibleName("Full name")
        self.full_name_edit.setMaxLength(200)
        self.password_fields = NewPasswordFields(
            self, username=self.username_edit.text, name="Password"
        )
        self.alert = AlertLabel(self)
        self.username_hint = HintLabel(self, field=self.username_edit)
        self.problem_hint = HintLabel(self)
        self.create_button = QPushButton("Create", self)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._on_create_clicked)
        quit_button = QPushButton("Quit", self)
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)

        self.pages = QStackedWidget(self)
        page_layout(self, margin=0).addWidget(self.pages)
        setup = QWidget(self.pages)
        self.pages.addWidget(setup)
        self._build_ready_page()
        layout = page_layout(setup, margin=16)
        layout.addWidget(heading_label(f"Set up {APP_NAME}", self))
        layout.addWidget(
            text_label(
                "This creates the encrypted store on this computer and its first "
                "administrator, who then adds the accounts of everyone else who uses it.",
                self,
            )
        )
        layout.addWidget(text_label(f"Data folder: {paths.root}", self, role="muted"))
        form = form_layout()
        form.addRow("&User name", self.username_edit)
        form.addRow("", self.username_hint)
        form.addRow("&Full name", self.full_name_edit)
        self.password_fields.add_rows(form, "&Password", "&Confirm password")
        layout.addLayout(form)
        layout.addWidget(self.alert)
        layout.addWidget(self.problem_hint)
        buttons = QHBoxLayout()
        buttons.addWidget(quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)

        self.username_edit.textChanged.connect(self._on_username_text_changed)
        self.password_fields.changed.connect(self._on_password_fields_changed)
        self._on_username_text_changed("")
        self.username_edit.setFocus()

    def _build_ready_page(self) -> None:
        """Shown once the store exists: its root of trust, to note and compare."""
        page = QWidget(self.pages)
        self.pages.addWidget(page)
        self.fingerprint_label = text_label("", page, role="heading")
        self.fingerprint_label.setAccessibleName("Root of trust fingerprint")
        self.continue_button = QPushButton("&Continue", page)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        layout = page_layout(page, margin=16)
        layout.addWidget(heading_label("The store is ready", page))
        layout.addWidget(
            text_label(
                "Your account is this store's root of trust: every account, role and audit "
                "entry is signed by a key that chains to yours. Its fingerprint is:",
                page,
            )
        )
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(
            text_label(
                "Write these eight words down and keep them. The same words are shown in "
                "Administration > Users and on every printed summary; anyone can read them "
                "to you over the phone to check they are working with this store.",
                page,
                role="muted",
            )
        )
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)

    def problem(self) -> str | None:
        """What still stops the store being created, or None."""
        if not self.username_edit.text().strip():
            return "Enter a user name."
        return username_problem(self.username_edit.text()) or self.password_fields.problem()

    def _on_username_text_changed(self, text: str) -> None:
        self.username_hint.show_problem(username_problem(text) if text.strip() else None)
        self.password_fields.refresh()

    def _on_password_fields_changed(self) -> None:
        problem = self.problem()
        block_until_ready(self.create_button, self.problem_hint, problem)

    def _on_create_clicked(self) -> None:
        problem = self.problem()
        if problem:
            self.alert.show_message(problem)
            return
        from infoshare_desktop.services import accounts

        with user_errors(self.alert) as outcome, busy_cursor():
            self.store = accounts.first_run(
                self.paths,
                username=self.username_edit.text(),
                display_name=self.full_name_edit.text(),
                password=self.password_fields.value(),
            )
        if outcome.failed:
            return
        self.alert.clear()
        words = accounts.root_fingerprint(self.store)
        if words is None:
            self.accept()
            return
        self.fingerprint_label.setText(words)
        self.pages.setCurrentIndex(1)
        self.continue_button.setFocus()
