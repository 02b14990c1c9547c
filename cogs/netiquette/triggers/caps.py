"""``caps``: messages written mostly in capitals (shouting)."""

from __future__ import annotations

import re
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

_CLASSES = bytes(
    ord("A")
    if chr(code) in string.ascii_uppercase
    else ord("a")
    if chr(code) in string.ascii_lowercase
    else ord("+")
    if code >= 0xC0  # starts a character beyond ASCII in UTF-8
    else ord(" ")
    for code in range(256)
)
"""Each byte's class: a capital ``A``, a small letter ``a``, the first byte of a character beyond
ASCII ``+``, anything else a space. One pass maps a text's bytes; counting each class is C."""


_NOT_WRITTEN = re.compile(
    r"<a?:\w{1,32}:\d{1,20}>|<[@#][!&]?\d{1,20}>|:[\w+-]{1,32}:|https?://\S{1,2000}"
)
"""What a member does not type in capitals: Discord's custom emoji (``<:KEKW:123>``) and
mentions, emoji shortcodes (``:POGGERS:``), addresses (a video's ``DQW4W9WGXCQ``). Bounded,
without nesting: linear on any text."""


def written(text: str) -> str:
    """``text`` without what its author did not write in their own letters."""
    if ":" not in text and "<" not in text:
        return text
    return _NOT_WRITTEN.sub(" ", text)


class CapsConfig(TriggerConfig):
    """How much shouting is too much."""

    ratio: float = Field(default=0.7, gt=0, le=1)
    """Share of the letters that are capitals, from which the trigger fires."""
    min_length: int = Field(default=10, ge=1, le=10_000)
    """Messages with fewer letters than this never fire (``OK``, ``LOL``)."""


def count_letters(text: str) -> tuple[int, int]:
    """How many letters ``text`` has, and how many of them are capitals."""
    if text.isascii():
        # Most chat is ASCII: C-level passes instead of a Python loop per character.
        classes = text.encode("ascii").translate(_CLASSES)
        upper = classes.count(b"A")
        return classes.count(b"a") + upper, upper
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
    classes = text.encode("utf-8", "surrogatepass").translate(_CLASSES)
    upper = classes.count(b"A")
    letters = classes.count(b"a") + upper
    beyond = classes.count(b"+")
    if letters + beyond < min_length:
        return True
    return letters >= min_length and (upper + beyond) / letters < ratio


class Caps(Trigger):
    """Fires when at least ``ratio`` of the letters are capitals."""

    name = "caps"
    config_model = CapsConfig

    def check(self, config: CapsConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count capitals among the letters the member wrote."""
        text = subject.text
        if (
            not evidence.explain
            and not text.isascii()
            and plainly_quiet(text, config.ratio, config.min_length)
        ):
            return MISSED
        letters, upper = count_letters(text)
        if letters >= config.min_length and upper >= config.ratio * letters:
            # Shouting, as typed: unless it is only in emoji names, shortcodes or addresses
            # (looked for only then: most messages are not shouting).
            shown = written(text)
            if shown is not text:
                letters, upper = count_letters(shown)
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
