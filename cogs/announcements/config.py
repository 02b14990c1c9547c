"""The ``announcements`` section of the rule book."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from bot.durations import Duration
from bot.ruleconf import TextsByLocale, template


class AnnouncementTexts(BaseModel):
    """What the announcements cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheduled: template("id", "channel", "when")
    too_far: template("max_delay")
    too_many: template("count")
    none_pending: template()
    pending_header: template()
    pending_line: template("id", "when", "channel", "text")
    cancelled: template("id")
    unknown: template("id")
    missed: template("id", "channel", "when")


class AnnouncementsConfig(BaseModel):
    """Limits on scheduled announcements, and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_delay: Duration = timedelta(days=90)
    max_pending: int = Field(default=25, ge=1, le=1000)
    texts: TextsByLocale[AnnouncementTexts]
