"""The administrator's list of accounts."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services.accounts import AccountSummary

STATUS_LABELS = {"active": "Active", "disabled": "Disabled", "revoked": "Revoked"}
_ROLE_ORDER = {role: n for n, role in enumerate(Role)}

_Index = QModelIndex | QPersistentModelIndex


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(role.label for role in sorted(roles, key=_ROLE_ORDER.__getitem__))


class AccountTableModel(QAbstractTableModel):
    COLUMNS = ("User name", "Full name", "Roles", "Status", "Locked out")

    def __init__(self, accounts: list[AccountSummary] | None = None) -> None:
        super().__init__()
        self._accounts: list[AccountSummary] = list(accounts or [])

    def set_accounts(self, accounts: list[AccountSummary]) -> None:
        self.beginResetModel()
        self._accounts = list(accounts)
        self.endResetModel()

    def account_at(self, row: int) -> AccountSummary:
        return self._accounts[row]

    def row_of(self, user_id: str) -> int | None:
        for row, account in enumerate(self._accounts):
            if account.user_id == user_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or not 0 <= index.row() < len(self._accounts):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        account = self._accounts[index.row()]
        column = index.column()
        if column == 0:
            return account.username
        if column == 1:
            return account.display_name
        if column == 2:
            return roles_text(account.roles)
        if column == 3:
            return STATUS_LABELS.get(account.status, account.status.capitalize())
        if column == 4:
            return "Yes: too many failed attempts" if account.locked_out else "No"
        return None
