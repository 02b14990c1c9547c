"""The reports cog: activity, newcomers, moderation and satisfaction, per day, with charts.

Figures are counted per community per day (community time zone) as events arrive, kept in
memory and written in one transaction per interval (``buffer.py``); no message text is kept.
``/report`` answers with the figures, the change against the period before and a PNG chart;
``/report_export`` with a CSV of the daily figures; a weekly job posts the report.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar

from sqlalchemy import and_, delete
from sqlmodel import col, select

from bot.albums import LastAlbums
from bot.bus import Priority
from bot.cog import Cog, job, listener
from bot.commands import CommandContext, Days, Permission, UsageError, command
from bot.events import (
    CommunityRef,
    CommunitySeen,
    ContestClosed,
    MemberIntroduced,
    MemberJoined,
    MemberLeft,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageScored,
    ModerationPardoned,
    ModerationRecorded,
    ReactionAdded,
    ReactionEvent,
    ReactionRemoved,
    ReactionVoted,
    UserRef,
)
from bot.localdays import LocalDays
from bot.localtime import LocalDate, local_time
from bot.models import Community
from bot.periodic import PeriodicFlush
from bot.retention import delete_in_batches
from bot.ruleconf import percent_text, render
from bot.weekly import WeeklyJob
from cogs.reports.buffer import FigureBuffer
from cogs.reports.chart import render_chart, write_csv
from cogs.reports.config import ReportsConfig, ReportTexts
from cogs.reports.figures import Figures, Span, read_figures, satisfaction, signals
from cogs.reports.models import ReportActive, ReportNewcomer
from cogs.reports.moods import Mood, ReactionMoods
from cogs.reports.recent import RecentMessages, Remembered
from cogs.reports.thanks import ThanksWords

DaysOption = Annotated[
    Days,
    "How many days, up to today (default 7)",
    {"fr": "Combien de jours, jusqu'à aujourd'hui (7 par défaut)"},
]
A_WEEK = Days(7)
"""The days a report covers unless told."""


def change(current: int, previous: int, locale: str) -> str:
    """``+12%``, ``-3%``, ``±0%`` against the period before; from nothing before, the count
    itself (``+5``, ``±0``), never a percentage of nothing."""
    if previous == 0:
        return f"+{current}" if current else "±0"
    return percent_text((current - previous) / previous, locale, signed=True)


PER_DAY_LEAST = 0.1
"""The smallest daily average written as a number: one decimal."""

REACTIONS_REMEMBERED = 100_000
"""Reactions of the day remembered per community, so that one taken back the same day is
uncounted: a member toggling a reaction is no flood of positive signals. Past that, the rest of
the day's reactions are counted and not remembered."""

VOTES_PENDING = 1_000
"""Reactions told to be votes and not yet heard as reactions: each is heard at once, in the same
dispatch; past this many, something kept them from us and they are forgotten."""

MOOD_COUNTERS: dict[Mood, str] = {1: "positive_reactions", -1: "negative_reactions"}


Reaction = tuple[str, str, str, str]
"""A reaction as remembered: channel, message, member, emoji."""

_new_tuple = tuple.__new__

NOT_SANCTIONS = frozenset({"note", "untimeout", "unban"})
"""Case actions that sanction nobody: a moderator's note, a lift (as the contributors cog
reads them too)."""


LADDER_RULE = "strikes"
"""The rule a step of the netiquette's strike ladder is recorded under (its ``LADDER_RULE``): a
name of the data, shown with the ``ladder`` text."""


def sanctions(actions: str) -> bool:
    """Whether a case's actions (``delete, warn``) sanction the member."""
    return not set(actions.split(", ")) <= NOT_SANCTIONS


def _reaction(event: ReactionEvent) -> Reaction:
    message = event.message
    return (message.channel.id, message.id, event.member.user.id, event.emoji)


class CommunityFigures:
    """What counting reads of one community, resolved once per rule book: the listeners ask
    for it on every event."""

    __slots__ = ("book", "community", "days", "moods", "thanks")

    def __init__(
        self,
        book: object,
        community: CommunityRef,
        days: LocalDays,
        thanks: ThanksWords,
        moods: ReactionMoods,
    ) -> None:
        self.book = book
        """The rule book these settings come from."""
        self.community = community
        """One reference for every figure's key: keys compare by identity, not by field."""
        self.days = days
        self.thanks = thanks
        self.moods = moods


class ReportsCog(Cog):
    """Counts what happens per day and reports it, with charts, to leadership."""

    name: ClassVar[str] = "reports"
    config_model = ReportsConfig

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffer = FigureBuffer(self.core.db, self.core.members)
        self._flusher = PeriodicFlush(
            "reports",
            lambda: self.settings().write.flush_every.total_seconds(),
            self.flush,
            self.log,
        )
        self._lock = asyncio.Lock()
        self._thanks: dict[tuple[str, ...], ThanksWords] = {}
        self._communities: dict[str, CommunityFigures] = {}
        self._reactions: dict[str, tuple[date, dict[Reaction, Mood]]] = {}
        """Each community's reactions of its current day and their mood (see
        :data:`REACTIONS_REMEMBERED`)."""
        self._votes: set[ReactionAdded] = set()
        """Reactions a cog took as votes, about to be heard (see :meth:`note_vote`)."""
        self._albums = LastAlbums()
        self._recent = RecentMessages()
        self._started = self.core.clock.now()
        """Since when messages are remembered: a member's messages of a day begun before may
        be unknown."""
        self._first_seen: dict[str, datetime] = {}
        """When the bot first saw each community (it never changes)."""
        self.weekly_report = WeeklyJob(
            self, "weekly", "post_report", lambda community: self.settings(community).schedule
        )

    def settings(self, community: CommunityRef | None = None) -> ReportsConfig:
        """The reports section as it applies to ``community``."""
        config: ReportsConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> ReportTexts:
        """The reports texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def day(self, community: CommunityRef, at: datetime) -> date:
        """The community's local date of ``at``."""
        return self._figures(community).days.of(at)

    def _figures(self, community: CommunityRef) -> CommunityFigures:
        """The community's counting settings, read again after a reload."""
        book = self.core.rules.current
        found = self._communities.get(community.key)
        if found is None or found.book is not book:
            words = tuple(self.settings(community).thanks_words)
            thanks = self._thanks.get(words)
            if thanks is None:
                thanks = self._thanks[words] = ThanksWords(words)
            zone = self.core.community_config(community).zone
            satisfaction = self.settings(community).satisfaction
            moods = ReactionMoods(satisfaction.positive_reactions, satisfaction.negative_reactions)
            found = CommunityFigures(book, community, LocalDays(zone), thanks, moods)
            self._communities[community.key] = found
        return found

    # -- the write path -------------------------------------------------------------------------

    async def setup(self) -> None:
        """Start writing the figures every ``write.flush_every``."""
        self._flusher.start()

    async def teardown(self) -> None:
        """Stop the periodic flush and write what is pending."""
        await self._flusher.stop()
        await self.buffer.flush_last(self.flush)  # again for a few seconds if the database refused

    async def flush(self) -> int:
        """Write the pending figures now, in one transaction."""
        async with self._lock:
            return await self.buffer.flush()

    # -- listeners: count as events arrive ------------------------------------------------------

    @listener(MessageCreated, priority=Priority.OBSERVATION)
    async def count_message(self, event: MessageCreated) -> None:
        """Messages per day and channel, active members, thanks (the text is not kept). An album
        is one message, however many photos it holds."""
        author = event.author.user
        if author.is_bot:
            return
        channel = event.message.channel
        group = event.group
        if group is not None:
            if self._albums.counted(channel.community, author.id, group):
                return
            self._albums.remember(channel.community, author.id, group)
        figures = self._communities.get(channel.community.key)
        if figures is None or figures.book is not self.core.rules.current:
            figures = self._figures(channel.community)
        at = event.at
        day = figures.days.of(at)
        thanks = figures.thanks.found(event.text)
        author_id, channel_id = author.id, channel.id
        buffer = self.buffer
        buffer.day(figures.community, day).message(
            author_id, at, channel_id, channel.name or channel_id, thanks=thanks
        )
        # Built as a tuple: a named tuple's own constructor is a function call in Python.
        remembered = _new_tuple(Remembered, (day, author_id, channel_id, thanks, at, None))
        self._recent.remember(event.message, remembered)
        arrivals = buffer.pending.arrivals  # who joined since the last flush, not posted since
        if arrivals and (figures.community, author_id) in arrivals:
            buffer.posted(figures.community, author_id, at)

    @listener(MessageDeleted, priority=Priority.OBSERVATION)
    async def uncount_message(self, event: MessageDeleted) -> None:
        """A deleted message (by its author, a moderator or the bot) counts no more: its day's
        and its channel's count, its thanks, and its author's activity that day if it was
        their only message; a newcomer whose first message it was has not posted, unless they
        did on a later day. A message counted before the bot started is not known: nothing is
        taken back."""
        found = self._recent.deleted(event.message)
        if found is None:
            return
        remembered, last = found
        figures = self._figures(event.message.community)
        day = remembered.day
        # On a day begun before the bot started, the member may have posted before: unknown.
        inactive = last and day > figures.days.of(self._started)
        self.buffer.day(figures.community, day).unmessage(
            remembered.author_id,
            remembered.channel_id,
            thanks=remembered.thanks,
            inactive=inactive,
        )
        if inactive:
            self.buffer.unpost(figures.community, remembered.author_id, day, remembered.at)
        if remembered.thanked_on is not None:
            self.buffer.count(figures.community, remembered.thanked_on, "thanks", -1)

    @listener(MessageEdited, priority=Priority.OBSERVATION)
    async def count_edit(self, event: MessageEdited) -> None:
        """An edit that adds thanks to a message that thanked no one counts a thank-you, once,
        on the day of the edit, as the contributors cog credits it then; it is taken back with
        the message. A message the report does not remember (posted before the bot started,
        or too long ago) counts nothing, and no edit takes a thank-you back."""
        if event.author.user.is_bot:
            return
        figures = self._figures(event.message.community)
        if not figures.thanks.found(event.text):
            return
        day = figures.days.of(event.at)
        if self._recent.thanked_by_edit(event.message, day):
            self.buffer.count(figures.community, day, "thanks")

    @listener(MemberJoined, priority=Priority.OBSERVATION)
    async def count_join(self, event: MemberJoined) -> None:
        """A newcomer."""
        if event.member.user.is_bot:
            return
        day = self.day(event.community, event.at)
        self.buffer.joined(event.community, event.member.user.id, event.at, day)

    @listener(MemberLeft, priority=Priority.OBSERVATION)
    async def count_leave(self, event: MemberLeft) -> None:
        """A departure."""
        if event.member.user.is_bot:
            return
        self.buffer.count(event.community, self.day(event.community, event.at), "left")
        self.buffer.moment("left_at", event.community, event.member.user.id, event.at)

    @listener(MemberIntroduced, priority=Priority.OBSERVATION, include_removed=True)
    async def count_introduction(self, event: MemberIntroduced) -> None:
        """A newcomer introduced themselves (told by the welcome cog)."""
        self.buffer.count(event.community, self.day(event.community, event.at), "introduced")
        self.buffer.moment("introduced_at", event.community, event.member.user.id, event.at)

    @listener(ReactionVoted, priority=Priority.OBSERVATION)
    async def note_vote(self, event: ReactionVoted) -> None:
        """A reaction a cog took as a vote or an entry (told while it handles the reaction,
        before the reaction reaches :meth:`count_reaction`): it is no reaction of the day."""
        if len(self._votes) >= VOTES_PENDING:
            self._votes.clear()
        self._votes.add(event.reaction)

    @listener(ReactionAdded, priority=Priority.OBSERVATION)
    async def count_reaction(self, event: ReactionAdded) -> None:
        """A reaction, positive, negative or neither as the satisfaction section lists them (the
        fallback satisfaction indicator's signals); a vote or an entry is none."""
        if event.member.user.is_bot:
            return
        if self._votes and event in self._votes:
            self._votes.discard(event)
            return
        figures = self._figures(event.message.channel.community)
        day = figures.days.of(event.at)
        mood = figures.moods.of(event.emoji)
        counted = self.buffer.day(figures.community, day)
        counted.count("reactions")
        if mood:
            counted.count(MOOD_COUNTERS[mood])
        key = figures.community.key
        remembered = self._reactions.get(key)
        if remembered is None or remembered[0] != day:
            remembered = self._reactions[key] = (day, {})
        if len(remembered[1]) < REACTIONS_REMEMBERED:
            remembered[1][_reaction(event)] = mood

    @listener(ReactionRemoved, priority=Priority.OBSERVATION)
    async def uncount_reaction(self, event: ReactionRemoved) -> None:
        """A reaction taken back the day it was given no longer counts."""
        if event.member.user.is_bot:
            return
        figures = self._figures(event.message.channel.community)
        day = figures.days.of(event.at)
        remembered = self._reactions.get(figures.community.key)
        if remembered is None or remembered[0] != day:
            return
        mood = remembered[1].pop(_reaction(event), None)
        if mood is not None:
            counted = self.buffer.day(figures.community, day)
            counted.count("reactions", -1)
            if mood:
                counted.count(MOOD_COUNTERS[mood], -1)

    @listener(ModerationRecorded, priority=Priority.OBSERVATION)
    async def count_moderation(self, event: ModerationRecorded) -> None:
        """A sanction, by rule (told by the netiquette cog); a note or a lift is none."""
        if not sanctions(event.action):
            return
        day = self.day(event.community, event.at)
        self.buffer.count(event.community, day, "moderation")
        self.buffer.moderation(event.community, day, event.rule or "")

    @listener(ModerationPardoned, priority=Priority.OBSERVATION)
    async def count_pardon(self, event: ModerationPardoned) -> None:
        """A pardoned sanction counts no more, taken back from the day it was given; its rule
        keeps it, and the report says how many of them were pardoned."""
        if not sanctions(event.action):
            return
        day = self.day(event.community, event.recorded_at)
        self.buffer.count(event.community, day, "moderation", -1)

    @listener(ContestClosed, priority=Priority.OBSERVATION)
    async def count_contest(self, event: ContestClosed) -> None:
        """A contest or challenge closed with its results (told by the contests cog): counted
        the day it closes, as the report says, since its opening is not told."""
        self.buffer.count(event.community, self.day(event.community, event.at), "contests")

    @listener(MessageScored, priority=Priority.OBSERVATION, include_removed=True)
    async def count_score(self, event: MessageScored) -> None:
        """A toxicity verdict: civil under ``civil_below``, hostile over ``hostile_above``."""
        if not event.scores:
            return
        thresholds = self.settings(event.community).satisfaction
        highest = max(event.scores.values())
        day = self.day(event.community, event.at)
        self.buffer.count(event.community, day, "scored")
        if highest < thresholds.civil_below:
            self.buffer.count(event.community, day, "civil")
        elif highest > thresholds.hostile_above:
            self.buffer.count(event.community, day, "hostile")

    # -- reading --------------------------------------------------------------------------------

    def span(self, community: CommunityRef, days: int, *, until_yesterday: bool = False) -> Span:
        """The last ``days`` days up to today (or yesterday), in the community's time zone."""
        most = self.settings(community).max_days
        if not 1 <= days <= most:
            raise UsageError("out_of_range", option="days", least=1, most=most, value=days)
        end = self.day(community, self.core.clock.now())
        if until_yesterday:
            end -= timedelta(days=1)
        return Span(end - timedelta(days=days - 1), end)

    async def first_day(self, community: CommunityRef) -> date:
        """The community's local date the bot first saw it: no figure is older."""
        seen = self._first_seen.get(community.key)
        if seen is None:
            community_id = await self.core.members.community_id(community)
            async with self.core.db.session() as session:
                seen = (
                    await session.exec(
                        select(col(Community.first_seen)).where(Community.id == community_id)
                    )
                ).one()
            self._first_seen[community.key] = seen
        return self.day(community, seen)

    async def figures(self, community: CommunityRef, span: Span) -> Figures:
        """The figures of ``span``, exact (the buffer is flushed first)."""
        await self.flush()
        community_id = await self.core.members.community_id(community)
        zone = self.core.community_config(community).zone
        top = self.settings(community).top_channels
        return await read_figures(self.core.db, community_id, span, zone, top)

    async def report_text(
        self,
        community: CommunityRef,
        current: Figures,
        previous: Figures,
        *,
        first_day: date | None = None,
    ) -> str:
        """The report as leadership reads it; from a span that began before ``first_day`` (the
        bot's first day here), its title says how many days were counted from when, its last
        line that the days before hold nothing, and it averages over the days counted; against
        a period before wholly before it, it gives no change, and against one partly before it,
        says so."""
        texts = self.texts(community)
        locale = self.core.community_config(community).locale
        span = current.span
        counted = current.since(first_day) if first_day is not None else current
        days = len(counted.span.days)
        # A period before that ended before the bot came was never seen: no change against it.
        comparable = first_day is None or previous.span.end >= first_day

        def changed(now: int, before: int) -> str:
            return change(now, before, locale) if comparable else render(texts.no_change)

        messages = current.total("messages")
        name = community.name or community.id
        dates = {"start": LocalDate(span.start), "end": LocalDate(span.end)}
        if span.start == span.end:
            title = render(texts.title_day, community=name, day=LocalDate(span.start))
        elif first_day is not None and span.start < first_day:
            # "30 days" over 4 days of figures would read as a quiet month.
            title = render(
                texts.title_since,
                community=name,
                **dates,
                days=len(span.days),
                since=LocalDate(first_day),
                counted=days,
            )
        else:
            title = render(texts.title, community=name, **dates, days=len(span.days))
        lines = [
            title,
            render(
                texts.messages,
                count=messages,
                change=changed(messages, previous.total("messages")),
                per_day=self._per_day(community, messages / days),
            ),
            render(
                texts.active,
                count=current.active_members,
                change=changed(current.active_members, previous.active_members),
            ),
            render(
                texts.newcomers,
                count=current.newcomers,
                change=changed(current.newcomers, previous.newcomers),
                introduced=current.introduced,
                posted=current.posted,
                stayed=current.stayed,
            ),
        ]
        if not comparable and not previous.active_members:
            lines.append(render(texts.retention_before_start))
        elif previous.active_members:
            kept = len(previous.active_ids & current.active_ids)
            rate = percent_text(kept / previous.active_members, locale)
            lines.append(
                render(texts.retention, rate=rate, kept=kept, previous=previous.active_members)
            )
        else:
            lines.append(render(texts.retention_none))
        channels = ", ".join(f"{name.lstrip('#')} ({count})" for name, count in current.channels)
        lines.append(render(texts.channels, channels=channels or render(texts.none)))
        named = {"": render(texts.manual), LADDER_RULE: render(texts.ladder)}
        items = [
            f"{named.get(rule, rule)} ({count})"
            for rule, count in sorted(current.moderation.items(), key=lambda i: (-i[1], i[0]))
            if count
        ]
        if current.pardoned:
            items.append(render(texts.pardoned, count=current.pardoned))
        lines.append(
            render(
                texts.moderation,
                count=current.sanctions,
                rules=", ".join(items) or render(texts.no_actions),
            )
        )
        lines.append(render(texts.contests, count=current.total("contests")))
        lines.append(self._satisfaction_line(community, current, previous, comparable=comparable))
        if first_day is not None and span.start < first_day:
            lines.append(render(texts.counted_since, since=LocalDate(first_day)))
        elif first_day is not None and not comparable:
            lines.append(render(texts.compared_none, since=LocalDate(first_day)))
        elif first_day is not None and previous.span.start < first_day:
            lines.append(render(texts.compared_since, since=LocalDate(first_day)))
        return "\n".join(lines)

    def _per_day(self, community: CommunityRef, average: float) -> str | float:
        """A daily average to one decimal; under 0.1 but not none, said so (not "0")."""
        if 0 < average < PER_DAY_LEAST:
            return render(self.texts(community).per_day_under, least=PER_DAY_LEAST)
        return round(average, 1)

    def _satisfaction_line(
        self, community: CommunityRef, current: Figures, previous: Figures, *, comparable: bool
    ) -> str:
        """The satisfaction and its move against ``previous``: none against a period that ended
        before the bot came (as the other figures), "—" against one without the same source."""
        texts = self.texts(community)
        locale = self.core.community_config(community).locale
        source, share = satisfaction(current)
        if share is None:
            return render(texts.satisfaction_none)
        previous_source, previous_share = satisfaction(previous)
        moved = "—"
        if not comparable:
            moved = render(texts.no_change)
        elif previous_share is not None and previous_source == source:
            moved = f"{round(100 * (share - previous_share)):+d} pts"
        if source == "toxicity":
            thresholds = self.settings(community).satisfaction
            return render(
                texts.satisfaction_toxicity,
                rate=percent_text(share, locale),
                change=moved,
                civil=current.total("civil"),
                hostile=current.total("hostile"),
                scored=current.total("scored"),
                below=thresholds.civil_below,
                above=thresholds.hostile_above,
            )
        positive, negative = signals(current)
        return render(
            texts.satisfaction_fallback,
            rate=percent_text(share, locale),
            change=moved,
            positive=positive,
            negative=negative,
            liked=current.total("positive_reactions"),
            thanks=current.total("thanks"),
            disliked=current.total("negative_reactions"),
            sanctions=current.sanctions,
        )

    async def build_report(
        self, community: CommunityRef, span: Span, folder: Path
    ) -> tuple[str, Path]:
        """The report's text and its chart, drawn into ``folder``."""
        current = await self.figures(community, span)
        previous = await self.figures(community, span.previous())
        first_day = await self.first_day(community)
        text = await self.report_text(community, current, previous, first_day=first_day)
        texts = self.texts(community)
        labels = {
            "title": render(texts.chart_title, community=community.name or community.id),
            "messages": render(texts.chart_messages),
            "active": render(texts.chart_active),
        }
        path = folder / f"report-{community.key}-{span.start}-{span.end}.png"
        # Drawing is CPU-bound: keep the event loop serving meanwhile.
        locale = self.core.community_config(community).locale
        # The days before the bot came are unknown, not days of nothing: not drawn.
        drawn = current.since(first_day)
        await asyncio.to_thread(render_chart, path, drawn, labels, locale)
        return text, path

    # -- commands -------------------------------------------------------------------------------

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "rapport"},
        descriptions={"fr": "Le rapport d'activité des derniers jours, avec un graphique"},
        helps={
            "fr": """Le rapport d'activité des derniers jours (jusqu'à ce jour), avec un graphique.

            Messages par jour, membres actifs, nouveaux venus et leur parcours, rétention,
            salons les plus actifs, modération par règle, concours, satisfaction, et l'évolution
            par rapport aux jours précédents.
            Exemple : /rapport 30
            """
        },
    )
    async def report(self, ctx: CommandContext, days: DaysOption = A_WEEK) -> None:
        """The activity report of the last days (up to today), with a chart.

        Messages per day, active members, newcomers and their funnel, retention, top channels,
        moderation by rule, contests, satisfaction, and the change against the days before.
        Example: /report 30
        """
        community = ctx.community
        self.ensure_schedule(community)
        span = self.span(community, days)
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="jardinier-report-"))
        try:
            text, path = await self.build_report(community, span, folder)
            await ctx.reply(text, file=path)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "rapport_export"},
        descriptions={"fr": "Les chiffres quotidiens des derniers jours, en CSV"},
        helps={
            "fr": """Les chiffres quotidiens des derniers jours (jusqu'à ce jour), en fichier CSV.

            Une ligne par jour.
            """
        },
    )
    async def report_export(self, ctx: CommandContext, days: DaysOption = A_WEEK) -> None:
        """The daily figures of the last days (up to today) as a CSV file, one row per day."""
        community = ctx.community
        span = self.span(community, days)
        # The days before the bot came are unknown, not days of nothing: no rows.
        figures = (await self.figures(community, span)).since(await self.first_day(community))
        span = figures.span
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="jardinier-export-"))
        try:
            path = folder / f"report-{community.key}-{span.start}-{span.end}.csv"
            await asyncio.to_thread(write_csv, path, figures)
            texts = self.texts(community)
            await ctx.reply(
                render(texts.export_ready_day, day=LocalDate(span.start))
                if span.start == span.end
                else render(
                    texts.export_ready,
                    days=len(span.days),
                    start=LocalDate(span.start),
                    end=LocalDate(span.end),
                ),
                file=path,
            )
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    # -- the scheduled report -------------------------------------------------------------------

    def ensure_schedule(self, community: CommunityRef) -> None:
        """Schedule (or cancel) the community's report job as the rule book says."""
        self.weekly_report.ensure(community)

    @listener(CommunitySeen, priority=Priority.OBSERVATION)
    async def notice_community(self, event: CommunitySeen) -> None:
        """Schedule the community's report once the bot hears from it, whatever it hears: a
        join, a reaction or a command as well as a message."""
        self.ensure_schedule(event.community)

    async def rules_applied(self) -> None:
        """Bring the report jobs of the communities seen since start in line with the rules."""
        self.weekly_report.rules_applied()

    @job
    async def post_report(self, **arguments: Any) -> None:
        """Post the report of the complete days before today (scheduler job)."""
        community = WeeklyJob.community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return
        schedule = self.settings(community).schedule
        channel = (
            await self.core.resolve_channel(community, schedule.channel)
            if schedule.channel
            else None
        )
        if channel is None:
            if schedule.channel:
                self.log.warning(
                    "report channel %r not found in %s", schedule.channel, community.key
                )
                # Nobody reads the bot's log: the moderators must learn leadership got nothing.
                texts = self.texts(community)
                await self.core.modlog(
                    community, render(texts.not_posted, channel=schedule.channel)
                )
            return
        span = self.span(community, schedule.days, until_yesterday=True)
        first_day = await self.first_day(community)
        if span.end < first_day:
            # The week before the bot came: a page of zeros would read as a dead community.
            self.log.info(
                "report of %s to %s in %s not made: first seen on %s",
                span.start,
                span.end,
                community.key,
                first_day,
            )
            texts = self.texts(community)
            await self.actions.send(
                channel,
                render(
                    texts.before_start_day, day=LocalDate(span.start), since=LocalDate(first_day)
                )
                if span.start == span.end
                else render(
                    texts.before_start,
                    start=LocalDate(span.start),
                    end=LocalDate(span.end),
                    since=LocalDate(first_day),
                ),
            )
            return
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="jardinier-report-"))
        try:
            text, path = await self.build_report(community, span, folder)
            await self.actions.send(channel, text, file=path)
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A report due while the bot was down is not posted late: say so in the mod-log."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler != "post_report":
            return
        community = WeeklyJob.community(kwargs)
        zone = self.core.community_config(community).zone
        when = local_time(self.core.clock.now() - late_by, zone)
        await self.core.modlog(community, render(self.texts(community).missed, when=when))

    # -- members' data --------------------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The days the member was counted active and their newcomer funnel, one per join."""
        await self.flush()
        community_id = await self.core.members.community_id(community)
        async with self.core.db.session() as session:
            days = list(
                await session.exec(
                    select(col(ReportActive.day))
                    .where(
                        ReportActive.community_id == community_id, ReportActive.user_id == user.id
                    )
                    .order_by(col(ReportActive.day))
                )
            )
            stays = list(
                await session.exec(
                    select(ReportNewcomer)
                    .where(
                        ReportNewcomer.community_id == community_id,
                        ReportNewcomer.user_id == user.id,
                    )
                    .order_by(col(ReportNewcomer.joined_at))
                )
            )
        if not days and not stays:
            return {}
        arrivals = [
            {
                name: value.isoformat() if value else None
                for name, value in (
                    ("joined_at", stay.joined_at),
                    ("introduced_at", stay.introduced_at),
                    ("first_message_at", stay.first_message_at),
                    ("left_at", stay.left_at),
                )
            }
            for stay in stays
        ]
        return {"reports": {"active_days": [d.isoformat() for d in days], "arrivals": arrivals}}

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget who was active on the days before ``cutoff``, and the stays that ended before
        it; the day totals stay (a report of those days still counts their messages)."""
        community_id = await self.core.members.community_id(community)
        active: Any = ReportActive.__table__  # type: ignore[attr-defined]
        stays: Any = ReportNewcomer.__table__  # type: ignore[attr-defined]
        forgotten = await delete_in_batches(
            self.core.db,
            active,
            and_(
                active.c.community_id == community_id,
                active.c.day < self.day(community, cutoff),
            ),
        )
        return forgotten + await delete_in_batches(
            self.core.db,
            stays,
            and_(
                stays.c.community_id == community_id,
                stays.c.joined_at < cutoff,
                stays.c.left_at < cutoff,
            ),
        )

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the days the member was active and their funnel (the day totals stay)."""
        await self.flush()
        self.buffer.forget(community, user.id)
        remembered = self._reactions.get(community.key)
        if remembered is not None:
            for reaction in [reaction for reaction in remembered[1] if reaction[2] == user.id]:
                del remembered[1][reaction]
        self._albums.forget(community, user.id)
        self._recent.forget_member(community, user.id)
        community_id = await self.core.members.community_id(community)
        async with self.core.db.session() as session:
            await session.exec(
                delete(ReportActive).where(
                    col(ReportActive.community_id) == community_id,
                    col(ReportActive.user_id) == user.id,
                )
            )
            await session.exec(
                delete(ReportNewcomer).where(
                    col(ReportNewcomer.community_id) == community_id,
                    col(ReportNewcomer.user_id) == user.id,
                )
            )
            await session.commit()
