"""Re-sealing: when an ordinary case is restricted, the envelopes that still hold its
plain text (written while it was ordinary, carried over from before sealing, or a lift's
rewrite) are re-sealed under the case key, in the restriction's transaction.

An envelope's signature is its author's over ``header + 0x00 + payload`` as written
(store.envelopes), and it cannot be checked without that payload, which now only the
case's key-holders can open. So a re-sealed envelope keeps its header, its author's
signature, its id and its place in the chain, and its payload becomes (canonical JSON)::

    {"$resealed": sealed1 ciphertext of the payload as written (field "envelope.<id>"),
     "digest": hex SHA-256 of the signed message as written,
     "rows": the rows it projects, as the restriction left them   (a record, a case...)
     | "reason", "ops": its rewrite with the restriction's values (a lift's rewrite)}

The chain goes on through "digest" (the same hash as before, so every user's signed check
still holds). The restriction's own signed ``case.rewritten`` envelope vouches for each
one: ``"resealed": [[id, digest, hex SHA-256 of (its signed message now + its
signature)], ...]``. `verify` accepts a re-sealed envelope only if a later restriction of
the same case (reason "restricted", setting its case row restricted), signed by a
certified key, names its id, its digest and exactly its bytes now (header, new payload
and signature): any edit, or a plain envelope dressed up as re-sealed, is named.
Before vouching, the restricter checks each envelope's author's signature over the
payload as written (a forged or edited one refuses the restriction).
A key-holder can still check the author's own signature: open the ciphertext, and the
signed message it rebuilds must hash to "digest" (`original`).

Lifting a restriction does not open them again: the lift's rewrite carries the rows'
plain values (so verify rebuilds them without a key), and the re-sealed envelopes stay
sealed (their key-holders can still open them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from infoshare_desktop.store import envelopes, packing
from infoshare_desktop.store.envelopes import Envelope, Op
from infoshare_desktop.store.errors import StoreError
from infoshare_desktop.store.grants import Trust
from infoshare_desktop.store.signing import canonical
from infoshare_desktop.store.writes import Tx, raw_connection

RESEALED = envelopes.RESEALED


class ResealRefused(StoreError):
    """A case's envelope to re-seal does not verify: nothing is vouched for, nothing
    changed."""

    user_message = (
        "This case could not be restricted: one of its saved items does not carry a valid "
        "signature of its author. Nothing was changed. Ask an administrator to run Verify "
        "store (Administration menu)."
    )


@dataclass(frozen=True)
class Resealed:
    """One envelope re-sealed: its id, the hash of its signed message as written, its
    payload from now on, and the bytes the restriction vouches for."""

    id: str
    digest: bytes
    payload: bytes
    vouched: bytes

    def statement(self) -> list[str]:
        return [self.id, self.digest.hex(), self.vouched.hex()]


def _case_envelopes(tx: Tx, case_id: str) -> Iterator[Envelope]:
    cursor = raw_connection(tx).execute(
        f"SELECT {envelopes.COLUMNS} FROM envelope WHERE case_id = ? ORDER BY pos", (case_id,)
    )
    while batch := cursor.fetchmany(envelopes.BATCH):
        for row in batch:
            try:
                yield envelopes.stored(row)
            except (ValueError, TypeError, UnicodeError) as exc:
                raise ResealRefused() from exc


def _plain(envs: Iterator[Envelope]) -> Iterator[tuple[Envelope, dict[str, Any]]]:
    """The case's envelopes that hold plain text: those written while it was ordinary,
    those carried over (from before sealing), and its lifts' rewrites; not one re-sealed
    already, nor one written while restricted (its content was sealed as written)."""
    restricted = False
    for env in envs:
        try:
            payload = orjson.loads(env.payload)
        except ValueError as exc:
            raise ResealRefused() from exc
        if RESEALED in payload:
            continue
        reason = payload.get("reason") if env.kind == envelopes.REWRITTEN else None
        holds_plain = not restricted or env.kind == envelopes.CARRIED or reason == "unrestricted"
        sealed_as_written = env.kind == envelopes.CASE_CREATED and payload.get("sealed")
        if sealed_as_written or reason == "restricted":
            restricted, holds_plain = True, False
        elif reason == "unrestricted":
            restricted = False
        if holds_plain:
            yield env, payload


def _without_text(table: str, values: Sequence[Any], by_key: dict[Any, Op]) -> list[Any] | None:
    """A row as the restriction left it (None: it removed the row); an index row's
    words are dropped (verify compares its ids only)."""
    columns, pk = envelopes.TABLES[table]
    key = (table, tuple(values[i] for i in pk))
    op = by_key.get(key)
    if op is not None:
        if op.op == envelopes.DELETE:
            return None
        values = op.values
    row = list(values[: len(columns)])
    if table in envelopes.INDEX_WORDS:
        row.append("")
    return row


def _readable(env: Envelope, payload: dict[str, Any], by_key: dict[Any, Op]) -> dict[str, Any]:
    """What a re-sealed envelope keeps readable: no text, only what verify needs."""
    if env.kind == envelopes.REWRITTEN:
        ops = []
        for o in envelopes.ops_of(env, payload):
            if o.op == envelopes.DELETE:
                ops.append([o.table, o.op, list(o.values)])
                continue
            row = _without_text(o.table, o.values, by_key)
            if row is None:  # a row the restriction removes: only its key matters
                columns, pk = envelopes.TABLES[o.table]
                row = [o.values[i] if i in pk else None for i in range(len(columns))]
                if o.table in envelopes.INDEX_WORDS:
                    row.append("")
                else:  # the case id it names is checked
                    case_column = "id" if o.table == "case_file" else "case_id"
                    row[columns.index(case_column)] = env.case_id
            ops.append([o.table, o.op, row])
        return {"reason": payload["reason"], "ops": ops}
    rows = []
    for table, values in envelopes.project(env, payload):
        row = _without_text(table, values, by_key)
        if row is not None:
            rows.append([table, row])
    return {"rows": rows}


def plan(
    tx: Tx,
    trust: Trust,
    *,
    case_id: str,
    ops: Sequence[Op],
    seal: Callable[[str, str], str],
) -> list[Resealed]:
    """The case's envelopes that hold plain text, re-sealed (`seal(field name, text)`
    gives the ciphertext under the case's current key), their readable parts as the
    restriction's `ops` leave the rows. ResealRefused if one does not verify."""
    by_key = {(o.table, o.key()): o for o in ops}
    out = []
    for env, payload in _plain(_case_envelopes(tx, case_id)):
        signed = env.signed_bytes()
        if not envelopes.author_signed(trust, env, signed):
            raise ResealRefused()
        digest = hashlib.sha256(signed).digest()
        new_payload = canonical(
            {
                RESEALED: seal(f"envelope.{env.id}", env.payload.decode("utf-8")),
                "digest": digest.hex(),
                **_readable(env, payload, by_key),
            }
        )
        now = replace(env, payload=new_payload)
        vouched = hashlib.sha256(now.signed_bytes() + env.signature).digest()
        out.append(Resealed(env.id, digest, new_payload, vouched))
    return out


def write(tx: Tx, resealed: Sequence[Resealed]) -> None:
    """Replace the envelopes' payloads (the caller's transaction, after the vouching
    rewrite): the append-only trigger is lifted for this transaction only, and the
    freed space is overwritten (secure_delete), so the plain text does not linger."""
    if not resealed:
        return
    raw = raw_connection(tx)
    raw.execute("PRAGMA secure_delete = ON")
    found = raw.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'envelope_no_update'"
    ).fetchone()
    if found:
        raw.execute('DROP TRIGGER "envelope_no_update"')
    raw.executemany(
        "UPDATE envelope SET payload = ? WHERE id = ?",
        [(packing.pack(r.payload), r.id) for r in resealed],  # a carried one's too
    )
    if found:
        raw.execute(found[0])


def original(env: Envelope, open_text: Callable[[str], str]) -> Envelope | None:
    """A re-sealed envelope as its author wrote it (`open_text` opens the ciphertext with
    the case key), if it is one and it hashes to its digest; else None."""
    payload = orjson.loads(env.payload)
    if RESEALED not in payload:
        return None
    written = replace(env, payload=open_text(payload[RESEALED]).encode("utf-8"))
    if hashlib.sha256(written.signed_bytes()).hexdigest() != payload["digest"]:
        return None
    return written


def check(tx: Tx, trust: Trust, open_text: Callable[[Envelope, str], str | None]) -> list[str]:
    """What a key-holder's verify adds (the walk checks the vouches; store.envelopes):
    each re-sealed envelope whose case key this user holds (`open_text(envelope,
    ciphertext)`: the plain text, None without the key) opens to the message its author
    signed, and its readable part is what its restriction's rows make of it. Problems,
    by position. Cheap: only cases restricted later have re-sealed envelopes."""
    raw = raw_connection(tx)
    problems: list[str] = []
    rewrites = raw.execute(
        f"SELECT {envelopes.COLUMNS} FROM envelope WHERE kind = ? ORDER BY pos",
        (envelopes.REWRITTEN,),
    ).fetchall()
    for row in rewrites:
        try:
            restriction = envelopes.stored(row)
            payload = orjson.loads(restriction.payload)
            statements = payload.get("resealed") if isinstance(payload, dict) else None
            if not statements or not envelopes.author_signed(
                trust, restriction, restriction.signed_bytes()
            ):
                continue  # none, or the walk names it
            by_key = {(o.table, o.key()): o for o in envelopes.ops_of(restriction, payload)}
        except (KeyError, ValueError, TypeError, UnicodeError):
            continue
        for env_id, *_ in statements:
            found = raw.execute(
                f"SELECT {envelopes.COLUMNS} FROM envelope WHERE id = ?", (env_id,)
            ).fetchone()
            if found is None:
                continue  # the walk names what is missing
            problem = _check_one(envelopes.stored(found), by_key, trust, open_text)
            if problem:
                problems.append(f"envelope {found[0]} ({found[3]}), re-sealed: {problem}")
    return problems


def _check_one(
    env: Envelope,
    by_key: dict[Any, Op],
    trust: Trust,
    open_text: Callable[[Envelope, str], str | None],
) -> str | None:
    try:
        stored = orjson.loads(env.payload)
        if RESEALED not in stored:
            return None  # the walk names it
        text = open_text(env, stored[RESEALED])
        if text is None:
            return None  # not this user's case key
        written = original(env, lambda _: text)
        if written is None:
            return "what it holds sealed is not what its author signed (changed when re-sealed)"
        if not envelopes.author_signed(trust, written, written.signed_bytes()):
            return "what it holds sealed carries no valid signature of its author"
        readable = {k: v for k, v in stored.items() if k not in (RESEALED, "digest")}
        expected = _readable(written, orjson.loads(written.payload), by_key)
        if orjson.loads(orjson.dumps(expected)) != readable:
            return "its rows are not what its restriction made of what it said"
    except StoreError:
        return "it does not open under its case key (altered)"
    except (KeyError, ValueError, TypeError, UnicodeError):
        return "it is damaged"
    return None
