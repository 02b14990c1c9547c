"""The charter gate: a newcomer presses "I accept" before their messages go through.

How a newcomer is held back depends on what the platform can do:

- **role** (the rule book names ``gate.role`` and the platform has roles: Discord): the role is
  granted on acceptance;
- **restrict** (no role, and the platform can restrict: Telegram): the newcomer is restricted on
  join and unrestricted on acceptance; who has not accepted after ``gate.timeout`` is removed
  (kicked; a ban then unban where the platform cannot kick), and the removal that makes it
  ``gate.ban_after_failures`` for the same person is a ban;
- **delete** (neither): nothing is done on join.

On every platform a message a held-back newcomer still manages to post is deleted, with a
reminder (at most one per member every few minutes) carrying the "I accept" button.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from bot.bus import Priority
from bot.cog import job, listener
from bot.commands.runner import may_run
from bot.durations import SpokenDuration
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    MemberRef,
    MessageCreated,
    MessageRef,
)
from bot.platform import MOOT_REFUSALS, Capability
from bot.ruleconf import render
from cogs.welcome.base import ACCEPT_BUTTON, WelcomeBase, remember
from cogs.welcome.config import GateConfig
from cogs.welcome.journeys import Journey
from cogs.welcome.wording import plain_name

REMIND_EVERY = timedelta(minutes=5)
OPEN_COMMANDS = frozenset({"charter", "help", "mydata"})
"""What a newcomer held at the gate may still run: what shows the charter and its button, the
help, and their data (a right, whatever the gate says). Other commands wait for acceptance: a
command may post what they write (a suggestion, a contest entry)."""


class GateMode(enum.Enum):
    """How the gate holds a newcomer back on a platform."""

    ROLE = "role"
    RESTRICT = "restrict"
    DELETE = "delete"


class CharterGate(WelcomeBase):
    """The charter gate's listeners and its timeout job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reminded: OrderedDict[tuple[CommunityRef, str], datetime] = OrderedDict()

    async def setup(self) -> None:
        """Tell the core who the gate holds back, and refuse their commands."""
        await super().setup()
        self.core.hold_back_members(self.holds_back)
        self.core.screen_commands(self.screen_command)

    async def holds_back(self, member: MemberRef) -> bool:
        """Whether the charter gate holds ``member`` back (asked by the core for other cogs:
        the contributors cog does not count their reactions)."""
        user = member.user
        community = member.community
        holders = self._holders.get(community.key)
        if user.is_bot or (holders is not None and user.id not in holders):
            return False
        if not self.core.cog_enabled(self.name, community):
            return False
        if not self.settings(community).gate.enabled:
            return False  # the usual case: no record to read
        journey = await self.journeys.get(community, user.id)
        return journey is not None and self.held_back(journey, community)

    async def screen_command(self, event: CommandInvoked) -> str | None:
        """Refuse the commands of a newcomer held at the gate, but for :data:`OPEN_COMMANDS`
        (the core asks before running any): "accept the charter first"."""
        spec = self.core.commands.get(event.name)
        if spec is None or spec.name in OPEN_COMMANDS:
            return None  # an unknown command is answered as such
        member = event.member
        if self.core.is_moderator(member) or not await self.holds_back(member):
            return None
        if not may_run(self.core, spec, member):
            return None  # refused anyway, for what it is
        locale = self.core.community_config(member.community).locale
        return render(
            self.texts(member.community).gate_command_refused,
            member=plain_name(member.name),
            command=spec.name_for(locale),
        )

    def gate_mode(self, community: CommunityRef, gate: GateConfig) -> GateMode:
        """How the gate works on ``community``'s platform."""
        if gate.role and self.actions.can(community.platform, Capability.ROLES):
            return GateMode.ROLE
        if self.actions.can(community.platform, Capability.RESTRICT):
            return GateMode.RESTRICT
        return GateMode.DELETE

    def schedule_gate_timeout(
        self,
        member: MemberRef,
        journey: Journey,
        when: datetime,
        *,
        prompt: tuple[ChannelRef, str] | None = None,
        in_wave: bool = False,
    ) -> None:
        """Remove ``member`` at ``when`` unless they accept the charter before.

        ``prompt`` is the message that showed them the button (deleted with them); a newcomer
        ``in_wave`` sees the button only in the aggregated welcome, and their time runs from it.
        """
        arguments = self.job_arguments(member, journey)
        arguments["in_wave"] = in_wave
        if prompt is not None:
            channel, message_id = prompt
            arguments.update(
                prompt_channel_id=channel.id,
                prompt_channel_name=channel.name,
                prompt_message_id=message_id,
            )
        self.plan_member_job("gate", when, arguments)  # not if erased meanwhile

    # -- before acceptance --------------------------------------------------------------------

    @listener(MessageCreated, priority=Priority.MODERATION)
    async def hold_back_messages(self, event: MessageCreated) -> None:
        """Delete what a newcomer posts before accepting the charter, and remind them."""
        user = event.author.user
        holders = self._holders.get(event.message.channel.community.key)
        if user.is_bot or (holders is not None and user.id not in holders):
            return
        journey = await self.journeys.get(event.community, user.id)
        if journey is None or not self.held_back(journey, event.community):
            return
        if await self.actions.delete(event.message):
            self.core.bus.mark_removed(event.message)
        await self._remind(event.author, event.channel, event.at)

    async def _remind(self, member: MemberRef, channel: ChannelRef, at: datetime) -> None:
        key = (member.community, member.user.id)
        last = self._reminded.get(key)
        if last is not None and at - last < REMIND_EVERY:
            return
        remember(self._reminded, key, at)
        texts = self.texts(member.community)
        labels = self.channel_labels(member.community)
        await self.actions.send(
            channel,
            render(
                texts.gate_reminder,
                member=plain_name(member.name),
                rules_channel=labels["rules_channel"],
            ),
            buttons=[self.accept_button(member.community)],
            mention=[member.user],
            private_to=member,
        )

    # -- acceptance -----------------------------------------------------------------------------

    @listener(ButtonPressed)
    async def accept_charter(self, event: ButtonPressed) -> None:
        """A newcomer pressed "I accept": let them post."""
        if event.button_id != ACCEPT_BUTTON:
            return
        member = event.member
        community = event.community
        journey = await self.journeys.get(community, member.user.id)
        if journey is None or not journey.gate_pending:
            return  # not held back: someone pressing another newcomer's button
        self.core.scheduler.cancel(self.job_id("gate", community, member.user.id))
        accepted = await self.journeys.update(
            community,
            journey,
            gate_pending=False,
            restricted=False,
            charter_accepted_at=event.at,
        )
        self._reminded.pop((community, member.user.id), None)
        self._prompts.pop((community, member.user.id), None)  # their welcome stays
        gate = self.settings(community).gate
        if gate.role and self.actions.can(community.platform, Capability.ROLES):
            await self.actions.add_role(member, gate.role)
        if journey.restricted:
            await self.lift_restriction(member)
        self.log.info("%s accepted the charter in %s", member.user.id, community.key)
        await self.actions.send(
            event.channel,
            render(self.texts(community).accepted, member=plain_name(member.name)),
            mention=[member.user],
            private_to=member,
        )
        await self.charter_accepted(member, accepted, event.at)

    # -- too late -------------------------------------------------------------------------------

    def _gate_starts(
        self, community: CommunityRef, journey: Journey, now: datetime, *, in_wave: bool
    ) -> datetime:
        """When the newcomer could first see the "I accept" button.

        Newcomers of a wave of joins see it in the aggregated welcome, posted when the wave is
        over: their time runs from then, not from their join.
        """
        if not in_wave:
            return journey.joined_at
        if self.watch.in_wave(community.key, now, self.settings(community).raid.quiet):
            return now
        greeted = self._wave_greeted.get(community.key)
        if greeted is not None and journey.joined_at <= greeted:
            return greeted
        if self.core.scheduler.scheduled(self._wave_job(community)) is not None:
            # After a restart mid-wave, memory knows neither: a welcome, with the button, is
            # still to come (whether its job names them or not: a crash may have cut it
            # before it did, and the button lets in whoever the gate holds).
            return now
        return journey.joined_at

    @job
    async def gate_expired(self, **arguments: Any) -> None:
        """Remove a newcomer who did not accept the charter in time (called by the scheduler).

        Kept planned while it runs (a run the process dies in runs again at the next start): the
        removal is claimed in the database before it is done, so a second run neither counts it
        again nor repeats a removal that was recorded done; it finishes one that was not.
        """
        found = await self.job_journey(arguments)
        if found is None:
            return
        member, journey = found
        community = member.community
        if not journey.gate_pending:
            if journey.restricted and journey.charter_accepted_at is None:
                await self._finish_removal(member, journey, arguments)
            return
        gate = self.settings(community).gate
        now = self.core.clock.now()
        if not gate.enabled or gate.timeout is None:
            # The gate was switched off meanwhile: let them in rather than remove them.
            await self.journeys.update(community, journey, gate_pending=False, restricted=False)
            if journey.restricted:
                await self.lift_restriction(member)
            return
        in_wave = bool(arguments.get("in_wave"))
        deadline = self._gate_starts(community, journey, now, in_wave=in_wave) + gate.timeout
        if deadline > now:
            # Not if erased while this looked them up: no job names them again.
            self.plan_member_job("gate", deadline, arguments)
            return
        # Their welcome is deleted below: were they to come back, they are welcomed again. Still
        # restricted until the removal is done: what a second run looks for.
        claimed = await self.journeys.claim_cleared(
            community,
            journey,
            "gate_pending",
            gate_failures=journey.gate_failures + 1,
            welcomed_at=None,
        )
        if claimed is not None:  # else they accepted meanwhile
            await self._remove_newcomer(member, claimed, gate, arguments)

    async def _finish_removal(
        self, member: MemberRef, journey: Journey, arguments: dict[str, Any]
    ) -> None:
        """Finish the removal of ``member`` that a run the process died in claimed (counted)
        without recording it done: what it did already is moot now (gone, deleted)."""
        gate = self.settings(member.community).gate
        if not gate.enabled or gate.timeout is None:
            await self.journeys.update(member.community, journey, restricted=False)
            await self.lift_restriction(member)
            return
        with self.actions.refusals(expected=MOOT_REFUSALS | {"message_gone"}):
            await self._remove_newcomer(member, journey, gate, arguments)

    async def _remove_newcomer(
        self,
        member: MemberRef,
        journey: Journey,
        gate: GateConfig,
        arguments: dict[str, Any],
    ) -> None:
        """Remove ``member``, whose removal ``journey`` counts already, and record it done."""
        community = member.community
        failures = journey.gate_failures
        ban = gate.ban_after_failures > 0 and failures >= gate.ban_after_failures
        self.core.scheduler.cancel(self.job_id("nudge", community, member.user.id))
        remember(self._removed, (community, member.user.id), None)
        self._prompts.pop((community, member.user.id), None)
        if "prompt_message_id" in arguments:
            await self._delete_prompt(community, arguments)
        texts = self.texts(community)
        name = plain_name(member.name)
        if ban:
            text = render(texts.gate_banned, member=name, failures=failures)
            await self.actions.ban(member, reason=text)
        else:
            assert gate.timeout is not None
            text = render(texts.gate_removed, member=name, timeout=SpokenDuration(gate.timeout))
            await self._kick(member, reason=text)
        # Recorded done before it is told: a second run then finds nothing to do.
        await self.journeys.written(
            await self.journeys.update(community, journey, restricted=False)
        )
        await self.bounded_modlog(community, text, self.core.clock.now())

    async def _kick(self, member: MemberRef, *, reason: str) -> bool:
        platform = member.platform
        if self.actions.can(platform, Capability.KICK):
            return await self.actions.kick(member, reason=reason)
        can_ban = self.actions.can(platform, Capability.BAN)
        if not (can_ban and self.actions.can(platform, Capability.UNBAN)):
            return False
        # Removing someone who may come back, where only bans exist: ban, then lift it.
        if not await self.actions.ban(member, reason=reason):
            return False
        with self.actions.refusals(expected=MOOT_REFUSALS):
            return await self.actions.unban(member.community, member.user, reason=reason)

    async def lift_restriction(self, member: MemberRef) -> bool:
        """Let ``member`` post again; one no longer here is no failure for the mod-log."""
        with self.actions.refusals(expected=MOOT_REFUSALS):
            return await self.actions.unrestrict(member)

    async def _delete_prompt(self, community: CommunityRef, arguments: dict[str, Any]) -> None:
        channel = ChannelRef(
            community, arguments["prompt_channel_id"], arguments["prompt_channel_name"]
        )
        await self.actions.delete(MessageRef(channel, arguments["prompt_message_id"]))
