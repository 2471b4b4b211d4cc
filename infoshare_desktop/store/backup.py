"""Backups and restore.

A backup is one file holding:
- the database, copied with SQLite's backup API under its own random key;
- `keystore.json`: the same users' slots, with that backup key sealed to each, so the
  same people open it with their own passwords;
- `manifest.json`: format, application version, when, and the audit chain head at the
  time of the copy (ids and hashes only).
Since format version 2 the database is the start of the file and the two JSON files a
zip archive appended to it (see store.snapshot); in version 1 the whole file was a zip
archive with the database as its member `infoshare.db`. Both are read here.

A backup is verified (every page's HMAC read back, page count and chain head) before it
is renamed into place (writing one is store.snapshot's, below store.core, which backs up
before a migration). A restore checks the backup with the user's password first, copies
its database into a staging folder under a new data key in one pass with SQLite's
structure check beside it (see restore_backup), and never overwrites the current store:
it is moved aside into `backups/replaced-<time>/`. The restored store takes a new device
id (the backup's may still be writing where it was made: see store.device).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import zipfile
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import audit, crypto, device, grants, signing
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.checkpoint import FOLDER as CHECKPOINTS
from infoshare_desktop.store.core import Store, store_exists
from infoshare_desktop.store.engine import check_file, raw_connect, read_only_connect
from infoshare_desktop.store.errors import (
    KeystoreDamagedError,
    PermissionDenied,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreMissingError,
    WrongPasswordError,
)
from infoshare_desktop.store.files import (
    atomic_move,
    fsync_dir,
    owner_only,
    translate_os_error,
)
from infoshare_desktop.store.keyslots import Keystore, UnlockedKeys, holding_lock
from infoshare_desktop.store.leftovers import (
    RESTORE_PREFIX,
    temp_folder,
)
from infoshare_desktop.store.progress import Progress, Stages, StopCheck, check_stop
from infoshare_desktop.store.snapshot import (
    DB_MEMBER,
    FORMAT,
    KEYSTORE_MEMBER,
    MANIFEST_MEMBER,
    copy_database,
    rotated_epoch,
)
from infoshare_desktop.store.tables import UserAccount

#: How a restore's work divides (measured: extracting a version 1 backup's database, a
#: byte copy, costs about a fifth of copying it under the new key; the structure check
#: runs beside the copy).
EXTRACT_WEIGHT, COPY_WEIGHT = 1, 5
#: A version 1 backup's database, extracted into the staging folder to be copied.
V1_EXTRACTED = "extracted.db"


class BackupInvalidError(StoreError):
    user_message = (
        "That file is not an InfoShare backup, or it is damaged. Nothing has been changed."
    )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def write_backup(
    store: Store,
    dest: Path,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> audit.ChainHead:
    """Write a verified backup of the open store to `dest` atomically (Store.write_backup)."""
    return store.write_backup(dest, progress=progress, should_stop=should_stop)


def read_manifest(src: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(src) as zf:
            manifest: dict[str, Any] = json.loads(zf.read(MANIFEST_MEMBER))
            names = set(zf.namelist())
            archive_start = min(info.header_offset for info in zf.infolist())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise BackupInvalidError() from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupInvalidError()
    if KEYSTORE_MEMBER not in names:
        raise BackupInvalidError()
    if manifest.get("version") == 1:
        if DB_MEMBER not in names:
            raise BackupInvalidError()
    else:
        size = manifest.get("database_bytes")
        # The database fills the file up to the archive, in whole pages.
        if not isinstance(size, int) or size <= 0 or size % 512 or size > archive_start:
            raise BackupInvalidError()
    return manifest


#: Copied in pieces of this size, with progress and cancel between them.
CHUNK_BYTES = 8 << 20


def _extract_database(
    src: Path,
    manifest: dict[str, Any],
    dest: Path,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> None:
    """The backup's database, still under the backup key, into `dest`: a byte copy of
    the start of the file (version 2) or of the zip member (version 1)."""
    try:
        with contextlib.ExitStack() as stack:
            if manifest.get("version") == 1:
                zf = stack.enter_context(zipfile.ZipFile(src))
                total = zf.getinfo(DB_MEMBER).file_size
                reader = stack.enter_context(zf.open(DB_MEMBER))
            else:
                total = int(manifest["database_bytes"])
                reader = stack.enter_context(src.open("rb"))
            writer = stack.enter_context(dest.open("xb"))
            owner_only(dest)
            done = 0
            while done < total:
                check_stop(should_stop)
                chunk = reader.read(min(CHUNK_BYTES, total - done))
                if not chunk:
                    raise BackupInvalidError()  # shorter than its manifest says
                writer.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise BackupInvalidError() from exc


class BackupOfAnotherStoreError(StoreError):
    user_message = (
        "That backup is of another InfoShare store, not of this one, so it cannot be "
        "restored here. Nothing has been changed."
    )


class BackupPasswordError(StoreError):
    user_message = (
        "Your password opened the current store but not that backup: the backup was made "
        "when your account had another password, or before your account existed. Ask an "
        "administrator who can open it to restore it. Nothing has been changed."
    )


class CurrentKeystoreUnreadableError(StoreError):
    user_message = (
        "The current key store cannot be read, so a restore cannot check that you are an "
        "administrator of this store. Nothing has been changed. Move the data folder's "
        "files somewhere safe (keep them), then restore the backup into the empty folder."
    )


NOT_CURRENT_ADMIN = (
    "Restoring a backup needs an active administrator account of the current store. "
    "Nothing has been changed."
)
NOT_BACKUP_ADMIN = (
    "Your account is not an active administrator in that backup, so it cannot be restored "
    "with your account. Nothing has been changed."
)


@dataclass(frozen=True)
class CurrentStore:
    """What a restore needs to know about the store it replaces (read without writing)."""

    store_id: str
    audit_head: str | None  # None when the database cannot be read
    slots: frozenset[str]  # user ids with a key slot now
    accounts: dict[str, tuple[str, str]] | None  # user id -> (user name, status), if readable


@dataclass(frozen=True)
class RestorePlan:
    """What a restore will change: shown before it, and recorded in its audit entry."""

    created_at: str
    backup_head: str
    current_head: str | None
    replaces_store: bool
    removed: tuple[str, ...] = ()
    """User names in the backup whose accounts were revoked since (or whose slots are
    gone, when the current database cannot be read): their slots are dropped from the
    restored store and their accounts marked revoked."""
    disabled: tuple[str, ...] = ()
    """User names active in the backup but disabled now: they stay disabled."""
    not_in_backup: tuple[str, ...] = ()
    """User names of the current store that the backup does not have (added since)."""
    revoke_ids: tuple[str, ...] = field(default=(), repr=False)
    disable_ids: tuple[str, ...] = field(default=(), repr=False)

    def lines(self) -> list[str]:
        out = [
            f"Backup made: {_readable_time(self.created_at)}",
            f"Audit trail head in the backup: {self.backup_head}",
        ]
        if self.replaces_store:
            out.append(
                f"Audit trail head of the current store: {self.current_head or 'unreadable'}"
            )
        if self.removed:
            out.append(
                "Accounts revoked since the backup, removed from the restored store: "
                + ", ".join(self.removed)
            )
        if self.disabled:
            out.append(
                "Accounts disabled since the backup, which stay disabled: "
                + ", ".join(self.disabled)
            )
        if self.not_in_backup:
            out.append(
                "Accounts added since the backup, which will no longer exist: "
                + ", ".join(self.not_in_backup)
            )
        out.append("The data key is changed straight after, for the remaining accounts only.")
        if self.replaces_store:
            out.append(
                "The current store is not deleted: it is kept aside under "
                "backups/replaced-<time>/ in the data folder."
            )
        return out


def _readable_time(iso: str) -> str:
    try:
        at = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso
    return f"{at:%d %b %Y, %H:%M} UTC"


def _is_admin(roles: str, status: str) -> bool:
    return status == "active" and Role.ADMINISTRATOR.value in roles.split(",")


def _accounts(conn: Any, store_id: str) -> list[tuple[str, str, str, str]]:
    """(id, user name, roles, status) of every account: from the signed grants where the
    store has them (an edited row grants nothing), else from the rows of a store from
    before signed identity."""
    rows = conn.execute("SELECT id, username, roles, status FROM user_account").fetchall()
    trust = grants.load(conn, store_id)
    if not trust.established:
        return [tuple(r) for r in rows]
    out = []
    for user_id, username, _roles, _status in rows:
        grant = trust.account(user_id)
        if grant is None:
            out.append((user_id, username, "", "disabled"))
        else:
            out.append((user_id, username, ",".join(sorted(grant.roles)), grant.status))
    return out


def current_store_admin(paths: DataPaths, *, username: str, password: str) -> CurrentStore:
    """Check that `username` is an active administrator of the store in `paths`, writing
    nothing but a failed attempt. Raises a StoreError when not.

    When the database cannot be opened (damaged or missing, which is when a restore is
    most needed), the key store decides: only administrators' slots hold the audit
    anchor."""
    # As at sign-in, the slot is read and a failure counted under the key-store lock,
    # on the current file: parallel tries are all counted and the delay holds.
    with contextlib.ExitStack() as stack:
        try:
            keystore = stack.enter_context(Keystore.transaction(paths.keystore))
        except KeystoreDamagedError:
            raise CurrentKeystoreUnreadableError() from None
        keys = keystore.unlock(username, password)
    slots = frozenset(keystore.user_ids())
    for _epoch, key in sorted(keys.data_keys.items(), reverse=True):
        try:
            check_file(paths.database)
            conn = raw_connect(paths.database, key)
        except (StoreDamagedError, StoreMissingError):
            continue
        try:
            rows = _accounts(conn, keystore.store_id)
            state = conn.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
        finally:
            conn.close()
        me = next((row for row in rows if row[0] == keys.user_id), None)
        if me is None or not _is_admin(me[2], me[3]):
            raise PermissionDenied(NOT_CURRENT_ADMIN)
        head = audit.ChainHead(state[0], bytes(state[1])).short if state else None
        accounts = {row[0]: (row[1], row[3]) for row in rows}
        return CurrentStore(keystore.store_id, head, slots, accounts)
    if keys.audit_anchor is None:
        raise PermissionDenied(NOT_CURRENT_ADMIN)
    return CurrentStore(keystore.store_id, None, slots, None)


@dataclass(frozen=True)
class _Staged:
    """A backup checked and copied into a staging folder under a new key."""

    plan: RestorePlan
    keystore: Keystore  # the backup's, in the staging folder
    keys: UnlockedKeys  # the restoring user's, from it
    certified: dict[str, bytes]  # who may hold the new key (see begin_rotation)
    dropped: frozenset[str]  # slots to remove: revoked now, or already in the backup


#: How often a restore waiting for its structure check looks for a cancel.
CANCEL_POLL_SECONDS = 0.1


def _check_beside(
    database: Path, key: bytes, store_id: str, *, in_place: bool
) -> tuple[futures.Future[tuple[list[Any], grants.Trust]], list[Any], ThreadPoolExecutor]:
    """SQLite's integrity_check of a backup's database, then its accounts and signed
    grants, started on their own connection in a thread (kept for a cancel to interrupt
    it). Raises BackupInvalidError from the future for a database that fails it."""
    opened: list[Any] = []

    def run() -> tuple[list[Any], grants.Trust]:
        conn = (read_only_connect if in_place else raw_connect)(database, key)
        opened.append(conn)
        try:
            if any(row[0] != "ok" for row in conn.execute("PRAGMA integrity_check")):
                raise BackupInvalidError()
            return _accounts(conn, store_id), grants.load(conn, store_id)
        finally:
            conn.close()

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="restore-check")
    return pool.submit(run), opened, pool


def _stage_backup(
    paths: DataPaths,
    src: Path,
    staging: Path,
    new_key: bytes,
    *,
    username: str,
    password: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> _Staged:
    """Check the backup against the current store and the user, copy its database into
    `staging` under `new_key` in one pass (every page's HMAC is checked as it is read)
    and check its structure; returns what restoring it would change.

    A version 2 backup's database is the start of the file: it is checked and copied
    where it is, the check (SQLite's integrity_check, in C with the GIL released) on its
    own connection in a thread beside the copy, so the two take both cores and the
    staging folder holds one copy of the store. A version 1 backup's database is a zip
    member, extracted first (a second copy, removed once copied)."""
    stages = Stages(progress, (EXTRACT_WEIGHT, COPY_WEIGHT))
    manifest = read_manifest(src)
    current = None
    if store_exists(paths):
        current = current_store_admin(paths, username=username, password=password)
        if manifest.get("store_id") != current.store_id:
            raise BackupOfAnotherStoreError()
    try:
        with zipfile.ZipFile(src) as zf:
            zf.extract(KEYSTORE_MEMBER, staging)
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise BackupInvalidError() from exc
    keystore = Keystore.load(staging / KEYSTORE_MEMBER)
    if keystore.store_id != manifest.get("store_id"):
        raise BackupOfAnotherStoreError()
    if not keystore.has_user(username):
        raise BackupPasswordError()
    try:
        keys = keystore.unlock(username, password)
    except WrongPasswordError:
        raise BackupPasswordError() from None
    source, in_place = src, manifest.get("version") != 1
    if not in_place:
        source = staging / V1_EXTRACTED
        _extract_database(src, manifest, source, progress=stages.stage(0), should_stop=should_stop)
    stages.done(0)
    check_stop(should_stop)
    try:
        checked, opened, pool = _check_beside(
            source, keys.current_key, keystore.store_id, in_place=in_place
        )
        try:
            copy_database(
                source,
                keys.current_key,
                staging / DB_MEMBER,
                new_key,
                progress=stages.stage(1),
                should_stop=should_stop,
                read_only=in_place,
            )
            while not checked.done():  # the check may outlast the copy: keep polling
                check_stop(should_stop)
                futures.wait([checked], timeout=CANCEL_POLL_SECONDS)
            rows, trust = checked.result()
        except BaseException:
            for conn in opened:  # a cancel (or a failure) stops the check too
                with contextlib.suppress(Exception):
                    conn.interrupt()
            raise
        finally:
            pool.shutdown(wait=True)
    except (StoreDamagedError, sqlcipher3.DatabaseError):  # pages that fail their HMAC
        raise BackupInvalidError() from None
    finally:
        if not in_place:
            source.unlink(missing_ok=True)
    stages.done(1)
    check_stop(should_stop)
    backup_accounts = {row[0]: (row[1], row[2], row[3]) for row in rows}
    me = backup_accounts.get(keys.user_id)
    if me is None or not _is_admin(me[1], me[2]):
        raise PermissionDenied(NOT_BACKUP_ADMIN)
    plan = _plan(manifest, current, keystore, keys, backup_accounts)
    # As a rotation would after the restore's own changes: slots of accounts revoked
    # (now, or already in the backup) go; the new key is sealed only to accounts still
    # active once the restore has revoked and disabled what it must.
    revoked = {u for u, (_name, _roles, status) in backup_accounts.items() if status == "revoked"}
    dropped = frozenset(revoked | set(plan.revoke_ids))
    gone = dropped | set(plan.disable_ids)
    if trust.established:
        active = trust.active_box_keys()
    else:  # a store from before signed identity: its rows, and the slots' own keys
        active = {
            u: crypto.b64d(keystore.public_key(u))
            for u in keystore.user_ids()
            if backup_accounts.get(u, ("", "", ""))[2] == "active"
        }
    certified = {u: k for u, k in active.items() if u not in gone}
    return _Staged(plan, keystore, keys, certified, dropped)


def _plan(
    manifest: dict[str, Any],
    current: CurrentStore | None,
    keystore: Keystore,
    keys: UnlockedKeys,
    backup_accounts: dict[str, tuple[str, str, str]],
) -> RestorePlan:
    plan = RestorePlan(
        created_at=str(manifest.get("created_at", "unknown")),
        backup_head=str(manifest.get("audit_head", "unknown")),
        current_head=current.audit_head if current else None,
        replaces_store=current is not None,
    )
    if current is None:
        return plan
    revoke, disable = [], []
    for user_id in sorted(keystore.user_ids()):
        if current.accounts is None:
            gone = user_id not in current.slots
            now = None
        else:
            now = current.accounts.get(user_id, (None, None))[1]
            gone = now in (None, "revoked")
        if gone:
            revoke.append(user_id)
        elif now == "disabled" and backup_accounts.get(user_id, ("", "", ""))[2] == "active":
            disable.append(user_id)
    added = sorted(
        name
        for uid, (name, status) in (current.accounts or {}).items()
        if uid not in backup_accounts and status != "revoked"
    )
    if keys.user_id in revoke:  # cannot happen: the user has a slot now and is active
        raise PermissionDenied(NOT_CURRENT_ADMIN)

    def names(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(backup_accounts.get(i, ("(no account)",))[0] for i in ids))

    plan = replace(
        plan,
        removed=names(revoke),
        disabled=names(disable),
        not_in_backup=tuple(added),
        revoke_ids=tuple(revoke),
        disable_ids=tuple(disable),
    )
    return plan


def _staging(paths: DataPaths) -> AbstractContextManager[Path]:
    return temp_folder(paths, paths.root, RESTORE_PREFIX)


def plan_restore(
    paths: DataPaths,
    src: Path,
    *,
    username: str,
    password: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> RestorePlan:
    """Every check a restore makes, and what it would change; changes nothing."""
    try:
        with crypto.deriving_once(), _staging(paths) as staging:
            # The same copy as a restore's, under a key nobody keeps: every page is read
            # and its HMAC checked, with a progress bar, beside the structure check.
            return _stage_backup(
                paths,
                src,
                staging,
                crypto.random_key(),
                username=username,
                password=password,
                progress=progress,
                should_stop=should_stop,
            ).plan
    except OSError as exc:
        raise translate_os_error(exc) from exc


def restore_backup(
    paths: DataPaths,
    src: Path,
    *,
    username: str,
    password: str,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Store:
    """Replace the current store with a backup of it, keeping the current one aside.

    The user must be an active administrator of the current store (checked first,
    writing nothing) and of the backup, and the backup must be of this store. Accounts
    revoked since the backup lose their slots and are marked revoked, those disabled
    since stay disabled, and the data key is rotated, all in the staging folder before
    anything in the data folder changes: a revoked user's slot in the backup file never
    opens the restored store.

    The rotation is the staging copy itself: the backup's database is copied under the
    new data key in one pass, and the staged key store holds that key as a rotation
    begun (sealed to the remaining active accounts), which unlocking the staged store
    finishes and audits, as after a rotation interrupted at that point.

    The current key store's lock is held from the first check to the swap, so no
    sign-in, account change or key rotation runs in between: what the plan says about
    the current accounts is still true when the backup replaces them. The password is
    stretched once for the current key store, the backup's and the restored store's.

    `progress` and `should_stop` are polled throughout the copying and checking; a
    cancel before the swap leaves everything as it was."""
    try:
        with (
            crypto.deriving_once(),
            _staging(paths) as staging,
            holding_lock(paths.keystore),
        ):
            new_key = crypto.random_key()
            staged = _stage_backup(
                paths,
                src,
                staging,
                new_key,
                username=username,
                password=password,
                progress=progress,
                should_stop=should_stop,
            )
            plan = staged.plan
            _begin_staged_rotation(staging / DB_MEMBER, new_key, staged)
            kept = _reserve_kept(paths) if plan.replaces_store else None
            try:
                _settle_staged(
                    DataPaths(staging),
                    paths,
                    plan,
                    kept.name if kept else None,
                    username=username,
                    password=password,
                )
                check_stop(should_stop)  # the last moment a cancel changes nothing
                _set_current_aside(paths, kept)
                atomic_move(staging / KEYSTORE_MEMBER, paths.keystore)
                atomic_move(staging / DB_MEMBER, paths.database)
            except BaseException:
                if kept is not None:  # only if nothing was moved into it
                    with contextlib.suppress(OSError):
                        kept.rmdir()
                raise
            return Store.unlock(paths, username=username, password=password)
    except OSError as exc:
        raise translate_os_error(exc) from exc


def _begin_staged_rotation(database: Path, new_key: bytes, staged: _Staged) -> None:
    """The staged copy (already under `new_key`) records its new epoch and that no
    revocation waits for a rotation; the staged key store drops the slots that go and
    holds `new_key` as a rotation begun (Store._rotate_locked does the same, in the same
    order, for a rotation in place)."""
    keystore, keys = staged.keystore, staged.keys
    for user_id in sorted(staged.dropped & set(keystore.user_ids())):
        keystore.remove_user(user_id)
    keystore.save()
    conn = raw_connect(database, new_key)
    try:
        rotated_epoch(conn, keystore.epoch + 1)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    signer = signing.Signer(keys.user_id, keys.sign_private) if keys.sign_private else None
    keystore.begin_rotation(
        new_key, actor_id=keys.user_id, certified=staged.certified, signer=signer
    )


def _settle_staged(
    staged: DataPaths,
    home: DataPaths,
    plan: RestorePlan,
    kept_name: str | None,
    *,
    username: str,
    password: str,
) -> None:
    """In the staging folder: open the restored store (which finishes the rotation the
    staging began, see restore_backup), record the restore, take a new device id for
    `home` (the backup's own may be in use where it was made: see device), and mark
    revoked and disabled accounts."""
    store = Store.unlock(staged, username=username, password=password, bind_device=False)
    try:
        actor = store.keys.user_id
        trust = store.load_trust()
        with store.write() as session:
            detail = f"backup_head={plan.backup_head};current_head={plan.current_head or '?'}"
            if kept_name:
                detail += f";previous_kept={kept_name}"
            audit.append(session, actor_id=actor, action=Action.RESTORE, detail=detail)
            device.renew(
                session,
                actor_id=actor,
                reason="restore",
                bound_to=device.binding(store.keystore.store_id, home.root),
            )
            changes = [(u, "revoked", Action.ACCOUNT_REVOKE) for u in plan.revoke_ids]
            changes += [(u, "disabled", Action.ACCOUNT_DISABLE) for u in plan.disable_ids]
            for user_id, status, action in changes:
                account = session.get(UserAccount, user_id)
                if account is not None:
                    account.status = status
                    session.add(account)
                grant = trust.account(user_id)
                if grant is not None:
                    kept = status != "revoked"
                    store.grant(
                        session,
                        user_id=user_id,
                        username=grant.username,
                        roles=grant.roles,
                        status=status,
                        box_public=grant.box_public if kept else None,
                        sign_public=grant.sign_public if kept else None,
                        reason="restore",
                    )
                audit.append(
                    session,
                    actor_id=actor,
                    action=action,
                    target_kind="user",
                    target_id=user_id,
                    detail="restore",
                )
        store.vouch_checkpoints()
    finally:
        store.close()


def _reserve_kept(paths: DataPaths) -> Path:
    """A new, empty backups/replaced-<time>/ folder of this restore's own: never one an
    earlier restore kept a store in (even one in the same clock tick)."""
    paths.backups.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    for n in itertools.count(1):
        kept = paths.backups / (f"replaced-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            kept.mkdir(exist_ok=False)
        except FileExistsError:
            continue
        return kept
    raise AssertionError("unreachable")


def _set_current_aside(paths: DataPaths, kept: Path | None) -> Path | None:
    """Move the current database and key store into `kept` (see _reserve_kept)."""
    present = [p for p in (paths.database, paths.keystore) if p.exists()]
    if not present or kept is None:
        return None
    wal = paths.sidecars()[0]
    if wal.exists() and wal.stat().st_size:
        raise StoreBusyError()
    for path in present:
        atomic_move(path, kept / path.name)
    for sidecar in paths.sidecars():
        sidecar.unlink(missing_ok=True)
    checkpoints = paths.root / CHECKPOINTS
    if checkpoints.exists():  # they describe the store set aside, not the one restored
        atomic_move(checkpoints, kept / CHECKPOINTS)
    fsync_dir(paths.root)
    return kept
