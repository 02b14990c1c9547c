"""``flood``: a member posting N messages within T (in any channel of the community)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.durations import SpokenDuration
from cogs.netiquette.activity import PER_MEMBER, WindowDuration
from cogs.netiquette.subject import Subject, SubjectKind
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)


class FloodConfig(TriggerConfig):
    """How fast is too fast."""

    messages: int = Field(default=6, ge=2, le=PER_MEMBER)
    within: WindowDuration = timedelta(seconds=10)


class Flood(Trigger):
    """Fires on the message that makes ``messages`` within ``within``."""

    name = "flood"
    config_model = FloodConfig
    kinds: ClassVar[frozenset[SubjectKind]] = frozenset({"message"})

    def check(self, config: FloodConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count the member's messages in the window, this one included."""
        recent = subject.recent
        since = subject.at - config.within
        count = (
            recent.count_after(since)
            if recent is not None
            else evidence.activity.count_since(subject.community, subject.member.user.id, since)
        ) + (1 if evidence.probe else 0)
        if count >= config.messages:
            within = SpokenDuration(config.within)
            return TriggerResult.hit("flood_hit", count=count, within=within)
        if not evidence.explain:
            return MISSED
        return TriggerResult.miss(
            "flood_miss", count=count, within=SpokenDuration(config.within), least=config.messages
        )


TRIGGER = Flood()
