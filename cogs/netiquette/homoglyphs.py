"""Look-alike characters and their plain Latin letter, from the Unicode confusables table.

The table is Unicode's ``confusables.txt`` as shipped (and kept up to date) by the
``confusable_homoglyphs`` package; nothing here is hand-made. A character maps to the ASCII
letter or digit it is confusable with (Cyrillic ``і`` → ``i``, Greek ``ο`` → ``o``), lower case
preferred; characters with no single ASCII look-alike are left alone.
"""

from __future__ import annotations

import string
from functools import cache

from confusable_homoglyphs import confusables

_LOWER = frozenset(string.ascii_lowercase)
_UPPER = frozenset(string.ascii_uppercase)
_DIGITS = frozenset(string.digits)


def _rank(candidate: str) -> int:
    if candidate in _LOWER:
        return 0
    if candidate in _UPPER:
        return 1
    return 2


@cache
def latin_lookalikes() -> dict[str, str]:
    """Every non-ASCII character with a single-character ASCII letter or digit look-alike."""
    table: dict[str, str] = {}
    for character, homoglyphs in confusables.confusables_data.items():
        if len(character) != 1 or character.isascii():
            continue
        candidates = [
            entry["c"]
            for entry in homoglyphs
            if len(entry["c"]) == 1 and entry["c"] in _LOWER | _UPPER | _DIGITS
        ]
        if candidates:
            table[character] = min(candidates, key=_rank).lower()
    return table
