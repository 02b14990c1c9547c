"""What the bot does to members: cases first, then the act, the notices and the mod-log line.

Every sanction is recorded as a case and committed before anything is announced. Moderators,
the community's owner (a moderator everywhere) and bots are never sanctioned. A timeout or a
temporary ban plans its lift as a persistent job, so it is lifted on time across restarts; a
lift whose job a process that died lost (during the lift, or before the job was written) is
planned again at the next start (:meth:`Sanctions.resume_lifts`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from bot.durations import duration_words
from bot.events import (
    ChannelRef,
    CommunityRef,
    MemberRef,
    MessageRef,
    ModerationLifted,
    UserRef,
)
from bot.platform import (
    MOOT_REFUSALS,
    PASSING_REFUSALS,
    UNCLEAR_REFUSALS,
    Capability,
    TimeoutRange,
)
from bot.ruleconf import one_line, plain_name, render
from cogs.netiquette.cases import CaseRecord, NewCase, excerpt
from cogs.netiquette.config import LadderStep, NetiquetteTexts, describe_within
from cogs.netiquette.strikes import LADDER_RULE, step_reached
from cogs.netiquette.wording import pick

if TYPE_CHECKING:
    from cogs.netiquette.actions.base import Firing
    from cogs.netiquette.base import NetiquetteBase

LIFT_TIMEOUT = "lift_timeout"
LIFT_BAN = "lift_ban"
Lifted = Literal["timeout", "ban"]
"""What a lift ends; its case action is ``un`` before it (``untimeout``, ``unban``)."""
LIFT_HANDLERS: dict[Lifted, str] = {"timeout": LIFT_TIMEOUT, "ban": LIFT_BAN}
"""The job handler lifting each kind."""


class Attempt(NamedTuple):
    """How an act went: ``failure`` is None once done, else the mod-log's note (``may have
    failed`` where it is :attr:`unclear`); ``refusals`` are the kinds of the platform's
    refusals (``rate_limited``)."""

    failure: str | None
    refusals: tuple[str, ...] = ()

    @property
    def passing(self) -> bool:
        """Whether it failed for a reason that may pass: asked again later, it may be done."""
        return bool(self.refusals) and PASSING_REFUSALS.issuperset(self.refusals)

    @property
    def unclear(self) -> bool:
        """Whether it may have been done all the same: the platform did not say (no answer, an
        outage); it is then taken as done, since a ban taken as refused would never end."""
        return bool(self.refusals) and UNCLEAR_REFUSALS.issuperset(self.refusals)

    @property
    def moot(self) -> bool:
        """Whether it failed because nothing was left to do (the member is not banned)."""
        return bool(self.refusals) and MOOT_REFUSALS.issuperset(self.refusals)


class Silenced(NamedTuple):
    """How a timeout went: ``failure`` is None once done, else the mod-log's note (one the
    platform did not answer for is taken as done, and its note says it may have failed);
    ``limited`` is the mod-log's note saying the platform's range changed its length (else
    None)."""

    failure: str | None
    limited: str | None = None


class Purged(NamedTuple):
    """How a purge went: how many messages were ``deleted``, how many were ``left``, and why
    (``failure``: a note for the answer and the mod-log; None once all are deleted)."""

    deleted: int
    left: int
    failure: str | None


LIFT_RETRIES = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
"""How long after each refusal for a passing reason a planned lift is tried again; after the
last, a moderator is asked to lift it by hand."""


def lift_job_id(kind: str, community: CommunityRef, user_id: str) -> str:
    """The id of the job lifting a member's timeout or ban: one per member and kind."""
    return f"netiquette:{kind}:{community.key}:{user_id}"


def job_arguments(
    member: MemberRef | UserRef, community: CommunityRef, case_id: int
) -> dict[str, Any]:
    """Plain arguments naming the member and the case a lift job belongs to."""
    user = member.user if isinstance(member, MemberRef) else member
    return {
        "platform": community.platform,
        "community_id": community.id,
        "community_name": community.name,
        "user_id": user.id,
        "user_name": user.name,
        "case_id": case_id,
    }


def as_notes(notes: Iterable[str | None]) -> str:
    """Notes a mod-log line ends with, `` (timeout failed: …)`` each; empty when all went well."""
    return "".join(f" ({note})" for note in notes if note)


def bans_without_end(case: CaseRecord) -> bool:
    """Whether ``case`` bans with no end its lift could be planned for: a ban for good (a ban
    the platform refused is none). A ban given with a timeout recorded before its own end was
    kept counts as one for good: its case's end is the timeout's when the ban is for good."""
    return case.imposes("ban") and case.ban_ends_at is None


def timeout_outlasts_ban(case: CaseRecord, now: datetime | None = None) -> bool:
    """Whether ``case`` times out and bans for a while, its timeout ending after its ban (and
    after ``now``, when given): the case's end is then the timeout's, and the ban's lift leaves
    the case open."""
    silenced_until, banned_until = case.expires_at, case.ban_ends_at
    return (
        case.imposes("timeout")
        and banned_until is not None
        and silenced_until is not None
        and silenced_until > banned_until
        and (now is None or silenced_until > now)
    )


def job_member(arguments: Mapping[str, Any]) -> MemberRef:
    """The member a lift job names."""
    community = CommunityRef(
        arguments["platform"], arguments["community_id"], arguments["community_name"]
    )
    return MemberRef(
        community, UserRef(community.platform, arguments["user_id"], arguments["user_name"])
    )


class Sanctions:
    """Acting on members for the automod and the moderators' commands alike."""

    def __init__(self, cog: NetiquetteBase) -> None:
        self.cog = cog
        self.core = cog.core

    # -- wording --------------------------------------------------------------------------------

    def texts(self, firing: Firing) -> NetiquetteTexts:
        """The texts for a firing's community."""
        return self.cog.texts(firing.subject.community)

    def rule_text(self, firing: Firing, template: str) -> str:
        """A reminder or notice written for a rule's firing."""
        community = firing.subject.community
        return render(
            template,
            member=plain_name(firing.subject.member.name),
            rule=firing.rule,
            charter=firing.charter,
            community=plain_name(community.name or community.id),
            reason=one_line(firing.case.reason),
        )

    # -- what failed ----------------------------------------------------------------------------

    async def attempt(
        self, action: str, community: CommunityRef, act: Awaitable[bool]
    ) -> str | None:
        """Await ``act``: None once it is done, else what failed and why, as a mod-log note.

        ``action`` is named as the texts' ``action_names`` say; the reasons are the platform's
        refusals, worded as the mod-log words them.
        """
        return (await self._attempt(action, community, act)).failure

    async def _attempt(
        self,
        action: str,
        community: CommunityRef,
        act: Awaitable[bool],
        *,
        expected: Collection[str] = (),
    ) -> Attempt:
        with self.core.actions.refusals(expected=expected) as refused:
            if await act:
                return Attempt(None)
        attempt = Attempt(self.failure(action, community, refused), tuple(refused.keys))
        if not attempt.unclear:
            return attempt
        # It may have been done: "failed" would be false as often as true.
        texts = self.cog.texts(community)
        maybe = render(
            texts.may_have_failed,
            action=texts.action_names.text(action),
            reason="; ".join(dict.fromkeys(refused)),
        )
        return attempt._replace(failure=maybe)

    def failure(self, action: str, community: CommunityRef, reasons: Sequence[str] = ()) -> str:
        """The note saying that ``action`` failed, and why when ``reasons`` say."""
        texts = self.cog.texts(community)
        name = texts.action_names.text(action)
        if not reasons:
            return render(texts.failed, action=name)
        return render(texts.failed_because, action=name, reason="; ".join(dict.fromkeys(reasons)))

    # -- plain acts -----------------------------------------------------------------------------

    async def send(
        self,
        channel: ChannelRef,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        mention: MemberRef | None = None,
    ) -> bool:
        """Post ``text``, pinging ``mention`` only."""
        sent = await self.core.actions.send(
            channel, text, reply_to=reply_to, mention=[mention.user] if mention else []
        )
        return sent is not None

    async def dm(self, member: MemberRef, text: str) -> bool:
        """Write to ``member`` privately."""
        return await self.core.actions.dm(member.user, text, community=member.community)

    async def delete(self, message: MessageRef) -> bool:
        """Delete ``message``; later listeners skip it."""
        if not await self.core.actions.delete(message):
            return False
        self._removed(message)
        return True

    def _removed(self, message: MessageRef) -> None:
        self.core.bus.mark_removed(message)
        self.cog.activity.removed(message)

    async def purge(self, community: CommunityRef, messages: Sequence[MessageRef]) -> Purged:
        """Delete ``messages`` (a purge); later listeners skip those known deleted.

        A platform that deletes some and refuses the rest says how many stayed (``not_deleted``)
        but not which: the purge counts them, and keeps every message in the recent activity,
        since a later purge that asks again for one already deleted is harmless.
        """
        with self.core.actions.refusals() as refused:
            if await self.core.actions.delete_many(messages):
                for message in messages:
                    self._removed(message)
                return Purged(len(messages), 0, None)
        counts = [
            count
            for error in refused.errors
            if isinstance(count := error.values.get("not_deleted"), int)
        ]
        if not refused.errors or len(counts) < len(refused.errors):
            # Refused without a count (or skipped: the platform cannot delete): none is known
            # deleted.
            return Purged(0, len(messages), self.failure("purge", community, refused))
        left = min(sum(counts), len(messages))
        note = render(
            self.cog.texts(community).purge_left,
            count=left,
            reason="; ".join(dict.fromkeys(refused)),
        )
        return Purged(len(messages) - left, left, note)

    async def notify(self, member: MemberRef, text: str, channel: ChannelRef | None) -> None:
        """Tell ``member`` privately; where they do not accept it, in ``channel``."""
        if await self.dm(member, text):
            return
        if channel is not None:
            await self.send(channel, text, mention=member)

    async def notify_warned(
        self, member: MemberRef, reason: str, case_id: int, channel: ChannelRef | None
    ) -> None:
        """Tell ``member`` they are warned."""
        community = member.community
        text = render(
            self.cog.texts(community).warned,
            member=plain_name(member.name),
            reason=one_line(reason),
            case=case_id,
            community=plain_name(community.name or community.id),
        )
        await self.notify(member, text, channel)

    async def alert(self, firing: Firing, channel_name: str | None) -> None:
        """Alert the moderators about a firing, in ``channel_name`` (else in the mod-log)."""
        subject = firing.subject
        text = render(
            self.texts(firing).alert,
            rule=firing.rule,
            member=plain_name(subject.member.name),
            channel=subject.channel.name if subject.channel else "—",
            matched=firing.matched,
            excerpt=excerpt(subject.text, 120),
            case=firing.case.id,
        )
        channel = None
        if channel_name:
            channel = await self.core.resolve_channel(subject.community, channel_name)
        if channel is None:
            await self.core.modlog(subject.community, text)
        else:
            await self.send(channel, text)

    # -- sanctions ------------------------------------------------------------------------------

    def _notice(
        self, kind: str, member: MemberRef, reason: str, case: CaseRecord, **extra: Any
    ) -> str:
        community = member.community
        texts = self.cog.texts(community)
        return render(
            getattr(texts, kind),
            member=plain_name(member.name),
            reason=one_line(reason) or "—",  # as the mod-log writes a sanction given without one
            case=case.id,
            community=plain_name(community.name or community.id),
            **extra,
        )

    def timeout_range(self, community: CommunityRef) -> TimeoutRange | None:
        """The timeouts ``community``'s platform carries out as asked (None: it does not run)."""
        platform = self.core.actions.platform(community.platform)
        return None if platform is None else platform.timeout_range

    async def timeout(
        self, member: MemberRef, duration: timedelta, reason: str, case: CaseRecord
    ) -> str | None:
        """Time ``member`` out for ``duration`` and plan the lift (see :meth:`silence`); None
        once done as asked, else the mod-log's note: why it was not done, or the length the
        platform's range gave it."""
        silenced = await self.silence(member, duration, reason, case)
        return silenced.failure or silenced.limited

    async def silence(
        self, member: MemberRef, duration: timedelta, reason: str, case: CaseRecord
    ) -> Silenced:
        """Time ``member`` out for ``duration`` and plan the lift.

        A length the platform does not carry out (a 60-day ladder step on Discord) is brought
        within its range: the member is told, the case ends and the lift is planned for the
        length the platform applies. A timeout never shortens one already running: a member
        silenced for a day who reaches a one-hour step of the ladder stays silenced for the day.
        A timeout the platform did not answer for (:attr:`Attempt.unclear`) may be in force: it
        is taken as done, its lift planned, and its note says it may have failed.
        """
        community = member.community
        if self.cog.untouchable(member):
            await self._refused(case, "timeout")
            return Silenced(self.failure("timeout", community))
        now = self.core.clock.now()
        allowed = self.timeout_range(community)
        length = duration if allowed is None else allowed.clamp(duration)
        job_id = lift_job_id("timeout", community, member.user.id)
        planned = self.core.scheduler.next_run(job_id)
        longer = planned is not None and planned > now + length
        until = planned if planned is not None and longer else now + length
        silenced = await self._attempt(
            "timeout", community, self.core.actions.timeout(member, until, reason=reason)
        )
        if silenced.failure is not None and not silenced.unclear:
            await self._refused(case, "timeout")
            return Silenced(silenced.failure)
        banned_longer = (
            "ban" in case.actions and case.expires_at is not None and case.expires_at > until
        )
        if (longer or length != duration) and not banned_longer:
            # The case says when the silence it stands for really ends: the longer one's end,
            # or that of the length the platform applies (the case of a rule that also bans
            # for longer keeps the ban's).
            await self.cog.casebook.mark(case.id, expires_at=until)
        if not longer:
            self.core.scheduler.at(
                job_id,
                until,
                self.cog.name,
                LIFT_TIMEOUT,
                **job_arguments(member, community, case.id),
            )
        text = self._notice(
            "timed_out",
            member,
            reason,
            case,
            duration=duration_words(until - now, self.cog.locale(community)),
        )
        await self.dm(member, text)
        # Not answered for, it may be in force: its lift is planned, its note says so.
        return Silenced(
            silenced.failure, None if longer else self._limited(community, duration, length)
        )

    def _limited(self, community: CommunityRef, asked: timedelta, length: timedelta) -> str | None:
        """The mod-log's note saying the platform gives a timeout ``asked`` another ``length``."""
        if length == asked:
            return None
        texts = self.cog.texts(community)
        locale = self.cog.locale(community)
        return render(
            texts.timeout_shortened if length < asked else texts.timeout_lengthened,
            asked=duration_words(asked, locale),
            duration=duration_words(length, locale),
        )

    async def _removal(
        self,
        action: Literal["kick", "ban"],
        member: MemberRef,
        reason: str,
        case: CaseRecord,
        act: Callable[[], Awaitable[bool]],
    ) -> Attempt:
        """Tell ``member`` of their removal, then remove them with ``act``, and say how it went.

        The notice goes first: once out, a member who shares nothing else with the bot cannot
        be written to (Discord). Should the platform then refuse, a second message withdraws it;
        not when it did not answer (:attr:`Attempt.unclear`): the removal may have been done.
        """
        notice = "kicked" if action == "kick" else "banned"
        told = await self.dm(member, self._notice(notice, member, reason, case))
        attempt = await self._attempt(action, member.community, act())
        if attempt.failure is not None and not attempt.unclear and told:
            await self.dm(member, self._notice(f"{notice}_withdrawn", member, reason, case))
        return attempt

    async def kick(self, member: MemberRef, reason: str, case: CaseRecord) -> str | None:
        """Tell ``member`` why, then kick them; None once done, else why not (and the member is
        told the kick did not happen)."""
        if self.cog.untouchable(member):
            return self.failure("kick", member.community)
        kicked = await self._removal(
            "kick", member, reason, case, lambda: self.core.actions.kick(member, reason=reason)
        )
        return kicked.failure

    async def ban(
        self,
        member: MemberRef,
        reason: str,
        case: CaseRecord,
        *,
        delete_days: int = 0,
        duration: timedelta | None = None,
    ) -> str | None:
        """Tell ``member`` why, ban them, and plan the unban of a temporary ban.

        None once done, else why not (and the member is told the ban did not happen). As for
        timeouts, a ban never ends sooner than one already in force: a ban for good cancels the
        planned end of a temporary one, and a temporary ban given while one for good is in
        force plans none (its case then says no end, as the ban for good). A ban the platform
        did not answer for (:attr:`Attempt.unclear`) may be in force: it is taken as done, and
        its note says it may have failed.
        """
        if self.cog.untouchable(member):
            await self._ban_refused(member, case)
            return self.failure("ban", member.community)
        banned = await self._removal(
            "ban",
            member,
            reason,
            case,
            lambda: self.core.actions.ban(member, reason=reason, delete_days=delete_days),
        )
        if banned.failure is not None and not banned.unclear:
            await self._ban_refused(member, case)
            return banned.failure
        if "timeout" in case.actions:
            # As the case's timeout left it (refused, or given a longer end).
            case = await self.cog.casebook.get(member.community, case.id) or case
        job_id = lift_job_id("ban", member.community, member.user.id)
        if duration is None:
            # A ban for good: the end planned for an earlier, temporary one must not unban.
            self.core.scheduler.cancel(job_id)
            if case.expires_at is not None and not case.imposes("timeout"):
                # The case's end was its refused timeout's: the ban goes on.
                await self.cog.casebook.mark(case.id, expires_at=None)
            return banned.failure
        until = self.core.clock.now() + duration
        planned = self.core.scheduler.next_run(job_id)
        if planned is None and await self.banned_for_good(member, besides=case.id):
            if not case.imposes("timeout"):
                # A case whose timeout is in force keeps its end, which its lift needs.
                await self.cog.casebook.mark(case.id, expires_at=None)
            return banned.failure
        if planned is None or planned < until:
            self.core.scheduler.at(
                job_id,
                until,
                self.cog.name,
                LIFT_BAN,
                **job_arguments(member, member.community, case.id),
            )
            ends = until
        else:
            # A longer ban is in force: the member is unbanned when it ends, and so is this one.
            ends = planned
        changes: dict[str, Any] = {"ban_expires_at": ends}
        if case.expires_at is None or case.expires_at < ends or not case.imposes("timeout"):
            # The later end is the case's; a refused timeout's says nothing.
            changes["expires_at"] = ends
        await self.cog.casebook.mark(case.id, **changes)
        return banned.failure

    async def _refused(self, case: CaseRecord, kind: Lifted, **changes: Any) -> None:
        """Record that the platform refused case ``case``'s ``kind``: it is not in force."""
        await self.cog.casebook.add_kind(case.id, "refused", kind, **changes)

    async def _ban_refused(self, member: MemberRef, case: CaseRecord) -> None:
        """Record that the platform refused the ban of ``case``; a case that also silences then
        ends when its silence does, and one whose silence was refused too has no end: nothing
        it asked is in force (the member's timeout, if any, is another case's).

        The case told the other cogs of a ban when it was recorded (``ModerationRecorded``):
        unless another ban of the member goes on, they are told it is over
        (``ModerationLifted``), as when a ban is lifted: who left the member's votes out counts
        them again (contests). No ``/unban`` will: it finds no ban to lift."""
        changes: dict[str, Any] = {}
        if "timeout" in case.actions:
            # As the case's timeout left it: refused, or its lift planned.
            case = await self.cog.casebook.get(member.community, case.id) or case
            silenced_until = self.core.scheduler.next_run(
                lift_job_id("timeout", member.community, member.user.id)
            )
            if not case.imposes("timeout"):
                changes["expires_at"] = None
            elif silenced_until is not None:
                # Its silence lasts as long as the member's, as silence() planned it.
                changes["expires_at"] = silenced_until
        await self._refused(case, "ban", **changes)
        if not await self.banned_besides(member, case.id):
            await self.cog.publish(
                ModerationLifted(
                    at=self.core.clock.now(), member=member, case_id=case.id, action="ban"
                )
            )

    async def banned_besides(self, member: MemberRef, case_id: int) -> bool:
        """Whether a ban of ``member`` other than case ``case_id``'s is in force: one whose
        lift is planned, or a case not lifted that bans them, given after they last joined (as
        :meth:`banned_for_good` tells)."""
        if self._ban_lift_planned(member):
            return True
        return bool(await self._bans_since_joined(member, besides=case_id))

    async def banned_for_good(self, member: MemberRef, *, besides: int) -> bool:
        """Whether a ban of ``member`` with no end is in force, save case ``besides``: none of
        their bans has a planned lift, and a case not lifted bans them with no end, given after
        they last joined.

        A ban lifted in the platform's own settings (not with ``/unban``) leaves its case open:
        the bot is not told. A banned member cannot join, so one who joined since is not under
        it."""
        if self._ban_lift_planned(member):
            return False
        return any(
            bans_without_end(case) for case in await self._bans_since_joined(member, besides)
        )

    async def _bans_since_joined(self, member: MemberRef, besides: int) -> list[CaseRecord]:
        """The cases not lifted that ban ``member``, save case ``besides``, given after they last
        joined (one given before was lifted in the platform's own settings: they joined since)."""
        cases = [case for case in await self.open_cases(member, "ban") if case.id != besides]
        if not cases:
            return []
        record = await self.core.members.get(member.community, member.user.id)
        joined = record.joined_at if record is not None else None
        return [case for case in cases if joined is None or case.created_at >= joined]

    def _ban_lift_planned(self, member: MemberRef) -> bool:
        """Whether the lift of a ban of ``member`` is planned."""
        job_id = lift_job_id("ban", member.community, member.user.id)
        return self.core.scheduler.next_run(job_id) is not None

    async def try_lift(self, member: MemberRef, kind: Lifted) -> Attempt:
        """Lift ``member``'s timeout or ban now (a timeout, where restrictions exist, by lifting
        the restriction), and say how it went: done, else why not and what kind of refusal
        stopped it (:attr:`Attempt.moot`: nothing was left to lift).

        A planned lift stays planned until one is done.
        """
        community = member.community
        actions = self.core.actions
        if kind == "ban":
            act = actions.unban(community, member.user)
        elif actions.can(member.platform, Capability.RESTRICT):
            act = actions.unrestrict(member)
        else:
            act = actions.timeout(member, self.core.clock.now())
        # Nothing to lift is no failure the mod-log needs a warning for: each caller says what
        # it means (nothing at all, where nothing was on record either).
        attempt = await self._attempt(f"un{kind}", community, act, expected=MOOT_REFUSALS)
        if attempt.failure is None:
            self.core.scheduler.cancel(lift_job_id(kind, community, member.user.id))
        return attempt

    async def lift_due(self, arguments: Mapping[str, Any], kind: Lifted) -> None:
        """A planned lift falls due (its job's ``arguments``): lift, close the case, tell the
        other cogs (``ModerationLifted``) and the mod-log. Refused for a passing reason (a rate
        limit, an outage), it is tried again later, :data:`LIFT_RETRIES` apart; refused for
        good, or too often, the case stays open and the mod-log asks a moderator to lift it by
        hand (which closes it)."""
        member = job_member(arguments)
        community = member.community
        attempt = await self.try_lift(member, kind)
        tries = int(arguments.get("tries", 0))
        case_id = arguments.get("case_id")
        texts = self.cog.texts(community)
        values = {
            "case": case_id,
            "action": texts.action_names.text(kind),
            "member": plain_name(member.name),
            "notes": as_notes([attempt.failure]),
        }
        if attempt.failure is not None and attempt.passing and tries < len(LIFT_RETRIES):
            when = self.core.clock.now() + LIFT_RETRIES[tries]
            self.core.scheduler.at(
                lift_job_id(kind, community, member.user.id),
                when,
                self.cog.name,
                LIFT_HANDLERS[kind],
                **{**arguments, "tries": tries + 1},
            )
            if case_id is not None:
                shown = self.cog.local_time(community, when)
                await self.core.modlog(
                    community, render(texts.modlog_lift_retry, **values, when=shown)
                )
            return
        if case_id is None:
            # The member was forgotten meanwhile: named nowhere, in the log least of all.
            if attempt.failure is None or attempt.moot:
                self.cog.log.info("a forgotten member's %s is lifted in %s", kind, community.key)
            else:
                self.cog.log.warning(
                    "a forgotten member's %s in %s could not be lifted", kind, community.key
                )
            return
        if attempt.failure is not None and not attempt.moot:
            command = self._lift_command(community, kind)
            await self.core.modlog(
                community, render(texts.modlog_lift_failed, **values, command=command)
            )
            await self.leave_to_moderators(member, kind, int(case_id))
            return
        now = self.core.clock.now()
        # Once lifted, shorter ones given while this one ran (a step of the ladder) end with
        # it; with nothing left to lift, its own case only.
        await self.close_open_cases(
            member, kind, only=None if attempt.failure is None else int(case_id)
        )
        # Told as /unban tells its case: a running contest counts a lifted ban's votes again.
        await self.cog.publish(
            ModerationLifted(at=now, member=member, case_id=int(case_id), action=kind)
        )
        await self.core.modlog(community, render(texts.modlog_lifted, **values))

    async def lift_given_up(self, arguments: Mapping[str, Any], kind: Lifted) -> None:
        """A planned lift (its job's ``arguments``) failed on an error every time it was tried,
        and the scheduler gave it up: the case stays open and the mod-log asks a moderator to
        lift it by hand (which closes it), as for a lift the platform refused for good."""
        member = job_member(arguments)
        community = member.community
        case_id = arguments.get("case_id")
        if case_id is None:
            # The member was forgotten meanwhile: named nowhere, in the log least of all.
            self.cog.log.warning(
                "a forgotten member's %s in %s could not be lifted", kind, community.key
            )
            return
        texts = self.cog.texts(community)
        await self.core.modlog(
            community,
            render(
                texts.modlog_lift_given_up,
                case=case_id,
                action=texts.action_names.text(kind),
                member=plain_name(member.name),
                command=self._lift_command(community, kind),
            ),
        )
        await self.leave_to_moderators(member, kind, int(case_id))

    async def leave_to_moderators(self, member: MemberRef, kind: Lifted, case_id: int) -> None:
        """Record that the lift of case ``case_id`` is left to the moderators (the mod-log
        asked them), so that no restart tries it, and asks, again: on that case, and on the
        member's other running ``kind`` cases already over, whose ends that lift stood for.

        Recorded once the mod-log line is out: a stop in between asks again rather than never.
        A moderator's ``/unban`` or ``/untimeout``, or a later lift that is done, closes them.
        """
        now = self.core.clock.now()
        for case in await self.open_cases(member, kind):
            ends = case.ban_ends_at if kind == "ban" else case.expires_at
            over = ends is not None and ends <= now
            if case.lift_left(kind) or not (case.id == case_id or over):
                continue
            # One left earlier (its other kind's lift) keeps the time the moderators were
            # first asked.
            changes: dict[str, Any] = {}
            if case.lift_left_at is None:
                changes["lift_left_at"] = now
            if kind == "timeout" and self._banned_on(case, member):
                # The ban for good goes on: the case says no end, and is kept.
                changes["expires_at"] = None
            await self.cog.casebook.add_kind(case.id, "lifts_left", kind, **changes)

    def _banned_on(self, case: CaseRecord, member: MemberRef) -> bool:
        """Whether ``case`` bans ``member`` for good, with no lift of a ban planned: once its
        timeout is over, the case has no end."""
        return bans_without_end(case) and not self._ban_lift_planned(member)

    def _lift_command(self, community: CommunityRef, kind: Lifted) -> str:
        """The command a moderator lifts ``kind`` with, as ``community``'s locale names it."""
        spec = self.core.commands.get(f"un{kind}")
        return f"/{spec.name_for(self.cog.locale(community))}" if spec else f"/un{kind}"

    def forget_in_lifts(self, community: CommunityRef, user_id: str) -> None:
        """A forgotten member's planned lifts still happen (the platform needs their id), but
        the jobs no longer hold their name or a case, and no mod-log line will name them."""
        scheduler = self.core.scheduler
        for kind, handler in LIFT_HANDLERS.items():
            job_id = lift_job_id(kind, community, user_id)
            when = scheduler.next_run(job_id)
            if when is None:
                continue
            arguments = job_arguments(UserRef(community.platform, user_id, ""), community, 0)
            scheduler.at(job_id, when, self.cog.name, handler, **{**arguments, "case_id": None})

    async def resume_lifts(self) -> int:
        """Plan again, at its own time, the lift of each timed sanction not recorded lifted
        whose job is gone; how many.

        A lift's job leaves the scheduler when it is handed over to run: a process that died
        during the lift (a kill, a power cut) left the member banned for ever, and a process that
        died just after the sanction, before the job store wrote its job, likewise. A lift
        planned again this way runs late, or is reported missed and done all the same; one the
        platform had already carried out finds nothing left to lift and only closes the case.
        A member's ban for good is never lifted this way: a ban for good cancels the planned end
        of a temporary one. Nor is the timeout of a case that also bans while its ban's lift is
        planned or owed, unless the timeout ends later (:func:`timeout_outlasts_ban`): that
        lift closes the case. Nor is a lift left to the moderators
        (:meth:`leave_to_moderators`): the mod-log asked them once; nor an act the platform
        refused: it left nothing to lift.
        """
        owed: dict[tuple[Lifted, str, str], tuple[datetime, CommunityRef, CaseRecord]] = {}
        for_good: set[tuple[str, str]] = set()
        scheduler = self.core.scheduler
        for community, case in await self.cog.casebook.not_lifted():
            member_key = (community.key, case.user_id)
            if bans_without_end(case):
                for_good.add(member_key)
            case_ends: dict[Lifted, datetime | None] = {
                "timeout": case.expires_at if case.imposes("timeout") else None,
                "ban": case.ban_ends_at,
            }
            # The lift of a ban, planned or owed, closes the case that also bans: a ban
            # leaves no timeout to lift. A ban ending no sooner than the case made its end the
            # ban's: the timeout's own end came first, and its lift with it (left to the
            # moderators or not). A timeout ending after the ban is lifted after it, and its
            # lift closes the case.
            ban_ends = case_ends["ban"]
            closed_by_ban = (
                case.imposes("ban")
                and not timeout_outlasts_ban(case)
                and (
                    scheduler.next_run(lift_job_id("ban", community, case.user_id)) is not None
                    or (
                        ban_ends is not None
                        and (
                            not case.lift_left("ban")
                            or (case.expires_at is not None and ban_ends >= case.expires_at)
                        )
                    )
                )
            )
            for kind, end in case_ends.items():
                if end is None or case.lift_left(kind):
                    continue
                if kind == "timeout" and closed_by_ban:
                    continue
                latest = owed.get((kind, *member_key))
                # One lift per member and kind, at the latest end: none ends sooner.
                if latest is None or latest[0] <= end:
                    owed[(kind, *member_key)] = (end, community, case)
        resumed = 0
        for (kind, community_key, user_id), (ends, community, case) in owed.items():
            if kind == "ban" and (community_key, user_id) in for_good:
                continue
            job_id = lift_job_id(kind, community, user_id)
            if scheduler.scheduled(job_id) is not None:
                continue
            self.cog.log.warning(
                "the lift of case %d (%s in %s) had no job, lost by a stop or a crash: "
                "planned again for %s",
                case.id,
                kind,
                community_key,
                ends.isoformat(sep=" ", timespec="minutes"),
            )
            user = UserRef(community.platform, user_id, case.user_name)
            scheduler.at(
                job_id,
                ends,
                self.cog.name,
                LIFT_HANDLERS[kind],
                **job_arguments(user, community, case.id),
            )
            resumed += 1
        return resumed

    async def open_cases(self, member: MemberRef, action: str) -> list[CaseRecord]:
        """The member's running ``action`` cases: timeouts, those whose lift is left to the
        moderators included, and bans, timed or not (not those the platform refused)."""
        return [
            case
            for case in await self.cog.casebook.of_member(member.community, member.user.id)
            if case.lifted_at is None
            and (case.expires_at is not None or action == "ban" or case.lift_left(action))
            and case.imposes(action)
        ]

    async def close_open_cases(
        self, member: MemberRef, action: Lifted, *, only: int | None = None
    ) -> list[CaseRecord]:
        """The member's ``action`` is lifted: mark their running ``action`` cases (case
        ``only``, when given) as lifted now, and return them all, as they were.

        An unban ends a ban for good too, and a timeout given with the ban it ends (a ban
        leaves no timeout to lift), save one that runs on after a temporary ban
        (:func:`timeout_outlasts_ban`): the case stays open until the timeout's lift, its ban
        no longer in force. A timeout's lift leaves open a case that also bans: its ban goes
        on, and the case's end is the ban's (none for a ban for good, where no lift of it is
        planned); its timeout's lift is no longer left to the moderators.
        """
        now = self.core.clock.now()
        running = [
            case
            for case in await self.open_cases(member, action)
            if only is None or case.id == only
        ]
        for case in running:
            if action == "timeout" and case.imposes("ban"):
                ends: dict[str, Any] = {}
                if case.expires_at is not None and self._banned_on(case, member):
                    ends["expires_at"] = None
                elif timeout_outlasts_ban(case):
                    # Lifted before its end: the case now ends with its ban.
                    ends["expires_at"] = case.ban_ends_at
                if ends or case.lift_left("timeout"):
                    await self.cog.casebook.lift_done(case.id, "timeout", **ends)
                continue
            if (
                action == "ban"
                and timeout_outlasts_ban(case, now)
                and await self._silenced_after_ban(member, case)
            ):
                # Its timeout goes on: its own lift closes the case.
                await self.cog.casebook.ban_lifted(case.id)
                continue
            await self.cog.casebook.mark(case.id, lifted_at=now)
        return running

    async def _silenced_after_ban(self, member: MemberRef, case: CaseRecord) -> bool:
        """Whether ``case``'s timeout, which outlasts its ban, still holds once the ban is
        lifted. A Discord timeout does; where a timeout is a restriction (Telegram), the ban
        replaced it and the unban left the member free: it is put back until the case's end.
        Refused, nothing of the case is in force any more: the mod-log hears why."""
        actions = self.core.actions
        if not actions.can(member.platform, Capability.RESTRICT) or case.expires_at is None:
            return True
        community = member.community
        failure = await self.attempt(
            "timeout", community, actions.timeout(member, case.expires_at)
        )
        if failure is None:
            return True
        job_id = lift_job_id("timeout", community, member.user.id)
        planned = self.core.scheduler.scheduled(job_id)
        if planned is not None and planned.kwargs.get("case_id") == case.id:
            self.core.scheduler.cancel(job_id)  # nothing left to lift: said now, not again
        texts = self.cog.texts(community)
        await self.core.modlog(
            community,
            render(
                texts.modlog_lifted,
                case=case.id,
                action=texts.action_names.text("timeout"),
                member=plain_name(member.name),
                notes=as_notes([failure]),
            ),
        )
        return False

    # -- the ladder -----------------------------------------------------------------------------

    async def escalate(self, member: MemberRef, case: CaseRecord) -> CaseRecord | None:
        """Apply the ladder step ``case`` makes the member reach, if any; return its case."""
        config = self.cog.settings(member.community).strikes
        if not config.ladder or case.points <= 0:
            return None
        now = self.core.clock.now()
        strikes = await self.cog.casebook.strikes(member.community, member.user.id)
        # Only the cases before this one: a burst is recorded at once, then carried out in order.
        earlier = [record for record in strikes if record.id < case.id]
        reached = step_reached(earlier, case, now, config)
        if reached is None:
            return None
        step, points = reached
        return await self.apply_step(member, step, points)

    async def apply_step(self, member: MemberRef, step: LadderStep, points: float) -> CaseRecord:
        """Record and carry out one ladder step."""
        community = member.community
        texts = self.cog.texts(community)
        if step.within is None:
            within = ""
            reason_text, modlog_text = texts.ladder_reason_any_time, texts.modlog_ladder_any_time
        else:
            within = describe_within(step.within, self.cog.locale(community))
            reason_text, modlog_text = texts.ladder_reason, texts.modlog_ladder
        reason = render(reason_text, points=points, within=within)
        now = self.core.clock.now()
        expires = now + step.duration if step.duration is not None else None
        case = await self.cog.casebook.record(
            community,
            NewCase(
                member=member,
                action=step.action,
                at=now,
                rule=LADDER_RULE,
                reason=reason,
                expires_at=expires,
            ),
        )
        if step.action == "timeout":
            assert step.duration is not None
            note = await self.timeout(member, step.duration, reason, case)
        elif step.action == "kick":
            note = await self.kick(member, reason, case)
        else:
            note = await self.ban(member, reason, case, duration=step.duration)
        await self.core.modlog(
            community,
            render(
                modlog_text,
                case=case.id,
                action=texts.action_names.text(step.action),
                member=plain_name(member.name),
                points=f"{points:g}",
                within=within,
                notes=as_notes([note]),
            ),
        )
        return case

    @staticmethod
    def until(case: CaseRecord) -> datetime | None:
        """When a case's timed sanction ends, if it is still running."""
        return case.expires_at if case.lifted_at is None else None

    def reason_in(self, reasons: dict[str, str] | None, community: CommunityRef) -> str | None:
        """A localised reason for ``community``."""
        return pick(reasons, self.cog.locale(community))
