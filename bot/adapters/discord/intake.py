"""Gateway events in: converted to neutral events and fed to the core.

Slash commands are deferred the moment they arrive (Discord wants an answer within 3 seconds;
moderators' commands are deferred privately), then handed to the core as ``CommandInvoked``
whose ``message`` stands for the interaction. Button presses are deferred the same way.
Autocomplete requests are answered here, from the command declarations.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import discord

from bot.adapters.discord import convert
from bot.adapters.discord.buttons import Place
from bot.adapters.discord.commands import suggestions
from bot.adapters.discord.interactions import PendingInteractions
from bot.adapters.discord.lookup import find_member
from bot.adapters.discord.refusals import Attempt, refusals
from bot.commands.spec import CommandSpec, Permission
from bot.events import Event
from bot.platform import EventSink, PlatformError

log = logging.getLogger(__name__)


class EventIntake:
    """Receives every gateway event from the client and feeds the neutral ones to the sink."""

    def __init__(
        self,
        pending: PendingInteractions,
        on_login: Callable[[], Awaitable[None]],
    ) -> None:
        self.pending = pending
        self.sink: EventSink | None = None
        self.specs: Mapping[str, CommandSpec] = {}
        self.client: discord.Client | None = None
        self._on_login = on_login

    async def _feed(self, event: Event | None) -> None:
        if event is None:
            return
        if self.sink is None:
            log.debug("no sink yet; %s dropped", type(event).__name__)
            return
        await self.sink(event)

    def _is_me(self, user_id: int) -> bool:
        me = self.client.user if self.client is not None else None
        return me is not None and me.id == user_id

    def _guild(self, guild_id: int | None) -> discord.Guild | None:
        if guild_id is None or self.client is None:
            return None
        return self.client.get_guild(guild_id)

    # -- the gateway listener -----------------------------------------------------------------

    async def logged_in(self) -> None:
        """Logged in: publish the commands that waited for the application id."""
        await self._on_login()

    async def message(self, message: discord.Message) -> None:
        """A member's post (the bot's own are not events)."""
        if not self._is_me(message.author.id):
            await self._feed(convert.message_created(message))

    async def message_edit(self, update: discord.RawMessageUpdateEvent) -> None:
        """A member's edit."""
        if not self._is_me(update.message.author.id):
            await self._feed(convert.message_edited(update, discord.utils.utcnow()))

    async def message_delete(self, deletion: discord.RawMessageDeleteEvent) -> None:
        """A deletion, by anyone."""
        guild = self._guild(deletion.guild_id)
        await self._feed(convert.message_deleted(deletion, guild, discord.utils.utcnow()))

    async def bulk_message_delete(self, deletion: discord.RawBulkMessageDeleteEvent) -> None:
        """A purge: one event per message."""
        guild = self._guild(deletion.guild_id)
        for event in convert.messages_deleted(deletion, guild, discord.utils.utcnow()):
            await self._feed(event)

    async def member_join(self, member: discord.Member) -> None:
        """Someone joined (the bot joining a server is not a member event)."""
        if not self._is_me(member.id):
            await self._feed(convert.member_joined(member, discord.utils.utcnow()))

    async def member_remove(self, removal: discord.RawMemberRemoveEvent) -> None:
        """Someone left, was kicked or was banned."""
        if not self._is_me(removal.user.id):
            guild = self._guild(removal.guild_id)
            await self._feed(convert.member_left(removal, guild, discord.utils.utcnow()))

    async def reaction(self, action: discord.RawReactionActionEvent) -> None:
        """A member's reaction (the bot's own are not events)."""
        if not self._is_me(action.user_id):
            guild = self._guild(action.guild_id)
            await self._feed(convert.reaction(action, guild, discord.utils.utcnow()))

    async def interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Slash commands and autocomplete; button presses come through the buttons."""
        if interaction.type is discord.InteractionType.application_command:
            await self._command(interaction)
        elif interaction.type is discord.InteractionType.autocomplete:
            await self._autocomplete(interaction)

    async def button_pressed(self, interaction: discord.Interaction[Any], button_id: str) -> None:
        """Acknowledge the press at once, then hand it to the core."""
        if not await self._acknowledge(interaction, ephemeral=False, what=f"button {button_id}"):
            return
        event = convert.button_pressed(interaction, button_id)
        if event is not None:
            self.pending.add_press(interaction)
            await self._feed(event)

    async def direct_button_pressed(
        self, interaction: discord.Interaction[Any], button_id: str, place: Place
    ) -> None:
        """A press in a direct message: heard as one by the member in the server it belongs
        to; dropped (logged) when the bot left that server or the member did."""
        if not await self._acknowledge(interaction, ephemeral=False, what=f"button {button_id}"):
            return
        guild = self._guild(place.guild_id)
        if guild is None:
            log.info(
                "button %s pressed in a direct message for server %s, which the bot is not in",
                button_id,
                place.guild_id,
            )
            return
        try:
            member = await find_member(guild, str(interaction.user.id))
        except PlatformError as error:
            log.warning("button %s pressed in a direct message dropped: %s", button_id, error)
            return
        if member is None:
            log.info(
                "button %s pressed in a direct message by %s, no longer a member of %s: dropped",
                button_id,
                interaction.user.id,
                guild.id,
            )
            return
        event = convert.direct_button_pressed(interaction, button_id, member, place.channel_id)
        if event is not None:
            self.pending.add_press(interaction, str(place.channel_id))
            await self._feed(event)

    # -- slash commands -----------------------------------------------------------------------

    async def _command(self, interaction: discord.Interaction[Any]) -> None:
        data: Mapping[str, Any] = interaction.data or {}
        name = str(data.get("name", ""))
        spec = self.specs.get(name)
        # Moderators' answers are private; so is the refusal of a command nobody knows.
        ephemeral = spec is None or spec.permission is Permission.MODERATOR
        if not await self._acknowledge(interaction, ephemeral=ephemeral, what=f"/{name}"):
            return
        event = convert.command_invoked(interaction, spec)
        if event is None:
            return
        pending = self.pending.add_command(interaction, ephemeral=ephemeral)
        try:
            await self._feed(event)
        finally:
            if not pending.resolved:
                # Nothing was said: take the "thinking…" placeholder away.
                pending.resolved = True
                await self._quietly(interaction.delete_original_response(), "placeholder")

    async def _acknowledge(
        self, interaction: discord.Interaction[Any], *, ephemeral: bool, what: str
    ) -> bool:
        channel = getattr(interaction.channel, "name", None) or interaction.channel_id
        try:
            with refusals(Attempt("answer", where=f"#{channel}")):
                # A slash command shows "thinking…"; a button press shows nothing.
                await interaction.response.defer(ephemeral=ephemeral)
        except PlatformError as error:
            log.warning("could not acknowledge %s: %s", what, error)
            return False
        return True

    async def _autocomplete(self, interaction: discord.Interaction[Any]) -> None:
        focused = convert.focused_option(interaction)
        offered: list[str] = []
        if focused is not None:
            command, option_name, typed = focused
            spec = self.specs.get(command)
            for option in spec.options if spec else ():
                if option.name == option_name:
                    # The member's own language: they type the units, whatever the community's.
                    offered = suggestions(option, typed, str(interaction.locale))
        choices = [discord.app_commands.Choice(name=text, value=text) for text in offered]
        await self._quietly(interaction.response.autocomplete(choices), "suggestions")

    @staticmethod
    async def _quietly(call: Awaitable[object], what: str) -> None:
        # Best effort: the member already got (or will get) an answer either way.
        try:
            await call
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as error:
            log.info("could not send the %s: %s", what, error)
