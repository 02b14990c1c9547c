"""Characters people cannot see in their editor (a no-break space, a zero-width space, a byte
order mark), written so that an error message shows them and says how to get rid of them."""

from __future__ import annotations

import unicodedata


def _invisible(character: str) -> bool:
    # Space-like characters other than the plain space, controls, format characters (U+200B).
    return character != " " and not character.isprintable()


NO_BREAK_SPACE = "\u00a0"
"""Where French typography puts a space a line must not break at (``Merci\u00a0!``)."""


def shown(text: str, *, keep: str = "") -> str:
    """``text`` with each invisible character written as an escape: ``locale\\xa0``. Line
    breaks stay: a message may have several lines; so do the characters of ``keep`` (a
    message's own no-break spaces, where it is not the user's text)."""
    if text.isprintable():
        return text
    kept = {"\n", *keep}
    return "".join(_escaped(c) if _invisible(c) and c not in kept else c for c in text)


def _escaped(character: str) -> str:
    if character == "\t":
        return "\\t"
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def invisible_hint(text: str, language: str = "en") -> str:
    """What to do about the first invisible character of ``text``, or ``""`` when it has none:
    ``remove the invisible character U+00A0 (no-break space)``; in French with ``fr``."""
    found = next((c for c in text if _invisible(c)), None)
    if found is None or found in "\t\n\r":
        return ""
    name = unicodedata.name(found, "").lower() or unicodedata.category(found)
    if language == "fr":
        return f"supprimez le caractère invisible U+{ord(found):04X} ({name})"
    return f"remove the invisible character U+{ord(found):04X} ({name})"
