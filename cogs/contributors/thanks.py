"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

from collections.abc import Iterable

from bot.wholewords import WholeWords


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._words = WholeWords.of_phrases(phrases)

    def thanks(self, text: str) -> bool:
        """Whether ``text`` holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
        return self._words.found(text)
