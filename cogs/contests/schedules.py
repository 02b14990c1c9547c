"""Challenge schedules written as cron fields, and the moments people type in commands."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.durations import parse_duration
from bot.errors import JardinierError

CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
_DIGIT = re.compile(r"\d")
_DURATION_LIKE = re.compile(r"(?:\d+[smhdjw])+", re.IGNORECASE)
"""What a duration looks like, whatever its size: one too long to read is still a duration."""


class MomentError(ValueError):
    """Text that is neither a duration nor a date-time; the message is the text."""


class MomentRangeError(MomentError):
    """A duration or a date-time beyond what a moment can be (year 1 to 9999); ``early`` when
    it lies before, the message is the text."""

    def __init__(self, text: str, *, early: bool) -> None:
        super().__init__(text)
        self.early = early


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
        CronTrigger(timezone="UTC", **fields)
    except ValueError as error:
        raise ValueError(f"{text[:60]!r} is not a valid schedule: {error}") from None


def parse_moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A moment typed in a command: a delay from now (``2h``) or a local date-time.

    Date-times are read in the community's time zone (``2026-12-01T18:00`` or
    ``2026-12-01 18:00``); the result is timezone-aware UTC. Raises :class:`MomentError` when
    ``text`` is neither.
    """
    cleaned = text.strip()
    delay = _duration(cleaned)
    if delay is not None:
        return _later(now, delay, cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise MomentError(cleaned[:40]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(now.tzinfo)
    except OverflowError:
        # 0001-01-01T00:00 in a zone east of UTC is in year 0, which no datetime holds.
        raise MomentRangeError(cleaned[:40], early=moment.year < now.year) from None


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


def parse_span(text: str, start: datetime, zone: ZoneInfo) -> datetime:
    """The end of a contest starting at ``start``: a duration after it, or a local date-time."""
    cleaned = text.strip()
    duration = _duration(cleaned)
    if duration is not None:
        return after(start, duration, zone)
    return parse_moment(cleaned, start, zone)
