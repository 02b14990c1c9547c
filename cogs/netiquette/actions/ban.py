"""``ban``: ban the member, for good or for ``duration`` (the bot lifts a temporary ban)."""

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


class BanConfig(ActionConfig):
    """``ban: {reason: …, duration: 7d, delete_days: 1}``."""

    reason: Localised | None = None
    duration: Duration | None = None
    """A temporary ban, lifted by the bot (``null``: for good)."""
    delete_days: int = Field(default=0, ge=0, le=7)
    points: int = Field(default=0, ge=0, le=100)

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(minutes=1):
            raise RuleValueError(
                {
                    "en": "a temporary ban lasts at least 1m",
                    "fr": "un bannissement temporaire dure au moins 1m",
                }
            )
        return value


class Ban(Action):
    """Bans the member, telling them why first."""

    name = "ban"
    config_model = BanConfig
    order = 80

    async def run(self, config: BanConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Ban (and plan the unban of a temporary ban)."""
        reason = self.reason(config, firing.locale) or firing.rule
        return await sanctions.ban(
            firing.subject.member,
            reason,
            firing.case,
            delete_days=config.delete_days,
            duration=config.duration,
        )


ACTION = Ban()
