"""Near-duplicate suggestions: difflib's ratio on text folded to plain lower-case words."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def normalised(text: str) -> str:
    """``Add a "Dark mode"!`` → ``add a dark mode``: case, accents and punctuation folded."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )
    return " ".join(letters.split())


def similarity(first: str, second: str) -> float:
    """How alike two texts are, from 0 to 1, once normalised (difflib's ratio)."""
    a, b = normalised(first), normalised(second)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def closest(text: str, candidates: Iterable[tuple[T, str]], threshold: float) -> T | None:
    """The candidate whose text is most alike ``text``, if at least ``threshold`` alike."""
    wanted = normalised(text)
    best: tuple[float, T] | None = None
    for item, other in candidates:
        matcher = difflib.SequenceMatcher(None, wanted, normalised(other), autojunk=False)
        # Both quick ratios bound the ratio from above: skip the slow work on clear misses.
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        score = matcher.ratio()
        if score >= threshold and (best is None or score > best[0]):
            best = (score, item)
    return None if best is None else best[1]
