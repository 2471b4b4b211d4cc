"""The search indexes stop merging their segments inside a save: each save's commit writes
the record's words as a small new segment, as before, and the merging of segments into
bigger ones (FTS5 'automerge', which every few saves rewrote hundreds or thousands of
pages inside the save that happened to trigger it) is done while the user is idle, a
bounded step at a time (store.search.tidy). FTS5's own 'crisismerge' (16 segments on one
level) still bounds how far the index can fragment if tidying never runs.

A setting of the indexes, not of their content: no row is rewritten, search results are
the same, and verify's rebuild compares the same rows.

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for index in ("case_index", "search_index"):
        op.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('automerge', 0)")


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
