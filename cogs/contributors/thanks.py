"""Telling a thank-you: whole words or phrases, ignoring case and accents."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"\w+")
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
    """``text`` case-folded, without accents (``Mérci!`` → ``merci!``)."""
    lowered = text.lower()
    if lowered.isascii():  # most messages: lower() is casefold() here, nothing to decompose
        return lowered
    # Folding goes character by character (case folding has no context, and every combining
    # mark the decomposition leaves is dropped), and lower() changes no character's folding:
    # only the runs of other characters than ASCII need the slow path, each read once.
    return _NOT_ASCII.sub(_folded_match, lowered)


def words(text: str) -> list[str]:
    """``text`` as lower-case words without accents (``Mérci!`` → ``["merci"]``)."""
    return _WORD.findall(folded(text))


def required(literals: Iterable[str]) -> tuple[str, ...]:
    """Strings of which a text must hold one to hold any of ``literals``: the literals, less
    those holding another one (``thanks`` goes when ``thank`` is there)."""
    unique = set(literals)
    return tuple(
        sorted(word for word in unique if not any(o != word and o in word for o in unique))
    )


class ThanksDetector:
    """Finds any of the configured thanks phrases, as whole words, in a message."""

    def __init__(self, phrases: Iterable[str]) -> None:
        read = {tuple(words(phrase)) for phrase in phrases if words(phrase)}
        # A phrase is its words, each whole, one after the other whatever separates them: one
        # search of one pattern, where splitting every message into words cost several times it.
        alternatives = sorted(r"\W+".join(map(re.escape, phrase)) for phrase in read)
        self._pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
        # Most messages hold none of the phrases' longest words: a substring search each tells
        # so several times faster than the pattern.
        self._required = required(max(phrase, key=len) for phrase in read)
        self._lower_ascii = all(word.isascii() and word == word.lower() for word in self._required)
        """Whether those words are lower-case ASCII: :func:`ascii_letters` can rule them out."""

    def thanks(self, text: str) -> bool:
        """Whether ``text`` holds a thanks phrase ("Merci beaucoup !", not "mercis")."""
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
