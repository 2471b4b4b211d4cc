"""One check box per role, in a titled group."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QVBoxLayout, QWidget

from infoshare_desktop.domain.accounts import Role


class RoleCheckGroup(QGroupBox):
    changed = Signal()

    def __init__(self, checked: Iterable[Role] = (), parent: QWidget | None = None) -> None:
        super().__init__("Roles", parent)
        self.boxes: dict[Role, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        chosen = set(checked)
        for role in Role:
            box = QCheckBox(role.label, self)
            box.setAccessibleName(f"{role.label} role")
            box.setChecked(role in chosen)
            box.toggled.connect(self._on_box_toggled)
            layout.addWidget(box)
            self.boxes[role] = box

    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, box in self.boxes.items() if box.isChecked())

    def _on_box_toggled(self, _checked: bool) -> None:
        self.changed.emit()
