"""Cleaning and judging free text typed by practitioners."""

from __future__ import annotations

import functools
import re
import unicodedata

from infoshare_desktop.domain.errors import InvalidTextError

SHORT_TEXT = 200
"""Limit for names, roles, organisations, references and other one-line answers."""
MEDIUM_TEXT = 4000
"""Limit for short explanations (a reason, a rationale, an outcome)."""
LONG_TEXT = 20000
"""Limit for the long narrative fields (what was shared, the weighing, the reasons)."""

# Characters str.splitlines() treats as line breaks (incl. \v and \f, which Word pastes).
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# C0 controls other than \t and \n, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "",
        "n a",
        "na",
        "none",
        "nil",
        "no",
        "yes",
        "x",
        "tbc",
        "tba",
        "tbd",
        "unknown",
        "not applicable",
        "not known",
        "see above",
        "as above",
        "same as above",
        "see below",
        "as below",
        "see notes",
        "see case notes",
        "see file",
        "see record",
        "see attached",
        "see email",
        "see chronology",
        "as discussed",
        "as per discussion",
        "as before",
        "ditto",
        "test",
        "testing",
        "no comment",
        "nothing",
        "nothing to add",
    }
)
"""Stock answers that never count as a reason, after lower-casing and dropping punctuation."""

_PLACEHOLDER_SAMPLE = 2000


def clean_text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """Return ``value`` normalised for storage, or raise InvalidTextError in plain words.

    NFC-normalises, turns every line break into ``\\n``, strips surrounding whitespace,
    and refuses control characters (other than line breaks and tabs), unpaired
    surrogates and text longer than ``max_length`` characters. ``None`` becomes "".
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidTextError(
            f"The {label} could not be read as text. Please type it again.", field=field
        )
    if _SURROGATE.search(value):
        raise InvalidTextError(
            f"The {label} contains a damaged character that cannot be stored. "
            "Please retype the text, or paste it again as plain text.",
            field=field,
        )
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", value)).strip()
    if _CONTROL.search(text):
        raise InvalidTextError(
            f"The {label} contains a hidden control character that cannot be stored. "
            "Please retype the text, or paste it again as plain text.",
            field=field,
        )
    if len(text) > max_length:
        raise InvalidTextError(
            f"The {label} is too long: it has {len(text):,} characters and the limit is "
            f"{max_length:,}. Please shorten it.",
            field=field,
        )
    return text


def _is_wide(char: str) -> bool:
    """True for characters of scripts written without spaces (CJK: one character, one word)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def is_placeholder(text: object, *, min_words: int = 3, min_letters: int = 15) -> bool:
    """True when ``text`` does not count as an answer written in words.

    That is: not text at all, a stock placeholder ("n/a", "see above", "tbc", "-", "..."),
    fewer than ``min_words`` words, fewer than ``min_letters`` letters or digits, or the
    same few letters repeated. Each CJK character counts as a word. Never raises.
    """
    if not isinstance(text, str):
        return True
    return _is_placeholder(text[:_PLACEHOLDER_SAMPLE], min_words, min_letters)


@functools.lru_cache(maxsize=1024)
def _is_placeholder(text: str, min_words: int, min_letters: int) -> bool:
    """Cached: a form re-checks the same unchanged answers on every keystroke."""
    sample = text.casefold()
    words = re.findall(r"\w+", sample)
    if " ".join(words).replace("_", " ").strip() in PLACEHOLDERS:
        return True
    letters = [c for c in sample if c.isalnum()]
    if sample.isascii():  # no CJK: every word counts once
        word_count = len(words)
    else:
        word_count = sum(1 for w in words if not any(map(_is_wide, w)))
        word_count += sum(1 for c in letters if _is_wide(c))
    return (
        word_count < min_words
        or len(letters) < min_letters
        or len(set(letters)) < min(5, min_letters)
    )


# Typographic look-alikes and their plain forms: apostrophes, quotes, dashes and hyphens.
_PLAIN_FORMS = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
    }
)


def agency_key(name: object) -> str:
    """The form in which two agency names (or two purposes) are compared.

    Unicode NFKC, typographic apostrophes, quotes and dashes as their plain forms, case
    folded, and runs of white space collapsed to one space: "Children’s  SERVICES" and
    "children's services" have the same key. Anything that is not text has the key "".
    """
    if not isinstance(name, str):
        return ""
    text = name
    for _ in range(4):  # casefold and NFKC can each undo the other's work: repeat to a fixed point
        folded = unicodedata.normalize("NFKC", text).translate(_PLAIN_FORMS).casefold()
        if folded == text:
            break
        text = folded
    return " ".join(text.split())


def same_agency(a: object, b: object) -> bool:
    """True when two agency names are the same after :func:`agency_key` (and not blank)."""
    key = agency_key(a)
    return bool(key) and key == agency_key(b)
