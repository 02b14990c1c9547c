"""The Telegram platform: the ``Platform`` protocol over python-telegram-bot, driven by the core.

The platform holds its parts: the connection to the Bot API and its life cycle
(:mod:`.connection`), the updates coming in (:mod:`.intake`), what it posts (:mod:`.outgoing`),
the members and channels it finds (:mod:`.lookup`), and what it keeps between runs
(:mod:`.kept`). Here are the actions the core asks for: posting, deleting and purging, timeouts
and restrictions, kicks and bans, reactions; each goes to the chat by the id Telegram gives it
now, and each refusal is a :class:`PlatformError` (:mod:`.calls`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from telegram import Bot, BotCommand, ChatMember, ChatPermissions, ReplyParameters
from telegram.constants import ChatMemberStatus

from bot.adapters.telegram.answers import PrivateChats, asking
from bot.adapters.telegram.calls import PLATFORM_NAME, refusal, without_waiting
from bot.adapters.telegram.commands import command_menus, scope_of
from bot.adapters.telegram.connection import Connection
from bot.adapters.telegram.convert import (
    PLATFORM,
    is_chat_id,
    is_in_chat,
    parse_channel_id,
    parse_sender_id,
    parse_user_id,
)
from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.formatting import keyboard
from bot.adapters.telegram.intake import UpdateIntake
from bot.adapters.telegram.kept import KeptState, KeptThreads, KeptTopics
from bot.adapters.telegram.lookup import Lookup
from bot.adapters.telegram.migrations import Migrations
from bot.adapters.telegram.outgoing import Outgoing
from bot.adapters.telegram.purge import purge_chat
from bot.adapters.telegram.restrictions import Restrictions
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.startlinks import start_link
from bot.clock import Clock, SystemClock
from bot.commands.spec import CommandSpec
from bot.connections import Degraded
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.leftovers import Leftover, purge_refusal
from bot.periodic import PeriodicFlush
from bot.platform import (
    Button,
    Capability,
    EventSink,
    MissingCapabilityError,
    PlatformError,
    TimeoutRange,
)
from bot.state import PublishedDigest, StateStore

log = logging.getLogger(__name__)

# Telegram takes a restriction shorter than 30 s or longer than 366 days as "forever".
RESTRICTION_RANGE = TimeoutRange(timedelta(seconds=40), timedelta(days=365))
# A kick is a ban lifted at once; the ban is short so that it expires by itself if the lift fails.
KICK_BAN = timedelta(seconds=60)

KEPT_FLUSH_EVERY = 30.0
"""Seconds between two writes of the topics of messages a chat keeps between runs (and at stop)."""


class TelegramPlatform:
    """Jardinier on Telegram: groups and supergroups are communities, forum topics channels.

    A group upgraded to a supergroup stays the community it was (:mod:`.migrations`).
    """

    name = PLATFORM
    # Named one by one, so that a capability added later is not granted unasked: no roles, and
    # no private answers (one for a member who has not started the bot lands in the group).
    capabilities = frozenset(
        {
            Capability.SEND,
            Capability.DM,
            Capability.DELETE,
            Capability.TIMEOUT,
            Capability.KICK,
            Capability.BAN,
            Capability.UNBAN,
            Capability.REACT,
            Capability.BUTTONS,
            Capability.FILES,
            Capability.RESTRICT,
            Capability.MEMBER_COUNT,
        }
    )
    timeout_range = RESTRICTION_RANGE

    def __init__(
        self,
        settings: TelegramSettings,
        state: StateStore | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self._state = state
        self._clock = clock or SystemClock()
        self.migrations = Migrations(state)
        self.connection = Connection(settings, self.migrations, state, self._clock)
        self.application = self.connection.application
        self.directory = Directory()
        self.restrictions = KeptState(
            Restrictions(), state, "telegram:restrictions", "the members held at the charter gate"
        )
        self.private_chats = KeptState(
            PrivateChats(), state, "telegram:private_chats", "who has started the bot"
        )
        self._unpublished: list[CommandSpec] | None = None
        self.topics = KeptTopics(self.directory, state)
        self.threads = KeptThreads(self.directory, state)
        self.lookup = Lookup(self.connection, self.directory, self.topics, self._clock)
        self.administrators = self.lookup.administrators
        self.headcounts = self.lookup.headcounts
        self.outgoing = Outgoing(self.connection, self.threads, self.private_chats)
        self.intake = UpdateIntake(
            self.connection,
            directory=self.directory,
            administrators=self.administrators,
            headcounts=self.headcounts,
            private_chats=self.private_chats,
            restrictions=self.restrictions,
            topics=self.topics,
            threads=self.threads,
            clock=self._clock,
        )
        self.connection.listen(self.intake.received, self.intake.failed)
        # The topics of messages change with every message in a topic: kept in the background.
        self._kept_flush = PeriodicFlush(
            "telegram-kept", lambda: KEPT_FLUSH_EVERY, self._flush_kept, log
        )

    # -- life cycle -------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Connect, then feed every update to ``sink`` until :meth:`stop`."""
        self.intake.sink = sink
        self._kept_flush.start()
        await self.connection.serve(self._publish_waiting)

    async def ready(self) -> None:
        """Return once the Bot API answers (the bot knows who it is and can act)."""
        await self.connection.ready()

    async def stop(self) -> None:
        """Stop polling (or serving the webhook); :meth:`start` returns promptly. What is kept
        between runs is written one last time."""
        await self.connection.stop()
        await self._kept_flush.stop()

    async def _flush_kept(self) -> None:
        await self.topics.flush()
        await self.threads.flush()

    def reconnecting(self) -> bool:
        """Whether polling Telegram failed lately and is being tried again (the heartbeat
        file says so; see :mod:`bot.connections`)."""
        return self.connection.reconnecting()

    def degraded(self) -> Degraded | None:
        """Whether Telegram says its deliveries to the webhook fail: the bot can act, but
        hears nothing (the heartbeat file says so; see :mod:`bot.connections`)."""
        return self.connection.degraded()

    async def _publish_waiting(self) -> None:
        """Publish the command menus that waited for the connection."""
        if self._unpublished is not None:
            try:
                await self.sync_commands(self._unpublished)
            except PlatformError as error:
                log.warning("could not publish the commands on Telegram: %s", error)

    # -- commands --------------------------------------------------------------------------------

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Publish the command menus (skipped when they have not changed since last time)."""
        specs = list(specs)
        self.intake.learn_commands(specs)
        menus = command_menus(specs)
        digest = hashlib.sha256(
            json.dumps(menus, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        published = PublishedDigest(
            self._state, f"telegram:commands:{self.settings.bot_id}", "command menus"
        )
        if await published.unchanged(digest):
            self._unpublished = None
            return
        self._unpublished = specs
        for menu in menus:
            await self._publish_menu(menu)
        self._unpublished = None
        await published.record(digest)

    async def _publish_menu(self, menu: Mapping[str, Any]) -> None:
        commands = [BotCommand(item["command"], item["description"]) for item in menu["commands"]]
        scope = scope_of(menu["scope"])
        language = menu["language_code"] or None
        await self.connection.api(
            "sync_commands",
            lambda bot: bot.set_my_commands(commands, scope=scope, language_code=language),
        )

    # -- whom an action is for -------------------------------------------------------------------

    def _user(self, action: str, user: UserRef, community: CommunityRef | None = None) -> int:
        """A person's id. A chat that posted as itself (a channel, the group for an anonymous
        administrator) is refused: writing to its id would post in the channel, and Telegram
        cannot restrict it."""
        try:
            return parse_user_id(user.id)
        except ValueError:
            raise refusal(
                action, "not_a_user", community=community, target=user.name or user.id
            ) from None

    def _sender(self, action: str, user: UserRef, community: CommunityRef) -> int:
        """A person's id, or the (negative) id of a chat that posted as itself."""
        try:
            sender_id = parse_sender_id(user.id)
        except ValueError:
            raise refusal(
                action, "not_a_user", community=community, target=user.name or user.id
            ) from None
        return self.migrations.now(sender_id) if is_chat_id(sender_id) else sender_id

    async def _member(self, action: str, member: MemberRef) -> tuple[int, int]:
        """The member's chat, as it is now, and their user id."""
        chat_id = await self.connection.chat(action, member.community)
        return chat_id, self._user(action, member.user, member.community)

    def _restriction_end(self, until: datetime) -> datetime:
        now = self._clock.now()
        return now + self.timeout_range.clamp(until - now)

    # -- the Platform actions --------------------------------------------------------------------

    async def send(
        self,
        channel: ChannelRef,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        buttons: Sequence[Button] = (),
        file: Path | None = None,
        mention: Sequence[UserRef] = (),
        private_to: MemberRef | None = None,
    ) -> MessageRef:
        """Post ``text`` as escaped HTML in the group or topic.

        Telegram has no message only one member of a group sees: an answer ``private_to`` a
        member goes, by what it answers, as the notice of their button press, privately if they
        have started the bot, nowhere (a reaction's), or in the channel (see :mod:`.answers`).
        An answer to a member, privately or in the channel, that Telegram's flood control holds
        back is dropped rather than keep the chat's next updates waiting.
        """
        community = channel.community
        try:
            chat_id, thread_id = parse_channel_id(channel.id)
        except ValueError:
            raise refusal("send", "not_a_chat", community=community, target=channel.id) from None
        asked = asking()
        # An answer for one member of a group (in a private chat, where a start link's command
        # runs, every answer is theirs alone already).
        alone = private_to is not None and chat_id < 0
        answer = False
        if asked is not None:
            here = self.migrations.now(chat_id)
            if alone and private_to is not None and asked.answered_by(here, private_to.user.id):
                answered = await self.outgoing.answer_alone(
                    asked, channel, text, buttons=buttons, file=file, mention=mention
                )
                if answered is not None:
                    return answered
                answer = True
            elif asked.replied_by(here, reply_to.id if reply_to is not None else None):
                answer = True
        link = None
        if answer and asked is not None and asked.moderators and alone:
            link = await self.outgoing.private_chat_link(asked)
        try:
            markup = keyboard([(button.id, button.label) for button in buttons], link=link)
        except ValueError as error:
            log.warning("a cog's button does not fit Telegram: %s", error)
            raise refusal("send", "button_too_long", community=community) from None
        reply = None
        if reply_to is not None and reply_to.id.isdigit():
            with contextlib.suppress(ValueError):
                if parse_channel_id(reply_to.channel.id)[0] == chat_id:
                    reply = ReplyParameters(int(reply_to.id), allow_sending_without_reply=True)
        with without_waiting() if answer else contextlib.nullcontext():
            sent = await self.outgoing.post(
                chat_id,
                thread_id,
                text,
                mention=mention,
                file=file,
                reply=reply,
                markup=markup,
                community=community,
            )
        if not sent:
            raise refusal("send", "empty_message", community=community)
        return MessageRef(channel, str(sent[-1].message_id))

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> None:
        """Write privately; Telegram allows it only once the member has started the bot."""
        user_id = self._user("dm", user, community)
        try:
            await self.outgoing.post(
                user_id,
                None,
                text,
                file=file,
                community=community,
                action="dm",
                subject=user.name or user.id,
            )
        except PlatformError as error:
            if error.key == "not_started":
                await self.private_chats.change(lambda chats: chats.closed(user_id))
            raise
        await self.private_chats.change(lambda chats: chats.opened(user_id))

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """A link that opens a private chat with the bot and runs ``command`` there for the
        group: the bot may write to a member only once they started it."""
        try:
            chat_id, _ = parse_channel_id(community.id)
        except ValueError:
            return None
        return start_link(self.connection.identity.username, command, self.migrations.now(chat_id))

    async def delete(self, message: MessageRef) -> None:
        """Delete a message (needs the Delete messages right; 48 hours at most)."""
        community = message.community
        try:
            chat_id, _ = parse_channel_id(message.channel.id)
            message_id = int(message.id)
        except ValueError:
            raise refusal(
                "delete", "not_a_message", community=community, target=message.id
            ) from None
        await self.connection.in_chat(
            "delete",
            chat_id,
            lambda bot, chat: bot.delete_message(chat, message_id),
            community=community,
        )

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        """Delete messages for a purge, a hundred per call (Telegram's deleteMessages limit).

        Every chat and every message is tried; one already gone counts as deleted. What could
        not be deleted is refused once, at the end, naming the chats where it stayed.
        """
        if not messages:
            return
        community = messages[0].community
        by_chat: dict[int, tuple[str, dict[int, None]]] = {}
        for message in messages:
            try:
                chat_id, _ = parse_channel_id(message.channel.id)
                message_id = int(message.id)
            except ValueError:
                log.debug("%r is not a Telegram message; not deleted", message.id[:40])
                continue
            where = message.community.name or message.community.id
            by_chat.setdefault(chat_id, (where, {}))[1][message_id] = None
        left: list[Leftover] = []
        for chat_id, (where, ids) in by_chat.items():
            left.extend(await self._purge_chat(chat_id, list(ids), community, where))
        if left:
            raise purge_refusal(left)

    async def _purge_chat(
        self, chat_id: int, ids: list[int], community: CommunityRef, where: str
    ) -> list[Leftover]:
        """Purge one chat; what stayed. Refusals name the chat, which may not be the purging
        community's (a channel kept in another group), and go to that community's mod-log."""

        async def purge(call: Callable[[Bot, int], Awaitable[bool]]) -> None:
            try:
                await self.connection.in_chat("purge", chat_id, call, community=community)
            except PlatformError as refused:
                raise refused.with_values(where=where) from None

        async def delete_batch(batch: list[int]) -> None:
            await purge(lambda bot, chat: bot.delete_messages(chat, batch))

        async def delete_one(message_id: int) -> None:
            await purge(lambda bot, chat: bot.delete_message(chat, message_id))

        return await purge_chat(ids, delete_batch, delete_one)

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> None:
        """Take every permission away until ``until``, 40 seconds to 365 days from now
        (:attr:`timeout_range`).

        A member held until lifted (a newcomer at the charter gate) is restricted with no end:
        lifting the timeout, by hand or when the core plans it, leaves them held.
        """
        chat_id, user_id = await self._member("timeout", member)
        held = (await self.restrictions.get()).is_held(chat_id, user_id)
        end = None if held else self._restriction_end(until)
        await self._restrict("timeout", member, chat_id, user_id, end)
        # Under the id the chat has now: the call may have found it upgraded.
        chat_id = self.migrations.now(chat_id)
        await self.restrictions.change(lambda kept: kept.timed_out(chat_id, user_id))

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> None:
        """Keep a member from posting, until ``until`` or until :meth:`unrestrict`."""
        chat_id, user_id = await self._member("restrict", member)
        end = None if until is None else self._restriction_end(until)
        await self._restrict("restrict", member, chat_id, user_id, end)
        if until is None:
            # Under the id the chat has now: the call may have found it upgraded.
            chat_id = self.migrations.now(chat_id)
            await self.restrictions.change(lambda kept: kept.held(chat_id, user_id))

    async def _restrict(
        self, action: str, member: MemberRef, chat_id: int, user_id: int, until: datetime | None
    ) -> None:
        await self.connection.in_chat(
            action,
            chat_id,
            lambda bot, chat: bot.restrict_chat_member(
                chat,
                user_id,
                ChatPermissions.no_permissions(),
                until_date=until,
                use_independent_chat_permissions=True,
            ),
            community=member.community,
            subject=member.name,
        )

    async def unrestrict(self, member: MemberRef) -> None:
        """Give a restricted member the group's permissions back; of a member both held until
        lifted and timed out, lift the timeout only (they stay restricted until the next lift)."""
        chat_id, user_id = await self._member("unrestrict", member)
        everything = await self.restrictions.change(lambda kept: kept.lifted(chat_id, user_id))
        if not everything:
            log.info("%s stays restricted in %s: held until lifted", user_id, chat_id)
            return
        await self.connection.in_chat(
            "unrestrict",
            chat_id,
            lambda bot, chat: bot.restrict_chat_member(
                chat, user_id, ChatPermissions.all_permissions()
            ),
            community=member.community,
            subject=member.name,
        )

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        """Remove a member who may come back: a ban lifted at once.

        Someone already banned (by another administrator) stays banned: a kick never lifts a ban
        it did not make.
        """
        chat_id, user_id = await self._member("kick", member)
        community, subject = member.community, member.name
        current: ChatMember = await self.connection.in_chat(
            "kick",
            chat_id,
            lambda bot, chat: bot.get_chat_member(chat, user_id),
            community=community,
            subject=subject,
        )
        if current.status == ChatMemberStatus.BANNED:
            log.info("%s is already banned from %s; the ban stays", user_id, chat_id)
            return
        if not is_in_chat(current):
            log.info("%s is not in %s; nothing to kick", user_id, chat_id)
            return
        until = self._clock.now() + KICK_BAN
        await self.connection.in_chat(
            "kick",
            chat_id,
            lambda bot, chat: bot.ban_chat_member(chat, user_id, until_date=until),
            community=community,
            subject=subject,
        )
        await self.connection.in_chat(
            "kick",
            chat_id,
            lambda bot, chat: bot.unban_chat_member(chat, user_id, only_if_banned=True),
            community=community,
            subject=subject,
        )

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> None:
        """Ban a member for good; ``delete_days`` > 0 also removes their messages.

        A channel that posted in the group is banned as a sender chat: none of its owner's
        channels may post there any more (the Bot API removes none of its past posts).
        """
        community = member.community
        chat_id = await self.connection.chat("ban", community)
        sender_id = self._sender("ban", member.user, community)
        call: Callable[[Bot, int], Awaitable[bool]]
        if is_chat_id(sender_id):
            call = partial(_ban_sender_chat, sender_chat_id=sender_id)
        else:
            call = partial(
                _ban_member,
                user_id=sender_id,
                revoke_messages=True if delete_days > 0 else None,
            )
        await self.connection.in_chat(
            "ban", chat_id, call, community=community, subject=member.name
        )

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> None:
        """Lift a ban (a member who is not banned is left alone), a channel's included."""
        chat_id = await self.connection.chat("unban", community)
        sender_id = self._sender("unban", user, community)
        call: Callable[[Bot, int], Awaitable[bool]]
        if is_chat_id(sender_id):
            call = partial(_unban_sender_chat, sender_chat_id=sender_id)
        else:
            call = partial(_unban_member, user_id=sender_id)
        await self.connection.in_chat(
            "unban", chat_id, call, community=community, subject=user.name or user.id
        )

    async def add_role(self, member: MemberRef, role: str) -> None:
        """Telegram has no roles."""
        raise MissingCapabilityError(
            "add_role", "no_roles", community=member.community, platform=PLATFORM_NAME
        )

    async def remove_role(self, member: MemberRef, role: str) -> None:
        """Telegram has no roles."""
        raise MissingCapabilityError(
            "remove_role", "no_roles", community=member.community, platform=PLATFORM_NAME
        )

    async def react(self, message: MessageRef, emoji: str) -> None:
        """React with ``emoji`` (one of the reactions Telegram allows)."""
        community = message.community
        try:
            chat_id, _ = parse_channel_id(message.channel.id)
            message_id = int(message.id)
        except ValueError:
            raise refusal(
                "react", "not_a_message", community=community, target=message.id
            ) from None
        await self.connection.in_chat(
            "react",
            chat_id,
            lambda bot, chat: bot.set_message_reaction(chat, message_id, emoji),
            community=community,
        )

    # -- what it keeps about members -------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """What the adapter remembers of ``user`` for the group (kept between runs): whether
        they started the bot (a private message reaches them) or not (Telegram refused one, or
        they blocked the bot), whether it offered them its private chat in the group, and
        whether it holds them at the charter gate or timed them out there."""
        about = await self._kept_about(community, user)
        if about is None:
            return {}
        chat_ids, user_id = about
        chats = await self.private_chats.get()
        restrictions = await self.restrictions.get()
        exported: dict[str, Any] = {}
        started = chats.is_open(user_id)
        if started is not None:
            exported["started_the_bot"] = started
        if any(chats.was_offered(chat_id, user_id) for chat_id in chat_ids):
            exported["offered_the_private_chat"] = True
        if any(restrictions.is_held(chat_id, user_id) for chat_id in chat_ids):
            exported["held_at_the_charter_gate"] = True
        if any(restrictions.is_timed_out(chat_id, user_id) for chat_id in chat_ids):
            exported["timed_out"] = True
        return exported

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget what the adapter remembers of ``user`` for the group.

        Their restriction on Telegram, if any, stays as it is: the welcome cog, forgetting a
        newcomer it holds at the gate, has already let them go (a timeout running then keeps
        them restricted until the lift planned at its end, which lifts everything), and a
        timeout is lifted on time all the same. Only the adapter's record goes: kept, a member
        nobody holds any more would stay held, a later timeout given no end.
        """
        about = await self._kept_about(community, user)
        if about is None:
            return
        chat_ids, user_id = about
        await self.private_chats.change(lambda chats: chats.forget(user_id, chat_ids))

        def forget(restrictions: Restrictions) -> None:
            for chat_id in chat_ids:
                restrictions.forget(chat_id, user_id)

        await self.restrictions.change(forget)

    async def _kept_about(
        self, community: CommunityRef, user: UserRef
    ) -> tuple[frozenset[int], int] | None:
        """The ids the group's chat went by (before and after an upgrade to a supergroup) and
        the user's id; None for what is no group or no person (a channel posting as itself:
        nothing is kept about it)."""
        try:
            chat_id, _ = parse_channel_id(community.id)
            user_id = parse_user_id(user.id)
        except ValueError:
            return None
        await self.migrations.load()
        return frozenset({chat_id, self.migrations.now(chat_id)}), user_id

    # -- finding members and channels ------------------------------------------------------------

    async def member_count(self, community: CommunityRef) -> int | None:
        """The group's member count: asked of Telegram at most every few minutes, moved by the
        joins and departures heard since (see :mod:`.headcount`); None when it cannot tell."""
        return await self.lookup.member_count(community)

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """A member by numeric id, or by an ``@username`` the bot has seen; None when Telegram
        knows no such member, a :class:`PlatformError` when it could not be asked."""
        return await self.lookup.member(community, text)

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """The group itself (by id, title or ``general``), one of its known forum topics (by
        name or id), or another chat by numeric id (a mod-log kept elsewhere)."""
        return await self.lookup.channel(community, text)


async def _ban_member(
    bot: Bot, chat_id: int, *, user_id: int, revoke_messages: bool | None
) -> bool:
    return await bot.ban_chat_member(chat_id, user_id, revoke_messages=revoke_messages)


async def _unban_member(bot: Bot, chat_id: int, *, user_id: int) -> bool:
    return await bot.unban_chat_member(chat_id, user_id, only_if_banned=True)


async def _ban_sender_chat(bot: Bot, chat_id: int, *, sender_chat_id: int) -> bool:
    return await bot.ban_chat_sender_chat(chat_id, sender_chat_id)


async def _unban_sender_chat(bot: Bot, chat_id: int, *, sender_chat_id: int) -> bool:
    return await bot.unban_chat_sender_chat(chat_id, sender_chat_id)
