"""What the bot posts on Discord: texts shown as written, who may be pinged, Discord's lengths.

The bot's texts are plain text on every platform (Telegram's are HTML-escaped whole), and parts of
them come from members: a quoted message, a suggestion, a name. Discord would read their Markdown,
so everything the bot sends is escaped: ``**x**`` stays two stars, ``[text](address)`` is no
masked link hiding its address, ``||x||`` no spoiler, ``# x`` no heading, ``<@id>`` no mention.
Web addresses are left whole, so they stay links that show where they lead.

The rule book's own texts may use Discord's tags: a channel ``<#id>``, a role ``<@&id>``, a
custom emoji ``<:name:id>`` or ``<a:name:id>``, a timestamp ``<t:seconds:R>``, a command
``</name:id>``. Rendering a template marks the tags its author wrote with an invisible word joiner
after the ``<`` (members' words never hold one: they are written visible, without format
characters); those tags alone are sent as tags, the marker dropped. The same tag in a member's
name or message is escaped like the rest.

Every message goes out with ``AllowedMentions.none()``: whatever the text says (``@everyone``, a
role, a member's name), Discord pings no one. The only exception is the members a cog names in
``mention``: their ``@name`` in the text becomes a real mention and only they are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import discord

from bot.events import UserRef
from bot.ruleconf.plaintext import WORD_JOINER
from bot.utf16 import utf16_length

MAX_LENGTH = 2000
MAX_AUDIT_REASON = 512

Sent = TypeVar("Sent")


def allowed_mentions(mention: Sequence[UserRef] = ()) -> discord.AllowedMentions:
    """Nobody, or exactly the users in ``mention`` (never everyone, roles or the replied-to)."""
    users = [discord.Object(int(user.id)) for user in mention if user.id.isdigit()]
    if not users:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


# The tags Discord draws (channel, role, user, custom emoji, timestamp, command), once the rule
# book's author marked them so: only theirs are drawn, never a member's.
_TAG = r"#\d+|@[!&]?\d+|a?:\w{2,32}:\d+|t:-?\d+(?::[tTdDfFR])?|/[-\w]+(?: [-\w]+){0,2}:\d+"
# A marker before anything Discord does not draw is dropped: what follows is escaped as usual.
_MARKER = re.compile(f"<{WORD_JOINER}(?!(?:{_TAG})>)")
# A web address as Discord links it (discord.py's pattern): left whole, since a backslash in it
# would change where it leads. Otherwise what starts Discord's Markdown anywhere in a line: the
# escape itself, emphasis, strike-through, spoilers, code, a masked link's bracket, and the ``<``
# of mentions, channels, timestamps and custom emoji.
_INLINE = re.compile(
    f"<{WORD_JOINER}(?P<authored>(?:{_TAG})>)"
    r"|(?P<address><[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s])"
    r"|(?P<mark>[\\*_~|`\[<])"
)
# What Markdown reads only at the start of a line: headings (and ``-#`` small print), quotes,
# lists, numbered lists.
_LINE_START = re.compile(r"^([ \t]*)([#>+-]|\d+(?=\.))", re.MULTILINE)


def _inline_escaped(text: str) -> str:
    def shown(found: re.Match[str]) -> str:
        if found["authored"]:
            return "<" + found["authored"]
        return found["address"] or "\\" + found["mark"]

    return _INLINE.sub(shown, _MARKER.sub("<", text))


def _line_starts_escaped(text: str) -> str:
    """``text`` with what would start a heading, quote or list at a line's start escaped (an
    escaped one is left alone: applied twice, it changes nothing)."""

    def escaped(found: re.Match[str]) -> str:
        indent, mark = found.groups()
        return f"{indent}{mark}\\" if mark.isdigit() else f"{indent}\\{mark}"

    return _LINE_START.sub(escaped, text)


def _free(text: str, written: str, taken: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The first place ``written`` is in ``text`` outside the spans already taken."""
    start = 0
    while (index := text.find(written, start)) != -1:
        end = index + len(written)
        if all(end <= begin or index >= stop for begin, stop, _ in taken):
            return index, end
        start = index + 1
    return None


def discord_text(text: str, mention: Sequence[UserRef] = ()) -> str:
    """``text`` as Discord shows it as written, where each mentioned user's ``@name`` is a
    ping, or the ping leads the text."""
    spans: list[tuple[int, int, str]] = []
    leading: list[str] = []
    for user in dict.fromkeys(mention):
        if not user.id.isdigit():
            continue
        tag = f"<@{user.id}>"
        found = _free(text, tag, spans)
        if found is None and user.name:
            found = _free(text, f"@{user.name}", spans)
        if found is None:
            leading.append(tag)
        else:
            spans.append((*found, tag))
    shown, cursor = [], 0
    for begin, end, tag in sorted(spans):
        shown += [_inline_escaped(text[cursor:begin]), tag]
        cursor = end
    shown.append(_inline_escaped(text[cursor:]))
    body = _line_starts_escaped("".join(shown))
    return " ".join([*leading, body] if body else leading)


def place_line(server: str, channel: str) -> str:
    """The line that says where a direct message comes from: ``**server** · #channel``, each
    name shown as written (escaped like the rest); either may be missing."""
    names = [f"**{_inline_escaped(server)}**" if server else "", _inline_escaped(channel)]
    return " · ".join(name for name in names if name)


def split_text(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            # Never between an escaping backslash and what it escapes.
            while cut > 1 and (len(rest[:cut]) - len(rest[:cut].rstrip("\\"))) % 2:
                cut -= 1
        pieces.append(rest[:cut])
        # The line break or space where the text was cut is not repeated.
        rest = rest[cut + 1 :] if rest[cut : cut + 1] in ("\n", " ") else rest[cut:]
    pieces.append(rest)
    return pieces


def audit_reason(reason: str) -> str | None:
    """``reason`` as the audit log takes it: at most 512 characters, cut with an ellipsis (a
    longer one makes Discord refuse the ban itself), or None when there is none."""
    if not reason:
        return None
    if utf16_length(reason) <= MAX_AUDIT_REASON:
        return reason
    # Counted in UTF-16 units, the stricter way Discord may count: the cut fits either way.
    kept, length = [], 1  # the ellipsis
    for character in reason:
        length += utf16_length(character)
        if length > MAX_AUDIT_REASON:
            break
        kept.append(character)
    return "".join(kept).rstrip() + "…"


async def send_in_pieces(
    text: str,
    send: Callable[[str, bool, bool], Awaitable[Sent]],
    mention: Sequence[UserRef] = (),
    *,
    first_line: str = "",
) -> Sent:
    """Send ``text`` (see :func:`discord_text`) in as many messages as Discord's limit asks;
    returns the last one sent.

    ``send(piece, first, final)`` sends one piece: a reply points from the first, and buttons and
    an attachment go with the final one, under the end of the text. ``first_line``, already in
    Discord's Markdown (see :func:`place_line`), goes on its own line above the text.
    """
    shown = discord_text(text, mention)
    if first_line:
        shown = f"{first_line}\n{shown}"
    # A piece cut within a line starts a message, hence a line: one more backslash may be needed.
    pieces = [_line_starts_escaped(piece) for piece in split_text(shown, MAX_LENGTH - 1)]
    for index, piece in enumerate(pieces[:-1]):
        await send(piece, index == 0, False)
    return await send(pieces[-1], len(pieces) == 1, True)
