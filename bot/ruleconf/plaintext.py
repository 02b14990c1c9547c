"""Members' words as the bot writes them back: visible, on one line where a line is expected,
bounded, and never a link the bot would advertise.

A name or a text comes from a member, so it may carry a right-to-left override that turns the
rest of the bot's line around, zero-width characters, controls, or blank stand-ins that make it
look empty. Every cog writes members' words through these functions.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 64
"""The longest a name is written in a text."""
JOINERS = frozenset("\u200c\u200d")
"""The zero-width (non-)joiners: invisible, but they shape emoji sequences (👩‍🌾) and some
scripts, so they are kept between two visible characters."""
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Blank characters that are neither spaces nor format characters (the Hangul fillers, the
blank braille pattern): favourite stand-ins for an empty name or text."""


HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
"""Controls, format characters (zero-width spaces, bidi overrides…) and lone surrogates.
Unassigned code points stay: this Python's Unicode may predate an emoji (🩷, 🫨)."""
KEPT_FORMATS = frozenset("\u200e\u200f\u061c")
"""The left-to-right, right-to-left and Arabic letter marks: they order mixed-script text
rightly and, unlike the overrides, turn nothing around."""
_TAGS = range(0xE0020, 0xE0080)
"""The tag characters that spell a subdivision flag after 🏴 (England, Scotland, Wales)."""
_BLACK_FLAG = "\U0001f3f4"


def _hidden(char: str) -> bool:
    if char in FILLERS:
        return True
    return unicodedata.category(char) in HIDDEN_CATEGORIES and char not in KEPT_FORMATS


def visible(text: str) -> str:
    """``text`` without control or format characters nor blank stand-ins; its line breaks, of
    any kind, become ``\\n`` and its other spaces (tabs …) a plain space."""
    # Every character the walk below would change (a space other than " ", a line break, a
    # control, a format character, a lone surrogate) is not printable, except the fillers: a
    # text of printable characters and no filler, most texts beyond ASCII, is kept as it is.
    if text.isprintable() and (text.isascii() or FILLERS.isdisjoint(text)):
        return text
    return _walked(text)


def _walked(text: str) -> str:
    """:func:`visible`, character by character."""
    lines = []
    for line in text.splitlines():
        kept = []
        for index, char in enumerate(line):
            if char.isspace():
                kept.append(" ")
            elif char in JOINERS:
                sides = (line[index - 1 : index], line[index + 1 : index + 2])
                if all(side and not side.isspace() and not _hidden(side) for side in sides):
                    kept.append(char)
            elif ord(char) in _TAGS:
                if kept and (kept[-1] == _BLACK_FLAG or ord(kept[-1]) in _TAGS):
                    kept.append(char)
            elif not _hidden(char):
                kept.append(char)
        lines.append("".join(kept))
    return "\n".join(lines)


def has_words(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit one can see (not only emoji or symbols)."""
    return any(char.isalnum() and char not in FILLERS for char in text)


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` visible, on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(visible(text).split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def plain_name(name: str) -> str:
    """A name as texts write it: visible, on one line, not too long, never a link."""
    return unlinked(one_line(name, MAX_NAME))


_LINK_LIKE = re.compile(r"://|[\w-]\.[^\W\d_]{2,}")
"""A scheme, or a dot between a name and letters (``discord.gg``, ``t.me``, ``evil.com``)."""
WORD_JOINER = "\u2060"


def unlinked(name: str) -> str:
    """``name`` as no client turns into a link: a member named ``discord.gg/seeds`` must not be
    advertised by the bot's welcome or its top list. An invisible word joiner follows each dot
    and colon of a name that looks like an address; other names are left as they are."""
    if not _LINK_LIKE.search(name):
        return name
    return name.replace(".", "." + WORD_JOINER).replace(":", ":" + WORD_JOINER)
