"""Commands declared once by cogs, parsed for text platforms, checked and run by the core."""

from bot.commands.context import CommandContext
from bot.commands.parsing import UsageError
from bot.commands.spec import (
    CommandSpec,
    OptionKind,
    OptionSpec,
    Permission,
    Text,
    command,
)

__all__ = [
    "CommandContext",
    "CommandSpec",
    "OptionKind",
    "OptionSpec",
    "Permission",
    "Text",
    "UsageError",
    "command",
]
