"""Commands declared once by cogs, parsed for text platforms, checked and run by the core."""

from bot.commands.context import CommandContext
from bot.commands.parsing import UsageError
from bot.commands.spec import (
    ChoiceNames,
    CommandSpec,
    Days,
    OptionKind,
    OptionSpec,
    Permission,
    Text,
    When,
    command,
)
from bot.events import Power

__all__ = [
    "ChoiceNames",
    "CommandContext",
    "CommandSpec",
    "Days",
    "OptionKind",
    "OptionSpec",
    "Permission",
    "Power",
    "Text",
    "UsageError",
    "When",
    "command",
]
