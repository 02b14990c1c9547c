"""Telling a thank-you in a message: one of the thanks words, whole, ignoring case and accents."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.wholewords import WholeWords, folded, required


class ThanksWords:
    """Finds any of the thanks words (or phrases, as written), whole, in a message."""

    def __init__(self, words: Iterable[str]) -> None:
        plain = {folded(word) for word in words}
        self._words = WholeWords(
            (re.escape(word) for word in sorted(plain)),
            # No word at all: the pattern is empty, and matches between two non-words.
            required(plain) or ("",),
        )

    def found(self, text: str) -> bool:
        """Whether ``text`` holds one of the words ("Merci !", not "mercis")."""
        return self._words.found(text)
