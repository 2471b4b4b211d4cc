"""Administration: the accounts on this computer and what can be done to them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QWidget,
)

from infoshare_desktop.domain.accounts import AccountStatus
from infoshare_desktop.services import accounts
from infoshare_desktop.services.accounts import AccountSummary
from infoshare_desktop.services.errors import UserFacingError
from infoshare_desktop.ui.admin.account_table import AccountTableModel
from infoshare_desktop.ui.admin.user_accounts import (
    AddUserDialog,
    ChangeRolesDialog,
    OneTimeCodeDialog,
)
from infoshare_desktop.ui.common import feedback
from infoshare_desktop.ui.common.announce import announce
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import FlowLayout, page_layout
from infoshare_desktop.ui.common.progress import Progress, StopCheck, StoreOperation, report
from infoshare_desktop.ui.common.session import Session
from infoshare_desktop.ui.common.tables import make_list_table


class UsersPage(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = AccountTableModel()
        self.table = QTableView(self)
        self.table.setModel(self.model)
        make_list_table(self.table, "Accounts")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # roles

        self.add_button = self._button("Add u&ser…", self._on_add_button_clicked)
        self.roles_button = self._button("Change &roles…", self._on_roles_button_clicked)
        self.status_button = self._button("&Disable", self._on_status_button_clicked)
        self.unlock_button = self._button("&Unlock account", self._on_unlock_button_clicked)
        self.reset_button = self._button("Reset &password…", self._on_reset_button_clicked)
        self.revoke_button = self._button("Revo&ke…", self._on_revoke_button_clicked)
        self.rotation_alert = AlertLabel(self)
        self.rotate_button = self._button(
            "Rotate the data key &now", self._on_rotate_button_clicked
        )
        self.rotate_button.hide()

        layout = page_layout(self)
        layout.addWidget(heading_label("Users", self))
        layout.addWidget(
            text_label(
                "Everyone who uses this computer has their own account. Select an account "
                "to change it.",
                self,
                role="muted",
            )
        )
        self.fingerprint_label = text_label("", self, role="muted")
        self.fingerprint_label.setAccessibleName("Root of trust fingerprint")
        layout.addWidget(self.fingerprint_label)
        buttons = FlowLayout()  # wraps at large text sizes and on small screens
        buttons.setSpacing(8)
        for button in (
            self.add_button,
            self.roles_button,
            self.status_button,
            self.unlock_button,
            self.reset_button,
            self.revoke_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        rotation = QHBoxLayout()
        rotation.addWidget(self.rotation_alert, 1)
        rotation.addWidget(self.rotate_button)
        layout.addLayout(rotation)
        layout.addWidget(self.table, 1)

        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        session.store_changed.connect(self.refresh)
        session.operation_finished.connect(self._update_buttons)
        self.refresh()

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- state ------------------------------------------------------------------------
    def refresh(self, select_user_id: str | None = None) -> None:
        """Reload the accounts, keeping (or moving) the selection."""
        current = self.selected_account()
        keep = select_user_id or (current.user_id if current else None)
        with feedback.user_errors(self) as outcome:
            self.model.set_rows(accounts.list_users(self.session.store))
        if outcome.failed:
            return
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self.table.selectRow(row)
        self._update_buttons()
        self._update_rotation()
        self._update_fingerprint()

    def _update_fingerprint(self) -> None:
        try:
            words = accounts.root_fingerprint(self.session.store)
        except UserFacingError:
            words = None
        self.fingerprint_label.setText(
            f"Root of trust: {words}. Every account and role is signed by a key that "
            "chains to it; compare these words by phone with the ones noted at set-up."
            if words
            else "Accounts are not signed yet: they are carried over at an administrator's "
            "next sign-in."
        )

    def _update_rotation(self) -> None:
        try:
            pending = accounts.key_rotation_pending(self.session.store)
        except UserFacingError:  # unknown now: the next refresh says
            pending = False
        if pending:
            self.rotation_alert.show_message(
                "Key rotation pending: an account was revoked but the store's data key has not "
                "been replaced yet (the store was busy), so an old copy of that account's key "
                "could still open it. Close the store in every other window, then rotate the "
                "data key now."
            )
        else:
            self.rotation_alert.clear()
        self.rotate_button.setVisible(pending)

    def selected_account(self) -> AccountSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_user(self, username: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).username == username:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        account = self.selected_account()
        usable = account is not None and account.status is not AccountStatus.REVOKED
        is_me = account is not None and account.user_id == self.session.user.user_id
        self.roles_button.setEnabled(usable)
        self.reset_button.setEnabled(usable)
        self.unlock_button.setEnabled(account is not None and usable and account.locked_out)
        disabled = account is not None and account.status is AccountStatus.DISABLED
        self.status_button.setText("&Enable" if disabled else "&Disable")
        self.status_button.setEnabled(usable and not is_me)
        self.revoke_button.setEnabled(usable and not is_me)
        idle = self.session.operation is None  # one store operation at a time
        for button in (self.status_button, self.reset_button, self.revoke_button):
            button.setEnabled(button.isEnabled() and idle)
        self.rotate_button.setEnabled(idle)
        mine = "You cannot disable or revoke your own account." if is_me else ""
        self.status_button.setToolTip(mine)
        self.revoke_button.setToolTip(mine)

    # -- slots ------------------------------------------------------------------------
    def _on_table_selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._update_buttons()

    def _on_add_button_clicked(self) -> None:
        added = AddUserDialog.ask(self.session, self)
        if added is None:
            return
        username, code = added
        self.refresh()
        self.select_user(username)
        OneTimeCodeDialog.present(username, code, self)

    def _on_roles_button_clicked(self) -> None:
        account = self.selected_account()
        if account and ChangeRolesDialog.ask(self.session, account, self):
            self.refresh()

    def _on_status_button_clicked(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        if account.status is AccountStatus.DISABLED:
            self._run(accounts.enable_user, account)
            return
        if feedback.confirm(
            self,
            "Disable account",
            f"Disable the account {account.username}? They will not be able to sign in "
            "until an administrator enables it again. Nothing they recorded is removed. "
            "The store's encryption key is then replaced; this takes a while for a large "
            "store.",
            "Disable",
        ):
            self._change_then_rotate(
                account,
                accounts.disable_user,
                title="Disable account",
                label=f"Disabling {account.username}, then re-encrypting the store under a "
                "new key…",
                done=f"{account.username} is disabled.",
            )

    def _on_unlock_button_clicked(self) -> None:
        account = self.selected_account()
        if account and self._run(accounts.unlock_account, account):
            feedback.inform(
                self, "Account unlocked", f"{account.username} can try to sign in again."
            )

    def _on_reset_button_clicked(self) -> None:
        account = self.selected_account()
        if account is None or not feedback.confirm(
            self,
            "Reset password",
            f"Reset the password of {account.username}? Their current password stops "
            "working at once; they sign in with a new one-time code instead and then "
            "choose a new password. The store's encryption key is then replaced; this "
            "takes a while for a large store.",
            "Reset password",
        ):
            return
        username = account.username

        def present(code: object) -> None:
            if isinstance(code, str):
                OneTimeCodeDialog.present(username, code, self)

        self._change_then_rotate(
            account,
            accounts.reset_password,
            title="Reset password",
            label=f"Resetting the password of {username}, then re-encrypting the store "
            "under a new key…",
            done=f"The password of {username} has been reset.",
            then=present,
        )

    def _on_revoke_button_clicked(self) -> None:
        account = self.selected_account()
        if account is None or not feedback.confirm(
            self,
            "Revoke account",
            f"Revoke the account {account.username} for good? It cannot be enabled again. "
            "The store's encryption key is then replaced, so that no copy of their old "
            "key can open it; this takes a while for a large store. Everyone else keeps "
            "their password, and nothing they recorded is removed.",
            "Revoke",
        ):
            return
        self._change_then_rotate(
            account,
            accounts.revoke_user,
            title="Revoke account",
            label=f"Revoking {account.username}, then re-encrypting the store under a new key…",
            done=f"{account.username} is revoked.",
        )

    def _on_rotate_button_clicked(self) -> None:
        if rotate_data_key(self, self.session) is not None:
            self._update_buttons()

    def _run(self, action: Callable[..., None], account: AccountSummary) -> bool:
        """Call `action(store, user_id=...)`, show a failure, refresh; True if it worked."""
        with feedback.user_errors(self) as outcome:
            action(self.session.store, user_id=account.user_id)
        self.refresh()
        return not outcome.failed

    def _change_then_rotate(
        self,
        account: AccountSummary,
        action: Callable[..., object],
        *,
        title: str,
        label: str,
        done: str,
        then: Callable[[object], None] | None = None,
    ) -> StoreOperation | None:
        """Run `action(store, user_id=..., progress=..., should_stop=...)` off the UI
        thread (ui.common.progress): the account change, then the data key rotation it
        makes due, which takes minutes on a large store. Cancel (or closing the window)
        stops the rotation only: the change stays made and the rotation pending, as when
        another window holds the store. Afterwards the table shows the account as it now
        is, `then(result)` runs, and a rotation left pending is said plainly."""
        store, user_id = self.session.store, account.user_id

        def work(progress: Progress, should_stop: StopCheck) -> object:
            return action(store, user_id=user_id, progress=progress, should_stop=should_stop)

        operation = StoreOperation(
            work, title=title, label=label, accessible_name=f"{title} progress", parent=self
        )
        outcome: list[object] = []
        operation.succeeded.connect(outcome.append)
        operation.failed.connect(
            lambda message: feedback.show_user_error(self, UserFacingError(message), title=title)
        )

        def finished() -> None:
            if not store.is_open:  # the window closed meanwhile (it cancelled the rotation)
                return  # and signed out: nothing more is shown, no code to a locked screen
            self.session.store_changed.emit()  # this table, and Home's rotation notice
            if not outcome:  # failed: shown already (whatever it changed is shown now)
                return
            if then is not None:
                then(outcome[0])
            self._report_rotation(title, done, cancelled=operation.worker.is_cancelled())

        if not self.session.run(operation):
            operation.deleteLater()
            return None
        operation.finished.connect(finished)  # after the session has let the operation go
        self._update_buttons()
        return operation

    def _report_rotation(self, title: str, done: str, *, cancelled: bool) -> None:
        """Say what an account change did to the data key: replaced (announced), or left
        pending (shown, with what to do)."""
        try:
            pending = accounts.key_rotation_pending(self.session.store)
        except UserFacingError:
            pending = True
        if not pending:
            announce(self, f"{done} The data key has been replaced.")
            return
        why = (
            "You cancelled replacing the store's data key"
            if cancelled
            else "The store's data key could not be replaced yet (the store is open in "
            "another window or program)"
        )
        report(
            self,
            title,
            f"{done} {why}, so an old copy of that account's key could still open the "
            "store. The store keeps its current key and nothing was lost. Use Rotate the "
            "data key now on this page to finish.",
            warning=True,
        )


def rotate_data_key(parent: QWidget, session: Session) -> StoreOperation | None:
    """Administration > Rotate the data key now: confirm, then re-encrypt off the UI
    thread with progress and Cancel, and report; the operation, or None if not started."""
    if not feedback.confirm(
        parent,
        "Rotate the data key",
        "Replace the store's encryption key now? The database is re-encrypted under a new "
        "key that only the current accounts hold, so no copy of a revoked account's old key "
        "can open it. Everyone keeps their password. Close the store in every other window "
        "first; this takes a while for a large store, and can be cancelled.",
        "Rotate",
    ):
        return None
    store = session.store

    def work(progress: Progress, should_stop: StopCheck) -> None:
        accounts.rotate_key(store, progress=progress, should_stop=should_stop)

    def rotated(_result: object) -> None:
        session.store_changed.emit()
        report(parent, "Rotate the data key", "The data key has been replaced.")

    operation = StoreOperation.reported(
        work,
        rotated,
        title="Rotate the data key",
        label="Re-encrypting the store under a new key…",
        accessible_name="Key rotation progress",
        cancelled="The key rotation was cancelled. The store keeps its current key and "
        "nothing has changed.",
        parent=parent,
    )
    if not session.run(operation):
        operation.deleteLater()
        return None
    return operation
