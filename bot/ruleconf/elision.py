"""French elision where a value meets the word before it: « de Alice » is written « d'Alice ».

A template cannot know what its placeholders will hold: ``"Dossiers de {member}"`` must read
« Dossiers de Bob » and « Dossiers d'Alice ». French drops the vowel of ``de`` and ``que`` (and
``lorsque``, ``puisque``, ``jusque``) before a word that starts with a vowel; those are the words
texts put before a name, a community or an action. ``le`` and ``la`` are left alone: before a
placeholder they introduce a date or a number, which never elide. A value that starts with ``h``
is left alone too, as ``h`` may be aspirated (« de Hollande »); so is one that starts with a
sign (``@alice``, ``#général``, a Discord mention, a quote).
"""

from __future__ import annotations

import functools
import re

_ELIDING = re.compile(r"(?<![\w'’])(de|que|lorsque|puisque|jusque) $", re.IGNORECASE)
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
_LANGUAGES = frozenset({"fr"})
"""Languages that elide, by their code (``fr-CA`` elides as ``fr`` does)."""


@functools.lru_cache(maxsize=64)
def elides(locale: str | None) -> bool:
    """Whether texts of ``locale`` elide before a vowel."""
    return locale is not None and locale.replace("_", "-").split("-")[0].casefold() in _LANGUAGES


def elided(literal: str, value: str) -> str:
    """``literal`` (the text before a placeholder) with its last word elided before ``value``.

    ``"Dossiers de "`` before ``"Alice"`` becomes ``"Dossiers d'"``; before ``"Bob"`` it stays.
    """
    first = value[:1].casefold()
    if first not in _VOWELS or (first == "y" and _y_consonant(value)):
        return literal
    found = _ELIDING.search(literal)
    if found is None:
        return literal
    word = found.group(1)
    return literal[: found.start()] + word[:-1] + "'"


def _y_consonant(value: str) -> bool:
    """``y`` before a vowel is a consonant (« de yaourt », « de Yann »); « d'Yves » elides."""
    return len(value) > 1 and value[1].casefold() in _VOWELS
