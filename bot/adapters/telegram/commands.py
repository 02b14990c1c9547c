"""Core command declarations as Telegram command menus (``setMyCommands`` calls).

Members' commands go to every group chat; moderators' commands are added in the chat-administrators
scope, so only administrators see them in the menu. One list per language: the default (English)
and each translated locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from telegram import (
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
)

from bot.commands.spec import CommandSpec, Permission

MAX_DESCRIPTION = 256
TRANSLATED_LOCALES = ("fr",)


def _menu(specs: list[CommandSpec], locale: str) -> list[dict[str, str]]:
    return [
        {
            "command": spec.name_for(locale),
            "description": spec.description_for(locale)[:MAX_DESCRIPTION],
        }
        for spec in specs
    ]


def command_menus(specs: Iterable[CommandSpec]) -> list[dict[str, Any]]:
    """The ``setMyCommands`` calls that publish ``specs``: scope, language and commands."""
    ordered = sorted(specs, key=lambda spec: spec.name)
    members = [spec for spec in ordered if spec.permission is Permission.EVERYONE]
    calls = []
    for language in ("", *TRANSLATED_LOCALES):
        locale = language or "en"
        calls.append(
            {
                "scope": {"type": "all_group_chats"},
                "language_code": language,
                "commands": _menu(members, locale),
            }
        )
        calls.append(
            {
                "scope": {"type": "all_chat_administrators"},
                "language_code": language,
                "commands": _menu(ordered, locale),
            }
        )
    return calls


_SCOPES: dict[str, Callable[[], BotCommandScope]] = {
    BotCommandScope.ALL_GROUP_CHATS: BotCommandScopeAllGroupChats,
    BotCommandScope.ALL_CHAT_ADMINISTRATORS: BotCommandScopeAllChatAdministrators,
}


def scope_of(scope: Mapping[str, Any]) -> BotCommandScope:
    """The python-telegram-bot scope object of a menu's ``scope`` (as :func:`command_menus`
    writes it)."""
    return _SCOPES[scope["type"]]()
