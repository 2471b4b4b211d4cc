"""An older keystore.json put back (its generation number raised) after a password
change: the sign-in dialog refuses the old password and says why."""

from __future__ import annotations

import json
import shutil

from infoshare_desktop.services import accounts
from infoshare_desktop.ui.signin.unlock import UnlockDialog
from tests.conftest import ADMIN, ADMIN_PASSWORD

NEW_PASSWORD = "a fresh harbour lantern"


def test_an_old_key_slot_put_back_is_refused_in_the_sign_in_dialog(
    qtbot, admin_store, data_paths, tmp_path
):
    before = tmp_path / "keystore-before.json"
    shutil.copy(data_paths.keystore, before)
    accounts.change_password(admin_store, old_password=ADMIN_PASSWORD, new_password=NEW_PASSWORD)
    admin_store.close()
    data = json.loads(before.read_bytes())
    data["generation"] = json.loads(data_paths.keystore.read_bytes())["generation"] + 10
    data_paths.keystore.write_text(json.dumps(data))

    dialog = UnlockDialog(data_paths)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username_edit.setText(ADMIN)
    dialog.password_edit.setText(ADMIN_PASSWORD)  # the old password, which the copy holds
    dialog.unlock_button.click()
    assert dialog.isVisible() and dialog.store is None
    assert "older copy of keystore.json has been put back" in dialog.alert.text()
    assert "Ask an administrator" in dialog.alert.text()
