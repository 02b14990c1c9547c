"""``join_raid``: more than N joins within T in a community; fires on each join of the raid."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import Field

from bot.durations import SpokenDuration
from cogs.netiquette.activity import PER_COMMUNITY_JOINS, WindowDuration
from cogs.netiquette.subject import Subject, SubjectKind
from cogs.netiquette.triggers.base import Evidence, Trigger, TriggerConfig, TriggerResult


class JoinRaidConfig(TriggerConfig):
    """How many joins make a raid."""

    joins: int = Field(default=10, ge=2, le=PER_COMMUNITY_JOINS)
    within: WindowDuration = timedelta(minutes=1)


class JoinRaid(Trigger):
    """Fires on every join once ``joins`` happened within ``within``."""

    name = "join_raid"
    config_model = JoinRaidConfig
    kinds: ClassVar[frozenset[SubjectKind]] = frozenset({"join"})

    def check(self, config: JoinRaidConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count the joins in the window, this one included."""
        count = evidence.activity.joins_since(subject.community, subject.at - config.within)
        count += 1 if evidence.probe else 0
        within = SpokenDuration(config.within)
        if count >= config.joins:
            return TriggerResult.hit("join_raid_hit", count=count, within=within)
        return TriggerResult.miss("join_raid_miss", count=count, within=within, least=config.joins)


TRIGGER = JoinRaid()
