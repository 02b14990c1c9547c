"""The ``announcements`` section of the rule book."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.durations import Duration
from bot.ruleconf import Placeholders, TextsByLocale


class AnnouncementTexts(BaseModel):
    """What the announcements cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheduled: Annotated[str, Placeholders("id", "channel", "when")]
    too_far: Annotated[str, Placeholders("max_delay")]
    bad_when: Annotated[str, Placeholders("value")]
    """Neither a delay nor a date and time."""
    time_missing: Annotated[str, Placeholders("value")]
    """A date without the time of day (``24/12``)."""
    ambiguous_date: Annotated[str, Placeholders("value", "first", "second")]
    """A date the community's language reads two ways (``05/01/2027`` in English)."""
    in_the_past: Annotated[str, Placeholders("when")]
    too_many: Annotated[str, Placeholders("count")]
    none_pending: Annotated[str, Placeholders()]
    pending_header: Annotated[str, Placeholders()]
    pending_line: Annotated[str, Placeholders("id", "when", "channel", "text")]
    cancelled: Annotated[str, Placeholders("id")]
    unknown: Annotated[str, Placeholders("id")]
    missed: Annotated[str, Placeholders("id", "channel", "when")]
    lost: Annotated[str, Placeholders("id", "channel", "when")]
    """To the mod-log: the announcement may not have been posted (the process died, or was
    stopped, while posting it on ``when``); it is not posted again. Its text follows."""


class AnnouncementsConfig(BaseModel):
    """Limits on scheduled announcements, and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_delay: Duration = timedelta(days=90)
    max_pending: int = Field(default=25, ge=1, le=1000)
    texts: TextsByLocale[AnnouncementTexts]
