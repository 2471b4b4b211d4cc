"""Signing in and out, passwords, and the administrator's account management.

Every function checks the signed-in user's role and writes its audit entry in the same
transaction as its change. The store is passed first; everything else is keyword-only.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from infoshare_desktop.domain.accounts import (
    AccountStatus,
    Role,
    clean_display_name,
    normalise_username,
    username_problem,
)
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.services import sealed
from infoshare_desktop.services.access import require, signed_in
from infoshare_desktop.services.errors import ServiceError
from infoshare_desktop.store import audit, crypto, settings, users
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.core import SignedIn, store_exists, utcnow
from infoshare_desktop.store.core import Store as Store  # the interface's handle on a store
from infoshare_desktop.store.errors import OperationCancelled, StoreBusyError
from infoshare_desktop.store.keyslots import Keystore
from infoshare_desktop.store.progress import Progress, StopCheck
from infoshare_desktop.store.tables import UserAccount
from infoshare_desktop.store.writes import Session

IDLE_LOCK_SETTING = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 5
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class AccountError(ServiceError):
    """An account request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class AccountSummary:
    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    status: AccountStatus
    locked_out: bool
    created_at: datetime
    #: Revoked, but the data key has not been rotated since (an old copy of the key
    #: store could still open the database).
    key_not_rotated: bool = False
    #: No key slot (the program stopped while adding it): reset the password.
    not_set_up: bool = False
    #: The account's row, its slot, or both say something its signed grant does not
    #: (edited by hand): the grant is what counts; `verify` names the difference.
    unsigned_change: bool = False


def needs_first_run(paths: DataPaths) -> bool:
    """An empty data folder: the application offers to create the store."""
    return not store_exists(paths)


def first_run(paths: DataPaths, *, username: str, display_name: str, password: str) -> Store:
    """Create the store and its first administrator (who holds every role), signed in."""
    problem = username_problem(username)
    if problem:
        raise AccountError(problem)
    return Store.create(paths, username=username, display_name=display_name, password=password)


def sign_in(
    paths: DataPaths,
    *,
    username: str,
    password: str,
    new_password: str | None = None,
    upgrade: bool = True,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Store:
    """Unlock the store as one user. `new_password` completes a one-time-code sign-in.
    Restricted cases from before sealing that this user should hold the key of are
    sealed now (see sealed.seal_carried_over_cases), and the keys of those whose members
    this sign-in carried over (an administrator's, see Store._carry_over_members) are
    sealed to those members.

    A store left by an earlier version is backed up and updated first (`progress`,
    `should_stop`: see Store.unlock); with `upgrade=False` that raises UpgradeNeeded
    instead, for a window to sign in again off its thread."""
    store = Store.unlock(
        paths,
        username=username,
        password=password,
        new_password=new_password,
        upgrade=upgrade,
        progress=progress,
        should_stop=should_stop,
    )
    try:
        sealed.seal_carried_over_cases(store)
        if store.members_carried_over:
            with store.write() as session:
                sealed.sync_case_keys(store, session, store.members_carried_over)
    except BaseException:
        store.close()
        raise
    return store


def lock(store: Store) -> None:
    store.lock(Action.LOCK)


def sign_out(store: Store) -> None:
    store.lock(Action.SIGN_OUT)


def change_password(store: Store, *, old_password: str, new_password: str) -> None:
    """Rewrap the signed-in user's slot; the database file is not re-encrypted.

    The slot is saved with the intent to audit it, then the audit entry is committed;
    after a crash in between, the next unlock writes the entry (exactly once)."""
    user = signed_in(store)
    with store.keystore_change() as keystore:
        keystore.change_password(user.username, old_password, new_password)
        keystore.save()
        store.commit_intents(keystore)


def new_setup_code() -> str:
    """A one-time code to hand over in person: 16 characters, about 80 bits."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _anchor_for(store: Store, roles: frozenset[Role]) -> bytes | None:
    return store.keys.audit_anchor if Role.ADMINISTRATOR in roles else None


def _granted(store: Store, user_id: str) -> tuple[frozenset[Role], str] | None:
    """An account's roles and status as its signed grant says (None: no valid grant).
    In a store not yet carried over to signed grants, as its row says."""
    trust = store.load_trust()
    if trust.established:
        grant = trust.account(user_id)
        return (grant.roles, grant.status) if grant is not None else None
    with store.read() as session:
        account = users.account(session, user_id)
    if account is None:
        return None
    return frozenset(Role(r) for r in account.roles.split(",") if r), account.status


def _regrant(
    store: Store,
    session: Session,
    user_id: str,
    *,
    reason: str,
    roles: frozenset[Role] | None = None,
    status: str | None = None,
    keys: tuple[bytes | None, bytes | None] | None = None,
) -> None:
    """Sign a new grant for an account: its current grant with the given changes."""
    trust = store.trust
    if not trust.established:
        return
    current = trust.account(user_id)
    if current is not None:
        username, granted_roles = current.username, current.roles
        granted_status, granted_keys = current.status, (current.box_public, current.sign_public)
    else:  # a new account (or one carried over without a grant: an administrator's fix)
        account = users.account(session, user_id)
        if account is None or roles is None:
            raise AccountError("That account has no signed grant; it cannot be changed.")
        username, granted_roles, granted_status, granted_keys = (
            account.username,
            roles,
            "active",
            (None, None),
        )
    box_public, sign_public = keys if keys is not None else granted_keys
    store.grant(
        session,
        user_id=user_id,
        username=username,
        roles=roles if roles is not None else granted_roles,
        status=status or granted_status,
        box_public=box_public,
        sign_public=sign_public,
        reason=reason,
    )


def _roles(text: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in text.split(",") if r)


def _slot_keys(keystore: Keystore, user_id: str) -> tuple[bytes | None, bytes | None]:
    return crypto.b64d(keystore.public_key(user_id)), keystore.sign_public_key(user_id)


def add_user(
    store: Store, *, username: str, display_name: str, roles: set[Role] | frozenset[Role]
) -> str:
    """Create an account; returns the one-time code the new user signs in with once."""
    admin = require(store, Role.ADMINISTRATOR)
    problem = username_problem(username)
    if problem:
        raise AccountError(problem)
    if not roles:
        raise AccountError("Give the account at least one role.")
    roles = frozenset(roles)
    display_name = clean_display_name(display_name, username=username)
    code, user_id = new_setup_code(), str(uuid.uuid4())
    # The account row and its audit entry commit first, then the slot is saved, both
    # under the key-store lock. A crash in between leaves an account without a slot
    # (shown as not set up; a password reset gives it one), never a slot unaudited.
    with store.keystore_change() as keystore:
        if keystore.has_user(username):
            raise AccountError("An account with that user name already exists.")
        with store.read() as session:
            unfinished = users.by_username(session, normalise_username(username))
        if unfinished is not None and unfinished.status == "revoked":
            raise AccountError(
                "That user name belonged to an account that has been revoked; user names "
                "are not reused. Choose another user name."
            )
        if unfinished is not None:
            raise AccountError(
                "An account with that user name already exists but has no key on this "
                "computer (it was never finished, or its key was lost), so it cannot sign "
                "in. Select it in Users and choose Reset password: it gets a new one-time "
                "code and keeps its records."
            )
        trust = store.load_trust()
        keystore.add_user(  # in memory until the account and its grant are committed
            username=username,
            user_id=user_id,
            secret=code,
            setup_code=True,
            data_keys={keystore.epoch: store.keys.current_key},
            audit_anchor=_anchor_for(store, roles),
            root_public=trust.root_public,
        )
        with store.write() as session:
            users.add_account(
                session,
                user_id=user_id,
                username=normalise_username(username),
                display_name=display_name,
                roles=roles,
                created_at=utcnow(),
                created_by=admin.user_id,
            )
            audit.append(
                session,
                actor_id=admin.user_id,
                action=Action.ACCOUNT_CREATE,
                target_kind="user",
                target_id=user_id,
                detail="roles=" + ",".join(sorted(roles)),
            )
            _regrant(
                store,
                session,
                user_id,
                reason="created",
                roles=roles,
                status="active",
                keys=_slot_keys(keystore, user_id),
            )
            sealed.sync_case_keys(store, session)  # a new administrator: the case keys
        keystore.save()
    return code


def list_users(store: Store) -> list[AccountSummary]:
    require(store, Role.ADMINISTRATOR)
    with store.read() as session:
        accounts = users.all_accounts(session)
    keystore = store.keystore
    in_keystore = set(keystore.user_ids())
    publics = keystore.slot_publics()
    due = store.rotation_due()
    trust = store.load_trust()
    out = []
    for a in accounts:
        row_roles = frozenset(Role(r) for r in a.roles.split(",") if r)
        roles, status, unsigned = row_roles, a.status, False
        if trust.established:
            grant = trust.account(a.id)
            roles, status = (grant.roles, grant.status) if grant else (frozenset(), "disabled")
            slot = publics.get(a.id, {}).get("public")
            unsigned = (
                grant is None
                or (roles, status) != (row_roles, a.status)
                or (slot is not None and crypto.b64d(slot) != grant.box_public)
            )
        out.append(
            AccountSummary(
                user_id=a.id,
                username=a.username,
                display_name=a.display_name,
                roles=roles,
                status=AccountStatus(status),
                locked_out=a.id in in_keystore and keystore.is_locked(a.id),
                created_at=a.created_at,
                key_not_rotated=a.id in due,
                not_set_up=status != "revoked" and a.id not in in_keystore,
                unsigned_change=unsigned,
            )
        )
    return out


def _change_account(
    store: Store, user_id: str, action: Action, *, rotation_due: bool = False, **changes: str
) -> UserAccount:
    admin = require(store, Role.ADMINISTRATOR)
    if user_id == admin.user_id and action in (Action.ACCOUNT_DISABLE, Action.ACCOUNT_REVOKE):
        raise AccountError("You cannot disable or revoke your own account.")
    granted = _granted(store, user_id)
    with store.write() as session:
        if granted is None or granted[1] == "revoked":
            raise AccountError("That account does not exist or has been revoked.")
        account = users.change_account(session, user_id, **changes)
        if account is None:
            raise AccountError("That account does not exist or has been revoked.")
        _regrant(
            store,
            session,
            user_id,
            reason=str(action),
            roles=frozenset(Role(r) for r in changes["roles"].split(","))
            if "roles" in changes
            else None,
            status=changes.get("status"),
        )
        # An account that lost access leaves the restricted cases' current key epochs.
        sealed.sync_case_keys(store, session)
        audit.append(
            session,
            actor_id=admin.user_id,
            action=action,
            target_kind="user",
            target_id=user_id,
            detail=changes.get("roles") and "roles=" + changes["roles"],
        )
        if rotation_due:
            users.mark_rotation_due(session, user_id)
    return account


def _mark_rotation_due(store: Store, user_id: str) -> None:
    with store.write() as session:
        session.connection().exec_driver_sql(
            "INSERT OR IGNORE INTO rotation_due (user_id) VALUES (?)", (user_id,)
        )


def _rotate_if_free(store: Store, progress: Progress | None, should_stop: StopCheck | None) -> None:
    """Rotate the data key now if the store is not open elsewhere and the user does not
    cancel; otherwise it stays due ("Key rotation pending" on the Users page, the store
    on its current key) and the account is refused meanwhile."""
    try:
        store.ensure_exclusive()
        store.rotate_key(progress=progress, should_stop=should_stop)
    except (StoreBusyError, OperationCancelled):
        pass


def disable_user(
    store: Store,
    *,
    user_id: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> None:
    """Disable an account and rotate the data key without it, so its slot (or a copy of
    it) opens nothing written from now on.

    The rotation (minutes on a large store) is told `progress` and polls `should_stop`;
    a cancel, or another window holding the store, leaves the account disabled and the
    rotation due (`key_rotation_pending`): nothing is undone."""
    _change_account(store, user_id, Action.ACCOUNT_DISABLE, rotation_due=True, status="disabled")
    _rotate_if_free(store, progress, should_stop)


def enable_user(store: Store, *, user_id: str) -> None:
    """Enable an account again, giving its slot the current data key (if the slot holds
    the key its grant certifies; otherwise reset its password)."""
    with store.keystore_change() as keystore:
        _change_account(store, user_id, Action.ACCOUNT_ENABLE, status="active")
        if user_id in keystore.user_ids():
            grant = store.load_trust().account(user_id)
            certified = grant.box_public if grant is not None else None
            if not store.trust.established:
                certified = crypto.b64d(keystore.public_key(user_id))
            if keystore.give_data_key(user_id, store.keys.current_key, certified=certified):
                keystore.save()


def set_roles(store: Store, *, user_id: str, roles: set[Role] | frozenset[Role]) -> None:
    if not roles:
        raise AccountError("Give the account at least one role.")
    admin = require(store, Role.ADMINISTRATOR)
    if user_id == admin.user_id and Role.ADMINISTRATOR not in roles:
        raise AccountError("You cannot remove your own administrator role.")
    detail = "roles=" + ",".join(sorted(roles))
    with store.keystore_change() as keystore:
        if user_id not in keystore.user_ids():  # no slot, so no anchor to change
            _change_account(store, user_id, Action.ACCOUNT_ROLES, roles=",".join(sorted(roles)))
            return
        granted = _granted(store, user_id)
        if granted is None or granted[1] == "revoked":
            raise AccountError("That account does not exist or has been revoked.")
        _refuse_uncertified_slot(store, keystore, user_id)
        # The anchor and an intent carrying the new roles are saved first; auditing the
        # intent applies the roles with their signed grant (again at the next unlock,
        # should this crash between; see Store._regrant_roles).
        keystore.set_audit_anchor(user_id, _anchor_for(store, frozenset(roles)))
        keystore.add_intent(
            Action.ACCOUNT_ROLES,
            actor_id=admin.user_id,
            target_id=user_id,
            detail=detail,
            signer=store.signer,
        )
        keystore.save()
        store.commit_intents(keystore)  # applies the roles with their grant
    sealed.reload_trust_then_sync(store)  # a new or former administrator's case keys


def _refuse_uncertified_slot(store: Store, keystore: Keystore, user_id: str) -> None:
    """Nothing is sealed to a slot whose public key its grant does not certify."""
    trust = store.trust
    if not trust.established:
        return
    grant = trust.account(user_id)
    if grant is None or grant.box_public != crypto.b64d(keystore.public_key(user_id)):
        raise AccountError(
            "That account's key slot holds a key its signed grant does not certify (it was "
            "changed outside the application). Reset the account's password to give it new "
            "keys."
        )


def unlock_account(store: Store, *, user_id: str) -> None:
    """Clear a lock-out after too many failed attempts."""
    admin = require(store, Role.ADMINISTRATOR)
    with store.keystore_change() as keystore:
        keystore.clear_failures(user_id)
        keystore.add_intent(
            Action.ACCOUNT_UNLOCK, actor_id=admin.user_id, target_id=user_id, signer=store.signer
        )
        keystore.save()
        store.commit_intents(keystore)


def reset_password(
    store: Store,
    *,
    user_id: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> str:
    """A forgotten password: new keys behind a one-time code. Returns the code.

    The old slot's data key is then rotated away, as `disable_user` does (`progress`,
    `should_stop`): a cancel leaves the rotation due and still returns the code."""
    admin = require(store, Role.ADMINISTRATOR)
    code = new_setup_code()
    with store.keystore_change() as keystore:
        with store.read() as session:
            account = users.account(session, user_id)
        granted = _granted(store, user_id)
        if account is None or granted is None or granted[1] == "revoked":
            raise AccountError("That account does not exist or has been revoked.")
        roles = granted[0]
        data_keys = {keystore.epoch: store.keys.current_key}
        anchor = _anchor_for(store, roles) if granted[1] == "active" else None
        root_public = store.trust.root_public
        had_slot = user_id in keystore.user_ids()
        if had_slot:
            keystore.reissue(
                user_id,
                code=code,
                data_keys=data_keys,
                audit_anchor=anchor,
                root_public=root_public,
            )
        else:  # an account whose adding was interrupted before its slot was saved
            keystore.add_user(
                username=account.username,
                user_id=user_id,
                secret=code,
                setup_code=True,
                data_keys=data_keys,
                audit_anchor=anchor,
                root_public=root_public,
            )
        # The grant of the new keys first: should this stop before the slot is saved,
        # the old slot no longer matches its grant and is refused (reset again).
        with store.write() as session:
            _regrant(store, session, user_id, reason="reset", keys=_slot_keys(keystore, user_id))
            # The new keys receive the case keys; the old ones hold no new epoch.
            sealed.sync_case_keys(store, session)
        keystore.add_intent(
            Action.ACCOUNT_RESET, actor_id=admin.user_id, target_id=user_id, signer=store.signer
        )
        keystore.save()
        store.commit_intents(keystore)
        if had_slot:  # an old copy of the slot (old password) must open nothing new
            _mark_rotation_due(store, user_id)
            _rotate_if_free(store, progress, should_stop)
    return code


def revoke_user(
    store: Store,
    *,
    user_id: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> None:
    """Remove an account for good and rotate the data key, so an old copy of its key
    slot can no longer open the store. Needs no other user's password.

    Refused before anything changes when the store is open elsewhere (the rotation needs
    it to itself). Should the rotation still fail afterwards, or be cancelled
    (`should_stop`; `progress` is told how far it is), the account is already unable to
    sign in, the rotation stays due and `rotate_key` finishes the job."""
    require(store, Role.ADMINISTRATOR)
    store.ensure_exclusive()
    with store.keystore_change() as keystore:
        _change_account(store, user_id, Action.ACCOUNT_REVOKE, rotation_due=True, status="revoked")
        if user_id in keystore.user_ids():
            keystore.remove_user(user_id)
            keystore.save()
        with contextlib.suppress(OperationCancelled):  # still under the lock: nobody
            rotate_key(store, progress=progress, should_stop=should_stop)  # signs in between


def rotate_key(
    store: Store, *, progress: Progress | None = None, should_stop: StopCheck | None = None
) -> None:
    """Re-encrypt the store under a new key for the remaining accounts (administrators).
    Also finishes a rotation a revocation could not complete (Administration menu).
    `progress(done, total)` is told how far it is; `should_stop()` returning True
    cancels it (OperationCancelled), leaving the store on its old key."""
    require(store, Role.ADMINISTRATOR)
    store.rotate_key(progress=progress, should_stop=should_stop)


def key_rotation_pending(store: Store) -> bool:
    """An account was revoked but the data key not rotated since, or a rotation was left
    unfinished: administrators are told, and can finish it with `rotate_key`."""
    require(store, Role.ADMINISTRATOR)
    return store.rotation_pending()


def idle_lock_minutes(store: Store) -> int:
    try:
        return max(1, int(store.setting(IDLE_LOCK_SETTING, str(DEFAULT_IDLE_LOCK_MINUTES))))
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(store: Store, *, minutes: int) -> None:
    admin = require(store, Role.ADMINISTRATOR)
    if not 1 <= minutes <= 240:
        raise AccountError("The idle lock must be between 1 and 240 minutes.")
    with store.write() as session:
        settings.put(session, IDLE_LOCK_SETTING, str(minutes))
        audit.append(
            session,
            actor_id=admin.user_id,
            action=Action.SETTING_CHANGE,
            detail=f"{IDLE_LOCK_SETTING}={minutes}",
        )


def preferences(store: Store) -> dict[str, Any]:
    """The signed-in user's display preferences (text size, theme)."""
    user = signed_in(store)
    with store.read() as session:
        text = users.preferences_text(session, user.user_id)
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def set_preferences(store: Store, **values: str) -> None:
    user = signed_in(store)
    with store.write() as session:
        text = users.preferences_text(session, user.user_id)
        if text is None:
            return
        prefs = json.loads(text or "{}")
        prefs.update(values)
        users.set_preferences_text(session, user.user_id, json.dumps(prefs, sort_keys=True))


def trust_warnings(store: Store) -> list[str]:
    """For administrators: what sign-in found wrong with the signed accounts (grants
    removed, forged or out of place). Empty for everyone else, and when all is well."""
    user = signed_in(store)
    return list(store.trust_warnings) if user.has(Role.ADMINISTRATOR) else []


def members_carry_over_pending(store: Store) -> bool:
    """Restricted cases from before membership was signed wait for an administrator's
    sign-in to carry their members over: until then they open to nobody (Home says so)."""
    signed_in(store)
    with store.read() as session:
        return store.members_carry_over_pending(session)


def root_fingerprint(store: Store) -> str | None:
    """The store's root of trust (its first administrator's signing key) as eight words
    to compare by phone; None in a store not yet carried over to signed accounts."""
    signed_in(store)
    return store.root_fingerprint


def current_user(store: Store) -> SignedIn:
    return signed_in(store)


def data_folder(store: Store) -> Path:
    return store.paths.root
