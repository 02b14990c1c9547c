"""Ranking a contest's entries: most votes first, ties to the earliest submission; one place
per member."""

from __future__ import annotations

from collections.abc import Collection, Iterable
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


def contenders(entries: Iterable[Standing], gone: Collection[str] = ()) -> list[Standing]:
    """The entries that can place, in order: each member's best entry that received at least
    one vote, none by a member in ``gone`` (no longer in the community)."""
    found: list[Standing] = []
    placed: set[str] = set()
    for standing in rank(entries):
        if standing.votes <= 0:
            break
        if standing.user_id in placed or standing.user_id in gone:
            continue
        placed.add(standing.user_id)
        found.append(standing)
    return found


def podium(entries: Iterable[Standing], places: int, gone: Collection[str] = ()) -> list[Standing]:
    """The winners: the first ``places`` ranked entries that received at least one vote, each
    member's best entry only, none by a member in ``gone`` (no longer in the community)."""
    return contenders(entries, gone)[:places]


def tie_decided(entries: Iterable[Standing], places: int, gone: Collection[str] = ()) -> bool:
    """Whether the earliest submission decided a place: a winner had as many votes as the
    contender after it (another winner, or the first one left off the podium)."""
    ranked = contenders(entries, gone)
    return any(ranked[i].votes == ranked[i + 1].votes for i in range(min(places, len(ranked) - 1)))


def tickets(entries: Iterable[Standing], gone: Collection[str] = ()) -> dict[str, Standing]:
    """A random draw's tickets: each member's first entry (the lowest number), by its number
    written out, none for a member in ``gone``. One per member, so sending more entries does
    not buy more chances."""
    first: dict[str, Standing] = {}
    for standing in sorted(entries, key=lambda s: s.entry):
        if standing.user_id not in gone:
            first.setdefault(standing.user_id, standing)
    return {str(standing.entry): standing for standing in first.values()}
