"""My work in constant time at a million records: each request's latest reply, and how
many records have come since it, kept in `request_status`; the consents relied on
indexed apart.

- "Declined requests to reconsider" found each declined request's latest reply by
  reading every reply of its case and unpacking it, then read the case's records since
  (about 1 ms a declined request: 1.5 s at a million records). `request_status` now keeps
  the latest reply (`reply_id`, `replied_at`, and the ids it names as answering the
  request, `answered_by`) and `news`: how many records that can bring new information
  (not a review, not a reply) the case has had since, recorded after that reply and not
  among those it names. The reply trigger sets them from the reply alone, a trigger on
  every other record adds to `news` (one probe of the partial index of declined
  requests, by case), and an index of the declined requests with news, by `replied_at`,
  lists and counts them longest waiting first with a LIMIT. The latest reply is the one
  recorded last (`recorded_at`; of two at the same time, the one saved last), whatever
  order replies arrive in; `declined_reconsider` follows that same reply (it followed
  the one saved last);
- "Consents to renew" and the team's expired consents asked for the expired consents
  a sharing decision relied on by walking every expired consent (the demo's are never
  relied on: 1.2 s at a million records). Two partial indexes hold only the consents
  relied on;
- the capped counts (My work's sections, the review queue's and Returned to me's
  navigation counts) read a row of the table and of its case per row counted: their
  indexes now cover what they read (the case is told restricted or not by the few
  restricted cases' own index, store.cases.visible_case_sql).

The projections stay what the records make them: verify's rebuild runs the store's own
triggers (read from the store) over the records in the order saved, so it builds the
new columns the same way; the backfill gives what those triggers give (records are saved
in the order they are recorded).

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

#: Kinds that bring no new information to a declined request (domain.requests
#: NOT_NEW_INFORMATION: a review judges a record already there; a reply is the answer).
NOT_NEW = "('review', 'request_reply')"
_P = "unpacked(NEW.payload)"
_NAMED = f"json_extract({_P}, '$.request.record_id')"
_DECLINED_RECONSIDER = (
    f"(json_extract({_P}, '$.outcome') = 'declined' "
    f"AND coalesce(json_extract({_P}, '$.reconsider_if_new'), 0) = 1)"
)
_ANSWERED_BY = (
    "(SELECT json_group_array(json_extract(value, '$.record_id')) "
    "FROM json_each({p}, '$.answered_by'))"
)
#: Every reply marks its request replied; the latest (by recorded_at, then saved last)
#: decides the rest, and nothing has come since it yet.
REPLY_TRIGGER = (
    "CREATE TRIGGER saved_reply_status AFTER INSERT ON saved_record "
    f"WHEN NEW.kind = 'request_reply' AND json_valid({_P}) BEGIN "
    f"UPDATE request_status SET replied = 1 WHERE request_id = {_NAMED}; "
    f"UPDATE request_status SET declined_reconsider = {_DECLINED_RECONSIDER}, "
    "reply_id = NEW.id, replied_at = NEW.recorded_at, "
    f"answered_by = {_ANSWERED_BY.format(p=_P)}, news = 0 "
    f"WHERE request_id = {_NAMED} "
    "AND (replied_at IS NULL OR replied_at <= NEW.recorded_at); END"
)
#: A record that can bring new information counts for the declined requests of its case.
NEWS_TRIGGER = (
    "CREATE TRIGGER saved_record_reconsider AFTER INSERT ON saved_record "
    f"WHEN NEW.kind NOT IN {NOT_NEW} BEGIN "
    "UPDATE request_status SET news = news + 1 "
    "WHERE declined_reconsider = 1 AND case_id = NEW.case_id "
    "AND replied_at < NEW.recorded_at "
    "AND NEW.id NOT IN (SELECT value FROM json_each(coalesce(answered_by, '[]'))); END"
)


#: The worklist's and the review pages' counts walk these alone (each gains the columns
#: its filters and the case-visibility test read), never a row of the table: a count of
#: a thousand rows reads a few index pages, not a thousand table and case rows.
COVERING = (
    ("ix_review_status_author", "review_status", "author_id, status, since, case_id"),
    ("ix_review_status_status", "review_status", "status, since, author_id, case_id"),
    ("ix_consent_watch_author", "consent_watch", "author_id, ended, valid_until, case_id"),
    ("ix_request_status_open", "request_status", "replied, due_at, case_id"),
)


def upgrade() -> None:
    raw: Any = op.get_bind().connection.dbapi_connection
    assert raw is not None  # the store's own open connection
    for column in (
        "reply_id VARCHAR(36)",
        "replied_at DATETIME",
        "answered_by TEXT",
        "news INTEGER NOT NULL DEFAULT 0",
    ):
        raw.execute(f"ALTER TABLE request_status ADD COLUMN {column}")
    raw.execute("DROP TRIGGER IF EXISTS saved_reply_status")
    raw.execute(REPLY_TRIGGER)
    raw.execute(NEWS_TRIGGER)
    backfill(raw)
    raw.execute(
        "CREATE INDEX ix_request_status_back ON request_status "
        "(replied_at, request_id, case_id, declined_reconsider, news) "
        "WHERE declined_reconsider = 1 AND news > 0"
    )
    raw.execute(
        "CREATE INDEX ix_consent_watch_relied_author ON consent_watch "
        "(author_id, ended, valid_until, case_id, relied_on) WHERE relied_on > 0"
    )
    raw.execute(
        "CREATE INDEX ix_consent_watch_relied ON consent_watch "
        "(ended, valid_until, author_id, case_id, relied_on) WHERE relied_on > 0"
    )
    for name, table, columns in COVERING:
        raw.execute(f"DROP INDEX IF EXISTS {name}")
        raw.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def backfill(raw: Any) -> None:
    """Each request's latest reply, from the replies saved (readable ones: a restricted
    case's are sealed, and its rows stay as they were), then the records since it of each
    declined one, as the triggers would have made them saved in time order. One pass over
    the replies, then each declined request's own case (by ix_record_case_time)."""
    raw.execute(
        "CREATE TEMP TABLE latest_reply AS "
        "SELECT request_id, id, recorded_at, declined, answered_by FROM ("
        "SELECT json_extract(p, '$.request.record_id') AS request_id, id, recorded_at, "
        "(json_extract(p, '$.outcome') = 'declined' "
        "AND coalesce(json_extract(p, '$.reconsider_if_new'), 0) = 1) AS declined, "
        f"{_ANSWERED_BY.format(p='p')} AS answered_by, "
        "row_number() OVER (PARTITION BY json_extract(p, '$.request.record_id') "
        "ORDER BY recorded_at DESC, rowid DESC) AS n "
        "FROM (SELECT id, recorded_at, rowid, unpacked(payload) AS p FROM saved_record "
        "WHERE kind = 'request_reply') WHERE json_valid(p)) WHERE n = 1 "
        "AND request_id IS NOT NULL"
    )
    raw.execute(
        "UPDATE request_status SET replied = 1, declined_reconsider = l.declined, "
        "reply_id = l.id, replied_at = l.recorded_at, answered_by = l.answered_by "
        "FROM temp.latest_reply AS l WHERE l.request_id = request_status.request_id"
    )
    raw.execute("DROP TABLE temp.latest_reply")
    raw.execute(
        "UPDATE request_status SET news = (SELECT count(*) FROM saved_record o "
        "WHERE o.case_id = request_status.case_id AND o.recorded_at > request_status.replied_at "
        f"AND o.kind NOT IN {NOT_NEW} AND o.id NOT IN "
        "(SELECT value FROM json_each(request_status.answered_by))) "
        "WHERE declined_reconsider = 1 AND replied_at IS NOT NULL"
    )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
