"""Challenge schedules written as cron fields, and the moments people type in commands."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.durations import parse_duration
from bot.errors import JardinierError
from bot.moments import MomentRangeError, parse_date_time

CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_DIGIT = re.compile(r"\d")
_DURATION_LIKE = re.compile(r"(?:\d+[smhdjw])+", re.IGNORECASE)
"""What a duration looks like, whatever its size: one too long to read is still a duration."""
_CYCLE_START = datetime(2001, 1, 1, tzinfo=UTC)
_CYCLE_END = datetime(2401, 1, 1, tzinfo=UTC)
"""400 years: the Gregorian calendar, weekdays included, repeats. A schedule that does not come
in them never comes (and APScheduler would search up to the year 9999 to say so, ~0.3 s)."""
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_LONGEST = {month: calendar.monthrange(2000, month)[1] for month in range(1, 13)}
"""The most days each month has (February 29, in a leap year)."""
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def crontab_fields(text: str) -> dict[str, str]:
    """``"0 9 * * mon"`` as the fields of a cron trigger (``minute="0", hour="9"…``)."""
    parts = text.split()
    if len(parts) != len(CRON_FIELDS):
        raise ValueError(
            f"{text[:60]!r} is not a schedule; write five cron fields, "
            "minute hour day month weekday, e.g. '0 9 * * mon' for Mondays at 09:00"
        )
    return dict(zip(CRON_FIELDS, parts, strict=True))


def check_crontab(text: str) -> None:
    """Raise ValueError, saying what to write, unless ``text`` is a schedule we accept."""
    fields = crontab_fields(text)
    if _DIGIT.search(fields["day_of_week"]):
        # Cron dialects number weekdays differently (0 is Sunday in cron, Monday elsewhere).
        raise ValueError(
            f"write weekdays by name (mon, tue, wed, thu, fri, sat, sun), "
            f"not {fields['day_of_week']!r}: numbers mean different days in different crons"
        )
    try:
        trigger = CronTrigger(timezone="UTC", end_date=_CYCLE_END, **fields)
    except ValueError as error:
        raise ValueError(f"{text[:60]!r} is not a valid schedule: {error}") from None
    if trigger.get_next_fire_time(None, _CYCLE_START) is None:
        raise ValueError(f"{text[:60]!r} never happens: {_why_never(fields)}")


def _why_never(fields: dict[str, str]) -> str:
    """Why no date matches ``fields``, as a person would say it."""
    days = _numbers(fields["day"], {})
    months = _numbers(fields["month"], _MONTHS) if fields["month"] != "*" else set(_LONGEST)
    if (
        days
        and months
        and min(days) > max(_LONGEST[month] for month in months if month in _LONGEST)
    ):
        named = [calendar.month_name[month] for month in sorted(months)]
        which = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        ordinals = " or ".join(_ordinal(day) for day in sorted(days))
        return f"{which} {'has' if len(named) == 1 else 'have'} no {ordinals}"
    return "no date has that day of the month, month and weekday together"


def _numbers(field: str, names: dict[str, int]) -> set[int]:
    """The values of a cron field written as numbers (or names), ranges and lists; empty when it
    is written otherwise (steps, ``last``…)."""
    values: set[int] = set()
    for part in field.lower().split(","):
        first, _, last = part.partition("-")
        try:
            low = names[first] if first in names else int(first)
            high = (names[last] if last in names else int(last)) if last else low
        except ValueError:
            return set()
        values.update(range(low, high + 1))
    return values


def _ordinal(number: int) -> str:
    suffix = "th" if number % 100 in (11, 12, 13) else _SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


def parse_moment(text: str, now: datetime, zone: ZoneInfo, locale: str | None) -> datetime:
    """A moment typed in a command: a delay from now (``2h``) or a local date and time.

    Date-times are read in the community's time zone and, where written with numbers the way
    people write dates, in the order of its language (``15/01/2027 18:00`` in French,
    ``2027-01-15T18:00`` everywhere: see :mod:`bot.moments`); the result is timezone-aware UTC.
    Raises :class:`MomentError` when ``text`` is neither (an
    :class:`~bot.moments.AmbiguousDateError` for a date its language reads two ways).
    """
    cleaned = text.strip()
    delay = _duration(cleaned)
    if delay is not None:
        return _later(now, delay, cleaned)
    return parse_date_time(cleaned, now, zone, locale)


def _duration(text: str) -> timedelta | None:
    """``text`` as a duration; None if it is not one. Raises :class:`MomentRangeError` for a
    duration too long to add to any moment (``99999999999d``)."""
    try:
        return parse_duration(text)
    except JardinierError:
        if _DURATION_LIKE.fullmatch(text):
            raise MomentRangeError(text[:40], early=False) from None
        return None


def _later(start: datetime, delta: timedelta, text: str) -> datetime:
    try:
        return start + delta
    except OverflowError:
        raise MomentRangeError(text[:40], early=False) from None


def after(start: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """``duration`` after ``start``; whole days keep the local time across daylight saving.

    A challenge opened Monday 09:00 for ``6d`` closes Sunday 09:00 local, summer or winter;
    ``2h`` is two real hours.
    """
    if duration % timedelta(days=1):
        return _later(start, duration, str(duration))
    return _later(start.astimezone(zone), duration, str(duration)).astimezone(start.tzinfo)


def parse_span(text: str, start: datetime, zone: ZoneInfo, locale: str | None) -> datetime:
    """The end of a contest starting at ``start``: a duration after it, or a local date-time
    (read as :func:`parse_moment` reads it)."""
    cleaned = text.strip()
    duration = _duration(cleaned)
    if duration is not None:
        return after(start, duration, zone)
    return parse_moment(cleaned, start, zone, locale)
