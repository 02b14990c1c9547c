"""``caps``: messages written mostly in capitals (shouting)."""

from __future__ import annotations

import string

from pydantic import Field

from bot.ruleconf.numbers import Percent
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)

_NOT_LETTERS = bytes(set(range(256)) - set(string.ascii_letters.encode()))
_NOT_CAPITALS = bytes(set(range(256)) - set(string.ascii_uppercase.encode()))
_NOT_LEADING = bytes(range(0xC0))
"""Every byte but those that start a character beyond ASCII in UTF-8."""


class CapsConfig(TriggerConfig):
    """How much shouting is too much."""

    ratio: float = Field(default=0.7, gt=0, le=1)
    """Share of the letters that are capitals, from which the trigger fires."""
    min_length: int = Field(default=10, ge=1, le=10_000)
    """Messages with fewer letters than this never fire (``OK``, ``LOL``)."""


def count_letters(text: str) -> tuple[int, int]:
    """How many letters ``text`` has, and how many of them are capitals."""
    if text.isascii():
        # Most chat is ASCII: two C-level passes instead of a Python loop per character.
        raw = text.encode("ascii")
        return len(raw.translate(None, _NOT_LETTERS)), len(raw.translate(None, _NOT_CAPITALS))
    letters = upper = 0
    for character in text:
        if character.isalpha():
            letters += 1
            if character.isupper():
                upper += 1
    return letters, upper


def plainly_quiet(text: str, ratio: float, min_length: int) -> bool:
    """Whether ``text`` surely has too few letters, or too few capitals, to fire, told from its
    ASCII letters alone: any character beyond ASCII is counted as a capital letter that might
    be there. Most messages with accents or emoji are settled so, in a few C-level passes over
    their bytes, without a Python step per character."""
    raw = text.encode("utf-8", "surrogatepass")
    letters = len(raw.translate(None, _NOT_LETTERS))
    beyond = len(raw.translate(None, _NOT_LEADING))
    if letters + beyond < min_length:
        return True
    capitals = len(raw.translate(None, _NOT_CAPITALS)) + beyond
    return letters >= min_length and capitals / letters < ratio


class Caps(Trigger):
    """Fires when at least ``ratio`` of the letters are capitals."""

    name = "caps"
    config_model = CapsConfig

    def check(self, config: CapsConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count capitals among the letters."""
        text = subject.text
        if (
            not evidence.explain
            and not text.isascii()
            and plainly_quiet(text, config.ratio, config.min_length)
        ):
            return MISSED
        letters, upper = count_letters(text)
        if letters < config.min_length:
            if not evidence.explain:
                return MISSED
            return TriggerResult.miss("caps_few_letters", letters=letters, least=config.min_length)
        share = upper / letters
        if share >= config.ratio:
            return TriggerResult.hit("caps_hit", share=Percent(share))
        if not evidence.explain:
            return MISSED
        return TriggerResult.miss("caps_miss", share=Percent(share), ratio=Percent(config.ratio))


TRIGGER = Caps()
