"""The blueprint every trigger follows (after Zeppelin's automod): a name, a config model, and a
check that says whether it matched and, either way, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict

from bot.events import MessageRef
from cogs.netiquette.subject import Subject, SubjectKind, Verdicts
from cogs.netiquette.why import Why

if TYPE_CHECKING:
    from cogs.netiquette.activity import Activity


class TriggerConfig(BaseModel):
    """Base of every trigger's settings: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TriggerResult(NamedTuple):
    """Whether a trigger matched, and why: what matched (the word, the pattern, the score) or
    why it did not, as a ``why`` text the mod-log and ``/rules_test`` write in the community's
    language."""

    # A named tuple: one is built per trigger per message, and a frozen dataclass costs 3x more.

    matched: bool
    why: Why
    related: tuple[MessageRef, ...] = ()
    """Earlier messages that are part of the same offence (the copies a duplicate repeats)."""

    @classmethod
    def hit(
        cls, key: str, /, related: tuple[MessageRef, ...] = (), **values: object
    ) -> TriggerResult:
        """A match, said by the ``why`` text ``key``."""
        return cls(True, Why(key, values), related)

    @classmethod
    def miss(cls, key: str, **values: object) -> TriggerResult:
        """No match, said by the ``why`` text ``key``."""
        return cls(False, Why(key, values))


MISSED = TriggerResult(False, Why(key=""))
"""No match, when nobody asked why (:attr:`Evidence.explain` is off): its reason, which has no
text, is never written."""


@dataclass(frozen=True)
class Evidence:
    """What triggers may consult besides the subject: recent activity and slow verdicts."""

    activity: Activity
    verdicts: Verdicts
    normalise_by_default: bool = True
    member_since: datetime | None = None
    """When the member joined (or was first seen in) the community, if known."""
    probe: bool = False
    """A dry evaluation (``/rules_test``): the subject is not part of the recorded activity."""
    explain: bool = True
    """Say why a trigger did not match. Off for every message: only what matched is written
    down, and a trigger that sees it does not match returns :data:`MISSED` at once."""


class Trigger:
    """A kind of trigger. Subclasses set ``name``, ``config_model`` and implement ``check``."""

    name: ClassVar[str]
    config_model: ClassVar[type[TriggerConfig]]
    kinds: ClassVar[frozenset[SubjectKind]] = frozenset({"message", "edit"})
    """What it looks at: messages (and their edits) by default; joins for raid triggers."""
    slow: ClassVar[bool] = False
    """Checked off the event loop, after the fast triggers (the toxicity model)."""

    def check(self, config: Any, subject: Subject, evidence: Evidence) -> TriggerResult:
        """Whether ``subject`` matches, and why (or why not)."""
        raise NotImplementedError
