"""The rule book: YAML files validated by pydantic models, with errors at ``file:line:col``.

``load_rule_book(directory, section_models)`` loads and validates a directory; ``RuleStore``
keeps the book in force and reloads it atomically; ``Placeholders(...)`` and ``render(...)`` are
the placeholder-checked texts sections declare.
"""

from bot.ruleconf.book import RuleBook, load_rule_book
from bot.ruleconf.community import (
    ChannelsConfig,
    CommunityConfig,
    ConsoleConfig,
    CoreTexts,
    ModeratorsConfig,
)
from bot.ruleconf.errors import RuleBookError, RuleError, RuleWarning
from bot.ruleconf.locales import Locale, TextsByLocale
from bot.ruleconf.numbers import percent_text
from bot.ruleconf.plaintext import has_words, one_line, plain_name, unlinked, visible
from bot.ruleconf.positioned import (
    KeyPath,
    Position,
    PositionedDocument,
    deep_merge,
    format_key_path,
    load_yaml,
)
from bot.ruleconf.store import RuleStore
from bot.ruleconf.templates import Placeholders, render

__all__ = [
    "ChannelsConfig",
    "CommunityConfig",
    "ConsoleConfig",
    "CoreTexts",
    "KeyPath",
    "Locale",
    "ModeratorsConfig",
    "Placeholders",
    "Position",
    "PositionedDocument",
    "RuleBook",
    "RuleBookError",
    "RuleError",
    "RuleStore",
    "RuleWarning",
    "TextsByLocale",
    "deep_merge",
    "format_key_path",
    "has_words",
    "load_rule_book",
    "load_yaml",
    "one_line",
    "percent_text",
    "plain_name",
    "render",
    "unlinked",
    "visible",
]
