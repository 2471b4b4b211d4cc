"""Time helpers: store aware UTC, show local time."""

from __future__ import annotations

from datetime import UTC, date, datetime

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(dt: datetime) -> datetime:
    """Return ``dt`` in UTC; a naive value is taken as local wall-clock time."""
    return dt.astimezone(UTC)


def to_local(dt: datetime) -> datetime:
    """Return ``dt`` as an aware datetime in the machine's local time zone."""
    return ensure_utc(dt).astimezone()


def format_local(dt: datetime) -> str:
    """Format ``dt`` in local time, independent of locale, e.g. "29 Nov 2026 14:05"."""
    local = to_local(dt)
    return f"{format_date(local)} {local.hour:02d}:{local.minute:02d}"


def format_date(day: date) -> str:
    """Format a date independent of locale, e.g. "29 Nov 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
