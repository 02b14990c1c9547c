"""Dates and times typed in commands: read on the community's clocks, in its language's order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.moments import (
    AmbiguousDateError,
    MomentError,
    MomentRangeError,
    TimeMissingError,
    parse_date_time,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
"""Sunday 20 December 2026, 11:00 in Paris."""


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment of Paris's clocks, as the parser returns it: in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("15/01/2027", paris(2027, 1, 15)),
        ("15/01/2027 18:00", paris(2027, 1, 15, 18)),
        ("15/01/2027 18h", paris(2027, 1, 15, 18)),
        ("15/01/2027, 18h30", paris(2027, 1, 15, 18, 30)),
        ("15/01/27 18 h 30", paris(2027, 1, 15, 18, 30)),
        ("15.01.2027 6pm", paris(2027, 1, 15, 18)),
        ("  24/12   18h ", paris(2026, 12, 24, 18)),
        # Without a year: the next such day, this year's until it is over.
        ("24/12 18h", paris(2026, 12, 24, 18)),
        ("15/01 18h", paris(2027, 1, 15, 18)),
        ("20/12 09:00", paris(2026, 12, 20, 9)),  # today, already past: the caller says so
        ("29/02", paris(2028, 2, 29)),
        # ISO, as before, on the community's clocks unless it names an offset.
        ("2027-01-15T18:00", paris(2027, 1, 15, 18)),
        ("2027-01-15 18:00", paris(2027, 1, 15, 18)),
        ("2027-01-15", paris(2027, 1, 15)),
        ("2027-01-15 18h", paris(2027, 1, 15, 18)),
        ("2027-01-15T18:00Z", datetime(2027, 1, 15, 18, tzinfo=UTC)),
    ],
)
def test_a_french_community_types_dates_day_first_or_iso(typed: str, moment: datetime) -> None:
    assert parse_date_time(typed, NOW, PARIS, "fr") == moment


@pytest.mark.parametrize(
    "typed",
    [
        "01/15/2027",
        "31/02/2027",
        "15/13",
        "15/01/2027 25:00",
        "15/01/2027 18",
        "15/01 2027",
        "15/01/202",
        "demain 18h",
        "18h",
        "2h",
        "15/01/2027 18:61",
        "15/01/2027 13pm",
        "x" * 41,
    ],
)
def test_what_is_no_date_is_refused_with_the_text_typed(typed: str) -> None:
    with pytest.raises(MomentError) as caught:
        parse_date_time(typed, NOW, PARIS, "fr")
    assert type(caught.value) is MomentError
    assert str(caught.value) == " ".join(typed.split())[:40]


@pytest.mark.parametrize(
    ("locale", "typed", "day"),
    [
        ("en-GB", "05/01/2027", date(2027, 1, 5)),
        ("en-US", "05/01/2027", date(2027, 5, 1)),
        ("en-US", "12/24 6pm", date(2026, 12, 24)),
        ("de", "05.01.2027", date(2027, 1, 5)),
        # The shipped English is everyone's: a date only one order makes a day reads that way.
        ("en", "15/01/2027", date(2027, 1, 15)),
        ("en", "01/15/2027", date(2027, 1, 15)),
        ("en", "05/05/2027", date(2027, 5, 5)),
    ],
)
def test_the_order_of_day_and_month_is_the_languages(locale: str, typed: str, day: date) -> None:
    assert parse_date_time(typed, NOW, PARIS, locale).astimezone(PARIS).date() == day


def test_a_date_english_reads_two_ways_is_refused_with_both_days() -> None:
    with pytest.raises(AmbiguousDateError) as caught:
        parse_date_time("05/01/2027 18:00", NOW, PARIS, "en")
    assert caught.value.readings == (date(2027, 1, 5), date(2027, 5, 1))
    assert str(caught.value) == "05/01/2027 18:00"
    with pytest.raises(AmbiguousDateError):
        parse_date_time("05/01", NOW, PARIS, "en")
    with pytest.raises(MomentError):  # no day-first reading in the United States
        parse_date_time("15/01/2027", NOW, PARIS, "en-US")


def test_a_date_without_its_time_is_refused_where_a_time_is_needed() -> None:
    for typed in ("24/12", "24/12/2026", "2026-12-24"):
        with pytest.raises(TimeMissingError):
            parse_date_time(typed, NOW, PARIS, "fr", need_time=True)
    assert parse_date_time("24/12 18h", NOW, PARIS, "fr", need_time=True) == paris(
        2026, 12, 24, 18
    )


def test_a_moment_before_the_first_year_is_out_of_range() -> None:
    with pytest.raises(MomentRangeError) as caught:
        parse_date_time("0001-01-01T00:00", NOW, PARIS, "fr")
    assert caught.value.early
