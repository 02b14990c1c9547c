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


class MomentError(ValueError):
    """Text that is neither a duration nor a date-time; the message is the text."""


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
    try:
        return now + parse_duration(cleaned)
    except JardinierError:
        pass
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise MomentError(cleaned[:40]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(now.tzinfo)


def after(start: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """``duration`` after ``start``; whole days keep the local time across daylight saving.

    A challenge opened Monday 09:00 for ``6d`` closes Sunday 09:00 local, summer or winter;
    ``2h`` is two real hours.
    """
    if duration % timedelta(days=1):
        return start + duration
    return (start.astimezone(zone) + duration).astimezone(start.tzinfo)


def parse_span(text: str, start: datetime, zone: ZoneInfo) -> datetime:
    """The end of a contest starting at ``start``: a duration after it, or a local date-time."""
    cleaned = text.strip()
    try:
        return after(start, parse_duration(cleaned), zone)
    except JardinierError:
        pass
    return parse_moment(cleaned, start, zone)


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` as people read it in ``zone``: ``2026-12-01 18:00 CET``."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def duration_words(delta: timedelta) -> str:
    """A short rounded duration for texts: ``1h``, ``2d3h``, ``45m``."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        days, rest = divmod(seconds, 86400)
        hours = rest // 3600
        return f"{days}d{hours}h" if hours else f"{days}d"
    if seconds >= 3600:
        hours, rest = divmod(seconds, 3600)
        minutes = rest // 60
        return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
    return f"{max(1, seconds // 60)}m"
