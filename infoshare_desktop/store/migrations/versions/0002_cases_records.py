"""Cases, saved records (append-only), drafts, case membership and full-text search.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _append_only(table: str) -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows cannot be changed or deleted'); END"
        )


def upgrade() -> None:
    op.create_table(
        "case_file",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date),
        sa.Column("case_reference", sa.String(200), nullable=False),
        sa.Column("other_identifiers", sa.Text, nullable=False),
        sa.Column("restricted", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
    )
    op.create_index("ix_case_identity", "case_file", ["name_key", "date_of_birth"])
    op.create_index("ix_case_reference", "case_file", ["case_reference"])
    _append_only("case_file")
    op.create_table(
        "case_member",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id"), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), primary_key=True),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.String(36), nullable=False),
    )
    op.create_table(
        "saved_record",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subkind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(36), sa.ForeignKey("saved_record.id")),
        sa.Column("author_id", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("without_consent", sa.Boolean, nullable=False),
        sa.Column("harm_concern", sa.Boolean, nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_record_case_time", "saved_record", ["case_id", "occurred_at"])
    op.create_index("ix_record_target", "saved_record", ["target_id"])
    op.create_index("ix_record_author", "saved_record", ["author_id", "recorded_at"])
    _append_only("saved_record")
    op.create_table(
        "draft",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id")),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(36)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_draft_user", "draft", ["user_id", "updated_at"])
    # One row per case (record_id NULL: names and references) and per record (its text).
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "case_id UNINDEXED, record_id UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
