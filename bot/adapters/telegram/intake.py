"""Telegram updates in: converted to neutral events and fed to the core.

Every update goes through :mod:`bot.adapters.telegram.convert` to the core, those of different
chats side by side and those of one chat in order (:mod:`bot.adapters.telegram.ordering`). On the
way, the adapter learns from it: the chats' titles and topics, who administers them, a group
upgraded to a supergroup, who has started the bot. A start link's ``/start`` in a private chat runs
its command for its group; a button press is acknowledged once the cogs have answered it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.adapters.telegram.administrators import Administrators, administrator_of
from bot.adapters.telegram.answers import Asking, PrivateChats, asking, handling
from bot.adapters.telegram.calls import without_waiting
from bot.adapters.telegram.connection import Connection
from bot.adapters.telegram.convert import (
    GROUP_TYPES,
    PLATFORM,
    convert_update,
    is_administrator,
    is_in_chat,
)
from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.headcount import Headcounts
from bot.adapters.telegram.joins import MembershipChanges
from bot.adapters.telegram.kept import KeptState, KeptThreads, KeptTopics
from bot.adapters.telegram.migrations import told_as
from bot.adapters.telegram.restrictions import Restrictions
from bot.adapters.telegram.startlinks import parse_start, private_command
from bot.clock import Clock
from bot.commands.spec import CommandSpec, OptionKind, Permission, folded
from bot.events import CommandInvoked, CommunityRef, MemberJoined, MemberLeft
from bot.platform import EventSink, PlatformError

log = logging.getLogger(__name__)


class UpdateIntake:
    """Receives every update from the application and feeds the neutral events to the sink."""

    def __init__(
        self,
        connection: Connection,
        *,
        directory: Directory,
        administrators: Administrators,
        headcounts: Headcounts,
        private_chats: KeptState[PrivateChats],
        restrictions: KeptState[Restrictions],
        topics: KeptTopics,
        threads: KeptThreads,
        clock: Clock,
    ) -> None:
        self.sink: EventSink | None = None
        self._connection = connection
        self._migrations = connection.migrations
        self._directory = directory
        self._administrators = administrators
        self._headcounts = headcounts
        self._private_chats = private_chats
        self._restrictions = restrictions
        self._topics = topics
        self._threads = threads
        self._clock = clock
        self._joins = MembershipChanges()
        self._command_names: frozenset[str] | None = None
        self._moderator_commands: frozenset[str] = frozenset()
        self._reply_targets: frozenset[str] = frozenset()

    def learn_commands(self, specs: Sequence[CommandSpec]) -> None:
        """The commands to recognise in members' messages, under every name they have."""
        self._command_names = frozenset(
            name for spec in specs for name in (spec.name, *spec.names.values())
        )
        self._moderator_commands = frozenset(
            name
            for spec in specs
            if spec.permission is Permission.MODERATOR
            for name in (spec.name, *spec.names.values())
        )
        self._reply_targets = frozenset(
            name
            for spec in specs
            if spec.options and spec.options[0].kind is OptionKind.MEMBER
            for name in (spec.name, *spec.names.values())
        )

    async def received(self, update: object, _context: object) -> None:
        """One update from the application: its events to the sink."""
        if not isinstance(update, Update):
            return
        # Whatever the cogs answer a member alone while handling this update knows what it
        # answers (a press's notice, a private message): see :mod:`.answers`.
        with handling(Asking.of(update)) as asked:
            try:
                await self._handle_update(update)
            finally:
                if update.callback_query is not None:
                    await self._answer_press(update.callback_query, asked)

    async def failed(self, update: object, context: Any) -> None:
        """What handling an update raised: logged, and the next update handled."""
        log.error("could not handle a Telegram update", exc_info=context.error)

    async def _handle_update(self, update: Update) -> None:
        await self._migrations.load()
        if update.message is not None:
            await self._follow_upgrade(update.message)
        chat = update.effective_chat
        if chat is not None and chat.type in GROUP_TYPES:
            # Before learning: a message in a topic replies to the topic's creation message,
            # whose name is taken only for a topic not known, kept ones included.
            await self._topics.load(chat.id)
        for chat_id in self._directory.learn(update):
            await self._topics.save(chat_id)
        self._keep_thread(update)
        if chat is None:
            return
        if update.chat_member is not None:
            # Joins and departures come by the hundred in a raid: only a change of who
            # administers the chat is worth asking Telegram again.
            change = update.chat_member
            if is_administrator(change.old_chat_member) or is_administrator(
                change.new_chat_member
            ):
                self._administrators.changed(
                    chat.id,
                    change.new_chat_member.user.id,
                    administrator_of(change.new_chat_member),
                )
        if update.my_chat_member is not None:
            self._administrators.forget(chat.id)
            self._headcounts.forget(chat.id)
            status = update.my_chat_member.new_chat_member.status
            log.info("my status in %s (%s) is now %s", chat.title, chat.id, status)
        if chat.type == ChatType.PRIVATE:
            await self._private_chat_news(update)
            if update.message is not None:
                await self._on_private_message(update.message)
        if chat.type not in GROUP_TYPES:
            return
        # A reaction, or a press on an old message, is filed under its message's topic, which
        # only a message seen before (maybe before a restart) tells.
        await self._threads.load(chat.id)
        administrators = await self._administrators.of(chat.id)
        events = convert_update(
            update,
            bot=self._connection.identity,
            administrators=administrators,
            lookups=self._directory,
            commands=self._command_names,
            reply_targets=self._reply_targets,
            now=self._clock.now(),
        )
        asked = asking()
        if asked is not None:
            for event in events:
                if isinstance(event, CommandInvoked):
                    asked.command = True
                    asked.moderators = folded(event.name) in self._moderator_commands
        community_id = self._migrations.known_as(chat.id)
        if community_id != chat.id:
            events = [told_as(event, chat.id, community_id) for event in events]
        for event in events:
            # A join told a second time is no arrival: the gate may already hold the newcomer
            # on the first telling, and forgetting that hold would free them.
            if not self._joins.is_new(event):
                continue
            if isinstance(event, MemberJoined | MemberLeft):
                await self._arrived_or_left(chat.id, int(event.member.user.id))
                self._headcounts.changed(chat.id, joined=isinstance(event, MemberJoined))
            if self.sink is not None:
                await self.sink(event)

    def _keep_thread(self, update: Update) -> None:
        """Keep the forum topic of a message posted in one (the directory learnt it too)."""
        message = update.message or update.edited_message
        if message is not None and message.is_topic_message and message.message_thread_id:
            self._threads.remember(message.chat.id, message.message_id, message.message_thread_id)

    async def _arrived_or_left(self, chat_id: int, user_id: int) -> None:
        await self._restrictions.change(lambda held: held.arrived_or_left(chat_id, user_id))

    async def _follow_upgrade(self, message: Message) -> None:
        """A group became a supergroup: both chats say so (the old one first)."""
        if message.migrate_to_chat_id:
            await self._migrations.moved(message.chat.id, message.migrate_to_chat_id)
        elif message.migrate_from_chat_id:
            await self._migrations.moved(message.migrate_from_chat_id, message.chat.id)

    async def _on_private_message(self, message: Message) -> None:
        """A member pressed Start on a start link: run its command for its group, if they are
        in that group (anyone may forge a link; only a member's own data is ever at stake)."""
        started = parse_start(message.text or "")
        sender = message.from_user
        if started is None or sender is None:
            return  # a plain /start, or a member talking to the bot: nothing to do
        name, linked = started
        user_id = sender.id
        chat_id = self._migrations.now(linked)  # a link written before the group was upgraded
        try:
            member = await self._connection.in_chat(
                "find_member", chat_id, lambda bot, chat: bot.get_chat_member(chat, user_id)
            )
        except PlatformError as error:
            log.info("could not check a start link for %s by %s: %s", chat_id, user_id, error)
            return
        if not is_in_chat(member):
            log.info("%s used a start link for %s, a group they are not in", user_id, chat_id)
            return
        community = CommunityRef(
            PLATFORM, str(self._migrations.known_as(chat_id)), self._directory.title(chat_id) or ""
        )
        administrators = await self._administrators.of(chat_id)
        if self.sink is not None:
            await self.sink(private_command(message, sender, name, community, administrators))

    async def _answer_press(self, query: CallbackQuery, asked: Asking | None) -> None:
        """Stop the spinner on the member's button, with what answered them alone as the
        press's notice, if anything did."""
        text, alert = asked.notice() if asked is not None else ("", False)
        try:
            with without_waiting():
                await self._connection.api(
                    "answer_button",
                    lambda bot: bot.answer_callback_query(
                        query.id, text=text or None, show_alert=alert
                    ),
                )
        except PlatformError as error:
            if text:
                log.warning(
                    "could not show %s the answer to their button press (%r): %s",
                    query.from_user.id,
                    text[:60],
                    error,
                )
            else:
                log.info("could not acknowledge a button press: %s", error)

    async def _private_chat_news(self, update: Update) -> None:
        """Learn who started the bot, or blocked it, from their private chat with it."""
        message = update.message
        if message is not None and message.from_user is not None:
            user_id = message.from_user.id
            await self._private_chats.change(lambda chats: chats.opened(user_id))
        change = update.my_chat_member
        if change is not None:
            chat_id = change.chat.id
            if change.new_chat_member.status == ChatMemberStatus.BANNED:
                await self._private_chats.change(lambda chats: chats.closed(chat_id))
            else:
                await self._private_chats.change(lambda chats: chats.opened(chat_id))
