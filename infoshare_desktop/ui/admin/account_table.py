"""The administrator's list of accounts."""

from __future__ import annotations

from PySide6.QtCore import Qt

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services.accounts import AccountSummary
from infoshare_desktop.ui.common.list_model import Index, ListTableModel

_ROLE_ORDER = {role: n for n, role in enumerate(Role)}


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(role.label for role in sorted(roles, key=_ROLE_ORDER.__getitem__))


class AccountTableModel(ListTableModel[AccountSummary]):
    COLUMNS = ("User name", "Full name", "Roles", "Status", "Locked out")

    def headings(self) -> tuple[str, ...]:
        return self.COLUMNS

    def row_id(self, item: AccountSummary) -> str:
        return item.user_id

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        account = self.item(index)
        if account is None or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        column = index.column()
        if column == 0:
            return account.username
        if column == 1:
            return account.display_name
        if column == 2:
            return roles_text(account.roles)
        if column == 3:
            status = account.status.label
            if account.key_not_rotated:
                return status + ": data key not yet rotated"
            if account.not_set_up:
                return status + ": not set up, reset its password"
            return status
        if column == 4:
            return "Yes: too many failed attempts" if account.locked_out else "No"
        return None
