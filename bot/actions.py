"""What cogs do, routed to the right platform, with missing capabilities and refusals absorbed.

Every action goes to the adapter of the platform its target lives on. An action the platform cannot
do is skipped and logged; a platform refusal (missing permission, unknown message, rate limit) is
reported once to the community's mod-log and logged as a warning once, both again after a day, a
rule book reload, or once the action worked in between; logged every time at DEBUG. The log names
the member acted on by id, where the mod-log names them as the moderators know them. Neither ever
reaches the cog as a crash; a cog that must say why something was not done (to the moderator who
asked) collects the refusals of a block of actions with :meth:`Actions.refusals`, and may name the
kinds it expects and answers itself (an unban of a member who is not banned), which the mod-log is
not told of.

A message the bot deletes reaches the cogs as a :class:`~bot.events.MessageDeleted`, as one its
author or a moderator deletes does where the platform reports deletions: Telegram reports none,
not even the bot's own, and the core hears Discord's report of the bot's deletions only once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import Clock, SystemClock
from bot.durations import format_duration
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.platform import Button, Capability, Platform, PlatformError
from bot.refusals import refusal_text
from bot.ruleconf import CoreTexts
from bot.warnedonce import AGAIN_AFTER, REMEMBERED, WarnedOnce

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REPORTED = 1_000
"""Refusals remembered as reported to a mod-log at most (the oldest is forgotten first)."""


class Refusals(list[str]):
    """Why the platforms refused a block's actions, in the mod-log's words; ``keys`` holds each
    refusal's kind (``rate_limited``, ``not_banned``), for a cog that decides what to do next,
    and ``errors`` the refusals themselves, for one that reads their values (how many messages
    a purge left: ``not_deleted``). Refusals of the kinds in ``expected`` are the block's own
    business: not reported."""

    def __init__(self, expected: Collection[str] = ()) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.errors: list[PlatformError] = []
        self.expected = frozenset(expected)


_collecting: ContextVar[Refusals | None] = ContextVar("jardinier_refusals", default=None)
"""Where the refusals of the running block go (a context variable: each task has its own)."""


class _Collecting(AbstractContextManager[Refusals]):
    """The block of :meth:`Actions.refusals` (a plain class: a generator-based context manager
    costs several calls more, for every rule that acts)."""

    __slots__ = ("_collected", "_token")

    def __init__(self, collected: Refusals) -> None:
        self._collected = collected
        self._token: Token[Refusals | None] | None = None

    def __enter__(self) -> Refusals:
        self._token = _collecting.set(self._collected)
        return self._collected

    def __exit__(self, *_exc: object) -> None:
        assert self._token is not None
        _collecting.reset(self._token)


class Actions:
    """The ``Platform`` actions for all platforms at once."""

    def __init__(
        self,
        platforms: Mapping[str, Platform],
        texts: Callable[[CommunityRef | None], CoreTexts],
        report: Callable[[CommunityRef, str], Awaitable[None]] | None = None,
        deleted: Callable[[Sequence[MessageRef]], Awaitable[None]] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._platforms = platforms
        self._report = report
        self._deleted = deleted
        self._texts = texts
        clock = clock or SystemClock()
        # Said once: a missing permission on a busy server is refused with every message.
        self._reported = WarnedOnce(clock, most=MAX_REPORTED)
        self._warned = WarnedOnce(clock)
        self._said_where: dict[tuple[str, str, Capability], set[tuple[WarnedOnce, str]]] = {}
        """The refusals reported or warned of, by where they happened: what to say again once
        it works (a permission taken back after it was granted is news to the moderators)."""

    def platform(self, name: str) -> Platform | None:
        """The adapter for platform ``name``, if it runs."""
        return self._platforms.get(name)

    def can(self, platform: str, capability: Capability) -> bool:
        """Whether ``platform`` has ``capability``."""
        adapter = self._platforms.get(platform)
        return adapter is not None and capability in adapter.capabilities

    def warn_again(self) -> None:
        """Report every refusal to the mod-log and log it as a warning again, the next time it
        happens (the rule book was reloaded: whoever changed something is told what is still
        refused)."""
        self._reported.clear()
        self._warned.clear()
        self._said_where.clear()

    def refusals(self, *, expected: Collection[str] = ()) -> AbstractContextManager[Refusals]:
        """Collect why the platforms refused what this block awaits, in the mod-log's words.

        Every refusal is collected, even one the mod-log was already told of. A refusal of a
        kind in ``expected`` (``not_banned`` for an unban that may find nothing to lift) is
        collected but not reported to the mod-log: the block says what it means, if anything.
        """
        return _Collecting(Refusals(expected))

    async def _do(
        self,
        platform: str,
        capability: Capability,
        community: CommunityRef | None,
        call: Callable[[Platform], Awaitable[T]],
        target: UserRef | None = None,
    ) -> T | None:
        adapter = self._platforms.get(platform)
        if adapter is None:
            log.warning("no %s platform is running; %s skipped", platform, capability.value)
            return None
        if capability not in adapter.capabilities:
            log.info("%s cannot %s; skipped", platform, capability.value)
            return None
        where = (platform, "" if community is None else community.key, capability)
        try:
            done = await call(adapter)
        except PlatformError as error:
            await self._platform_refused(error, community, where, target)
            return None
        if self._said_where:
            for memory, said in self._said_where.pop(where, ()):
                memory.resolved(said)
        return done

    async def _platform_refused(
        self,
        error: PlatformError,
        community: CommunityRef | None,
        where: tuple[str, str, Capability],
        target: UserRef | None,
    ) -> None:
        community = error.community or community
        texts = self._texts(community)
        reason = refusal_text(error, texts)
        # The mod-log keeps the refusal naming the member; the log names them by id only.
        logged = (
            refusal_text(error.with_values(target=target.id), texts)
            if target is not None and "target" in error.values
            else reason
        )
        collecting = _collecting.get()
        if collecting is not None:
            collecting.append(reason)
            collecting.keys.append(error.key)
            collecting.errors.append(error)
            if error.key in collecting.expected:
                log.info("platform refused %s, as may be: %s", error.action, logged)
                return
        self._log_refused(error, logged, where)
        if community is None or self._report is None:
            return
        reported = f"{community.key}\x1f{error.action}\x1f{reason}"
        if not self._reported.due(reported, reason):
            return
        self._said_where_for(where, self._reported, reported)
        try:
            await self._report(community, f"⚠️ {reason}")
        except PlatformError:
            log.warning("could not report to the mod-log of %s either", community.key)

    def _log_refused(
        self, error: PlatformError, reason: str, where: tuple[str, str, Capability]
    ) -> None:
        """Log a refusal (``reason``, naming its target member by id) as a warning once, at
        DEBUG when it was logged lately: an operator learns of it without the log flooding, as
        the mod-log does."""
        warned = f"{where[0]}\x1f{where[1]}\x1f{error.action}\x1f{reason}"
        if not self._warned.due(warned, reason):
            log.debug("platform refused %s: %s", error.action, reason)
            return
        self._said_where_for(where, self._warned, warned)
        log.warning(
            "platform refused %s: %s (said again after a rule book reload, once it has worked, "
            "or after %s; every time at DEBUG)",
            error.action,
            reason,
            format_duration(AGAIN_AFTER),
        )

    def _said_where_for(
        self, where: tuple[str, str, Capability], memory: WarnedOnce, said: str
    ) -> None:
        """Remember that ``said`` was said of a refusal at ``where``, to forget it in ``memory``
        once the action works there."""
        if len(self._said_where) >= REMEMBERED:
            self._said_where.clear()
        self._said_where.setdefault(where, set()).add((memory, said))

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
    ) -> MessageRef | None:
        """Post ``text`` in ``channel``; None if the platform refused."""
        return await self._do(
            channel.platform,
            Capability.SEND,
            channel.community,
            lambda p: p.send(
                channel,
                text,
                reply_to=reply_to,
                buttons=buttons if Capability.BUTTONS in p.capabilities else (),
                file=file if Capability.FILES in p.capabilities else None,
                mention=mention,
                private_to=private_to,
            ),
        )

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> bool:
        """Send a direct message; False if the user does not accept them.

        A ``file`` goes only where the platform takes files: where it does not, nothing is sent
        (False), since the text would announce a file that never comes.
        """
        if file is not None and not self.can(user.platform, Capability.FILES):
            log.info("%s cannot send files; the direct message is not sent", user.platform)
            return False
        return await self._member_action(
            user.platform,
            Capability.DM,
            community,
            lambda p: p.dm(user, text, community=community, file=file),
            target=user,
        )

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """The link that lets a member open direct messages with the bot and run ``command``
        there, on a platform that needs one (Telegram); None elsewhere."""
        adapter = self._platforms.get(community.platform)
        if adapter is None or Capability.DM not in adapter.capabilities:
            return None
        return adapter.start_link(community, command)

    async def delete(self, message: MessageRef) -> bool:
        """Delete a message; False if it could not be done. Once it is deleted, the cogs hear
        of it (``MessageDeleted``)."""
        done = await self._member_action(
            message.channel.platform,
            Capability.DELETE,
            message.community,
            lambda p: p.delete(message),
        )
        if done:
            await self._tell_deleted([message])
        return done

    async def delete_many(self, messages: Sequence[MessageRef]) -> bool:
        """Delete several messages of one community (a purge); False if it could not all be
        done. Once they are deleted, the cogs hear of each (``MessageDeleted``); of none when
        the platform refused some: it says how many stayed, not which."""
        if not messages:
            return True
        first = messages[0]
        done = await self._member_action(
            first.channel.platform,
            Capability.DELETE,
            first.community,
            lambda p: p.delete_many(messages),
        )
        if done:
            await self._tell_deleted(messages)
        return done

    async def _tell_deleted(self, messages: Sequence[MessageRef]) -> None:
        if self._deleted is not None:
            await self._deleted(messages)

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> bool:
        """Silence ``member`` until ``until``."""
        return await self._member_action(
            member.platform,
            Capability.TIMEOUT,
            member.community,
            lambda p: p.timeout(member, until, reason=reason),
            target=member.user,
        )

    async def kick(self, member: MemberRef, *, reason: str = "") -> bool:
        """Remove ``member`` (they may come back)."""
        return await self._member_action(
            member.platform,
            Capability.KICK,
            member.community,
            lambda p: p.kick(member, reason=reason),
            target=member.user,
        )

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> bool:
        """Ban ``member``."""
        return await self._member_action(
            member.platform,
            Capability.BAN,
            member.community,
            lambda p: p.ban(member, reason=reason, delete_days=delete_days),
            target=member.user,
        )

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> bool:
        """Lift the ban on ``user``."""
        return await self._member_action(
            community.platform,
            Capability.UNBAN,
            community,
            lambda p: p.unban(community, user, reason=reason),
            target=user,
        )

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> bool:
        """Keep ``member`` from posting."""
        return await self._member_action(
            member.platform,
            Capability.RESTRICT,
            member.community,
            lambda p: p.restrict(member, until=until),
            target=member.user,
        )

    async def unrestrict(self, member: MemberRef) -> bool:
        """Let ``member`` post again."""
        return await self._member_action(
            member.platform,
            Capability.RESTRICT,
            member.community,
            lambda p: p.unrestrict(member),
            target=member.user,
        )

    async def add_role(self, member: MemberRef, role: str) -> bool:
        """Give ``member`` the role ``role``."""
        return await self._member_action(
            member.platform,
            Capability.ROLES,
            member.community,
            lambda p: p.add_role(member, role),
            target=member.user,
        )

    async def remove_role(self, member: MemberRef, role: str) -> bool:
        """Take the role ``role`` from ``member``."""
        return await self._member_action(
            member.platform,
            Capability.ROLES,
            member.community,
            lambda p: p.remove_role(member, role),
            target=member.user,
        )

    async def react(self, message: MessageRef, emoji: str) -> bool:
        """React to ``message`` with ``emoji``."""
        return await self._member_action(
            message.channel.platform,
            Capability.REACT,
            message.community,
            lambda p: p.react(message, emoji),
        )

    async def _member_action(
        self,
        platform: str,
        capability: Capability,
        community: CommunityRef | None,
        call: Callable[[Platform], Awaitable[Any]],
        target: UserRef | None = None,
    ) -> bool:
        """Do ``call``; whether it was done. ``target`` is the user it acts on, whom the log
        names by id in a refusal."""
        return bool(
            await self._do(platform, capability, community, lambda p: _true(call(p)), target)
        )


async def _true(awaitable: Awaitable[Any]) -> bool:
    await awaitable
    return True
