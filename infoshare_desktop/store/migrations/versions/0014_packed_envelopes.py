"""Envelope payloads stored packed (store.packing): the canonical JSON compressed with a
fixed preset dictionary, behind a one-byte mark; about a quarter of the bytes at the
demo's text lengths. What is signed, chained and verified is the canonical JSON as
before (every reader unpacks first), so no signature, chain or check changes. Carried
envelopes stay as written (verify picks their review requests out in SQL), and a
payload already packed is left alone.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

from infoshare_desktop.store import packing

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 2_000


def upgrade() -> None:
    raw = op.get_bind().connection.dbapi_connection
    found = raw.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'envelope_no_update'"
    ).fetchone()
    if found:  # the append-only trigger is lifted for this migration only
        raw.execute('DROP TRIGGER "envelope_no_update"')
    after = 0
    while True:
        rows = raw.execute(
            "SELECT pos, payload FROM envelope WHERE pos > ? AND kind != 'carried' "
            "AND key_epoch IS NULL ORDER BY pos LIMIT ?",
            (after, _BATCH),
        ).fetchall()
        if not rows:
            break
        after = int(rows[-1][0])
        raw.executemany(
            "UPDATE envelope SET payload = ? WHERE pos = ?",
            [(packing.pack(bytes(p)), pos) for pos, p in rows if bytes(p)[:1] == b"{"],
        )
    if found:
        raw.execute(found[0])


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
