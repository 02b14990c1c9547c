"""What the adapter learns from the updates it sees: usernames, forum topics, message threads.

The Bot API cannot look a user up by username, nor say which topic a reacted message is in, nor
list a forum's topics: the adapter remembers what updates told it, in bounded memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from telegram import Chat, Message, Update, User
from telegram.constants import MessageEntityType

from bot.adapters.telegram.convert import topic_name_in, topic_name_told, user_ref
from bot.events import UserRef

MAX_USERS = 50_000
MAX_MESSAGES = 100_000
MAX_TOPICS_PER_CHAT = 1_000


class Directory:
    """Bounded memory of users by username, topics by chat and the topic of recent messages."""

    def __init__(
        self,
        *,
        max_users: int = MAX_USERS,
        max_messages: int = MAX_MESSAGES,
        max_topics_per_chat: int = MAX_TOPICS_PER_CHAT,
    ) -> None:
        self._max_users = max_users
        self._max_messages = max_messages
        self._max_topics = max_topics_per_chat
        self._by_username: OrderedDict[str, UserRef] = OrderedDict()
        self._username_of: dict[str, str] = {}
        self._senders: OrderedDict[str, None] = OrderedDict()
        self._threads: OrderedDict[tuple[int, int], int] = OrderedDict()
        self._topics: dict[int, OrderedDict[int, str]] = {}
        self._titles: dict[int, str] = {}

    # -- learning ---------------------------------------------------------------------------------

    def learn(self, update: Update) -> set[int]:
        """Remember what ``update`` tells; return the chats whose topic names changed."""
        changed: set[int] = set()
        for user in _users_in(update):
            self.remember_user(user)
        for sender_chat in _sender_chats_in(update):
            self._remember_sender(str(sender_chat.id))
        chat = update.effective_chat
        if chat is not None and chat.title:
            self._titles[chat.id] = chat.title
        message = update.message or update.edited_message
        if message is not None and message.is_topic_message and message.message_thread_id:
            thread = message.message_thread_id
            self.remember_message(message.chat.id, message.message_id, thread)
            known = self.topic_name(message.chat.id, thread)
            # The message replied to (the topic's creation) keeps the name it was created with.
            name = topic_name_told(message) or (None if known else topic_name_in(message))
            if name and known != name:
                self.remember_topic(message.chat.id, thread, name)
                changed.add(message.chat.id)
        return changed

    def remember_user(self, user: User) -> None:
        """Remember a user, and their username if they have one."""
        self._remember_sender(str(user.id))
        if not user.username:
            return
        key = user.username.casefold()
        reference = user_ref(user)
        previous = self._username_of.get(reference.id)
        if previous is not None and previous != key:
            self._by_username.pop(previous, None)  # the old name may now be someone else's
        self._by_username[key] = reference
        self._by_username.move_to_end(key)
        self._username_of[reference.id] = key
        while len(self._by_username) > self._max_users:
            _, dropped = self._by_username.popitem(last=False)
            self._username_of.pop(dropped.id, None)

    def _remember_sender(self, sender_id: str) -> None:
        self._senders[sender_id] = None
        self._senders.move_to_end(sender_id)
        while len(self._senders) > self._max_users:
            self._senders.popitem(last=False)

    def remember_message(self, chat_id: int, message_id: int, thread_id: int | None) -> None:
        """Remember the forum topic of a message (the bot's own included)."""
        if thread_id is None:
            return
        self._threads[(chat_id, message_id)] = thread_id
        while len(self._threads) > self._max_messages:
            self._threads.popitem(last=False)

    def remember_topic(self, chat_id: int, thread_id: int, name: str) -> None:
        """Remember the name of a forum topic."""
        topics = self._topics.setdefault(chat_id, OrderedDict())
        topics[thread_id] = name
        while len(topics) > self._max_topics:
            topics.popitem(last=False)

    # -- looking up -------------------------------------------------------------------------------

    def user_by_username(self, username: str) -> UserRef | None:
        """The user last seen with ``username`` (no ``@``, any case)."""
        return self._by_username.get(username.removeprefix("@").casefold())

    def knows_sender(self, sender_id: str) -> bool:
        """Whether a user, or a chat posting as itself, with this id was seen lately."""
        return sender_id in self._senders

    def thread_of(self, chat_id: int, message_id: int) -> int | None:
        """The forum topic of a message seen before."""
        return self._threads.get((chat_id, message_id))

    def topic_name(self, chat_id: int, thread_id: int) -> str | None:
        """The name of a forum topic seen before."""
        topics = self._topics.get(chat_id)
        return None if topics is None else topics.get(thread_id)

    def topics(self, chat_id: int) -> dict[int, str]:
        """The topics of a chat seen so far, by thread id."""
        return dict(self._topics.get(chat_id) or {})

    def title(self, chat_id: int) -> str | None:
        """The title of a chat seen before."""
        return self._titles.get(chat_id)


def _users_in(update: Update) -> Iterator[User]:
    message = update.message or update.edited_message
    if message is not None:
        yield from _users_of_message(message)
        if message.reply_to_message is not None:
            yield from _users_of_message(message.reply_to_message)
    if update.chat_member is not None:
        yield update.chat_member.new_chat_member.user
    if update.message_reaction is not None and update.message_reaction.user is not None:
        yield update.message_reaction.user
    if update.callback_query is not None:
        yield update.callback_query.from_user


def _sender_chats_in(update: Update) -> Iterator[Chat]:
    message = update.message or update.edited_message
    for source in (message, message and message.reply_to_message):
        if source is not None and source.sender_chat is not None:
            yield source.sender_chat


def _users_of_message(message: Message) -> Iterator[User]:
    if message.from_user is not None:
        yield message.from_user
    yield from message.new_chat_members
    if message.left_chat_member is not None:
        yield message.left_chat_member
    for entity in (*message.entities, *message.caption_entities):
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user is not None:
            yield entity.user
