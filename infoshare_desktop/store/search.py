"""The full-text indexes (FTS5, inside the encrypted file like everything else): what
their rows hold, how they are written, and the queries that read them.

Two contentless indexes: `case_index` (one row per case: the child's name, reference and
other identifiers) and `search_index` (one row per saved record: its words). Contentless
(`content=''`): the words are indexed but not stored a second time (the record's payload
and the case row already hold them), and `detail=none` keeps only which rows hold a
word, not where, which is all a search needs; the prefix indexes (3 to 6 characters)
let a word being typed be matched without merging every word that starts with it.

A save's words go in as a small new segment of the index when its transaction commits;
merging segments into bigger ones is not done inside saves (FTS5's 'automerge' is off,
migration 0016) but while the user is idle, a bounded step at a time (`tidy`). FTS5's
'crisismerge' (16 segments on one level) still bounds the index if tidying never runs.
A bulk build (the demo's) merges as it writes instead (`merging_as_written`), so the
first saves after it find a tidy index.

A search (`search`) is bounded whatever the store's size: it walks each index from its
newest row backwards (one statement per index, read a growing window at a time), keeps
the rows of cases the user may see and stops at `limit` cases, so a word in every record
costs what a rare one does. A case whose own words match comes first (a name or a
reference is what is looked up most), then cases by their newest matching record.
Snippets are made afterwards for the rows shown only (`snippets`), from their text, in a
small in-memory index."""

from __future__ import annotations

import functools
import json
import re
import types
import typing
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, fields, is_dataclass, replace
from enum import Enum
from typing import Any, cast

import sqlcipher3

from infoshare_desktop.domain.records import CaseDraft, Draft
from infoshare_desktop.store.writes import Tx, raw_connection

#: The tokenizer of every index (a search's words must be cut and folded the same way).
TOKENIZER = "unicode61 remove_diacritics 2"
#: How the two shared indexes are made (the migration that created them uses this too).
INDEX_OPTIONS = (
    f"content='', contentless_delete=1, contentless_unindexed=1, "
    f"detail=none, prefix='3 4 5 6', tokenize='{TOKENIZER}'"
)
_INSERT_RECORD = "INSERT INTO search_index (case_id, record_id, body) VALUES (?, ?, ?)"
_INSERT_CASE = "INSERT INTO case_index (case_id, body) VALUES (?, ?)"
_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits, as the tokenizer cuts them
#: How many words of what the user typed are used.
MAX_WORDS = 12
#: The last word typed is matched as the start of a word once it has this many characters.
PREFIX_FROM = 3
#: Index rows read per step of a search, and at most per index (a bound on the time a
#: search of a word in every record takes, whatever the store's size). The first step
#: reads FIRST_WINDOW rows per case asked for, each next one four times as many (up to
#: WINDOW): a case's own rows are one per case, so a name found in many cases checks
#: about as many cases as it shows.
FIRST_WINDOW = 2
WINDOW = 2000
MAX_ROWS = 10_000
#: Words either side of the match in a snippet.
SNIPPET_WORDS = 12


@dataclass(frozen=True)
class IndexRow:
    """One row of the index: a case's own row has no record_id."""

    case_id: str
    record_id: str | None
    body: str


@dataclass(frozen=True)
class IndexHit:
    """A case found by a search, and the row that found it: its own words
    (record_id None) or one of its records (the newest matching one)."""

    case_id: str
    record_id: str | None


def draft_words(draft: Draft) -> str:
    """The words of a draft for the index: its text and the labels of its choices
    ("Consent refused"), never ids, codes or ISO dates."""
    parts: list[str] = []

    def walk(value: object, name: str = "") -> None:
        if isinstance(value, Enum):
            label = getattr(value, "label", None)
            if isinstance(label, str):
                parts.append(label)
        elif isinstance(value, str):
            if value and not name.endswith(("_id", "_ids")):
                parts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, name)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, name)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                walk(getattr(value, f.name), f.name)

    walk(draft)
    return "\n".join(parts)


type _Walk = Callable[[Any, list[str]], None]


def content_words(draft_type: type[Draft], content: Mapping[str, Any]) -> str:
    """``draft_words(draft_type.from_dict(content))`` for a draft's own ``to_dict()``
    (every value valid), without building the draft: a plan compiled once per draft
    class walks the JSON form (about 10x faster; verify runs it for every record)."""
    parts: list[str] = []
    klass: type = draft_type  # the cache's key (mypy does not see type[Draft] as hashable)
    _plan(klass)(content, parts)
    return "\n".join(parts)


@functools.cache
def _plan(cls: type) -> _Walk:
    hints = typing.get_type_hints(cls)
    steps = [(f, _compile(hints[f.name], f.name)) for f in fields(cls)]

    def walk(raw: Any, parts: list[str]) -> None:
        for f, step in steps:
            if f.name in raw:
                step(raw[f.name], parts)
            else:  # a field newer than the content: from_dict gives it its default
                factory = f.default_factory
                default = factory() if callable(factory) else f.default
                parts.extend(filter(None, draft_words_of(default, f.name)))

    return walk


def _compile(hint: Any, name: str) -> _Walk:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner_hint,) = (a for a in typing.get_args(hint) if a is not type(None))
        inner = _compile(inner_hint, name)
        return lambda raw, parts: None if raw is None else inner(raw, parts)
    if origin is list:
        item = _compile(typing.get_args(hint)[0], name)

        def each(raw: Any, parts: list[str]) -> None:
            for value in raw:
                item(value, parts)

        return each
    if origin is dict:
        value_walk = _compile(typing.get_args(hint)[1], name)

        def values(raw: Any, parts: list[str]) -> None:
            for value in raw.values():
                value_walk(value, parts)

        return values
    if isinstance(hint, type) and issubclass(hint, Draft):
        klass: type = hint
        return _plan(klass)
    if isinstance(hint, type) and issubclass(hint, Enum):
        labels = {m.value: getattr(m, "label", None) for m in hint}

        def label(raw: Any, parts: list[str]) -> None:
            found = labels.get(raw)
            if isinstance(found, str):
                parts.append(found)

        return label
    if hint is str and not name.endswith(("_id", "_ids")):
        return lambda raw, parts: parts.append(raw) if raw else None
    return lambda raw, parts: None  # dates, times, booleans, ids


def draft_words_of(value: object, name: str) -> list[str]:
    """The index words of one value as `draft_words` walks it (a field's default)."""
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return [label] if isinstance(label, str) else []
    if isinstance(value, str):
        return [value] if value and not name.endswith(("_id", "_ids")) else []
    if isinstance(value, list | tuple):
        return [w for item in value for w in draft_words_of(item, name)]
    if isinstance(value, dict):
        return [w for item in value.values() for w in draft_words_of(item, name)]
    if is_dataclass(value) and not isinstance(value, type):
        words = draft_words(cast(Draft, value))  # a nested part of a draft, read the same way
        return words.split("\n") if words else []
    return []


def record_row(*, case_id: str, record_id: str, draft: Draft) -> IndexRow:
    """The index row of a saved record."""
    return IndexRow(case_id, record_id, draft_words(draft))


def case_row(*, case_id: str, draft: CaseDraft) -> IndexRow:
    """The index row of a case: its words, and its reference also without separators
    (so "DEMO-2026-00012" is found by typing "DEMO202600012"). Not its identifier, which
    changes and is found by an exact search of its own (an old NHS number must not find
    the case)."""
    joined = re.sub(r"[\W_]+", "", draft.case_reference)
    words = replace(draft, nhs_number="", identifier_reason=None, identifier_reason_text="")
    return IndexRow(case_id, None, "\n".join([draft_words(words), joined]))


def insert_many(tx: Tx, rows: Iterable[IndexRow]) -> None:
    """Add rows to the indexes, in the caller's transaction."""
    cases, records = [], []
    for r in rows:
        if r.record_id is None:
            cases.append((r.case_id, r.body))
        else:
            records.append((r.case_id, r.record_id, r.body))
    conn = raw_connection(tx)
    for sql, values in ((_INSERT_CASE, cases), (_INSERT_RECORD, records)):
        if len(values) == 1:
            conn.execute(sql, values[0])
        elif values:
            conn.executemany(sql, values)


_INDEXES = ("search_index", "case_index")
#: Pages of merged segments one tidying step writes (FTS5 blocks; with their index rows
#: about twice as many database pages, 0.5 MB): a few tens of milliseconds.
TIDY_PAGES = 64


def tidy(tx: Tx, *, pages: int = TIDY_PAGES) -> bool:
    """One bounded step of merging the indexes' segments (a save adds a small segment and
    no longer merges them, migration 0016): at most about `pages` pages written, in the
    caller's transaction. Only levels holding several segments are merged (FTS5's
    'usermerge'), so a tidy index is left alone. Returns whether work remains."""
    conn = raw_connection(tx)
    more = False
    for index in _INDEXES:
        before = conn.total_changes
        conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('merge', ?)", (pages,))
        # FTS5 changes one row (the structure) when there was nothing left to merge
        more = more or conn.total_changes - before >= 2
    return more


#: FTS5's own automerge setting (merge a level once it holds 4 segments), for bulk builds.
BULK_AUTOMERGE = 4


@contextmanager
def merging_as_written(write: Callable[[], AbstractContextManager[Tx]]) -> Iterator[None]:
    """For a bulk build: the indexes merge their segments as they are written (FTS5's
    automerge, as saves did before migration 0016), then stop again, also when the build
    fails; after a build that succeeded, what automerge left half-way is tidied. A build
    of a million records left unmerged would hand its first saves a crisis merge of tens
    of thousands of pages."""
    _set_automerge(write, BULK_AUTOMERGE)
    try:
        yield
    finally:
        _set_automerge(write, 0)
    more = True
    while more:
        with write() as tx:
            more = tidy(tx)


def _set_automerge(write: Callable[[], AbstractContextManager[Tx]], value: int) -> None:
    with write() as tx:
        conn = raw_connection(tx)
        for index in _INDEXES:
            conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('automerge', ?)", (value,))


def query_words(user_text: str) -> list[str]:
    """The words of what the user typed, as the index cuts them (at most MAX_WORDS)."""
    return _WORD.findall(unicodedata.normalize("NFC", user_text))[:MAX_WORDS]


def match_expression(user_text: str) -> str | None:
    """What the user typed as a safe FTS5 query (None: no word): every word whole, and the
    last one also as the start of a word once it has PREFIX_FROM characters (it is
    probably still being typed)."""
    words = query_words(user_text)
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    if len(words[-1]) >= PREFIX_FROM:
        terms[-1] += "*"
    return " ".join(terms)


# A search's rows: every matching row of one index, newest first, read a window at a time
# from one statement (the index's own rowid order, so nothing is sorted; FTS5 sets up a
# prefix query's list of rows once per statement, so it is never run twice).
_ROWS = "SELECT rowid, case_id, {record_id} FROM {index} WHERE {index} MATCH ? ORDER BY rowid DESC"
_CASE_ROWS = _ROWS.format(index="case_index", record_id="NULL")
_RECORD_ROWS = _ROWS.format(index="search_index", record_id="record_id")


def _visible(conn: sqlcipher3.Connection, case_ids: Sequence[str], members: str) -> set[str]:
    """Which of `case_ids` are open: ordinary, or restricted and named in `members` (the
    signed membership, a JSON array), never by a `case_member` row."""
    marks = ", ".join("?" for _ in case_ids)
    rows = conn.execute(
        f"SELECT id FROM case_file WHERE id IN ({marks}) AND "
        "(restricted = 0 OR id IN (SELECT value FROM json_each(?)))",
        [*case_ids, members],
    )
    return {r[0] for r in rows.fetchall()}


def search(
    tx: Tx,
    *,
    match: str,
    members: Collection[str],
    limit: int,
    cancelled: Callable[[], bool] | None = None,
    window: int = WINDOW,
    max_rows: int = MAX_ROWS,
) -> list[IndexHit]:
    """The cases open to a user named on `members` (Store.member_cases) whose index rows
    match `match` (see `match_expression`), best first: those whose own words match
    (newest case first), then the others by their newest matching record. At most
    `limit` cases; at most `max_rows` rows of each index are read. `cancelled()` is
    polled while SQLite works: once it is true the search stops with `SearchCancelled`
    (a newer query has superseded this one)."""
    conn = raw_connection(tx)
    named = json.dumps(sorted(members))
    hits: list[IndexHit] = []
    seen: set[str] = set()
    if cancelled is not None:
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, 1000)
    try:
        for sql in (_CASE_ROWS, _RECORD_ROWS):
            if len(hits) >= limit:
                break
            rows = conn.execute(sql, (match,))
            try:
                read, size = 0, min(window, FIRST_WINDOW * max(limit, 1))
                while len(hits) < limit and read < max_rows:
                    if cancelled is not None and cancelled():
                        raise SearchCancelled()
                    batch = rows.fetchmany(size)
                    read += len(batch)
                    fresh: dict[str, str | None] = {}  # each new case's newest row, newest first
                    for _, case_id, record_id in batch:
                        if case_id not in seen and case_id not in fresh:
                            fresh[case_id] = record_id
                    open_ = _visible(conn, list(fresh), named) if fresh else set()
                    for case_id, record_id in fresh.items():
                        if case_id in open_ and len(hits) < limit:
                            hits.append(IndexHit(case_id, record_id))
                        seen.add(case_id)  # a case not open to the user is not looked at again
                    if len(batch) < size:
                        break
                    size = min(window, size * 4)
            finally:
                rows.close()
    except sqlcipher3.OperationalError as error:
        if cancelled is not None and cancelled():
            raise SearchCancelled() from None
        if "fts5" in str(error) or "syntax" in str(error):
            return []  # what was typed is not a query the index can answer
        raise
    finally:
        if cancelled is not None:
            conn.set_progress_handler(None, 0)
    return hits


class SearchCancelled(Exception):
    """A search stopped because a newer one superseded it (nothing is returned)."""


def snippets(
    bodies: Sequence[str], *, match: str, marks: tuple[str, str], words: int = SNIPPET_WORDS
) -> list[str]:
    """For each text, the words around what `match` found in it, the matches between
    `marks` ("" for a text it does not match). The texts are indexed in a private
    in-memory database (nothing is written to disk) with the shared indexes' tokenizer,
    so a snippet marks exactly the words the search matched."""
    if not bodies:
        return []
    db = sqlcipher3.connect(":memory:")
    try:
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute(f"CREATE VIRTUAL TABLE shown USING fts5(body, tokenize = '{TOKENIZER}')")
        db.executemany(
            "INSERT INTO shown (rowid, body) VALUES (?, ?)",
            [(i + 1, body) for i, body in enumerate(bodies)],
        )
        try:
            found = db.execute(
                "SELECT rowid, snippet(shown, 0, ?, ?, '…', ?) FROM shown WHERE shown MATCH ?",
                (marks[0], marks[1], words, match),
            ).fetchall()
        except sqlcipher3.OperationalError:
            found = []
    finally:
        db.close()
    text = {rowid: snippet.replace("\n", " ") for rowid, snippet in found}
    return [text.get(i + 1, "") for i in range(len(bodies))]
