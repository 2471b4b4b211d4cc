"""What the database remembers about each account's key slot, so that an older copy of
`keystore.json` put back cannot undo it.

The key store is a plain file anyone who can write to the data folder can replace with an
older copy; the database can only be written with the data key, and its audit entries are
signed. So once a slot has opened the database, the application compares the slot with
two facts recorded there, both read from signed audit entries (found through the partial
index of migration 0013, so a few rows whatever the size of the trail):

- **the slot's generation** (`account.slot_generation`, detail `generation=N`): written
  by the account's own session when it has opened or rewrapped its slot at generation N
  (keyslots binds the generation into the password-wrapped box), and counted only when
  signed by that account itself. A slot older than the highest recorded is refused: an
  old copy no longer brings back a password its owner has changed.
- **a lock-out**: the latest of the failed sign-ins that locked the account
  (`session.unlock_failed`, detail ending `;locked`), and its unlock or password reset by
  an administrator (`account.unlock`, `account.reset`). A locked account stays locked
  though the key store says otherwise.

An entry whose hash or signature does not verify counts for nothing (`verify` names it).
Nothing here is known before the failures are written into the database, at the next
sign-in by anyone: see the README's limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.store import audit
from infoshare_desktop.store.audit import Action
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.writes import Tx

#: The entries of the partial index (migration 0013 holds the same text).
ACTIONS_SQL = (
    "action IN ('session.unlock_failed', 'account.unlock', 'account.reset', "
    "'account.slot_generation')"
)
_UNLOCKING = frozenset({Action.ACCOUNT_UNLOCK, Action.ACCOUNT_RESET})


@dataclass(frozen=True)
class SlotState:
    #: The highest slot generation the account's own session recorded (0: none).
    generation: int
    #: Locked out by failed sign-ins, and not unlocked by an administrator since.
    locked: bool


def _generation(detail: object) -> int | None:
    if not isinstance(detail, str) or not detail.startswith("generation="):
        return None
    text = detail.removeprefix("generation=")
    return int(text) if text.isdigit() else None


def _by_administrator(trust: Trust, actor: str | None) -> bool:
    grant = trust.account(actor) if actor else None
    return grant is not None and Role.ADMINISTRATOR in grant.roles


def read(raw: Any, trust: Trust, user_id: str) -> SlotState:
    """The account's recorded slot state (nothing before signed identity)."""
    if not trust.established:
        return SlotState(0, False)
    generation: int | None = None
    locked: bool | None = None
    rows = raw.execute(
        f"SELECT {audit.ENTRY_COLUMNS} FROM audit_event WHERE {ACTIONS_SQL} AND target_id = ?"
        " ORDER BY seq DESC",
        (user_id,),
    )
    for row in rows:
        action, actor, detail = row[3], row[2], row[6]
        signer = audit.entry_signed_by(row, trust)
        if signer is None:
            continue
        if action == Action.SLOT_GENERATION:
            value = _generation(detail)
            if generation is None and value is not None and signer == user_id:
                generation = value  # appended only when higher: the latest is the highest
        elif locked is None:
            if action == Action.UNLOCK_FAILED:
                if isinstance(detail, str) and detail.endswith(";locked"):
                    locked = True
            elif action in _UNLOCKING and _by_administrator(trust, actor):
                locked = False
        if generation is not None and locked is not None:
            break
    return SlotState(generation or 0, bool(locked))


def record_generation(tx: Tx, *, user_id: str, generation: int) -> None:
    """The signed-in account's own slot is at `generation` (in the caller's write
    transaction, signed by the session's signer)."""
    audit.append(
        tx,
        actor_id=user_id,
        action=Action.SLOT_GENERATION,
        target_kind="user",
        target_id=user_id,
        detail=f"generation={generation}",
    )
