"""Where each record entered for review stands, kept in step by triggers.

The review screens folded every request, review and amendment of every record ever
entered for review (about 22% of records) each time a page was built: at 100,000
records a supervisor's sign-in read every one. One row per record entered for review,
updated by triggers on review_request and saved_record (whatever path inserted them),
lets the queue, Returned to me and the team overview ask for one page or one count.

The triggers apply ``domain.reviews.review_state``'s fold one event at a time, in the
order events are written (which is their time order: each is stamped when saved).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from infoshare_desktop.domain.enums import ReviewOutcome
from infoshare_desktop.domain.reviews import ReviewEvent, ReviewEventKind, review_state

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OUTCOMES = {outcome.value: outcome for outcome in ReviewOutcome}

TRIGGERS = (
    # A request: a record not yet in review, or endorsed, starts waiting.
    "CREATE TRIGGER review_request_state AFTER INSERT ON review_request BEGIN "
    "INSERT INTO review_state (record_id, case_id, author_id, status, waiting_since, rounds) "
    "SELECT r.id, r.case_id, r.author_id, 'awaiting', NEW.requested_at, 0 "
    "FROM saved_record r WHERE r.id = NEW.record_id "
    "ON CONFLICT (record_id) DO UPDATE SET status = 'awaiting', "
    "waiting_since = excluded.waiting_since WHERE status = 'endorsed'; END",
    # A review of a record awaiting one: returned or endorsed, one more round. Every
    # review is the record's latest (its comment is shown on Returned to me).
    "CREATE TRIGGER saved_review_state AFTER INSERT ON saved_record "
    "WHEN NEW.kind = 'review' BEGIN "
    "UPDATE review_state SET last_review_id = NEW.id, "
    "status = CASE WHEN status <> 'awaiting' THEN status "
    "WHEN NEW.subkind = 'returned' THEN 'returned' ELSE 'endorsed' END, "
    "waiting_since = CASE WHEN status = 'awaiting' THEN NULL ELSE waiting_since END, "
    "rounds = rounds + (status = 'awaiting') "
    "WHERE record_id = NEW.target_id; END",
    # Its author's amendment of a returned record answers it: waiting again.
    "CREATE TRIGGER saved_answer_state AFTER INSERT ON saved_record "
    "WHEN NEW.kind = 'amendment' BEGIN "
    "UPDATE review_state SET status = 'awaiting', waiting_since = NEW.recorded_at "
    "WHERE record_id = NEW.target_id AND status = 'returned' "
    "AND author_id = NEW.author_id; END",
)


def upgrade() -> None:
    op.create_table(
        "review_state",
        sa.Column("record_id", sa.String(36), sa.ForeignKey("saved_record.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("case_file.id"), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # ReviewStatus, never not_required
        sa.Column("waiting_since", sa.DateTime),  # while awaiting
        sa.Column("rounds", sa.Integer, nullable=False),
        sa.Column("last_review_id", sa.String(36)),  # the latest review of the record
    )
    # The queue (oldest first), the team overview's counts, an author's returned records,
    # and a case's (restricted cases are left out of others' counts).
    op.create_index("ix_review_state_queue", "review_state", ["status", "waiting_since"])
    op.create_index("ix_review_state_author", "review_state", ["author_id", "status"])
    op.create_index("ix_review_state_case", "review_state", ["case_id", "status"])
    _fill()
    for trigger in TRIGGERS:
        op.execute(trigger)


def _fill() -> None:
    """Fold what an existing store holds (the same fold as the domain's)."""
    bind = op.get_bind()
    events: dict[str, list[ReviewEvent]] = defaultdict(list)
    for record_id, at in bind.exec_driver_sql("SELECT record_id, requested_at FROM review_request"):
        events[record_id].append(ReviewEvent(ReviewEventKind.REQUESTED, _time(at)))
    last_review: dict[str, tuple[str, str]] = {}
    for target, kind, subkind, author, at, own, record_id in bind.exec_driver_sql(
        "SELECT t.target_id, t.kind, t.subkind, t.author_id, t.recorded_at, r.author_id, t.id "
        "FROM saved_record t JOIN saved_record r ON r.id = t.target_id "
        "WHERE t.target_id IN (SELECT record_id FROM review_request) "
        "AND t.kind IN ('review', 'amendment')"
    ):
        if kind == "review":
            events[target].append(
                ReviewEvent(ReviewEventKind.REVIEWED, _time(at), _OUTCOMES[subkind])
            )
            if target not in last_review or str(at) >= last_review[target][0]:
                last_review[target] = (str(at), record_id)
        elif author == own:
            events[target].append(ReviewEvent(ReviewEventKind.ANSWERED, _time(at)))
    owners = dict(
        (record_id, (case_id, author_id))
        for record_id, case_id, author_id in bind.exec_driver_sql(
            "SELECT id, case_id, author_id FROM saved_record "
            "WHERE id IN (SELECT record_id FROM review_request)"
        )
    )
    rows = []
    for record_id, found in events.items():
        state = review_state(found)
        case_id, author_id = owners[record_id]
        since = (
            state.waiting_since.isoformat(sep=" ", timespec="microseconds")
            if state.waiting_since
            else None
        )
        rows.append(
            (
                record_id,
                case_id,
                author_id,
                state.status.value,
                since,
                state.rounds,
                last_review.get(record_id, ("", None))[1],
            )
        )
    if rows:
        bind.connection.dbapi_connection.executemany(  # type: ignore[union-attr]
            "INSERT INTO review_state VALUES (?, ?, ?, ?, ?, ?, ?)", rows
        )


def _time(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
