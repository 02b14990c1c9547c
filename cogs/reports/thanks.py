"""Telling a thank-you in a message: one of the thanks phrases, whole, ignoring case and accents.

A phrase matches as the contributors cog matches its own (``thanks_words`` in both sections):
its words, each whole, one after the other whatever separates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.wholewords import WholeWords


class ThanksWords:
    """Finds any of the thanks words or phrases, whole, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._words = WholeWords.of_phrases(phrases)
        # The finder's own method: asked on every message, one call less than a method here.
        self.found: Callable[[str], bool] = self._words.found
        """Whether a text holds one of the phrases ("Merci !", "thank-you", not "mercis")."""
