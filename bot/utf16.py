"""Text lengths as Discord and Telegram count them: in UTF-16 code units (an emoji outside the
Basic Multilingual Plane is two)."""

from __future__ import annotations


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
