"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """``text`` as lower-case words without accents (``Mérci!`` → ``["merci"]``)."""
    if text.isascii():  # most messages: nothing to decompose, and lower() is casefold() here
        return _WORD.findall(text.lower())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        read = {tuple(words(phrase)) for phrase in phrases}
        # One-word phrases are found with one set operation; longer ones by their first word.
        self._words = {phrase[0] for phrase in read if len(phrase) == 1}
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(read):
            if len(phrase) > 1:
                self._phrases.setdefault(phrase[0], []).append(phrase)

    def thanks(self, text: str) -> bool:
        """Whether ``text`` holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
        found = words(text)
        if not self._words.isdisjoint(found):
            return True
        for start, word in enumerate(found):
            for phrase in self._phrases.get(word, ()):
                if tuple(found[start : start + len(phrase)]) == phrase:
                    return True
        return False
