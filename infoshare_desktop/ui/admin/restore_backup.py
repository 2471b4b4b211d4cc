"""An administrator restores a backup of this store: their password, every check, and
a plain account of what will change before anything does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import maintenance
from infoshare_desktop.services.maintenance import RestorePlan
from infoshare_desktop.ui.common.labels import AlertLabel, heading_label, text_label
from infoshare_desktop.ui.common.layout import form_layout, page_layout
from infoshare_desktop.ui.common.password_fields import password_edit
from infoshare_desktop.ui.common.progress import Progress, StopCheck, StoreOperation
from infoshare_desktop.ui.common.session import Session

INTRO = (
    "Only a backup of this store can be restored, by an administrator of it. Enter your "
    "password and check the backup: nothing changes until you press Restore."
)


class RestoreBackupDialog(QDialog):
    """Check a backup (`plan` is set), then accept to restore it; `password` stays for
    the restore itself and is cleared when the dialog closes."""

    def __init__(
        self,
        paths: DataPaths,
        src: Path,
        *,
        username: str,
        session: Session,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.paths = paths
        self.src = src
        self.username = username
        self.plan: RestorePlan | None = None
        self.setWindowTitle("Restore from backup")
        self.setMinimumWidth(620)
        self.password_edit = password_edit("Your password", self)
        self.alert = AlertLabel(self)
        self.plan_label = text_label("", self)
        self.plan_label.setAccessibleName("What the restore will change")
        self.plan_label.hide()

        layout = page_layout(self)
        layout.addWidget(heading_label("Restore from backup", self))
        layout.addWidget(text_label(INTRO, self, role="muted"))
        layout.addWidget(text_label(f"Backup file: {src}", self))
        form = form_layout()
        form.addRow("Your &password", self.password_edit)
        layout.addLayout(form)
        layout.addWidget(self.alert)
        layout.addWidget(self.plan_label)
        buttons = QDialogButtonBox(self)
        self.check_button = QPushButton("&Check the backup", self)
        self.check_button.setDefault(True)
        self.restore_button = QPushButton("&Restore", self)
        self.restore_button.setEnabled(False)
        self.restore_button.setToolTip("Check the backup first.")
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.password_edit.textChanged.connect(self._on_password_edit_changed)
        self.finished.connect(self._on_finished)

    @property
    def password(self) -> str:
        return self.password_edit.text()

    def _on_password_edit_changed(self, _text: str) -> None:
        """A new password means a new check."""
        self.plan = None
        self.plan_label.hide()
        self.restore_button.setEnabled(False)
        self.check_button.setDefault(True)

    def _on_check_button_clicked(self) -> None:
        """Check the backup off the UI thread (it is read and checked in full)."""
        self.alert.clear()
        if not self.password:
            self.alert.show_message("Enter your password.")
            return
        paths, src, username, password = self.paths, self.src, self.username, self.password

        def work(progress: Progress, should_stop: StopCheck) -> RestorePlan:
            return maintenance.preview_restore(
                paths,
                src=src,
                username=username,
                password=password,
                progress=progress,
                should_stop=should_stop,
            )

        operation = StoreOperation(
            work,
            title="Restore from backup",
            label="Reading and checking the backup…",
            accessible_name="Backup check progress",
            parent=self,
        )
        operation.succeeded.connect(self._on_check_succeeded)
        operation.failed.connect(self.alert.show_message)
        operation.cancelled.connect(
            lambda: self.alert.show_message("The check was cancelled. Nothing has been changed.")
        )
        self.check_button.setEnabled(False)
        operation.finished.connect(lambda: self.check_button.setEnabled(True))
        if not self.session.run(operation):
            operation.deleteLater()
            self.check_button.setEnabled(True)

    def _on_check_succeeded(self, plan: RestorePlan) -> None:
        self.plan = plan
        self.plan_label.setText(
            "The backup is of this store and opens with your account. What restoring it "
            "changes:\n\n"
            + "\n".join(f"•  {line}" for line in plan.lines())
            + "\n\nEverything recorded after the backup was made is then no longer in the "
            "store (it stays in the copy kept aside). This session closes; sign in again "
            "to continue."
        )
        self.plan_label.show()
        self.adjustSize()
        self.restore_button.setEnabled(True)
        self.restore_button.setToolTip("")
        self.restore_button.setDefault(True)

    def _on_buttons_accepted(self) -> None:
        if self.plan is not None:
            self.accept()

    def _on_finished(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self.password_edit.clear()
