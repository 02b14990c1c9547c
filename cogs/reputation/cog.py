"""The reputation cog: watches the organisation's names in the community's messages.

Every message that names one (``names:``, whole, ignoring case and accents) is counted once per
community and local day with its tone, from the tone words of the rule book and, when the
netiquette's toxicity model is on, its scores (a mention scored hostile is negative). Counts go to
the database in batches (``buffer.py``); no text. A storm of negative mentions brings one alert
to the leadership channel and the mod-log, quoting a few of them from memory, then none for the
cooldown, which outlives a restart (the last alert's time is stored; the mentions are not);
``/reputation`` and a scheduled summary give the figures of a period against the one before,
from the first day counted in the community on (when names were first watched there).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from sqlalchemy.exc import SQLAlchemyError

from bot.bus import Priority
from bot.cog import job, listener
from bot.commands import CommandContext, Days, Permission, UsageError, command
from bot.durations import SpokenDuration
from bot.events import (
    CommunityRef,
    CommunitySeen,
    MessageCreated,
    MessageDeleted,
    MessageRef,
    MessageScored,
    UserRef,
)
from bot.localtime import local_time
from bot.ruleconf import plain_name, render
from cogs.reputation.base import ReputationBase
from cogs.reputation.figures import period_text, read_period, span
from cogs.reputation.mentions import AlertWindow, Mention, excerpt
from cogs.reputation.schedule import SummaryJob
from cogs.reputation.tone import Tone

DaysOption = Annotated[
    Days,
    "How many days, up to today (default 7)",
    {"fr": "Combien de jours, jusqu'à aujourd'hui (7 par défaut)"},
]
A_WEEK = Days(7)
MOST_DAYS = 31
"""The longest period /reputation shows: one line per day."""
QUOTED = 3
"""Mentions an alert quotes."""
TONE_FIELDS: dict[Tone, tuple[int, int]] = {
    "positive": (1, 0),
    "negative": (0, 1),
    "neutral": (0, 0),
}
"""What a mention of each tone adds to the day's positive and negative counts."""


class ReputationCog(ReputationBase):
    """Counts the mentions of the organisation and their tone; alerts leadership of a storm."""

    # -- counting -------------------------------------------------------------------------------

    @listener(MessageCreated, priority=Priority.OBSERVATION)
    async def count_mention(self, event: MessageCreated) -> None:
        """A message naming the organisation: counted once, with its tone (the text is not
        kept; a few words of it stay in memory for an alert)."""
        message = event.message
        watch = self._watches.get(message.community.key)
        if watch is None or watch.book is not self.core.rules.current:
            watch = self.watch(message.community)
        names = watch.names
        if not watch.counting:
            watch.counting = await self._start_counting(watch.community, event.at)
        if names is None:
            return
        if not names.found(event.text):
            return
        author = event.author
        channel = message.channel
        if author.user.is_bot or message in self.recent:
            return
        if watch.ignored and (
            channel.id.casefold() in watch.ignored
            or channel.name.lstrip("#").casefold() in watch.ignored
        ):
            return
        if not watch.scheduled:
            self.summary_job.ensure(watch.community)
            watch.scheduled = True
        tone = watch.tone.tone(event.text)
        mention = Mention(
            watch.community,
            watch.days.of(event.at),
            event.at,
            tone,
            author.user.id,
            author.name or author.user.name,
            excerpt(event.text),
        )
        self.buffer.add(mention.community, mention.day, 1, *TONE_FIELDS[tone])
        self.recent.remember(message, mention)
        if tone == "negative":
            await self._negative(message, mention)

    @listener(MessageScored, priority=Priority.OBSERVATION, include_removed=True)
    async def score_mention(self, event: MessageScored) -> None:
        """A mention the toxicity model scores over ``hostile_above`` is negative."""
        mention = self.recent.get(event.message)
        if mention is None or mention.tone == "negative" or not event.scores:
            return
        if max(event.scores.values()) <= self.settings(mention.community).hostile_above:
            return
        was = TONE_FIELDS[mention.tone]
        self.buffer.add(mention.community, mention.day, 0, -was[0], 1 - was[1])
        mention.tone = "negative"
        await self._negative(event.message, mention)

    @listener(MessageDeleted, priority=Priority.OBSERVATION)
    async def uncount_mention(self, event: MessageDeleted) -> None:
        """A deleted mention counts no more, nor for an alert: one the bot deleted, or one the
        platform says was deleted (Discord does, Telegram does not). One counted before the
        bot started, or among more than the last 10,000, stays counted."""
        mention = self.recent.deleted(event.message)
        if mention is None:
            return
        self.buffer.add(
            mention.community, mention.day, -1, *(-n for n in TONE_FIELDS[mention.tone])
        )
        window = self.windows.get(mention.community.key)
        if window is not None:
            window.discard(event.message)

    @listener(CommunitySeen, priority=Priority.OBSERVATION)
    async def notice_community(self, event: CommunitySeen) -> None:
        """Make sure the community's summary is scheduled once the bot hears from it, and its
        first day counted remembered where names are watched (marked stopped where none is)."""
        self.summary_job.ensure(event.community)
        await self._start_counting(event.community, event.at)

    async def rules_applied(self) -> None:
        """At start and after a reload: counting started (or stopped) as the names now say in
        the communities seen and in those with a summary stored, so that a quiet community's
        figures start on the day its names were watched again, not at a day before they were
        dropped; then the summary jobs brought in line."""
        communities = {community.key: community for community in self.core.communities_seen}
        for stored in self.core.scheduler.pending(f"{self.name}:summary:"):
            community = SummaryJob.community(stored.kwargs)
            communities.setdefault(community.key, community)
        now = self.core.clock.now()
        for community in communities.values():
            self.watch(community).counting = await self._start_counting(community, now)
        await super().rules_applied()

    async def _in_line(self, community: CommunityRef) -> None:
        """A summary job stored under another rule book: its community counted and its job
        scheduled as the rules now say. At start it may run before :meth:`rules_applied`,
        which would no longer find the community of a job cancelled here."""
        self.watch(community).counting = await self._start_counting(
            community, self.core.clock.now()
        )
        self.summary_job.bring_in_line(community)

    async def _start_counting(self, community: CommunityRef, at: datetime) -> bool:
        """Remember the first day counted in the community, if it is not yet, where names are
        watched; mark it stopped where none is, or the cog is off. False when the database would
        not tell or keep it."""
        watch = self.watch(community)
        try:
            # A community the cog does not serve has no name watched either: nothing is counted.
            if watch.names is None or not self.core.cog_enabled(self.name, community):
                await self.stop_counting(community)
            else:
                await self.counting_since(community, watch.days.of(at), watched=True)
        except SQLAlchemyError as error:
            # The mention still counts; the day is remembered with a later message.
            self.log.warning(
                "could not remember the first reputation day of %s: %s", community.key, error
            )
            return False
        return True

    # -- the alert ------------------------------------------------------------------------------

    async def _negative(self, message: MessageRef, mention: Mention) -> None:
        settings = self.settings(mention.community).alert
        if not settings.enabled:
            return
        community = mention.community
        window = self.windows.get(community.key)
        if window is None:
            last_alert = await self._last_alert(community)
            # Another negative mention may have made the window while the database answered.
            window = self.windows.setdefault(community.key, AlertWindow(last_alert))
        alerted = window.add(
            message,
            mention,
            negative=settings.negative,
            within=settings.within,
            cooldown=settings.cooldown,
        )
        if alerted is not None:
            await self._remember_alert(community, mention.at)
            await self._alert(community, alerted, settings.within)

    def _last_alert_key(self, community: CommunityRef) -> str:
        return f"{self.name}:last_alert:{community.key}"

    async def _last_alert(self, community: CommunityRef) -> datetime | None:
        """When the community was last alerted, as stored: a storm going on across a restart
        stays quiet for the rest of the cooldown. None when never, or unknown."""
        try:
            stored = await self._state.get(self._last_alert_key(community))
        except SQLAlchemyError as error:
            self.log.warning(
                "could not read the last reputation alert of %s: %s", community.key, error
            )
            return None
        return None if stored is None else datetime.fromisoformat(stored)

    async def _remember_alert(self, community: CommunityRef, at: datetime) -> None:
        """Store when the community was alerted; the alert goes out even if it cannot be."""
        try:
            await self._state.set(self._last_alert_key(community), at.isoformat())
        except SQLAlchemyError as error:
            self.log.warning(
                "could not remember the reputation alert of %s: %s", community.key, error
            )

    async def _alert(
        self, community: CommunityRef, mentions: list[Mention], within: timedelta
    ) -> None:
        texts = self.texts(community)
        lines = [render(texts.alert, count=len(mentions), within=SpokenDuration(within))]
        lines += [
            render(texts.alert_line, member=plain_name(item.author_name) or "?", text=item.excerpt)
            for item in mentions[-QUOTED:]
        ]
        text = "\n".join(lines)
        name = self.settings(community).channel
        channel = await self.core.resolve_channel(community, name) if name else None
        if channel is not None and await self.actions.send(channel, text) is not None:
            mod_log = self.core.community_config(community).channels.mod_log
            if mod_log and await self.core.resolve_channel(community, mod_log) == channel:
                return  # the leadership channel is the mod-log: posted once
        await self.core.modlog(community, text)

    # -- reading --------------------------------------------------------------------------------

    def today(self, community: CommunityRef) -> date:
        """The community's local date now."""
        return self.watch(community).days.of(self.core.clock.now())

    async def period_text(self, community: CommunityRef, end: date, days: int) -> str:
        """The figures of the ``days`` days up to ``end`` against the days before, those
        before the first day counted left out."""
        await self.flush()
        since = await self.counting_since(
            community, self.today(community), watched=self.watch(community).names is not None
        )
        community_id = await self.core.members.community_id(community)
        start, end = span(end, days)
        before_start, before_end = span(start - timedelta(days=1), days)
        current = await read_period(self.core.db, community_id, start, end)
        previous = await read_period(self.core.db, community_id, before_start, before_end)
        return period_text(
            self.texts(community),
            community.name or community.id,
            self.core.community_config(community).locale,
            current,
            previous,
            since,
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "reputation"},
        descriptions={
            "fr": "Les mentions de l'organisation des derniers jours, positives ou négatives"
        },
        helps={
            "fr": """Les mentions de l'organisation des derniers jours (jusqu'à ce jour).

            Mentions par jour, part positive, négative et neutre, et l'évolution par rapport
            aux jours précédents. Les noms suivis sont ceux de la liste names de
            reputation.yaml.
            Exemple : /reputation 30
            """
        },
    )
    async def reputation(self, ctx: CommandContext, days: DaysOption = A_WEEK) -> None:
        """The mentions of the organisation in the last days (up to today), and their tone.

        Mentions per day, the shares positive, negative and neutral, and the change against
        the days before. The names watched are those of names: in reputation.yaml.
        Example: /reputation 30
        """
        community = ctx.community
        if not self.settings(community).names:
            await ctx.reply(render(self.texts(community).no_names))
            return
        if not 1 <= days <= MOST_DAYS:
            raise UsageError("out_of_range", option="days", least=1, most=MOST_DAYS, value=days)
        self.summary_job.ensure(community)
        await ctx.reply(await self.period_text(community, self.today(community), days))

    # -- the summary ----------------------------------------------------------------------------

    @job
    async def post_summary(self, **arguments: Any) -> None:
        """Post the summary of the complete days before today (scheduler job)."""
        community = SummaryJob.community(arguments)
        if arguments.get("signature") != self.summary_job.signature(community):
            # Stored under another rule book: do as the rules say now.
            await self._in_line(community)
            return
        today = self.today(community)
        end = today - timedelta(days=1)
        since = await self.counting_since(
            community, today, watched=self.watch(community).names is not None
        )
        if end < since:
            # Days before the counting began: a page of zeros would read as no one talking.
            self.log.info(
                "reputation summary up to %s in %s not made: counted from %s",
                end,
                community.key,
                since,
            )
            return
        settings = self.settings(community)
        assert settings.channel is not None
        channel = await self.core.resolve_channel(community, settings.channel)
        if channel is None:
            self.log.warning(
                "reputation channel %r not found in %s", settings.channel, community.key
            )
            # Nobody reads the bot's log: the moderators must learn leadership got nothing.
            await self.core.modlog(
                community,
                render(self.texts(community).summary_unposted, channel=settings.channel),
            )
            return
        await self.actions.send(
            channel, await self.period_text(community, end, settings.summary.days)
        )

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A summary due while the bot was down is not posted late: say so in the mod-log.
        Nothing to say of one the rule book no longer asks for as it was (turned off, or
        scheduled otherwise, while the bot was down): its job is brought in line."""
        community = SummaryJob.community(kwargs)
        if kwargs.get("signature") != self.summary_job.signature(community):
            # As post_summary: a job stored under another rule book owes nothing now.
            self.log.info(
                "reputation summary %s missed by %s: no longer due as scheduled; brought in line",
                job_id,
                late_by,
            )
            await self._in_line(community)
            return
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        zone = self.core.community_config(community).zone
        when = local_time(self.core.clock.now() - late_by, zone)
        await self.core.modlog(community, render(self.texts(community).summary_missed, when=when))

    # -- members' data --------------------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The member's recent mentions held in memory for an alert (a few words each); the
        daily counts name no member."""
        mentions = self.recent.of_member(community, user.id)
        if not mentions:
            return {}
        return {
            "recent_mentions": [
                {"at": item.at.isoformat(), "tone": item.tone, "excerpt": item.excerpt}
                for item in mentions
            ]
        }

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Drop the member's mentions held in memory (their words quoted in an alert). The
        daily counts in the database hold no member: nothing to erase there, and the
        member's mentions stay counted."""
        self.recent.forget_member(community, user.id)
        window: AlertWindow | None = self.windows.get(community.key)
        if window is not None:
            window.forget_member(user.id)
