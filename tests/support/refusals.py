"""A platform refusal as a community reads it, written with the shipped rule book's texts."""

from __future__ import annotations

from functools import cache

from bot.cogloader import section_models
from bot.platform import PlatformError
from bot.refusals import refusal_text
from bot.resources import shipped_rules_directory
from bot.ruleconf import CoreTexts, load_rule_book


@cache
def shipped_texts(locale: str) -> CoreTexts:
    """The core's texts of the shipped rule book in ``locale``."""
    book = load_rule_book(shipped_rules_directory(), section_models())
    return book.community(None).texts[locale]


def written(error: PlatformError, locale: str = "en") -> str:
    """What the mod-log says of ``error`` in ``locale``."""
    return refusal_text(error, shipped_texts(locale))
