"""``notify_mods``: an alert for the moderators, in their channel (the mod-log by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from bot.ruleconf.community import ChannelName
from cogs.netiquette.actions.base import Action, ActionConfig, Firing

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class NotifyModsConfig(ActionConfig):
    """``notify_mods: true`` or ``notify_mods: {channel: moderators}``."""

    channel: ChannelName | None = Field(default=None, max_length=100)
    """Where to post the alert (default: the mod-log, before the case's own line)."""


class NotifyMods(Action):
    """Alerts the moderators."""

    name = "notify_mods"
    config_model = NotifyModsConfig
    order = 90

    async def run(
        self, config: NotifyModsConfig, firing: Firing, sanctions: Sanctions
    ) -> str | None:
        """Post the alert."""
        await sanctions.alert(firing, config.channel)
        return None


ACTION = NotifyMods()
