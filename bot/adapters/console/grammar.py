"""The console's input language: one member action (or console directive) per line.

+alice                  alice joins            -alice            alice leaves
alice: hello            alice posts in the current channel
#intros alice: hello    alice posts in #intros
alice ^7: indeed        alice replies to message 7
alice ~7: new text      alice edits message 7
alice +👍 7             alice reacts to message 7 (alice -👍 7 takes it back)
alice [accept] 7        alice presses the button "accept" under message 7: its full id, as
                        printed under the message ([welcome:accept]), or its last part
alice: /help            alice runs a command
!wait 2h                the clock moves forward; jobs that fall due run
!channel #name          switch the current channel
!delete 7               message 7 is deleted by its author
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.durations import parse_duration
from bot.errors import JardinierError

MAX_LINE_LENGTH = 64_000
MAX_WAIT = timedelta(weeks=52)
"""The most one ``!wait`` moves the clock: every job that falls due on the way runs, one by one,
so a century of daily jobs would hold the console for many minutes."""
_NAME = r"[\w.-]{1,32}"
_CHANNEL = r"[\w-]{1,32}"
_ID = r"\d{1,9}"

_JOIN = re.compile(rf"\+({_NAME})")
_LEAVE = re.compile(rf"-({_NAME})")
_POST = re.compile(rf"(?:#({_CHANNEL})[ \t]+)?({_NAME})(?:[ \t]*\^({_ID}))?[ \t]*:[ \t]?(.*)")
_EDIT = re.compile(rf"({_NAME})[ \t]*~({_ID})[ \t]*:[ \t]?(.*)")
_REACT = re.compile(rf"({_NAME})[ \t]+([+-])(\S{{1,16}})[ \t]+({_ID})")
_PRESS = re.compile(rf"({_NAME})[ \t]+\[([\w:.-]{{1,64}})\][ \t]+({_ID})")
_CHANNEL_NAME = re.compile(rf"#?({_CHANNEL})")
_MESSAGE_ID = re.compile(_ID)


class GrammarError(JardinierError):
    """A console line that is none of the known forms."""


@dataclass(frozen=True)
class Join:
    """A member joins."""

    name: str


@dataclass(frozen=True)
class Leave:
    """A member leaves."""

    name: str


@dataclass(frozen=True)
class Post:
    """A member posts (or runs a command, when the text starts with ``/``)."""

    name: str
    text: str
    channel: str | None = None
    reply_to: int | None = None


@dataclass(frozen=True)
class Edit:
    """A member edits one of their messages."""

    name: str
    message_id: int
    text: str


@dataclass(frozen=True)
class React:
    """A member adds (or removes) a reaction."""

    name: str
    emoji: str
    message_id: int
    added: bool = True


@dataclass(frozen=True)
class Press:
    """A member presses a button."""

    name: str
    button_id: str
    message_id: int


@dataclass(frozen=True)
class Wait:
    """The console clock moves forward."""

    duration: timedelta


@dataclass(frozen=True)
class SwitchChannel:
    """The current channel changes."""

    channel: str


@dataclass(frozen=True)
class Delete:
    """A message is deleted by its author."""

    message_id: int


Line = Join | Leave | Post | Edit | React | Press | Wait | SwitchChannel | Delete


def parse_line(line: str) -> Line | None:
    """Parse one input line; None for a blank line. Raises :class:`GrammarError`."""
    line = line.rstrip("\r\n")
    if len(line) > MAX_LINE_LENGTH:
        raise GrammarError(f"line too long ({len(line)} characters, at most {MAX_LINE_LENGTH})")
    stripped = line.strip()
    if not stripped:
        return None
    if stripped.startswith("!"):
        return _directive(stripped)
    if match := _JOIN.fullmatch(stripped):
        return Join(match[1])
    if match := _LEAVE.fullmatch(stripped):
        return Leave(match[1])
    if match := _REACT.fullmatch(stripped):
        return React(match[1], match[3], int(match[4]), added=match[2] == "+")
    if match := _PRESS.fullmatch(stripped):
        return Press(match[1], match[2], int(match[3]))
    if match := _EDIT.fullmatch(stripped):
        return Edit(match[1], int(match[2]), match[3])
    if match := _POST.fullmatch(stripped):
        reply_to = int(match[3]) if match[3] else None
        return Post(match[2], match[4], channel=match[1], reply_to=reply_to)
    raise GrammarError(
        "not understood; write e.g. 'alice: hello', '+alice', 'alice ^3: reply', "
        "'alice +👍 3', '!wait 2h' or '!channel #general'"
    )


def _directive(line: str) -> Line:
    word, *rest = line.split(maxsplit=1)
    argument = rest[0] if rest else ""
    if word == "!wait":
        if not argument:
            raise GrammarError("missing duration; write e.g. !wait 2h")
        return Wait(parse_duration(argument, most=MAX_WAIT))
    if word == "!channel":
        if not argument:
            raise GrammarError("missing channel name; write e.g. !channel #intros")
        if match := _CHANNEL_NAME.fullmatch(argument):
            return SwitchChannel(match[1])
        raise GrammarError(
            f"{argument[:40]!r} is not a channel name (letters, digits, - and _, at most 32); "
            "write e.g. !channel #intros"
        )
    if word == "!delete":
        if not argument:
            raise GrammarError("missing message number; write e.g. !delete 7")
        if _MESSAGE_ID.fullmatch(argument):
            return Delete(int(argument))
        raise GrammarError(f"{argument[:40]!r} is not a message number; write e.g. !delete 7")
    raise GrammarError("unknown directive; the console knows !wait 2h, !channel #name, !delete 7")
