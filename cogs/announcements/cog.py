"""Scheduled announcements: ``/announce``, ``/announcements``, ``/announce_cancel``.

Each announcement is one job in the persistent scheduler (``announcement:<community>:<id>``), so a
restart neither loses nor doubles it; its arguments are plain ids and the text, never live objects.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from bot.cog import Cog, job
from bot.commands import CommandContext, Permission, Text, UsageError, command
from bot.durations import SpokenDuration
from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef
from bot.localtime import local_time
from bot.ruleconf import render
from cogs.announcements.config import AnnouncementsConfig, AnnouncementTexts

MAX_TEXT = 2000
MIN_DELAY = timedelta(seconds=1)


class AnnouncementsCog(Cog):
    """Moderators schedule messages the bot posts later."""

    name = "announcements"
    config_model = AnnouncementsConfig

    def _texts(self, community: CommunityRef) -> AnnouncementTexts:
        config: AnnouncementsConfig = self.config(community)
        return config.texts[self.core.community_config(community).locale]

    def _when(self, community: CommunityRef, moment: datetime) -> str:
        return local_time(moment, self.core.community_config(community).zone)

    @staticmethod
    def _prefix(community: CommunityRef) -> str:
        return f"announcement:{community.key}:"

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "annonce"},
        descriptions={"fr": "Programmer une annonce dans ce salon"},
        helps={
            "fr": """Programmer une annonce dans ce salon.

            Exemple : /annonce 2h Le concours photo est ouvert !
            """
        },
    )
    async def announce(
        self,
        ctx: CommandContext,
        delay: Annotated[
            timedelta,
            "How long from now, e.g. 30m, 2h, 7d",
            {"fr": "Dans combien de temps, par ex. 30m, 2h, 7j"},
        ],
        text: Annotated[Text, "What to announce", {"fr": "Ce qu'il faut annoncer"}],
    ) -> None:
        """Schedule an announcement in this channel.

        Example: /announce 2h The photo contest opens now!
        """
        config: AnnouncementsConfig = self.config(ctx.community)
        texts = self._texts(ctx.community)
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
            raise JardinierError(render(texts.too_far, max_delay=SpokenDuration(config.max_delay)))
        if len(text) > MAX_TEXT:
            raise UsageError("option_too_long", option="text", most=MAX_TEXT)
        pending = self.core.scheduler.pending(self._prefix(ctx.community))
        if len(pending) >= config.max_pending:
            raise JardinierError(render(texts.too_many, count=len(pending)))
        identifier = secrets.token_hex(3)
        when = self.core.clock.now() + delay
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
        await self.actions.send(channel, arguments["text"])

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """Tell the moderators an announcement could not be posted in time."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        channel = self._channel(kwargs)
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
