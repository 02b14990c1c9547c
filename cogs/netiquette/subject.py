"""What the engine judges: a message, an edit or a join, with what the triggers may consult."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from cogs.netiquette.activity import History
from cogs.netiquette.normalise import Normalised, normalise, plain, skeleton, visible

SubjectKind = Literal["message", "edit", "join"]


class Subject:
    """One thing a member did that the rules look at.

    Built for every message, so it is a plain slotted object; the readings of its text are
    worked out on first use, once, and shared by every trigger.
    """

    __slots__ = (
        "_as_written",
        "_link_text",
        "_normalised",
        "_skeleton",
        "at",
        "channel",
        "community",
        "hidden_links",
        "kind",
        "member",
        "mentions",
        "message",
        "recent",
        "text",
    )

    def __init__(
        self,
        kind: SubjectKind,
        member: MemberRef,
        at: datetime,
        channel: ChannelRef | None = None,
        message: MessageRef | None = None,
        text: str = "",
        mentions: tuple[UserRef, ...] = (),
        hidden_links: tuple[str, ...] = (),
    ) -> None:
        self.kind: SubjectKind = kind
        self.member = member
        self.community: CommunityRef = member.community
        """Where it happened."""
        self.at = at
        self.channel = channel
        self.message = message
        self.text = text if text.isascii() else well_formed(text)
        self.mentions = mentions
        self.hidden_links = hidden_links
        """Addresses the message links to without showing them (a Telegram text link)."""
        self.recent: History | None = None
        """The member's recent messages, this one included, once the activity recorded it
        (a message, not an edit or a probe): the flood and duplicates triggers read it."""
        self._normalised: Normalised | None = None
        self._skeleton: str | None = None
        self._link_text: str | None = None
        self._as_written: Normalised | None = None

    def __repr__(self) -> str:
        return f"Subject({self.kind!r}, {self.member!r}, {self.at!r}, text={self.text!r})"

    @property
    def link_text(self) -> str:
        """What the link rules read: the text as it shows (no invisible characters inside an
        address), then the addresses it hides behind words, one per line."""
        if self._link_text is None:
            self._link_text = visible(
                "\n".join((self.text, *self.hidden_links)) if self.hidden_links else self.text
            )
        return self._link_text

    @property
    def normalised(self) -> Normalised:
        """The text with evasions undone (computed once, shared by every trigger)."""
        if self._normalised is None:
            self._normalised = normalise(self.text)
        return self._normalised

    @property
    def folded_if_read(self) -> str | None:
        """The folded text if a trigger already worked it out (else None: it is not worked
        out for this)."""
        normalised = self._normalised
        return None if normalised is None else normalised.folded

    @property
    def skeleton(self) -> str:
        """The letters and digits of the normalised text: how copies are recognised."""
        if self._skeleton is None:
            self._skeleton = skeleton(self.normalised.folded)
        return self._skeleton

    @property
    def as_written(self) -> Normalised:
        """The text as written, for triggers that turned normalisation off."""
        if self._as_written is None:
            self._as_written = plain(self.text)
        return self._as_written


def well_formed(text: str) -> str:
    """``text``, its lone surrogates (a malformed export, a terminal in the C locale) replaced:
    no UTF-8 encoding takes them, neither re2's nor the database's, and a message the rules
    cannot read must not slip past them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


@dataclass
class Verdicts:
    """Scores of the slow classifiers, once known (toxicity labels → score)."""

    toxicity: Mapping[str, float] | None = None
    toxicity_error: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


NO_VERDICTS = Verdicts()
"""No slow verdict yet: what the fast pass judges with."""
