"""Opening, creating, locking and re-keying the encrypted store.

`Store.unlock` decides what is wrong from the key store first: a slot that does not
open means a wrong password; a slot that opens but a database that does not means a
damaged file. No failure path writes to the database, creates a file over a missing
one, or touches anything but the failure counter in the key store.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from infoshare_desktop.domain.accounts import (
    Role,
    clean_display_name,
    normalise_username,
    password_problem,
)
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import audit, crypto, migrate
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.engine import (
    check_file,
    known_error,
    make_engine,
    raw_connect,
    read_session,
    write_session,
)
from infoshare_desktop.store.errors import (
    AccountDisabledError,
    KeystoreDamagedError,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreExistsError,
    StoreMissingError,
    UnknownUserError,
)
from infoshare_desktop.store.files import atomic_move, translate_os_error
from infoshare_desktop.store.keyslots import Keystore, PasswordRejected, UnlockedKeys
from infoshare_desktop.store.tables import StoreSetting, UserAccount

ROTATING_SUFFIX = ".rotating"


def utcnow() -> datetime:
    return datetime.now(UTC)


def store_exists(paths: DataPaths) -> bool:
    """True when this data folder already has a store (so the app asks to unlock)."""
    return paths.keystore.exists() or paths.database.exists()


@dataclass(frozen=True)
class SignedIn:
    """Who is using the open store."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles


def _prepare_folder(paths: DataPaths) -> None:
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        os.chmod(paths.root, 0o700)
    except OSError as exc:
        raise translate_os_error(exc) from exc


def _remove_leftovers(paths: DataPaths) -> None:
    """A key rotation that crashed before its rename leaves a half-written copy.
    Best effort: a read-only data folder keeps it (and can be read all the same)."""
    with contextlib.suppress(OSError):
        paths.root.joinpath(paths.database.name + ROTATING_SUFFIX).unlink(missing_ok=True)


@contextmanager
def _known_errors() -> Iterator[None]:
    """Environment failures (disk full, busy, damaged...) become StoreErrors a user can
    act on; anything else is a bug and propagates unchanged."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        known = known_error(exc)
        if known is None:
            raise
        raise known from None


class Store:
    """An unlocked store: the engine and the signed-in user's keys, in memory only."""

    def __init__(self, paths: DataPaths, keys: UnlockedKeys) -> None:
        self.paths = paths
        self._keys: UnlockedKeys | None = keys
        self._engine: Engine | None = make_engine(paths.database, keys.current_key)
        self.user: SignedIn | None = None

    # -- lifecycle ----------------------------------------------------------------------
    @classmethod
    def create(cls, paths: DataPaths, *, username: str, display_name: str, password: str) -> Store:
        """First run: a new store and its first administrator."""
        if store_exists(paths):
            raise StoreExistsError()
        display_name = clean_display_name(display_name, username=username)
        problem = password_problem(password, username=username)
        if problem:
            raise PasswordRejected(problem)
        _prepare_folder(paths)
        keystore = Keystore.create(paths.keystore)
        data_key, anchor, user_id = crypto.random_key(), crypto.random_key(), str(uuid.uuid4())
        building = paths.root / (paths.database.name + ".new")
        building.unlink(missing_ok=True)
        try:
            raw_connect(building, data_key, create=True).close()
            os.chmod(building, 0o600)
            engine = make_engine(building, data_key)
            try:
                with engine.begin() as conn:
                    migrate.upgrade(conn)
                with write_session(engine) as session:
                    audit.start_chain(session, anchor)
                    session.add(
                        UserAccount(
                            id=user_id,
                            username=normalise_username(username),
                            display_name=display_name,
                            roles=",".join(Role),
                            status="active",
                            created_at=utcnow(),
                        )
                    )
                    audit.append(session, actor_id=user_id, action=Action.STORE_CREATE)
                    audit.append(
                        session,
                        actor_id=user_id,
                        action=Action.ACCOUNT_CREATE,
                        target_kind="user",
                        target_id=user_id,
                    )
            finally:
                engine.dispose()
            keystore.add_user(
                username=username,
                user_id=user_id,
                secret=password,
                setup_code=False,
                data_keys={keystore.epoch: data_key},
                audit_anchor=anchor,
            )
            keystore.save()
            atomic_move(building, paths.database)
        except BaseException:
            building.unlink(missing_ok=True)
            if not paths.database.exists():  # never leave a key store without its database
                paths.keystore.unlink(missing_ok=True)
            raise
        return cls.unlock(paths, username=username, password=password)

    @classmethod
    def unlock(
        cls,
        paths: DataPaths,
        *,
        username: str,
        password: str,
        new_password: str | None = None,
    ) -> Store:
        """Open the store for one user. Every failure is a StoreError subclass."""
        if not paths.keystore.exists():
            if paths.database.exists():
                raise KeystoreDamagedError()
            raise StoreMissingError()
        keystore = Keystore.load(paths.keystore)
        check_file(paths.database)
        if not keystore.has_user(username):
            raise UnknownUserError()
        keys = keystore.unlock(username, password, new_password=new_password)
        cls._open_matching_key(paths, keystore, keys)
        store = cls(paths, keys)
        try:
            # Account status first: a disabled account changes no file, not even its slot.
            store.user = store._load_user(keys.user_id)
            if keys.slot_changed:
                keystore.save()
            store._migrate_if_needed()
            with store.write() as session:
                if keys.failures_since_last:
                    audit.append(
                        session,
                        actor_id=keys.user_id,
                        action=Action.UNLOCK_FAILED,
                        target_kind="user",
                        target_id=keys.user_id,
                        detail=f"failed_attempts={keys.failures_since_last}",
                    )
                if new_password is not None:
                    audit.append(
                        session,
                        actor_id=keys.user_id,
                        action=Action.PASSWORD_CHANGE,
                        target_kind="user",
                        target_id=keys.user_id,
                        detail="first_sign_in",
                    )
                audit.append(session, actor_id=keys.user_id, action=Action.UNLOCK)
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def _open_matching_key(paths: DataPaths, keystore: Keystore, keys: UnlockedKeys) -> None:
        """Find the key the database is under; finish or undo an interrupted rotation."""
        _remove_leftovers(paths)
        for epoch in sorted(keys.data_keys, reverse=True):
            try:
                raw_connect(paths.database, keys.data_keys[epoch]).close()
            except StoreDamagedError:
                continue
            if keystore.pending_epoch is not None:
                if epoch == keystore.pending_epoch:
                    keystore.finish_rotation()
                else:
                    keystore.cancel_rotation()
            keys.data_keys = {epoch: keys.data_keys[epoch]}
            return
        raise StoreDamagedError()

    def _migrate_if_needed(self) -> None:
        with self.engine.connect() as conn:
            needed = migrate.pending(conn)
        if not needed:
            return
        from infoshare_desktop.store.backup import write_backup

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        write_backup(self, self.paths.backups / f"before-migration-{stamp}.isbackup")
        with self.engine.begin() as conn:
            migrate.upgrade(conn)

    def _load_user(self, user_id: str) -> SignedIn:
        with self.read() as session:
            account = session.get(UserAccount, user_id)
        if account is None:
            raise UnknownUserError()
        if account.status != "active":
            raise AccountDisabledError()
        return SignedIn(
            user_id=account.id,
            username=account.username,
            display_name=account.display_name,
            roles=frozenset(Role(r) for r in account.roles.split(",") if r),
        )

    def close(self) -> None:
        """Dispose of the engine and forget the keys (lock, sign out, exit)."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._keys = None

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    def lock(self, action: Action = Action.LOCK) -> None:
        """Record the lock (or sign-out) in the audit trail, then close."""
        if self._engine is not None and self.user is not None:
            try:
                with self.write() as session:
                    audit.append(session, actor_id=self.user.user_id, action=action)
            except StoreError:
                pass  # a lock must always succeed; the store stays consistent
        self.close()

    @property
    def keystore(self) -> Keystore:
        """The key store as it is on disk now. Load it afresh for each change, so that
        two windows or programs never save over each other's slots with a stale copy."""
        return Keystore.load(self.paths.keystore)

    # -- sessions -------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise StoreError("The store is locked. Unlock it to continue.")
        return self._engine

    @property
    def keys(self) -> UnlockedKeys:
        if self._keys is None:
            raise StoreError("The store is locked. Unlock it to continue.")
        return self._keys

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; known database failures become StoreErrors."""
        with _known_errors(), write_session(self.engine) as session:
            yield session

    @contextmanager
    def write_direct(self) -> Iterator[Any]:
        """One write transaction on a pooled DB-API connection, without a Session: the
        record saves, where SQLAlchemy's own bookkeeping would cost as much as the
        durable commit. Commits on success, rolls back on any error."""
        with _known_errors():
            pooled = self.engine.raw_connection()
            try:
                raw = pooled.dbapi_connection
                raw.execute("BEGIN IMMEDIATE")
                try:
                    yield raw
                    raw.execute("COMMIT")
                except BaseException:
                    if raw.in_transaction:
                        raw.execute("ROLLBACK")
                    raise
            finally:
                pooled.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction; known database failures become StoreErrors."""
        with _known_errors(), read_session(self.engine) as session:
            yield session

    # -- settings ---------------------------------------------------------------------------
    def setting(self, name: str, default: str) -> str:
        with self.read() as session:
            row = session.get(StoreSetting, name)
        return row.value if row else default

    # -- key rotation -----------------------------------------------------------------------
    def ensure_exclusive(self) -> None:
        """Raise StoreBusyError if another window or program has the database open
        (a key rotation needs it to itself). Closes and reopens this store's engine."""
        keys = self.keys
        self.close()
        try:
            wal = self.paths.sidecars()[0]
            if wal.exists() and wal.stat().st_size:
                raise StoreBusyError(
                    "The store is open in another window or program. Close it there first, "
                    "then try again."
                )
        finally:
            self._keys = keys
            self._engine = make_engine(self.paths.database, keys.current_key)

    def rotate_key(self) -> None:
        """Re-encrypt the database under a new key sealed to every remaining slot.

        Crash-safe: the key store holds both keys until the re-keyed copy has replaced
        the database, and `unlock` finishes or undoes an interrupted rotation.
        """
        keys, keystore = self.keys, self.keystore
        old_epoch, old_key, new_key = keystore.epoch, keys.current_key, crypto.random_key()
        rotating = self.paths.root / (self.paths.database.name + ROTATING_SUFFIX)
        self.close()
        try:
            if any(p.exists() and p.stat().st_size for p in self.paths.sidecars()[:1]):
                raise StoreBusyError()  # another program has the database open
            copy_database(self.paths.database, keys.current_key, rotating, new_key)
            new_epoch = keystore.begin_rotation(new_key)
            for sidecar in self.paths.sidecars():
                sidecar.unlink(missing_ok=True)
            atomic_move(rotating, self.paths.database)
            keystore.finish_rotation()
            keys.data_keys = {new_epoch: new_key}
        except BaseException:
            rotating.unlink(missing_ok=True)
            pending = keystore.pending_epoch
            if pending is not None:  # settle on whichever key the database is under
                keys.data_keys = {old_epoch: old_key, pending: new_key}
                self._open_matching_key(self.paths, keystore, keys)
            raise
        finally:
            self._keys = keys
            self._engine = make_engine(self.paths.database, keys.current_key)


def copy_database(source: Path, source_key: bytes, dest: Path, dest_key: bytes) -> None:
    """Copy a whole database into a new file under another key (SQLite's backup API)."""
    dest.unlink(missing_ok=True)
    try:
        src = raw_connect(source, source_key)
        try:
            target = raw_connect(dest, dest_key, create=True)
            try:
                src.backup(target)
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                target.close()
        finally:
            src.close()
        os.chmod(dest, 0o600)
        raw_connect(dest, dest_key).close()
    except OSError as exc:
        dest.unlink(missing_ok=True)
        raise translate_os_error(exc) from exc
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
