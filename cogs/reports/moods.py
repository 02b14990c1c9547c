"""Telling a reaction's mood: positive, negative, or neither, from the rule book's two lists.

An emoji is compared as :func:`bot.emojis.emoji_key` does: without what only changes how it
looks (``❤️`` is ``❤``, ``👍🏽`` is ``👍``). A Discord custom emoji (``<:bravo:1234>``) is listed
by its name between colons (``:bravo:``); a Telegram custom emoji, which has no name, by what the
bot sees of it (``custom:5368324170671202286``).

A Telegram paid reaction reaches the cogs as a star (⭐): the shipped book lists it as positive (a
member paid Telegram Stars to approve a message), as a community's own lists may or may not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bot.emojis import emoji_key

Mood = Literal[1, 0, -1]
"""Positive, neither, negative."""


class ReactionMoods:
    """Which reactions are positive, which negative; any other is neither."""

    def __init__(self, positive: Iterable[str], negative: Iterable[str]) -> None:
        self._moods: dict[str, Mood] = {emoji_key(emoji): -1 for emoji in negative}
        self._moods.update({emoji_key(emoji): 1 for emoji in positive})

    def of(self, emoji: str) -> Mood:
        """1 for a positive reaction, -1 for a negative one, 0 for any other."""
        found = self._moods.get(emoji)  # most reactions are written as listed
        return found if found is not None else self._moods.get(emoji_key(emoji), 0)
