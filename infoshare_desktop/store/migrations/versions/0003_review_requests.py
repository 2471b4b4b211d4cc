"""Review requests: a record entered for supervisor review (append-only).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("saved_record.id"), nullable=False),
        sa.Column("requested_by", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("requested_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),  # "automatic" or "author"
    )
    op.create_index("ix_review_request_record", "review_request", ["record_id"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER review_request_no_{verb.lower()} BEFORE {verb} ON review_request "
            "BEGIN SELECT RAISE(ABORT, 'review_request rows cannot be changed or deleted'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
