"""Answers meant for one member: where they go on Telegram, which has no message only one member
of a group sees.

A cog answers a member alone with ``send(..., private_to=member)`` (Discord shows such an answer
to that member only). On Telegram it goes where only they see it, by what it answers:

- a **button press**: the press's own notice (``answerCallbackQuery``), shown to them alone;
- a **reaction** (Telegram has no notice for one): a private message if they have started the
  bot, else nowhere: their reaction is counted on the post, which is what they see;
- a **command**: a private message if they have started the bot, else in the group as a reply to
  their command (with, under a moderator's command, once, a button opening the private chat).

What the member asked is kept in a context variable while the adapter hands their update to the
core: whatever the cogs answer while handling it knows what it answers.
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from telegram import Update
from telegram.constants import ChatType

MAX_NOTICE = 200
"""Characters of a button press's notice (``answerCallbackQuery``), Telegram's limit."""
ELLIPSIS = "…"
NOTICE = "notice"
"""The id of what ``send`` returns for an answer shown as a press's notice: no message."""
UNSENT = "unsent"
"""The id of what ``send`` returns for an answer to a reaction that went nowhere."""
REMEMBERED = 10_000
"""Members whose private chat the bot remembers as open or closed (the oldest forgotten first:
a forgotten one is tried again), and as many offers of the private chat; kept between runs."""


class Asked(Enum):
    """What a member did that the bot is handling."""

    PRESS = "press"
    REACTION = "reaction"
    MESSAGE = "message"


@dataclass
class Asking:
    """A member's update the adapter is handing to the core, and what was answered to it."""

    kind: Asked
    chat_id: int
    user_id: int
    message_id: int | None = None
    command: bool = False
    """Whether the message is a command (its private answers may go privately)."""
    moderators: bool = False
    """Whether the command is a moderators' one (its answers, in the group, offer the private
    chat once)."""
    notices: list[str] = field(default_factory=list)
    """What answers a button press: its notice."""
    finished: bool = False
    """Whether the core is done with the update: what a task it started says later answers
    nothing (a press's notice, shown once handled, cannot change)."""

    @classmethod
    def of(cls, update: Update) -> Asking | None:
        """What ``update`` asks, if a member in a group asks anything by it."""
        if update.callback_query is not None:
            query = update.callback_query
            message = query.message
            if message is None or message.chat.type not in _GROUPS:
                return None
            return cls(Asked.PRESS, message.chat.id, query.from_user.id, message.message_id)
        if update.message_reaction is not None:
            reaction = update.message_reaction
            if reaction.user is None or reaction.chat.type not in _GROUPS:
                return None
            return cls(Asked.REACTION, reaction.chat.id, reaction.user.id, reaction.message_id)
        message = update.message
        if message is None or message.from_user is None or message.chat.type not in _GROUPS:
            return None
        return cls(Asked.MESSAGE, message.chat.id, message.from_user.id, message.message_id)

    def answered_by(self, chat_id: int, user_id: str) -> bool:
        """Whether an answer meant for ``user_id`` alone in ``chat_id`` answers this: their
        press, their reaction or their command."""
        if self.finished or chat_id != self.chat_id or user_id != str(self.user_id):
            return False
        if self.kind is Asked.MESSAGE:
            return self.command
        return True

    def replied_by(self, chat_id: int, reply_to: str | None) -> bool:
        """Whether a message in ``chat_id`` replying to ``reply_to`` answers this command."""
        return (
            not self.finished
            and self.kind is Asked.MESSAGE
            and self.command
            and chat_id == self.chat_id
            and reply_to == str(self.message_id)
        )

    def notice(self) -> tuple[str, bool]:
        """The notice answering a press, and whether it is shown as an alert.

        A notice holds 200 characters: a longer answer is cut at a word and shown as an alert,
        which stays until the member closes it (a notice that long would vanish before it is
        read); the end of the text is what is lost.
        """
        text = "\n".join(self.notices).strip()
        if len(text) <= MAX_NOTICE:
            return text, False
        head = text[: MAX_NOTICE - len(ELLIPSIS)]
        cut = max(head.rfind(" "), head.rfind("\n"))
        if cut >= MAX_NOTICE // 2:
            head = head[:cut]
        return head.rstrip() + ELLIPSIS, True


_GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
K = TypeVar("K")
V = TypeVar("V")

_asking: ContextVar[Asking | None] = ContextVar("telegram_asking", default=None)


def asking() -> Asking | None:
    """What the member whose update is being handled asked, if anything."""
    return _asking.get()


@contextlib.contextmanager
def handling(asked: Asking | None) -> Iterator[Asking | None]:
    """Hand the update that asks ``asked`` to the core within this block."""
    token = _asking.set(asked)
    try:
        yield asked
    finally:
        _asking.reset(token)
        if asked is not None:
            asked.finished = True


class PrivateChats:
    """Who has started the bot (a private chat the bot may write in), as far as it knows.

    Telegram lets a bot write privately only to someone who started it, and says so only by
    refusing. A member is known to have started it once they write to it privately or a private
    message reaches them, and known not to once Telegram refuses one (or they block the bot);
    of one not known, the bot tries once. What it knows is kept between runs (:meth:`dump`).
    """

    def __init__(self, limit: int = REMEMBERED) -> None:
        self._limit = limit
        self._open: OrderedDict[int, bool] = OrderedDict()
        self._offered: OrderedDict[tuple[int, int], None] = OrderedDict()
        self.revision = 0
        """Counts what was learnt: what was kept is out of date once it moved (a member seen
        again, which only changes who is forgotten first, does not move it)."""

    def is_open(self, user_id: int) -> bool | None:
        """Whether the bot may write to ``user_id`` privately; None when it does not know."""
        return self._open.get(user_id)

    def opened(self, user_id: int) -> None:
        """``user_id`` started the bot (or a private message reached them)."""
        self._remember(self._open, user_id, True)

    def closed(self, user_id: int) -> None:
        """Telegram refused to write to ``user_id`` privately (not started, or blocked)."""
        self._remember(self._open, user_id, False)

    def offer(self, chat_id: int, user_id: int) -> bool:
        """Whether to offer ``user_id`` the private chat under an answer in ``chat_id``: once."""
        if (chat_id, user_id) in self._offered:
            return False
        self._remember(self._offered, (chat_id, user_id), None)
        return True

    def was_offered(self, chat_id: int, user_id: int) -> bool:
        """Whether ``user_id`` was offered the private chat under an answer in ``chat_id``."""
        return (chat_id, user_id) in self._offered

    def forget(self, user_id: int, chat_ids: Iterable[int]) -> None:
        """Forget ``user_id`` (an erasure): whether they started the bot, and the offers of the
        private chat made to them in ``chat_ids``. Whether they started it is theirs, not one
        group's: forgotten, it costs one more try of a private message."""
        if user_id in self._open:
            del self._open[user_id]
            self.revision += 1
        for key in {(chat_id, user_id) for chat_id in chat_ids}:
            if key in self._offered:
                del self._offered[key]
                self.revision += 1

    # -- kept between runs ------------------------------------------------------------------------

    def dump(self) -> str:
        """Everything remembered, as JSON text (oldest first)."""
        kept = {
            "open": [[user_id, int(is_open)] for user_id, is_open in self._open.items()],
            "offered": [list(key) for key in self._offered],
        }
        return json.dumps(kept, separators=(",", ":"))

    def restore(self, text: str | None) -> None:
        """Remember again what :meth:`dump` wrote, as older than what was learnt since; what
        cannot be read is skipped."""
        if not text:
            return
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            kept = json.loads(text)
            self._open = self._older(
                {int(user_id): bool(is_open) for user_id, is_open in kept.get("open", [])},
                self._open,
            )
            offered = kept.get("offered", [])
            self._offered = self._older(
                {(int(chat_id), int(user_id)): None for chat_id, user_id in offered},
                self._offered,
            )

    def _older(self, kept: dict[K, V], learnt: OrderedDict[K, V]) -> OrderedDict[K, V]:
        entries = OrderedDict((key, value) for key, value in kept.items() if key not in learnt)
        entries.update(learnt)
        while len(entries) > self._limit:
            entries.popitem(last=False)
        return entries

    def _remember(self, entries: OrderedDict[K, V], key: K, value: V) -> None:
        if key not in entries or entries[key] != value:
            self.revision += 1
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > self._limit:
            entries.popitem(last=False)
