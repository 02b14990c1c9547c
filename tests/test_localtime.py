"""A moment written in the community's time and language, with the zone named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.localtime import LocalDate, date_text, local_time
from bot.ruleconf.plurals import LocalText
from bot.ruleconf.templates import render

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 12, 1, 17, 0, 59, tzinfo=UTC), "2026-12-01 18:00 CET"),
        (datetime(2026, 7, 1, 16, 0, tzinfo=UTC), "2026-07-01 18:00 CEST"),
        # Clocks go forward at 02:00 on 29 March 2026: 01:59 CET, then 03:00 CEST.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29 01:59 CET"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "2026-03-29 03:00 CEST"),
        # Clocks go back at 03:00 on 25 October 2026: 02:30 comes twice, named apart.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "2026-10-25 02:30 CEST"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "2026-10-25 02:30 CET"),
    ],
)
def test_a_utc_moment_reads_in_the_zones_time_with_the_abbreviation_then_in_force(
    moment: datetime, written: str
) -> None:
    assert local_time(moment, PARIS) == written


def test_a_moment_in_another_zone_reads_the_same_as_its_utc_instant() -> None:
    moment = datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("America/New_York"))
    assert local_time(moment, PARIS) == "2026-10-25 06:30 CET"
    assert local_time(moment, UTC) == "2026-10-25 05:30 UTC"


def test_a_zone_without_an_abbreviation_shows_its_offset() -> None:
    moment = datetime(2026, 7, 1, 21, 0, tzinfo=UTC)
    assert local_time(moment, ZoneInfo("America/Sao_Paulo")) == "2026-07-01 18:00 -03"


NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


@pytest.mark.parametrize(
    ("locale", "written"),
    [
        ("fr", "lun. 14 déc. 2026, 09:21 (CET)"),
        ("en", f"Mon, Dec 14, 2026, 9:21{NNBSP}AM (CET)"),
        ("en-GB", "Mon, 14 Dec 2026, 09:21 (CET)"),
        ("de", "Mo., 14. Dez. 2026, 09:21 (CET)"),
    ],
)
def test_a_text_writes_the_moment_in_its_own_language_with_the_zone(
    locale: str, written: str
) -> None:
    """No ``2026-12-14 09:21 CET`` in a French text, nor ``12-14`` that reads as a 12th month
    to some and a 12th day to others: the weekday and the month in words, the zone named."""
    moment = local_time(datetime(2026, 12, 14, 8, 21, 30, tzinfo=UTC), PARIS)
    assert render(LocalText("Le {when}.", locale), when=moment) == f"Le {written}."
    # Logs and f-strings keep the sortable form a script reads.
    assert f"{moment}" == "2026-12-14 09:21 CET"


def test_the_hour_clocks_go_back_through_reads_twice_with_two_names_in_texts_too() -> None:
    first = local_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), PARIS)
    second = local_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), PARIS)
    assert first.in_locale("fr") == "dim. 25 oct. 2026, 02:30 (CEST)"
    assert second.in_locale("fr") == "dim. 25 oct. 2026, 02:30 (CET)"
    assert (
        local_time(
            datetime(2026, 7, 1, 21, 0, tzinfo=UTC), ZoneInfo("America/Sao_Paulo")
        ).in_locale("fr")
        == "mer. 1 juil. 2026, 18:00 (-03)"
    )


def test_one_instant_is_written_in_each_zone_asked() -> None:
    """The same instant in two zones is two texts, whichever is written first."""
    moment = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert local_time(moment, UTC).in_locale("fr") == "mar. 1 déc. 2026, 17:00 (UTC)"
    assert local_time(moment, PARIS).in_locale("fr") == "mar. 1 déc. 2026, 18:00 (CET)"
    assert local_time(moment, UTC).in_locale("fr") == "mar. 1 déc. 2026, 17:00 (UTC)"


def test_a_day_is_written_in_words_of_the_text() -> None:
    day = LocalDate(date(2027, 1, 5))
    assert str(day) == "2027-01-05"
    assert day.in_locale("fr") == "5 janv. 2027"
    assert day.in_locale("en") == "Jan 5, 2027"
    assert date_text(date(2026, 12, 9), "fr", "MMMd") == "9 déc."
