"""``mentions``: messages that mention many people at once (mass pings)."""

from __future__ import annotations

from pydantic import Field

from cogs.netiquette.regexes import compile_pattern
from cogs.netiquette.subject import Subject
from cogs.netiquette.triggers.base import (
    MISSED,
    Evidence,
    Trigger,
    TriggerConfig,
    TriggerResult,
)

_EVERYONE = compile_pattern(r"(?:^|[^\pL\pN._%+-])@(?:everyone|here)(?:[^\pL\pN]|$)")
"""``@everyone`` or ``@here`` as a word, not inside an address (``support@here.com``)."""


class MentionsConfig(TriggerConfig):
    """How many mentions are too many."""

    count: int = Field(default=5, ge=1, le=1_000)
    """Distinct members mentioned in one message from which the trigger fires."""
    everyone: bool = True
    """``@everyone`` and ``@here`` fire too."""


class Mentions(Trigger):
    """Fires on ``count`` distinct mentions or more, or ``@everyone``."""

    name = "mentions"
    config_model = MentionsConfig

    def check(self, config: MentionsConfig, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Count the distinct members mentioned."""
        if "@" in subject.text:  # most messages: no regex to run
            if config.everyone and _EVERYONE.search(subject.text.casefold()) is not None:
                return TriggerResult.hit("mentions_everyone")
        elif not subject.mentions and not evidence.explain:
            return MISSED
        count = len({user.id for user in subject.mentions})
        if count >= config.count:
            return TriggerResult.hit("mentions_hit", count=count)
        if not evidence.explain:
            return MISSED
        return TriggerResult.miss("mentions_miss", count=count, least=config.count)


TRIGGER = Mentions()
