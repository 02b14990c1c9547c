"""Contributors: quality-weighted scores, an influence graph, and a weekly shout-out."""

from cogs.contributors.cog import ContributorsCog

COG = ContributorsCog

__all__ = ["COG"]
