"""The discord.py gateway client: intents, sharding, and every gateway event handed on.

The client holds no logic of its own: each event goes to a :class:`GatewayListener` (the
adapter's intake), which converts it and feeds the core.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import discord

from bot.adapters.discord.buttons import JardinierButton, JardinierDirectButton, Place
from bot.errors import JardinierError

# A rate limit longer than this raises instead of silently holding every later action back.
MAX_RATE_LIMIT_WAIT = 30.0

Sharding = int | Literal["auto"] | None


def intents() -> discord.Intents:
    """Servers, members (privileged), messages, message content (privileged) and reactions."""
    return discord.Intents(
        guilds=True, members=True, messages=True, message_content=True, reactions=True
    )


def parse_sharding(value: str | None) -> Sharding:
    """``DISCORD_SHARDS``: unset for one connection, ``auto`` or a number of shards."""
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if value == "auto":
        return "auto"
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise JardinierError(
        f"DISCORD_SHARDS must be 'auto' or a number of shards such as 2, not {value[:20]!r}"
    )


class GatewayListener(Protocol):
    """Who receives the gateway events (see :mod:`bot.adapters.discord.intake`)."""

    async def logged_in(self) -> None:
        """The client is logged in and about to connect."""

    async def message(self, message: discord.Message) -> None:
        """A message was posted."""

    async def message_edit(self, update: discord.RawMessageUpdateEvent) -> None:
        """A message was edited."""

    async def message_delete(self, deletion: discord.RawMessageDeleteEvent) -> None:
        """A message was deleted."""

    async def bulk_message_delete(self, deletion: discord.RawBulkMessageDeleteEvent) -> None:
        """Messages were deleted at once."""

    async def member_join(self, member: discord.Member) -> None:
        """Someone joined a server."""

    async def member_remove(self, removal: discord.RawMemberRemoveEvent) -> None:
        """Someone left a server."""

    async def reaction(self, action: discord.RawReactionActionEvent) -> None:
        """A reaction was added or removed."""

    async def interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A slash command or autocomplete request arrived."""

    async def button_pressed(self, interaction: discord.Interaction[Any], button_id: str) -> None:
        """One of the bot's buttons was pressed."""

    async def direct_button_pressed(
        self, interaction: discord.Interaction[Any], button_id: str, place: Place
    ) -> None:
        """One of the bot's buttons sent by direct message, for ``place``, was pressed."""


class JardinierClient(discord.Client):
    """A discord.py client that hands every event to its listener."""

    def __init__(self, listener: GatewayListener, **options: Any) -> None:
        # Jardinier never joins voice channels: the missing voice libraries are not news.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT,
            **options,
        )
        self.listener = listener

    async def setup_hook(self) -> None:
        """After login: recognise the bot's buttons, even those sent before a restart."""
        self.add_dynamic_items(JardinierButton, JardinierDirectButton)
        await self.listener.logged_in()

    async def on_message(self, message: discord.Message) -> None:
        """A message was posted."""
        await self.listener.message(message)

    async def on_raw_message_edit(self, update: discord.RawMessageUpdateEvent) -> None:
        """A message was edited (cached or not)."""
        await self.listener.message_edit(update)

    async def on_raw_message_delete(self, deletion: discord.RawMessageDeleteEvent) -> None:
        """A message was deleted (cached or not)."""
        await self.listener.message_delete(deletion)

    async def on_raw_bulk_message_delete(
        self, deletion: discord.RawBulkMessageDeleteEvent
    ) -> None:
        """Messages were deleted at once."""
        await self.listener.bulk_message_delete(deletion)

    async def on_member_join(self, member: discord.Member) -> None:
        """Someone joined a server."""
        await self.listener.member_join(member)

    async def on_raw_member_remove(self, removal: discord.RawMemberRemoveEvent) -> None:
        """Someone left a server (cached or not)."""
        await self.listener.member_remove(removal)

    async def on_raw_reaction_add(self, action: discord.RawReactionActionEvent) -> None:
        """A reaction was added."""
        await self.listener.reaction(action)

    async def on_raw_reaction_remove(self, action: discord.RawReactionActionEvent) -> None:
        """A reaction was taken back."""
        await self.listener.reaction(action)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A slash command, an autocomplete request or a component press."""
        await self.listener.interaction(interaction)

    async def button_pressed(self, interaction: discord.Interaction[Any], button_id: str) -> None:
        """A press of one of the bot's buttons (called by the button itself)."""
        await self.listener.button_pressed(interaction, button_id)

    async def direct_button_pressed(
        self, interaction: discord.Interaction[Any], button_id: str, place: Place
    ) -> None:
        """A press of one of the bot's buttons sent by direct message (called by the button)."""
        await self.listener.direct_button_pressed(interaction, button_id, place)


class ShardedJardinierClient(JardinierClient, discord.AutoShardedClient):
    """The same client over several gateway connections (large bots)."""


def build_client(listener: GatewayListener, sharding: Sharding = None) -> JardinierClient:
    """One connection, or shards (``auto``: as many as Discord recommends)."""
    if sharding is None:
        return JardinierClient(listener)
    count = None if sharding == "auto" else sharding
    return ShardedJardinierClient(listener, shard_count=count)
