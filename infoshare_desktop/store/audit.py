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
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from infoshare_desktop.store.tables import AuditEvent, AuditState, table_of
from infoshare_desktop.store.writes import raw_connection, stored_time

GENESIS = b"\x00" * 32
_STATE = table_of(AuditState)
_EVENTS = table_of(AuditEvent)


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


def _fields(e: AuditEvent) -> dict[str, str | None]:
    return {
        "actor": e.actor_id,
        "action": e.action,
        "kind": e.target_kind,
        "target": e.target_id,
        "detail": e.detail,
    }


def start_chain(session: Session, anchor: bytes) -> None:
    session.connection().execute(
        _STATE.insert(), {"id": 1, "seq": 0, "head": GENESIS, "next_key": anchor}
    )


def append(
    session: Session,
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
    raw.execute(
        "INSERT INTO audit_event (seq, at, actor_id, action, target_kind, target_id, detail,"
        " prev_hash, entry_hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
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
        ),
    )
    raw.execute(
        "UPDATE audit_state SET seq = ?, head = ?, next_key = ? WHERE id = 1",
        (seq, entry_hash, _evolve(key)),
    )
    return seq


def append_many(
    session: Session,
    *,
    actor_id: str | None,
    action: Action,
    targets: list[tuple[str | None, str | None, datetime]],
) -> None:
    """Many entries of one action in the caller's transaction (bulk imports, demo data):
    the same chain as `append`, inserted in one statement."""
    conn = session.connection()
    state = conn.execute(sa_select(_STATE.c.seq, _STATE.c.head, _STATE.c.next_key)).first()
    if state is None:
        raise RuntimeError("audit chain not initialised")
    rows = []
    seq, head, key = state
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
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor_id": actor_id,
                "action": str(action),
                "target_kind": target_kind,
                "target_id": target_id,
                "detail": None,
                "prev_hash": head,
                "entry_hash": entry_hash,
                "mac": _mac(key, entry_hash),
            }
        )
        head, key = entry_hash, _evolve(key)
    if rows:
        conn.execute(_EVENTS.insert(), rows)
        conn.execute(_STATE.update().values(seq=seq, head=head, next_key=key))


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
    entries: int = 0
    macs_checked: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, anchor: bytes | None) -> VerifyReport:
    """Walk the whole chain. With the anchor (administrators), check every MAC too."""
    report = VerifyReport(macs_checked=anchor is not None)
    prev, key, expected_seq = GENESIS, anchor, 1
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))):
        report.entries += 1
        if event.seq != expected_seq:
            report.problems.append(f"entry {expected_seq} is missing (found {event.seq} next)")
            expected_seq = event.seq
        if event.prev_hash != prev:
            report.problems.append(f"entry {event.seq} does not link to the entry before it")
        if _hash(event.prev_hash, event.seq, event.at, _fields(event)) != event.entry_hash:
            report.problems.append(f"entry {event.seq} has been altered (hash mismatch)")
        if key is not None:
            if not hmac.compare_digest(_mac(key, event.entry_hash), event.mac):
                report.problems.append(f"entry {event.seq} fails its MAC (altered or forged)")
            key = _evolve(key)
        prev, expected_seq = event.entry_hash, expected_seq + 1
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
