"""The full-text index (FTS5, inside the encrypted file like everything else): what its
rows hold, how they are written, and the one query that reads it.

One row per saved record (its words) and one per case (the child's name and reference).
A search ranks the best rows, keeps those of cases the user may see, and returns the
best row of each case with a snippet."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from enum import Enum
from typing import Any

from infoshare_desktop.domain.records import CaseDraft, Draft
from infoshare_desktop.store.writes import Tx, raw_connection, stored_day

_INSERT = "INSERT INTO search_index (case_id, record_id, body) VALUES (?, ?, ?)"
_WORD = re.compile(r"\w+", re.UNICODE)
#: A search ranks this many index rows before filtering them to the visible cases.
TOP_ROWS = 1000
#: How many words of what the user typed are used.
MAX_WORDS = 12


@dataclass(frozen=True)
class IndexRow:
    """One row of the index: a case's own row has no record_id."""

    case_id: str
    record_id: str | None
    body: str


@dataclass(frozen=True)
class SearchRow:
    case_id: str
    display_name: str
    case_reference: str
    snippet: str  # the matching words between the marks asked for
    score: float  # FTS5 rank: lower is better
    date_of_birth: date | None


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
        return draft_words(value).split("\n") if draft_words(value) else []  # type: ignore[arg-type]
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
    """Add rows to the index, in the caller's transaction."""
    values = [(r.case_id, r.record_id, r.body) for r in rows]
    if len(values) == 1:
        raw_connection(tx).execute(_INSERT, values[0])
    elif values:
        raw_connection(tx).executemany(_INSERT, values)


def match_expression(user_text: str) -> str | None:
    """What the user typed as a safe FTS5 query: every word, as a prefix (None: no word)."""
    words = _WORD.findall(user_text)[:MAX_WORDS]
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


# FTS5 ranks the best matching rows cheaply (ORDER BY rank LIMIT); the case of each row,
# the visibility filter and the snippets are then computed for those rows only. A case
# whose only match ranks below the best TOP_ROWS rows is left out: for a word found in
# thousands of records the list shows the strongest matches.
_SEARCH = """
    WITH top AS MATERIALIZED (
        SELECT rowid AS row_id, rank AS score
        FROM search_index WHERE search_index MATCH :match
        ORDER BY rank LIMIT :top_rows
    ), visible AS (
        SELECT s.case_id AS case_id, t.row_id AS row_id, t.score AS score
        FROM top AS t JOIN search_index AS s ON s.rowid = t.row_id
        WHERE s.case_id IN (
            SELECT id FROM case_file WHERE restricted = 0
            UNION SELECT case_id FROM case_member WHERE user_id = :user)
    ), best AS (
        SELECT case_id, row_id, min(score) AS score
        FROM visible GROUP BY case_id ORDER BY score LIMIT :limit
    )
    SELECT b.case_id, c.display_name, c.case_reference,
           snippet(search_index, 2, :start, :end, '…', 12), b.score, c.date_of_birth
    FROM best AS b
    JOIN search_index ON search_index.rowid = b.row_id
    JOIN case_file AS c ON c.id = b.case_id
    WHERE search_index MATCH :match
    ORDER BY b.score
"""


def search(
    tx: Tx,
    *,
    match: str,
    user_id: str,
    limit: int,
    marks: tuple[str, str],
    top_rows: int = TOP_ROWS,
) -> list[SearchRow]:
    """The cases open to `user_id` whose rows match `match` (see `match_expression`),
    best first, each with the snippet of its best row between `marks`."""
    params = {
        "start": marks[0],
        "end": marks[1],
        "match": match,
        "user": user_id,
        "limit": limit,
        "top_rows": top_rows,
    }
    rows = raw_connection(tx).execute(_SEARCH, params).fetchall()
    return [
        SearchRow(r[0], r[1], r[2], r[3].replace("\n", " "), r[4], stored_day(r[5])) for r in rows
    ]
