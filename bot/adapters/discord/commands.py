"""Core command declarations as Discord application (slash) command payloads.

The payload is what Discord's "bulk overwrite application commands" endpoint takes; it is built
here without discord.py so it can be printed, hashed and compared before anything is synced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.commands.spec import CommandSpec, OptionKind, OptionSpec, Permission

CHAT_INPUT = 1
GUILD_CONTEXT = 0
MANAGE_MESSAGES = 1 << 13
# Discord's locale codes for the locales the rule book uses.
DISCORD_LOCALES = {"fr": ("fr",), "en": ("en-US", "en-GB")}

_OPTION_TYPES = {
    OptionKind.STRING: 3,
    OptionKind.TEXT: 3,
    OptionKind.DURATION: 3,
    OptionKind.CHOICE: 3,
    OptionKind.INTEGER: 4,
    OptionKind.BOOLEAN: 5,
    OptionKind.MEMBER: 6,
    OptionKind.CHANNEL: 7,
    OptionKind.NUMBER: 10,
}


def _localizations(spec: CommandSpec) -> dict[str, str]:
    localized: dict[str, str] = {}
    for locale, text in spec.descriptions.items():
        for code in DISCORD_LOCALES.get(locale, (locale,)):
            localized[code] = text
    return localized


def _option(option: OptionSpec) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": _OPTION_TYPES[option.kind],
        "name": option.name,
        "description": option.description,
        "required": option.required,
    }
    if option.choices:
        payload["choices"] = [{"name": choice, "value": choice} for choice in option.choices]
    if option.kind is OptionKind.DURATION:
        payload["max_length"] = 20
    return payload


def application_command(spec: CommandSpec) -> dict[str, Any]:
    """The slash-command payload of one command: guild-only, moderators' hidden by default."""
    payload: dict[str, Any] = {
        "type": CHAT_INPUT,
        "name": spec.name,
        "description": spec.description,
        "options": [_option(option) for option in spec.options],
        "contexts": [GUILD_CONTEXT],
        "default_member_permissions": (
            str(MANAGE_MESSAGES) if spec.permission is Permission.MODERATOR else None
        ),
    }
    if localized := _localizations(spec):
        payload["description_localizations"] = localized
    return payload


def application_commands(specs: Iterable[CommandSpec]) -> list[dict[str, Any]]:
    """Every command, sorted by name, as Discord would register them."""
    return [application_command(spec) for spec in sorted(specs, key=lambda spec: spec.name)]
