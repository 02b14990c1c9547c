"""Finding the member or channel a person meant by what they typed, and what the bot asks
Telegram about a group's members: its administrators, its member count.

Members: a numeric id, asked of Telegram, or an ``@username`` the bot has seen (the Bot API finds
no one by name). Channels: the group itself (by id, title or ``general``), one of its known forum
topics (by name or id), or another chat by numeric id (a mod-log kept elsewhere). Only Telegram's
"unknown member" means nobody: a request Telegram failed is a :class:`PlatformError`, so that a
moderator is not told a member does not exist when Telegram could not say.
"""

from __future__ import annotations

import re

from bot.adapters.telegram.administrators import (
    Administrator,
    Administrators,
    administrator_of,
    listed,
)
from bot.adapters.telegram.connection import Connection
from bot.adapters.telegram.convert import PLATFORM, channel_id, parse_channel_id, user_ref
from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.headcount import Headcounts
from bot.adapters.telegram.kept import KeptTopics
from bot.clock import Clock
from bot.events import ChannelRef, CommunityRef, MemberRef
from bot.platform import PlatformError

_SLUG = re.compile(r"[\W_]+")


def _slug(text: str) -> str:
    return _SLUG.sub("", text.casefold())


class Lookup:
    """The members and channels of the groups, as Telegram and the bot's directory know them."""

    def __init__(
        self, connection: Connection, directory: Directory, topics: KeptTopics, clock: Clock
    ) -> None:
        self._connection = connection
        self._migrations = connection.migrations
        self._directory = directory
        self._topics = topics
        self.administrators = Administrators(self._fetch_administrators)
        self.headcounts = Headcounts(self._count_members, clock)

    async def _fetch_administrators(self, chat_id: int) -> dict[int, Administrator]:
        members = await self._connection.in_chat(
            "list_administrators", chat_id, lambda bot, chat: bot.get_chat_administrators(chat)
        )
        return listed(members)

    async def member_count(self, community: CommunityRef) -> int | None:
        """The community's member count, or None when it cannot tell (:mod:`.headcount`)."""
        try:
            chat_id = await self._connection.chat("member_count", community)
        except PlatformError:
            return None
        return await self.headcounts.of(chat_id)

    async def _count_members(self, chat_id: int) -> int:
        return await self._connection.in_chat(
            "member_count", chat_id, lambda bot, chat: bot.get_chat_member_count(chat)
        )

    async def member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """The member ``text`` names in ``community``, or None when there is none."""
        wanted = text.strip()
        try:
            chat_id = await self._connection.chat("find_member", community)
        except PlatformError:
            return None
        # ASCII only: str.isdigit() also holds for "²", which int() refuses.
        if wanted.isascii() and wanted.isdigit():
            try:
                found = await self._connection.in_chat(
                    "find_member",
                    chat_id,
                    lambda bot, chat: bot.get_chat_member(chat, int(wanted)),
                    community=community,
                )
            except PlatformError as error:
                if error.key == "unknown_member":
                    return None
                raise
            self._directory.remember_user(found.user)
            standing = administrator_of(found)
            return MemberRef(
                community,
                user_ref(found.user),
                platform_moderator=standing is not None,
                powers=frozenset() if standing is None else standing.powers,
            )
        user = self._directory.user_by_username(wanted)
        if user is None:
            return None
        administrators = await self.administrators.of(chat_id)
        return MemberRef(
            community,
            user,
            platform_moderator=int(user.id) in administrators,
            powers=administrators.get(int(user.id), frozenset()),
        )

    async def channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """The channel ``text`` names for ``community``, or None when there is none."""
        wanted = text.strip().removeprefix("#").strip()
        try:
            known_as = int(community.id)
        except ValueError:
            return None
        if not wanted:
            return None
        await self._migrations.load()
        # Topics and titles are learnt under the chat's id now; channels are named, as the
        # events name them, under the community's.
        chat_id = self._migrations.now(known_as)
        await self._topics.load(chat_id)
        topics = self._directory.topics(chat_id)
        title = self._directory.title(chat_id) or community.name
        group = ChannelRef(community, community.id, title)
        try:
            target, thread = parse_channel_id(wanted)
        except ValueError:
            key = _slug(wanted)
            if key and key in (_slug(title), "general"):
                return group
            for thread_id, name in topics.items():
                if _slug(name) == key:
                    return ChannelRef(community, channel_id(known_as, thread_id), name)
            return None
        if self._migrations.now(target) == chat_id:  # either of its ids, once upgraded
            if thread is None:
                return group
            return ChannelRef(community, channel_id(known_as, thread), topics.get(thread, ""))
        if thread is None and target in topics:
            return ChannelRef(community, channel_id(known_as, target), topics[target])
        title = self._directory.title(self._migrations.now(target)) or ""
        elsewhere = CommunityRef(PLATFORM, str(target), title)
        return ChannelRef(elsewhere, channel_id(target, thread), elsewhere.name)
