"""Text from chats made safe to write to a terminal, or to a reader of JSON lines."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

# Characters that str.splitlines() and some JSON-lines readers take for a line's end, which
# json.dumps leaves as they are (it escapes only those below U+0020); and lone surrogates (a
# stray byte read with surrogateescape), which UTF-8 cannot encode: written as they are, they
# make the line invalid UTF-8, or the write fail. Outside a string JSON has neither.
_ESCAPED = str.maketrans(
    {code: f"\\u{code:04x}" for code in (*range(0xD800, 0xE000), 0x85, 0x2028, 0x2029)}
)


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


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON that encodes as UTF-8 and that a line reader splits only between lines:
    non-ASCII text kept as it is, except the characters a line reader may split on (NEL,
    U+2028, U+2029) and lone surrogates, escaped as ``\\uXXXX``.

    Raises ValueError for a NaN or an infinity, which JSON has no word for.
    """
    dumped = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)
    return dumped.translate(_ESCAPED)


def json_line(record: Mapping[str, Any]) -> str:
    """``record`` as one JSON object on one line, without its newline (see :func:`json_text`)."""
    return json_text(record)
