"""``kick``: remove the member (they may come back)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.wording import Localised

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class KickConfig(ActionConfig):
    """``kick: {reason: …}``."""

    reason: Localised | None = None
    points: int = Field(default=0, ge=0, le=100)


class Kick(Action):
    """Kicks the member, telling them why first."""

    name = "kick"
    config_model = KickConfig
    order = 70

    async def run(self, config: KickConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Kick."""
        reason = self.reason(config, firing.locale) or firing.rule
        return await sanctions.kick(firing.subject.member, reason, firing.case)


ACTION = Kick()
