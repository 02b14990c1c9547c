"""The console community: members typed on standard input, bot actions printed."""

from bot.adapters.console.adapter import ConsolePlatform

__all__ = ["ConsolePlatform"]
