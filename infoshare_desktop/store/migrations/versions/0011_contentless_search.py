"""The search indexes without a second copy of the words (contentless FTS5), and an
index for the case list sorted by date of birth and one by creation.

The index of migration 0002 kept every row's words in its own content table (a copy of
what the records and cases already hold: about 1.7 KB of a record's 8.6 KB) and every
word's positions (another 1.9 KB). Searches need neither: which rows hold a word is
enough, and the few snippets shown are made from the records' own text. Two indexes
take its place, with the same rowids (so the order rows were saved in is kept):

- `case_index`: a case's own words (name, reference, other identifiers);
- `search_index`: a saved record's words.

Both are contentless (`content=''`, only their case and record ids kept), `detail=none`,
with prefix indexes of 3 to 6 characters (see store.search). The freed pages are reused
by new records (the file itself shrinks at the next backup or VACUUM).

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# As store.search.INDEX_OPTIONS when this migration was written (a migration never
# changes with the code after it).
_OPTIONS = (
    "content='', contentless_delete=1, contentless_unindexed=1, "
    "detail=none, prefix='3 4 5 6', tokenize='unicode61 remove_diacritics 2'"
)


def upgrade() -> None:
    # The old index is renamed first and the new one made under the final name: renaming
    # a contentless table with stored ids leaves its id table under the old name
    # (SQLite 3.53), so the new table is never renamed.
    op.execute("ALTER TABLE search_index RENAME TO search_index_0002")
    op.execute(f"CREATE VIRTUAL TABLE case_index USING fts5(case_id UNINDEXED, body, {_OPTIONS})")
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        f"case_id UNINDEXED, record_id UNINDEXED, body, {_OPTIONS})"
    )
    op.execute(
        "INSERT INTO case_index (rowid, case_id, body) SELECT rowid, case_id, body "
        "FROM search_index_0002 WHERE record_id IS NULL ORDER BY rowid"
    )
    op.execute(
        "INSERT INTO search_index (rowid, case_id, record_id, body) "
        "SELECT rowid, case_id, record_id, body FROM search_index_0002 "
        "WHERE record_id IS NOT NULL ORDER BY rowid"
    )
    op.execute("DROP TABLE search_index_0002")
    # The case list sorted by date of birth or by creation walks these (store.cases.page).
    op.create_index("ix_case_born", "case_file", ["date_of_birth", "case_reference"])
    op.create_index("ix_case_created", "case_file", ["created_at", "case_reference"])


def downgrade() -> None:
    raise NotImplementedError("InfoShare stores are never downgraded; restore a backup instead")
