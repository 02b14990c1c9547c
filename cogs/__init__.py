"""Jardinier's features. Each cog is a package that knows nothing of Discord or Telegram."""
