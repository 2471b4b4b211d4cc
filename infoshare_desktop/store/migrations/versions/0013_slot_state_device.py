"""Key slots' state in the database, and where the device id belongs.

- a partial index of the audit entries that say something about an account's key slot
  (its generation, failed sign-ins, unlocks and resets), so that sign-in finds an
  account's few in any size of audit trail (see store.slot_state);
- `envelope_state.bound_to`: a keyed hash of the machine and data folder the device id
  was taken for (NULL until the next sign-in records it); a store found on another
  machine or in another folder, or restored from a backup, takes a new device id (see
  store.device).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: Kept in step with store.slot_state.ACTIONS_SQL (a test compares them).
ACTIONS_SQL = (
    "action IN ('session.unlock_failed', 'account.unlock', 'account.reset', "
    "'account.slot_generation')"
)


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_audit_slot_state ON audit_event (target_id, seq) WHERE {ACTIONS_SQL}"
    )
    op.add_column("envelope_state", sa.Column("bound_to", sa.String(64)))


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
