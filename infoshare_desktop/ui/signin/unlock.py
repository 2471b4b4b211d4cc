"""Signing in, and the lock screen.

`UnlockDialog(paths)` lets anyone with an account sign in. `UnlockDialog(paths,
locked_user=...)` is the lock screen: only that user can unlock it; anyone else chooses
Sign out (closing the lock screen does the same). After `accepted`, `store` holds the
open store; after `rejected`, `sign_out_chosen` tells a lock screen's sign-out from a
plain cancel.

The storage stack is imported when Unlock is first pressed, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from infoshare_desktop import APP_NAME
from infoshare_desktop.domain.errors import UserFacingError
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.ui.common.feedback import busy_cursor, show_user_error
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.password_fields import password_edit
from infoshare_desktop.ui.signin.set_password import SetPasswordDialog

if TYPE_CHECKING:
    from infoshare_desktop.services.accounts import Store
    from infoshare_desktop.ui.common.progress import StoreOperation

UPDATE_LABEL = (
    "Updating this store for the new version of InfoShare Desktop.\n"
    "A backup of it is made first, in the backups folder.\n"
    "On a large store this takes a few minutes."
)
UPDATE_UNSTOPPABLE = (
    "Updating this store for the new version of InfoShare Desktop.\n"
    "The backup is written and kept in the backups folder.\n"
    "The update itself cannot be stopped now: please wait until it finishes."
)
UPDATE_CANCELLED = (
    "The update was cancelled; the store was not updated. Unlock again to update it and sign in."
)


class UnlockDialog(QDialog):
    def __init__(
        self,
        paths: DataPaths,
        locked_user: str | None = None,
        *,
        locked_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.locked_user = locked_user
        self.store: Store | None = None
        self.sign_out_chosen = False
        self.setMinimumWidth(460)

        self.username_edit = QLineEdit(self)
        self.username_edit.setAccessibleName("User name")
        self.username_edit.setMaxLength(64)
        self.password_edit = password_edit("Password", self)
        self.alert = AlertLabel(self)
        self.unlock_button = QPushButton("Unlock", self)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self._hold_off_timer = QTimer(self)
        self._hold_off_timer.setSingleShot(True)
        self._hold_off_timer.timeout.connect(self._on_hold_off_timer_timeout)
        self._update: StoreOperation | None = None

        layout = page_layout(self, margin=16)
        if locked_user is None:
            self.setWindowTitle(f"Sign in to {APP_NAME}")
            layout.addWidget(heading_label(f"Sign in to {APP_NAME}", self))
            layout.addWidget(
                text_label(
                    "The records on this computer are encrypted. "
                    "Sign in with your own account to open them.",
                    self,
                )
            )
            self.other_button = QPushButton("Quit", self)
        else:
            who = f"{locked_name} ({locked_user})" if locked_name else locked_user
            self.setWindowTitle(f"{APP_NAME} is locked")
            layout.addWidget(heading_label(f"{APP_NAME} is locked", self))
            layout.addWidget(
                text_label(
                    f"Locked by {who}. Enter the password to carry on where you left off.",
                    self,
                )
            )
            layout.addWidget(
                text_label(
                    "Someone else needs this computer? Choose Sign out, then sign in "
                    "with your own account.",
                    self,
                    role="muted",
                )
            )
            self.username_edit.setText(locked_user)
            self.username_edit.setReadOnly(True)
            self.other_button = QPushButton("Sign out", self)
        self.other_button.setAutoDefault(False)
        self.other_button.clicked.connect(self._on_other_button_clicked)

        form = form_layout()
        form.addRow("&User name", self.username_edit)
        form.addRow("&Password", self.password_edit)
        layout.addLayout(form)
        layout.addWidget(self.alert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        (self.password_edit if locked_user else self.username_edit).setFocus()

    # -- slots ------------------------------------------------------------------------
    def _on_unlock_clicked(self) -> None:
        if self._update is not None:  # an update is under way behind its progress bar
            return
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            self.alert.show_message("Enter your user name and your password.")
            (self.password_edit if username else self.username_edit).setFocus()
            return
        self._sign_in(username, password)

    def _on_other_button_clicked(self) -> None:
        self.reject()

    def _on_hold_off_timer_timeout(self) -> None:
        self.unlock_button.setEnabled(True)

    # -- helpers ----------------------------------------------------------------------
    def _sign_in(self, username: str, password: str, new_password: str | None = None) -> None:
        """Sign in here, or, for a store an earlier version left, behind a progress bar
        (`_update_then_sign_in`); a one-time code first asks for the new password."""
        from infoshare_desktop.services import accounts
        from infoshare_desktop.services.errors import SetupCodeRequired, UpgradeNeeded

        try:
            with busy_cursor():
                store = accounts.sign_in(
                    self.paths,
                    username=username,
                    password=password,
                    new_password=new_password,
                    upgrade=False,
                )
        except SetupCodeRequired as exc:
            if new_password is None:
                self._finish_setup(username, password, exc.user_message)
            else:
                self._show_failure(exc)
            return
        except UpgradeNeeded:
            self._update_then_sign_in(username, password, new_password)
            return
        except UserFacingError as error:
            self._show_failure(error)
            return
        self._signed_in(store)

    def _finish_setup(self, username: str, code: str, message: str) -> None:
        """A one-time code was right: choose a password, then sign in with both."""
        new_password = SetPasswordDialog.ask(self, username, message)
        if new_password is None:
            self.alert.show_message(
                "Your account is not set up yet. Unlock again with the one-time code "
                "to choose your password."
            )
            return
        self._sign_in(username, code, new_password)

    def _update_then_sign_in(self, username: str, password: str, new_password: str | None) -> None:
        """The same sign-in on a worker thread, which backs the store up and updates its
        schema first (minutes for a large store): the window keeps painting and the bar
        moves. Cancel during the backup leaves the store as it was; once the schema
        update has begun it cannot be stopped, and Cancel is disabled (`_on_update_progressed`)."""
        from infoshare_desktop.services import accounts
        from infoshare_desktop.services.errors import OperationCancelled
        from infoshare_desktop.ui.common.progress import Progress, StopCheck, StoreOperation

        def work(progress: Progress, should_stop: StopCheck) -> object:
            try:
                return accounts.sign_in(
                    self.paths,
                    username=username,
                    password=password,
                    new_password=new_password,
                    progress=progress,
                    should_stop=should_stop,
                )
            except OperationCancelled:
                raise
            except UserFacingError as error:  # shown as the first attempt's would be
                return error

        update = StoreOperation(
            work,
            title="Updating the store",
            label=UPDATE_LABEL,
            accessible_name="Store update progress",
            parent=self,
            cancelling="Cancelling…",
        )
        update.worker.progressed.connect(self._on_update_progressed)
        update.succeeded.connect(self._on_update_succeeded)
        update.failed.connect(lambda message: self._show_failure(UserFacingError(message)))
        update.cancelled.connect(self._on_update_cancelled)
        update.finished.connect(self._on_update_finished)
        self._update = update
        self.unlock_button.setEnabled(False)
        update.start()

    def _on_update_progressed(self, done: int, total: int) -> None:
        """Past the backup (the bar's first half) the schema update runs in one
        transaction, which cannot be stopped: say so, and disable Cancel."""
        if self._update is not None and 2 * done >= total:
            self._update.cannot_stop_now(UPDATE_UNSTOPPABLE)

    def _on_update_succeeded(self, result: object) -> None:
        if isinstance(result, UserFacingError):
            self._show_failure(result)
        else:
            self._signed_in(result)

    def _on_update_cancelled(self) -> None:
        self.alert.show_message(UPDATE_CANCELLED)
        self.password_edit.setFocus()

    def _on_update_finished(self) -> None:
        self._update = None
        if not self._hold_off_timer.isActive():  # a refusal's hold-off (_show_failure)
            self.unlock_button.setEnabled(True)

    def _signed_in(self, store: object) -> None:
        self.store = cast("Store", store)
        self.alert.clear()
        self.accept()

    def _show_failure(self, error: UserFacingError) -> None:
        """Say what went wrong; keep the user name, clear only the password."""
        show_user_error(self.alert, error)
        self.password_edit.clear()
        self.password_edit.setFocus()
        wait = getattr(error, "wait_seconds", 0.0) or getattr(error, "delay_seconds", 0.0)
        if wait > 0:
            self.unlock_button.setEnabled(False)
            self._hold_off_timer.start(round(wait * 1000))

    def reject(self) -> None:
        """On the lock screen, closing it is signing out (the store is already locked).
        While the store is being updated, closing it asks the update to stop instead
        (during the backup; after it, the update goes on to its end)."""
        if self._update is not None:
            self._update.cancel()  # ignored once the update cannot be stopped
            return
        self.sign_out_chosen = self.locked_user is not None
        super().reject()
