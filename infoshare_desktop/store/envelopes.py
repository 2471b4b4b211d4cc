"""Envelopes: every saved item as a statement signed by its author; the tables the screens
read are projected from them (docs/architecture.md, "Envelopes", says it in prose).

An envelope is one saved item: a case created (with its first identifier and its creator
as first member), a member added, an identifier change, a record of any kind (sharing or
consent decision, amendment, review, advice, request, reply; with its automatic review
request), an author's request for review. It carries a UUIDv7 id, the case, the kind,
the author, the device (this install) and the device's sequence number, the ids of the
case's envelopes it builds on (`base`: the case's head when it was written), the time on
the author's clock (shown, never used to order), the payload (canonical JSON; sealed
payloads, later, are ciphertext under the case key of `key_epoch`) and the author's
Ed25519 signature (context ``envelope``) over

    canonical({"v", "id", "case", "kind", "author", "device", "seq", "base", "at",
               "epoch"}) + b"\\x00" + payload

The envelopes are the truth. `PROJECTIONS` holds one function per kind that turns a
payload into the table rows it stands for; the save writes the envelope and inserts those
rows in the same transaction, and `verify` runs the same functions over the envelopes and
compares their rows with the tables, streaming (bounded memory). Locally each envelope
also has `pos` (the order it arrived in) and `chain` = SHA-256(previous chain, SHA-256 of
the signed message): a running hash that each user's signed check (`envelope_check`)
pins, so the next `verify` checks only the envelopes and rows added since.

A case restricted later has its envelopes that hold plain text *re-sealed* (store.reseal):
the payload becomes the original sealed under the case key plus the rows it projects, the
chain goes on through the hash of the message as written, and instead of its author's
signature `verify` requires the restriction's signed statement vouching for its bytes.

A store from before envelopes is carried over once, at an administrator's sign-in: every
row becomes a ``carried`` envelope with the row verbatim, signed by that administrator
("carried over on D by X"), in one run from the first position, and the audit says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlcipher3

from infoshare_desktop.domain.enums import RecordKind
from infoshare_desktop.domain.kinds import KINDS
from infoshare_desktop.domain.records import CaseDraft
from infoshare_desktop.paths import DataPaths
from infoshare_desktop.store import engine, leftovers, packing, sealing, search, sigcheck
from infoshare_desktop.store.cases import new_case
from infoshare_desktop.store.errors import StoreError
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.progress import Progress, StopCheck, check_stop
from infoshare_desktop.store.signing import Context, Signer, canonical, uuid7, verify
from infoshare_desktop.store.writes import Tx, raw_connection, stored_time, stored_value

VERSION = 1
GENESIS = b"\x00" * 32
RECORD = "record."  # the kind of a record: "record." + its RecordKind value
CASE_CREATED = "case.created"
MEMBER_ADDED = "case.member_added"
IDENTIFIER = "case.identifier"
REVIEW_REQUESTED = "review.requested"
CARRIED = "carried"
#: A case's saved rows re-written (restricted later: sealed; lifted: opened; a member
#: taken off): the envelope names each row's new values, or its removal.
REWRITTEN = "case.rewritten"
#: Envelopes are read and checked in batches of this many (bounded memory).
BATCH = 2000
#: The key of a re-sealed envelope's payload that holds its payload as written, sealed
#: (a case restricted later: store.reseal). Canonical JSON puts it first.
RESEALED = "$resealed"
_RESEALED_START = b'{"' + RESEALED.encode() + b'"'

#: The projected tables: their columns (in the order rows are built) and primary key.
TABLES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "case_file": (
        (
            "id",
            "display_name",
            "name_key",
            "date_of_birth",
            "case_reference",
            "other_identifiers",
            "restricted",
            "created_at",
            "created_by",
        ),
        (0,),
    ),
    "case_member": (("case_id", "user_id", "added_at", "added_by"), (0, 1)),
    "case_identifier": (
        ("id", "case_id", "nhs_number", "reason", "reason_text", "recorded_at", "recorded_by"),
        (0,),
    ),
    "saved_record": (
        (
            "id",
            "case_id",
            "kind",
            "subkind",
            "target_id",
            "author_id",
            "occurred_at",
            "recorded_at",
            "late",
            "without_consent",
            "harm_concern",
            "summary",
            "payload",
        ),
        (0,),
    ),
    "review_request": (("id", "record_id", "requested_by", "requested_at", "reason"), (0,)),
    # The search indexes keep no copy of their words (contentless: see store.search), so
    # only their ids are read back and compared; a projected index row carries its words
    # after them, for the insert.
    "search_index": (("case_id", "record_id"), (0, 1)),
    "case_index": (("case_id",), (0,)),
    "case_sealed": (("case_id", "identity"), (0,)),
}
_INDEX_WORDS = {"search_index": "body", "case_index": "body"}
#: The columns stored packed (store.packing): written `packed(?)`, read `unpacked(c)`.
_PACKED = {("saved_record", "payload")}


def _value(table: str, column: str) -> str:
    return "packed(?)" if (table, column) in _PACKED else "?"


def selected(table: str) -> str:
    """A projected table's columns for a SELECT, as the projections make them."""
    columns = TABLES[table][0]
    return ", ".join(f"unpacked({c})" if (table, c) in _PACKED else c for c in columns)


_INSERTS = {
    table: f"INSERT INTO {table} ({', '.join(c)}) VALUES ({', '.join(_value(table, x) for x in c)})"
    for table, (cols, _) in TABLES.items()
    for c in [(*cols, _INDEX_WORDS[table]) if table in _INDEX_WORDS else cols]
}
_COLUMNS = (
    "pos, id, case_id, kind, author_id, device_id, device_seq, base, at, key_epoch, payload,"
    " signature, chain"
)
_INSERT_ENVELOPE = f"INSERT INTO envelope ({_COLUMNS}) VALUES ({', '.join('?' * 13)})"
COLUMNS, INDEX_WORDS = _COLUMNS, _INDEX_WORDS  # for store.reseal

#: One projected row: its table and its values in that table's column order.
Row = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Envelope:
    """One signed saved item, as stored (without its local position and chain)."""

    id: str
    case_id: str
    kind: str
    author_id: str
    device_id: str
    device_seq: int
    base: tuple[str, ...]
    at: str
    key_epoch: int | None
    payload: bytes
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        """What the signature is over (with the ``envelope`` context, see signing)."""
        header = canonical(
            {
                "v": VERSION,
                "id": self.id,
                "case": self.case_id,
                "kind": self.kind,
                "author": self.author_id,
                "device": self.device_id,
                "seq": self.device_seq,
                "base": list(self.base),
                "at": self.at,
                "epoch": self.key_epoch,
            }
        )
        return header + b"\x00" + self.payload


@dataclass(frozen=True)
class Item:
    """A saved item about to be written: what the author says, before it is signed."""

    case_id: str
    kind: str
    payload: dict[str, Any]


# -- the payloads (what each kind says) ------------------------------------------------------


def iso(at: datetime) -> str:
    """A time in a payload: ISO 8601 in UTC, to the microsecond."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def case_item(
    *, case_id: str, draft: CaseDraft, created_at: datetime, identifier: dict[str, Any] | None
) -> Item:
    """A case created: its (cleaned) draft, when, and its first identifier, if any
    (``{"id", "nhs_number", "reason", "reason_text"}``)."""
    return Item(
        case_id,
        CASE_CREATED,
        {
            "id": case_id,
            "draft": draft.to_dict(),
            "created_at": iso(created_at),
            "identifier": identifier,
        },
    )


def member_item(*, case_id: str, user_id: str, added_at: datetime) -> Item:
    return Item(case_id, MEMBER_ADDED, {"user_id": user_id, "added_at": iso(added_at)})


def identifier_item(
    *,
    case_id: str,
    identifier_id: str,
    nhs_number: str | None,
    reason: str | None,
    reason_text: str,
    at: datetime,
) -> Item:
    return Item(
        case_id,
        IDENTIFIER,
        {
            "id": identifier_id,
            "nhs_number": nhs_number,
            "reason": reason,
            "reason_text": reason_text,
            "recorded_at": iso(at),
        },
    )


def record_item(
    *,
    record_id: str,
    case_id: str,
    kind: RecordKind,
    subkind: str,
    content: dict[str, Any],
    summary: str,
    occurred_at: datetime,
    recorded_at: datetime,
    late: bool,
    target_id: str | None = None,
    without_consent: bool = False,
    harm_concern: bool = False,
    review_reason: str | None = None,
) -> Item:
    """A saved record: its content (the draft's dict) and the facts the lists show; with
    `review_reason`, it is entered for review in the same envelope."""
    return Item(
        case_id,
        RECORD + kind.value,
        {
            "id": record_id,
            "subkind": subkind,
            "target_id": target_id,
            "occurred_at": iso(occurred_at),
            "recorded_at": iso(recorded_at),
            "late": late,
            "without_consent": without_consent,
            "harm_concern": harm_concern,
            "summary": summary,
            "content": content,
            "review": None if review_reason is None else {"id": uuid7(), "reason": review_reason},
        },
    )


def review_request_item(
    *, case_id: str, record_id: str, at: datetime, reason: str, request_id: str | None = None
) -> Item:
    return Item(
        case_id,
        REVIEW_REQUESTED,
        {
            "id": request_id or uuid7(),
            "record_id": record_id,
            "requested_at": iso(at),
            "reason": reason,
        },
    )


# -- projections: one per kind, used by the save and by verify --------------------------------


def _t(value: str) -> str:
    return stored_time(datetime.fromisoformat(value))


def _case_rows(env: Envelope, p: dict[str, Any]) -> list[Row]:
    draft = CaseDraft.from_dict(p["draft"])
    created = datetime.fromisoformat(p["created_at"])
    row, index = new_case(
        case_id=env.case_id, draft=draft, created_at=created, created_by=env.author_id
    )
    at = stored_time(created)
    identity = (p.get("sealed") or {}).get("identity")
    if identity is not None:  # a restricted case: a placeholder row, its identity sealed
        row = replace(row, name_key="")
    rows: list[Row] = [
        ("case_file", tuple(stored_value(getattr(row, c)) for c in TABLES["case_file"][0])),
        ("case_member", (env.case_id, env.author_id, at, env.author_id)),
    ]
    if identity is None:
        rows.append(("case_index", (index.case_id, index.body)))
    else:  # kept out of the shared index (its members search it in memory)
        rows.append(("case_sealed", (env.case_id, str(identity))))
    ident = p.get("identifier")
    if ident:
        rows.append(
            (
                "case_identifier",
                (
                    ident["id"],
                    env.case_id,
                    ident["nhs_number"],
                    ident["reason"],
                    ident["reason_text"],
                    at,
                    env.author_id,
                ),
            )
        )
    return rows


def _member_rows(env: Envelope, p: dict[str, Any]) -> list[Row]:
    return [("case_member", (env.case_id, p["user_id"], _t(p["added_at"]), env.author_id))]


def _identifier_rows(env: Envelope, p: dict[str, Any]) -> list[Row]:
    return [
        (
            "case_identifier",
            (
                p["id"],
                env.case_id,
                p["nhs_number"],
                p["reason"],
                p["reason_text"],
                _t(p["recorded_at"]),
                env.author_id,
            ),
        )
    ]


_DRAFTS = {kind.value: spec.draft for kind, spec in KINDS.items()}


def _record_rows(env: Envelope, p: dict[str, Any], *, words: bool = True) -> list[Row]:
    kind = env.kind[len(RECORD) :]
    content = p["content"]
    recorded = _t(p["recorded_at"])
    rows: list[Row] = [
        (
            "saved_record",
            (
                p["id"],
                env.case_id,
                kind,
                p["subkind"],
                p["target_id"],
                env.author_id,
                _t(p["occurred_at"]),
                recorded,
                int(p["late"]),
                int(p["without_consent"]),
                int(p["harm_concern"]),
                p["summary"],
                orjson.dumps(content, option=orjson.OPT_SORT_KEYS).decode(),
            ),
        ),
    ]
    if sealing.SEALED_KEY not in content:  # sealed content stays out of the shared index
        rows.append(
            (
                "search_index",
                (
                    env.case_id,
                    p["id"],
                    search.content_words(_DRAFTS[kind], content) if words else "",
                ),
            )
        )
    review = p.get("review")
    if review:
        rows.append(
            ("review_request", (review["id"], p["id"], env.author_id, recorded, review["reason"]))
        )
    return rows


def _review_request_rows(env: Envelope, p: dict[str, Any]) -> list[Row]:
    return [
        (
            "review_request",
            (p["id"], p["record_id"], env.author_id, _t(p["requested_at"]), p["reason"]),
        )
    ]


def _carried_rows(env: Envelope, p: dict[str, Any]) -> list[Row]:
    table = p["table"]
    if table == "search_index" and p["row"].get("record_id") is None:
        table = "case_index"  # carried before migration 0011 gave cases their own index
    columns = TABLES[table][0]
    return [(table, tuple(p["row"][c] for c in columns))]


# -- a case's rows re-written ------------------------------------------------------------------
# Saved rows are never changed, except by a REWRITTEN envelope: restricting a case later
# (its content re-written sealed), lifting it (opened back), taking a member off. Its
# payload names each row's new values (or its removal), all of its own case; `verify`
# applies them over the rows the earlier envelopes project (see `_Overrides`).

UPDATE, INSERT, DELETE = "update", "insert", "delete"


@dataclass(frozen=True)
class Op:
    """One row re-written: `values` is the whole new row (update, insert) or its key
    (delete)."""

    table: str
    op: str
    values: tuple[Any, ...]

    def key(self) -> tuple[Any, ...]:
        if self.op == DELETE:
            return self.values
        return tuple(self.values[i] for i in TABLES[self.table][1])


#: Tables whose key starts with the case id (a removal names its case).
_KEYED_BY_CASE = frozenset({"case_member", "search_index", "case_index", "case_sealed"})


def rewrite_item(
    *, case_id: str, reason: str, ops: Sequence[Op], resealed: Sequence[list[str]] = ()
) -> Item:
    """`resealed`: the case's envelopes this rewrite re-seals, each [id, digest, hash of
    its bytes now] (store.reseal)."""
    payload: dict[str, Any] = {
        "reason": reason,
        "ops": [[o.table, o.op, list(o.values)] for o in ops],
    }
    if resealed:
        payload["resealed"] = [list(r) for r in resealed]
    return Item(case_id, REWRITTEN, payload)


def ops_of(env: Envelope, p: dict[str, Any]) -> list[Op]:
    """The rows a REWRITTEN envelope re-writes; ValueError if one is not of its case."""
    ops = []
    for table, op, values in p["ops"]:
        columns, _ = TABLES[table]
        row = tuple(values)
        if op == DELETE:
            if table not in _KEYED_BY_CASE or row[0] != env.case_id:
                raise ValueError("a removal of another case's row")
        elif op in (UPDATE, INSERT):
            case_column = "id" if table == "case_file" else "case_id"
            width = len(columns) + (table in _INDEX_WORDS)  # an index row carries its words
            if len(row) != width or row[columns.index(case_column)] != env.case_id:
                raise ValueError("a row of another case")
        else:
            raise ValueError("an unknown rewrite")
        ops.append(Op(table, op, row))
    return ops


def case_table_rows(tx: Tx, table: str, case_id: str) -> list[tuple[Any, ...]]:
    """A case's rows of a projected table as stored (for a rewrite's new values)."""
    where = "id" if table == "case_file" else "case_id"
    rows = raw_connection(tx).execute(
        f"SELECT {selected(table)} FROM {table} WHERE {where} = ? ORDER BY rowid", (case_id,)
    )
    return [tuple(r) for r in rows.fetchall()]


def _where(table: str) -> str:
    columns, pk = TABLES[table]
    return " AND ".join(f"{columns[i]} IS ?" for i in pk)


def _apply(raw: Any, ops: Sequence[Op]) -> None:
    """Re-write rows in place: the no-update/no-delete triggers of their tables are
    lifted for this transaction only (SQLite's DDL is transactional) and put back."""
    if not ops:
        return
    # Freed pages are overwritten, so the text they held does not linger in the file.
    raw.execute("PRAGMA secure_delete = ON")
    tables = sorted({o.table for o in ops})
    names = [f"{t}_no_{verb}" for t in tables for verb in ("update", "delete")]
    found = raw.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        f"AND name IN ({', '.join('?' for _ in names)})",
        names,
    ).fetchall()
    for name, _ in found:
        raw.execute(f'DROP TRIGGER "{name}"')
    for o in ops:
        columns = TABLES[o.table][0]
        if o.op == UPDATE:
            raw.execute(
                f"UPDATE {o.table} SET {', '.join(f'{c} = {_value(o.table, c)}' for c in columns)} "
                f"WHERE {_where(o.table)}",
                (*o.values, *o.key()),
            )
        elif o.op == DELETE:
            raw.execute(f"DELETE FROM {o.table} WHERE {_where(o.table)}", o.values)
        else:
            raw.execute(f"DELETE FROM {o.table} WHERE {_where(o.table)}", o.key())
            raw.execute(_INSERTS[o.table], o.values)
    for _, sql in found:
        raw.execute(sql)
    for index in sorted({o.table for o in ops if o.table in _INDEX_WORDS and o.op == DELETE}):
        # A deleted row's words stay in older index segments until they are merged.
        raw.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")


PROJECTIONS: dict[str, Callable[[Envelope, dict[str, Any]], list[Row]]] = {
    REWRITTEN: lambda env, p: [],  # its rows are applied over the others' (`_Overrides`)
    CASE_CREATED: _case_rows,
    MEMBER_ADDED: _member_rows,
    IDENTIFIER: _identifier_rows,
    REVIEW_REQUESTED: _review_request_rows,
    CARRIED: _carried_rows,
    **{RECORD + kind.value: _record_rows for kind in RecordKind},
}


def project(env: Envelope, payload: dict[str, Any], *, words: bool = True) -> list[Row]:
    """The table rows an envelope stands for (KeyError: a kind this version does not know).
    Without `words`, a record's index row has none (verify compares only its ids)."""
    if RESEALED in payload and env.kind != REWRITTEN:
        return _resealed_rows(env, payload)
    if not words and env.kind.startswith(RECORD):
        return _record_rows(env, payload, words=False)
    return PROJECTIONS[env.kind](env, payload)


def _resealed_rows(env: Envelope, payload: dict[str, Any]) -> list[Row]:
    """A re-sealed envelope's rows, as the restriction that re-sealed it left them (its
    own case's only: ValueError otherwise)."""
    rows: list[Row] = []
    for table, values in payload["rows"]:
        columns, _ = TABLES[table]
        case_column = "id" if table == "case_file" else "case_id"
        if table != "review_request" and values[columns.index(case_column)] != env.case_id:
            raise ValueError("a row of another case")
        rows.append((table, tuple(values)))
    return rows


def resealed_digest(env: Envelope) -> bytes | None:
    """The hash of a re-sealed envelope's signed message as written (None: not re-sealed)."""
    if not env.payload.startswith(_RESEALED_START):
        return None
    return bytes.fromhex(orjson.loads(env.payload)["digest"])


def vouched_bytes(env: Envelope) -> bytes:
    """What a re-sealing restriction vouches for: the envelope's bytes as they are now."""
    return hashlib.sha256(env.signed_bytes() + env.signature).digest()


def vouched_member(raw: Any, trust: Trust, env: Envelope, pos: int, case_id: str) -> bool:
    """A re-sealed envelope of `case_id` that a signed restriction vouches for as it is."""
    digest = resealed_digest(env)
    if digest is None or env.case_id != case_id:
        return False
    return _Overrides(raw, pos, _Keys(trust)).vouched(env, pos, digest)


def resealed_members(env: Envelope, payload: dict[str, Any]) -> set[str]:
    """The staff a re-sealed envelope's rows name on its case."""
    return {
        str(values[1])
        for table, values in _resealed_rows(env, payload)
        if table == "case_member" and values[0] == env.case_id
    }


def author_signed(trust: Trust, env: Envelope, signed: bytes) -> bool:
    """Whether `signed` (the envelope's message) carries its author's certified signature."""
    return _Keys(trust).verify(env.author_id, signed, env.signature)


def rows_of(item: Item, *, author_id: str) -> list[Row]:
    """The rows an item stands for when `author_id` saves it (its payload as stored)."""
    env = Envelope("", item.case_id, item.kind, author_id, "", 0, (), "", None, b"")
    return project(env, orjson.loads(canonical(item.payload)))


# -- writing --------------------------------------------------------------------------------


class EnvelopeError(StoreError):
    """An envelope could not be written or applied (a bug or a damaged store)."""

    user_message = (
        "This could not be saved: the store's signed history does not add up. Nothing was "
        "changed. Ask an administrator to run Verify store (Administration menu)."
    )


def _insert_rows(raw: Any, rows: Iterable[Row]) -> None:
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for table, values in rows:
        by_table.setdefault(table, []).append(values)
    for table, values_list in by_table.items():
        if len(values_list) == 1:
            raw.execute(_INSERTS[table], values_list[0])
        else:
            raw.executemany(_INSERTS[table], values_list)


def has_table(raw: Any) -> bool:
    return bool(raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'envelope_state'").fetchone())


def _state(raw: Any) -> tuple[str, str | None] | None:
    """(device id, carried over at) of this store; None before schema 0009."""
    if not has_table(raw):
        return None
    row = raw.execute("SELECT device_id, carried_at FROM envelope_state WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


def count(tx: Tx) -> int:
    """How many envelopes the store holds (its last position)."""
    raw = raw_connection(tx)
    if not has_table(raw):
        return 0
    last = raw.execute("SELECT pos FROM envelope ORDER BY pos DESC LIMIT 1").fetchone()
    return int(last[0]) if last else 0


def active(tx: Tx) -> bool:
    """Whether saves write envelopes here (schema 0009, history carried over)."""
    state = _state(raw_connection(tx))
    return state is not None and state[1] is not None


def chain_next(chain: bytes, signed: bytes) -> bytes:
    return chain_step(chain, hashlib.sha256(signed).digest())


def chain_step(chain: bytes, digest: bytes) -> bytes:
    """The chain after an envelope whose signed message hashes to `digest`."""
    return hashlib.sha256(chain + digest).digest()


@dataclass(frozen=True)
class Prepared:
    """A saved item made ready to sign and write: its envelope (numbered, not signed
    yet), the message its author signs, its payload as the envelope table stores it and
    the rows it projects. The work of a save that needs no database and no key: a demo
    build does it in a helper process (`Numbering`) while this one writes."""

    env: Envelope
    message: bytes
    stored: bytes
    rows: list[Row]


def prepare(
    item: Item,
    *,
    author_id: str,
    device_id: str,
    seq: int,
    base: tuple[str, ...],
    at: str,
    rows: bool = True,
) -> Prepared:
    """`item` as envelope number `seq` of `device_id`, building on `base`; with its rows
    (the payload as stored, read back: exactly what verify rebuilds) unless not `rows`."""
    payload = canonical(item.payload)
    env = Envelope(
        id=uuid7(),
        case_id=item.case_id,
        kind=item.kind,
        author_id=author_id,
        device_id=device_id,
        device_seq=seq,
        base=base,
        at=at,
        key_epoch=None,
        payload=payload,
    )
    projected = project(env, orjson.loads(payload)) if rows and item.kind != REWRITTEN else []
    return Prepared(env, env.signed_bytes(), stored_payload(env.kind, payload), projected)


class Numbering:
    """A device's next envelopes numbered ahead of the transaction that writes them, for
    cases new since `seq` (a demo build's helper): each builds on the one before it of its
    case. The writer checks every number and base again (`save_prepared`)."""

    def __init__(self, device_id: str, seq: int) -> None:
        self.device_id, self.seq = device_id, seq
        self.heads: dict[str, tuple[str, ...]] = {}

    def prepare(self, item: Item, *, author_id: str, at: str) -> Prepared:
        prepared = prepare(
            item,
            author_id=author_id,
            device_id=self.device_id,
            seq=self.seq + 1,
            base=self.heads.get(item.case_id, ()),
            at=at,
        )
        self.seq += 1
        self.heads[item.case_id] = (prepared.env.id,)
        return prepared


class _Writer:
    """Positions, sequence numbers, heads and chain for envelopes written in one transaction."""

    def __init__(self, raw: Any, device_id: str) -> None:
        self.raw, self.device_id = raw, device_id
        last = raw.execute("SELECT pos, chain FROM envelope ORDER BY pos DESC LIMIT 1").fetchone()
        self.pos, self.chain = (int(last[0]), bytes(last[1])) if last else (0, GENESIS)
        seq = raw.execute(
            "SELECT max(device_seq) FROM envelope WHERE device_id = ?", (device_id,)
        ).fetchone()
        self.seq = int(seq[0]) if seq and seq[0] is not None else 0
        self.heads: dict[str, tuple[str, ...]] = {}

    def head(self, case_id: str) -> tuple[str, ...]:
        if case_id not in self.heads:
            row = self.raw.execute(
                "SELECT id FROM envelope WHERE case_id = ? ORDER BY pos DESC LIMIT 1", (case_id,)
            ).fetchone()
            self.heads[case_id] = (row[0],) if row else ()
        return self.heads[case_id]

    def prepare(self, item: Item, *, author_id: str, at: str, rows: bool = True) -> Prepared:
        """`item` as the next envelope of this device."""
        return prepare(
            item,
            author_id=author_id,
            device_id=self.device_id,
            seq=self.seq + 1,
            base=self.head(item.case_id),
            at=at,
            rows=rows,
        )

    def place(self, signer: Signer, prepared: Prepared) -> tuple[Any, ...]:
        """The envelope row of `prepared`, signed by `signer` (its author), if it is the
        next envelope of this device and builds on its case's head (EnvelopeError if not)."""
        env = prepared.env
        if signer.user_id != env.author_id:
            raise EnvelopeError("an envelope is signed by its author")
        if (env.device_id, env.device_seq, env.base) != (
            self.device_id,
            self.seq + 1,
            self.head(env.case_id),
        ):
            raise EnvelopeError("an envelope prepared out of turn")
        signature = signer.sign(Context.ENVELOPE, prepared.message)
        self.seq += 1
        self.pos += 1
        self.chain = chain_next(self.chain, prepared.message)
        self.heads[env.case_id] = (env.id,)
        return (
            self.pos,
            env.id,
            env.case_id,
            env.kind,
            env.author_id,
            env.device_id,
            env.device_seq,
            json.dumps(list(env.base)),
            env.at,
            env.key_epoch,
            prepared.stored,
            signature,
            self.chain,
        )

    def seal(self, signer: Signer, item: Item, at: str) -> tuple[tuple[Any, ...], Envelope]:
        """`item` (not projected) as the next envelope, signed by `signer`."""
        prepared = self.prepare(item, author_id=signer.user_id, at=at, rows=False)
        return self.place(signer, prepared), prepared.env


def save(
    tx: Tx, signer: Signer | None, items: Sequence[Item], *, author_id: str, at: datetime
) -> list[str]:
    """Write saved items in the caller's transaction: each as an envelope signed by
    `signer` (one signature each) and its projected rows. In a store whose history is not
    carried over yet (or with no signing key, a store from before signed identity) only
    the rows are written; the carry-over signs them later. Returns the envelope ids."""
    return save_many(tx, [(signer, author_id, item) for item in items], at=at)


def save_many(
    tx: Tx, items: Sequence[tuple[Signer | None, str, Item]], *, at: datetime
) -> list[str]:
    """`save` for items of several authors (the demo data): (signer, author id, item)."""
    raw = raw_connection(tx)
    state = _state(raw)
    enveloped = state is not None and state[1] is not None
    rows: list[Row] = []
    envelopes: list[tuple[Any, ...]] = []
    ids: list[str] = []
    writer = _Writer(raw, state[0]) if enveloped and state else None
    stamp = iso(at)
    for signer, author_id, item in items:
        if writer is not None and signer is not None:
            if signer.user_id != author_id:
                raise EnvelopeError("an envelope is signed by its author")
            prepared = writer.prepare(item, author_id=author_id, at=stamp)
            envelopes.append(writer.place(signer, prepared))
            env = prepared.env
            ids.append(env.id)
        else:
            env = Envelope("", item.case_id, item.kind, author_id, "", 0, (), "", None, b"")
            env = replace(env, payload=canonical(item.payload))
            prepared = Prepared(env, b"", b"", project(env, orjson.loads(env.payload)))
        if item.kind == REWRITTEN:
            _insert_rows(raw, rows)
            rows = []
            _apply(raw, ops_of(env, orjson.loads(env.payload)))
        else:
            rows += prepared.rows
    if envelopes:
        raw.executemany(_INSERT_ENVELOPE, envelopes)
    _insert_rows(raw, rows)
    return ids


def numbering(tx: Tx) -> Numbering | None:
    """This device's numbering after its last envelope (None: the store writes none yet),
    to prepare items ahead of the transaction that writes them."""
    raw = raw_connection(tx)
    state = _state(raw)
    if state is None or state[1] is None:
        return None
    return Numbering(state[0], _Writer(raw, state[0]).seq)


def save_prepared(tx: Tx, items: Sequence[tuple[Signer, Prepared]]) -> list[str]:
    """Write items prepared ahead (`Numbering`: a demo build's helper) in the caller's
    transaction, as `save_many` writes them: each envelope checked to be this device's
    next and to build on its case's head, signed here by its author, then the rows.
    EnvelopeError if the store does not write envelopes or one is out of turn."""
    raw = raw_connection(tx)
    state = _state(raw)
    if state is None or state[1] is None:
        raise EnvelopeError("items prepared as envelopes, in a store without them")
    writer = _Writer(raw, state[0])
    envelopes: list[tuple[Any, ...]] = []
    rows: list[Row] = []
    for signer, prepared in items:
        if prepared.env.kind == REWRITTEN:
            raise EnvelopeError("a rewrite is saved by save_many")
        envelopes.append(writer.place(signer, prepared))
        rows += prepared.rows
    if envelopes:
        raw.executemany(_INSERT_ENVELOPE, envelopes)
    _insert_rows(raw, rows)
    return [prepared.env.id for _, prepared in items]


def start(tx: Tx, *, user_id: str, at: datetime) -> None:
    """A new store: envelopes from the first save on (nothing to carry over)."""
    if not has_table(raw_connection(tx)):
        return
    raw_connection(tx).execute(
        "UPDATE envelope_state SET carried_at = ?, carried_by = ? WHERE id = 1", (iso(at), user_id)
    )


# -- carrying over a store from before envelopes -------------------------------------------------


def _case_of(table: str, row: dict[str, Any], record_cases: dict[str, str]) -> str:
    if table == "case_file":
        return str(row["id"])
    if table == "review_request":
        return record_cases.get(str(row["record_id"]), "")
    return str(row["case_id"])


def carry_over(tx: Tx, signer: Signer, *, at: datetime) -> tuple[int, str | None]:
    """Sign every row of the projected tables as a ``carried`` envelope by `signer` (an
    administrator), once; returns how many and the last one's id (for the audit entry).
    Rows are carried table by table in the order they were written."""
    raw = raw_connection(tx)
    state = _state(raw)
    if state is None or state[1] is not None:
        return 0, None
    if raw.execute("SELECT 1 FROM envelope LIMIT 1").fetchone():
        raise EnvelopeError("envelopes exist in a store not carried over")
    writer = _Writer(raw, state[0])
    stamp = iso(at)
    record_cases: dict[str, str] = {}
    count, last = 0, None
    for table, (columns, _) in TABLES.items():
        cursor = raw.execute(f"SELECT {selected(table)} FROM {table} ORDER BY rowid")
        while batch := cursor.fetchmany(BATCH):
            values = []
            for found in batch:
                row = dict(zip(columns, found, strict=True))
                if table == "saved_record":
                    record_cases[str(row["id"])] = str(row["case_id"])
                item = Item(
                    _case_of(table, row, record_cases), CARRIED, {"table": table, "row": row}
                )
                value, env = writer.seal(signer, item, stamp)
                values.append(value)
                last = env.id
            raw.executemany(_INSERT_ENVELOPE, values)
            count += len(values)
    raw.execute(
        "UPDATE envelope_state SET carried_at = ?, carried_by = ? WHERE id = 1",
        (stamp, signer.user_id),
    )
    return count, last


# -- verifying --------------------------------------------------------------------------------


def _stored(row: Sequence[Any]) -> Envelope:
    """An envelope from its row (`_COLUMNS` order); ValueError/TypeError if damaged."""
    return Envelope(
        id=row[1],
        case_id=row[2],
        kind=row[3],
        author_id=row[4],
        device_id=row[5],
        device_seq=int(row[6]),
        base=tuple(json.loads(row[7])),
        at=row[8],
        key_epoch=row[9],
        payload=packing.unpack(bytes(row[10])),
        signature=bytes(row[11]),
    )


def stored_payload(kind: str, payload: bytes) -> bytes:
    """What the envelope table keeps of a payload (store.packing): packed, but a carried
    envelope's, whose rows `verify` picks out in SQL (`_read_carried_requests`)."""
    return payload if kind == CARRIED else packing.pack(payload)


stored = _stored  # for store.reseal


def _restricts(env: Envelope, payload: dict[str, Any]) -> bool:
    """A rewrite that restricts its case (only such a one vouches for re-sealed envelopes)."""
    restricted = TABLES["case_file"][0].index("restricted")
    return payload.get("reason") == "restricted" and any(
        o.table == "case_file" and o.op == UPDATE and o.values[restricted] == 1
        for o in ops_of(env, payload)
    )


class _Overrides:
    """What the REWRITTEN envelopes after a position do to the rows (few: restricted
    cases are few): per (table, key), the position of the rewrite that last inserted it
    (None: it is where its first envelope put it) and its final values (None: removed).
    Only rewrites whose signature verifies count (a re-sealed one: that a later one
    vouches for it). Also which re-sealed envelopes each restriction vouches for."""

    def __init__(self, raw: Any, after_pos: int, keys: _Keys | None) -> None:
        self.final: dict[tuple[str, tuple[Any, ...]], tuple[int | None, tuple[Any, ...] | None]]
        self.final = {}
        #: envelope id -> (the vouching rewrite's position and case, digest, bytes hash)
        self.vouches: dict[str, tuple[int, str, bytes, bytes]] = {}
        self._trusted = keys is None
        cursor = raw.execute(
            f"SELECT {_COLUMNS} FROM envelope WHERE pos > ? AND kind = ? ORDER BY pos",
            (after_pos, REWRITTEN),
        )
        rewrites: list[tuple[int, Envelope, dict[str, Any], bytes | None]] = []
        for row in cursor.fetchall():
            try:
                env = _stored(row)
                payload = orjson.loads(env.payload)
                digest = resealed_digest(env)
                if digest is None:
                    if keys and not keys.verify(env.author_id, env.signed_bytes(), env.signature):
                        continue
                    vouched = payload.get("resealed") if _restricts(env, payload) else None
                    for id_, d, h in vouched or ():
                        self.vouches[id_] = (
                            int(row[0]),
                            env.case_id,
                            bytes.fromhex(d),
                            bytes.fromhex(h),
                        )
                rewrites.append((int(row[0]), env, payload, digest))
            except (KeyError, ValueError, TypeError, AttributeError, UnicodeError):
                continue  # the walk reports it
        for pos, env, payload, digest in rewrites:
            try:
                if digest is not None and not self.vouched(env, pos, digest):
                    continue
                ops = ops_of(env, payload)
            except (KeyError, ValueError, TypeError, AttributeError, UnicodeError):
                continue
            for o in ops:
                key = (o.table, o.key())
                inserted = self.final.get(key, (None, None))[0]
                if o.op == INSERT:
                    self.final[key] = (int(row[0]), o.values)
                elif o.op == UPDATE:
                    self.final[key] = (inserted, o.values)
                else:
                    self.final[key] = (inserted, None)

    def vouched(self, env: Envelope, pos: int, digest: bytes) -> bool:
        """A later signed restriction of its own case vouches for this re-sealed envelope
        as it is now (store.reseal). Without keys (a rebuild), every one counts."""
        if self._trusted:
            return True
        found = self.vouches.get(env.id)
        return (
            found is not None
            and found[0] > pos
            and found[1] == env.case_id
            and found[2] == digest
            and found[3] == vouched_bytes(env)
        )

    def rows(
        self, env: Envelope, pos: int, payload: dict[str, Any], projected: list[Row] | None = None
    ) -> list[Row]:
        """The rows expected of an envelope once the later rewrites are applied (to
        `projected`, its rows as written, if given)."""
        if env.kind == REWRITTEN:
            out: list[Row] = []
            for o in ops_of(env, payload):
                inserted, values = self.final.get((o.table, o.key()), (None, None))
                if o.op == INSERT and inserted == pos and values is not None:
                    out.append((o.table, values))
            return out
        rows = project(env, payload) if projected is None else projected
        if not self.final:
            return rows
        out = []
        for table, values in rows:
            found = self.final.get((table, tuple(values[i] for i in TABLES[table][1])))
            if found is None:
                out.append((table, values))
            elif found[0] is None and found[1] is not None:
                out.append((table, found[1]))
        return out


def rebuilt(tx: Tx, trust: Trust | None = None) -> Iterator[Row]:
    """Every row the envelopes project, in their order (streamed), with the rewrites
    applied (those whose signature the `trust` certifies; all, without one): what the
    tables would be if rebuilt from the envelopes alone."""
    raw = raw_connection(tx)
    overrides = _Overrides(raw, 0, _Keys(trust) if trust else None)
    cursor = raw.execute(f"SELECT {_COLUMNS} FROM envelope ORDER BY pos")
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            env = _stored(row)
            for table, values in overrides.rows(env, int(row[0]), orjson.loads(env.payload)):
                yield table, values[: len(TABLES[table][0])]  # as stored: no index words


@dataclass
class EnvelopeReport:
    """What `verify` found."""

    envelopes: int = 0  #: in the store
    checked: int = 0  #: checked this time (signature, order, rows)
    after: int = 0  #: checked those after this position (0: all of them)
    carried: int = 0  #: of those checked, carried over from before envelopes
    active: bool = False  #: the store has envelopes (schema 0009, carried over)
    #: The tables kept by triggers were rebuilt and compared (a walk from the first).
    triggered_checked: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: For the signed check written after a clean verify.
    chain: bytes = GENESIS
    marks: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Check:
    """A user's signed statement: envelopes up to `pos` (chain `chain`), table rows up
    to `marks` and (since checks say so) the audit chain up to entry `audit` (its
    sequence number and hash) were checked."""

    user_id: str
    pos: int
    chain: bytes
    marks: dict[str, int]
    at: str
    audit: tuple[int, bytes] | None = None


def _check_statement(store_id: str, check: Check) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "store": store_id,
        "user": check.user_id,
        "pos": check.pos,
        "chain": check.chain.hex(),
        "rows": check.marks,
        "at": check.at,
    }
    if check.audit is not None:
        statement["audit"] = {"seq": check.audit[0], "hash": check.audit[1].hex()}
    return statement


def signed_checks(tx: Tx, trust: Trust, store_id: str) -> tuple[dict[str, Check], list[str]]:
    """Every user's signed record of how far their last clean verify checked (those whose
    signatures verify), and the problems of the rest."""
    raw = raw_connection(tx)
    if not has_table(raw):
        return {}, []
    return _checks(raw, trust, store_id)


def _checks(raw: Any, trust: Trust, store_id: str) -> tuple[dict[str, Check], list[str]]:
    """Every user's signed check whose signature verifies, and the problems of the rest."""
    found: dict[str, Check] = {}
    problems: list[str] = []
    for user_id, statement, signature in raw.execute(
        "SELECT user_id, statement, signature FROM envelope_check"
    ).fetchall():
        try:
            st = json.loads(bytes(statement))
            audit = st.get("audit")
            check = Check(
                str(st["user"]),
                int(st["pos"]),
                bytes.fromhex(st["chain"]),
                dict(st["rows"]),
                st["at"],
                None if audit is None else (int(audit["seq"]), bytes.fromhex(audit["hash"])),
            )
            ok = (
                st["store"] == store_id
                and check.user_id == user_id
                and canonical(st) == bytes(statement)
                and any(
                    verify(key, Context.ENVELOPE_CHECK, bytes(statement), bytes(signature))
                    for _, key in trust.sign_keys.get(user_id, [])
                    if key is not None  # None: from a disable or revocation on
                )
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            found[user_id] = check
        else:
            problems.append(
                f"user {user_id}'s record of what their verify checked has been altered"
            )
    return found, problems


def record_check(
    tx: Tx,
    signer: Signer,
    *,
    store_id: str,
    report: EnvelopeReport,
    audit_head: tuple[int, bytes] | None,
) -> None:
    """After a clean verify: this user has checked everything up to now, the envelopes
    and the audit chain up to `audit_head` (sequence number, hash) (signed)."""
    check = Check(
        signer.user_id,
        report.envelopes,
        report.chain,
        report.marks,
        iso(datetime.now(UTC)),
        audit_head,
    )
    statement = canonical(_check_statement(store_id, check))
    raw_connection(tx).execute(
        "INSERT OR REPLACE INTO envelope_check (user_id, statement, signature) VALUES (?, ?, ?)",
        (signer.user_id, statement, signer.sign(Context.ENVELOPE_CHECK, statement)),
    )


class _Keys:
    """The signing keys the grants certify for each author, the last one that worked first."""

    def __init__(self, trust: Trust) -> None:
        self._trust = trust
        self._order: dict[str, list[bytes]] = {}

    def of(self, author: str) -> list[bytes]:
        keys = self._order.get(author)
        if keys is None:
            keys = [
                key
                for _, key in reversed(self._trust.sign_keys.get(author, []))
                if key is not None  # None: from a disable or revocation on
            ]
            self._order[author] = keys
        return keys

    def verify(self, author: str, signed: bytes, signature: bytes) -> bool:
        keys = self.of(author)
        for n, key in enumerate(keys):
            if verify(key, Context.ENVELOPE, signed, signature):
                if n:
                    keys.insert(0, keys.pop(n))
                return True
        return False


class _Compare:
    """Rows expected from the envelopes against the rows of one table, both in the order
    they were written: matched in step, with small pending sets absorbing a row added or
    removed by hand (bounded memory however many rows agree)."""

    def __init__(self, raw: Any, table: str, after_rowid: int) -> None:
        self.table = table
        columns, self.pk = TABLES[table]
        self.width = len(columns)
        self._cursor = raw.execute(
            f"SELECT rowid, {selected(table)} FROM {table} WHERE rowid > ? ORDER BY rowid",
            (after_rowid,),
        )
        self._actual: Iterator[tuple[Any, ...]] = self._rows()
        self.expected_pending: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.actual_pending: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.problems: list[str] = []
        self.max_rowid = after_rowid

    def _rows(self) -> Iterator[tuple[Any, ...]]:
        while batch := self._cursor.fetchmany(BATCH):
            for row in batch:
                self.max_rowid = row[0]
                yield tuple(row[1:])

    def _key(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(values[i] for i in self.pk)

    def _same(self, expected: tuple[Any, ...], actual: tuple[Any, ...]) -> None:
        if expected != actual:
            self.problems.append(
                f"{self.table} row {self._key(expected)[0]} differs from its envelope "
                "(edited in the database)"
            )

    def expect(self, values: tuple[Any, ...]) -> None:
        values = values[: self.width]  # an index row's words are not stored to compare
        key = self._key(values)
        if key in self.actual_pending:
            self._same(values, self.actual_pending.pop(key))
        else:
            self.expected_pending[key] = values
        actual = next(self._actual, None)
        if actual is not None:
            akey = self._key(actual)
            if akey in self.expected_pending:
                self._same(self.expected_pending.pop(akey), actual)
            else:
                self.actual_pending[akey] = actual

    def close(self) -> None:
        """Stop reading the table (a walk cut short; again: nothing)."""
        self._cursor.close()

    def finish(self) -> list[str]:
        for actual in self._actual:
            akey = self._key(actual)
            if akey in self.expected_pending:
                self._same(self.expected_pending.pop(akey), actual)
            else:
                self.actual_pending[akey] = actual
        for key in self.expected_pending:
            self.problems.append(
                f"{self.table} row {key[0]} of an envelope is missing (deleted in the database)"
            )
        for key in self.actual_pending:
            self.problems.append(
                f"{self.table} row {key[0]} comes from no envelope (added in the database)"
            )
        return self.problems


#: The tables the database's own triggers keep from saved_record and review_request
#: (migrations 0004, 0007, 0010: the case list's figures, the review and consent
#: worklists, requests due), with their keys.
TRIGGERED = {
    "case_stats": "case_id",
    "review_status": "record_id",
    "consent_watch": "record_id",
    "request_status": "request_id",
}
#: Those read from a record's payload: compared for cases never restricted or re-written
#: (a case restricted later keeps the rows its records made while they were readable;
#: its payloads are sealed since, and say no more).
_FROM_PAYLOAD = frozenset({"consent_watch", "request_status"})
_TRIGGER_SOURCES = ("saved_record", "review_request")


#: The page cache of the database the trigger-kept tables are rebuilt in (see
#: `_scratch_database`), in KiB: what a full verify holds of them in memory.
REBUILD_CACHE_KIB = 16 * 1024


@contextlib.contextmanager
def _scratch_database(raw: Any) -> Iterator[Any]:
    """An empty database to rebuild the trigger-kept tables in. At a million records they
    fill about a hundred megabytes, so it is a file, not memory, with a bounded page
    cache: in a temporary folder of the store's data folder (listed, so the next start
    removes it should this process die), encrypted under a key made for it and held only
    here. No journal and no sync: it is thrown away however the verify ends."""
    main = next(row[2] for row in raw.execute("PRAGMA database_list") if row[1] == "main")
    paths = DataPaths(Path(main).parent)
    with leftovers.temp_folder(paths, paths.root, leftovers.VERIFY_PREFIX) as folder:
        db = engine.bulk_connect(folder / leftovers.REBUILD_NAME, secrets.token_bytes(32))
        try:
            db.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
            yield db
        finally:
            db.close()


class _Triggered:
    """The trigger-kept tables rebuilt: each envelope's saved records and review requests,
    as it wrote them, inserted in the envelopes' order into a scratch database with
    the store's own tables and triggers (read from the store, so they cannot drift), and
    the result compared with the store's tables.

    Memory is bounded by one batch and the rebuilt tables: a batch's records are removed
    once its triggers have run (no trigger reads a record again, except a later review
    request, which finds its record's owner: that one row is put back for it with the
    record triggers lifted). Carried-over rows were written table by table: their review
    requests (small) are read first and go in between the carried records in time order,
    as the migration that made those tables folded them."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._scratch = contextlib.ExitStack()
        self.db = self._scratch.enter_context(_scratch_database(raw))
        packing.register(self.db)  # the store's triggers read saved_record.payload unpacked
        self.tables = []
        for table in (*_TRIGGER_SOURCES, *TRIGGERED):
            found = raw.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if found is not None:
                self.db.execute(found[0])
                self.tables.append(table)
        self._record_triggers: list[tuple[str, str]] = []
        for name, table, sql in raw.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN (?, ?) AND sql NOT LIKE '%RAISE%'",  # not the append-only guards
            _TRIGGER_SOURCES,
        ).fetchall():
            self.db.execute(sql)
            if table == "saved_record":
                self._record_triggers.append((name, sql))
        self._inserts = {
            t: f"INSERT INTO {t} ({', '.join(TABLES[t][0])}) "
            f"VALUES ({', '.join('?' * len(TABLES[t][0]))})"
            for t in _TRIGGER_SOURCES
        }
        self._pending: list[Row] = []
        #: The carried review requests not yet put in, in time order.
        self._carried_requests = self._read_carried_requests(raw)
        #: Cases whose rows were re-written (restricted, lifted, a member taken off).
        self.rewritten: set[str] = set()
        self.db.execute("BEGIN")

    @staticmethod
    def _read_carried_requests(raw: Any) -> list[tuple[Any, ...]]:
        columns = TABLES["review_request"][0]
        if not raw.execute(  # a carry-over is one run from the first position
            "SELECT 1 FROM envelope WHERE pos = 1 AND kind = ?", (CARRIED,)
        ).fetchone():
            return []
        found = raw.execute(
            "SELECT payload FROM envelope WHERE kind = ? "
            "AND json_valid(payload) AND json_extract(payload, '$.table') = 'review_request' "
            "ORDER BY pos",
            (CARRIED,),
        ).fetchall()
        rows = []
        for (payload,) in found:
            try:
                row = orjson.loads(payload)["row"]
                rows.append(tuple(row[c] for c in columns))
            except (KeyError, ValueError, TypeError):
                continue  # the walk reports it
        return sorted(rows, key=lambda r: str(r[3]))  # requested_at

    def add(self, env: Envelope, payload: dict[str, Any], written: list[Row]) -> None:
        if env.kind == REWRITTEN:
            self._flush()
            self.rewritten.add(env.case_id)
            self._apply(ops_of(env, payload))
            return
        for table, values in written:
            if table not in _TRIGGER_SOURCES:
                continue
            if env.kind == CARRIED:
                if table == "review_request":
                    continue  # put in by time (`_carried_requests`)
                self._requests_before(str(values[7]))  # recorded_at
            elif self._carried_requests:
                self._requests_before(None)
            self._pending.append((table, values))

    def _requests_before(self, at: str | None) -> None:
        """The carried review requests made before `at` (None: all that are left)."""
        n = 0
        waiting = self._carried_requests
        while n < len(waiting) and (at is None or str(waiting[n][3]) < at):
            n += 1
        if n:
            self._pending += [("review_request", values) for values in waiting[:n]]
            del waiting[:n]

    def _flush(self) -> None:
        """The rows added since, in their order (each run of one table at once)."""
        pending, self._pending = self._pending, []
        start = 0
        while start < len(pending):
            table = pending[start][0]
            end = start
            while end < len(pending) and pending[end][0] == table:
                end += 1
            run = [values for _, values in pending[start:end]]
            if table == "review_request":
                self._owners({str(values[1]) for values in run})
            try:
                self.db.executemany(self._inserts[table], run)
            except sqlcipher3.IntegrityError:  # the store refused it too: one at a time
                for values in run:
                    with contextlib.suppress(sqlcipher3.IntegrityError):
                        self.db.execute(self._inserts[table], values)
            start = end

    def _owners(self, record_ids: set[str]) -> None:
        """Put back, without firing the record triggers, the records of earlier batches
        that these review requests name (the request trigger reads their case and
        author): from the store's table, which the walk compares with the envelopes."""
        here = {
            r[0]
            for r in self.db.execute(
                f"SELECT id FROM saved_record WHERE id IN ({', '.join('?' * len(record_ids))})",
                list(record_ids),
            )
        }
        missing = sorted(record_ids - here)
        if not missing:
            return
        found = self.raw.execute(
            f"SELECT {selected('saved_record')} FROM saved_record "
            f"WHERE id IN ({', '.join('?' * len(missing))})",
            missing,
        ).fetchall()
        if not found:
            return
        for name, _ in self._record_triggers:
            self.db.execute(f'DROP TRIGGER "{name}"')
        self.db.executemany(self._inserts["saved_record"], [tuple(r) for r in found])
        for _, sql in self._record_triggers:
            self.db.execute(sql)

    def _apply(self, ops: list[Op]) -> None:
        """A rewrite's rows, as `_apply` writes them (an update fires no trigger; the
        records of earlier batches are gone from here, so only an insert matters)."""
        for o in ops:
            if o.table in _TRIGGER_SOURCES and o.op == INSERT:
                self.db.execute(f"DELETE FROM {o.table} WHERE {_where(o.table)}", o.key())
                self._pending.append((o.table, o.values))
        self._flush()

    def batch_done(self) -> None:
        self._flush()
        self.db.execute("DELETE FROM saved_record")
        self.db.execute("DELETE FROM review_request")
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def finish(self, raw: Any) -> list[str]:
        """The differences, at most 50 a table; ends the scratch database."""
        self._requests_before(None)
        self._flush()
        excluded = self.rewritten | {
            case_id for (case_id,) in raw.execute("SELECT id FROM case_file WHERE restricted = 1")
        }
        problems: list[str] = []
        try:
            for table, key in TRIGGERED.items():
                if table in self.tables:
                    problems += self._compare(raw, table, key, excluded)[:50]
        finally:
            self.close()
        return problems

    def close(self) -> None:
        """End the rebuild's database and remove it (again: nothing)."""
        self._scratch.close()

    def _compare(self, raw: Any, table: str, key: str, excluded: set[str]) -> list[str]:
        columns = [r[1] for r in self.db.execute(f"PRAGMA table_info({table})")]
        select = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}"
        case = columns.index("case_id")
        skip = excluded if table in _FROM_PAYLOAD else set()
        theirs = (r for r in raw.execute(select) if r[case] not in skip)
        mine = (r for r in self.db.execute(select) if r[case] not in skip)
        problems: list[str] = []
        a, b = next(theirs, None), next(mine, None)
        while a is not None or b is not None:
            if b is None or (a is not None and a[0] < b[0]):
                assert a is not None
                problems.append(
                    f"{table} row {a[0]} comes from no saved record (added in the database)"
                )
                a = next(theirs, None)
            elif a is None or b[0] < a[0]:
                problems.append(
                    f"{table} row {b[0]} that the saved records make is missing "
                    "(deleted in the database)"
                )
                b = next(mine, None)
            else:
                if tuple(a) != tuple(b):
                    problems.append(
                        f"{table} row {a[0]} differs from what the saved records make it "
                        "(edited in the database)"
                    )
                a, b = next(theirs, None), next(mine, None)
        return problems


def _max_rowid(raw: Any, table: str) -> int:
    row = raw.execute(f"SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 0


def verify_envelopes(
    tx: Tx,
    trust: Trust,
    *,
    store_id: str,
    user_id: str | None,
    full: bool = False,
    checker: sigcheck.Checker | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> EnvelopeReport:
    """Check the envelopes and the tables projected from them: every signature (by a key
    the grants certify for its author), the order (positions, chain, each device's
    sequence, each base an earlier envelope of the case), the carry-over, and that the
    tables hold exactly the rows the envelopes project. Unless `full`, only what was added
    since this user's last signed check; streams either way. The signatures go to
    `checker` (a verify's shared helper) or to one of the walk's own. Every BATCH
    envelopes, `progress(done, to check)` is told and `should_stop` polled
    (OperationCancelled)."""
    raw = raw_connection(tx)
    report = EnvelopeReport()
    state = _state(raw)
    if state is None or state[1] is None:
        return report
    try:
        _verify(
            raw,
            trust,
            report,
            store_id=store_id,
            user_id=user_id,
            full=full,
            checker=checker,
            watch=_Watch(progress, should_stop),
        )
    except Exception as exc:  # text edited into bytes that are not UTF-8 cannot be read
        if "decode" not in str(exc).lower():
            raise
        report.problems.append(
            "the envelopes or the tables hold text that is not UTF-8 (edited in the database)"
        )
    return report


def _verify(
    raw: Any,
    trust: Trust,
    report: EnvelopeReport,
    *,
    store_id: str,
    user_id: str | None,
    full: bool,
    checker: sigcheck.Checker | None,
    watch: _Watch,
) -> None:
    report.active = True
    last = raw.execute("SELECT pos, chain FROM envelope ORDER BY pos DESC LIMIT 1").fetchone()
    report.envelopes = int(last[0]) if last else 0
    checks, report.problems = _checks(raw, trust, store_id)
    start_pos, chain, marks = 0, GENESIS, dict.fromkeys(TABLES, 0)
    for check in checks.values():  # everyone's check pins the history they saw
        row = raw.execute("SELECT chain FROM envelope WHERE pos = ?", (check.pos,)).fetchone()
        if check.pos > report.envelopes or (
            check.pos and (row is None or bytes(row[0]) != check.chain)
        ):
            report.problems.append(
                f"the envelopes user {check.user_id} had checked (up to {check.pos}) have been "
                "changed, removed or replaced"
            )
    mine = checks.get(user_id or "")
    if not full and mine is not None and not report.problems and mine.pos <= report.envelopes:
        start_pos, chain = mine.pos, mine.chain
        marks = {t: int(mine.marks.get(t, 0)) for t in TABLES}
    report.after = start_pos
    with sigcheck.shared_or_own(checker, report.envelopes - start_pos) as walk_checker:
        _walk(raw, trust, report, start_pos, chain, marks, walk_checker, watch)


@dataclass(frozen=True)
class _Watch:
    """Who is told how far a walk is, and who may stop it."""

    progress: Progress | None
    should_stop: StopCheck | None


def _walk(
    raw: Any,
    trust: Trust,
    report: EnvelopeReport,
    start_pos: int,
    chain: bytes,
    marks: dict[str, int],
    checker: sigcheck.Checker,
    watch: _Watch,
) -> None:
    """The walk, with what it reads through and builds in closed however it ends (a
    cancel, a failure): the envelopes' cursor and each table's, which would otherwise
    stay open on the pooled connection the next verify reads through, and the scratch
    database the trigger-kept tables are rebuilt in (from the first envelope only: they
    change as records are added)."""
    compare = {t: _Compare(raw, t, marks[t]) for t in TABLES}
    triggered = _Triggered(raw) if start_pos == 0 else None
    cursor = raw.execute(
        f"SELECT {_COLUMNS} FROM envelope WHERE pos > ? ORDER BY pos", (start_pos,)
    )
    try:
        _walk_from(
            raw, trust, report, start_pos, chain, (compare, triggered, cursor), checker, watch
        )
    finally:
        cursor.close()
        for comparison in compare.values():
            comparison.close()
        if triggered is not None:
            triggered.close()


def _walk_from(
    raw: Any,
    trust: Trust,
    report: EnvelopeReport,
    start_pos: int,
    chain: bytes,
    opened: tuple[dict[str, _Compare], _Triggered | None, Any],
    checker: sigcheck.Checker,
    watch: _Watch,
) -> None:
    compare, triggered, cursor = opened
    keys = _Keys(trust)
    overrides = _Overrides(raw, start_pos, keys)
    devices: dict[str, int] = {}
    heads: dict[str, set[str]] = {}
    expected_pos = start_pos + 1
    carried_by: str | None = None
    carried_open = start_pos == 0
    problems = report.problems
    count = report.envelopes - start_pos
    for batch in _signed_batches(cursor, keys, checker):
        check_stop(watch.should_stop)
        if watch.progress is not None:
            watch.progress(report.checked, count)
        for row, env, signed, signature_ok in batch:
            pos = row[0]
            report.checked += 1
            if pos != expected_pos:
                problems.append(f"envelope {expected_pos} is missing (found {pos} next)")
            expected_pos = pos + 1
            if env is None or signed is None:
                problems.append(f"envelope {pos} is damaged")
                chain = bytes(row[12])
                continue
            try:
                digest = resealed_digest(env)  # re-sealed: its hash as written (store.reseal)
            except (ValueError, TypeError, KeyError):
                problems.append(f"envelope {pos} is damaged")
                chain = bytes(row[12])
                continue
            chain = chain_next(chain, signed) if digest is None else chain_step(chain, digest)
            if bytes(row[12]) != chain:
                problems.append(
                    f"envelope {pos} does not follow the one before it (reordered or replaced)"
                )
                chain = bytes(row[12])
            if digest is not None:
                if not overrides.vouched(env, pos, digest):
                    problems.append(
                        f"envelope {pos} ({env.kind}) is re-sealed, but no signed restriction "
                        "of its case vouches for it as it is (edited or forged)"
                    )
                    continue
            elif not signature_ok:
                problems.append(
                    f"envelope {pos} ({env.kind}) has no valid signature of its author "
                    "(forged, edited or unsigned)"
                )
                continue
            elif env.id in overrides.vouches:
                problems.append(
                    f"envelope {pos} ({env.kind}) was re-sealed when its case was restricted, "
                    "and holds its plain text again (put back in the database)"
                )
            _check_order(raw, env, pos, devices, heads, problems)
            if env.kind == CARRIED:
                report.carried += 1
                if not carried_open or (carried_by not in (None, env.author_id)):
                    problems.append(f"envelope {pos} claims to be carried over but is not")
                carried_by = env.author_id
            else:
                carried_open = False
            try:
                payload = orjson.loads(env.payload)
                written = [] if env.kind == REWRITTEN else project(env, payload, words=False)
                rows = overrides.rows(env, pos, payload, written)
                if triggered is not None:
                    triggered.add(env, payload, written)
            except (KeyError, ValueError, TypeError, AttributeError):
                problems.append(f"envelope {pos} ({env.kind}) cannot be read by this version")
                continue
            for table, values in rows:
                compare[table].expect(values)
        report.chain = chain
        if triggered is not None:
            triggered.batch_done()
    report.chain = chain
    if triggered is not None:
        problems += triggered.finish(raw)
        report.triggered_checked = True
    if carried_by is not None:
        _check_carry_over(raw, carried_by, report)
    for table, comparison in compare.items():
        problems += comparison.finish()[:50]
        report.marks[table] = max(comparison.max_rowid, _max_rowid(raw, table))


#: One envelope of a walk: its row, the envelope and its signed bytes (None: damaged)...
_Read = tuple[Sequence[Any], Envelope | None, bytes | None]
#: ... and whether a key the grants certify for its author signed it.
_Signed = tuple[Sequence[Any], Envelope | None, bytes | None, bool]


def _signed_batches(cursor: Any, keys: _Keys, checker: sigcheck.Checker) -> Iterator[list[_Signed]]:
    """The envelopes of `cursor`, BATCH at a time, each with its signature checked by
    `checker` (for a long walk, a helper process) while the caller works through the
    batch before, so the checks and the rebuild share the two cores."""

    def prepared(batch: list[Sequence[Any]]) -> list[_Read]:
        out: list[_Read] = []
        for row in batch:
            try:
                env = _stored(row)
                out.append((row, env, env.signed_bytes()))
            except (ValueError, TypeError, UnicodeError):
                out.append((row, None, None))
        return out

    def batches() -> Iterator[tuple[list[_Read], sigcheck.Keys, list[sigcheck.Item]]]:
        while batch := cursor.fetchmany(BATCH):
            ready = prepared(batch)
            items = [
                (env.author_id, signed, env.signature)
                for _, env, signed in ready
                if env is not None and signed is not None
            ]
            yield ready, {author: keys.of(author) for author, _, _ in items}, items

    for done, answers in sigcheck.checked_batches(checker, Context.ENVELOPE, batches()):
        found = iter(answers)
        yield [
            (row, env, signed, env is not None and signed is not None and next(found))
            for row, env, signed in done
        ]


def _check_order(
    raw: Any,
    env: Envelope,
    pos: int,
    devices: dict[str, int],
    heads: dict[str, set[str]],
    problems: list[str],
) -> None:
    """Each device's envelopes are numbered 1, 2, 3... in the order they arrive; each
    envelope builds only on earlier envelopes of its own case."""
    last = devices.get(env.device_id)
    if last is None:
        found = raw.execute(
            "SELECT device_seq FROM envelope WHERE device_id = ? AND pos < ? "
            "ORDER BY device_seq DESC LIMIT 1",
            (env.device_id, pos),
        ).fetchone()
        last = int(found[0]) if found else 0
    if env.device_seq != last + 1:
        problems.append(
            f"envelope {pos} is number {env.device_seq} of its device, after {last}: "
            "envelopes were removed or reordered"
        )
    devices[env.device_id] = env.device_seq
    case_heads = heads.setdefault(env.case_id, set())
    for base in env.base:
        if base in case_heads:
            continue
        found = raw.execute("SELECT pos, case_id FROM envelope WHERE id = ?", (base,)).fetchone()
        if found is None or found[0] >= pos or found[1] != env.case_id:
            problems.append(f"envelope {pos} builds on one that is not an earlier one of its case")
    case_heads.difference_update(env.base)
    case_heads.add(env.id)


def _check_carry_over(raw: Any, carried_by: str, report: EnvelopeReport) -> None:
    """The carry-over is in the audit trail (signed, checked with it), by its signer."""
    found = raw.execute(
        "SELECT actor_id, at FROM audit_event WHERE target_kind = 'envelopes' AND action = ?",
        ("store.carry_over_items",),
    ).fetchall()
    if not any(actor == carried_by for actor, _ in found):
        report.problems.append("envelopes claim to be carried over with no audit entry saying so")
        return
    at = next(a for actor, a in found if actor == carried_by)
    report.notes.append(
        f"{report.carried} items from before envelopes were carried over on {str(at)[:10]} "
        f"by user {carried_by}"
    )
