"""``duplicates``: the same text posted N times within T by one member (copy-paste spam)."""

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


class DuplicatesConfig(TriggerConfig):
    """How many copies are too many."""

    count: int = Field(default=3, ge=2, le=PER_MEMBER)
    within: WindowDuration = timedelta(minutes=5)
    min_length: int = Field(default=1, ge=1, le=1000)
    """Messages with fewer letters and digits never count (``ok``, ``+1``, ``Merci !``)."""


class Duplicates(Trigger):
    """Fires on the copy that makes ``count`` identical messages within ``within``."""

    name = "duplicates"
    config_model = DuplicatesConfig
    kinds: ClassVar[frozenset[SubjectKind]] = frozenset({"message"})

    def check(
        self, config: DuplicatesConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Count the member's recent messages with the same normalised text."""
        text = subject.skeleton
        if len(text) < config.min_length:
            return MISSED if not evidence.explain else TriggerResult.miss("duplicates_short")
        recent = subject.recent
        since = subject.at - config.within
        if (
            recent is not None
            and not evidence.explain
            and recent.count_after(since) + evidence.probe < config.count
        ):
            # Too few messages in the window to hold enough copies (nearly every message): a
            # binary search, instead of comparing each one.
            return MISSED
        copies = (
            recent.copies_after(since, text)
            if recent is not None
            else evidence.activity.copies_since(
                subject.community, subject.member.user.id, since, text
            )
        )
        count = len(copies) + (1 if evidence.probe else 0)
        if count >= config.count:
            earlier = tuple(copy for copy in copies if copy != subject.message)
            return TriggerResult.hit(
                "duplicates_hit", earlier, count=count, within=SpokenDuration(config.within)
            )
        if not evidence.explain:
            return MISSED
        return TriggerResult.miss(
            "duplicates_miss",
            count=count,
            within=SpokenDuration(config.within),
            least=config.count,
        )


TRIGGER = Duplicates()
