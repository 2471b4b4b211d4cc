"""The consistent identifier on a case (Children Act 2004 s16LC): an NHS number, or the
reason it is not included.

Cases are never updated, so the identifier is its own append-only table: the case's
identifier is its latest row, and every earlier row stays, with who recorded it and
when (a change is an amendment of the case, never a silent edit). NHS numbers are
kept as their 10 digits, indexed for the exact search.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_identifier",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("nhs_number", sa.String(10)),  # 10 digits, or NULL with a reason
        sa.Column("reason", sa.String(32)),  # IdentifierReason
        sa.Column("reason_text", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.CheckConstraint(
            "(nhs_number IS NULL) != (reason IS NULL)", name="case_identifier_number_or_reason"
        ),
    )
    op.create_index("ix_case_identifier_case", "case_identifier", ["case_id", "recorded_at"])
    op.create_index("ix_case_identifier_number", "case_identifier", ["nhs_number"])
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER case_identifier_no_{verb.lower()} BEFORE {verb} ON case_identifier "
            "BEGIN SELECT RAISE(ABORT, 'case_identifier rows cannot be changed or deleted'); END"
        )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
