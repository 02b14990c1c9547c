"""What members type, made safe to keep and to show: invisible and direction-changing characters
removed, Markdown escaped where a text is written into Markdown (the digest)."""

from __future__ import annotations

import re
import unicodedata

from bot.ruleconf import plain_name

JOINERS = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners: invisible, but they shape emoji sequences (👩‍🌾) and some scripts,
so they are kept between two visible characters."""

FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Blank characters that are not format characters: the Hangul fillers and the blank braille
pattern, favourite stand-ins for an empty text."""

_MARKDOWN = re.compile(r"([\\`*_~|\[\]()<>#&])")
"""Characters that start Markdown (or HTML) in Discord and in a Markdown file: emphasis, code,
spoilers, masked links, tags, entities, headings."""


def _shown(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cf") and char not in FILLERS


def visible(text: str) -> str:
    """``text`` on one line without control or format characters (zero-width spaces, the
    right-to-left override …), its whitespace collapsed to single spaces."""
    flat = " ".join(text.split())
    kept = []
    for index, char in enumerate(flat):
        if char in JOINERS:
            before, after = flat[index - 1 : index], flat[index + 1 : index + 2]
            if before.strip() and after.strip() and _shown(before) and _shown(after):
                kept.append(char)
        elif _shown(char):
            kept.append(char)
    return " ".join("".join(kept).split())


def has_words(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit one can see (not only emoji or symbols)."""
    return any(char.isalnum() and char not in FILLERS for char in text)


def markdown_escaped(text: str) -> str:
    """``text`` as Markdown shows it as typed: ``**x**`` stays two stars, ``[x](link)`` is no
    masked link, ``<b>`` no tag."""
    return _MARKDOWN.sub(r"\\\1", text)


def shown_name(name: str) -> str:
    """A member's name as the bot writes it: visible characters only, on one line, not too
    long, never a link."""
    return plain_name(visible(name)) or "?"
