"""Requests received on the worklist, by when their reply is due: an index on the kind and
the due time of the request's content (``store.requests.DUE``), so the home page walks
only the requests due soonest, never every record.

Revision ID: 0009_request_due
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009_request_due"
down_revision = "0008"
branch_labels = None
depends_on = None

#: The same expression as store.requests.DUE (SQLite uses the index only for it).
_DUE = "julianday(json_extract(payload, '$.due_at'))"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_record_request_due ON saved_record (kind, {_DUE})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_record_request_due")
