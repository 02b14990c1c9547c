"""Durations written the way people write them: ``90s``, ``10m``, ``2h``, ``7d``, ``1h30m``.

``j`` (jours) is read as ``d``, as French speakers write days (``7j``); durations are always
written back with ``d``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from bot.errors import JardinierError

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


def parse_duration(text: str, *, most: timedelta = MAX_DURATION) -> timedelta:
    """Parse ``10m``, ``2h``, ``7d`` (or ``7j``), ``1w`` or a combination such as ``1h30m``.

    Raises :class:`JardinierError` with an example of the expected form when ``text`` is not one,
    or when it is longer than ``most`` (by default :data:`MAX_DURATION`).
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
        raise JardinierError(f"{text[:40]!r} is too long; write at most {format_duration(most)}")
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


def duration_words(delta: timedelta, locale: str | None) -> str:
    """A rounded duration for texts, in words of ``locale``: ``2 days and 3 hours``,
    ``2 jours et 3 heures``, ``45 minutes``, ``40 seconds`` (two units at most)."""
    from babel.lists import format_list  # Babel loads on first use
    from babel.units import format_unit

    from bot.ruleconf.cldr import cldr_locale  # imported here: the rule book imports this module

    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        days, rest = divmod(seconds, 86400)
        parts = [(days, "duration-day"), (rest // 3600, "duration-hour")]
    elif seconds >= 3600:
        hours, rest = divmod(seconds, 3600)
        parts = [(hours, "duration-hour"), (rest // 60, "duration-minute")]
    elif seconds >= 60:
        parts = [(seconds // 60, "duration-minute")]
    else:
        parts = [(max(1, seconds), "duration-second")]
    language = cldr_locale(locale)
    words = [
        format_unit(count, unit, length="long", locale=language) for count, unit in parts if count
    ]
    return format_list(words, locale=language)
