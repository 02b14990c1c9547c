"""Telling a reaction's mood: positive, negative, or neither, from the rule book's two lists.

An emoji is compared without what only changes how it looks: the emoji presentation selector
(``❤️`` is ``❤``, as Telegram sends it) and the skin tone (``👍🏽`` is ``👍``). A Discord custom
emoji (``<:bravo:1234>``) is listed by its name between colons (``:bravo:``); a Telegram custom
emoji, which has no name, by what the bot sees of it (``custom:5368324170671202286``).

A Telegram paid reaction reaches the cogs as a star (⭐): the shipped book lists it as positive (a
member paid Telegram Stars to approve a message), as a community's own lists may or may not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Mood = Literal[1, 0, -1]
"""Positive, neither, negative."""

_LOOKS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
"""Presentation selectors and skin tones: the same emoji, drawn otherwise."""
_CUSTOM = re.compile(r"<a?(:\w+:)\d+>")
"""A Discord custom emoji as the bot sees it, its name kept."""


def emoji_key(emoji: str) -> str:
    """``emoji`` as the lists are compared: its custom name, or the emoji without its looks."""
    custom = _CUSTOM.fullmatch(emoji.strip())
    if custom is not None:
        return custom.group(1)
    return _LOOKS.sub("", emoji.strip())


class ReactionMoods:
    """Which reactions are positive, which negative; any other is neither."""

    def __init__(self, positive: Iterable[str], negative: Iterable[str]) -> None:
        self._moods: dict[str, Mood] = {emoji_key(emoji): -1 for emoji in negative}
        self._moods.update({emoji_key(emoji): 1 for emoji in positive})

    def of(self, emoji: str) -> Mood:
        """1 for a positive reaction, -1 for a negative one, 0 for any other."""
        found = self._moods.get(emoji)  # most reactions are written as listed
        return found if found is not None else self._moods.get(emoji_key(emoji), 0)
