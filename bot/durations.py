"""Durations written the way people write them: ``90s``, ``10m``, ``2h``, ``7d``, ``1h30m``.

``j`` (jours) is read as ``d``, as French speakers write days (``7j``); durations are always
written back with ``d``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from bot.errors import JardinierError
from bot.ruleconf.numbers import LocaleValue

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_SYNONYMS = {"j": "d"}
"""Units read as another: ``j`` (jours) is ``d``."""
_PART = re.compile(r"(\d+)([smhdjw])")
_WHOLE = re.compile(r"(?:\d+[smhdjw]){1,5}")
_LONGEST_TEXT = 40
"""Characters a duration may take: room for any number a duration in range needs, and more
digits than that are still read (and refused as too long) rather than called no duration."""
_FORMAT_UNITS = tuple(sorted(_UNITS.items(), key=lambda unit: -unit[1]))
MAX_DURATION = timedelta(weeks=5200)
"""The longest duration accepted, about 100 years: the longest the syntax allows (95,000 years)
would overflow a date once added to now."""


class DurationTooLongError(JardinierError):
    """A duration written right, but longer than allowed: at most :attr:`most`."""

    def __init__(self, text: str, most: timedelta) -> None:
        super().__init__(f"{text[:40]!r} is too long; write at most {format_duration(most)}")
        self.most = most


def parse_days(text: str) -> int:
    """A number of days, written as people write it: ``30``, or a duration of whole days
    (``30d``, ``30j``, ``2w``).

    Raises :class:`JardinierError` with the forms it takes when ``text`` is none of them (``36h``,
    not a whole number of days, included).
    """
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 9:
        return int(cleaned)
    try:
        duration = parse_duration(cleaned)
    except JardinierError:
        duration = None
    if duration is None or duration % timedelta(days=1):
        raise JardinierError(f"{text[:40]!r} is not a number of days; write 30, 30d or 30j, or 2w")
    return duration.days


def parse_duration(text: str, *, most: timedelta = MAX_DURATION) -> timedelta:
    """Parse ``10m``, ``2h``, ``7d`` (or ``7j``), ``1w`` or a combination such as ``1h30m``.

    Raises :class:`JardinierError` with an example of the expected form when ``text`` is not one,
    and :class:`DurationTooLongError` when it is longer than ``most`` (by default
    :data:`MAX_DURATION`).
    """
    cleaned = text.strip().lower()
    if len(cleaned) > _LONGEST_TEXT or not _WHOLE.fullmatch(cleaned):
        raise JardinierError(
            f"{text[:40]!r} is not a duration; "
            "write a number and a unit, e.g. 30s, 10m, 2h, 7d, 1w"
        )
    seconds = sum(int(n) * _UNITS[_SYNONYMS.get(unit, unit)] for n, unit in _PART.findall(cleaned))
    # Compared as whole seconds first: 999999999999w is no timedelta at all.
    if seconds > most.total_seconds():
        raise DurationTooLongError(text, most)
    return timedelta(seconds=seconds)


@lru_cache(maxsize=1024)  # rule windows are few and written into every trigger's detail
def format_duration(value: timedelta) -> str:
    """Write ``value`` back in the short form, e.g. ``1d2h`` (``0s`` for zero).

    Weeks only for a whole number of weeks: ``30d`` reads back as written, not as ``4w2d``.
    """
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    units = _FORMAT_UNITS if seconds % _UNITS["w"] == 0 else _FORMAT_UNITS[1:]
    for unit, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def _coerce(value: object) -> object:
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except JardinierError as exc:
            raise ValueError(str(exc)) from None
    if isinstance(value, float) and not math.isfinite(value):
        # YAML reads .inf and .nan as numbers that no int() takes.
        written = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
        raise ValueError(
            f"{written} is not a duration; write a number and a unit, e.g. 30s, 10m, 2h, 7d, 1w"
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        # pydantic turns ValueError (not TypeError) into a validation error at file:line:col.
        raise ValueError(  # noqa: TRY004
            f"write durations with a unit, e.g. {int(value)}s or {int(value)}m"
        )
    return value


Duration = Annotated[
    timedelta,
    BeforeValidator(_coerce),
    PlainSerializer(format_duration, return_type=str),
]
"""A pydantic field type for durations in the rule book (``10m``, ``2h``, ``7d``)."""


_WORD_UNITS = (
    (_UNITS["d"], "duration-day"),
    (_UNITS["h"], "duration-hour"),
    (_UNITS["m"], "duration-minute"),
    (_UNITS["s"], "duration-second"),
)
"""The units a duration is said in, largest first, by their CLDR names (weeks are said alone)."""


def duration_words(delta: timedelta, locale: str | None) -> str:
    """A duration for texts, in words of ``locale``, to its two largest units: ``1 week``,
    ``10 days``, ``1 day and 59 minutes``, ``2 jours et 3 heures``, ``40 seconds``.

    What lies below the second unit is left out: 1 day, 2 hours and 5 minutes read ``1 day and
    2 hours``. Weeks only for a whole number of weeks, as :func:`format_duration` writes them:
    ``30d`` reads ``30 days``. Less than a second reads ``1 second``; nothing at all reads
    ``0 seconds`` (a refusal quoting a zero the member typed).
    """
    from babel.lists import format_list  # Babel loads on first use
    from babel.units import format_unit

    from bot.ruleconf.cldr import cldr_locale  # imported here: the rule book imports this module

    # To the nearest second: a job run a few milliseconds late still reads ``1 hour``.
    seconds = max(0, round(delta.total_seconds()))
    week = _UNITS["w"]
    parts: list[tuple[int, str]] = []
    if seconds and seconds % week == 0:
        parts.append((seconds // week, "duration-week"))
        seconds = 0
    for size, unit in _WORD_UNITS:
        count, seconds = divmod(seconds, size)
        if count and len(parts) < 2:
            parts.append((count, unit))
    language = cldr_locale(locale)
    words = [
        format_unit(count, unit, length="long", locale=language) for count, unit in parts
    ] or [
        format_unit(int(delta > timedelta(0)), "duration-second", length="long", locale=language)
    ]
    return format_list(words, locale=language)


@dataclass(frozen=True)
class SpokenDuration(LocaleValue):
    """A duration a text says in words of its own language (see :func:`duration_words`):
    ``{within}`` reads ``10 seconds`` in English and ``10 secondes`` in French, where
    :func:`format_duration` would write ``10s``, and ``7d`` in every language."""

    value: timedelta

    def __str__(self) -> str:
        return duration_words(self.value, None)

    def in_locale(self, locale: str | None) -> str:
        """The duration in words of ``locale``: ``1 week``, ``1 semaine``."""
        return duration_words(self.value, locale)
