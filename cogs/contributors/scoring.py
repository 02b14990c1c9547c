"""Scores from counters: each component's points, the total, the main reason, the ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, TypeVar

from cogs.contributors.config import ScoringConfig

Window = Literal["7d", "30d", "all"]
WINDOW_DAYS: dict[str, int | None] = {"7d": 7, "30d": 30, "all": None}

COMPONENTS = (
    "thanks",
    "replies",
    "contest_wins",
    "introductions",
    "messages",
    "mentions",
    "reactions",
)
"""Score components, in the order a tie for the main reason is settled."""

_WEIGHTS = {
    "messages": "message",
    "replies": "reply_received",
    "reactions": "reaction_received",
    "mentions": "mention_received",
    "thanks": "thanks_received",
    "introductions": "introduction",
    "contest_wins": "contest_win",
}
EDGE_COMPONENTS = {"reply": "replies", "reaction": "reactions", "mention": "mentions"}
EDGE_COMPONENTS["thanks"] = "thanks"


@dataclass(frozen=True)
class Span:
    """The days a window covers (the community's local dates, both ends included); ``start``
    None: all time."""

    start: date | None
    end: date

    def previous(self) -> Span | None:
        """The window of the same length just before this one (None for all time)."""
        if self.start is None:
            return None
        length = (self.end - self.start).days + 1
        return Span(self.start - timedelta(days=length), self.start - timedelta(days=1))


def span(window: str, today: date) -> Span:
    """The days of ``window`` ending ``today``: 7d is today and the 6 days before."""
    days = WINDOW_DAYS[window]
    return Span(None if days is None else today - timedelta(days=days - 1), today)


@dataclass
class Tally:
    """What one member did and received in a window.

    ``messages`` counts those that earn points: at most ``messages_per_day`` of each day's,
    ``posted`` all of them. ``replies``, ``reactions``, ``mentions`` and ``thanks`` count
    distinct members per day: three members who thank you count three, one member thanking you
    ten times a day counts one.
    """

    messages: int = 0
    posted: int = 0
    """Substantial messages (long enough, within the per-minute cap or thanked), counted or
    not."""
    introductions: int = 0
    contest_wins: int = 0
    replies: int = 0
    reactions: int = 0
    mentions: int = 0
    thanks: int = 0

    def count(self, component: str) -> int:
        """The count behind one component."""
        value: int = getattr(self, component)
        return value

    @property
    def capped(self) -> bool:
        """Whether the daily cap left some messages without points."""
        return self.posted > self.messages


@dataclass(frozen=True)
class Standing:
    """A member's score in a window, with the points of each component."""

    user_id: str
    score: float
    points: dict[str, float] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)

    @property
    def main_reason(self) -> str:
        """The component that brought the most points."""
        return max(
            COMPONENTS, key=lambda name: (self.points.get(name, 0.0), -COMPONENTS.index(name))
        )


def standing(user_id: str, tally: Tally, weights: ScoringConfig) -> Standing:
    """Score ``tally`` with ``weights``."""
    points = {
        name: tally.count(name) * float(getattr(weights, _WEIGHTS[name])) for name in COMPONENTS
    }
    return Standing(user_id, round(sum(points.values()), 2), points, tally)


def places(shown: Sequence[float]) -> list[int]:
    """The place of each of a ranking's values (best first, as the texts show them): equal values
    share the better place, and the next one counts those before it (8, 8, 3 → 1, 1, 3)."""
    found: list[int] = []
    for index, value in enumerate(shown):
        found.append(found[-1] if index and value == shown[index - 1] else index + 1)
    return found


T = TypeVar("T")


def leading(ranked: Sequence[T], shown: Sequence[float], count: int) -> list[T]:
    """The first ``count`` of a ranking (``shown``: their values as the texts show them), and
    those tied with the last of them: they share its place (see :func:`places`), and only their
    ids would choose between them. A tie too large to list (past twice ``count`` in all) is cut
    at ``count``, as a long list would drown the answer."""
    if len(ranked) <= count:
        return list(ranked)
    end = count
    while end < len(ranked) and shown[end] == shown[count - 1]:
        end += 1
    return list(ranked[: end if end <= 2 * count else count])


def ranking(
    tallies: dict[str, Tally],
    weights: ScoringConfig,
    *,
    excluded: set[str] | frozenset[str] = frozenset(),
) -> list[Standing]:
    """Members with a positive score, best first (ties by id, so the order is stable; tied
    members share their place, see :func:`places`)."""
    scored = [
        standing(user_id, tally, weights)
        for user_id, tally in tallies.items()
        if user_id not in excluded
    ]
    return sorted(
        (item for item in scored if item.score > 0), key=lambda item: (-item.score, item.user_id)
    )
