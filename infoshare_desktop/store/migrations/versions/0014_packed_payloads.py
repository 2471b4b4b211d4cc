"""Payloads stored packed (store.packing): their JSON compressed with a fixed preset
dictionary, behind a one-byte mark; about a quarter of the bytes at the demo's text
lengths, and the record's text is no longer held twice at full size.

- `envelope.payload`: what is signed, chained and verified is the canonical JSON as
  before (every reader unpacks first), so no signature, chain or check changes. Carried
  envelopes stay as written (verify picks their review requests out in SQL);
- `saved_record.payload`: written `packed(?)` and read `unpacked(payload)` (SQL functions
  every connection registers); its triggers that read the JSON are made again reading
  `unpacked(NEW.payload)`.

A payload already packed is left alone. The append-only triggers are lifted for this
migration only (SQLite's DDL is transactional).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from typing import Any

from alembic import op

from infoshare_desktop.store import packing

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 2_000


def _lifted(raw: Any, name: str) -> str | None:
    found = raw.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).fetchone()
    if found:
        raw.execute(f'DROP TRIGGER "{name}"')
    return found[0] if found else None


def _pack_column(raw: Any, table: str, key: str, where: str) -> None:
    after: Any = None
    while True:
        rows = raw.execute(
            f"SELECT {key}, payload FROM {table} WHERE {where} "
            f"AND ({key} > ? OR ? IS NULL) ORDER BY {key} LIMIT ?",
            (after, after, _BATCH),
        ).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        plain = [(k, p.encode("utf-8") if isinstance(p, str) else bytes(p)) for k, p in rows]
        raw.executemany(
            f"UPDATE {table} SET payload = ? WHERE {key} = ?",
            [(packing.pack(p), k) for k, p in plain if p[:1] == b"{"],
        )


def upgrade() -> None:
    raw: Any = op.get_bind().connection.dbapi_connection
    assert raw is not None  # the store's own open connection
    packing.register(raw)
    guard = _lifted(raw, "envelope_no_update")
    _pack_column(raw, "envelope", "pos", "kind != 'carried' AND key_epoch IS NULL")
    if guard:
        raw.execute(guard)
    guard = _lifted(raw, "saved_record_no_update")
    _pack_column(raw, "saved_record", "rowid", "1")
    if guard:
        raw.execute(guard)
    for name, sql in raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name = 'saved_record' AND sql LIKE '%NEW.payload%' "
        "AND sql NOT LIKE '%unpacked(NEW.payload)%'"
    ).fetchall():
        raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute(sql.replace("NEW.payload", "unpacked(NEW.payload)"))


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
