"""Buttons under the bot's messages: a ``discord.ui.View`` whose presses become ``ButtonPressed``.

Each button is a dynamic item: its custom id carries the neutral button id
(``jardinier:button:<id>``), so a press is recognised even after a restart, when the view that
sent it is long gone. A button sent by direct message (an answer meant for one member) is pressed
outside any server: its custom id also carries the server and the channel the answer was meant
for (``jardinier:dm:<server id>:<channel id>:<id>``), so the press is heard as one made there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import discord

from bot.platform import Button

log = logging.getLogger(__name__)

PREFIX = "jardinier:button:"
MAX_CUSTOM_ID = 100
MAX_ID = MAX_CUSTOM_ID - len(PREFIX)
MAX_LABEL = 80
MAX_BUTTONS = 25  # five rows of five
DIRECT_PREFIX = "jardinier:dm:"


@dataclass(frozen=True)
class Place:
    """Where a button sent by direct message belongs: a server's channel, by id."""

    guild_id: int
    channel_id: int

    def prefix(self) -> str:
        """The start of the custom id of a button sent for this place."""
        return f"{DIRECT_PREFIX}{self.guild_id}:{self.channel_id}:"


@runtime_checkable
class PressHandler(Protocol):
    """What the client does with a press (our Discord client implements it)."""

    async def button_pressed(self, interaction: discord.Interaction[Any], button_id: str) -> None:
        """Handle a press of the button ``button_id``."""


@runtime_checkable
class DirectPressHandler(Protocol):
    """What the client does with a press in a direct message (our client implements it)."""

    async def direct_button_pressed(
        self, interaction: discord.Interaction[Any], button_id: str, place: Place
    ) -> None:
        """Handle a press of ``button_id``, sent by direct message for ``place``."""


class JardinierButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(PREFIX) + rf"(?P<id>.{{1,{MAX_ID}}})", re.DOTALL),
):
    """A button whose press is handed to the client as the neutral button id."""

    def __init__(self, button_id: str, label: str = "") -> None:
        label = label or button_id
        if len(label) > MAX_LABEL:
            label = label[: MAX_LABEL - 1] + "…"
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=PREFIX + button_id, style=discord.ButtonStyle.secondary
            )
        )
        self.button_id = button_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> JardinierButton:
        """Rebuild the button from a press (Discord sends its custom id back)."""
        return cls(match["id"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the client."""
        client = interaction.client
        if isinstance(client, PressHandler):
            await client.button_pressed(interaction, self.button_id)


class JardinierDirectButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(
        re.escape(DIRECT_PREFIX) + r"(?P<guild>\d{1,20}):(?P<channel>\d{1,20}):(?P<id>.+)",
        re.DOTALL,
    ),
):
    """A button sent by direct message: its press is handed on with the place it belongs to."""

    def __init__(self, button_id: str, place: Place, label: str = "") -> None:
        label = label or button_id
        if len(label) > MAX_LABEL:
            label = label[: MAX_LABEL - 1] + "…"
        super().__init__(
            discord.ui.Button(
                label=label,
                custom_id=place.prefix() + button_id,
                style=discord.ButtonStyle.secondary,
            )
        )
        self.button_id = button_id
        self.place = place

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> JardinierDirectButton:
        """Rebuild the button from a press (Discord sends its custom id back)."""
        place = Place(int(match["guild"]), int(match["channel"]))
        return cls(match["id"], place, getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the press to the client, with the place it belongs to."""
        client = interaction.client
        if isinstance(client, DirectPressHandler):
            await client.direct_button_pressed(interaction, self.button_id, self.place)


def fits(button: Button, place: Place | None = None) -> bool:
    """Whether the button's id fits in Discord's custom id (with ``place``, when it has one)."""
    room = MAX_ID if place is None else MAX_CUSTOM_ID - len(place.prefix())
    return 1 <= len(button.id) <= room


def buttons_view(buttons: Sequence[Button], place: Place | None = None) -> discord.ui.View | None:
    """The view carrying ``buttons`` (at most 25), or ``None`` when there are none.

    ``place``: the server channel that buttons sent by direct message belong to.
    """
    usable = [button for button in buttons if fits(button, place)]
    if len(usable) < len(buttons):
        log.warning("buttons with ids too long for Discord's custom ids were left out")
    if len(usable) > MAX_BUTTONS:
        log.warning("a message carries at most %d buttons; the rest were left out", MAX_BUTTONS)
        usable = usable[:MAX_BUTTONS]
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for button in usable:
        view.add_item(
            JardinierButton(button.id, button.label)
            if place is None
            else JardinierDirectButton(button.id, place, button.label)
        )
    return view
