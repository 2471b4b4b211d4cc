"""What the database knows of the key store, for crash recovery and rollback detection.

- `keystore_intent`: the ids of key-store intents already audited, so the next unlock
  completes an interrupted change exactly once;
- `key_state` (one row): the highest key-store generation this database has seen (an
  older key store put back is refused) and the key epoch it is encrypted under;
- `rotation_due`: accounts revoked whose data key has not been rotated yet (emptied in
  the re-keyed copy by the rotation itself).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keystore_intent",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("audit_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "key_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("key_epoch", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="key_state_one_row"),
    )
    op.execute("INSERT INTO key_state (id, generation, key_epoch) VALUES (1, 0, 0)")
    op.create_table(
        "rotation_due",
        sa.Column("user_id", sa.String(36), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("rotation_due")
    op.drop_table("key_state")
    op.drop_table("keystore_intent")
