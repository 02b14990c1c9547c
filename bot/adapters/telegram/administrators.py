"""Who administers each chat, and with which rights: asked once (``getChatAdministrators``),
then cached.

Chat administrators are platform moderators; their rights give their powers (:func:`powers_of`):
the bot does for an administrator only what Telegram would let them do themselves. The list is
kept for a while and asked again as soon as a ``chat_member`` update says someone became or
stopped being an administrator or had their rights changed, or a ``my_chat_member`` update that
the bot's own standing changed. Until Telegram answers, the last known list holds (with the change
the update told): a failed question never leaves a group's administrators without their moderator
rights.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import NamedTuple

from telegram import ChatMember, ChatMemberAdministrator, ChatMemberOwner

from bot.events import Power
from bot.platform import PlatformError

log = logging.getLogger(__name__)

FRESH_FOR = 15 * 60.0
FAILED_FRESH_FOR = 60.0  # retry an unanswered question soon, but not on every message
MAX_CHATS = 10_000

EVERY_POWER = frozenset(Power)
SANCTIONS = frozenset({Power.BAN, Power.KICK, Power.TIMEOUT})
"""What Telegram's "Ban users" right (``can_restrict_members``) allows: its bans, removals and
restrictions are one right."""

AdministratorPowers = Mapping[int, frozenset[Power]]
"""The powers of a chat's administrators by sender id: each administrator's user id, and the
chat's own id for an administrator posting anonymously, as the group (see :func:`by_sender`)."""


class Administrator(NamedTuple):
    """An administrator's powers, and whether they post anonymously (as the group)."""

    powers: frozenset[Power]
    anonymous: bool = False


def administrator_of(member: ChatMember) -> Administrator | None:
    """What a chat member's standing lets them do to others; None for one who is no
    administrator.

    The owner holds every power; an administrator, those their rights give: "Ban users"
    (``can_restrict_members``) to ban, remove and time out, "Delete messages" to delete, "Change
    group info" (``can_change_info``) to manage the group (its rule book, its members' data).
    """
    if isinstance(member, ChatMemberOwner):
        return Administrator(EVERY_POWER, bool(member.is_anonymous))
    if not isinstance(member, ChatMemberAdministrator):
        return None
    powers: set[Power] = set()
    if member.can_restrict_members:
        powers |= SANCTIONS
    if member.can_delete_messages:
        powers.add(Power.DELETE)
    if member.can_change_info:
        powers.add(Power.MANAGE)
    return Administrator(frozenset(powers), bool(member.is_anonymous))


def by_sender(chat_id: int, administrators: Mapping[int, Administrator]) -> AdministratorPowers:
    """The powers of a chat's administrators by sender id.

    A message an administrator posts anonymously comes from the group itself, not from them:
    under the chat's id, it holds the powers every anonymous administrator holds, since any of
    them may have sent it (none when no administrator is known to be anonymous).
    """
    found = {user_id: administrator.powers for user_id, administrator in administrators.items()}
    anonymous = [held.powers for held in administrators.values() if held.anonymous]
    if anonymous:
        found[chat_id] = frozenset.intersection(*anonymous)
    return found


def listed(members: Iterable[ChatMember]) -> dict[int, Administrator]:
    """The administrators of a ``getChatAdministrators`` answer, by user id."""
    found: dict[int, Administrator] = {}
    for member in members:
        administrator = administrator_of(member)
        if administrator is not None:
            found[member.user.id] = administrator
    return found


class Administrators:
    """The administrators of each chat and their powers, fetched on demand."""

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Mapping[int, Administrator]]],
        *,
        fresh_for: float = FRESH_FOR,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._fresh_for = fresh_for
        self._monotonic = monotonic
        self._known: OrderedDict[int, _Known] = OrderedDict()
        self._failing: set[int] = set()
        """Chats whose list Telegram last refused: said once, not on every retry."""

    async def of(self, chat_id: int) -> AdministratorPowers:
        """The powers of the chat's administrators by sender id (:func:`by_sender`): the last
        known ones while Telegram does not answer, none if it never did."""
        now = self._monotonic()
        cached = self._known.get(chat_id)
        if cached is not None and cached.expires > now:
            return cached.powers
        try:
            administrators = dict(await self._fetch(chat_id))
            expires = now + self._fresh_for
        except PlatformError as error:
            if chat_id not in self._failing:
                self._failing.add(chat_id)
                log.warning(
                    "could not list the administrators of %s (%s); keeping the last known list "
                    "and asking again every %.0f s",
                    chat_id,
                    error,
                    min(FAILED_FRESH_FOR, self._fresh_for),
                )
            administrators = dict(cached.administrators) if cached is not None else {}
            expires = now + min(FAILED_FRESH_FOR, self._fresh_for)
        else:
            if chat_id in self._failing:
                self._failing.discard(chat_id)
                log.info("listed the administrators of %s again", chat_id)
        known = _Known.of(chat_id, expires, administrators)
        self._known[chat_id] = known
        self._known.move_to_end(chat_id)
        while len(self._known) > MAX_CHATS:
            self._failing.discard(self._known.popitem(last=False)[0])
        return known.powers

    def forget(self, chat_id: int) -> None:
        """Ask again next time (the bot's own standing changed); the list known so far holds
        until Telegram answers."""
        cached = self._known.get(chat_id)
        if cached is not None:
            self._known[chat_id] = cached._replace(expires=float("-inf"))

    def changed(self, chat_id: int, user_id: int, standing: Administrator | None) -> None:
        """A member was promoted, demoted, given other rights or left as an administrator: ask
        again next time, and until Telegram answers, count them as the update said
        (``standing``, None for no administrator)."""
        cached = self._known.get(chat_id)
        if cached is None:
            return
        administrators = dict(cached.administrators)
        if standing is None:
            administrators.pop(user_id, None)
        else:
            administrators[user_id] = standing
        self._known[chat_id] = _Known.of(chat_id, float("-inf"), administrators)


class _Known(NamedTuple):
    expires: float
    administrators: Mapping[int, Administrator]
    powers: AdministratorPowers

    @classmethod
    def of(
        cls, chat_id: int, expires: float, administrators: Mapping[int, Administrator]
    ) -> _Known:
        return cls(expires, administrators, by_sender(chat_id, administrators))
