"""Comparing emoji as members mean them, not as their platform draws them.

An emoji is compared without what only changes how it looks: the emoji presentation selector
(``❤️`` is ``❤``, as Telegram sends it) and the skin tone (``👍🏽`` is ``👍``: Discord's picker adds
the member's chosen tone). A Discord custom emoji (``<:bravo:1234>``) is compared by its name
between colons (``:bravo:``), as a rule book lists it.
"""

from __future__ import annotations

import re

_LOOKS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
"""Presentation selectors and skin tones: the same emoji, drawn otherwise."""
_CUSTOM = re.compile(r"<a?(:\w+:)\d+>")
"""A Discord custom emoji as the bot sees it, its name kept."""


def emoji_key(emoji: str) -> str:
    """``emoji`` as emoji are compared: its custom name, or the emoji without its looks."""
    custom = _CUSTOM.fullmatch(emoji.strip())
    if custom is not None:
        return custom.group(1)
    return _LOOKS.sub("", emoji.strip())


def same_emoji(emoji: str, other: str) -> bool:
    """Whether ``emoji`` and ``other`` are the same emoji, whatever their looks."""
    return emoji == other or emoji_key(emoji) == emoji_key(other)
