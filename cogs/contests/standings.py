"""Ranking a contest's entries: most votes first, ties to the earliest submission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Standing:
    """One entry's place in the results."""

    entry: int
    """The entry's number in its contest."""
    user_id: str
    user_name: str
    votes: int
    submitted_at: datetime


def rank(entries: Iterable[Standing]) -> list[Standing]:
    """The entries from first to last: by votes, then earliest submission, then entry number.

    The entry number only matters for two submissions at the very same instant, so the order
    is always total and the same every time the results are computed.
    """
    return sorted(entries, key=lambda s: (-s.votes, s.submitted_at, s.entry))


def podium(entries: Iterable[Standing], places: int) -> list[Standing]:
    """The winners: the first ``places`` ranked entries that received at least one vote."""
    return [standing for standing in rank(entries) if standing.votes > 0][:places]
