"""clean_text and is_placeholder."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from infoshare_desktop.domain import (
    LONG_TEXT,
    MEDIUM_TEXT,
    SHORT_TEXT,
    InvalidTextError,
    clean_text,
    is_placeholder,
)
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
