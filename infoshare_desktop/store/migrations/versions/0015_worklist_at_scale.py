"""My work in constant time at a million records: each request's latest reply kept in
`request_status`, and the consents relied on indexed apart.

- "Declined requests to reconsider" found each declined request's latest reply by
  reading every reply of its case and unpacking it (about 1 ms a declined request: 1.5 s
  at a million records). `request_status` now keeps the latest reply's id and when it was
  recorded (`reply_id`, `replied_at`), set by the reply trigger from the reply alone, and
  an index of the declined ones by `replied_at` lists them longest waiting first with a
  LIMIT. The latest reply is the one recorded last (`recorded_at`; of two at the same
  time, the one saved last), whatever order replies arrive in; `declined_reconsider`
  follows that same reply (it followed the one saved last);
- "Consents to renew" and the team's expired consents asked for the expired consents
  a sharing decision relied on by walking every expired consent (the demo's are never
  relied on: 1.2 s at a million records). Two partial indexes hold only the consents
  relied on.

The projections stay what the records make them: verify's rebuild runs the store's own
triggers (read from the store), so it builds the new columns the same way.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from typing import Any

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_P = "unpacked(NEW.payload)"
_NAMED = f"json_extract({_P}, '$.request.record_id')"
_DECLINED_RECONSIDER = (
    f"(json_extract({_P}, '$.outcome') = 'declined' "
    f"AND coalesce(json_extract({_P}, '$.reconsider_if_new'), 0) = 1)"
)
#: Every reply marks its request replied; the latest (by recorded_at, then saved last)
#: decides the rest.
REPLY_TRIGGER = (
    "CREATE TRIGGER saved_reply_status AFTER INSERT ON saved_record "
    f"WHEN NEW.kind = 'request_reply' AND json_valid({_P}) BEGIN "
    f"UPDATE request_status SET replied = 1 WHERE request_id = {_NAMED}; "
    f"UPDATE request_status SET declined_reconsider = {_DECLINED_RECONSIDER}, "
    "reply_id = NEW.id, replied_at = NEW.recorded_at "
    f"WHERE request_id = {_NAMED} "
    "AND (replied_at IS NULL OR replied_at <= NEW.recorded_at); END"
)


def upgrade() -> None:
    raw: Any = op.get_bind().connection.dbapi_connection
    assert raw is not None  # the store's own open connection
    raw.execute("ALTER TABLE request_status ADD COLUMN reply_id VARCHAR(36)")
    raw.execute("ALTER TABLE request_status ADD COLUMN replied_at DATETIME")
    raw.execute("DROP TRIGGER IF EXISTS saved_reply_status")
    raw.execute(REPLY_TRIGGER)
    backfill(raw)
    raw.execute(
        "CREATE INDEX ix_request_status_declined ON request_status (replied_at, request_id) "
        "WHERE declined_reconsider = 1"
    )
    raw.execute(
        "CREATE INDEX ix_consent_watch_relied_author ON consent_watch "
        "(author_id, ended, valid_until) WHERE relied_on > 0"
    )
    raw.execute(
        "CREATE INDEX ix_consent_watch_relied ON consent_watch (ended, valid_until) "
        "WHERE relied_on > 0"
    )


def backfill(raw: Any) -> None:
    """Each request's latest reply, from the replies saved (readable ones: a restricted
    case's are sealed, and its rows stay as they were), as the trigger would have made
    them saved in that order. One pass over the replies, in SQL."""
    raw.execute(
        "CREATE TEMP TABLE latest_reply AS "
        "SELECT request_id, id, recorded_at, declined FROM ("
        "SELECT json_extract(p, '$.request.record_id') AS request_id, id, recorded_at, "
        "(json_extract(p, '$.outcome') = 'declined' "
        "AND coalesce(json_extract(p, '$.reconsider_if_new'), 0) = 1) AS declined, "
        "row_number() OVER (PARTITION BY json_extract(p, '$.request.record_id') "
        "ORDER BY recorded_at DESC, rowid DESC) AS n "
        "FROM (SELECT id, recorded_at, rowid, unpacked(payload) AS p FROM saved_record "
        "WHERE kind = 'request_reply') WHERE json_valid(p)) WHERE n = 1 "
        "AND request_id IS NOT NULL"
    )
    raw.execute(
        "UPDATE request_status SET replied = 1, declined_reconsider = l.declined, "
        "reply_id = l.id, replied_at = l.recorded_at "
        "FROM temp.latest_reply AS l WHERE l.request_id = request_status.request_id"
    )
    raw.execute("DROP TABLE temp.latest_reply")


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
