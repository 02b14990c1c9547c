"""Finding the watched names in a message, and the tone of a message that names one.

Names and tone words are matched as the reports' thanks words are: each a word or a phrase,
whole, ignoring case and accents, its words one after the other whatever separates them
(:mod:`bot.wholewords`). A message that holds none of the names' longest words is ruled out by
a substring search: most messages cost that only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bot.wholewords import WholeWords

Tone = Literal["positive", "negative", "neutral"]

MAX_SCANNED = 20_000
"""Characters of a message looked at: Discord and Telegram allow 4,096 at most; a longer text
(the console, an export) is read no further, so a huge message costs as one of this size."""


class Phrases:
    """Finds any of ``phrases``, whole, in a message; with no phrase, finds nothing."""

    __slots__ = ("_words",)

    def __init__(self, phrases: Iterable[str]) -> None:
        self._words = WholeWords.of_phrases(phrases)

    def found(self, text: str) -> bool:
        """Whether ``text`` holds one of the phrases (``Jardinier``, not ``jardiniers``)."""
        return self._words.found(text[:MAX_SCANNED])


class ToneReader:
    """The tone the words of a message give it: a complaint word makes it negative, even
    beside praise ("merci pour l'arnaque"); else a praise word makes it positive."""

    __slots__ = ("_negative", "_positive")

    def __init__(self, positive: Iterable[str], negative: Iterable[str]) -> None:
        self._positive = Phrases(positive)
        self._negative = Phrases(negative)

    def tone(self, text: str) -> Tone:
        """``negative``, ``positive`` or ``neutral``."""
        if self._negative.found(text):
            return "negative"
        if self._positive.found(text):
            return "positive"
        return "neutral"
