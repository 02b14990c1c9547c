"""Arguments typed on text platforms, turned into typed option values.

Options are positional in declared order, but an optional option may be left out when the word
typed in its place fits the next option instead (``/profile 30d``: no member, the window 30d);
``"double quotes"`` (straight, curly ``“…”``,
``„…“`` or French ``«…»``) group words when they open a word; single quotes are plain
apostrophes, so ``l'arbre`` needs no escaping. A ``Text`` option takes the rest of the line as
typed, quotes and all (a rest wholly between one pair of quotes loses them). So does a string
option that only optional options of other kinds follow (``/ban <member> [reason]
[delete_days]``), unless what follows its first word (or quoted words) fits those options:
``/ban alice spamming entries`` is banned for "spamming entries", ``/ban alice spam 1`` and
``/ban alice "spamming entries" 1`` delete a day of messages too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.commands.spec import CommandSpec, OptionKind, OptionSpec
from bot.durations import DurationTooLongError, parse_days, parse_duration
from bot.errors import JardinierError
from bot.events import ChannelRef, MemberRef
from bot.ruleconf.community import UsageErrorTexts
from bot.ruleconf.templates import render_named

MAX_ARGS_LENGTH = 4000
_CLOSING = {'"': '"', "“": "”", "„": "“”", "«": "»"}
"""Each quote that opens a group, with the quotes that close it: a ``"`` inside « » (or the
reverse) is part of the group, not its end."""
_WHOLE = re.compile(r"[-+]?\d{1,18}|#\d{1,18}")
"""A whole number, or an id as the bot writes it (``#12``)."""
LONGEST_PASSED = timedelta(days=999_999_999)
"""The longest duration a command receives (the longest a ``timedelta`` holds, in days): one
typed longer arrives as this, as long as any command's range allows and longer."""
_TRUE = {"yes", "y", "true", "on", "1", "oui", "o", "vrai"}
_FALSE = {"no", "n", "false", "off", "0", "non", "faux"}


class UsageError(JardinierError):
    """The arguments do not fit the command: ``key`` names the core text that says which and why
    (``texts.<locale>.usage_errors``), ``values`` fill its placeholders. ``meant``: the word was
    surely typed for this option, so an optional one is not left out for the next to take it."""

    def __init__(self, key: str, *, meant: bool = False, **values: object) -> None:
        super().__init__(" ".join([key, *(f"{name}={value}" for name, value in values.items())]))
        self.key = key
        self.values = values
        self.meant = meant

    def text(self, texts: UsageErrorTexts) -> str:
        """The error as ``texts`` say it, in their language."""
        return render_named(texts, self.key, self.values)


class ChannelRefusedError(Exception):
    """Raised by a channel resolver for a word that names a channel the command may not take
    (another community's): the member meant that channel, and is told it is not one here."""


def _shown(token: str) -> str:
    """A typed word as an error quotes it: short, with control characters escaped."""
    return repr(token if len(token) <= 30 else token[:29] + "…")


@dataclass(frozen=True)
class _Token:
    value: str
    end: int


MemberResolver = Callable[[str], Awaitable[MemberRef | None]]
ChannelResolver = Callable[[str], Awaitable[ChannelRef | None]]


def _next_token(text: str, start: int) -> _Token | None:
    """The word or quoted string of ``text`` from ``start`` on (None when only spaces are left).

    A quote groups words only where it opens a word: ``5"`` and ``l'arbre`` are plain words.
    Raises :class:`UsageError` for a group whose quote is never closed.
    """
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text):
        return None
    closing = _CLOSING.get(text[start])
    if closing is None:
        end = start
        while end < len(text) and not text[end].isspace():
            end += 1
        return _Token(text[start:end], end)
    closed = next((at for at in range(start + 1, len(text)) if text[at] in closing), None)
    if closed is None:
        raise UsageError("quote_open")
    # French typography puts a (non-breaking) space inside « »; it is not part of the title.
    return _Token(text[start + 1 : closed].strip(), closed + 1)


def _rest(text: str, start: int) -> str:
    """The rest of the line as typed; only a rest wholly inside one pair of quotes loses them."""
    rest = text[start:].strip()
    if rest and rest[0] in _CLOSING and rest[-1] in _CLOSING[rest[0]]:
        try:
            token = _next_token(rest, 0)
        except UsageError:
            return rest
        if token is not None and token.end == len(rest):
            return token.value
    return rest


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
    return await _parse(
        spec.options, args, 0, resolve_member=resolve_member, resolve_channel=resolve_channel
    )


async def _parse(
    options: Sequence[OptionSpec],
    args: str,
    position: int,
    *,
    resolve_member: MemberResolver,
    resolve_channel: ChannelResolver,
) -> dict[str, Any]:
    """The values of ``options`` typed in ``args`` from ``position`` on, nothing left over."""
    values: dict[str, Any] = {}
    for index, option in enumerate(options):
        if option.kind is OptionKind.TEXT:
            rest = _rest(args, position)
            position = len(args)
            if rest:
                values[option.name] = rest
            elif option.required:
                raise UsageError("missing", option=option.name)
            else:
                values[option.name] = option.default
            continue
        if _free_text_before_options(options, index):
            values.update(
                await _free_text_then_options(
                    options[index:],
                    args,
                    position,
                    resolve_member=resolve_member,
                    resolve_channel=resolve_channel,
                )
            )
            return values
        token = _next_token(args, position)
        if token is None:
            if option.required:
                raise UsageError("missing", option=option.name)
            values[option.name] = option.default
            continue
        try:
            value = await convert(
                option, token.value, resolve_member=resolve_member, resolve_channel=resolve_channel
            )
        except UsageError as error:
            following = options[index + 1] if index + 1 < len(options) else None
            if (
                error.meant
                or option.required
                or not await _fits(following, token.value, resolve_member, resolve_channel)
            ):
                raise
            # The word is the next option's: this one is left out.
            values[option.name] = option.default
            continue
        position = token.end
        values[option.name] = value
    extra = args[position:].split(maxsplit=1)
    if extra:
        raise UsageError("too_many", value=_shown(extra[0]))
    return values


def _free_text_before_options(options: Sequence[OptionSpec], index: int) -> bool:
    """Whether the option at ``index`` is a string that only optional options of other kinds
    follow (``/ban <member> [reason] [delete_days]``): free text that cannot be a ``Text``
    option, which must come last."""
    option = options[index]
    following = options[index + 1 :]
    return (
        option.kind is OptionKind.STRING
        and not option.when
        and bool(following)
        and all(not later.required and later.kind not in _ANY_WORD for later in following)
    )


async def _free_text_then_options(
    options: Sequence[OptionSpec],
    args: str,
    position: int,
    *,
    resolve_member: MemberResolver,
    resolve_channel: ChannelResolver,
) -> dict[str, Any]:
    """The values of ``options``, the first a free-text string (see
    :func:`_free_text_before_options`): its word (or quoted words) then the options after it,
    where what follows fits them (``/ban alice spam 1``, ``/ban alice "Repeated insults" 1``);
    else the rest of the line, as a ``Text`` option takes it, the options after it left out
    (``/ban alice Repeated insults``)."""
    text, following = options[0], options[1:]
    left_out = {option.name: option.default for option in following}
    rest = _rest(args, position)
    if not rest:
        if text.required:
            raise UsageError("missing", option=text.name)
        return {text.name: text.default, **left_out}
    try:
        token = _next_token(args, position)
        assert token is not None  # the rest is not empty
        after = await _parse(
            following,
            args,
            token.end,
            resolve_member=resolve_member,
            resolve_channel=resolve_channel,
        )
    except UsageError as error:
        if error.meant:
            raise
        return {text.name: rest, **left_out}
    return {text.name: token.value, **after}


_ANY_WORD = (OptionKind.STRING, OptionKind.TEXT)
"""Kinds that take any word: an option left out for one of them would swallow a typo."""


async def _fits(
    option: OptionSpec | None,
    token: str,
    resolve_member: MemberResolver,
    resolve_channel: ChannelResolver,
) -> bool:
    """Whether ``token`` is a value of ``option``, of a kind that does not take any word."""
    if option is None or option.kind in _ANY_WORD:
        return False
    try:
        await convert(
            option, token, resolve_member=resolve_member, resolve_channel=resolve_channel
        )
    except UsageError:
        return False
    return True


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
            if option.days and not _WHOLE.fullmatch(token):
                try:
                    return parse_days(token)
                except JardinierError:
                    raise UsageError("not_whole", option=option.name, value=shown) from None
            if not _WHOLE.fullmatch(token):
                raise UsageError("not_whole", option=option.name, value=shown)
            return int(token.removeprefix("#"))
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
            # However long: the command refuses one too long with its own range, the one it
            # says for one too short, whatever number was typed.
            try:
                return parse_duration(token, most=LONGEST_PASSED)
            except DurationTooLongError:
                return LONGEST_PASSED
            except JardinierError:
                raise UsageError("not_duration", option=option.name, value=shown) from None
        case OptionKind.CHOICE:
            choice = option.choice_for(token)
            if choice is None:
                raise UsageError(
                    "not_choice", option=option.name, choices=option.choice_list, value=shown
                )
            return choice
        case OptionKind.MEMBER:
            member = await resolve_member(token)
            if member is None:
                raise UsageError("no_member", value=shown)
            return member
        case OptionKind.CHANNEL:
            try:
                channel = await resolve_channel(token)
            except ChannelRefusedError:
                # Not passed on to the next option (``-100123`` is a whole number too): the
                # member would be told about that option, not the channel they typed.
                raise UsageError("no_channel", meant=True, value=shown) from None
            if channel is None:
                raise UsageError("no_channel", value=shown)
            return channel
    raise AssertionError(option.kind)  # pragma: no cover - every kind is handled above
