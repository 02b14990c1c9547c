"""The moments people type in commands (challenge schedules are :mod:`bot.crontab`'s)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.durations import parse_duration
from bot.errors import JardinierError
from bot.moments import MomentRangeError, parse_date_time

_DURATION_LIKE = re.compile(r"(?:\d+[smhdjw])+", re.IGNORECASE)
"""What a duration looks like, whatever its size: one too long to read is still a duration."""


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
