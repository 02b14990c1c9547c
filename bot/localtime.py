"""How the bot writes a moment for people: in the community's time and language, with the zone
named.

A moment is written twice over. Texts of the rule book write it the way their language does
(:meth:`LocalTime.in_locale`): ``Mon, Dec 14, 2026, 9:21 AM (CET)``, ``lun. 14 déc. 2026, 09:21
(CET)``; a French reader takes ``12-09`` for 12 September, and no reader has to decode a month
name. Written plainly (``str()``: logs, the console's own lines), it stays the sortable
``2026-12-14 09:21 CET``.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, tzinfo

from bot.ruleconf.cldr import cldr_locale
from bot.ruleconf.numbers import LocaleValue


class LocalTime(LocaleValue, str):
    """A moment as the clocks of a zone showed it, to the minute, with the abbreviation then in
    force there: ``2026-12-01 18:00 CET`` as a plain string, each language's own way in a text
    (:meth:`in_locale`)."""

    local: datetime
    """The moment in the zone's time."""

    def __new__(cls, moment: datetime, zone: tzinfo) -> LocalTime:
        """``moment`` (timezone-aware) as the clocks in ``zone`` showed it."""
        local = moment.astimezone(zone)
        written = super().__new__(cls, local.strftime("%Y-%m-%d %H:%M %Z"))
        written.local = local
        return written

    def __reduce__(self) -> tuple[type[LocalTime], tuple[datetime, tzinfo | None]]:
        return (LocalTime, (self.local, self.local.tzinfo))

    def in_locale(self, locale: str | None) -> str:
        """``Tue, Dec 1, 2026, 6:00 PM (CET)`` in English, ``mar. 1 déc. 2026, 18:00 (CET)`` in
        French."""
        return moment_text(self.local, locale)


def local_time(moment: datetime, zone: tzinfo) -> LocalTime:
    """``moment`` (timezone-aware) as the clocks in ``zone`` showed it, to the minute, followed by
    the abbreviation in force there then: ``2026-12-01 18:00 CET``, ``2026-07-01 18:00 CEST``;
    a text of the rule book writes it in its own language (see :func:`moment_text`).

    Seconds are dropped, not rounded. The abbreviation is the one of that moment, so the hour a
    clock goes back through reads twice with two names (``02:30 CEST``, then ``02:30 CET``);
    a zone with no abbreviation shows its offset as the time zone database writes it (``-03``).
    """
    return LocalTime(moment, zone)


def moment_text(local: datetime, locale: str | None) -> str:
    """``local`` (a moment in its zone's time) as ``locale`` writes a date and time, followed by
    the zone's abbreviation: the weekday, day, month and year (``Mon, Dec 14, 2026``, ``lun. 14
    déc. 2026``), the time to the minute on the locale's clock (``9:21 AM``, ``09:21``), ``(CET)``.

    The zone is the time zone database's abbreviation, not CLDR's name of it: CLDR names Paris
    time ``UTC+1`` in French, and would not tell the two 02:30 of the night clocks go back.
    (Not cached: datetimes of one instant in two zones are equal, and would share an entry.)
    """
    from babel.dates import format_skeleton, format_time, get_datetime_format

    language = cldr_locale(locale)
    day = format_skeleton("yMMMEd", local, locale=language)
    clock = format_time(local, "short", locale=language)
    # As Babel's own format_datetime joins them: CLDR quotes the literals ("{1} 'à' {0}").
    joined = str(get_datetime_format("medium", locale=language)).replace("'", "")
    return f"{joined.replace('{0}', clock).replace('{1}', day)} ({local.strftime('%Z')})"


class LocalDate(LocaleValue, str):
    """A calendar day: ``2027-01-05`` as a plain string, ``Jan 5, 2027`` or ``5 janv. 2027`` in a
    text (:meth:`in_locale`)."""

    day: date
    """The day."""

    def __new__(cls, day: date) -> LocalDate:
        """``day`` written for people."""
        written = super().__new__(cls, day.isoformat())
        written.day = day
        return written

    def __reduce__(self) -> tuple[type[LocalDate], tuple[date]]:
        return (LocalDate, (self.day,))

    def in_locale(self, locale: str | None) -> str:
        """``Jan 5, 2027`` in English, ``5 janv. 2027`` in French."""
        return date_text(self.day, locale)


@functools.lru_cache(maxsize=1024)
def date_text(day: date, locale: str | None, skeleton: str = "yMMMd") -> str:
    """``day`` as ``locale`` writes it with the fields of a CLDR ``skeleton``: by default day,
    abbreviated month and year (``Jan 5, 2027``, ``5 janv. 2027``); ``MMMd`` leaves out the year
    (``Jan 5``, ``5 janv.``), ``MMM`` is the month alone."""
    from babel.dates import format_skeleton

    return format_skeleton(skeleton, day, locale=cldr_locale(locale))
