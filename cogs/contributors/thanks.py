"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.wholewords import WholeWords


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._words = WholeWords.of_phrases(phrases)
        # The finder's own method: one call less than a method here, for every reply.
        self.thanks: Callable[[str], bool] = self._words.found
        """Whether a text holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
