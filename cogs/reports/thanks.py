"""Telling a thank-you in a message: one of the thanks words, whole, ignoring case and accents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=4096)
def _folded_run(run: str) -> str:
    decomposed = unicodedata.normalize("NFKD", run.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _folded_match(match: re.Match[str]) -> str:
    return _folded_run(match.group())


def ascii_letters(text: str) -> str:
    """The ASCII characters of :func:`folded` ``text``, in lower case: a text whose folding
    holds a word of lower-case ASCII holds it here too, for a fraction of the folding's cost.

    Decomposing alone leaves of each character the ASCII its folding leaves, up to case; only
    ``ß`` and ``ẞ`` fold to more (``ss``). A test checks it for every character.
    """
    plain = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "ss"))
    return plain.encode("ascii", "ignore").decode("ascii").lower()


def folded(text: str) -> str:
    """Lower case without accents, for whole-word thanks matching."""
    lowered = text.lower()
    if lowered.isascii():  # most messages: lower() is casefold() here, nothing to decompose
        return lowered
    # Folding goes character by character (case folding has no context, and every combining
    # mark the decomposition leaves is dropped), and lower() changes no character's folding:
    # only the runs of other characters than ASCII need the slow path, each read once.
    return _NOT_ASCII.sub(_folded_match, lowered)


class ThanksWords:
    """Finds any of the thanks words (or phrases, as written), whole, in a message."""

    def __init__(self, words: Iterable[str]) -> None:
        plain = {folded(word) for word in words}
        alternatives = "|".join(re.escape(word) for word in sorted(plain))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        # A message holds one of the words if the pattern finds it; most messages hold none,
        # which a substring search each tells several times faster than the pattern.
        self._required = tuple(
            sorted(word for word in plain if not any(o != word and o in word for o in plain))
        ) or ("",)  # no word at all: the pattern is empty, and matches between two non-words
        self._lower_ascii = all(word.isascii() and word == word.lower() for word in plain)
        """Whether the words are lower-case ASCII: :func:`ascii_letters` can rule them out."""

    def found(self, text: str) -> bool:
        """Whether ``text`` holds one of the words ("Merci !", not "mercis")."""
        if text.isascii():  # most messages: lower() is folding here
            plain = text.lower()
        else:
            if self._lower_ascii:
                letters = ascii_letters(text)
                for word in self._required:
                    if word in letters:
                        break
                else:
                    return False
            plain = folded(text)
        for word in self._required:
            if word in plain:
                return self._pattern.search(plain) is not None
        return False
