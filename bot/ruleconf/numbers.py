"""Numbers in texts as the text's language writes them: ``0.4`` and ``50%`` in English,
``0,4`` and ``50 %`` in French.

Only fractional numbers (floats) are written the locale's way: the whole numbers in texts are
mostly identifiers (case 1234, suggestion #1050) that must read as typed, so an int keeps its
plain digits.
"""

from __future__ import annotations

import functools

from bot.ruleconf.cldr import cldr_locale

DIGITS = 2
"""Decimals a fractional number keeps in a text (trailing zeros dropped)."""


def displayed(value: float) -> float | int:
    """``value`` as a text shows it: rounded to :data:`DIGITS`, and an int when whole.

    Plural forms are chosen on this, so "1 point" follows 1.0 and "1.5 points" follows 1.5.
    """
    rounded = round(value, DIGITS)
    return int(rounded) if rounded.is_integer() else rounded


@functools.lru_cache(maxsize=4096)
def number_text(value: float, locale: str | None) -> str:
    """``value`` with the decimal separator and grouping of ``locale``."""
    from babel.numbers import format_decimal

    return format_decimal(displayed(value), format="#,##0.##", locale=cldr_locale(locale))


@functools.lru_cache(maxsize=4096)
def percent_text(
    share: float, locale: str | None, *, digits: int = 0, signed: bool = False
) -> str:
    """``share`` (0.5) as a percentage of ``locale`` (``50%``, ``50 %``), to ``digits`` decimals.

    ``signed`` writes a change: ``+12%``, ``-3%``, ``±0%``.
    """
    from babel.numbers import format_percent

    rounded = round(share, digits + 2) + 0.0  # + 0.0: a tiny fall rounds to 0, not to -0
    text = format_percent(rounded, locale=cldr_locale(locale), decimal_quantization=False)
    if signed and rounded >= 0:
        return ("+" if rounded else "±") + text
    return text


class LocaleValue:
    """A value whose text depends on the locale it is written in (see :func:`value_text`)."""

    def in_locale(self, locale: str | None) -> str:
        """The value as a text of ``locale`` writes it."""
        raise NotImplementedError


class Percent(LocaleValue, float):
    """A share (``0.7``) that texts write as a percentage of their locale (``70%``, ``70 %``)."""

    def in_locale(self, locale: str | None) -> str:
        """``70%`` in English, ``70 %`` in French."""
        return percent_text(self, locale)


def value_text(value: object, locale: str | None) -> str:
    """A placeholder's value as a text shows it: a float or a :class:`LocaleValue` the locale's
    way, the rest as ``str``."""
    if isinstance(value, LocaleValue):
        return value.in_locale(locale)
    if type(value) is float:
        return number_text(value, locale)
    return str(value)
