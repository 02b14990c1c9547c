"""``timeout``: silence the member for a while; the bot lifts it when it ends."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from bot.durations import Duration
from bot.ruleconf.errors import RuleValueError
from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.wording import Localised

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class TimeoutConfig(ActionConfig):
    """``timeout: {duration: 10m, reason: …}``."""

    duration: Duration = timedelta(minutes=10)
    reason: Localised | None = None
    points: int = Field(default=0, ge=0, le=100)

    @field_validator("duration")
    @classmethod
    def _sensible(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=30) <= value <= timedelta(days=28):
            raise RuleValueError(
                {
                    "en": "a timeout lasts between 30s and 28d",
                    "fr": "une exclusion temporaire dure de 30s à 28j",
                }
            )
        return value


class Timeout(Action):
    """Times the member out for ``duration``."""

    name = "timeout"
    config_model = TimeoutConfig
    order = 60

    async def run(self, config: TimeoutConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Time out, tell the member, plan the lift."""
        reason = self.reason(config, firing.locale) or firing.rule
        return await sanctions.timeout(firing.subject.member, config.duration, reason, firing.case)


ACTION = Timeout()
