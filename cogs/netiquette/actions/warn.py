"""``warn``: a formal warning, with a reason and strike points (1 by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.wording import Localised

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class WarnConfig(ActionConfig):
    """``warn: {reason: …, points: 1}``."""

    reason: Localised | None = None
    points: int = Field(default=1, ge=0, le=100)


class Warn(Action):
    """Tells the member they are warned (privately, else in the channel)."""

    name = "warn"
    config_model = WarnConfig
    order = 40

    async def run(self, config: WarnConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Notify the member of the warning."""
        reason = self.reason(config, firing.locale) or firing.rule
        await sanctions.notify_warned(
            firing.subject.member, reason, firing.case.id, firing.subject.channel
        )
        return None


ACTION = Warn()
