"""Core command declarations as Discord application (slash) command payloads.

The payload is what Discord's "bulk overwrite global application commands" endpoint takes; it is
built here without discord.py so it can be printed (``jardinier commands --platform discord``),
hashed and compared before anything is synced. Autocomplete suggestions are pure functions too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.commands.spec import CommandSpec, OptionKind, OptionSpec, Permission
from bot.durations import parse_duration
from bot.errors import JardinierError
from bot.events import Power

CHAT_INPUT = 1
GUILD_CONTEXT = 0
GUILD_INSTALL = 0
MANAGE_MESSAGES = 1 << 13
# The permission each power is (see convert.powers), as Discord's permission bits.
POWER_PERMISSIONS = {
    Power.BAN: 1 << 2,  # Ban Members
    Power.KICK: 1 << 1,  # Kick Members
    Power.TIMEOUT: 1 << 40,  # Moderate Members
    Power.DELETE: MANAGE_MESSAGES,
    Power.MANAGE: 1 << 5,  # Manage Server
}
MAX_CHOICES = 25
MAX_CHOICE_TEXT = 100
# Channels a command can point at: text, announcement, and the three kinds of thread.
TEXT_CHANNEL_TYPES = (0, 5, 10, 11, 12)
# Discord's locale codes for the locales the rule book uses.
DISCORD_LOCALES = {"fr": ("fr",), "en": ("en-US", "en-GB")}
DEFAULT_LOCALE = "en"

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
_DURATION_UNITS = {"en": ("m", "h", "d", "w"), "fr": ("m", "h", "j")}
"""The units offered after a number, by the language of the member typing: French days are
``j`` (jours); the bot reads no French week unit, so French counts weeks in days."""
_DURATION_EXAMPLES = {
    "en": ("10m", "30m", "1h", "2h", "12h", "1d", "3d", "7d", "2w"),
    "fr": ("10m", "30m", "1h", "2h", "12h", "1j", "3j", "7j", "14j"),
}


def _localizations(default: str, translations: Mapping[str, str]) -> dict[str, str]:
    # The declared text is English; the translated ones come from the declaration.
    texts = {DEFAULT_LOCALE: default, **translations}
    localized: dict[str, str] = {}
    for locale, text in texts.items():
        for code in DISCORD_LOCALES.get(locale, (locale,)):
            localized[code] = text
    return localized


def uses_autocomplete(option: OptionSpec) -> bool:
    """Whether Discord asks the bot for suggestions while the member types this option."""
    if option.kind is OptionKind.DURATION or option.when:
        return True
    return option.kind is OptionKind.CHOICE and len(option.choices) > MAX_CHOICES


def _option(option: OptionSpec) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": _OPTION_TYPES[option.kind],
        "name": option.name,
        "name_localizations": _localizations(option.name, option.names),
        "description": option.description,
        "description_localizations": _localizations(option.description, option.descriptions),
        "required": option.required,
    }
    if uses_autocomplete(option):
        payload["autocomplete"] = True
    elif option.choices:
        payload["choices"] = [_choice(option, choice) for choice in option.choices]
    if option.kind is OptionKind.DURATION:
        payload["max_length"] = 20
    if option.kind is OptionKind.CHANNEL:
        payload["channel_types"] = list(TEXT_CHANNEL_TYPES)
    return payload


def _choice(option: OptionSpec, choice: str) -> dict[str, Any]:
    """A choice as Discord lists it, named in the locales the command names it in."""
    named = {code: names[choice] for code, names in option.choice_names.items() if choice in names}
    payload: dict[str, Any] = {"name": choice, "value": choice}
    if named:
        payload["name_localizations"] = _localizations(choice, named)
    return payload


def default_permissions(spec: CommandSpec) -> str | None:
    """Who Discord shows the command to unless a server says otherwise: everyone's to all,
    a moderator's to those with Manage Messages, or with the permission of the power it
    needs (``/ban`` to those who may ban)."""
    if spec.permission is not Permission.MODERATOR:
        return None
    return str(MANAGE_MESSAGES if spec.power is None else POWER_PERMISSIONS[spec.power])


def application_command(spec: CommandSpec) -> dict[str, Any]:
    """The slash-command payload of one command: guild-only, moderators' hidden by default."""
    return {
        "type": CHAT_INPUT,
        "name": spec.name,
        "description": spec.description,
        "name_localizations": _localizations(spec.name, spec.names),
        "description_localizations": _localizations(spec.description, spec.descriptions),
        "options": [_option(option) for option in spec.options],
        "contexts": [GUILD_CONTEXT],
        "integration_types": [GUILD_INSTALL],
        "default_member_permissions": default_permissions(spec),
    }


def application_commands(specs: Iterable[CommandSpec]) -> list[dict[str, Any]]:
    """Every command, sorted by name, as Discord would register them."""
    return [application_command(spec) for spec in sorted(specs, key=lambda spec: spec.name)]


def payload_digest(payload: Sequence[dict[str, Any]]) -> str:
    """A stable hash of a command payload: equal payloads, equal digests."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def suggestions(option: OptionSpec, typed: str, locale: str | None = None) -> list[str]:
    """What to offer while a member types ``option`` (at most 25, each at most 100 characters).

    ``locale`` is the member's Discord locale (``fr``, ``en-US``): durations are offered in its
    units (``7j`` in French), English ones for any other.
    """
    typed = typed.strip().lower()
    if option.kind is OptionKind.DURATION or option.when:
        language = (locale or DEFAULT_LOCALE).split("-", 1)[0]
        known = language if language in _DURATION_UNITS else DEFAULT_LOCALE
        offered = _duration_suggestions(typed, known)
    elif option.kind is OptionKind.CHOICE:
        offered = [choice for choice in option.choices if typed in choice.lower()]
    else:
        offered = []
    return [text for text in offered if len(text) <= MAX_CHOICE_TEXT][:MAX_CHOICES]


def _duration_suggestions(typed: str, language: str) -> list[str]:
    examples = _DURATION_EXAMPLES[language]
    if not typed:
        return list(examples)
    if typed.isdigit() and len(typed) <= 6:
        return [f"{typed}{unit}" for unit in _DURATION_UNITS[language]]
    try:
        parse_duration(typed)
    except JardinierError:
        pass
    else:  # what the command itself will read, French days (7j) included
        return [typed]
    return [example for example in examples if example.startswith(typed)]
