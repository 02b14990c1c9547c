"""The welcome cog: greet newcomers, show the charter, invite introductions, survive raids.

Every newcomer's journey (joined, charter accepted, introduced, first message, still active after
7 and 30 days) is stored as timestamps for ``/onboarding``, one per arrival: a member who comes
back is a newcomer again. Per-member jobs (the nudge, the gate timeout) and the end of a wave of
joins are persistent jobs with plain arguments, so a restart neither loses nor doubles them.
Texts only ever ping the newcomer they are about.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from bot.bus import Priority
from bot.cog import job, listener
from bot.commands import CommandContext, Permission, UsageError, command
from bot.durations import SpokenDuration
from bot.events import (
    ChannelRef,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageRef,
    UserRef,
)
from bot.platform import Button, Capability, PlatformError
from bot.ruleconf import render
from cogs.welcome.base import remember
from cogs.welcome.config import WelcomeConfig, WelcomeTexts
from cogs.welcome.funnel import count_funnel, funnel_report
from cogs.welcome.gate import CharterGate, GateMode
from cogs.welcome.introductions import Introductions
from cogs.welcome.journeys import Journey
from cogs.welcome.raid import Wave
from cogs.welcome.wording import listed_names, plain_name, uses

REWELCOME_AFTER = timedelta(hours=1)
"""A member who comes back sooner than this is not welcomed again (join-leave loops)."""
MAX_DAYS = 366
"""The furthest back /onboarding looks: a year, a leap one too (as /report by default)."""
LATE_WAVE_WELCOME = timedelta(days=1)
"""An aggregated welcome that could not be posted for this long is dropped."""
LARGE_WAVE = 1_000
"""A wave that knows this many newcomers by id has its job written behind less often: each
write holds every name (some 50 bytes each, 10,000 at most), and a sustained raid changes it
every second."""
LARGE_WAVE_WRITTEN_EVERY = timedelta(seconds=5)
"""How often the job of a :data:`LARGE_WAVE` is written behind its joins, at most."""
GATED_WRITTEN_EVERY = timedelta(milliseconds=200)
"""How often, at most, a wave's job is written at once for the newcomers it holds at the gate,
between two other writes of it (the others wait for the next write behind, within a second): a
burst of gated joins wrote the whole job, every name, at each join."""
WAVE_RETRIES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
"""How long after each failed run (a busy database) a wave's welcome is tried again, with no wave
after it; after the last, it is given up and the mod-log told (a welcome hours late greets no one
"who just joined"). A wave that takes in a failed one keeps its count of failures: newcomers who
join during a long outage may be given up with it after a single try of their own."""


def _welcome_due(at: datetime) -> Callable[[datetime | None], bool]:
    """Whether a newcomer last welcomed at the time given (None: never) is welcomed at ``at``."""
    return lambda last: last is None or at - last >= REWELCOME_AFTER


class WelcomeCog(CharterGate, Introductions):
    """Welcomes newcomers and follows their first steps in the community."""

    # -- arrivals -------------------------------------------------------------------------------

    @listener(MemberJoined)
    async def greet(self, event: MemberJoined) -> None:
        """Welcome a newcomer (or count them in a wave), hold them at the gate, plan the nudge."""
        member = event.member
        if member.user.is_bot:
            return
        community = event.community
        # Back while /forget_member erases them: a newcomer once it is done, whose journey and
        # jobs that erasure, cancelling and deleting what it found, must not reach.
        if (community.key, member.user.id) in self.core.erasing.members:
            await self.core.erasing.over(community, member.user.id)
        config = self.settings(community)
        gated = config.gate.enabled and not self.core.is_moderator(member)
        mode = self.gate_mode(community, config.gate) if gated else None
        raid = config.raid
        verdict = self.watch.join(
            community.key,
            event.at,
            member.user.id,
            member.name,
            limit=raid.joins,
            within=raid.within,
            quiet=raid.quiet,
        )
        if verdict.overdue is not None and community.key in self._waves_behind:
            # Its job, late, is still to greet it: with every newcomer it gathered.
            self._schedule_wave_over(community, verdict.overdue, config)
        # A wave that starts is settled here, before any await: the joins that follow run
        # meanwhile (each in its own task on Discord) and the wave's job is written behind them
        # every second; read after an await, that job would pass for one an earlier wave left.
        started = verdict.wave if verdict.wave_started else None
        alert = started is not None and self._start_wave(community, started, event.at, config)
        if verdict.wave is not None and not verdict.wave_started:
            # Its job, planned for the end the wave had then, looks again when it runs: a join
            # costs no job write, the job is caught up behind (see write_behind).
            self._waves_behind[community.key] = community
        # Newcomers of a wave are welcomed together, later (and recorded as welcomed then); the
        # others now. Either way, not someone welcomed less than REWELCOME_AFTER ago (join-leave
        # loops). Recorded with the join.
        welcome_due = _welcome_due(event.at)
        journey, greet = await self.journeys.begin(
            community,
            member.user.id,
            event.at,
            welcome=None if verdict.wave is not None else welcome_due,
            gate_pending=gated,
            restricted=mode is GateMode.RESTRICT,
        )
        if verdict.wave is not None and not welcome_due(journey.welcomed_at):
            verdict.wave.welcomed_lately(member.user.id)
            self._waves_behind[community.key] = community  # its job, planned, names them
        if gated and not await self.journeys.written(journey):
            # Written before anything else: a newcomer held at the gate (restricted, say) whose
            # journey a crash lost could never be let in. The database refuses: held back from
            # memory only (their messages deleted until they accept), never restricted.
            journey = await self._not_held(member, journey, event.at)
            mode = GateMode.DELETE
        elif gated and verdict.wave is not None and verdict.wave.kept < LARGE_WAVE:
            # Their journey is on disk: their name goes into the wave's job with it, or a crash
            # before the job's next write would hold them at the gate of a welcome that never
            # names them, to be removed at its timeout. (A large wave's job waits its turn.)
            self._write_wave_now(community)
        self._removed.pop((community, member.user.id), None)
        timeout = config.gate.timeout if mode is GateMode.RESTRICT else None
        in_wave = verdict.wave is not None
        if timeout is not None:
            # Planned before anything is awaited: a kill after the restriction, before this,
            # would leave them restricted for ever (planned again below with their welcome).
            self.schedule_gate_timeout(member, journey, event.at + timeout, in_wave=in_wave)
        if mode is GateMode.RESTRICT:
            await self.actions.restrict(member)

        prompt = None
        if verdict.wave is not None:
            if alert:
                await self._raid_alert(community, config)
        elif greet or journey.gate_pending:
            prompt = await self._welcome(member, journey, config, greet=greet)
            if prompt is not None and journey.gate_pending:
                remember(self._prompts, (community, member.user.id), prompt)

        if timeout is not None and prompt is not None:
            # The message with their button goes with them (not if erased meanwhile).
            self.schedule_gate_timeout(
                member, journey, event.at + timeout, prompt=prompt, in_wave=in_wave
            )
        if verdict.individual:
            # Newcomers of a wave are nudged together, with one message (see wave_over): one
            # nudge per account of a raid would be spam.
            self.schedule_nudge(member, journey)

    async def _not_held(self, member: MemberRef, journey: Journey, at: datetime) -> Journey:
        """The database refused to record that ``member`` is held at the charter gate: say so
        to the moderators (a restart before it is recorded forgets it); not restricted."""
        community = member.community
        self.log.warning(
            "%s held at the charter gate of %s without restriction: not recorded",
            member.user.id,
            community.key,
        )
        text = render(self.texts(community).gate_not_recorded, member=plain_name(member.name))
        await self.bounded_modlog(community, text, at)
        if not journey.restricted:
            return journey
        return await self.journeys.update(community, journey, restricted=False)

    async def _welcome(
        self, member: MemberRef, journey: Journey, config: WelcomeConfig, *, greet: bool
    ) -> tuple[ChannelRef, str] | None:
        """Greet one newcomer, with the charter prompt when the gate holds them.

        ``greet`` is false for a member back too soon to be welcomed again: only the gate
        prompt is posted then. Returns where the prompt went, so it can be tidied away.
        """
        community = member.community
        texts = self.texts(community)
        text = ""
        if greet:
            text = await self._greeting(member, texts)
        parts = [text] if greet and config.in_channel else []
        buttons: list[Button] = []
        if journey.gate_pending:
            parts.append(self._charter_prompt(community, texts))
            buttons.append(self.accept_button(community))
        posted = None
        channel = await self.channel(community, "welcome") if parts else None
        if channel is not None:
            message = await self.actions.send(
                channel, "\n\n".join(parts), buttons=buttons, mention=[member.user]
            )
            if message is not None:
                posted = (channel, message.id)
                self.addressed(message, member.user.id)
        if greet and config.by_dm:
            await self.actions.dm(member.user, text, community=community)
        return posted

    async def _greeting(self, member: MemberRef, texts: WelcomeTexts) -> str:
        """One newcomer's welcome, picked at random. Where the platform cannot tell how many
        members there are, one that does not say it; if every welcome says it, the wave's
        welcome for one newcomer."""
        community = member.community
        template, count = await self._counted(community, "welcome", texts.welcome)
        if template is None:
            return render(
                texts.welcome_wave,
                count=1,
                members=listed_names([member.name], 1),
                community=self.community_name(community),
                **self.channel_labels(community),
            )
        return render(
            template,
            member=plain_name(member.name),
            community=self.community_name(community),
            member_count=count,
            **self.channel_labels(community),
        )

    async def _counted(
        self, community: CommunityRef, kind: str, templates: list[str]
    ) -> tuple[str | None, int]:
        """One of the ``kind`` texts (``welcome``, ``goodbye``) picked at random, with the
        community's member count if it says it (else 0: only a text that says the count asks
        the platform for it). None when each text says the count and the platform cannot tell
        it: a text never states a group size the bot does not know."""
        key = f"{community.key}:{kind}"
        template = self.picker.pick(key, templates)
        if not uses(template, "member_count"):
            return template, 0
        count = await self._member_count(community)
        if count is not None:
            return template, count
        silent = [text for text in templates if not uses(text, "member_count")]
        return (self.picker.pick(key, silent) if silent else None), 0

    async def _member_count(self, community: CommunityRef) -> int | None:
        """How many members ``community`` has, as its platform counts them; None when the
        platform cannot tell (the members the bot has seen would be a false figure in any
        community older than the bot)."""
        platform = self.actions.platform(community.platform)
        if platform is None or Capability.MEMBER_COUNT not in platform.capabilities:
            return None
        try:
            return await platform.member_count(community)
        except PlatformError as error:
            self.log.info("member count of %s unknown: %s", community.key, error)
            return None

    def _charter_prompt(self, community: CommunityRef, texts: WelcomeTexts) -> str:
        return render(texts.charter_prompt, charter=self.charter_text(community))

    async def _raid_alert(self, community: CommunityRef, config: WelcomeConfig) -> None:
        raid = config.raid
        await self.core.modlog(
            community,
            render(
                self.texts(community).raid_alert,
                count=raid.joins,
                within=SpokenDuration(raid.within),
                quiet=SpokenDuration(raid.quiet),
            ),
        )

    def _start_wave(
        self, community: CommunityRef, wave: Wave, at: datetime, config: WelcomeConfig
    ) -> bool:
        """Plan the job of ``wave``, started by a join at ``at``; whether to alert the
        moderators. Awaits nothing: see :meth:`greet`."""
        # The job of an earlier wave may still wait (planned before a restart, or late): this
        # wave's takes its place, so it greets that wave's newcomers too.
        saved = self._saved_wave(community)
        if saved is not None:
            wave.take_in(saved[1])
        self._schedule_wave_over(community, wave, config)
        # Not when the wave was only cut by a restart: its quiet has not passed, and the
        # moderators were alerted of it already.
        return saved is None or saved[0] <= at

    def _schedule_wave_over(
        self, community: CommunityRef, wave: Wave, config: WelcomeConfig
    ) -> None:
        """Plan the end of ``wave`` after its last join, with its newcomers so far."""
        self._plan_wave_job(community, wave, wave.last_join + config.raid.quiet)

    def _plan_wave_job(self, community: CommunityRef, wave: Wave, when: datetime) -> None:
        """Write the job greeting ``wave`` at ``when``; only once it is written is the wave
        up to date (a refused write is tried again at the next tick)."""
        try:
            self.core.scheduler.at_until_done(
                self._wave_job(community),
                when,
                self.name,
                "wave_over",
                platform=community.platform,
                community_id=community.id,
                community_name=community.name,
                **wave.arguments(),
            )
        except Exception:
            self._waves_behind[community.key] = community
            raise
        self._waves_behind.pop(community.key, None)
        self._wave_written[community.key] = self.core.clock.now()
        self._wave_written_now.pop(community.key, None)

    def _saved_wave(self, community: CommunityRef) -> tuple[datetime, Wave] | None:
        """When the pending job greeting a wave of ``community`` runs, and that wave as the
        job holds it; None when no such job waits."""
        job_id = self._wave_job(community)
        if self.core.scheduler.next_run(job_id) is None:
            return None  # the usual answer, without going through every pending job
        for pending in self.core.scheduler.pending(job_id):
            if pending.id == job_id and pending.next_run is not None:
                return pending.next_run, Wave.of_arguments(pending.kwargs, pending.next_run)
        return None

    def _leaves_wave(self, community: CommunityRef, user_id: str, *, erased: bool = False) -> None:
        """A newcomer who leaves before their wave is greeted is not named in its welcome; one
        ``erased`` is not kept in its saved job either."""
        left = self._left_while_greeted.get(community.key)
        if left is not None:
            left.add(user_id)  # the running welcome's wave, if it fails, is put back without
        if self.watch.leave(community.key, user_id):
            wave = self.watch.wave(community.key)
            if erased and wave is not None:
                # Their name stays out of what a crash would leave on disk. A leave only marks
                # the job behind: rewriting it (up to MAX_KEPT names) at every leave of a raid
                # would cost the loop dearly, and the job is caught up behind (write_behind).
                self._schedule_wave_over(community, wave, self.settings(community))
            else:
                self._waves_behind[community.key] = community
            return
        if self.watch.wave(community.key) is not None:
            return  # the wave in memory holds every newcomer its job holds
        # A wave planned before a restart (or whose job is late) is only in its job.
        saved = self._saved_wave(community)
        if saved is not None and saved[1].remove(user_id):
            self._plan_wave_job(community, saved[1], saved[0])
        elif erased:
            # Its job running (kept until done) or waiting for its platform: no next run.
            job = self.core.scheduler.scheduled(self._wave_job(community))
            if job is not None and job.next_run is None:
                wave = Wave.of_arguments(job.kwargs, self.core.clock.now())
                if wave.remove(user_id):
                    self.core.scheduler.change_arguments(job.id, **wave.arguments())

    async def caught_up(self, *, slow: bool = False) -> None:
        """Bring the jobs of the waves of joins up to date with the joins since they were
        planned, so that a stop (which calls this first) keeps every newcomer of a wave."""
        self._write_waves(every=None)

    async def write_behind(self) -> None:
        """Every second: the jobs of the waves of joins brought up to date, then the journeys'
        changes written. A kill then forgets the newcomers of the last second, as it forgets
        their journeys, not those who joined since the wave's job was planned (each job is
        written at most once a second, however many join; a large wave's, every
        :data:`LARGE_WAVE_WRITTEN_EVERY`: the newcomers of those last seconds)."""
        try:
            self._write_waves(every=LARGE_WAVE_WRITTEN_EVERY)
        finally:
            await super().write_behind()  # a job that could not be written holds no journey back

    @property
    def waves_behind(self) -> int:
        """How many waves have joins or leaves their job does not hold yet (written behind)."""
        return len(self._waves_behind)

    def _write_wave_now(self, community: CommunityRef) -> None:
        """Write the job of the wave of ``community`` if it changed since it was written, and
        was not written so already less than :data:`GATED_WRITTEN_EVERY` ago."""
        wave = self.watch.wave(community.key)
        if wave is None or community.key not in self._waves_behind:
            return
        now = self.core.clock.now()
        last = self._wave_written_now.get(community.key)
        if last is not None and now - last < GATED_WRITTEN_EVERY:
            return  # a burst: written behind, with the journeys, within a second
        self._schedule_wave_over(community, wave, self.settings(community))
        self._wave_written_now[community.key] = now

    def _write_waves(self, *, every: timedelta | None) -> None:
        """Write the jobs of the waves changed since; a large wave's only if it was last
        written ``every`` ago or more (None: now, whatever its size)."""
        now = self.core.clock.now()
        refused: Exception | None = None
        for community in list(self._waves_behind.values()):
            wave = self.watch.wave(community.key)
            if wave is None:
                self._waves_behind.pop(community.key, None)
                continue
            written = self._wave_written.get(community.key)
            if (
                every is not None
                and wave.kept >= LARGE_WAVE
                and written is not None
                and now - written < every
            ):
                continue  # still behind: written at a later tick
            try:
                self._schedule_wave_over(community, wave, self.settings(community))
            except Exception as error:  # one community's refused write holds no other back
                refused = refused or error
        if refused is not None:
            raise refused  # still behind: tried again at the next tick

    @job
    async def wave_over(self, **arguments: Any) -> None:
        """A wave of joins is over: greet its newcomers in one message (scheduler job).

        The job is planned when the wave starts, for the end it would have then; when it runs
        while the wave goes on (joins came since), it is planned again for the new end. It stays
        planned while it runs: a run the process dies in runs again at the next start. The
        welcome is recorded before it is posted: a second run finds it so and posts nothing (it
        plans the wave's nudge again, which nudges no one twice). So a welcome the process died
        in before recording it is posted after the restart; one it died in while posting it is
        never posted twice, and may not be posted at all. A wave begun before the process
        started also greets the newcomers who joined it then whose journeys were written but
        whom its job did not name yet (a kill between the two writes). A run that fails (a
        busy database) puts its newcomers back, but those who left or were erased meanwhile:
        into the wave that started meanwhile, or a job of their own :data:`WAVE_RETRIES`
        later. After the last retry fails, it is given up: an ERROR log line and a mod-log
        line say how many newcomers were not welcomed.
        """
        community = self.job_community(arguments)
        now = self.core.clock.now()
        wave = self.watch.wave(community.key)
        if wave is not None:
            config = self.settings(community)
            if now < wave.last_join + config.raid.quiet:
                self._schedule_wave_over(community, wave, config)
                return
            # The wave in memory, not its job's arguments: they may lag behind joins and leaves.
        else:
            wave = Wave.of_arguments(arguments, now)
        # Begun before this process: its job, as last written, may lag behind the journeys
        # written before the kill. On a retry too (the first run's recovery may have failed):
        # it skips whom the wave names, and counts no one twice.
        recover = wave.started <= self._up_since
        self._waves_behind.pop(community.key, None)
        self._wave_written.pop(community.key, None)
        self._wave_written_now.pop(community.key, None)
        self.watch.end(community.key)
        greeted_before = self._wave_greeted.get(community.key)
        self._wave_greeted[community.key] = now
        left: set[str] = set()
        self._left_while_greeted[community.key] = left
        try:
            if recover:
                await self._recover_newcomers(community, wave, now)
            await self._greet_wave(community, wave, now)
        except Exception:
            # A wave that started meanwhile replaced this job (it could not take in a running
            # one), and a failed run is not run again: its newcomers go back into a job.
            if greeted_before is None:
                self._wave_greeted.pop(community.key, None)
            else:
                self._wave_greeted[community.key] = greeted_before
            for user_id in left:
                wave.remove(user_id)  # left while it ran: their farewell found no wave
            if wave.failed >= len(WAVE_RETRIES):
                await self._give_up_wave(community, wave)
            else:
                wave.failed += 1
                self._put_back(community, wave, now + WAVE_RETRIES[wave.failed - 1])
            raise
        finally:
            self._left_while_greeted.pop(community.key, None)

    async def _recover_newcomers(self, community: CommunityRef, wave: Wave, now: datetime) -> None:
        """Take into ``wave``, read from its job, the newcomers who joined during it whose
        journeys were written but whom the job did not name yet (the process was killed between
        the two writes), still here and not welcomed in their stay: else never welcomed, and one
        held at the gate would see no button before its timeout."""
        if not self.core.cog_enabled(self.name, community):
            return
        known = wave.newcomers
        # Those who joined since the start went through this process: the wave in memory,
        # or a welcome of their own.
        until = min(now, self._up_since)
        unnamed = 0
        for journey in await self.journeys.begun_between(community, wave.started, until):
            user_id = journey.user_id
            welcomed = journey.welcomed_at
            if user_id in known or (welcomed is not None and welcomed >= journey.joined_at):
                continue
            record = await self.core.members.get(community, user_id)
            if record is not None and record.left_at is not None:
                continue
            if not self.journeys.may_hold(community.key, user_id):
                continue  # erased while this looked them up
            name = None if record is None else record.name
            lately = not _welcome_due(journey.joined_at)(welcomed)
            if wave.recovered(user_id, name, lately=lately):
                unnamed += 1
        wave.counted_at_least(unnamed)

    async def _give_up_wave(self, community: CommunityRef, wave: Wave) -> None:
        """The welcome of ``wave`` failed every try: say so in the log and the mod-log."""
        count = sum(
            1 for user_id in wave.members if self.journeys.may_hold(community.key, user_id)
        )
        count += wave.anonymous
        tries = wave.failed + 1
        # Counted, never named: the log outlives an erasure.
        self.log.error(
            "the welcome of a wave in %s failed %d times; given up: %d newcomers not welcomed",
            community.key,
            tries,
            count,
        )
        if count:
            text = render(self.texts(community).wave_not_welcomed, count=count, tries=tries)
            await self.core.modlog(community, text)

    def _put_back(self, community: CommunityRef, wave: Wave, when: datetime) -> None:
        """Greet ``wave``, whose welcome failed, with the wave that goes on or waits, if any;
        else on its own at ``when``."""
        for user_id in [*wave.members, *wave.lately]:
            if not self.journeys.may_hold(community.key, user_id):
                wave.remove(user_id)  # erased while it ran: in no saved job again
        going_on = self.watch.wave(community.key)
        if going_on is not None:
            going_on.take_in(wave)
            self._schedule_wave_over(community, going_on, self.settings(community))
            return
        saved = self._saved_wave(community)
        if saved is not None:
            saved[1].take_in(wave)
            self._plan_wave_job(community, saved[1], saved[0])
            return
        self._plan_wave_job(community, wave, when)

    async def _greet_wave(self, community: CommunityRef, wave: Wave, now: datetime) -> None:
        """Welcome the newcomers of ``wave``, over at ``now``, in one message; plan their
        nudge."""
        if not self.core.cog_enabled(self.name, community):
            return
        self.schedule_wave_nudge(community, wave.newcomers, now)
        count = wave.count
        if count <= 0:
            return
        channel = await self.channel(community, "welcome")
        if channel is None:
            return
        texts = self.texts(community)
        text = render(
            texts.welcome_wave,
            count=count,
            members=listed_names(wave.names, count),
            community=self.community_name(community),
            **self.channel_labels(community),
        )
        buttons: list[Button] = []
        if self.settings(community).gate.enabled:
            text += "\n\n" + self._charter_prompt(community, texts)
            buttons.append(self.accept_button(community))
        # Recorded before it is posted (one who comes back soon is not welcomed again): a run
        # the process died in, run again, finds it so and posts nothing.
        welcomed = await self.journeys.claim_welcome(community, wave.members, now)
        if welcomed is None:
            return
        if await self.actions.send(channel, text, buttons=buttons) is None:
            await self.journeys.unclaim_welcome(community, welcomed)

    # -- departures -----------------------------------------------------------------------------

    @listener(MemberLeft)
    async def farewell(self, event: MemberLeft) -> None:
        """Cancel a leaver's jobs, drop them from a wave's welcome; say goodbye if the rule book
        asks (within the raid limits). A newcomer who leaves before accepting the charter gets
        no goodbye, and their welcome, with its "I accept" button, is deleted."""
        member = event.member
        community = event.community
        if member.user.is_bot:
            return
        never_came_in = await self._left_at_the_gate(member)
        self.cancel_member_jobs(community, member.user.id)
        self._leaves_wave(community, member.user.id)
        config = self.settings(community)
        if not config.goodbye or never_came_in:
            return
        if (community, member.user.id) in self._removed:
            return  # removed by the gate: no goodbye for someone who never came in
        if self.watch.in_wave(community.key, event.at, config.raid.quiet):
            return
        if not self.allowed(community, "goodbye", event.at):
            self.log.info("goodbye to %s held back in %s", member.user.id, community.key)
            return
        channel = await self.channel(community, "welcome")
        if channel is None:
            return
        texts = self.texts(community)
        template, count = await self._counted(community, "goodbye", texts.goodbye)
        if template is None:
            self.log.info("no goodbye to %s: each says a member count unknown", member.user.id)
            return
        await self.actions.send(
            channel,
            render(
                template,
                member=plain_name(member.name),
                community=self.community_name(community),
                member_count=count,
            ),
        )

    async def _left_at_the_gate(self, member: MemberRef) -> bool:
        """Whether ``member``, leaving, had not accepted the charter yet; if so, the message that
        showed them their "I accept" button goes (a button for no one, a welcome for someone
        who never came in)."""
        community = member.community
        key = (community, member.user.id)
        journey = await self.journeys.get(community, member.user.id)
        if journey is None or not self.held_back(journey, community):
            self._prompts.pop(key, None)
            return False
        prompt = self._prompts.pop(key, None)
        if prompt is None:
            # After a restart, the gate job of a restricted newcomer still knows where it is.
            prompt = self._prompt_of_gate_job(community, member.user.id)
        if prompt is not None:
            channel, message_id = prompt
            await self.actions.delete(MessageRef(channel, message_id))
        return True

    def _prompt_of_gate_job(
        self, community: CommunityRef, user_id: str
    ) -> tuple[ChannelRef, str] | None:
        job_id = self.job_id("gate", community, user_id)
        if self.core.scheduler.next_run(job_id) is None:
            return None
        for pending in self.core.scheduler.pending(job_id):
            arguments = pending.kwargs
            if pending.id == job_id and "prompt_message_id" in arguments:
                channel = ChannelRef(
                    community, arguments["prompt_channel_id"], arguments["prompt_channel_name"]
                )
                return channel, arguments["prompt_message_id"]
        return None

    # -- the funnel -----------------------------------------------------------------------------

    @listener(MessageCreated, priority=Priority.OBSERVATION)
    async def follow_activity(self, event: MessageCreated) -> None:
        """Record a newcomer's first message, and whether they still post after 7 and 30 days."""
        user = event.author.user
        holders = self._holders.get(event.message.channel.community.key)
        if user.is_bot or (holders is not None and user.id not in holders):
            return
        journey = await self.journeys.get(event.community, user.id)
        if journey is None or self.held_back(journey, event.community):
            return
        changes = journey.activity(event.at)
        if changes:
            await self.journeys.update(event.community, journey, **changes)

    @command(
        names={"fr": "charte"},
        descriptions={"fr": "Afficher la charte de la communauté"},
        helps={"fr": """Afficher la charte de la communauté : comment nous nous parlons ici."""},
    )
    async def charter(self, ctx: CommandContext) -> None:
        """Show the community's charter: how we talk to each other here."""
        journey = await self.journeys.get(ctx.community, ctx.member.user.id)
        pending = journey is not None and journey.gate_pending
        buttons = [self.accept_button(ctx.community)] if pending else []
        await ctx.reply(self.charter_text(ctx.community), buttons=buttons)

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "accueil"},
        descriptions={"fr": "Parcours des nouveaux : arrivées, charte, présentations, activité"},
        helps={
            "fr": """Afficher le parcours des nouveaux : arrivés, charte acceptée, présentés,
            ont publié, encore actifs.

            Compte les arrivées de ces <jours> derniers jours (30 par défaut), avec la part
            d'entre elles ayant atteint chaque étape ; un membre revenu compte à nouveau.
            « Encore actifs après 7 jours » compte ceux qui ont publié à partir de leur
            7e jour, parmi les nouveaux arrivés il y a au moins 7 jours (de même pour 30).
            (de même pour 30).
            Exemple : /accueil 7
            """
        },
    )
    async def onboarding(
        self,
        ctx: CommandContext,
        days: Annotated[
            int,
            "How many days back to look (default 30)",
            {"fr": "Sur combien de jours regarder en arrière (30 par défaut)"},
        ] = 30,
    ) -> None:
        """Show the newcomer funnel: joined, charter accepted, introduced, posted, still active.

        Counts the arrivals of the last <days> days (default 30), with the share of them that
        reached each stage; a member who came back counts again. "Still active after 7 days"
        counts those who posted on or after their 7th day, among the newcomers who joined at
        least 7 days ago (30 likewise).
        Example: /onboarding 7
        """
        texts = self.texts(ctx.community)
        if not 1 <= days <= MAX_DAYS:
            raise UsageError("out_of_range", option="days", least=1, most=MAX_DAYS, value=days)
        now = self.core.clock.now()
        community_id = await self.core.members.community_id(ctx.community)
        await self.journeys.flush()
        funnel = await count_funnel(self.core.db, community_id, now - timedelta(days=days), now)
        gate = self.settings(ctx.community).gate.enabled
        await ctx.reply(funnel_report(texts, days, funnel, gate=gate))

    # -- jobs that could not run in time, and members' data -------------------------------------

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """Jobs that fell due while the bot was down still make sense, most of them late."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler == "nudge":
            await self.nudge(**kwargs)
        elif handler == "gate_expired":
            found = await self.job_journey(kwargs)
            if found is not None and not found[1].gate_pending:
                await self.gate_expired(**kwargs)  # a removal begun before: finished, late
                return
            # The newcomer may have pressed the button while the bot was down: a fresh delay.
            gate = self.settings(self.job_community(kwargs)).gate
            if found is not None and gate.timeout is not None:
                # Not if erased while this looked them up.
                self.plan_member_job("gate", self.core.clock.now() + gate.timeout, kwargs)
        elif handler == "wave_over":
            if late_by <= LATE_WAVE_WELCOME:
                await self.wave_over(**kwargs)
            else:
                # Too late to greet, not to invite them to introduce themselves.
                community = self.job_community(kwargs)
                self.watch.end(community.key)
                if self.core.cog_enabled(self.name, community):
                    newcomers = Wave.of_arguments(kwargs, self.core.clock.now()).newcomers
                    self.schedule_wave_nudge(community, newcomers, self.core.clock.now())
        elif handler == "wave_nudge":
            await self.wave_nudge(**kwargs)
        elif handler == "report_held_back":
            await self.report_held_back(**kwargs)  # late (the bot was down, or its platform)

    async def on_job_given_up(self, handler: str, job_id: str, kwargs: dict[str, Any]) -> None:
        """A count of reports held back that failed every try: the mod-log says so."""
        if handler == "report_held_back":
            await self.held_back_given_up(kwargs)

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The timestamps of the member's onboarding in ``community``: their latest arrival's,
        and each earlier one's, oldest first."""
        journeys = await self.journeys.arrivals(community, user.id)
        if not journeys:
            return {}
        exported: dict[str, Any] = {"onboarding": journeys[-1].export()}
        if len(journeys) > 1:
            exported["earlier_arrivals"] = [journey.export() for journey in journeys[:-1]]
        return exported

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the journeys begun before ``cutoff`` that a later arrival of the member
        followed; each member's latest journey stays (what carries over to their next)."""
        return await self.journeys.forget_before(community, cutoff)

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the member's onboarding in ``community`` (every arrival) and cancel their
        jobs; a newcomer the gate still restricts is let go (forgotten, the button can no
        longer free them). A join of theirs meanwhile waits until the whole erasure is done
        (see :meth:`greet` and :func:`bot.memberdata.erase_member`)."""
        journey = await self.journeys.get(community, user.id)
        self.cancel_member_jobs(community, user.id)
        self._leaves_wave(community, user.id, erased=True)  # nor kept in their wave's job
        self.forget_in_wave_nudges(community, user.id)
        await self.journeys.forget(community, user.id)
        if journey is not None and journey.gate_pending and journey.restricted:
            await self.lift_restriction(MemberRef(community, user))
