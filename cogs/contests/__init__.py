"""Contests and challenges: submissions, fair voting, giveaways, phases announced on schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cogs.contests.cog import ContestsCog

    COG = ContestsCog

__all__ = ["COG"]


def __getattr__(name: str) -> Any:
    # The cog is imported when asked for, not with the package: ``python -m cogs.contests.draw``
    # must not import the draw module before running it as a script (runpy warns of that).
    if name == "COG":
        from cogs.contests.cog import ContestsCog

        return ContestsCog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
