"""Text from chats made safe to write to a terminal."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """``text`` with every control character written as ``\\xNN``; newlines and spaces kept.

    A member's name or message may hold terminal escape sequences (a title change, a cleared
    screen, a fake prompt): they must never reach the terminal that shows it.
    """
    # Spaces are harmless, no-break ones included (French writes "50 %" with one).
    return "".join(
        char if char.isprintable() or char == "\n" or _is_space(char) else f"\\x{ord(char):02x}"
        for char in text
    )


def _is_space(char: str) -> bool:
    return unicodedata.category(char) == "Zs"
