"""Groups upgraded to supergroups: one community, whatever chat id Telegram gives it now.

Telegram upgrades a group to a supergroup for good, under a new chat id: the old chat says
``migrate_to_chat_id``, the new one ``migrate_from_chat_id``, and any call to the old id is refused
naming the new one. The community goes on under the id the bot first knew it by: its override
file in the rule book, its members, strikes, cases and contests. The events of the new chat are
told under that id, and the actions on it go to the new chat. What moved where is kept between
runs (a handful of ids: a group is upgraded once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import fields, replace
from typing import Any

from bot.adapters.telegram.kept import KeptValue
from bot.events import ChannelRef, CommunityRef, Event, MemberRef, MessageRef, UserRef
from bot.state import StateStore

log = logging.getLogger(__name__)

STATE_KEY = "telegram:migrations"
# An upgrade is one step (a supergroup is never upgraded again); a loop in a damaged store
# must not hang the bot.
MAX_STEPS = 8


class Migrations:
    """Which chats became which; kept in the state store."""

    def __init__(self, state: StateStore | None) -> None:
        self._kept = KeptValue(state, STATE_KEY, "which Telegram groups became supergroups")
        self._became: dict[int, int] = {}
        self._was: dict[int, int] = {}
        self._loading = asyncio.Lock()
        self._loaded = False

    async def load(self) -> None:
        """Read what was kept, once (again at the next call if the store did not answer)."""
        if self._loaded:
            return
        async with self._loading:
            if self._loaded:
                return
            answered, stored = await self._kept.read()
            if not answered:
                return
            kept = _parse(stored)
            for old, new in kept.items():
                if old not in self._became:  # what was learnt since is newer
                    self._learn(old, new)
            self._loaded = True
            if self._became != kept:
                # Learnt while the store did not answer: kept now, beside what it held.
                await self._write()

    def now(self, chat_id: int) -> int:
        """The id the chat has now: ``chat_id`` unless its group became a supergroup."""
        for _ in range(MAX_STEPS):
            if chat_id not in self._became:
                break
            chat_id = self._became[chat_id]
        return chat_id

    def known_as(self, chat_id: int) -> int:
        """The id the bot first knew the chat by: its community's id."""
        for _ in range(MAX_STEPS):
            if chat_id not in self._was:
                break
            chat_id = self._was[chat_id]
        return chat_id

    async def moved(self, old: int, new: int) -> None:
        """The group ``old`` became the supergroup ``new`` (told once, kept for good)."""
        await self.load()
        if old == new or self._became.get(old) == new:
            return  # both chats tell it, and a refused call may tell it again
        self._learn(old, new)
        log.info(
            "the Telegram group %s became the supergroup %s: it stays the community "
            "telegram-%s (same override file, same members and records)",
            old,
            new,
            self.known_as(new),
        )
        if self._loaded:  # else kept once the store answers, with what it holds
            await self._write()

    async def _write(self) -> None:
        await self._kept.write(lambda: json.dumps({str(o): n for o, n in self._became.items()}))

    def _learn(self, old: int, new: int) -> None:
        self._became[old] = new
        self._was[new] = old


def _parse(stored: str | None) -> dict[int, int]:
    if not stored:
        return {}
    found: dict[int, int] = {}
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        for old, new in json.loads(stored).items():
            found[int(old)] = int(new)
    return found


def told_as(event: Event, chat_id: int, community_id: int) -> Event:
    """``event``, from the chat ``chat_id``, told under the community's id ``community_id``:
    its community, channels (forum topics included), messages, and the group itself when an
    administrator posted anonymously as the group."""
    renamed = _Renaming(str(chat_id), str(community_id))
    changes = {
        field.name: renamed.value(getattr(event, field.name))
        for field in fields(event)
        if field.name not in ("at", "raw")
    }
    return replace(event, **changes)


class _Renaming:
    def __init__(self, chat_id: str, community_id: str) -> None:
        self._from = chat_id
        self._to = community_id

    def value(self, value: Any) -> Any:
        if isinstance(value, CommunityRef):
            return self.community(value)
        if isinstance(value, ChannelRef):
            return self.channel(value)
        if isinstance(value, MessageRef):
            return MessageRef(self.channel(value.channel), value.id)
        if isinstance(value, MemberRef):
            return MemberRef(
                self.community(value.community),
                self.user(value.user),
                value.roles,
                value.platform_moderator,
                value.powers,
            )
        if isinstance(value, UserRef):
            return self.user(value)
        if isinstance(value, tuple):
            return tuple(self.value(item) for item in value)
        return value

    def community(self, community: CommunityRef) -> CommunityRef:
        if community.id != self._from:
            return community
        return CommunityRef(community.platform, self._to, community.name)

    def channel(self, channel: ChannelRef) -> ChannelRef:
        chat, colon, thread = channel.id.partition(":")
        channel_id = f"{self._to}{colon}{thread}" if chat == self._from else channel.id
        return ChannelRef(self.community(channel.community), channel_id, channel.name)

    def user(self, user: UserRef) -> UserRef:
        if user.id != self._from:
            return user
        return UserRef(user.platform, self._to, user.name, user.is_bot)
