"""Dates and times people type in commands, read on the community's clocks.

Two families of forms are read, and nothing that would need guessing:

- ISO 8601, as machines write it: ``2027-01-15T18:00``, ``2027-01-15 18:00``, ``2027-01-15``
  (an offset, ``+01:00`` or ``Z``, is kept; without one the time is the community's);
- numbers as people write a date, with ``/``, ``.`` or ``-`` between them, in the order of the
  community's language (CLDR's short date): the day first in French, ``15/01/2027``,
  ``15/01/27``, ``15/01`` (the next 15 January), optionally followed by a time, ``18:00``,
  ``18h``, ``18h30``, ``6pm``, ``6:30 pm``.

A time alone is never a moment here: ``18h`` is already a duration (eighteen hours).

The shipped English is written by people who put the day first (``15/01/2027``) and by people
who put the month first (``01/15/2027``): where the language names no region (``en``), a date
that only one order makes a real day is read that way, and one that both do (``05/01/2027``) is
refused as ambiguous, with the two days it could be. A region decides (``en-US``: month first,
``en-GB``: day first), as do the languages that write the day first.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

from bot.ruleconf.cldr import cldr_locale

_LONGEST_TEXT = 40
"""Characters a date and time may take: ``2027-01-15T18:00:00.000000+01:00`` fits."""
_NUMERIC = re.compile(
    r"(?P<first>\d{1,4})(?P<sep>[/.-])(?P<second>\d{1,2})(?:(?P=sep)(?P<third>\d{1,4}))?"
    r"(?:(?:\s*,\s*|\s+|t)(?P<time>.+))?"
)
"""A date written with numbers, then perhaps a time after a space, a comma or ISO's ``T``."""
_TIME = re.compile(
    r"(?P<hour>\d{1,2})"
    r"(?:(?P<mark>:|\s?h\s?)(?P<minute>\d{2})?)?"
    r"(?:\s?(?P<half>[ap])\.?m\.?)?"
)
"""``18:00``, ``18h``, ``18h30``, ``18 h 30``, ``6pm``, ``6:30 p.m.``: a colon, an ``h`` or
a half of the day says it is a time of day, not a number."""


class MomentError(ValueError):
    """Text that is no moment the bot reads; the message is the text (at most 40 characters)."""


class MomentRangeError(MomentError):
    """A duration or a date-time beyond what a moment can be (year 1 to 9999); ``early`` when
    it lies before, the message is the text."""

    def __init__(self, text: str, *, early: bool) -> None:
        super().__init__(text)
        self.early = early


class AmbiguousDateError(MomentError):
    """A date the community's language reads two ways (``05/01/2027``: 5 January or 1 May);
    ``readings`` are the two days, the day-first one first."""

    def __init__(self, text: str, readings: tuple[date, date]) -> None:
        super().__init__(text)
        self.readings = readings


class TimeMissingError(MomentError):
    """A date typed without the time of day where one is needed (``24/12``)."""


def parse_date_time(
    text: str, now: datetime, zone: tzinfo, locale: str | None, *, need_time: bool = False
) -> datetime:
    """The moment ``text`` names, as ``now`` (timezone-aware) counts time: see the module for the
    forms read. A date without a time is its first minute (``00:00``), unless ``need_time``.

    A date without a year is the next one, this year's unless that day is over. Raises
    :class:`MomentError` for text that is no date and time (``31/02/2027`` included),
    :class:`AmbiguousDateError`, :class:`TimeMissingError`, and :class:`MomentRangeError` for a
    moment before the year 1 or after 9999 once in ``now``'s zone.
    """
    cleaned = " ".join(text.split())
    shown = cleaned[:_LONGEST_TEXT]
    if len(cleaned) > _LONGEST_TEXT:
        raise MomentError(shown)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        typed = _typed(cleaned.lower(), shown, now.astimezone(zone).date(), zone, locale)
        if typed is None:
            raise MomentError(shown) from None
        if need_time and typed.tzinfo is None:
            raise TimeMissingError(shown) from None
        moment = typed
    else:
        if need_time and _date_only(cleaned):
            raise TimeMissingError(shown)
    local = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    try:
        return local.astimezone(now.tzinfo)
    except OverflowError:
        # 0001-01-01T00:00 in a zone east of UTC is in year 0, which no datetime holds.
        raise MomentRangeError(shown, early=local.year < now.year) from None


def _typed(
    text: str, shown: str, today: date, zone: tzinfo, locale: str | None
) -> datetime | None:
    """A date written with numbers (and perhaps a time) as a moment of ``zone``; a date with no
    time is naive, for the caller to tell. None when ``text`` is no such date and time."""
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    clock = time()
    if match["time"] is not None:
        typed_clock = _clock(match["time"])
        if typed_clock is None:
            return None
        clock = typed_clock
    first, second, third = match["first"], match["second"], match["third"]
    if len(first) == 4:  # the year first: 2027-1-15 18h, 2027/01/15
        found = _day(int(first), int(second), int(third)) if third and len(third) <= 2 else None
    elif len(first) > 2 or (third is not None and len(third) not in (2, 4)):
        return None
    else:
        year = None if third is None else int(third) + (2000 if len(third) == 2 else 0)
        readings = {
            "dmy": _day_in(year, int(first), int(second), today),
            "mdy": _day_in(year, int(second), int(first), today),
        }
        days = {readings[order] for order in _orders(locale)} - {None}
        day_first, month_first = readings["dmy"], readings["mdy"]
        if len(days) > 1 and day_first is not None and month_first is not None:
            raise AmbiguousDateError(shown, (day_first, month_first))
        found = days.pop() if days else None
    if found is None:
        return None
    moment = datetime.combine(found, clock)
    return moment.replace(tzinfo=zone) if match["time"] is not None else moment


def _date_only(text: str) -> bool:
    """Whether ISO ``text`` is a date without a time (``2027-01-15``)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _orders(locale: str | None) -> tuple[str, ...]:
    """The orders a date typed with the day and the month may be in, for ``locale``."""
    pattern = cldr_locale(locale).date_formats["short"].pattern.lower()
    day, month = pattern.index("d"), pattern.index("m")
    if day < month and "y" not in pattern[:day]:
        return ("dmy",)
    if month < day and "y" not in pattern[:month] and locale is not None and "-" in locale:
        return ("mdy",)
    # "en" is everybody's English, the year-first languages have no slash habit of their own.
    return ("dmy", "mdy")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_in(year: int | None, day: int, month: int, today: date) -> date | None:
    """The day ``day``/``month`` of ``year``; without a year, the next such day from ``today``
    on (29 February: the next leap year's)."""
    if year is not None:
        return _day(year, month, day)
    for candidate in range(today.year, today.year + 9):
        found = _day(candidate, month, day)
        if found is not None and found >= today:
            return found
    return None


def _clock(text: str) -> time | None:
    """A time of day typed by a person, or None."""
    match = _TIME.fullmatch(text.strip())
    if match is None or (match["mark"] is None and match["half"] is None):
        return None
    if match["mark"] == ":" and match["minute"] is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"] is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"] == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
