"""What the engine judges: a message, an edit or a join, with what the triggers may consult."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from cogs.netiquette.normalise import Normalised, normalise, plain, skeleton, visible

SubjectKind = Literal["message", "edit", "join"]


@dataclass(frozen=True)
class Subject:
    """One thing a member did that the rules look at."""

    kind: SubjectKind
    member: MemberRef
    at: datetime
    channel: ChannelRef | None = None
    message: MessageRef | None = None
    text: str = ""
    mentions: tuple[UserRef, ...] = ()
    hidden_links: tuple[str, ...] = ()
    """Addresses the message links to without showing them (a Telegram text link)."""

    @property
    def community(self) -> CommunityRef:
        """Where it happened."""
        return self.member.community

    @cached_property
    def link_text(self) -> str:
        """What the link rules read: the text as it shows (no invisible characters inside an
        address), then the addresses it hides behind words, one per line."""
        return visible("\n".join((self.text, *self.hidden_links)))

    @cached_property
    def normalised(self) -> Normalised:
        """The text with evasions undone (computed once, shared by every trigger)."""
        return normalise(self.text)

    @cached_property
    def skeleton(self) -> str:
        """The letters and digits of the normalised text: how copies are recognised."""
        return skeleton(self.normalised.variants[0])

    @cached_property
    def as_written(self) -> Normalised:
        """The text as written, for triggers that turned normalisation off."""
        return plain(self.text)


@dataclass
class Verdicts:
    """Scores of the slow classifiers, once known (toxicity labels → score)."""

    toxicity: Mapping[str, float] | None = None
    toxicity_error: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
