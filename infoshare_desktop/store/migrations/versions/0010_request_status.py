"""Where each request received stands, kept in step by triggers on saved_record.

My work listed requests due and declined requests to reconsider by reading every
request and reply of every visible case at each sign-in (a full scan of saved_record:
1.6 s of a 1.75 s sign-in at 100,000 records). One row per request, updated when a reply
naming it is saved (whatever path saves it), finds the open ones and the declined ones
"to reconsider if new information" with an indexed query; ``domain.requests`` still
decides, over those few, which are due and which come back.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_DUE = "datetime(json_extract({p}, '$.due_at'))"  # UTC 'YYYY-MM-DD HH:MM:SS', or NULL
_DECLINED_RECONSIDER = (
    "(json_extract({p}, '$.outcome') = 'declined' "
    "AND coalesce(json_extract({p}, '$.reconsider_if_new'), 0) = 1)"
)
_NAMED = "json_extract({p}, '$.request.record_id')"


def upgrade() -> None:
    op.create_table(
        "request_status",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("saved_record.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("due_at", sa.String(19)),  # as the request says, to the second (or none)
        sa.Column("replied", sa.Boolean, nullable=False),
        sa.Column("declined_reconsider", sa.Boolean, nullable=False),  # by its latest reply
    )
    op.create_index("ix_request_status_open", "request_status", ["replied", "due_at"])
    op.create_index(
        "ix_request_status_reconsider",
        "request_status",
        ["case_id"],
        sqlite_where=sa.text("declined_reconsider = 1"),
    )
    op.execute(
        "INSERT INTO request_status (request_id, case_id, due_at, replied, declined_reconsider) "
        f"SELECT id, case_id, {_DUE.format(p='payload')}, 0, 0 FROM saved_record "
        "WHERE kind = 'request' AND json_valid(payload)"
    )
    # Each reply, in the order saved (one pass; the latest reply stands).
    bind = op.get_bind()
    replies = bind.exec_driver_sql(
        f"SELECT {_NAMED.format(p='payload')}, {_DECLINED_RECONSIDER.format(p='payload')} "
        "FROM saved_record WHERE kind = 'request_reply' AND json_valid(payload) "
        "ORDER BY recorded_at"
    ).all()
    for request_id, declined in replies:
        bind.exec_driver_sql(
            "UPDATE request_status SET replied = 1, declined_reconsider = ? WHERE request_id = ?",
            (int(bool(declined)), request_id),
        )
    op.execute(
        "CREATE TRIGGER saved_request_status AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'request' AND json_valid(NEW.payload) BEGIN "
        "INSERT OR IGNORE INTO request_status "
        "(request_id, case_id, due_at, replied, declined_reconsider) "
        f"VALUES (NEW.id, NEW.case_id, {_DUE.format(p='NEW.payload')}, 0, 0); END"
    )
    op.execute(
        "CREATE TRIGGER saved_reply_status AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'request_reply' AND json_valid(NEW.payload) BEGIN "
        "UPDATE request_status SET replied = 1, "
        f"declined_reconsider = {_DECLINED_RECONSIDER.format(p='NEW.payload')} "
        f"WHERE request_id = {_NAMED.format(p='NEW.payload')}; END"
    )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
