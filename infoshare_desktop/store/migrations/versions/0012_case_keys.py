"""Sealed content: per-case keys of restricted cases, and a restricted case's identity.

- `case_key_grant`: one row per (case, key epoch, recipient, recipient's X25519 key):
  the case's key for that epoch sealed to the recipient's certified public key (see
  store.sealing). Rows are never changed; removing a member starts a new epoch.
- `case_sealed`: a restricted case's identity (name, date of birth, reference, other
  identifiers) sealed under its case key; the case_file row keeps a placeholder.
- a partial index of the envelopes that re-write a case's rows (`case.rewritten`).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_key_grant",
        # No foreign key to case_file: a new restricted case's key is sealed before its
        # envelope (which carries content sealed under it) writes the case's row.
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("epoch", sa.Integer, nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("public", sa.String(64), nullable=False),  # the X25519 key, base64
        sa.Column("box", sa.Text, nullable=False),  # the sealed case key (JSON)
        sa.Column("granted_at", sa.DateTime, nullable=False),
        sa.Column("granted_by", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "epoch", "user_id", "public"),
    )
    op.create_index("ix_case_key_grant_user", "case_key_grant", ["user_id", "case_id"])
    op.execute(
        "CREATE TRIGGER case_key_grant_no_update BEFORE UPDATE ON case_key_grant "
        "BEGIN SELECT RAISE(ABORT, 'case_key_grant rows cannot be changed'); END"
    )
    op.create_table(
        "case_sealed",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id"), primary_key=True),
        sa.Column("identity", sa.Text, nullable=False),  # sealed JSON (see store.sealing)
    )
    # The few restricted cases, found without reading every case (sign-in looks for any
    # restricted case from before sealing, to seal it).
    op.execute("CREATE INDEX ix_case_restricted ON case_file (id) WHERE restricted = 1")
    # The few envelopes that re-write a case's rows, found without reading every envelope
    # (verify applies them over the others: store.envelopes).
    op.execute("CREATE INDEX ix_envelope_rewritten ON envelope (pos) WHERE kind = 'case.rewritten'")


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
