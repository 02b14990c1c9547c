"""The ``write:`` section a cog with a write-behind buffer reads from its rule-book file: how
often its buffered rows reach the database."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, field_validator

from bot.durations import Duration
from bot.ruleconf.errors import RuleValueError


class WriteConfig(BaseModel):
    """How buffered rows reach the database: one transaction per interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flush_every: Duration = timedelta(seconds=30)

    @field_validator("flush_every")
    @classmethod
    def _sensible_interval(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=1) <= value <= timedelta(hours=1):
            raise RuleValueError(
                {
                    "en": "flush_every must be between 1s and 1h",
                    "fr": "flush_every doit être entre 1s et 1h",
                }
            )
        return value
