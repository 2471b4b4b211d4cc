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

from sqlmodel import Session, select

from infoshare_desktop.store.tables import AuditEvent, AuditState

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
    session.add(AuditState(id=1, seq=0, head=GENESIS, next_key=anchor))


def append(
    session: Session,
    *,
    actor_id: str | None,
    action: Action,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one entry inside the caller's (write) transaction."""
    state = session.get(AuditState, 1)
    if state is None:
        raise RuntimeError("audit chain not initialised")
    at = at or datetime.now(UTC)
    event = AuditEvent(
        seq=state.seq + 1,
        at=at,
        actor_id=actor_id,
        action=str(action),
        target_kind=target_kind,
        target_id=target_id,
        detail=detail,
        prev_hash=state.head,
        entry_hash=b"",
        mac=b"",
    )
    event.entry_hash = _hash(state.head, event.seq, at, _fields(event))
    event.mac = _mac(state.next_key, event.entry_hash)
    state.seq, state.head, state.next_key = event.seq, event.entry_hash, _evolve(state.next_key)
    session.add(event)
    session.add(state)
    session.flush()
    return event


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
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.seq)):
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
