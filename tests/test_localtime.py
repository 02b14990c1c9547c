"""A moment written in the community's time, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.localtime import local_time

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
