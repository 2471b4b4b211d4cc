"""Time helpers: aware UTC in, local time out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from infoshare_desktop.domain import ensure_utc, format_date, format_local, to_local, utcnow


@pytest.fixture
def london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the test with the process's local time zone set to Europe/London."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_ensure_utc_converts_aware_values() -> None:
    india = datetime(2026, 11, 29, 19, 35, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert ensure_utc(india) == datetime(2026, 11, 29, 14, 5, tzinfo=UTC)
    assert ensure_utc(india).tzinfo is UTC


@pytest.mark.usefixtures("london")
def test_naive_values_are_local_time() -> None:
    assert ensure_utc(datetime(2026, 7, 1, 12, 0)) == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert ensure_utc(datetime(2026, 12, 1, 12, 0)) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.usefixtures("london")
def test_to_local_and_format_local() -> None:
    summer = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert to_local(summer).utcoffset() == timedelta(hours=1)
    assert format_local(summer) == "1 Jul 2026 14:05"
    assert format_local(datetime(2026, 11, 29, 14, 5, tzinfo=UTC)) == "29 Nov 2026 14:05"


def test_format_date_is_locale_independent() -> None:
    assert format_date(datetime(2026, 3, 4).date()) == "4 Mar 2026"
