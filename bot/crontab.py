"""Schedules written as cron fields, ``minute hour day month weekday``, weekdays and months by
name in English or in French: ``0 9 * * lun`` is ``0 9 * * mon``, every Monday at 09:00.

APScheduler's ``CronTrigger`` reads English three-letter names only (``mon``…``sun``,
``jan``…``dec``): the names people write (``lundi``, ``lun.``, ``Monday``, ``févr``) are
translated before it reads them. A schedule it refuses is said in English and in French, naming
the field to fix.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BeforeValidator

from bot.ruleconf.errors import RuleValueError

CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""APScheduler's weekday names, Monday first."""
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
"""APScheduler's month names, January first."""
_LANGUAGES = ("en", "fr")
"""The languages whose names a schedule may use."""
_WORD = re.compile(r"(?<!\w)[^\W\d_]+\.?(?!\w)")
"""A name in a field, a trailing dot included (``lun.``)."""
_DIGIT = re.compile(r"\d")
_NAMED_STEP = re.compile(r"([^\W\d_]+\.?)(?:-([^\W\d_]+\.?))?/(\d+)")
"""A step over names (``lun-ven/2``, ``janv/3``), which APScheduler would read without its step."""
_CYCLE_START = datetime(2001, 1, 1, tzinfo=UTC)
_CYCLE_END = datetime(2401, 1, 1, tzinfo=UTC)
"""400 years: the Gregorian calendar, weekdays included, repeats. A schedule that does not come
in them never comes (and APScheduler would search up to the year 9999 to say so, ~0.3 s)."""
_LONGEST = {month: calendar.monthrange(2000, month)[1] for month in range(1, 13)}
"""The most days each month has (February 29, in a leap year)."""
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}

_FIELD_HELP = {
    "minute": (
        "the minute {value!r} is not one; write a number from 0 to 59, *, a list (0,30) or a "
        "step (*/15)",
        "la minute {value!r} n'en est pas une ; écrivez un nombre de 0 à 59, *, une liste (0,30) "
        "ou un pas (*/15)",
    ),
    "hour": (
        "the hour {value!r} is not one; write a number from 0 to 23, *, a list (9,18) or a "
        "range (9-17)",
        "l'heure {value!r} n'en est pas une ; écrivez un nombre de 0 à 23, *, une liste (9,18) "
        "ou une plage (9-17)",
    ),
    "day": (
        "the day {value!r} is not one; write a day of the month from 1 to 31, *, a list "
        "(1,15) or last",
        "le jour {value!r} n'en est pas un ; écrivez un jour du mois de 1 à 31, *, une liste "
        "(1,15) ou last (le dernier du mois)",
    ),
    "month": (
        "the month {value!r} is not one; write a number from 1 to 12 or a name (jan … dec), "
        "a list or a range",
        "le mois {value!r} n'en est pas un ; écrivez un nombre de 1 à 12 ou un nom (janv … déc), "
        "une liste ou une plage",
    ),
    "day_of_week": (
        "the weekday {value!r} is not one; write a name (mon … sun), a list (mon,thu) or a "
        "range (mon-fri)",
        "le jour de la semaine {value!r} n'en est pas un ; écrivez un nom (lun … dim), une liste "
        "(lun,jeu) ou une plage (lun-ven)",
    ),
}


def _plain(word: str) -> str:
    """``word`` as names are compared: lower case, accents and a trailing dot left out."""
    decomposed = unicodedata.normalize("NFD", word.casefold().rstrip("."))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _spellings(wide: list[str], abbreviated: list[str]) -> dict[str, int]:
    """Each way of writing the names of one language: in full, abbreviated as CLDR does, and by
    the first three letters where no other name starts with them (``fev``, not ``jui``)."""
    found: dict[str, int] = {}
    for index, (full, short) in enumerate(zip(wide, abbreviated, strict=True)):
        found[_plain(full)] = index
        found[_plain(short)] = index
    prefixes: dict[str, set[int]] = {}
    for index, full in enumerate(wide):
        prefixes.setdefault(_plain(full)[:3], set()).add(index)
    for prefix, indices in prefixes.items():
        if len(indices) == 1:
            found.setdefault(prefix, indices.pop())
    return found


@functools.cache
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """Every spelling of a weekday and of a month, in each language, to APScheduler's name."""
    from babel.dates import get_day_names, get_month_names  # Babel loads on first use

    weekdays: dict[str, str] = {name: name for name in WEEKDAYS}
    months: dict[str, str] = {name: name for name in MONTHS}
    for language in _LANGUAGES:
        days = [get_day_names(width, locale=language) for width in ("wide", "abbreviated")]
        named = _spellings(*([str(names[day]) for day in range(7)] for names in days))
        weekdays.update({spelling: WEEKDAYS[day] for spelling, day in named.items()})
        moons = [get_month_names(width, locale=language) for width in ("wide", "abbreviated")]
        named = _spellings(*([str(names[month]) for month in range(1, 13)] for names in moons))
        months.update({spelling: MONTHS[month] for spelling, month in named.items()})
    return weekdays, months


def english_weekday(name: str) -> str | None:
    """APScheduler's name of the weekday ``name`` (``lundi``, ``Lun.``, ``monday``: ``mon``);
    None when it names none."""
    return _names()[0].get(_plain(name))


def english_names(field: str, value: str) -> str:
    """``value`` of the cron ``field`` with its names as APScheduler reads them: ``lun-ven``
    is ``mon-fri``, ``janv,juil`` is ``jan,jul``. A word that names nothing is left as written,
    for the check to say so."""
    weekdays, months = _names()
    order: tuple[str, ...]
    if field == "day_of_week":
        names, order = weekdays, WEEKDAYS
    elif field == "month":
        names, order = months, MONTHS
    else:
        return value
    value = ",".join(_stepped(part, names, order) for part in value.split(","))
    return _WORD.sub(lambda word: names.get(_plain(word[0]), word[0]), value)


def _stepped(part: str, names: dict[str, str], order: tuple[str, ...]) -> str:
    """``part`` of a field with a step over names written as the names it takes: ``mon-fri/2``
    is ``mon,wed,fri``, ``tue/2`` is ``tue,thu,sat`` (as cron reads them). APScheduler takes a
    step only over numbers: over names it would drop it silently and run on every one."""
    stepped = _NAMED_STEP.fullmatch(part.strip())
    if stepped is None:
        return part
    first = names.get(_plain(stepped[1]))
    last = names.get(_plain(stepped[2])) if stepped[2] else order[-1]
    step = int(stepped[3])
    if first is None or last is None or step == 0 or order.index(first) > order.index(last):
        return part  # left as written, for the check to refuse it
    return ",".join(order[order.index(first) : order.index(last) + 1 : step])


def crontab_fields(text: str) -> dict[str, str]:
    """``"0 9 * * lun"`` as the fields of a cron trigger (``minute="0", hour="9"…,
    day_of_week="mon"``), names translated (see :func:`english_names`)."""
    parts = text.split()
    if len(parts) != len(CRON_FIELDS):
        raise RuleValueError(
            {
                "en": f"{text[:60]!r} is not a schedule; write five cron fields, "
                "minute hour day month weekday, e.g. '0 9 * * mon' for Mondays at 09:00",
                "fr": f"{text[:60]!r} n'est pas une planification ; écrivez cinq champs cron, "
                "minute heure jour mois jour-de-la-semaine, par ex. '0 9 * * lun' pour le lundi "
                "à 09:00",
            }
        )
    return {
        field: english_names(field, part) for field, part in zip(CRON_FIELDS, parts, strict=True)
    }


def check_crontab(text: str) -> None:
    """Raise :class:`~bot.ruleconf.errors.RuleValueError` (a ValueError), saying what to write,
    unless ``text`` is a schedule we accept."""
    fields = crontab_fields(text)
    written = dict(zip(CRON_FIELDS, text.split(), strict=True))
    if _DIGIT.search(fields["day_of_week"]):
        # Cron dialects number weekdays differently (0 is Sunday in cron, Monday elsewhere).
        weekday = written["day_of_week"]
        raise RuleValueError(
            {
                "en": f"write weekdays by name (mon, tue, wed, thu, fri, sat, sun), "
                f"not {weekday!r}: numbers mean different days in different crons",
                "fr": f"écrivez les jours de la semaine par leur nom (lun, mar, mer, jeu, ven, "
                f"sam, dim), pas {weekday!r} : les numéros désignent des jours différents selon "
                "les crons",
            }
        )
    try:
        trigger = CronTrigger(timezone="UTC", end_date=_CYCLE_END, **fields)
    except ValueError as error:
        raise RuleValueError(_invalid(text, fields, written, error)) from None
    if trigger.get_next_fire_time(None, _CYCLE_START) is None:
        english, french = _why_never(fields)
        raise RuleValueError(
            {
                "en": f"{text[:60]!r} never happens: {english}",
                "fr": f"{text[:60]!r} n'arrive jamais : {french}",
            }
        )


def _invalid(
    text: str, fields: dict[str, str], written: dict[str, str], error: ValueError
) -> dict[str, str]:
    """Why APScheduler refused ``fields``, naming the first field it refuses on its own."""
    for field in CRON_FIELDS:
        try:
            CronTrigger(timezone="UTC", **{field: fields[field]})
        except ValueError:
            english, french = (
                words.format(value=written[field][:40]) for words in _FIELD_HELP[field]
            )
            break
    else:  # only the fields together are refused
        english = french = str(error)
    return {
        "en": f"{text[:60]!r} is not a valid schedule: {english}",
        "fr": f"{text[:60]!r} n'est pas une planification valide : {french}",
    }


def _why_never(fields: dict[str, str]) -> tuple[str, str]:
    """Why no date matches ``fields``, as a person would say it, in English and in French."""
    from babel.dates import get_month_names  # Babel loads on first use

    days = _numbers(fields["day"], {})
    numbered = {name: number for number, name in enumerate(MONTHS, start=1)}
    months = _numbers(fields["month"], numbered) if fields["month"] != "*" else set(_LONGEST)
    if (
        days
        and months
        and min(days) > max(_LONGEST[month] for month in months if month in _LONGEST)
    ):
        french_names = get_month_names("wide", locale="fr")
        ordered = sorted(months)
        english = _listed([calendar.month_name[month] for month in ordered], "and")
        french = _listed([str(french_names[month]) for month in ordered], "et")
        ordinals = " or ".join(_ordinal(day) for day in sorted(days))
        numbers = " ou ".join(str(day) for day in sorted(days))
        one = len(ordered) == 1
        verb = "n'a" if one else "n'ont"
        return (
            f"{english} {'has' if one else 'have'} no {ordinals}",
            f"{french} {verb} pas de {numbers}",
        )
    return (
        "no date has that day of the month, month and weekday together",
        "aucune date n'a à la fois ce jour du mois, ce mois et ce jour de la semaine",
    )


def _listed(names: list[str], conjunction: str) -> str:
    """``April, May and June``."""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


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


def _weekday_named(value: object) -> object:
    if not isinstance(value, str):
        return value  # refused as no weekday by the Literal, as it was written
    english = english_weekday(value.strip())
    if english is None:
        raise RuleValueError(
            {
                "en": f"{value[:40]!r} is not a weekday; write mon, tue, wed, thu, fri, sat or "
                "sun (or their French names, lun … dim)",
                "fr": f"{value[:40]!r} n'est pas un jour de la semaine ; écrivez lun, mar, mer, "
                "jeu, ven, sam ou dim (ou leurs noms anglais, mon … sun)",
            }
        )
    return english


Weekday = Annotated[
    Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], BeforeValidator(_weekday_named)
]
"""A pydantic field type for the day of a weekly job: ``mon``, ``lundi``, ``lun.`` or ``Monday``
are all ``mon``."""
