"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """``text`` as lower-case words without accents (``Mérci!`` → ``["merci"]``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = {tuple(words(phrase)) for phrase in phrases}
        self._phrases.discard(())
        self._longest = max((len(phrase) for phrase in self._phrases), default=0)

    def thanks(self, text: str) -> bool:
        """Whether ``text`` holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
        found = words(text)
        for start in range(len(found)):
            for length in range(1, min(self._longest, len(found) - start) + 1):
                if tuple(found[start : start + length]) in self._phrases:
                    return True
        return False
