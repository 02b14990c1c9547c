"""``new_account``: members newer than a given age in the community.

Platforms do not share account creation dates through the neutral model, so the age counted is
the time since the member joined the community. A member the bot never saw join was there before
it watched: their age is unknown and the trigger does not fire (on the day the bot arrives, its
regulars are not newcomers). Fires on their join (``on: join``) or on their messages while they
are new (``on: message``, the default), e.g. to hold back links or invitations from brand-new
members.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from bot.durations import Duration, SpokenDuration
from cogs.netiquette.subject import Subject, SubjectKind
from cogs.netiquette.triggers.base import Evidence, Trigger, TriggerConfig, TriggerResult


class NewAccountConfig(TriggerConfig):
    """How new is new."""

    younger_than: Duration = timedelta(days=1)
    on: Literal["message", "join"] = "message"


class NewAccount(Trigger):
    """Fires for members who joined less than ``younger_than`` ago."""

    name = "new_account"
    config_model = NewAccountConfig
    kinds: ClassVar[frozenset[SubjectKind]] = frozenset({"message", "edit", "join"})

    def check(
        self, config: NewAccountConfig, subject: Subject, evidence: Evidence
    ) -> TriggerResult:
        """Compare the member's age in the community with ``younger_than``."""
        on_joins = config.on == "join"
        if (subject.kind == "join") != on_joins:
            return TriggerResult.miss(
                "new_account_joins_only" if on_joins else "new_account_messages_only"
            )
        since = subject.at if subject.kind == "join" else evidence.member_since
        if since is None:
            return TriggerResult.miss("new_account_unknown")
        age = max(subject.at - since, timedelta(0))
        if age < config.younger_than:
            return TriggerResult.hit("new_account_hit", age=SpokenDuration(age))
        return TriggerResult.miss(
            "new_account_miss",
            age=SpokenDuration(age),
            limit=SpokenDuration(config.younger_than),
        )


TRIGGER = NewAccount()
