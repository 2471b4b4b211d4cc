"""The worklist's indexed tables: where each reviewed record stands, and consents to watch.

Finding "records returned to me" or "awaiting review" from the review events meant
reading every record ever entered for review (at a million records, every record its
author ever wrote). Two small tables, kept in step by triggers on the append-only
tables whatever path inserts into them, answer each worklist question with an indexed,
LIMITed query and count it with an indexed COUNT:

- `review_status`: one row per record entered for review: awaiting, returned or
  endorsed, since when, after how many rounds. The triggers fold the events as
  `domain.reviews.review_state` does (a request starts a round unless one is open; a
  review ends it; the author's amendment answers a return), in the order they are
  saved, which is their time order;
- `consent_watch`: one row per consent given with a "valid until" date: whether a later
  decision has named it (ended: withdrawn, renewed or narrowed) and how many sharing
  decisions relied on it. The worklist asks `domain.consent.consent_standing` (the one
  rule) about the few rows it shows; this table only finds them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_GIVEN = "('explicit', 'implied')"
_NAMED = (
    "SELECT value FROM json_each(NEW.payload, '$.supersedes_ids') "
    "UNION SELECT json_extract(NEW.payload, '$.supersedes_id')"
)


def upgrade() -> None:
    op.create_table(
        "review_status",
        sa.Column("record_id", sa.String(36), sa.ForeignKey("saved_record.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # ReviewStatus
        sa.Column("since", sa.DateTime, nullable=False),  # entered the queue / reviewed
        sa.Column("rounds", sa.Integer, nullable=False),
    )
    op.create_index("ix_review_status_author", "review_status", ["author_id", "status", "since"])
    op.create_index("ix_review_status_status", "review_status", ["status", "since"])
    op.create_table(
        "consent_watch",
        sa.Column("record_id", sa.String(36), sa.ForeignKey("saved_record.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("relied_on", sa.Integer, nullable=False),
        sa.Column("ended", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_consent_watch_author", "consent_watch", ["author_id", "ended", "valid_until"]
    )
    op.create_index("ix_consent_watch_due", "consent_watch", ["ended", "valid_until"])
    backfill(op.get_bind())
    op.execute(
        "CREATE TRIGGER review_request_status AFTER INSERT ON review_request BEGIN "
        "INSERT INTO review_status (record_id, case_id, author_id, status, since, rounds) "
        "SELECT r.id, r.case_id, r.author_id, 'awaiting', NEW.requested_at, 0 "
        "FROM saved_record AS r WHERE r.id = NEW.record_id "
        "ON CONFLICT (record_id) DO UPDATE SET status = 'awaiting', since = excluded.since "
        "WHERE status = 'endorsed'; END"
    )
    op.execute(
        "CREATE TRIGGER saved_record_review_status AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'review' BEGIN "
        "UPDATE review_status SET since = NEW.recorded_at, rounds = rounds + 1, "
        "status = CASE NEW.subkind WHEN 'returned' THEN 'returned' ELSE 'endorsed' END "
        "WHERE record_id = NEW.target_id AND status = 'awaiting'; END"
    )
    op.execute(
        "CREATE TRIGGER saved_record_review_answer AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'amendment' BEGIN "
        "UPDATE review_status SET status = 'awaiting', since = NEW.recorded_at "
        "WHERE record_id = NEW.target_id AND status = 'returned' "
        "AND author_id = NEW.author_id; END"
    )
    op.execute(
        "CREATE TRIGGER saved_record_consent_watch AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'consent_decision' AND json_valid(NEW.payload) BEGIN "
        f"UPDATE consent_watch SET ended = 1 WHERE record_id IN ({_NAMED}); "
        "INSERT INTO consent_watch (record_id, case_id, author_id, valid_until, relied_on, "
        "ended) SELECT NEW.id, NEW.case_id, NEW.author_id, "
        "json_extract(NEW.payload, '$.valid_until'), 0, 0 "
        f"WHERE json_extract(NEW.payload, '$.outcome') IN {_GIVEN} "
        "AND json_type(NEW.payload, '$.valid_until') = 'text'; END"
    )
    op.execute(
        "CREATE TRIGGER saved_record_consent_relied AFTER INSERT ON saved_record "
        "WHEN NEW.kind = 'sharing_decision' AND json_valid(NEW.payload) BEGIN "
        "UPDATE consent_watch SET relied_on = relied_on + 1 "
        "WHERE record_id = json_extract(NEW.payload, '$.consent_decision_id'); END"
    )


def backfill(conn: sa.engine.Connection) -> None:
    """Fill both tables from the records already saved (in time order, as the rule folds).
    The same result as the triggers give while records are saved (tests check it)."""
    events: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for record_id, at in conn.exec_driver_sql("SELECT record_id, requested_at FROM review_request"):
        events[record_id].append((str(at), 0, "requested", ""))
    if events:
        for target, kind, subkind, author, at in conn.exec_driver_sql(
            "SELECT target_id, kind, subkind, author_id, recorded_at FROM saved_record "
            "WHERE target_id IS NOT NULL AND kind IN ('review', 'amendment')"
        ):
            if target in events:
                events[target].append((str(at), 1, kind, f"{subkind}|{author}"))
    rows = []
    for record_id, found in events.items():
        record = conn.exec_driver_sql(
            "SELECT case_id, author_id FROM saved_record WHERE id = ?", (record_id,)
        ).first()
        if record is None:
            continue
        case_id, author_id = record
        status, since, rounds = "", "", 0
        for at, _order, kind, extra in sorted(found):
            subkind, _, by = extra.partition("|")
            if kind == "requested" and status in ("", "endorsed"):
                status, since = "awaiting", at
            elif kind == "review" and status == "awaiting":
                rounds += 1
                status = "returned" if subkind == "returned" else "endorsed"
                since = at
            elif kind == "amendment" and status == "returned" and by == author_id:
                status, since = "awaiting", at
        rows.append((record_id, case_id, author_id, status, since, rounds))
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO review_status (record_id, case_id, author_id, status, since, rounds) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    consents = []
    ended: set[str] = set()
    for record_id, case_id, author_id, payload in conn.exec_driver_sql(
        "SELECT id, case_id, author_id, payload FROM saved_record "
        "WHERE kind = 'consent_decision' ORDER BY recorded_at"
    ):
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        named = data.get("supersedes_ids") or []
        named = [*named, data.get("supersedes_id")] if isinstance(named, list) else []
        ended.update(i for i in named if isinstance(i, str))
        until = data.get("valid_until")
        if data.get("outcome") in ("explicit", "implied") and isinstance(until, str):
            consents.append([record_id, case_id, author_id, until[:10], 0, 0])
    if not consents:
        return
    relied: dict[str, int] = defaultdict(int)
    for (payload,) in conn.exec_driver_sql(
        "SELECT payload FROM saved_record WHERE kind = 'sharing_decision'"
    ):
        try:
            consent_id = json.loads(payload).get("consent_decision_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(consent_id, str):
            relied[consent_id] += 1
    for row in consents:
        row[4], row[5] = relied.get(row[0], 0), int(row[0] in ended)
    conn.exec_driver_sql(
        "INSERT INTO consent_watch (record_id, case_id, author_id, valid_until, relied_on, "
        "ended) VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(row) for row in consents],
    )


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
