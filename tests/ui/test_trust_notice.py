"""An administrator is told on the home page, at sign-in, when the signed accounts were
changed outside the application (a grant removed with an independent SQLCipher reader);
a practitioner is not, and the affected account is refused."""

from __future__ import annotations

import os
from pathlib import Path

import apsw
import pytest

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.services import accounts
from infoshare_desktop.store.errors import IdentityRefusedError
from infoshare_desktop.ui.main_window import MainWindow
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.store.test_member_carry_over import old_store  # noqa: F401  (a fixture)
from tests.store.test_sealed_content import BEA, BEA_PASSWORD
from tests.ui.conftest import USER, USER_PASSWORD, add_user


def _delete_newest_grant(paths, key: bytes) -> None:
    conn = apsw.Connection(str(paths.database))
    conn.execute("PRAGMA cipher='sqlcipher'")
    conn.execute("PRAGMA legacy=4")
    conn.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
    conn.execute("DROP TRIGGER grant_statement_no_delete")
    conn.execute("DELETE FROM grant_statement WHERE n = (SELECT max(n) FROM grant_statement)")
    conn.close()


def test_the_home_page_tells_an_administrator_the_signed_accounts_were_changed(
    qtbot, admin_store, data_paths, tmp_path
):
    worker = add_user(admin_store, data_paths, USER, {Role.PRACTITIONER}, USER_PASSWORD)
    key = worker.keys.current_key
    worker.close()
    accounts.set_roles(admin_store, user_id=worker.user.user_id, roles={Role.TEAM_LEAD})
    admin_store.close()
    _delete_newest_grant(data_paths, key)  # the grant of the new role

    with pytest.raises(IdentityRefusedError, match="latest signed grant is missing"):
        accounts.sign_in(data_paths, username=USER, password=USER_PASSWORD)
    store = accounts.sign_in(data_paths, username=ADMIN, password=ADMIN_PASSWORD)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    try:
        alert = window.home_page.rotation_alert
        qtbot.waitUntil(lambda: not alert.isHidden())
        assert "signed accounts in this store were changed outside" in alert.text()
        assert "Verify" in alert.text()
        shots = os.environ.get("INFOSHARE_SCREENSHOT_DIR")
        window.grab().save(str((Path(shots) if shots else tmp_path) / "trust-notice.png"))
    finally:
        window.close()
        store.close()


def test_the_home_page_tells_a_member_their_restricted_cases_wait_for_an_administrator(
    qtbot,
    old_store,  # noqa: F811
    tmp_path,
):
    """A store from the release before signed membership: until an administrator has
    signed in, a practitioner named on a restricted case is told why it is closed; after
    it, the notice is gone."""
    paths, _case_id, _ordinary = old_store

    def home_notice(username: str, password: str, shot: str | None = None) -> str | None:
        store = accounts.sign_in(paths, username=username, password=password)
        window = MainWindow(store)
        qtbot.addWidget(window)
        window.resize(1100, 760)
        window.show()
        try:
            alert = window.home_page.rotation_alert
            qtbot.wait(50)
            if shot is not None:
                shots = os.environ.get("INFOSHARE_SCREENSHOT_DIR")
                window.grab().save(str((Path(shots) if shots else tmp_path) / shot))
            return None if alert.isHidden() else alert.text()
        finally:
            window.close()
            store.close()

    text = home_notice(BEA, BEA_PASSWORD, "members-carry-over-notice.png")
    assert text is not None and "closed, even to the staff named on them" in text
    assert "until an administrator signs in once" in text
    admin_text = home_notice(ADMIN, ADMIN_PASSWORD)  # this sign-in carries them over
    assert admin_text is None or "Restricted cases from before" not in admin_text
    assert home_notice(BEA, BEA_PASSWORD) is None
