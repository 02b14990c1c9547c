"""Slash commands and button presses waiting for the bot's answer.

Discord wants an answer to an interaction within 3 seconds, then accepts follow-ups for 15
minutes with the interaction's token. The adapter defers at once and keeps the interaction here,
so that the core's answer (``send(..., reply_to=<the command's MessageRef>)``) becomes the
interaction's follow-up. The map is bounded, and entries expire before their token does.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.adapters.discord.convert import INTERACTION_PREFIX

# Tokens live 15 minutes; stop using one a minute before.
LIFETIME = timedelta(minutes=14)
LIMIT = 1_000


@dataclass
class Pending:
    """An interaction the bot has deferred and may still answer."""

    interaction: discord.Interaction[Any]
    # Whether the "thinking…" placeholder only the member sees (Discord keeps the first
    # follow-up's visibility equal to the placeholder's).
    ephemeral: bool
    # False while the placeholder of a slash command still waits for its first follow-up.
    resolved: bool = False

    def expired(self, now: datetime) -> bool:
        """Whether the token is too old to answer with."""
        return now - self.interaction.created_at >= LIFETIME


class PendingInteractions:
    """Deferred slash commands by reference, and each member's latest button press by channel."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._commands: OrderedDict[str, Pending] = OrderedDict()
        self._presses: OrderedDict[tuple[str, str], Pending] = OrderedDict()

    def __len__(self) -> int:
        return len(self._commands) + len(self._presses)

    def add_command(self, interaction: discord.Interaction[Any], *, ephemeral: bool) -> Pending:
        """Remember a deferred slash command under ``interaction:<id>``."""
        pending = Pending(interaction, ephemeral)
        self._remember(self._commands, f"{INTERACTION_PREFIX}{interaction.id}", pending)
        return pending

    def add_press(
        self, interaction: discord.Interaction[Any], channel_id: str | None = None
    ) -> Pending:
        """Remember a deferred button press: private answers to that member can follow it.

        ``channel_id``: the channel the press counts for, when not the one it was made in (a
        button sent by direct message belongs to a server's channel).
        """
        # A press is deferred without a placeholder: every follow-up is a new message.
        pending = Pending(interaction, ephemeral=False, resolved=True)
        key = (channel_id or str(interaction.channel_id), str(interaction.user.id))
        self._presses.pop(key, None)
        self._remember(self._presses, key, pending)
        return pending

    def command(self, message_id: str, now: datetime) -> Pending | None:
        """The slash command a ``MessageRef`` id stands for, while it can still be answered."""
        return self._alive(self._commands, message_id, now)

    def press(self, channel_id: str, user_id: str, now: datetime) -> Pending | None:
        """The member's latest button press in a channel, while it can still be answered."""
        return self._alive(self._presses, (channel_id, user_id), now)

    def _remember(self, entries: OrderedDict[Any, Pending], key: Any, pending: Pending) -> None:
        entries[key] = pending
        while len(entries) > self._limit:
            entries.popitem(last=False)

    @staticmethod
    def _alive(entries: OrderedDict[Any, Pending], key: Any, now: datetime) -> Pending | None:
        pending = entries.get(key)
        if pending is None:
            return None
        if pending.expired(now):
            del entries[key]
            return None
        return pending
