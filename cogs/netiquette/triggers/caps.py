"""``caps``: messages written mostly in capitals (shouting)."""

from __future__ import annotations

import string

from pydantic import Field

from bot.ruleconf.numbers import Percent
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import Evidence, Trigger, TriggerConfig, TriggerResult

_NOT_LETTERS = bytes(set(range(128)) - set(string.ascii_letters.encode()))
_NOT_CAPITALS = bytes(set(range(128)) - set(string.ascii_uppercase.encode()))


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


class Caps(Trigger):
    """Fires when at least ``ratio`` of the letters are capitals."""

    name = "caps"
    config_model = CapsConfig

    def check(self, config: CapsConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count capitals among the letters."""
        letters, upper = count_letters(subject.text)
        if letters < config.min_length:
            return TriggerResult.miss("caps_few_letters", letters=letters, least=config.min_length)
        share = Percent(upper / letters)
        if share >= config.ratio:
            return TriggerResult.hit("caps_hit", share=share)
        return TriggerResult.miss("caps_miss", share=share, ratio=Percent(config.ratio))


TRIGGER = Caps()
