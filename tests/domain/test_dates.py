"""Typed dates: read day first as people write them, shown back unambiguously, never guessed."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare_desktop.domain.dates import (
    DateParseError,
    Moment,
    age_on,
    born_text,
    format_day,
    format_moment,
    parse_moment,
)

JAN_1 = date(2020, 1, 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01/01/2020 09:00", Moment(JAN_1, time(9, 0))),
        ("1/1/2020", Moment(JAN_1)),
        ("1 Jan 2020 09:00", Moment(JAN_1, time(9, 0))),  # was read as 1 Jan 2026 20:20
        ("1 January 2020", Moment(JAN_1)),
        ("  1   jan   2020  ", Moment(JAN_1)),
        ("1st January 2020", Moment(JAN_1)),
        ("Wed 1 Jan 2020, 09:00", Moment(JAN_1, time(9, 0))),  # how it is shown back
        ("Wednesday, 1 January 2020 at 9:00", Moment(JAN_1, time(9, 0))),
        ("1-1-2020 9.30", Moment(JAN_1, time(9, 30))),
        ("1.1.2020", Moment(JAN_1)),
        ("2020-01-01", Moment(JAN_1)),
        ("13/02/2016", Moment(date(2016, 2, 13))),  # day first: 13 February
        ("03/04/2016", Moment(date(2016, 4, 3))),  # 3 April, not 4 March
        ("29/02/2016", Moment(date(2016, 2, 29))),
        ("1/1/2020 9am", Moment(JAN_1, time(9, 0))),
        ("1/1/2020 12am", Moment(JAN_1, time(0, 0))),
        ("1/1/2020 12 pm", Moment(JAN_1, time(12, 0))),
        ("1/1/2020 9:45 p.m.", Moment(JAN_1, time(21, 45))),
        ("1/1/2020, 23:59", Moment(JAN_1, time(23, 59))),
        ("1 Sept 2020", Moment(date(2020, 9, 1))),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_are_read_day_first_as_people_type_them(typed: str, expected: Moment | None):
    assert parse_moment(typed) == expected


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1/1/20", "year in full"),  # a two-digit year is never guessed
        ("1 Jan", "not a date"),  # no year: never filled in from today
        ("31/02/2020", "no day 31"),
        ("12/13/2020", "no month 13"),  # US order is not silently swapped
        ("1 Janvier 2020", "not a month"),
        ("Thu 1 Jan 2020", "is a Wednesday, not a Thursday"),
        ("1/1/2020 25:00", "not a time of day"),
        ("1/1/2020 9:75", "not a time of day"),
        ("1/1/2020 13pm", "1 to 12"),
        ("1/1/2020 9", "time could not be read"),  # "9" alone could be 9 o'clock or a typo
        ("1/1/2020 later", "time could not be read"),
        ("1/1/1899", "too long ago"),
        ("yesterday", "not a date"),
        ("2 Jan 1900?", "time could not be read"),
    ],
)
def test_text_that_is_not_a_clear_date_is_refused_with_a_reason(typed: str, says: str):
    with pytest.raises(DateParseError) as caught:
        parse_moment(typed)
    assert says in str(caught.value)


def test_a_date_only_field_refuses_a_time():
    assert parse_moment("1/1/2020", with_time=False) == Moment(JAN_1)
    with pytest.raises(DateParseError, match="date only"):
        parse_moment("1/1/2020 09:00", with_time=False)
    with pytest.raises(DateParseError, match="not a date"):
        parse_moment("1/1/2020 xyz", with_time=False)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Moment(JAN_1, time(9, 0)), "Wed 1 Jan 2020, 09:00"),
        (Moment(JAN_1), "Wed 1 Jan 2020"),
        (datetime(2026, 12, 1, 14, 5, 59), "Tue 1 Dec 2026, 14:05"),
        (date(2016, 2, 29), "Mon 29 Feb 2016"),
    ],
)
def test_dates_are_shown_with_weekday_month_name_and_24_hour_time(value, shown: str):
    assert format_moment(value) == shown


def test_a_moment_without_a_time_is_taken_at_the_start_of_its_day():
    assert Moment(JAN_1).at() == datetime(2020, 1, 1, 0, 0)
    assert Moment(JAN_1, time(9, 5)).at() == datetime(2020, 1, 1, 9, 5)


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))
times = st.none() | st.times().map(lambda t: time(t.hour, t.minute))


@given(days, times)
def test_what_is_shown_reads_back_as_the_same_moment(day: date, at: time | None):
    moment = Moment(day, at)
    assert parse_moment(format_moment(moment)) == moment


@given(days, times, st.sampled_from("/-."), st.booleans())
def test_numeric_dates_read_back_whatever_the_separator_and_padding(
    day: date, at: time | None, sep: str, padded: bool
):
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if padded else (str(day.day), str(day.month))
    typed = f"{d}{sep}{m}{sep}{day.year}"
    if at is not None:
        typed += f" {at.hour:02d}:{at.minute:02d}"
    assert parse_moment(typed) == Moment(day, at)


@given(st.text(max_size=40))
def test_any_text_is_either_read_or_refused_with_a_message(typed: str):
    try:
        result = parse_moment(typed)
    except DateParseError as error:
        assert str(error)
    else:
        assert result is None or isinstance(result.day, date)


def test_format_day_names_the_weekday():
    assert format_day(date(2026, 12, 1)) == "Tue 1 Dec 2026"


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2015, 4, 1), date(2026, 3, 31), 10),
        (date(2015, 4, 1), date(2026, 4, 1), 11),  # on the birthday
        (date(2016, 2, 29), date(2027, 2, 28), 10),
        (date(2016, 2, 29), date(2027, 3, 1), 11),
        (date(2026, 12, 1), date(2026, 12, 1), 0),
    ],
)
def test_age_counts_whole_years(born: date, today: date, age: int):
    assert age_on(born, today) == age


@given(days, days)
def test_age_is_the_year_difference_less_one_before_the_birthday(born: date, today: date):
    before_birthday = (today.month, today.day) < (born.month, born.day)
    assert age_on(born, today) == today.year - born.year - before_birthday


def test_born_text_shows_the_date_and_the_age():
    assert born_text(date(2015, 4, 1), date(2026, 12, 1)) == "1 Apr 2015 (age 11)"
    assert born_text(None, date(2026, 12, 1)) == "Not known"
    assert born_text(date(2027, 1, 1), date(2026, 12, 1)) == "1 Jan 2027 (not born yet)"
