"""The Discord adapter (discord.py): Discord servers as Jardinier communities.

``jardinier run`` calls :func:`create_platform` when ``DISCORD_TOKEN`` is set. The package's
modules: ``client`` (the gateway client, intents, shards), ``intake`` (gateway events in),
``convert`` (discord.py objects → neutral events, pure), ``adapter`` (the ``Platform`` actions),
``commands`` (slash-command payloads, pure and importable without discord.py), ``interactions``,
``buttons``, ``outgoing``, ``purge``, ``lookup`` and ``refusals``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.adapters.discord.adapter import DiscordPlatform
    from bot.state import StateStore


def create_platform(environ: Mapping[str, str], state: StateStore) -> DiscordPlatform:
    """The Discord platform for ``DISCORD_TOKEN``; ``DISCORD_SHARDS`` (``auto`` or a number)
    asks for a sharded connection."""
    from bot.adapters.discord.adapter import DiscordPlatform
    from bot.adapters.discord.client import parse_sharding

    return DiscordPlatform(
        environ["DISCORD_TOKEN"],
        state=state,
        sharding=parse_sharding(environ.get("DISCORD_SHARDS")),
    )
