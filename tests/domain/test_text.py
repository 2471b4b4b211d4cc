"""clean_text and is_placeholder."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from infoshare_desktop.domain import (
    LONG_TEXT,
    MEDIUM_TEXT,
    SHORT_TEXT,
    InvalidTextError,
    clean_text,
    is_placeholder,
)
from infoshare_desktop.domain.text import agency_key, same_agency
from tests.domain.strategies import any_text, garbage

FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(value: object, max_length: int = MEDIUM_TEXT) -> str:
    return clean_text(
        value, field="reasons", label="reasons for the decision", max_length=max_length
    )  # type: ignore[arg-type]


def test_limits_grow() -> None:
    assert (SHORT_TEXT, MEDIUM_TEXT, LONG_TEXT) == (200, 4000, 20000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  plain  ", "plain"),
        ("e\u0301cole", "\u00e9cole"),
        ("one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour"),
        ("word\vbreak\fpage\u2028line\u2029para\x85next", "word\nbreak\npage\nline\npara\nnext"),
        ("\tcol\tcol\t", "col\tcol"),
        ("Zoë Łukasz Ωμέγα Дарья 李小龍 🙂", "Zoë Łukasz Ωμέγα Дарья 李小龍 🙂"),
        ("\n\n  middle  \n\n", "middle"),
    ],
)
def test_clean_text_normalises(raw: str | None, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("before\x00after", "control character"),
        ("escape \x1b[31m red", "control character"),
        ("bell\x07", "control character"),
        ("delete\x7f", "control character"),
        ("c1 \x9b control", "control character"),
        ("half \ud83d of an emoji", "damaged character"),
        ("lone \udfff low", "damaged character"),
        (42, "could not be read as text"),
    ],
)
def test_clean_text_refuses_unstorable_characters(raw: object, words: str) -> None:
    with pytest.raises(InvalidTextError) as caught:
        clean(raw)
    assert caught.value.field == "reasons"
    assert "reasons for the decision" in str(caught.value)
    assert words in str(caught.value)


def test_clean_text_refuses_over_long_text_with_limit_and_length() -> None:
    assert clean("x" * SHORT_TEXT, SHORT_TEXT) == "x" * SHORT_TEXT
    assert clean(" " + "x" * SHORT_TEXT + " \n", SHORT_TEXT) == "x" * SHORT_TEXT
    with pytest.raises(InvalidTextError) as caught:
        clean("x" * 4321, MEDIUM_TEXT)
    message = caught.value.user_message
    assert "4,321" in message and "4,000" in message and "too long" in message


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_clean_text_never_returns_unstorable_text(raw: str) -> None:
    try:
        result = clean(raw, LONG_TEXT)
    except InvalidTextError as error:
        assert error.field == "reasons"
        return
    assert not FORBIDDEN.search(result)
    assert len(result) <= LONG_TEXT
    assert result == result.strip()
    assert "\r" not in result
    assert clean(result, LONG_TEXT) == result


@pytest.mark.parametrize(
    "text",
    [
        None, 7, "", "   ", "n/a", "N/A", "na", "None", "see above", "See above.", "As above",
        "TBC", "-", "...", "see notes", "As discussed", "nil", "Nil.", "x", "ok", "Yes", "?",
        "Not applicable", "ditto", "aaaa aaaa aaaa aaaa", "Risk", "Police asked",
        "Safeguarding concern", "児童の安全", "___ ___ ___",
    ],
)  # fmt: skip
def test_placeholders(text: object) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "Disclosure of neglect; the child needs a strategy discussion today",
        "Mother asked us not to share, but the risk of harm outweighs that",
        "Żaneta nie chciała, aby informacje przekazano dalej",
        "子供が重大な危害を受ける危険があるため、情報を共有しました",
        "See above: the child disclosed injuries caused by a parent",
    ],
)
def test_reasons_in_words_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


def test_placeholder_thresholds_are_adjustable() -> None:
    assert is_placeholder("Via Egress")
    assert not is_placeholder("Via Egress", min_words=2, min_letters=8)
    assert not is_placeholder("GP", min_words=1, min_letters=2)
    assert is_placeholder("n/a", min_words=1, min_letters=2)


@settings(max_examples=200, deadline=None)
@given(garbage)
def test_is_placeholder_never_raises(value: object) -> None:
    assert isinstance(is_placeholder(value), bool)


# ---- agency names ---------------------------------------------------------------------

SAME_AGENCY = [
    ("Example Borough Children’s Services", "Example Borough Children's Services"),
    ("Children‘s Services", "children's services"),
    ("  EXAMPLE   health\tcentre ", "Example Health Centre"),
    ("Example\u00a0Police", "example police"),
    ("Police – North", "Police - North"),
    ("Police — North", "Police - North"),
    ("Health\u2011Visiting Team", "Health-Visiting Team"),
    ("“Safe Harbour” Trust", '"Safe Harbour" Trust'),
    ("Ｅｘａｍｐｌｅ Academy", "Example Academy"),
    ("Fire ﬁghters", "fire fighters"),
    ("STRAẞE Clinic", "strasse clinic"),
]
DIFFERENT_AGENCY = [
    ("Example Police", "Example Polis"),
    ("Children's Services", "Childrens Services"),
    ("North Police", "Police North"),
    ("", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME_AGENCY)
def test_look_alike_agency_names_are_the_same(a: str, b: str) -> None:
    assert agency_key(a) == agency_key(b)
    assert same_agency(a, b) and same_agency(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_AGENCY)
def test_different_agency_names_stay_different(a: str, b: str) -> None:
    assert not same_agency(a, b)


def test_anything_but_text_has_an_empty_key() -> None:
    assert agency_key(None) == agency_key(42) == ""


TYPOGRAPHIC = {"'": "’‘ʼ′", '"': "“”„", "-": "–—‑‐−"}


@st.composite
def _variants(draw: st.DrawFn) -> tuple[str, str]:
    """A name and the same name as someone else might type it."""
    letters = st.characters(categories=["L", "N"], max_codepoint=0x2FF)
    words = draw(st.lists(st.text(letters, min_size=1, max_size=8),
                          min_size=1, max_size=4))  # fmt: skip
    joiner = draw(st.sampled_from(list(TYPOGRAPHIC)))
    plain = f" {joiner} ".join(words) if draw(st.booleans()) else f"{joiner}".join(words)
    other = plain
    for mark, looks in TYPOGRAPHIC.items():
        other = other.replace(mark, draw(st.sampled_from(looks)))
    spaces = draw(st.sampled_from([" ", "  ", "\t", "\u00a0", " \u2003"]))
    other = spaces + other.replace(" ", spaces) + spaces
    case = draw(st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
    # Case changes that are not case-insensitive in Unicode itself ("ı".upper() is "I") are
    # left out: casefolding cannot undo them.
    assume(case(plain).casefold() == plain.casefold())
    return plain, case(other)


@settings(max_examples=300, deadline=None)
@given(_variants())
def test_agency_names_typed_differently_compare_equal(pair: tuple[str, str]) -> None:
    plain, other = pair
    assert agency_key(plain) == agency_key(other)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=30))
def test_agency_key_is_stable(name: str) -> None:
    key = agency_key(name)
    assert agency_key(key) == key
    assert key == key.strip() and "  " not in key
    assert not set(key) & set("’‘“”–—")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(categories=["Ll"], max_codepoint=0x17F), min_size=1, max_size=12),
       st.sampled_from("xqz"))  # fmt: skip
def test_an_added_letter_makes_another_agency(name: str, letter: str) -> None:
    assert not same_agency(name, name + letter)
