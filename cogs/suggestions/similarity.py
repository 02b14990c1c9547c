"""Near-duplicate suggestions: difflib's ratio on text folded to plain lower-case words.

Two texts that differ in their numbers ("10 benches", "40 benches"), or where one says no and
the other does not ("do not add a fence", "add a fence"), propose different things however
alike they read: they are never near-duplicates.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple, TypeVar

T = TypeVar("T")

NEGATIONS = frozenset(
    {
        # English
        "not",
        "no",
        "never",
        "nor",
        "neither",
        "none",
        "nothing",
        "nobody",
        "nowhere",
        "without",
        "cannot",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "cant",
        "wont",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "mustnt",
        "havent",
        "hasnt",
        "hadnt",
        # French
        "ne",
        "pas",
        "jamais",
        "sans",
        "aucun",
        "aucune",
        "rien",
        "ni",
        "non",
    }
)
"""Words that turn a proposal into its opposite, as :func:`normalised` writes them."""

ELIDED_VOWELS = frozenset("aeiouyh")

_NUMBER = re.compile(r"\d+")


def normalised(text: str) -> str:
    """``Add a "Dark mode"!`` → ``add a dark mode``: case, accents and punctuation folded."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )
    return " ".join(letters.split())


def negated(words: list[str]) -> bool:
    """Whether normalised ``words`` say no: ``not``, ``jamais``…, ``don't`` (``don t``) or the
    French elided ``n'`` (``n est``)."""
    for index, word in enumerate(words):
        if word in NEGATIONS:
            return True
        previous = words[index - 1] if index else ""
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "t" and previous.endswith("n"):
            return True
        # "n" before a vowel is the French "n'"; before a digit it is a "n°".
        if word == "n" and following[:1] in ELIDED_VOWELS:
            return True
    return False


class Folded(NamedTuple):
    """A text as the comparison sees it."""

    text: str
    numbers: tuple[str, ...]
    negated: bool


def _digits(number: str) -> str:
    """``007`` and ``٧`` as ``7``: the value, written in ASCII digits."""
    return "".join(str(unicodedata.decimal(char)) for char in number).lstrip("0") or "0"


def folded(text: str) -> Folded:
    """``text`` normalised, with its numbers (in order of size) and whether it says no."""
    plain = normalised(text)
    words = plain.split()
    numbers = sorted(_digits(number) for number in _NUMBER.findall(plain))
    return Folded(plain, tuple(numbers), negated(words))


def _comparable(first: Folded, second: Folded) -> bool:
    return (
        bool(first.text and second.text)
        and first.numbers == second.numbers
        and first.negated == second.negated
    )


def similarity(first: str, second: str) -> float:
    """How alike two texts are, from 0 to 1, once normalised (difflib's ratio); 0 when they
    have no words, different numbers, or only one of them says no."""
    a, b = folded(first), folded(second)
    if not _comparable(a, b):
        return 0.0
    return difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).ratio()


def closest(text: str, candidates: Iterable[tuple[T, str]], threshold: float) -> T | None:
    """The candidate whose text is most alike ``text``, if at least ``threshold`` alike (as
    :func:`similarity` measures)."""
    wanted = folded(text)
    if not wanted.text:
        return None
    best: tuple[float, T] | None = None
    for item, other_text in candidates:
        other = folded(other_text)
        if not _comparable(wanted, other):
            continue
        matcher = difflib.SequenceMatcher(None, wanted.text, other.text, autojunk=False)
        # Both quick ratios bound the ratio from above: skip the slow work on clear misses.
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        score = matcher.ratio()
        if score >= threshold and (best is None or score > best[0]):
            best = (score, item)
    return None if best is None else best[1]
