"""Reputation: mentions of the organisation per day and their tone; alerts; a weekly summary."""

from cogs.reputation.cog import ReputationCog

COG = ReputationCog

__all__ = ["COG"]
