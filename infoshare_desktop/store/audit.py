"""The audit trail: an append-only hash chain with a forward-evolving MAC key.

Entry n carries `entry_hash = SHA-256(prev_hash, n, fields)` and
`mac = HMAC(K_n, entry_hash)`, where `K_1` is the store's audit anchor (a random secret
sealed to administrators in the key store) and `K_(n+1) = SHA-256(K_n)`. The database
keeps only the chain head and the *next* key, so:

- editing an entry breaks its hash; recomputing the hashes after an edit still fails
  the MAC, because earlier keys cannot be derived from the current one;
- deleting the last entries leaves a head and next key that no longer match the
  chain, and rewinding them needs a key that is no longer stored anywhere;
- the triggers in the migrations reject UPDATE and DELETE on `audit_event`.

Entries hold ids, action codes and counts, never record content. An entry is written
in the same transaction as the change it describes.

Since signed identity (schema 0006) every entry also carries the Ed25519 signature of
its hash by the account that wrote it (`signer_id`), whose signing key a grant
certifies (see grants). So *any* user's `verify`, not only an administrator's, detects
an entry in someone else's name, an edited, reordered or deleted entry and a recomputed
chain: recomputing hashes needs every later signer's private key. Removing the newest
entries leaves a valid shorter chain; that is caught by the checkpoints of everyone who
had seen them (see checkpoint). Entries before the root of trust's `signed_from` were
carried over from a store without signatures and are checked by hash (and MAC) only.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session

from infoshare_desktop.store import sigcheck
from infoshare_desktop.store.progress import Progress, StopCheck, check_stop
from infoshare_desktop.store.signing import Context, Signer, verify
from infoshare_desktop.store.tables import AuditState
from infoshare_desktop.store.writes import Tx, raw_connection, stored_time


class Trust(Protocol):
    """What the signature check needs of the signed grants (grants.Trust; grants records
    each statement here, so this module does not import it)."""

    @property
    def signed_from(self) -> int | None: ...

    def sign_key_at(self, user_id: str, seq: int) -> bytes | None: ...


GENESIS = b"\x00" * 32


class Action(StrEnum):
    STORE_CREATE = "store.create"
    UNLOCK = "session.unlock"
    UNLOCK_FAILED = "session.unlock_failed"
    LOCK = "session.lock"
    SIGN_OUT = "session.sign_out"
    PASSWORD_CHANGE = "account.password_change"
    ACCOUNT_CREATE = "account.create"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_REVOKE = "account.revoke"
    ACCOUNT_UNLOCK = "account.unlock"
    ACCOUNT_RESET = "account.reset"
    ACCOUNT_ROLES = "account.roles"
    KEY_ROTATE = "store.key_rotate"
    SETTING_CHANGE = "store.setting"
    MIGRATE = "store.migrate"
    BACKUP = "store.backup"
    RESTORE = "store.restore"
    VERIFY = "store.verify"
    VIEW = "record.view"
    CREATE = "record.create"
    AMEND = "record.amend"
    REVIEW = "record.review"
    REVIEW_OPEN = "record.review_open"
    PRINT = "record.print"
    EXPORT = "record.export"
    DRAFT_SAVE = "draft.save"
    DRAFT_DISCARD = "draft.discard"
    SEARCH = "case.search"
    CARRY_OVER = "store.carry_over"
    CARRY_OVER_ITEMS = "store.carry_over_items"
    CARRY_OVER_MEMBERS = "store.carry_over_members"
    GRANT = "grant.issue"
    SLOT_GENERATION = "account.slot_generation"
    SLOT_REFUSED = "session.slot_refused"
    DEVICE_RENEWED = "store.device_renewed"


#: Entries completed from a key-store intent: after an interruption they are written by
#: whoever signs in next, so their signer may be another account than their actor.
RECORDED_FOR_OTHERS = frozenset(
    {
        Action.UNLOCK_FAILED,
        Action.PASSWORD_CHANGE,
        Action.ACCOUNT_RESET,
        Action.ACCOUNT_UNLOCK,
        Action.ACCOUNT_ROLES,
        Action.KEY_ROTATE,
    }
)


def current_signer() -> Signer | None:
    """Whoever entries appended now are signed by (see `signing_as`)."""
    return _signer.get()


_signer: ContextVar[Signer | None] = ContextVar("audit_signer", default=None)


@contextmanager
def signing_as(signer: Signer | None) -> Iterator[None]:
    """Entries appended inside are signed by `signer` (None: unsigned, only in a store
    from before signed identity)."""
    token = _signer.set(signer)
    try:
        yield
    finally:
        _signer.reset(token)


def _signed_message(signer_id: str, entry_hash: bytes) -> bytes:
    return signer_id.encode() + b"\x00" + entry_hash


_INSERT = (
    "INSERT INTO audit_event (seq, at, actor_id, action, target_kind, target_id, detail,"
    " prev_hash, entry_hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SIGNED = (
    "INSERT INTO audit_event (seq, at, actor_id, action, target_kind, target_id, detail,"
    " prev_hash, entry_hash, mac, signer_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _signature(entry_hash: bytes) -> tuple[str, bytes] | None:
    signer = _signer.get()
    if signer is None:
        return None
    return signer.user_id, signer.sign(
        Context.AUDIT_ENTRY, _signed_message(signer.user_id, entry_hash)
    )


def _naive_utc(at: datetime) -> datetime:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at


def _hash(prev: bytes, seq: int, at: datetime, fields: dict[str, str | None]) -> bytes:
    body = json.dumps(
        {"seq": seq, "at": _naive_utc(at).isoformat(timespec="microseconds"), **fields},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(prev + body.encode()).digest()


def _evolve(key: bytes) -> bytes:
    return hashlib.sha256(b"infoshare-audit-evolve" + key).digest()


def _mac(key: bytes, entry_hash: bytes) -> bytes:
    return hmac.new(key, entry_hash, hashlib.sha256).digest()


def start_chain(session: Tx, anchor: bytes) -> None:
    raw_connection(session).execute(
        "INSERT INTO audit_state (id, seq, head, next_key) VALUES (1, 0, ?, ?)", (GENESIS, anchor)
    )


def append(
    session: Tx,
    *,
    actor_id: str | None,
    action: Action,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> int:
    """Add one entry inside the caller's (write) transaction; returns its sequence number."""
    # Plain DB-API statements on the session's own connection (same transaction):
    # SQLAlchemy's statement machinery would triple the cost of every save.
    raw = raw_connection(session)
    state = raw.execute("SELECT seq, head, next_key FROM audit_state WHERE id = 1").fetchone()
    if state is None:
        raise RuntimeError("audit chain not initialised")
    seq, head, key = int(state[0]) + 1, bytes(state[1]), bytes(state[2])
    at = at or datetime.now(UTC)
    fields = {
        "actor": actor_id,
        "action": str(action),
        "kind": target_kind,
        "target": target_id,
        "detail": detail,
    }
    entry_hash = _hash(head, seq, at, fields)
    values: tuple[Any, ...] = (
        seq,
        stored_time(at),
        actor_id,
        str(action),
        target_kind,
        target_id,
        detail,
        head,
        entry_hash,
        _mac(key, entry_hash),
    )
    signed = _signature(entry_hash)
    if signed is None:
        raw.execute(_INSERT, values)
    else:
        raw.execute(_INSERT_SIGNED, values + signed)
    raw.execute(
        "UPDATE audit_state SET seq = ?, head = ?, next_key = ? WHERE id = 1",
        (seq, entry_hash, _evolve(key)),
    )
    return seq


def append_many(
    session: Tx,
    *,
    actor_id: str | None,
    action: Action,
    targets: list[tuple[str | None, str | None, datetime]],
) -> None:
    """Many entries of one action in the caller's transaction (bulk imports, demo data):
    the same chain and the same statements as `append`, inserted in one executemany."""
    raw = raw_connection(session)
    state = raw.execute("SELECT seq, head, next_key FROM audit_state WHERE id = 1").fetchone()
    if state is None:
        raise RuntimeError("audit chain not initialised")
    seq, head, key = int(state[0]), bytes(state[1]), bytes(state[2])
    rows: list[tuple[Any, ...]] = []
    for target_kind, target_id, at in targets:
        seq += 1
        fields = {
            "actor": actor_id,
            "action": str(action),
            "kind": target_kind,
            "target": target_id,
            "detail": None,
        }
        entry_hash = _hash(head, seq, at, fields)
        values = (seq, stored_time(at), actor_id, str(action), target_kind, target_id, None)
        signed = _signature(entry_hash)
        rows.append((*values, head, entry_hash, _mac(key, entry_hash), *(signed or ())))
        head, key = entry_hash, _evolve(key)
    if not rows:
        return
    raw.executemany(_INSERT if len(rows[0]) == 10 else _INSERT_SIGNED, rows)
    raw.execute(
        "UPDATE audit_state SET seq = ?, head = ?, next_key = ? WHERE id = 1", (seq, head, key)
    )


@dataclass(frozen=True)
class ChainHead:
    seq: int
    head: bytes

    @property
    def short(self) -> str:
        """What goes on printed pages and into backups: sequence and a short hash."""
        return f"{self.seq}:{self.head.hex()[:12]}"


def chain_head(session: Session) -> ChainHead:
    state = session.get(AuditState, 1)
    if state is None:
        return ChainHead(0, GENESIS)
    return ChainHead(state.seq, state.head)


@dataclass
class VerifyReport:
    entries: int = 0  #: checked by this walk
    #: The walk checked the entries after this one (0: all of them).
    after: int = 0
    #: The last entry checked (its sequence number and hash): where the next walk may start.
    head: tuple[int, bytes] = (0, GENESIS)
    macs_checked: bool = False
    #: Entries whose signature was checked against their signer's certified key.
    signatures_checked: int = 0
    #: Entries before this sequence number were carried over without signatures.
    signed_from: int | None = None
    problems: list[str] = field(default_factory=list)
    #: Not problems, but worth knowing (an entry recorded by someone for someone else).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(session: Session, after: int) -> Iterator[tuple[Any, ...]]:
    raw = raw_connection(session)
    columns = {r[1] for r in raw.execute("PRAGMA table_info(audit_event)")}
    signed = "signer_id, signature" if "signer_id" in columns else "NULL, NULL"
    yield from raw.execute(
        "SELECT seq, at, actor_id, action, target_kind, target_id, detail, prev_hash,"
        f" entry_hash, mac, {signed} FROM audit_event WHERE seq > ? ORDER BY seq",
        (after,),
    )


def _hash_at(session: Session, seq: int) -> bytes | None:
    row = (
        raw_connection(session)
        .execute("SELECT entry_hash FROM audit_event WHERE seq = ?", (seq,))
        .fetchone()
    )
    return None if row is None else bytes(row[0])


def pinned_problems(session: Session, pins: dict[str, tuple[int, bytes]]) -> list[str]:
    """Each user's clean verify pins the chain as they checked it (up to an entry, by its
    hash): an entry up to there changed, removed or replaced since is named here, even
    by a verify that checks only what is new."""
    return [
        f"the audit entries user {user_id} had checked (up to entry {seq}) have been changed, "
        "removed or replaced"
        for user_id, (seq, entry_hash) in sorted(pins.items())
        if seq and _hash_at(session, seq) != entry_hash
    ]


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


#: Entries between two calls of a verification's progress and cancel callbacks.
PROGRESS_EVERY = 1000


def verify_chain(
    session: Session,
    anchor: bytes | None,
    trust: Trust | None = None,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
    checker: sigcheck.Checker | None = None,
    after: tuple[int, bytes] | None = None,
) -> VerifyReport:
    """Walk the chain: hashes and links always; with `trust` (any user), every
    signature from the root's `signed_from` on (by `checker`, a verify's shared helper
    process, or by one of the walk's own); with the anchor (administrators), every
    MAC too. From the first entry, or only the entries after `after` (the sequence
    number and hash of the last entry this user's previous clean verify checked, if
    that entry is still as it was; its hash links the rest to what was checked). Every
    PROGRESS_EVERY entries, `progress(entries done, entries)` is told and `should_stop`
    polled (OperationCancelled)."""
    report = VerifyReport(macs_checked=anchor is not None)
    signed_from = trust.signed_from if trust is not None else None
    report.signed_from = signed_from
    prev, key, expected_seq = GENESIS, anchor, 1
    if after is not None and after[0] > 0 and _hash_at(session, after[0]) == after[1]:
        report.after = after[0]
        prev, expected_seq = after[1], after[0] + 1
        if key is not None:
            for _ in range(after[0]):  # the MAC key as it was after that entry
                key = _evolve(key)
    length = session.get(AuditState, 1)
    total = (length.seq if length is not None else 0) - report.after
    signing = trust if signed_from is not None else None
    with sigcheck.shared_or_own(checker, total if signing else 0) as walk_checker:
        batches = _signature_batches(_rows(session, report.after), signing)
        for rows, answers in sigcheck.checked_batches(walk_checker, Context.AUDIT_ENTRY, batches):
            check_stop(should_stop)
            if progress is not None:
                progress(report.entries, total)
            found = iter(answers)
            for row, signed in rows:
                seq, at, actor, action, kind, target, detail = row[:7]
                prev_hash, entry_hash, mac = bytes(row[7]), bytes(row[8]), bytes(row[9])
                fields = {
                    "actor": actor,
                    "action": action,
                    "kind": kind,
                    "target": target,
                    "detail": detail,
                }
                report.entries += 1
                if seq != expected_seq:
                    report.problems.append(f"entry {expected_seq} is missing (found {seq} next)")
                    expected_seq = seq
                if prev_hash != prev:
                    report.problems.append(f"entry {seq} does not link to the entry before it")
                if _hash(prev_hash, seq, _at(at), fields) != entry_hash:
                    report.problems.append(f"entry {seq} has been altered (hash mismatch)")
                if signed != _NOT_CHECKED:
                    ok = signed == _SUBMITTED and next(found)
                    _signature_findings(report, seq, actor, action, row[10], signed, ok)
                if key is not None:
                    if not hmac.compare_digest(_mac(key, entry_hash), mac):
                        report.problems.append(f"entry {seq} fails its MAC (altered or forged)")
                    key = _evolve(key)
                prev, expected_seq = entry_hash, expected_seq + 1
    report.head = (expected_seq - 1, prev)
    state = session.get(AuditState, 1)
    if state is None:
        report.problems.append("the audit chain head is missing")
        return report
    if state.seq != expected_seq - 1 or state.head != prev:
        report.problems.append(
            f"the chain ends at entry {expected_seq - 1} but its head says {state.seq}: "
            "entries have been removed"
        )
    if key is not None and not hmac.compare_digest(key, state.next_key):
        report.problems.append("the chain's key does not match its length: entries were removed")
    return report


#: The columns `entry_signed_by` reads, in its order.
ENTRY_COLUMNS = (
    "seq, at, actor_id, action, target_kind, target_id, detail, prev_hash, entry_hash,"
    " signer_id, signature"
)


def entry_signed_by(row: tuple[Any, ...], trust: Trust) -> str | None:
    """Who signed one audit entry (a row of ENTRY_COLUMNS), if its hash matches its
    fields and its signature verifies against its signer's certified key; else None.
    (Its place in the chain is `verify`'s to check: this is for a single entry read at
    sign-in.)"""
    seq, at, actor, action, kind, target, detail, prev_hash, entry_hash, signer, signature = row
    signed_from = trust.signed_from
    if signed_from is None or seq < signed_from or signer is None or signature is None:
        return None
    fields = {"actor": actor, "action": action, "kind": kind, "target": target, "detail": detail}
    if _hash(bytes(prev_hash), seq, _at(at), fields) != bytes(entry_hash):
        return None
    public = trust.sign_key_at(signer, seq)
    if public is None or not verify(
        public, Context.AUDIT_ENTRY, _signed_message(signer, bytes(entry_hash)), bytes(signature)
    ):
        return None
    return str(signer)


#: What became of an entry's signature in a walk: not to be checked (before the root's
#: `signed_from`, or no trust given), handed to the checker, or refused unchecked.
_NOT_CHECKED, _SUBMITTED, _UNSIGNED, _NO_KEY = "not checked", "submitted", "unsigned", "no key"

#: One batch of a walk: each row with what became of its signature, the keys, the checks.
_Batch = tuple[list[tuple[tuple[Any, ...], str]], sigcheck.Keys, list[sigcheck.Item]]


def _signature_batches(rows: Iterator[tuple[Any, ...]], trust: Trust | None) -> Iterator[_Batch]:
    """The chain's rows, PROGRESS_EVERY at a time, each with what became of its signature,
    and the checks to make: each entry against the one key its signer's grants certify
    at its place in the chain (the key names itself, so no other key is tried)."""
    while True:
        marked: list[tuple[tuple[Any, ...], str]] = []
        keys: sigcheck.Keys = {}
        items: list[sigcheck.Item] = []
        for row in itertools.islice(rows, PROGRESS_EVERY):
            seq, signer_id, signature = row[0], row[10], row[11]
            public = None
            if trust is None or trust.signed_from is None or seq < trust.signed_from:
                marked.append((row, _NOT_CHECKED))
            elif signer_id is None or signature is None:
                marked.append((row, _UNSIGNED))
            elif (public := trust.sign_key_at(signer_id, seq)) is None:
                marked.append((row, _NO_KEY))
            else:
                label = bytes(public).hex()
                keys[label] = [bytes(public)]
                items.append((label, _signed_message(signer_id, bytes(row[8])), bytes(signature)))
                marked.append((row, _SUBMITTED))
        if not marked:
            return
        yield marked, keys, items


def _signature_findings(
    report: VerifyReport,
    seq: int,
    actor: str | None,
    action: str,
    signer_id: str | None,
    signed: str,
    ok: bool,
) -> None:
    """What one entry's signature check found (`ok`: it verified)."""
    if signed == _UNSIGNED:
        report.problems.append(f"entry {seq} is not signed (added or altered by hand)")
        return
    if not ok:
        report.problems.append(
            f"entry {seq} has a signature that does not verify (forged, altered or recomputed)"
        )
        return
    report.signatures_checked += 1
    if actor is not None and actor != signer_id:
        if action in RECORDED_FOR_OTHERS:
            report.notes.append(f"entry {seq} ({action}) was recorded by user {signer_id}")
        else:
            report.problems.append(
                f"entry {seq} is in user {actor}'s name but was signed by user {signer_id}"
            )
