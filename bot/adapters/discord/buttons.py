"""Buttons under the bot's messages: a ``discord.ui.View`` whose presses become ``ButtonPressed``.

Each button is a dynamic item: its custom id carries the neutral button id
(``jardinier:button:<id>``), so a press is recognised even after a restart, when the view that
sent it is long gone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import discord

from bot.platform import Button

log = logging.getLogger(__name__)

PREFIX = "jardinier:button:"
MAX_CUSTOM_ID = 100
MAX_ID = MAX_CUSTOM_ID - len(PREFIX)
MAX_LABEL = 80
MAX_BUTTONS = 25  # five rows of five


@runtime_checkable
class PressHandler(Protocol):
    """What the client does with a press (our Discord client implements it)."""

    async def button_pressed(self, interaction: discord.Interaction[Any], button_id: str) -> None:
        """Handle a press of the button ``button_id``."""


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


def fits(button: Button) -> bool:
    """Whether the button's id fits in Discord's custom id."""
    return 1 <= len(button.id) <= MAX_ID


def buttons_view(buttons: Sequence[Button]) -> discord.ui.View | None:
    """The view carrying ``buttons`` (at most 25), or ``None`` when there are none."""
    usable = [button for button in buttons if fits(button)]
    if len(usable) < len(buttons):
        log.warning("buttons with ids longer than %d characters were left out", MAX_ID)
    if len(usable) > MAX_BUTTONS:
        log.warning("a message carries at most %d buttons; the rest were left out", MAX_BUTTONS)
        usable = usable[:MAX_BUTTONS]
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for button in usable:
        view.add_item(JardinierButton(button.id, button.label))
    return view
