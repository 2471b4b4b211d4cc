"""Envelopes: every saved item as a signed, append-only statement (see store.envelopes).

- `envelope`: one row per saved item (a case and its facts, a record of any kind, a
  review request, an identifier change): its UUIDv7 id, case, kind, author, device and
  per-device sequence number, the ids it builds on, its payload (canonical JSON, or
  ciphertext once sealed: `key_epoch`) and its author's Ed25519 signature. `pos` is the
  local order it arrived in and `chain` a running hash over it (local, not signed);
- `envelope_state`: this install's device id, and when and by whom the store's history
  from before envelopes was carried over (NULL until an administrator's sign-in does it);
- `envelope_check`: per user, the signed position up to which that user's `verify` has
  checked the envelopes (so the next one checks only what is new).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "envelope",
        sa.Column("pos", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("device_seq", sa.Integer, nullable=False),
        sa.Column("base", sa.Text, nullable=False),  # JSON list of envelope ids
        sa.Column("at", sa.String(32), nullable=False),  # the author's clock, shown only
        sa.Column("key_epoch", sa.Integer),  # NULL: payload is plain canonical JSON
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("chain", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("device_id", "device_seq", name="uq_envelope_device_seq"),
    )
    op.create_index("ix_envelope_case", "envelope", ["case_id", "pos"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER envelope_no_{verb.lower()} BEFORE {verb} ON envelope "
            "BEGIN SELECT RAISE(ABORT, 'envelope rows cannot be changed or deleted'); END"
        )
    op.create_table(
        "envelope_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("carried_at", sa.String(32)),
        sa.Column("carried_by", sa.String(36)),
    )
    op.execute(
        sa.text("INSERT INTO envelope_state (id, device_id) VALUES (1, :device)").bindparams(
            device=str(uuid.uuid4())
        )
    )
    op.create_table(
        "envelope_check",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("statement", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
