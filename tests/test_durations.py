"""Durations as people write them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError

from bot.durations import (
    MAX_DURATION,
    Duration,
    DurationTooLongError,
    SpokenDuration,
    duration_words,
    format_duration,
    parse_days,
    parse_duration,
)
from bot.errors import JardinierError
from bot.ruleconf.templates import render
from tests.support.rulebook import shipped_texts


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_parse(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["", "10", "m", "2 h", "1.5h", "-1h", "9" * 60 + "d", "1y"])
def test_refused(text: str) -> None:
    with pytest.raises(JardinierError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    "text", ["999999w", "9999999w", "99999w99999w", "5200w1s", "36401d", "9" * 30 + "d"]
)
def test_longer_than_a_century_is_refused(text: str) -> None:
    # The syntax allows 95,000 years, which overflows a date once added to now.
    with pytest.raises(JardinierError, match=rf"'{text}' is too long; write at most 5200w"):
        parse_duration(text)


def test_the_longest_duration_is_accepted_and_a_caller_may_ask_for_less() -> None:
    assert parse_duration("5200w") == MAX_DURATION == timedelta(weeks=5200)
    assert parse_duration("1w", most=timedelta(weeks=1)) == timedelta(weeks=1)
    with pytest.raises(JardinierError, match="'8d' is too long; write at most 1w"):
        parse_duration("8d", most=timedelta(weeks=1))


def test_format_round_trips() -> None:
    for text in ("30s", "10m", "1h30m", "1d12h", "2w", "9d", "30d", "0s"):
        assert format_duration(parse_duration(text) if text != "0s" else timedelta()) == text


def test_format_uses_weeks_only_for_whole_weeks() -> None:
    # A ladder window written 30d is shown as 30d, not as 4w2d.
    assert format_duration(timedelta(days=30)) == "30d"
    assert format_duration(timedelta(days=7)) == "1w"
    assert format_duration(timedelta(days=8, hours=1)) == "8d1h"


def test_rule_book_field_accepts_text_and_refuses_bare_numbers() -> None:
    class Section(BaseModel):
        window: Duration

    assert Section(window="7d").window == timedelta(days=7)
    with pytest.raises(ValidationError, match=r"write durations with a unit, e\.g\. 10s or 10m"):
        Section(window=10)
    with pytest.raises(ValidationError, match="'soon' is not a duration"):
        Section(window="soon")
    with pytest.raises(ValidationError, match="'999999w' is too long"):
        Section(window="999999w")


@pytest.mark.parametrize(
    ("value", "written"),
    [(float("inf"), ".inf"), (float("-inf"), "-.inf"), (float("nan"), ".nan")],
)
def test_rule_book_field_refuses_infinity_and_not_a_number(value: float, written: str) -> None:
    # YAML reads .inf and .nan as numbers; they used to escape validation as an OverflowError.
    class Section(BaseModel):
        window: Duration

    with pytest.raises(ValidationError, match=rf"{re.escape(written)} is not a duration; write a"):
        Section(window=value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("7j", timedelta(days=7)), ("1j12h", timedelta(days=1, hours=12)), ("30J", timedelta(30))],
)
def test_days_may_be_written_the_french_way(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


def test_french_days_are_written_back_as_days() -> None:
    class Section(BaseModel):
        window: Duration

    section = Section(window="9j")
    assert section.window == timedelta(days=9)
    assert section.model_dump(mode="json") == {"window": "9d"}
    assert format_duration(parse_duration("2j3h")) == "2d3h"


NBSP = "\u00a0"
"""What French writes between a number and its unit."""


@pytest.mark.parametrize(
    ("text", "english", "french"),
    [
        ("1d59m", "1 day and 59 minutes", f"1{NBSP}jour et 59 minutes"),
        ("2h30m", "2 hours and 30 minutes", f"2{NBSP}heures et 30 minutes"),
        ("1d30s", "1 day and 30 seconds", f"1{NBSP}jour et 30{NBSP}secondes"),
        ("1d2h5m", "1 day and 2 hours", f"1{NBSP}jour et 2{NBSP}heures"),
        ("10d", "10 days", f"10{NBSP}jours"),
        ("30d", "30 days", f"30{NBSP}jours"),
        ("1w", "1 week", f"1{NBSP}semaine"),
        ("45m", "45 minutes", "45 minutes"),
        ("40s", "40 seconds", f"40{NBSP}secondes"),
    ],
)
def test_duration_words_says_the_two_largest_units_there_are(
    text: str, english: str, french: str
) -> None:
    # 1d59m once read "1 day": the hours (none) were said, the 59 minutes left out.
    assert duration_words(parse_duration(text), "en") == english
    assert duration_words(parse_duration(text), "fr") == french


def test_duration_words_reads_a_late_job_s_time_left_to_the_nearest_second() -> None:
    assert duration_words(timedelta(minutes=59, seconds=59.99), "en") == "1 hour"
    assert duration_words(timedelta(milliseconds=300), "en") == "1 second"


def test_nothing_at_all_reads_zero_seconds_not_one() -> None:
    # A refusal quotes the zero the moderator typed: "/timeout bob 0s" is not "1 second".
    assert duration_words(timedelta(), "en") == "0 seconds"
    assert duration_words(timedelta(), "fr") == "0\u00a0seconde"


def test_a_spoken_duration_is_said_in_the_language_of_the_text_it_fills() -> None:
    window = SpokenDuration(timedelta(weeks=4))
    values = {"option": "x", "least": 1, "most": window, "value": 2}
    english = shipped_texts("en").usage_errors.out_of_range
    french = shipped_texts("fr").usage_errors.out_of_range
    assert render(english, **values) == "x should be from 1 to 4 weeks, not 2"
    assert render(french, **values) == f"x doit aller de 1 à 4{NBSP}semaines, pas 2"
    assert str(window) == "4 weeks"


def test_too_long_is_told_apart_from_no_duration() -> None:
    with pytest.raises(DurationTooLongError) as error:
        parse_duration("8d", most=timedelta(weeks=1))
    assert error.value.most == timedelta(weeks=1)
    with pytest.raises(JardinierError) as error:
        parse_duration("8 days")
    assert not isinstance(error.value, DurationTooLongError)


@pytest.mark.parametrize(
    ("text", "days"), [("30", 30), ("30d", 30), ("30j", 30), (" 7J ", 7), ("2w", 14), ("0", 0)]
)
def test_days_are_a_number_or_a_duration_of_whole_days(text: str, days: int) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["36h", "1d12h", "30 j", "-3", "trente", "", "9999999999"])
def test_anything_else_is_no_number_of_days(text: str) -> None:
    with pytest.raises(JardinierError, match="not a number of days; write 30, 30d or 30j"):
        parse_days(text)
