"""The signed-in session as pages see it.

Pages keep a `Session`, never a store: after a lock the window unlocks with a *new*
store object (`replace_store`), and pages always reach the current one through
`session.store`. `about_to_lock` fires before the store closes (lock, sign-out or exit),
while the store is still open: forms save their drafts then. `store_changed` fires after
an unlock, so pages can reload what they show.

Long store work (backup, restore, key rotation, verify) runs through `run`, one at a
time: `operation` is the one running, and `operation_finished` fires when it is over
(the window holds its idle lock until then).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts
from infoshare_desktop.services.accounts import Store
from infoshare_desktop.ui.common.progress import StoreOperation


class Session(QObject):
    about_to_lock = Signal()
    store_changed = Signal()
    operation_finished = Signal()

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.user = accounts.current_user(store)
        self.operation: StoreOperation | None = None

    def run(self, operation: StoreOperation) -> bool:
        """Start `operation` unless another is running (then False: one at a time)."""
        if self.operation is not None:
            return False
        self.operation = operation
        operation.finished.connect(self._on_operation_finished)
        operation.start()
        return True

    def _on_operation_finished(self) -> None:
        self.operation = None
        self.operation_finished.emit()

    @property
    def store(self) -> Store:
        return self._store

    @property
    def is_administrator(self) -> bool:
        return self.user.has(Role.ADMINISTRATOR)

    def replace_store(self, store: Store) -> None:
        """The same user unlocked again: continue with the newly opened store."""
        if accounts.current_user(store).user_id != self.user.user_id:
            raise ValueError("a session continues only with the same user")
        self._store = store
        self.store_changed.emit()
