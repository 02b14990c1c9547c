"""Finding words and phrases, whole, in chat text, ignoring case and accents.

Folding (:func:`folded`) is case folding, decomposition, and no combining marks. Most messages
are ASCII and hold none of the words looked for: :class:`WholeWords` tells so by a substring
search, several times faster than its pattern, before it reads the pattern at all. Several cogs
look for the same phrases in the same message (the thanks words of the reports and of the
contributors): :meth:`WholeWords.of_phrases` gives them one finder, which keeps its last answer.
"""

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


def folded(text: str) -> str:
    """``text`` case-folded, without accents (``Mérci!`` → ``merci!``)."""
    lowered = text.lower()
    if lowered.isascii():  # most messages: lower() is casefold() here, nothing to decompose
        return lowered
    # Folding goes character by character (case folding has no context, and every combining
    # mark the decomposition leaves is dropped), and lower() changes no character's folding:
    # only the runs of other characters than ASCII need the slow path, each read once.
    return _NOT_ASCII.sub(_folded_match, lowered)


def ascii_letters(text: str) -> str:
    """The ASCII characters of :func:`folded` ``text``, in lower case: a text whose folding
    holds a word of lower-case ASCII holds it here too, for a fraction of the folding's cost.

    Decomposing alone leaves of each character the ASCII its folding leaves, up to case; only
    ``ß`` and ``ẞ`` fold to more (``ss``). A test checks it for every character.
    """
    plain = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "ss"))
    return plain.encode("ascii", "ignore").decode("ascii").lower()


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


class WholeWords:
    """Finds any of ``alternatives`` (patterns on folded text), whole, in a message.

    A folded text the pattern matches holds one of the ``required`` strings: most messages
    hold none, and a substring search each rules them out.
    """

    __slots__ = ("_last_found", "_last_text", "_lower_ascii", "_pattern", "_required")

    def __init__(self, alternatives: Iterable[str], required: Iterable[str]) -> None:
        self._pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
        self._required = tuple(required)
        self._lower_ascii = all(word.isascii() and word == word.lower() for word in self._required)
        """Whether the required strings are lower-case ASCII: :func:`ascii_letters` can rule
        them out without folding."""
        self._last_text: str | None = None
        self._last_found = False
        """The last text asked about, and the answer: the listeners of one message ask about
        its very text, one after the other (a string never changes, and the one kept here
        cannot be freed and its identity given to another)."""

    def found(self, text: str) -> bool:
        """Whether ``text``, folded, holds one of the alternatives, whole."""
        if text is self._last_text:
            return self._last_found
        if text.isascii():  # most messages: lower() is folding here
            plain = text.lower()
        else:
            if self._lower_ascii:
                letters = ascii_letters(text)
                for word in self._required:
                    if word in letters:
                        break
                else:
                    self._last_text, self._last_found = text, False
                    return False
            plain = folded(text)
        for word in self._required:
            if word in plain:
                found = self._pattern.search(plain) is not None
                self._last_text, self._last_found = text, found
                return found
        self._last_text, self._last_found = text, False
        return False

    @classmethod
    def of_phrases(cls, phrases: Iterable[str]) -> WholeWords:
        """Finds any of ``phrases``: each its words, whole, one after the other whatever
        separates them (one search of one pattern, where splitting every message into words
        cost several times it). Most messages hold none of the phrases' longest words; with no
        phrase at all, nothing is required and nothing is found. The same phrases, however
        written, give the same finder (see :meth:`found`)."""
        read = frozenset(tuple(found) for found in map(words, phrases) if found)
        if cls is WholeWords:
            return _finder(read)
        return cls._of_read(read)

    @classmethod
    def _of_read(cls, read: frozenset[tuple[str, ...]]) -> WholeWords:
        return cls(
            sorted(r"\W+".join(map(re.escape, phrase)) for phrase in read),
            required(max(phrase, key=len) for phrase in read),
        )


@lru_cache(maxsize=64)
def _finder(read: frozenset[tuple[str, ...]]) -> WholeWords:
    """One finder per set of phrases (as words), for the rule books loaded lately."""
    return WholeWords._of_read(read)
