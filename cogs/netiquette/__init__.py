"""Netiquette: automod rules, evasion-proof matching, toxicity, strikes, moderation commands."""

from cogs.netiquette.cog import NetiquetteCog

COG = NetiquetteCog

__all__ = ["COG"]
