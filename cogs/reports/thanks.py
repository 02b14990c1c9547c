"""Telling a thank-you in a message: one of the thanks phrases, whole, ignoring case and accents.

A phrase matches as the contributors cog matches its own (``thanks_words`` in both sections):
its words, each whole, one after the other whatever separates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.wholewords import WholeWords, required, words


class ThanksWords:
    """Finds any of the thanks words or phrases, whole, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        read = {tuple(words(phrase)) for phrase in phrases if words(phrase)}
        self._words = WholeWords(
            sorted(r"\W+".join(map(re.escape, phrase)) for phrase in read),
            # Most messages hold none of the phrases' longest words; with no phrase at all,
            # nothing is required and nothing is found.
            required(max(phrase, key=len) for phrase in read),
        )

    def found(self, text: str) -> bool:
        """Whether ``text`` holds one of the phrases ("Merci !", "thank-you", not "mercis")."""
        return self._words.found(text)
