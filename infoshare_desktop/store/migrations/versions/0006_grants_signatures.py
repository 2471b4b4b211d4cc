"""Signed identity: grants (signed statements of who holds which account, roles, status
and keys) and a signature on every audit entry from now on.

- `grant_statement`: append-only, a hash chain of its own (each statement names the
  one before it); the first is the root of trust's own, self-signed;
- `audit_event.signer_id` and `audit_event.signature`: the Ed25519 signature of the
  entry's hash by whoever wrote it (NULL for history carried over from before).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grant_statement",
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER grant_statement_no_{verb.lower()} BEFORE {verb} ON grant_statement "
            "BEGIN SELECT RAISE(ABORT, 'grant_statement rows cannot be changed or deleted'); END"
        )
    op.execute("ALTER TABLE audit_event ADD COLUMN signer_id VARCHAR(36)")
    op.execute("ALTER TABLE audit_event ADD COLUMN signature BLOB")


def downgrade() -> None:
    op.drop_table("grant_statement")
