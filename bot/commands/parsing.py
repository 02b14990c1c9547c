"""Arguments typed on text platforms, turned into typed option values.

Options are positional in declared order; ``"double quotes"`` (straight, curly or French) group
words; single quotes are plain apostrophes, so ``l'arbre`` needs no escaping. A ``Text`` option
takes the rest of the line.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.commands.spec import CommandSpec, OptionKind, OptionSpec
from bot.durations import parse_duration
from bot.errors import JardinierError
from bot.events import ChannelRef, MemberRef
from bot.ruleconf.community import UsageErrorTexts
from bot.ruleconf.templates import render_named

MAX_ARGS_LENGTH = 4000
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_TOKEN = re.compile(r'"([^"]*)"|([^\s"]+)|(")')
_TRUE = {"yes", "y", "true", "on", "1", "oui", "o", "vrai"}
_FALSE = {"no", "n", "false", "off", "0", "non", "faux"}


class UsageError(JardinierError):
    """The arguments do not fit the command: ``key`` names the core text that says which and why
    (``texts.<locale>.usage_errors``), ``values`` fill its placeholders."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(" ".join([key, *(f"{name}={value}" for name, value in values.items())]))
        self.key = key
        self.values = values

    def text(self, texts: UsageErrorTexts) -> str:
        """The error as ``texts`` say it, in their language."""
        return render_named(texts, self.key, self.values)


def _shown(token: str) -> str:
    """A typed word as an error quotes it: short, with control characters escaped."""
    return repr(token if len(token) <= 30 else token[:29] + "…")


@dataclass(frozen=True)
class _Token:
    value: str
    start: int


MemberResolver = Callable[[str], Awaitable[MemberRef | None]]
ChannelResolver = Callable[[str], Awaitable[ChannelRef | None]]


def tokenize(text: str) -> list[_Token]:
    """Split ``text`` into words and quoted strings, remembering where each starts."""
    tokens = []
    for match in _TOKEN.finditer(text):
        if match.group(3) is not None:
            raise UsageError("quote_open")
        value = match.group(1) if match.group(1) is not None else match.group(2)
        tokens.append(_Token(value, match.start()))
    return tokens


async def parse_arguments(
    spec: CommandSpec,
    args: str,
    *,
    resolve_member: MemberResolver,
    resolve_channel: ChannelResolver,
) -> dict[str, Any]:
    """Convert ``args`` into keyword arguments for ``spec``'s callback, or raise UsageError."""
    if len(args) > MAX_ARGS_LENGTH:
        raise UsageError("too_long", most=MAX_ARGS_LENGTH)
    text = args.translate(_QUOTES).strip()
    tokens = tokenize(text)
    values: dict[str, Any] = {}
    position = 0
    for option in spec.options:
        if option.kind is OptionKind.TEXT:
            rest = text[tokens[position].start :].strip() if position < len(tokens) else ""
            if len(tokens) - position == 1 and rest.startswith('"'):
                rest = tokens[position].value
            position = len(tokens)
            if rest:
                values[option.name] = rest
            elif option.required:
                raise UsageError("missing", option=option.name)
            else:
                values[option.name] = option.default
            continue
        if position >= len(tokens):
            if option.required:
                raise UsageError("missing", option=option.name)
            values[option.name] = option.default
            continue
        token = tokens[position].value
        position += 1
        values[option.name] = await convert(
            option, token, resolve_member=resolve_member, resolve_channel=resolve_channel
        )
    if position < len(tokens):
        raise UsageError("too_many", value=_shown(tokens[position].value))
    return values


async def convert(
    option: OptionSpec,
    token: str,
    *,
    resolve_member: MemberResolver,
    resolve_channel: ChannelResolver,
) -> Any:
    """Convert one typed word to the value ``option`` expects."""
    shown = _shown(token)
    match option.kind:
        case OptionKind.STRING | OptionKind.TEXT:
            return token
        case OptionKind.INTEGER:
            if not re.fullmatch(r"[-+]?\d{1,18}", token):
                raise UsageError("not_whole", option=option.name, value=shown)
            return int(token)
        case OptionKind.NUMBER:
            if not re.fullmatch(r"[-+]?\d{1,15}([.,]\d{1,15})?", token):
                raise UsageError("not_number", option=option.name, value=shown)
            return float(token.replace(",", "."))
        case OptionKind.BOOLEAN:
            lowered = token.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise UsageError("not_yes_no", option=option.name, value=shown)
        case OptionKind.DURATION:
            try:
                return parse_duration(token)
            except JardinierError:
                raise UsageError("not_duration", option=option.name, value=shown) from None
        case OptionKind.CHOICE:
            for choice in option.choices:
                if choice.lower() == token.lower():
                    return choice
            raise UsageError(
                "not_choice", option=option.name, choices=", ".join(option.choices), value=shown
            )
        case OptionKind.MEMBER:
            member = await resolve_member(token)
            if member is None:
                raise UsageError("no_member", value=shown)
            return member
        case OptionKind.CHANNEL:
            channel = await resolve_channel(token)
            if channel is None:
                raise UsageError("no_channel", value=shown)
            return channel
    raise AssertionError(option.kind)  # pragma: no cover - every kind is handled above
