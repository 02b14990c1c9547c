"""Contests and challenges: submissions, fair voting, giveaways, phases announced on schedule."""

from cogs.contests.cog import ContestsCog

COG = ContestsCog

__all__ = ["COG"]
