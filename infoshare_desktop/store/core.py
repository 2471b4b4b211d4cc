"""Opening, creating, locking and re-keying the encrypted store.

`Store.unlock` decides what is wrong from the key store first: a slot that does not
open means a wrong password; a slot that opens but a database that does not means a
damaged file. No failure path writes to the database, creates a file over a missing
one, or touches anything but the failure counter in the key store, with one exception:
a slot older than the database recorded for its account, or an account the database
says is locked out (an older `keystore.json` put back, see slot_state), is refused with
an audit entry saying so (ids and numbers only), and a lock-out is put back in the slot.

Every key-store change runs inside `Keystore.transaction` (an exclusive OS file lock,
the file re-read inside it): an unlock holds it from reading the slot to saving it, a
key rotation from its first step to its last. Changes that need an audit entry leave an
intent in the key store first; `commit_intents` audits them exactly once (see
keyslots). After every commit the signed-in user's checkpoint advances, and an unlock
refuses a database or key store older than one already seen (see checkpoint).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Engine
from sqlmodel import Session

from infoshare_desktop.domain.accounts import (
    Role,
    clean_display_name,
    normalise_username,
    password_problem,
)
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import (
    audit,
    crypto,
    device,
    envelopes,
    grants,
    member_carry,
    migrate,
    sealing,
    signing,
    slot_state,
)
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.checkpoint import Checkpointer, CheckpointTampered, Seen
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
    AccountLockedError,
    IdentityRefusedError,
    KeystoreDamagedError,
    OperationCancelled,
    RollbackDetectedError,
    StaleKeySlotError,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreExistsError,
    StoreMissingError,
    StoreReadOnlyError,
    StoreUpdateFailedError,
    UnknownUserError,
    UpgradeNeeded,
)
from infoshare_desktop.store.files import atomic_move, owner_only, translate_os_error
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.keyslots import (
    Intent,
    Keystore,
    PasswordRejected,
    UnlockedKeys,
    holding_lock,
)
from infoshare_desktop.store.member_index import MemberIndex
from infoshare_desktop.store.progress import Progress, Stages, StopCheck
from infoshare_desktop.store.snapshot import copy_database, rotated_epoch, write_archive
from infoshare_desktop.store.tables import StoreSetting, UserAccount
from infoshare_desktop.store.writes import raw_connection

log = logging.getLogger("infoshare")

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
        owner_only(paths.root)
    except OSError as exc:
        raise translate_os_error(exc) from exc


def _remove_leftovers(paths: DataPaths) -> None:
    """A key rotation that crashed before its rename leaves a half-written copy.
    Best effort: a read-only data folder keeps it (and can be read all the same)."""
    with contextlib.suppress(OSError):
        paths.root.joinpath(paths.database.name + ROTATING_SUFFIX).unlink(missing_ok=True)


@contextmanager
def _keystore_transaction(paths: DataPaths, username: str, password: str) -> Iterator[Keystore]:
    """`Keystore.transaction` for a sign-in. In a data folder that cannot be written to
    (not even the lock file), the password is still checked on the file as it is, so a
    wrong one is reported as such, saying that the attempt could not be recorded; a
    right one gets the plain read-only message."""
    with contextlib.ExitStack() as stack:
        try:
            keystore = stack.enter_context(Keystore.transaction(paths.keystore))
        except StoreReadOnlyError:
            unlocked = Keystore.load(paths.keystore)
            if not unlocked.has_user(username):
                raise UnknownUserError() from None
            unlocked.unlock(username, password)  # a wrong password: WrongPasswordError
            raise
        yield keystore


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


def _seen(raw: Any) -> Seen:
    """The audit chain head on a DB-API connection (inside its transaction)."""
    row = raw.execute("SELECT seq, head FROM audit_state WHERE id = 1").fetchone()
    return Seen(row[0], bytes(row[1])) if row else Seen(0, audit.GENESIS)


def _key_state(raw: Any) -> tuple[int, int] | None:
    """(highest key-store generation seen, key epoch); None before schema 0005."""
    if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'key_state'").fetchone():
        return None
    row = raw.execute("SELECT generation, key_epoch FROM key_state WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


#: Intents recorded while nobody is signed in, so unsigned (they only add an entry).
UNSIGNED_INTENTS = frozenset({Action.UNLOCK_FAILED})
#: Intents only an active administrator may sign (an unlock or a reset also clears a
#: lock-out the database holds, see slot_state).
ADMINISTRATOR_INTENTS = frozenset(
    {Action.ACCOUNT_ROLES, Action.ACCOUNT_UNLOCK, Action.ACCOUNT_RESET}
)


def intent_problem(intent: Intent, store_id: str, trust: Trust) -> str | None:
    """Why a key-store intent must not be carried out (None: it may). In a store with
    signed grants every intent but a failed sign-in carries the signature of its actor,
    an active account; a role change's actor must be an active administrator."""
    if not trust.established or intent.action in UNSIGNED_INTENTS:
        return None
    actor = trust.account(intent.actor_id) if intent.actor_id else None
    if (
        actor is None
        or actor.status != "active"
        or actor.sign_public is None
        or intent.signature is None
        or not signing.verify_statement(
            actor.sign_public, signing.Context.INTENT, intent.statement(store_id), intent.signature
        )
    ):
        return (
            f"the key store holds a change ({intent.action}) that no account entitled to it "
            "signed (planted or altered): it was not carried out"
        )
    if intent.action in ADMINISTRATOR_INTENTS and not actor.is_active_admin:
        return (
            f"the key store holds a change ({intent.action}) signed by an account that is "
            "not an active administrator: it was not carried out"
        )
    return None


class _SignedKeyring(sealing.CaseKeyring):
    """The case keys, opened only from the grant rows of a case the signed-in user may
    hold the key of by the signed statements (Store.may_hold_case_key): a row sealed to
    anyone else (by SQL, or by a member to someone not named) is ignored."""

    store: Store | None = None

    def _load(self, tx: Any, case_id: str) -> None:
        if self.store is None or self.store.may_hold_case_key(tx, case_id):
            super()._load(tx, case_id)


class Store:
    """An unlocked store: the engine and the signed-in user's keys, in memory only."""

    def __init__(self, paths: DataPaths, keys: UnlockedKeys) -> None:
        self.paths = paths
        self._keys: UnlockedKeys | None = keys
        self._engine: Engine | None = make_engine(paths.database, keys.current_key)
        self.user: SignedIn | None = None
        self._checkpointer: Checkpointer | None = None
        self._seen = Seen(0, audit.GENESIS)
        #: Signs this user's audit entries and grants (None only in a store from
        #: before signed identity, until its carry-over).
        self._signer: signing.Signer | None = None
        #: The signed grants as read at sign-in (see grants.Trust).
        self.trust: Trust = Trust("")
        self._case_keys: sealing.CaseKeyring | None = None
        #: The in-memory search index of this user's restricted cases (services.
        #: member_search builds it); dropped with the keys.
        self.member_index: MemberIndex | None = None
        #: What is wrong with the signed grants, as found at sign-in (administrators are
        #: told; `verify` names everything).
        self.trust_warnings: list[str] = []
        #: The restricted cases whose members this sign-in carried over (their case keys
        #: are then sealed to those members: services.accounts.sign_in).
        self.members_carried_over: list[str] = []

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
        with holding_lock(paths.keystore):
            cls._create_locked(paths, username, display_name, password)
        return cls.unlock(paths, username=username, password=password)

    @classmethod
    def _create_locked(
        cls, paths: DataPaths, username: str, display_name: str, password: str
    ) -> None:
        if store_exists(paths):
            raise StoreExistsError()
        keystore = Keystore.create(paths.keystore)
        data_key, anchor, user_id = crypto.random_key(), crypto.random_key(), str(uuid.uuid4())
        building = paths.root / (paths.database.name + ".new")
        building.unlink(missing_ok=True)
        try:
            raw_connect(building, data_key, create=True).close()
            owner_only(building)
            engine = make_engine(building, data_key)
            try:
                with engine.begin() as conn:
                    migrate.upgrade(conn)
                    signed = grants.has_table(conn.connection.dbapi_connection)
                # The first administrator is the store's root of trust.
                sign_private, root_public = signing.new_signing_key()
                signer = signing.Signer(user_id, sign_private) if signed else None
                keystore.add_user(
                    username=username,
                    user_id=user_id,
                    secret=password,
                    setup_code=False,
                    data_keys={keystore.epoch: data_key},
                    audit_anchor=anchor,
                    root_public=root_public if signed else None,
                    sign_private=sign_private,
                )
                with write_session(engine) as session, audit.signing_as(signer):
                    audit.start_chain(session, anchor)
                    if _key_state(raw_connection(session)) is not None:
                        raw_connection(session).execute(
                            "UPDATE key_state SET key_epoch = ? WHERE id = 1", (keystore.epoch,)
                        )
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
                    raw = raw_connection(session)
                    if signer is not None:  # signed from the first entry on
                        grants.issue_root(raw, signer, store_id=keystore.store_id)
                        envelopes.start(raw, user_id=user_id, at=utcnow())
                    audit.append(session, actor_id=user_id, action=Action.STORE_CREATE)
                    audit.append(
                        session,
                        actor_id=user_id,
                        action=Action.ACCOUNT_CREATE,
                        target_kind="user",
                        target_id=user_id,
                    )
                    if signer is not None:
                        grants.issue_account(
                            raw,
                            signer,
                            store_id=keystore.store_id,
                            user_id=user_id,
                            username=normalise_username(username),
                            roles=frozenset(Role),
                            status="active",
                            box_public=crypto.b64d(keystore.public_key(user_id)),
                            sign_public=root_public,
                            reason="created",
                        )
            finally:
                engine.dispose()
            keystore._held = True  # the caller holds the lock
            keystore.save()
            atomic_move(building, paths.database)
        except BaseException:
            building.unlink(missing_ok=True)
            if not paths.database.exists():  # never leave a key store without its database
                paths.keystore.unlink(missing_ok=True)
            raise

    @classmethod
    def unlock(
        cls,
        paths: DataPaths,
        *,
        username: str,
        password: str,
        new_password: str | None = None,
        bind_device: bool = True,
        upgrade: bool = True,
        progress: Progress | None = None,
        should_stop: StopCheck | None = None,
    ) -> Store:
        """Open the store for one user. Every failure is a StoreError subclass.
        `bind_device`: a store found on another machine or in another folder than its
        device id was taken for takes a new one (see device); a restore, which opens the
        backup in a staging folder, takes one for its destination itself.
        `upgrade`: a store whose schema is behind this version's is backed up, then
        updated, here (`progress` and `should_stop` are the backup's and the update's:
        a cancel during the backup leaves the store as it was); with False, UpgradeNeeded
        is raised instead, before the backup or any change to the schema."""
        if not paths.keystore.exists():
            if paths.database.exists():
                raise KeystoreDamagedError()
            raise StoreMissingError()
        # The lock is held from reading the slot to saving it: a failure is counted on
        # the current file (never on a stale copy), parallel attempts queue, and no
        # rotation or account change runs in between.
        with _keystore_transaction(paths, username, password) as keystore:
            check_file(paths.database)
            if not keystore.has_user(username):
                raise UnknownUserError()
            keys = keystore.unlock(username, password, new_password=new_password)
            cls._open_matching_key(paths, keystore, keys)
            store = cls(paths, keys)
            try:
                # Account status first: a disabled account, an old or swapped slot, changes
                # no file, not even its slot.
                store.user = store._load_user(keystore)
                store._check_current(keystore)
                store._check_slot_state(keystore)
                store._migrate_if_needed(upgrade, progress, should_stop)
                # Before the slot is saved as having checkpoints (see keyslots), so that no
                # later step can leave this account without one.
                assert store._checkpointer is not None
                store._checkpointer.write_file(store._seen, sync=True)
                if keys.password_set:
                    keystore.add_intent(
                        Action.PASSWORD_CHANGE,
                        actor_id=keys.user_id,
                        target_id=keys.user_id,
                        detail="first_sign_in",
                        signer=store._signer,
                    )
                    keystore.save()
                if not store.trust.established:
                    store._carry_over(keystore)
                store._carry_over_envelopes()
                store._carry_over_members()
                keys.wrap_key = None
                store.trust_warnings = store._trust_warnings()
                with store.write() as session:
                    applied = store._audit_intents(session, keystore)
                    audit.append(session, actor_id=keys.user_id, action=Action.UNLOCK)
                    if bind_device:
                        device.ensure_bound(
                            session,
                            actor_id=keys.user_id,
                            bound_to=device.binding(keystore.store_id, paths.root),
                        )
                assert store._checkpointer is not None
                store._checkpointer.write_file(store._seen, sync=True)
                if applied or keys.slot_changed:  # else the slot is as it was: no write
                    keystore.forget_intents(applied)
                    keystore.set_slot_checkpoint(
                        keys.user_id, store._checkpointer.seal(store._seen)
                    )
                    keystore.save()
            except BaseException:
                store.close()
                raise
        return store

    # -- rollback detection and intents ---------------------------------------------------
    def _check_current(self, keystore: Keystore) -> None:
        """Refuse a database behind this user's checkpoint, or a key store older than
        the database has seen (the caller holds the key-store lock). Sets up the
        checkpoint for this session."""
        keys = self.keys
        checkpointer = Checkpointer(
            self.paths.root,
            store_id=keystore.store_id,
            user_id=keys.user_id,
            public=keystore.public_key(keys.user_id),
            private=keys.private_key,
            signer=self._signer,
            trust=self.trust,
        )
        # The checkpoints are read before the database: another session's commit in
        # between then only puts the database further ahead (never a false alarm).
        try:
            marks = [
                checkpointer.open(keystore.slot_checkpoint(keys.user_id)),
                checkpointer.read_file(),
            ]
        except CheckpointTampered:
            raise RollbackDetectedError(RollbackDetectedError.tampered_message) from None
        best = max((m for m in marks if m is not None), key=lambda m: m.seq, default=None)
        if best is None and keys.checkpointed:
            # This account has signed in before, so it had checkpoints: both were removed.
            raise RollbackDetectedError(RollbackDetectedError.removed_message)
        with self.read() as session:
            raw = raw_connection(session)
            seen, state = _seen(raw), _key_state(raw)
            if state is not None and (state[0] > keystore.generation or state[1] > keystore.epoch):
                raise RollbackDetectedError(RollbackDetectedError.keystore_message)
            if best is not None and best.seq > 0:
                row = raw.execute(
                    "SELECT entry_hash FROM audit_event WHERE seq = ?", (best.seq,)
                ).fetchone()
                if best.seq > seen.seq or row is None:
                    raise RollbackDetectedError()
                if bytes(row[0]) != best.head:
                    raise RollbackDetectedError(RollbackDetectedError.replaced_message)
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._checkpointer, self._seen = checkpointer, seen

    def _check_slot_state(self, keystore: Keystore) -> None:
        """Refuse a key slot older than the one the database recorded for this account,
        and an account the database says is locked out, though the key store says
        otherwise (an older keystore.json put back; see slot_state). The refusal is
        audited, ids and numbers only; a lock-out is put back into the slot, so that the
        next attempt is refused without its password being tried."""
        keys = self.keys
        with self.read() as session:
            state = slot_state.read(raw_connection(session), self.trust, keys.user_id)
        error: StoreError
        if keys.slot_generation < state.generation:
            detail = f"stale_slot;generation={keys.slot_generation};recorded={state.generation}"
            error = StaleKeySlotError()
        elif state.locked:
            detail, error = "locked_in_database", AccountLockedError()
        else:
            return
        with self.write() as session:
            audit.append(
                session,
                actor_id=keys.user_id,
                action=Action.SLOT_REFUSED,
                target_kind="user",
                target_id=keys.user_id,
                detail=detail,
            )
        if state.locked:
            # The file as it is on disk, without this unlock's own changes to the slot.
            # Best effort: a folder that cannot be written to still refuses, as above.
            with contextlib.suppress(StoreError):
                on_disk = Keystore.load(self.paths.keystore)
                on_disk.lock_out(keys.user_id)
                on_disk.save()
        raise error

    def _record_slot_generation(self, session: Session, keystore: Keystore, trust: Trust) -> None:
        """Record the signed-in account's slot generation, as this process opened or
        rewrapped the slot (so authenticated), when higher than the one recorded."""
        if self._keys is None or self._signer is None or not trust.established:
            return
        user_id = self._keys.user_id
        generation = keystore.verified_generations.get(user_id)
        if generation is None:
            return
        if slot_state.read(raw_connection(session), trust, user_id).generation < generation:
            slot_state.record_generation(session, user_id=user_id, generation=generation)

    def check_current(self) -> None:
        """`verify`: the same rollback check as at unlock, on the files as they are now."""
        with self.keystore_change() as keystore:
            self._check_current(keystore)

    def _advance(self, seen: Seen) -> None:
        """After a durable commit: this session has seen the chain up to `seen`."""
        if self._checkpointer is None or seen.seq <= self._seen.seq:
            return
        try:
            self._checkpointer.write_file(seen)
        except OSError:
            return  # the commit stands; the checkpoint only lags (never runs ahead)
        self._seen = seen

    def _audit_intents(self, session: Session, keystore: Keystore) -> set[str]:
        """Audit each intent of the key store not audited yet (in the caller's
        transaction) and note the key store's generation. Returns the ids done. An
        intent nobody entitled signed is not carried out (it stays, and `verify` names
        it); a role change waits in the journal for an administrator to sign its grant."""
        raw = raw_connection(session)
        done: set[str] = set()
        if _key_state(raw) is None:
            return done  # a schema from before 0005: audited once it is upgraded
        trust = grants.refresh(raw, self.trust) if self.trust.established else self.trust
        for intent in keystore.intents():
            if not raw.execute(
                "SELECT 1 FROM keystore_intent WHERE id = ?", (intent.id,)
            ).fetchone():
                if intent_problem(intent, keystore.store_id, trust) is not None:
                    continue
                roles = intent.action == Action.ACCOUNT_ROLES and bool(intent.detail)
                if roles and trust.established and not self._may_issue(trust):
                    continue  # an administrator's next sign-in signs its grant
                seq = audit.append(
                    session,
                    actor_id=intent.actor_id,
                    action=Action(intent.action),
                    target_kind="user" if intent.target_id else None,
                    target_id=intent.target_id,
                    detail=intent.detail,
                    at=intent.at,
                )
                raw.execute(
                    "INSERT INTO keystore_intent (id, audit_seq) VALUES (?, ?)", (intent.id, seq)
                )
                if roles and intent.detail:
                    # set_roles: the roles change in the same transaction as its audit
                    granted = intent.detail.removeprefix("roles=")
                    raw.execute(
                        "UPDATE user_account SET roles = ? WHERE id = ? AND status != 'revoked'",
                        (granted, intent.target_id),
                    )
                    self._regrant_roles(session, keystore, intent.target_id, granted)
            done.add(intent.id)
        self._record_slot_generation(session, keystore, trust)
        raw.execute(
            "UPDATE key_state SET generation = max(generation, ?), key_epoch = max(key_epoch, ?)"
            " WHERE id = 1",
            (keystore.generation, keystore.epoch),
        )
        return done

    def _may_issue(self, trust: Trust) -> bool:
        return self._signer is not None and trust.may_issue(self._signer.user_id)

    def _regrant_roles(
        self, session: Session, keystore: Keystore, user_id: str | None, roles: str
    ) -> None:
        """The grant of a role change, signed in the same transaction as its audit entry
        when an administrator records it. Recorded by anyone else (after an interruption),
        only the row changes, which grants nothing: `verify` names it until an
        administrator sets the roles again."""
        trust = grants.load(raw_connection(session), keystore.store_id)
        signer = self._signer
        current = trust.account(user_id) if user_id else None
        if signer is None or current is None or not trust.may_issue(signer.user_id):
            return
        if current.status == "revoked":
            return
        grants.issue_account(
            raw_connection(session),
            signer,
            store_id=keystore.store_id,
            user_id=current.user_id,
            username=current.username,
            roles=frozenset(Role(r) for r in roles.split(",") if r),
            status=current.status,
            box_public=current.box_public,
            sign_public=current.sign_public,
            reason="roles",
        )

    def commit_intents(self, keystore: Keystore) -> None:
        """Audit a saved key-store change (inside the caller's `keystore_change`), then
        drop its intent. A crash in between leaves the intent for the next unlock."""
        with self.write() as session:
            done = self._audit_intents(session, keystore)
        keystore.forget_intents(done)
        keystore.save()

    def keystore_change(self) -> AbstractContextManager[Keystore]:
        """The key store read afresh under its lock, for one change (see Keystore)."""
        return Keystore.transaction(self.paths.keystore)

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

    def write_backup(
        self,
        dest: Path,
        *,
        progress: Progress | None = None,
        should_stop: StopCheck | None = None,
    ) -> audit.ChainHead:
        """Write a verified backup of this store to `dest` atomically (store.snapshot);
        the BACKUP entry is appended once the backup is in place, so a backup that fails
        (a full disk, a removed stick) or is cancelled changes nothing."""
        head = self._archive(dest, progress, should_stop)
        with self.write() as session:
            self._record_backup(session, head)
        return head

    def _archive(
        self, dest: Path, progress: Progress | None, should_stop: StopCheck | None
    ) -> audit.ChainHead:
        """The backup file alone, verified and in place; its audit entry is the caller's."""
        trust = self.load_trust()
        return write_archive(
            paths=self.paths,
            key=self.keys.current_key,
            keystore=self.keystore,
            dest=dest,
            checkpoint_for=self.checkpoint_for,
            certified=trust.active_box_keys() if trust.established else None,
            progress=progress,
            should_stop=should_stop,
        )

    def _record_backup(self, session: Session, head: audit.ChainHead) -> None:
        user_id = self.user.user_id if self.user else self.keys.user_id
        audit.append(session, actor_id=user_id, action=Action.BACKUP, detail=f"head={head.short}")

    def _migrate_if_needed(
        self, upgrade: bool, progress: Progress | None, should_stop: StopCheck | None
    ) -> None:
        """A verified backup, then the schema updated (see unlock's `upgrade`): one bar,
        the backup its first half (cancellable), the revisions applied its second (one
        transaction, which is not: the UI takes Cancel away when the bar reaches it)."""
        with self.engine.connect() as conn:
            needed = migrate.pending(conn)
            behind = migrate.current_revision(conn) if needed else None
        if not needed:
            return
        if not upgrade:
            raise UpgradeNeeded()
        stages = Stages(progress, (1, 1))
        # Microseconds in the name: two migrating unlocks in one second must not
        # replace each other's backup.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        dest = self.paths.backups / f"before-migration-{stamp}.isbackup"
        head = self._archive(dest, stages.stage(0), should_stop)
        stages.done(0)
        if should_stop is not None and should_stop():
            with self.write() as session:  # the backup is kept; the schema is not touched
                self._record_backup(session, head)
            raise OperationCancelled()
        try:
            # One transaction: the schema updated and the backup recorded, or neither.
            with self.write() as session:
                migrate.upgrade(session.connection(), stages.stage(1))
                self._record_backup(session, head)
        except BaseException as error:
            # The store is as it was, so the backup is a second copy of it. Kept, each
            # sign-in that tried again would add one more: a store whose version record
            # another program changed (every update from it fails) would fill the disk.
            dest.unlink(missing_ok=True)
            if isinstance(error, StoreError) or not isinstance(error, Exception):
                raise  # a full disk, a busy store: said as such
            log.warning("store update from revision %s failed: %s", behind, type(error).__name__)
            raise StoreUpdateFailedError() from None
        stages.done(1)

    def _load_user(self, keystore: Keystore) -> SignedIn:
        """Who is signing in, from the signed grants only (see grants): the account must
        be active in its latest valid grant and the slot must hold exactly the keys that
        grant certifies. A store from before signed identity uses its rows until an
        administrator's sign-in carries it over."""
        keys = self.keys
        with self.read() as session:
            account = session.get(UserAccount, keys.user_id)
            self.trust = grants.load(raw_connection(session), keystore.store_id)
            missing = grants.missing_grant(raw_connection(session), self.trust, keys.user_id)
        if account is None:
            raise UnknownUserError()
        trust = self.trust
        own_root = keys.sign_private is not None and keys.root_public == (
            signing.Signer("", keys.sign_private).public
        )
        if not trust.established:
            if keys.root_public is not None and not (own_root and keys.carrying_over):
                # This slot was given a root of trust, but the database has no valid root
                # statement: grants removed (a carry-over happens once, for a store that
                # never had grants, and only its own interrupted one is resumed).
                raise IdentityRefusedError(IdentityRefusedError.grants_message)
            if account.status != "active":
                raise AccountDisabledError()
            roles = frozenset(Role(r) for r in account.roles.split(",") if r)
            if keys.root_public is not None and Role.ADMINISTRATOR not in roles:
                raise IdentityRefusedError(IdentityRefusedError.carry_over_message)
            return SignedIn(account.id, account.username, account.display_name, roles)
        if keys.root_public is None or keys.root_public != trust.root_public:
            raise IdentityRefusedError(IdentityRefusedError.grants_message)
        if missing is not None:  # e.g. the grant that disabled this account removed
            raise IdentityRefusedError(IdentityRefusedError.grant_missing_message)
        grant = trust.account(keys.user_id)
        if grant is None or keys.sign_private is None:
            raise IdentityRefusedError()
        if grant.status != "active":
            raise AccountDisabledError()
        signer = signing.Signer(keys.user_id, keys.sign_private)
        box_public = crypto.public_bytes(X25519PrivateKey.from_private_bytes(keys.private_key))
        if grant.box_public != box_public or grant.sign_public != signer.public:
            raise IdentityRefusedError()
        self._signer = signer
        return SignedIn(grant.user_id, grant.username, account.display_name, grant.roles)

    def _carry_over(self, keystore: Keystore) -> None:
        """Move a store from before signed identity to signed grants, at the first sign-in
        of an active administrator (by its rows, the only record there is): they become
        the root of trust and sign a grant for every account as its row stands, each
        other slot is given a signing key sealed to it, and the audit says from which
        entry on history is signed. The key store is saved first; should the database
        write not happen, the same administrator's next sign-in does it again."""
        keys, user = self.keys, self.user
        if user is None or not user.has(Role.ADMINISTRATOR) or keys.wrap_key is None:
            return  # not an administrator: the store stays as it was, unsigned
        if not self._has_grant_table():
            return
        if keys.sign_private is not None and keys.root_public == (
            signing.Signer("", keys.sign_private).public
        ):
            sign_private = keys.sign_private  # a carry-over interrupted before its commit
        else:
            sign_private = signing.new_signing_key()[0]
        signer = signing.Signer(keys.user_id, sign_private)
        root_public = signer.public
        wrap_key = keys.wrap_key
        keystore.adopt_signing_key(
            keys.user_id, wrap_key=wrap_key, sign_private=sign_private, root_public=root_public
        )
        for other in keystore.user_ids():
            if other != keys.user_id:
                keystore.offer_signing_key(
                    other, sign_private=signing.new_signing_key()[0], root_public=root_public
                )
        keystore.save()
        publics = keystore.slot_publics()
        self._signer = signer
        with self.write() as session:
            raw = raw_connection(session)
            grants.issue_root(raw, signer, store_id=keystore.store_id)
            seq = audit.append(
                session,
                actor_id=keys.user_id,
                action=Action.CARRY_OVER,
                detail="history before this entry carried over unsigned",
            )
            for user_id, username, roles, status in raw.execute(
                "SELECT id, username, roles, status FROM user_account ORDER BY username"
            ).fetchall():
                slot = publics.get(user_id, {})
                box, sign = slot.get("public"), slot.get("sign_public")
                grants.issue_account(
                    raw,
                    signer,
                    store_id=keystore.store_id,
                    user_id=user_id,
                    username=username,
                    roles=frozenset(Role(r) for r in roles.split(",") if r),
                    status=status,
                    box_public=crypto.b64d(box) if box and status != "revoked" else None,
                    sign_public=crypto.b64d(sign) if sign and status != "revoked" else None,
                    reason=f"carried_over_at_entry_{seq}",
                )
            self.trust = grants.load(raw, keystore.store_id)
            # Restricted cases' members: carried over just after (_carry_over_members).
        # Committed: from now on this slot's root means the grants must be there.
        keystore.adopt_signing_key(
            keys.user_id,
            wrap_key=wrap_key,
            sign_private=sign_private,
            root_public=root_public,
            carrying_over=False,
        )
        keystore.save()
        keys.sign_private, keys.root_public = sign_private, root_public

    def _trust_warnings(self) -> list[str]:
        """What is wrong with the signed grants (for administrators at sign-in)."""
        if not self.trust.established:
            return []
        with self.read() as session:
            end = grants.chain_end_problem(raw_connection(session), self.trust)
        return self.trust.problems + ([end] if end else [])

    def trust_problems(self) -> list[str]:
        """`verify`: everything the signed grants, the rows, the key slots and the key
        store's journal say that does not hold (see grants)."""
        trust = self.load_trust()
        if not trust.established:
            return []
        keystore = self.keystore
        with self.read() as session:
            raw = raw_connection(session)
            end = grants.chain_end_problem(raw, trust)
            problems = trust.problems + ([end] if end else [])
            problems += grants.row_problems(raw, trust) + grants.member_problems(raw, trust)
            problems += grants.key_grant_problems(raw, trust)
        problems += grants.slot_problems(keystore.slot_publics(), trust)
        for intent in keystore.intents():
            problem = intent_problem(intent, keystore.store_id, trust)
            if problem:
                problems.append(problem)
        return problems

    def members_of(self, tx: Any, case_id: str) -> frozenset[str]:
        """The members of a restricted case by valid signed statements (those added
        since sign-in are checked once, here); in a store not yet carried over to
        signed grants, by its rows."""
        raw = raw_connection(tx)
        if not self.trust.established:
            return frozenset(
                r[0]
                for r in raw.execute(
                    "SELECT user_id FROM case_member WHERE case_id = ?", (case_id,)
                )
            )
        return grants.refresh(raw, self.trust).members_of(case_id)

    def member_cases(self, tx: Any) -> frozenset[str]:
        """The restricted cases the signed-in user is named on by valid signed
        statements (what the case queries open besides ordinary cases: store.cases); in
        a store not yet carried over to signed grants, by its rows."""
        user_id = self.keys.user_id
        raw = raw_connection(tx)
        if not self.trust.established:
            return frozenset(
                r[0]
                for r in raw.execute(
                    "SELECT case_id FROM case_member WHERE user_id = ?", (user_id,)
                )
            )
        return grants.refresh(raw, self.trust).member_cases(user_id)

    def _carry_over_envelopes(self) -> None:
        """A store from before envelopes: at the first sign-in of an administrator who
        signs, every saved item so far becomes an envelope signed by them ("carried over
        on D by X"), and the audit says so, in one transaction (see envelopes)."""
        user, signer = self.user, self._signer
        if user is None or signer is None or not user.has(Role.ADMINISTRATOR):
            return
        with self.read() as session:
            if envelopes.active(session) or not envelopes.has_table(raw_connection(session)):
                return
        now = utcnow()
        with self.write() as session:
            count, last = envelopes.carry_over(session, signer, at=now)
            audit.append(
                session,
                actor_id=user.user_id,
                action=Action.CARRY_OVER_ITEMS,
                target_kind="envelopes",
                target_id=last,
                detail=f"{count} items carried over into envelopes",
                at=now,
            )

    def _carry_over_members(self) -> None:
        """A store from before membership was signed: at the first sign-in of an
        administrator who signs, the restricted cases' `case_member` rows that their
        signed envelopes put there (store.member_carry) become the one signed statement
        of carried-over members, and the audit says so ("carried over on D by X"), in
        one transaction (see grants.carry_over_members). Only once: the
        statement is read again inside the transaction, so a second window signing in
        at the same moment finds it and does nothing. The cases carried over are kept
        (`members_carried_over`) for their keys to be sealed to the members."""
        user, signer = self.user, self._signer
        if user is None or signer is None or not user.has(Role.ADMINISTRATOR):
            return
        if self.trust.members_carried is not None:
            return
        now = utcnow()
        with self.write() as session:
            raw = raw_connection(session)
            self.trust = grants.load(raw, self.keystore.store_id)
            if self.trust.members_carried is not None:
                return  # another window's sign-in has just done it
            if not envelopes.active(session):
                return  # the envelopes the rows are checked against come first
            candidates = grants.unsigned_members(raw, self.trust)
            carried = member_carry.backed(raw, self.trust, candidates)
            grants.carry_over_members(raw, signer, self.trust, carried)
            if carried:
                audit.append(
                    session,
                    actor_id=user.user_id,
                    action=Action.CARRY_OVER_MEMBERS,
                    target_kind="members",
                    detail=(
                        f"{sum(len(m) for m in carried.values())} members of {len(carried)} "
                        "restricted cases carried over into signed statements"
                    ),
                    at=now,
                )
            self.trust = grants.refresh(raw, self.trust)
        self.members_carried_over = sorted(carried)

    def members_carry_over_pending(self, tx: Any) -> bool:
        """Whether restricted cases from before membership was signed wait for an
        administrator's sign-in to carry their members over (until then they open to
        nobody: their rows grant nothing)."""
        raw = raw_connection(tx)
        if not self.trust.established or not grants.has_table(raw):
            return False
        trust = grants.refresh(raw, self.trust)
        return trust.members_carried is None and bool(grants.unsigned_members(raw, trust))

    @property
    def signer(self) -> signing.Signer | None:
        """The signed-in user's signing key (None only in a store from before signed
        identity, until its carry-over)."""
        return self._signer

    def _has_grant_table(self) -> bool:
        with self.read() as session:
            return grants.has_table(raw_connection(session))

    def load_trust(self) -> Trust:
        """The signed grants as the database holds them now (see grants.Trust)."""
        with self.read() as session:
            self.trust = grants.load(raw_connection(session), self.keystore.store_id)
        return self.trust

    def checkpoint_for(self, owner: str, seq: int, head: bytes) -> dict[str, Any] | None:
        """A checkpoint for `owner` at (seq, head), signed by this user (a backup's key
        store gets one per account at the backup's own head, see backup)."""
        if self._signer is None or self._checkpointer is None:
            return None
        return self._checkpointer.seal(Seen(seq, head), owner=owner)

    def vouch_checkpoints(self) -> None:
        """After a restore (by this administrator): every account's slot gets a
        checkpoint at the restored head, signed by this administrator, so that theirs,
        set aside with the replaced store, are not missed."""
        if self._signer is None or self._checkpointer is None:
            return
        with self.read() as session:
            seen = _seen(raw_connection(session))
        with self.keystore_change() as keystore:
            for user_id in keystore.user_ids():
                keystore.set_slot_checkpoint(user_id, self._checkpointer.seal(seen, owner=user_id))
            keystore.save()

    def grant(
        self,
        session: Session,
        *,
        user_id: str,
        username: str,
        roles: frozenset[Role],
        status: str,
        box_public: bytes | None,
        sign_public: bytes | None,
        reason: str,
    ) -> None:
        """Sign and record a grant in the caller's write transaction (an administrator's
        account change). Nothing without a signing key (a store not yet carried over)."""
        if self._signer is None:
            return
        grants.issue_account(
            raw_connection(session),
            self._signer,
            store_id=self.keystore.store_id,
            user_id=user_id,
            username=username,
            roles=roles,
            status=status,
            box_public=box_public,
            sign_public=sign_public,
            reason=reason,
        )

    @property
    def root_fingerprint(self) -> str | None:
        """The root of trust's fingerprint as words to compare by phone."""
        public = self.trust.root_public
        return signing.fingerprint_text(public) if public is not None else None

    def close(self) -> None:
        """Dispose of the engine and forget the keys (lock, sign out, exit)."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._keys = None
        if self._case_keys is not None:
            self._case_keys.forget()
        self._case_keys = None
        if self.member_index is not None:
            self.member_index.close()
        self.member_index = None
        self._signer = None
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._checkpointer = None

    @property
    def is_open(self) -> bool:
        return self._engine is not None

    def lock(self, action: Action = Action.LOCK) -> None:
        """Record the lock (or sign-out) in the audit trail, then close."""
        if self._engine is not None and self.user is not None:
            try:
                with self.write() as session:
                    audit.append(session, actor_id=self.user.user_id, action=action)
                self._checkpoint_slot()
            except StoreError:
                pass  # a lock must always succeed; the store stays consistent
        self.close()

    def _checkpoint_slot(self) -> None:
        """Copy the checkpoint into the user's key slot (the backstop should the
        checkpoint file be deleted). Skipped if the key store is busy for long."""
        if self._checkpointer is None:
            return
        with Keystore.transaction(self.paths.keystore, timeout=2.0) as keystore:
            user_id = self.keys.user_id
            if user_id not in keystore.user_ids():
                return
            mark = self._checkpointer.open(keystore.slot_checkpoint(user_id))
            if mark is None or mark.seq < self._seen.seq:
                keystore.set_slot_checkpoint(user_id, self._checkpointer.seal(self._seen))
                keystore.save()

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
    def case_keys(self) -> sealing.CaseKeyring:
        """The restricted cases' keys this user holds (see sealing), opened as needed."""
        if self._case_keys is None:
            keys = self.keys
            store_id = self.trust.store_id or self.keystore.store_id
            self._case_keys = _SignedKeyring(store_id, keys.user_id, keys.private_key)
            self._case_keys.store = self
        return self._case_keys

    def may_hold_case_key(self, tx: Any, case_id: str) -> bool:
        """Whether the signed-in user may open the case's key now (grants.Trust.
        may_hold_case_key: a signed member, or an active administrator); in a store not
        yet carried over to signed grants, anyone its key is sealed to."""
        if not self.trust.established:
            return True
        raw = raw_connection(tx)
        return grants.refresh(raw, self.trust).may_hold_case_key(self.keys.user_id, case_id)

    @property
    def keys(self) -> UnlockedKeys:
        if self._keys is None:
            raise StoreError("The store is locked. Unlock it to continue.")
        return self._keys

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; known database failures become StoreErrors."""
        with _known_errors(), audit.signing_as(self._signer):
            with write_session(self.engine) as session:
                yield session
                seen = _seen(raw_connection(session))
            self._advance(seen)

    @contextmanager
    def write_direct(self) -> Iterator[Any]:
        """One write transaction on a pooled DB-API connection, without a Session: the
        record saves, where SQLAlchemy's own bookkeeping would cost as much as the
        durable commit. Commits on success, rolls back on any error."""
        with _known_errors(), audit.signing_as(self._signer):
            pooled = self.engine.raw_connection()
            try:
                raw = pooled.dbapi_connection
                assert raw is not None  # a checked-out connection always has one
                raw.execute("BEGIN IMMEDIATE")
                try:
                    yield raw
                    seen = _seen(raw)
                    raw.execute("COMMIT")
                except BaseException:
                    if raw.in_transaction:
                        raw.execute("ROLLBACK")
                    raise
            finally:
                pooled.close()
            self._advance(seen)

    def release_freed_pages(self) -> None:
        """Copy the WAL into the database and empty it (best effort: another window
        reading at the moment keeps it), so that content just re-written sealed does not
        linger there in its earlier form (see envelopes.REWRITTEN)."""
        with _known_errors():
            pooled = self.engine.raw_connection()
            try:
                raw = pooled.dbapi_connection
                assert raw is not None
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
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
        with self._engine_closed():
            self._refuse_if_open_elsewhere()

    def _refuse_if_open_elsewhere(self) -> None:
        wal = self.paths.sidecars()[0]
        if wal.exists() and wal.stat().st_size:
            raise StoreBusyError(
                "The store is open in another window or program. Close it there first, "
                "then try again."
            )

    @contextmanager
    def _engine_closed(self) -> Iterator[UnlockedKeys]:
        """Close this store's engine for a moment; reopen it on the current key."""
        keys, checkpointer, user, signer = self.keys, self._checkpointer, self.user, self._signer
        self.close()
        try:
            yield keys
        finally:
            self._keys, self._checkpointer, self.user = keys, checkpointer, user
            self._signer = signer
            self._engine = make_engine(self.paths.database, keys.current_key)

    def rotation_due(self) -> set[str]:
        """Revoked accounts whose data key has not been rotated since."""
        with self.read() as session:
            rows = raw_connection(session).execute("SELECT user_id FROM rotation_due").fetchall()
        return {r[0] for r in rows}

    def rotation_pending(self) -> bool:
        """A key rotation is due (an account was revoked) or was left unfinished."""
        return bool(self.rotation_due()) or self.keystore.pending_epoch is not None

    def rotate_key(
        self, *, progress: Progress | None = None, should_stop: StopCheck | None = None
    ) -> int:
        """Re-encrypt the database under a new key sealed to every remaining slot;
        returns the new epoch. Slots of revoked accounts are removed first.

        One pass (`copy_database`), with `progress` and `should_stop` polled between
        its steps: a cancel removes the partial copy and leaves the database on the old
        key.

        Holds the key-store lock throughout, so no sign-in, account change or other
        rotation runs meanwhile (and no new session can open the database). Crash-safe:
        the key store holds both keys until the re-keyed copy has replaced the
        database, and `unlock` finishes or undoes an interrupted rotation.
        """
        with self.keystore_change() as keystore:
            trust = self.load_trust()
            with self.read() as session:
                revoked = [
                    r[0]
                    for r in raw_connection(session).execute(
                        "SELECT id FROM user_account WHERE status = 'revoked'"
                    )
                ]
            if trust.established:  # the signed status, not the row
                revoked = [u for u, g in trust.accounts.items() if g.status == "revoked"]
            in_keystore = set(keystore.user_ids())
            for user_id in revoked:
                if user_id in in_keystore:
                    keystore.remove_user(user_id)
            keystore.save()
            self._rotate_locked(keystore, progress=progress, should_stop=should_stop)
            self.commit_intents(keystore)
            return keystore.epoch

    def _rotate_locked(
        self,
        keystore: Keystore,
        *,
        progress: Progress | None = None,
        should_stop: StopCheck | None = None,
    ) -> None:
        trust, signer = self.trust, self._signer  # as rotate_key has just read it
        old_epoch, new_key = keystore.epoch, crypto.random_key()
        rotating = self.paths.root / (self.paths.database.name + ROTATING_SUFFIX)
        with self._engine_closed() as keys:
            old_key = keys.current_key
            try:
                self._refuse_if_open_elsewhere()
                copy_database(
                    self.paths.database,
                    old_key,
                    rotating,
                    new_key,
                    progress=progress,
                    should_stop=should_stop,
                    then=lambda copy: rotated_epoch(copy, old_epoch + 1),
                )
                new_epoch = keystore.begin_rotation(
                    new_key,
                    actor_id=keys.user_id,
                    certified=trust.active_box_keys() if trust.established else None,
                    signer=signer,
                )
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
