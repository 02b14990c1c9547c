"""Suggestions: members propose, vote up or down; moderators set a status; leadership digest."""

from cogs.suggestions.cog import SuggestionsCog

COG = SuggestionsCog

__all__ = ["COG"]
