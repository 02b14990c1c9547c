"""What the bot posts on Discord: who may be pinged, and texts cut to Discord's length limit.

Every message goes out with ``AllowedMentions.none()``: whatever the text says (``@everyone``, a
role, a member's name), Discord pings no one. The only exception is the members a cog names in
``mention``: their ``@name`` in the text becomes a real mention and only they are allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import discord

from bot.events import UserRef
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


def with_mentions(text: str, mention: Sequence[UserRef]) -> str:
    """``text`` where each mentioned user's ``@name`` is a ping, or the ping leads the text."""
    for user in reversed(mention):
        if not user.id.isdigit():
            continue
        tag = f"<@{user.id}>"
        if tag in text:
            continue
        written = f"@{user.name}" if user.name else ""
        if written and written in text:
            text = text.replace(written, tag, 1)
        else:
            text = f"{tag} {text}" if text else tag
    return text


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


async def send_in_pieces(text: str, send: Callable[[str, bool, bool], Awaitable[Sent]]) -> Sent:
    """Send ``text`` in as many messages as Discord's limit asks; returns the last one sent.

    ``send(piece, first, final)`` sends one piece: a reply points from the first, and buttons and
    an attachment go with the final one, under the end of the text.
    """
    pieces = split_text(text)
    for index, piece in enumerate(pieces[:-1]):
        await send(piece, index == 0, False)
    return await send(pieces[-1], len(pieces) == 1, True)
