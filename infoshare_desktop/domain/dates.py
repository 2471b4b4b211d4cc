"""Dates and times as people type them, and as the application shows them back.

``parse_moment`` reads what a practitioner types into a date field: day first, as dates
are written in the UK ("01/01/2020", "1/1/2020", "1-1-2020", "1.1.2020", "1 Jan 2020",
"1 January 2020", also "2020-01-01"), optionally with a weekday in front ("Wed 1 Jan
2020", which is how ``format_moment`` shows it back) and optionally followed by a time
("09:00", "9:00", "9.00", "9am", "9:30 pm"), separated by a space, a comma or "at".

Nothing is guessed: a two-digit year, a day that does not exist, a weekday that does
not match the date or any text left over is refused with a message that says what to
type, instead of being silently turned into another date. (A lenient parser such as
dateutil's fills the parts it cannot read from today, which is exactly the silent
change this module exists to prevent.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from infoshare_desktop.domain.errors import DomainError

__all__ = [
    "DateParseError",
    "Moment",
    "age_on",
    "born_text",
    "format_day",
    "format_moment",
    "parse_moment",
]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = {
    name.casefold(): number
    for number, short in enumerate(MONTHS, start=1)
    for name in (
        short,
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        )[number - 1],
    )
}
_MONTH_NAMES["sept"] = 9
_WEEKDAY_NAMES = {
    name.casefold(): number
    for number, short in enumerate(WEEKDAYS)
    for name in (
        short,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[number],
    )
}
_WEEKDAY_NAMES.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

EARLIEST_YEAR = 1900
EXAMPLE = "for example 01/01/2020"
EXAMPLE_TIME = "for example 01/01/2020 09:00"

_NUMERIC = re.compile(r"(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d+)")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_WORDS = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>[a-z]+)\.?,?\s+(?P<y>\d+)")
_TIME = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<min>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?")


_MIDNIGHT = time(0, 0)


class DateParseError(DomainError):
    """Text that cannot be read as a date (or a date and time); the message says why."""


@dataclass(frozen=True)
class Moment:
    """A day, and the time of day when one was given."""

    day: date
    time: time | None = None

    def at(self) -> datetime:
        """The naive local datetime; the start of the day when no time was given."""
        return datetime.combine(self.day, self.time or _MIDNIGHT)


def parse_moment(text: str, *, with_time: bool = True) -> Moment | None:
    """Read ``text`` as a day-first date with an optional time; None when it is blank.

    With ``with_time=False`` a time is refused (the field holds a date only).
    Raises DateParseError with a message fit to show beside the field.
    """
    cleaned = " ".join(text.split()).casefold()
    if not cleaned:
        return None
    example = EXAMPLE_TIME if with_time else EXAMPLE
    weekday, cleaned = _strip_weekday(cleaned)
    match = _ISO.match(cleaned) or _NUMERIC.match(cleaned) or _WORDS.match(cleaned)
    if match is None:
        raise DateParseError(
            f"“{text.strip()}” is not a date this can read. Type the day first, {example}, "
            "or choose it from the calendar."
        )
    day = _day(match, example)
    if weekday is not None and day.weekday() != weekday:
        raise DateParseError(
            f"{_full_day(day)} is a {day.strftime('%A')}, not a "
            f"{date(2024, 1, 1 + weekday).strftime('%A')}. Check the date."
        )
    rest = cleaned[match.end() :].strip()
    rest = re.sub(r"^(,\s*|at\s+|,\s*at\s+)", "", rest).strip()
    if not rest:
        return Moment(day)
    if not with_time:
        if _TIME.fullmatch(rest) and not rest.isdigit():
            raise DateParseError(f"Enter a date only, without a time ({example}).")
        raise DateParseError(f"“{text.strip()}” is not a date this can read ({example}).")
    return Moment(day, _time(rest, text))


def format_day(day: date) -> str:
    """A date shown unambiguously, with its weekday: "Wed 1 Jan 2020"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: Moment | datetime | date) -> str:
    """A date, or a date and time, as "Wed 1 Jan 2020, 09:00" (24-hour clock)."""
    if isinstance(moment, datetime):
        moment = Moment(moment.date(), moment.time())
    elif not isinstance(moment, Moment):
        moment = Moment(moment)
    shown = format_day(moment.day)
    if moment.time is not None:
        shown += f", {moment.time.hour:02d}:{moment.time.minute:02d}"
    return shown


# ---- helpers --------------------------------------------------------------------------


def _strip_weekday(text: str) -> tuple[int | None, str]:
    head, _, tail = text.partition(" ")
    name = head.rstrip(",.")
    if name in _WEEKDAY_NAMES and tail:
        return _WEEKDAY_NAMES[name], tail.lstrip(", ")
    return None, text


def _day(match: re.Match[str], example: str) -> date:
    year_text = match["y"]
    if len(year_text) != 4:
        raise DateParseError(f"Write the year in full, with four digits ({example}).")
    month_text = match["m"]
    if month_text.isdigit():
        month = int(month_text)
        if not 1 <= month <= 12:
            raise DateParseError(
                f"There is no month {month}: the day comes first, then the month ({example})."
            )
    else:
        month = _MONTH_NAMES.get(month_text.rstrip("."), 0)
        if not month:
            raise DateParseError(
                f"“{month_text}” is not a month. Use its name or number ({example})."
            )
    year, day = int(year_text), int(match["d"])
    if year < EARLIEST_YEAR:
        raise DateParseError(f"{year} is too long ago. Check the year ({example}).")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(
            f"{MONTHS[month - 1]} {year} has no day {day}. Check the date ({example})."
        ) from None


def _time(rest: str, text: str) -> time:
    match = _TIME.fullmatch(rest)
    if match is None or (match["min"] is None and match["ampm"] is None):
        raise DateParseError(
            f"“{text.strip()}”: the time could not be read. Write it as hours:minutes on "
            "the 24-hour clock, for example 09:00 or 14:30."
        )
    hour, minute = int(match["h"]), int(match["min"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise DateParseError(f"{hour} {ampm} is not a time. Use 1 to 12 with am or pm.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise DateParseError(
            f"{match['h']}:{match['min'] or '00'} is not a time of day. Use 00:00 to 23:59."
        )
    return time(hour, minute)


def _full_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today`` (a 29 February birthday counts on 1 March)."""
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def born_text(born: date | None, today: date) -> str:
    """A date of birth with the age, as lists show it: "1 Apr 2015 (age 11)"."""
    if born is None:
        return "Not known"
    shown = f"{born.day} {MONTHS[born.month - 1]} {born.year}"
    age = age_on(born, today)
    return f"{shown} (age {age})" if age >= 0 else f"{shown} (not born yet)"
