"""Scheduled announcements: ``/announce``, ``/announcements``, ``/announce_cancel``.

An announcement is posted after a delay (``2h``) or at a date and time on the community's clocks
(``24/12 18:00``, ``2026-12-24T18:00``: see :mod:`bot.moments`), to the second asked.

Each announcement is one job in the persistent scheduler (``announcement:<community>:<id>``), so a
restart neither loses nor doubles it; its arguments are plain ids and the text, never live objects.
The job leaves the scheduler as it starts to post: while it posts, a second job
(``announcement-posting:<community>:<id>``) stands for it, so one the process died posting (a
kill, a power cut, a stop that could not wait) is reported to the mod-log at the next start, with
its text, rather than lost silently. Whether the platform took it is unknown: it is not posted
again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from bot.cog import Cog, job
from bot.commands import CommandContext, Permission, Text, UsageError, When, command
from bot.durations import DurationTooLongError, SpokenDuration, parse_duration
from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef
from bot.localtime import LocalDate, local_time
from bot.moments import (
    AmbiguousDateError,
    MomentError,
    MomentRangeError,
    TimeMissingError,
    parse_date_time,
)
from bot.ruleconf import render
from cogs.announcements.config import AnnouncementsConfig, AnnouncementTexts

if TYPE_CHECKING:
    from bot.core import Jardinier

MAX_TEXT = 2000
MIN_DELAY = timedelta(seconds=1)
PAST_SLACK = timedelta(minutes=1)
"""A date and time typed as "now" is a few seconds old by the time it is read: it posts now."""
POSTING_WINDOW = timedelta(minutes=1)
"""How long after an announcement starts to post its posting is taken for cut short, unless this
process is still posting it (then it is looked at again as long after)."""


class AnnouncementsCog(Cog):
    """Moderators schedule messages the bot posts later."""

    name = "announcements"
    config_model = AnnouncementsConfig

    def _texts(self, community: CommunityRef) -> AnnouncementTexts:
        config: AnnouncementsConfig = self.config(community)
        return config.texts[self.core.community_config(community).locale]

    def _when(self, community: CommunityRef, moment: datetime) -> str:
        return local_time(moment, self.core.community_config(community).zone)

    def _due(
        self, community: CommunityRef, typed: str, typed_at: datetime, now: datetime
    ) -> datetime:
        """When an announcement typed ``typed`` (a delay or a local date and time) at
        ``typed_at`` is due: a delay counts from then, not from ``now``, when the command is
        handled (later, when the bot was busy or down). A moment past by the time the command
        is handled, but not when it was typed, posts now; one past when typed (by more than
        :data:`PAST_SLACK`) is refused.

        Raises the error that says what to write instead.
        """
        typed_at = min(typed_at, now)  # a platform's clock ahead of ours counts as now
        config: AnnouncementsConfig = self.config(community)
        texts = self._texts(community)
        too_far = JardinierError(render(texts.too_far, max_delay=SpokenDuration(config.max_delay)))
        cleaned = " ".join(typed.split())
        try:
            delay: timedelta | None = parse_duration(cleaned)
        except DurationTooLongError:
            raise too_far from None
        except JardinierError:
            delay = None
        if delay is not None:
            if delay < MIN_DELAY:
                raise UsageError(
                    "out_of_range",
                    option="delay",
                    least=SpokenDuration(MIN_DELAY),
                    most=SpokenDuration(config.max_delay),
                    # A zero is quoted as the member typed it, without a unit.
                    value=SpokenDuration(delay) if delay else 0,
                )
            if delay > config.max_delay:
                raise too_far
            due = typed_at + delay
        else:
            due = self._moment(community, cleaned, typed_at, too_far)
        if due < typed_at - PAST_SLACK:
            raise JardinierError(render(texts.in_the_past, when=self._when(community, due)))
        if due - now > config.max_delay:
            raise too_far
        return max(due, now + MIN_DELAY)

    def _moment(
        self, community: CommunityRef, cleaned: str, typed_at: datetime, too_far: JardinierError
    ) -> datetime:
        """The local date and time ``cleaned``, read as of ``typed_at``; raises the error that
        says what to write instead."""
        texts = self._texts(community)
        settings = self.core.community_config(community)
        try:
            return parse_date_time(
                cleaned, typed_at, settings.zone, settings.locale, need_time=True
            )
        except TimeMissingError:
            raise JardinierError(render(texts.time_missing, value=cleaned)) from None
        except AmbiguousDateError as error:
            first, second = error.readings
            raise JardinierError(
                render(
                    texts.ambiguous_date,
                    value=str(error),
                    first=LocalDate(first),
                    second=LocalDate(second),
                )
            ) from None
        except MomentRangeError as error:
            if not error.early:
                raise too_far from None
            raise JardinierError(render(texts.in_the_past, when=str(error))) from None
        except MomentError as error:
            raise JardinierError(render(texts.bad_when, value=str(error))) from None

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._posting: set[str] = set()
        """The announcements this process is posting, by the id of their posting's job."""

    @staticmethod
    def _prefix(community: CommunityRef) -> str:
        return f"announcement:{community.key}:"

    @staticmethod
    def _posting_id(community: CommunityRef, identifier: str) -> str:
        """The id of the job standing for the announcement ``identifier`` while it posts (not
        under :meth:`_prefix`: /announcements does not list it, /announce_cancel cannot
        cancel it)."""
        return f"announcement-posting:{community.key}:{identifier}"

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "annonce"},
        descriptions={"fr": "Programmer une annonce dans ce salon"},
        helps={
            "fr": """Programmer une annonce dans ce salon, après un délai ou à une date et heure.

            Exemple : /annonce 2h Le concours photo est ouvert !
            À une date et heure locales, entre guillemets : /annonce "24/12 18h" Joyeux réveillon !
            """
        },
    )
    async def announce(
        self,
        ctx: CommandContext,
        delay: Annotated[
            When,
            "In how long (30m, 2h, 7d), or when (2026-12-24 18:00, 24/12 6pm)",
            {"fr": "Dans combien de temps (30m, 2h, 7j), ou quand (24/12 18h, 24/12/2026 18h)"},
        ],
        text: Annotated[Text, "What to announce", {"fr": "Ce qu'il faut annoncer"}],
    ) -> None:
        """Schedule an announcement in this channel, after a delay or at a date and time.

        Example: /announce 2h The photo contest opens now!
        At a local date and time, in quotes: /announce "2026-12-24 18:00" Merry Christmas!
        """
        config: AnnouncementsConfig = self.config(ctx.community)
        texts = self._texts(ctx.community)
        when = self._due(ctx.community, delay, ctx.event.at, self.core.clock.now())
        if len(text) > MAX_TEXT:
            raise UsageError("option_too_long", option="text", most=MAX_TEXT)
        pending = self.core.scheduler.pending(self._prefix(ctx.community))
        if len(pending) >= config.max_pending:
            raise JardinierError(render(texts.too_many, count=len(pending)))
        identifier = secrets.token_hex(3)
        self.core.scheduler.at(
            self._prefix(ctx.community) + identifier,
            when,
            self.name,
            "post",
            id=identifier,
            platform=ctx.community.platform,
            community_id=ctx.community.id,
            community_name=ctx.community.name,
            channel_id=ctx.channel.id,
            channel_name=ctx.channel.name,
            text=text,
        )
        await ctx.reply(
            render(
                texts.scheduled,
                id=identifier,
                channel=ctx.channel.name or ctx.channel.id,
                when=self._when(ctx.community, when),
            )
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "annonces"},
        descriptions={"fr": "Lister les annonces en attente"},
        helps={"fr": """Lister les annonces en attente de cette communauté."""},
    )
    async def announcements(self, ctx: CommandContext) -> None:
        """List the pending announcements of this community."""
        texts = self._texts(ctx.community)
        pending = self.core.scheduler.pending(self._prefix(ctx.community))
        if not pending:
            await ctx.reply(render(texts.none_pending))
            return
        lines = [render(texts.pending_header)]
        for scheduled in pending:
            arguments = scheduled.kwargs
            shown = (
                arguments["text"] if len(arguments["text"]) <= 60 else arguments["text"][:59] + "…"
            )
            lines.append(
                render(
                    texts.pending_line,
                    id=arguments["id"],
                    when=self._when(ctx.community, scheduled.next_run)
                    if scheduled.next_run
                    else "?",
                    channel=arguments["channel_name"] or arguments["channel_id"],
                    text=shown,
                )
            )
        await ctx.reply("\n".join(lines))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "annonce_annuler"},
        descriptions={"fr": "Annuler une annonce en attente"},
        helps={"fr": """Annuler une annonce en attente."""},
    )
    async def announce_cancel(
        self,
        ctx: CommandContext,
        id: Annotated[
            str,
            "The announcement id, from /announcements",
            {"fr": "L'identifiant de l'annonce, donné par /annonces"},
        ],
    ) -> None:
        """Cancel a pending announcement."""
        texts = self._texts(ctx.community)
        identifier = id.lower()[:16]
        if not self.core.scheduler.cancel(self._prefix(ctx.community) + identifier):
            raise JardinierError(render(texts.unknown, id=identifier))
        await ctx.reply(render(texts.cancelled, id=identifier))

    @staticmethod
    def _channel(arguments: dict[str, Any]) -> ChannelRef:
        community = CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )
        return ChannelRef(community, arguments["channel_id"], arguments["channel_name"])

    @job
    async def post(self, **arguments: Any) -> None:
        """Post a scheduled announcement (called by the scheduler), unless the rule book turned
        announcements off in its community meanwhile."""
        channel = self._channel(arguments)
        if not self.core.cog_enabled(self.name, channel.community):
            self.log.info("announcement in %s not posted: the cog is off there", channel.community)
            return
        posting = self._posting_id(channel.community, arguments["id"])
        now = self.core.clock.now()
        self.core.scheduler.at(
            posting, now + POSTING_WINDOW, self.name, "posting_cut_short", started=now, **arguments
        )
        self._posting.add(posting)
        try:
            await self.actions.send(channel, arguments["text"])
        finally:
            self._posting.discard(posting)
        # Posted, or refused (the actions report a refusal): the posting is over. What raised
        # or was cancelled may have been posted: its job stays, and reports it.
        self.core.scheduler.cancel(posting)

    @job
    async def posting_cut_short(self, *, started: datetime, **arguments: Any) -> None:
        """An announcement started to post at ``started`` and its posting never ended (called
        by the scheduler): unless this process is still posting it, tell the mod-log, with the
        text; it may have been posted, so it is not posted again."""
        channel = self._channel(arguments)
        posting = self._posting_id(channel.community, arguments["id"])
        if posting in self._posting:
            # A slow platform (a rate limit): the posting goes on.
            self.core.scheduler.at(
                posting,
                self.core.clock.now() + POSTING_WINDOW,
                self.name,
                "posting_cut_short",
                started=started,
                **arguments,
            )
            return
        await self._report_lost(channel, arguments, started)

    async def _report_lost(
        self, channel: ChannelRef, arguments: dict[str, Any], started: datetime
    ) -> None:
        texts = self._texts(channel.community)
        self.log.warning(
            "announcement %s in %s: its posting was cut short; reported, not posted again",
            arguments["id"],
            channel.community.key,
        )
        lost = render(
            texts.lost,
            id=arguments["id"],
            channel=channel.name or channel.id,
            when=self._when(channel.community, started),
        )
        await self.core.modlog(channel.community, f"{lost}\n{arguments['text']}")

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """Tell the moderators an announcement could not be posted in time, or that one whose
        posting was cut short may not have been posted."""
        channel = self._channel(kwargs)
        if handler == "posting_cut_short":
            arguments = {name: value for name, value in kwargs.items() if name != "started"}
            await self._report_lost(channel, arguments, kwargs["started"])
            return
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        texts = self._texts(channel.community)
        due = self.core.clock.now() - late_by
        await self.core.modlog(
            channel.community,
            render(
                texts.missed,
                id=kwargs["id"],
                channel=channel.name or channel.id,
                when=self._when(channel.community, due),
            ),
        )
