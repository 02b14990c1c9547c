"""Locale codes (``en``, ``fr``, ``fr-CA``) as used to key the texts of a rule book section."""

from __future__ import annotations

import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator

from bot.ruleconf.errors import RuleValueError
from bot.ruleconf.plurals import bind_locales

LOCALE_PATTERN = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


def check_locale(value: str) -> str:
    """Return ``value`` if it is a locale code (``en``, ``fr-CA``); raise ValueError (a
    :class:`~bot.ruleconf.errors.RuleValueError`, in English and French) if not."""
    if not LOCALE_PATTERN.fullmatch(value):
        raise RuleValueError(
            {
                "en": f"{value[:40]!r} is not a locale; write a language code such as en, fr "
                "or fr-CA",
                "fr": f"{value[:40]!r} n'est pas une langue ; écrivez un code de langue comme "
                "en, fr ou fr-CA",
            }
        )
    return value


Locale = Annotated[str, AfterValidator(check_locale)]
"""A pydantic field type for a locale code: a language, optionally ``-`` and a region."""

TextsModel = TypeVar("TextsModel")

TextsByLocale = Annotated[dict[Locale, TextsModel], AfterValidator(bind_locales)]
"""A section's ``texts``: one texts model per locale, e.g. ``TextsByLocale[WelcomeTexts]``.

Each text knows its locale once validated (its plural forms follow that language's rules).

The rule book requires the community's locale to be present in every enabled section's texts.
"""
