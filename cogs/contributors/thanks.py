"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.wholewords import WholeWords, required, words


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        read = {tuple(words(phrase)) for phrase in phrases if words(phrase)}
        # A phrase is its words, each whole, one after the other whatever separates them: one
        # search of one pattern, where splitting every message into words cost several times it.
        self._words = WholeWords(
            sorted(r"\W+".join(map(re.escape, phrase)) for phrase in read),
            # Most messages hold none of the phrases' longest words.
            required(max(phrase, key=len) for phrase in read),
        )

    def thanks(self, text: str) -> bool:
        """Whether ``text`` holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
        return self._words.found(text)
