"""Save screenshots of the sign-in shell to packaging/screenshots/ (run on demand).

    .venv/bin/python tests/ui/make_screenshots.py [--out DIR]

Uses a throw-away data folder with fictional accounts, offscreen Qt and a cheap key
derivation, so it takes a second or two.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from infoshare_desktop.domain.accounts import Role  # noqa: E402
from infoshare_desktop.paths import DataPaths  # noqa: E402
from infoshare_desktop.store import keyslots as keystore  # noqa: E402
from infoshare_desktop.ui.common.theme import apply_theme  # noqa: E402

ADMIN_PASSWORD = "plum orchard lantern"


def save(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = None) -> None:
    widget.show()
    if size:
        widget.resize(*size)
    else:
        widget.adjustSize()
    QApplication.processEvents()
    widget.grab().save(str(out / name))
    print(out / name)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "packaging" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    keystore.DEFAULT_KDF = {"memory_kib": 1024, "iterations": 1, "lanes": 1}
    app = QApplication([])
    apply_theme(app)

    from infoshare_desktop.services import accounts
    from infoshare_desktop.ui.admin.user_accounts import AddUserDialog, OneTimeCodeDialog
    from infoshare_desktop.ui.main_window import MainWindow
    from infoshare_desktop.ui.signin.change_password import ChangePasswordDialog
    from infoshare_desktop.ui.signin.first_run import FirstRunDialog
    from infoshare_desktop.ui.signin.set_password import SetPasswordDialog
    from infoshare_desktop.ui.signin.unlock import UnlockDialog

    with tempfile.TemporaryDirectory() as tmp:
        paths = DataPaths(Path(tmp) / "InfoShareDesktop")
        first = FirstRunDialog(paths)
        first.username_edit.setText("a.example")
        first.full_name_edit.setText("Alex Example")
        first.password_fields.password.setText("plum orchard")
        save(first, out, "first-run.png")

        first.password_fields.password.setText(ADMIN_PASSWORD)
        first.password_fields.confirm.setText(ADMIN_PASSWORD)
        first.create_button.click()
        save(first, out, "first-run-ready.png")  # the root of trust's words
        store = first.store
        assert store is not None
        for name, full, roles in [
            ("s.worker", "Sam Worker", {Role.PRACTITIONER}),
            ("c.nurse", "Casey Nurse", {Role.PRACTITIONER, Role.TEAM_LEAD}),
            ("r.officer", "Robin Officer", {Role.SUPERVISOR}),
        ]:
            accounts.add_user(store, username=name, display_name=full, roles=roles)

        unlock = UnlockDialog(paths)
        save(unlock, out, "unlock.png")
        unlock.username_edit.setText("a.example")
        unlock.password_edit.setText("not the password")
        unlock.unlock_button.click()
        save(unlock, out, "unlock-error.png")
        lock = UnlockDialog(paths, locked_user="a.example", locked_name="Alex Example")
        save(lock, out, "lock-screen.png")

        window = MainWindow(store)
        save(window, out, "main-home.png", (1180, 720))
        window.show_page("Users")
        window.users_page.select_user("c.nurse")
        save(window, out, "users.png", (1180, 720))

        add = AddUserDialog(window.session)
        add.username_edit.setText("j.teacher")
        add.full_name_edit.setText("Jo Teacher")
        save(add, out, "add-user.png")
        save(OneTimeCodeDialog("j.teacher", accounts.new_setup_code()), out, "one-time-code.png")
        change = ChangePasswordDialog(window.session)
        change.current_edit.setText(ADMIN_PASSWORD)
        change.new_fields.password.setText("quiet harbour")
        change.new_fields.confirm.setText("quiet harb")
        save(change, out, "change-password.png")
        choose = SetPasswordDialog("s.worker", "Welcome. Choose your own password to finish.")
        save(choose, out, "set-password.png")

        apply_theme(app, "large")
        window.show_page("Home")
        save(window, out, "main-home-large.png", (1366, 740))
        window.show_page("Users")
        save(window, out, "users-large.png", (1366, 740))
        apply_theme(app, "medium", high_visibility=True)
        save(unlock, out, "unlock-high-visibility.png")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
