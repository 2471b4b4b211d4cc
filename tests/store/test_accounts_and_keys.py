"""Key slots: each user their own password; password changes and key rotation."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from infoshare_desktop.domain.accounts import Role, password_problem
from infoshare_desktop.services import accounts
from infoshare_desktop.services.errors import (
    PasswordRejected,
    PermissionDenied,
    SetupCodeRequired,
    StoreDamagedError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store import core
from infoshare_desktop.store.engine import raw_connect
from infoshare_desktop.store.keyslots import Keystore
from tests.conftest import ADMIN, ADMIN_PASSWORD

BEA, BEA_PASSWORD = "bea.lead", "quiet meadow tangerine"
CAL, CAL_PASSWORD = "cal.worker", "amber kettle horizon"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _onboard(paths, admin, username, password, roles):
    code = accounts.add_user(admin, username=username, display_name=username.title(), roles=roles)
    with pytest.raises(SetupCodeRequired):
        accounts.sign_in(paths, username=username, password=code)
    accounts.sign_in(paths, username=username, password=code, new_password=password).close()


@pytest.fixture
def three_users(admin_store, data_paths):
    _onboard(data_paths, admin_store, BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR})
    _onboard(data_paths, admin_store, CAL, CAL_PASSWORD, {Role.PRACTITIONER})
    admin_store.close()
    return data_paths


def test_each_user_unlocks_with_their_own_password_and_roles(three_users):
    for name, password, roles in (
        (ADMIN, ADMIN_PASSWORD, set(Role)),
        (BEA, BEA_PASSWORD, {Role.TEAM_LEAD, Role.SUPERVISOR}),
        (CAL, CAL_PASSWORD, {Role.PRACTITIONER}),
    ):
        store = accounts.sign_in(three_users, username=name, password=password)
        assert store.user.username == name
        assert store.user.roles == roles
        store.close()
    with pytest.raises(WrongPasswordError):
        accounts.sign_in(three_users, username=CAL, password=BEA_PASSWORD)


def test_a_password_change_rewraps_one_slot_and_leaves_the_database_untouched(three_users):
    paths = three_users
    before = digest(paths.database)
    with Keystore.transaction(paths.keystore) as keystore:
        keystore.change_password(BEA, BEA_PASSWORD, "new harbour lantern song")
        keystore.save()
    assert digest(paths.database) == before
    with pytest.raises(WrongPasswordError):
        accounts.sign_in(paths, username=BEA, password=BEA_PASSWORD)
    accounts.sign_in(paths, username=BEA, password="new harbour lantern song").close()
    accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD).close()


def test_the_change_password_service_checks_the_old_password_and_the_policy(three_users):
    store = accounts.sign_in(three_users, username=CAL, password=CAL_PASSWORD)
    with pytest.raises(WrongPasswordError):
        accounts.change_password(store, old_password="not it at all", new_password="x" * 20)
    with pytest.raises(PasswordRejected, match="commonly used"):
        accounts.change_password(store, old_password=CAL_PASSWORD, new_password="password1")
    accounts.change_password(store, old_password=CAL_PASSWORD, new_password="Ünïcode pass phrase")
    store.close()
    # NFC and NFD spellings of the same password both unlock.
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Ünïcode pass phrase")
    accounts.sign_in(three_users, username=CAL, password=nfd).close()


def test_revoking_a_user_rotates_the_key_and_their_old_slot_opens_nothing(three_users, tmp_path):
    paths = three_users
    stolen = tmp_path / "stolen-keystore.json"
    shutil.copy(paths.keystore, stolen)
    old_key = Keystore.load(stolen).unlock(CAL, CAL_PASSWORD).current_key

    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)
    cal = next(u for u in accounts.list_users(admin) if u.username == CAL)
    epoch_before = admin.keystore.epoch
    accounts.revoke_user(admin, user_id=cal.user_id)
    assert admin.keystore.epoch == epoch_before + 1
    assert next(u for u in accounts.list_users(admin) if u.username == CAL).status == "revoked"
    admin.close()

    with pytest.raises(UnknownUserError):
        accounts.sign_in(paths, username=CAL, password=CAL_PASSWORD)
    # The copy of the key store made before revocation yields only the old key...
    assert Keystore.load(stolen).unlock(CAL, CAL_PASSWORD).current_key == old_key
    # ...which no longer opens the database.
    with pytest.raises(StoreDamagedError):
        raw_connect(paths.database, old_key)
    for name, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD)):
        accounts.sign_in(paths, username=name, password=password).close()


@pytest.mark.parametrize("fail_at", ["copy", "keystore", "rename", "finish"])
def test_a_crash_at_any_point_of_the_rotation_leaves_a_store_that_opens(
    three_users, monkeypatch, fail_at
):
    paths = three_users
    admin = accounts.sign_in(paths, username=ADMIN, password=ADMIN_PASSWORD)

    class Crash(Exception):
        pass

    def boom(*args, **kwargs):
        raise Crash

    targets = {
        "copy": (core, "copy_database"),
        "keystore": (Keystore, "begin_rotation"),
        "rename": (core, "atomic_move"),
        "finish": (Keystore, "finish_rotation"),
    }
    owner, name = targets[fail_at]
    with monkeypatch.context() as patch:
        patch.setattr(owner, name, boom)
        with pytest.raises(Crash):
            admin.rotate_key()
    # The process "dies" here: nothing else is closed or tidied.
    admin.close()
    for user, password in ((ADMIN, ADMIN_PASSWORD), (BEA, BEA_PASSWORD), (CAL, CAL_PASSWORD)):
        store = accounts.sign_in(paths, username=user, password=password)
        assert store.keystore.pending_epoch is None
        store.close()
    assert not list(paths.root.glob("*.rotating"))


def test_only_administrators_manage_accounts(three_users):
    store = accounts.sign_in(three_users, username=BEA, password=BEA_PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.add_user(store, username="x.y", display_name="X", roles={Role.PRACTITIONER})
    with pytest.raises(PermissionDenied):
        accounts.list_users(store)
    store.close()


def test_disable_and_enable(three_users):
    from infoshare_desktop.services.errors import AccountDisabledError

    admin = accounts.sign_in(three_users, username=ADMIN, password=ADMIN_PASSWORD)
    cal = next(u for u in accounts.list_users(admin) if u.username == CAL)
    accounts.disable_user(admin, user_id=cal.user_id)
    with pytest.raises(AccountDisabledError):
        accounts.sign_in(three_users, username=CAL, password=CAL_PASSWORD)
    accounts.enable_user(admin, user_id=cal.user_id)
    accounts.sign_in(three_users, username=CAL, password=CAL_PASSWORD).close()
    with pytest.raises(accounts.AccountError):
        accounts.disable_user(admin, user_id=admin.user.user_id)
    admin.close()


def test_reset_password_issues_a_new_code(three_users):
    admin = accounts.sign_in(three_users, username=ADMIN, password=ADMIN_PASSWORD)
    cal = next(u for u in accounts.list_users(admin) if u.username == CAL)
    code = accounts.reset_password(admin, user_id=cal.user_id)
    admin.close()
    with pytest.raises(WrongPasswordError):
        accounts.sign_in(three_users, username=CAL, password=CAL_PASSWORD)
    store = accounts.sign_in(
        three_users, username=CAL, password=code, new_password="fresh river stone"
    )
    assert store.user.username == CAL
    store.close()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("password", False),
        ("qwertyuiop", False),
        ("aaaaaaaaaaaa", False),
        ("plum orchard lantern", True),
        ("Zażółć gęślą jaźń", True),
        ("x" * 64, False),  # fewer than three different characters
        ("correct horse battery staple " * 2, True),
        ("y" * 300, False),
    ],
)
def test_password_policy(password, ok):
    assert (password_problem(password) is None) is ok


def test_revoking_while_the_store_is_open_elsewhere_changes_nothing(three_users):
    from infoshare_desktop.services.errors import StoreBusyError

    admin = accounts.sign_in(three_users, username=ADMIN, password=ADMIN_PASSWORD)
    elsewhere = accounts.sign_in(three_users, username=BEA, password=BEA_PASSWORD)
    cal = next(u for u in accounts.list_users(admin) if u.username == CAL)
    with pytest.raises(StoreBusyError, match="another window"):
        accounts.revoke_user(admin, user_id=cal.user_id)
    elsewhere.close()
    assert next(u for u in accounts.list_users(admin) if u.username == CAL).status == "active"
    accounts.sign_in(three_users, username=CAL, password=CAL_PASSWORD).close()
    accounts.revoke_user(admin, user_id=cal.user_id)  # now it can
    admin.close()
