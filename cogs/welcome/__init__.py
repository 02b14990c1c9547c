"""Welcome: greet newcomers, show the charter, invite introductions, survive raids, measure."""

from cogs.welcome.cog import WelcomeCog

COG = WelcomeCog

__all__ = ["COG"]
