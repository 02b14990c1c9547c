"""Giveaways: ``/giveaway prize winners duration``, entry by button or reaction, and a seeded
draw anyone can re-run (``/giveaway_entrants`` lists who was in; see ``draw.py``).

Entrants who have left the community (or were kicked or banned) by the time of a draw are not
drawn. Taking the emoji back withdraws only an entry that emoji made. The giveaway's creator and
the moderators cannot enter, unless the rule book says they may (``exclude_moderators``): a
prize the staff hands out and wins looks rigged, however fair the draw. Nor are they drawn when
they entered before the rule book kept them out, or before they became moderators.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Annotated, Any

from sqlalchemy.orm import Mapped
from sqlmodel import col, delete, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.bus import Priority
from bot.cog import listener, retried_job
from bot.commands import CommandContext, Permission, command
from bot.emojis import same_emoji
from bot.errors import JardinierError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommunityRef,
    MemberRef,
    ReactionAdded,
    ReactionRemoved,
    ReactionVoted,
    UserRef,
)
from bot.platform import Button, PlatformError
from bot.ruleconf import render
from cogs.contests.base import (
    ANNOUNCING,
    ContestsBase,
    announcing,
    id_lines,
    id_set,
    name_text,
    plain,
)
from cogs.contests.draw import canonical, draw, entrants_hash
from cogs.contests.models import Giveaway, GiveawayDraw, GiveawayEntry, Win

STAFF_LOOKUPS_AT_ONCE = 20
"""Entrants asked about at once, to know whether the platform makes them moderators."""
STAFF_LOOKUP_SECONDS = 20.0
"""How long a draw asks the platform about its entrants in all: a giveaway of thousands on
Telegram (one call each) must not hold its draw, or /giveaway_entrants, for minutes."""

BUTTON_PREFIX = "giveaway:"
MAX_PRIZE = 200


def draw_job_id(giveaway_id: int) -> str:
    """The stable id of a giveaway's draw job."""
    return f"giveaway:{giveaway_id}:draw"


class Giveaways(ContestsBase):
    """Giveaways and their reproducible draws."""

    async def find_giveaway(self, community: CommunityRef, giveaway_id: int) -> Giveaway:
        """The giveaway ``giveaway_id`` of ``community``, or the "unknown" answer."""
        async with self.core.db.session() as session:
            row = await session.get(Giveaway, giveaway_id) if 0 < giveaway_id < 2**62 else None
        if row is None or row.community_id != await self.community_id(community):
            raise self.refuse(community, "giveaway_unknown", id=giveaway_id)
        return row

    @staticmethod
    def giveaway_channel(community: CommunityRef, giveaway: Giveaway) -> ChannelRef:
        """Where ``giveaway`` was posted."""
        return ChannelRef(community, giveaway.channel_id, giveaway.channel_name)

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "tirage"},
        descriptions={"fr": "Lancer un tirage au sort : lot, gagnants, durée"},
        option_names={"fr": {"prize": "lot", "winners": "gagnants"}},
        helps={
            "fr": """Lancer un tirage au sort dans ce salon : participation par bouton ou réaction.

            Les gagnants sont tirés avec une graine publiée : chacun peut refaire le tirage.
            Exemple : /tirage "Un sachet de graines" 2 3j
            """
        },
    )
    async def giveaway(
        self,
        ctx: CommandContext,
        prize: Annotated[
            str,
            "What is to win (in quotes if several words)",
            {"fr": "Ce qu'il y a à gagner (entre guillemets si plusieurs mots)"},
        ],
        winners: Annotated[int, "How many winners", {"fr": "Combien de gagnants"}],
        duration: Annotated[
            timedelta,
            "How long members can enter, e.g. 1d",
            {"fr": "Combien de temps on peut participer, par ex. 1j"},
        ],
    ) -> None:
        """Start a giveaway in this channel: members enter with the button or a reaction.

        The winners are drawn with a published seed, so anyone can re-run the draw.
        Example: /giveaway "A bag of seeds" 2 3d
        """
        community = ctx.community
        settings = self.settings(community).giveaways
        prize = plain(prize, MAX_PRIZE + 1)
        if not prize or len(prize) > MAX_PRIZE:
            raise self.refuse(community, "text_too_long", most=MAX_PRIZE)
        if not 1 <= winners <= settings.max_winners:
            raise self.refuse(community, "giveaway_winners_range", most=settings.max_winners)
        if duration <= timedelta(0):
            raise self.refuse(community, "zero_duration")
        if duration < settings.min_duration:
            raise self.refuse(
                community, "too_short", least=self.left(community, settings.min_duration)
            )
        if duration > settings.max_duration:
            raise self.refuse(
                community, "too_long", most=self.left(community, settings.max_duration)
            )
        now = self.core.clock.now()
        row = Giveaway(
            community_id=await self.community_id(community),
            prize=prize,
            winners=winners,
            channel_id=ctx.channel.id,
            channel_name=ctx.channel.name,
            created_by=ctx.member.user.id,
            starts_at=now,
            ends_at=now + duration,
        )
        async with self.core.db.session() as session:
            session.add(row)
            await session.commit()
            await session.refresh(row)
        assert row.id is not None
        texts = self.texts(community)
        posted = await self.actions.send(
            ctx.channel,
            render(
                texts.giveaway_started,
                id=row.id,
                prize=prize,
                winners=winners,
                end=self.when(community, row.ends_at),
                emoji=settings.emoji,
            ),
            buttons=[Button(f"{BUTTON_PREFIX}{row.id}", render(texts.giveaway_button))],
        )
        if posted is not None:
            row.message_id = posted.id
            async with self.core.db.session() as session:
                session.add(row)
                await session.commit()
        self.core.scheduler.at(
            draw_job_id(row.id),
            row.ends_at,
            self.name,
            "draw_giveaway",
            giveaway_id=row.id,
            platform=community.platform,
        )
        await ctx.reply(
            render(
                texts.giveaway_created,
                id=row.id,
                channel=ctx.channel.name or ctx.channel.id,
                end=self.when(community, row.ends_at),
            )
        )

    # -- entering -------------------------------------------------------------------------------

    async def enter(
        self, member: MemberRef, giveaway: Giveaway, *, by_reaction: bool = False
    ) -> bool:
        """Put ``member`` in ``giveaway``; False if already in. Refuses when it is closed.

        ``by_reaction``: entered with the emoji, so taking it back withdraws the entry; an
        entry made (or confirmed) with the button stays whatever the emoji does.
        """
        community = member.community
        if giveaway.drawn_at is not None or self.core.clock.now() >= giveaway.ends_at:
            raise self.refuse(community, "giveaway_closed", id=giveaway.id)
        settings = self.settings(community).giveaways
        if settings.exclude_moderators and (
            member.user.id == giveaway.created_by or self.core.is_moderator(member)
        ):
            raise self.refuse(community, "giveaway_staff", id=giveaway.id)
        await self.check_member_age(
            community,
            member.user.id,
            settings.min_member_age,
            "too_new",
            deadline=giveaway.ends_at,
            too_late="too_new_here",
            id=giveaway.id,
        )
        async with self.core.db.session() as session:
            existing = (
                await session.exec(
                    select(GiveawayEntry).where(
                        col(GiveawayEntry.giveaway_id) == giveaway.id,
                        col(GiveawayEntry.user_id) == member.user.id,
                    )
                )
            ).first()
            if existing is not None:
                if existing.by_reaction and not by_reaction:
                    # Pressed the button after reacting: in for good, whatever the emoji does.
                    existing.by_reaction = False
                    session.add(existing)
                    await session.commit()
                return False
            session.add(
                GiveawayEntry(
                    giveaway_id=giveaway.id or 0,
                    user_id=member.user.id,
                    user_name=member.name,
                    entered_at=self.core.clock.now(),
                    by_reaction=by_reaction,
                )
            )
            await session.commit()
        return True

    @listener(ButtonPressed, priority=Priority.NORMAL)
    async def enter_by_button(self, event: ButtonPressed) -> None:
        """The giveaway's button enters the member and tells them, privately; a second press
        tells them they are in already."""
        if not event.button_id.startswith(BUTTON_PREFIX) or event.member.user.is_bot:
            return
        number = event.button_id.removeprefix(BUTTON_PREFIX)
        if not number.isdigit():
            return
        community = event.community
        try:
            giveaway = await self.find_giveaway(community, int(number))
            entered = await self.enter(event.member, giveaway)
        except JardinierError as refusal:
            await self.actions.send(event.channel, str(refusal), private_to=event.member)
            return
        texts = self.texts(community)
        await self.actions.send(
            event.channel,
            render(
                texts.giveaway_entered if entered else texts.giveaway_already_in,
                id=giveaway.id,
                prize=giveaway.prize,
                end=self.when(community, giveaway.ends_at),
            ),
            private_to=event.member,
        )

    async def _giveaway_of_message(
        self, community: CommunityRef, message_id: str
    ) -> Giveaway | None:
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            return (
                await session.exec(
                    select(Giveaway).where(
                        col(Giveaway.message_id) == message_id,
                        col(Giveaway.community_id) == community_id,
                    )
                )
            ).first()

    @listener(ReactionAdded, priority=Priority.NORMAL)
    async def enter_by_reaction(self, event: ReactionAdded) -> None:
        """The giveaway emoji on its message enters the member."""
        community = event.community
        wanted = self.settings(community).giveaways.emoji
        if event.member.user.is_bot or not same_emoji(event.emoji, wanted):
            return
        giveaway = await self._giveaway_of_message(community, event.message.id)
        if giveaway is None:
            return
        # An entry, not a feeling: the reports leave it out of the community's mood.
        await self.publish(ReactionVoted(at=event.at, reaction=event))
        try:
            await self.enter(event.member, giveaway, by_reaction=True)
        except JardinierError as refusal:
            await self.actions.send(event.message.channel, str(refusal), private_to=event.member)

    @listener(ReactionRemoved, priority=Priority.NORMAL)
    async def leave_by_reaction(self, event: ReactionRemoved) -> None:
        """Taking the emoji back before the draw withdraws the entry it made (one made with the
        button stays)."""
        community = event.community
        if not same_emoji(event.emoji, self.settings(community).giveaways.emoji):
            return
        giveaway = await self._giveaway_of_message(community, event.message.id)
        if giveaway is None or giveaway.drawn_at is not None:
            return
        if self.core.clock.now() >= giveaway.ends_at:
            return
        async with self.core.db.session() as session:
            await session.exec(
                delete(GiveawayEntry).where(
                    col(GiveawayEntry.giveaway_id) == giveaway.id,
                    col(GiveawayEntry.user_id) == event.member.user.id,
                    col(GiveawayEntry.by_reaction),
                )
            )
            await session.commit()

    # -- drawing --------------------------------------------------------------------------------

    async def entrants(self, giveaway_id: int) -> dict[str, str]:
        """The entrants of a giveaway: name by user id."""
        async with self.core.db.session() as session:
            rows = (
                await session.exec(
                    select(GiveawayEntry).where(col(GiveawayEntry.giveaway_id) == giveaway_id)
                )
            ).all()
        return {row.user_id: row.user_name or row.user_id for row in rows}

    def forgotten(self, community: CommunityRef, giveaway: Giveaway) -> bool:
        """Whether ``giveaway`` was drawn longer ago than the rule book's ``retention``: an
        empty list of entrants then means they were forgotten, not that nobody entered."""
        retention = self.core.community_config(community).retention
        drawn = giveaway.drawn_at
        return (
            retention is not None
            and drawn is not None
            and drawn < self.core.clock.now() - (retention)
        )

    async def staff(
        self, community: CommunityRef, giveaway: Giveaway, user_ids: Iterable[str]
    ) -> set[str]:
        """Those of ``user_ids`` a draw of ``giveaway`` leaves out as its staff, where
        ``exclude_moderators`` keeps the staff out: its creator, and who is a moderator now.

        Entering refuses them already; this catches those who entered before the rule book kept
        them out, or before they became moderators. The rule book's moderators are known by id;
        a moderator by the platform's say (its rights, a role the book lists) only by asking the
        platform about each entrant (Telegram: one call each), :data:`STAFF_LOOKUPS_AT_ONCE` at
        a time within :data:`STAFF_LOOKUP_SECONDS` in all. Once it fails to answer, or the time
        is spent, the entrants not asked yet are drawn as members (the platform's moderators
        among them too), and the log says so."""
        if not self.settings(community).giveaways.exclude_moderators:
            return set()
        found: set[str] = set()
        to_ask: list[str] = []
        for user_id in sorted(set(user_ids)):
            known = MemberRef(community, UserRef(community.platform, user_id))
            if user_id == giveaway.created_by or self.core.is_moderator(known):
                found.add(user_id)
            else:
                to_ask.append(user_id)
        asked: set[str] = set()
        failed = asyncio.Event()  # a platform that failed once would keep the draw waiting
        at_once = asyncio.Semaphore(STAFF_LOOKUPS_AT_ONCE)

        async def ask(user_id: str) -> None:
            async with at_once:
                if failed.is_set():
                    return
                try:
                    member = await self.core.resolve_member(community, user_id)
                except PlatformError as error:
                    self.log.info("could not ask whether %s is a moderator: %s", user_id, error)
                    failed.set()
                    return
            asked.add(user_id)
            if member is not None and member.user.id == user_id and self.core.is_moderator(member):
                found.add(user_id)

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STAFF_LOOKUP_SECONDS):
                await asyncio.gather(*(ask(user_id) for user_id in to_ask))
        unchecked = len(to_ask) - len(asked)
        if unchecked:
            self.log.warning(
                "giveaway %s in %s: %d entrant(s) drawn from without knowing whether the "
                "platform makes them moderators (it could not be asked in time)",
                giveaway.id,
                community.key,
                unchecked,
            )
        return found

    async def previous_draws(self, giveaway_id: int) -> list[GiveawayDraw]:
        """The draws of a giveaway so far, first first."""
        async with self.core.db.session() as session:
            return list(
                (
                    await session.exec(
                        select(GiveawayDraw)
                        .where(col(GiveawayDraw.giveaway_id) == giveaway_id)
                        .order_by(col(GiveawayDraw.round))
                    )
                ).all()
            )

    async def run_draw(
        self, community: CommunityRef, giveaway: Giveaway, count: int, *, reroll: bool
    ) -> str | None:
        """Draw ``count`` winners among the entrants still here who have not won yet and are
        not its staff (:meth:`staff`); return the text. A reroll with nobody left to draw is
        refused (nothing is posted). The first draw (not ``reroll``) claims the giveaway in the
        transaction that stores its winners: None if it was drawn already (a draw the process
        died during is owed still)."""
        assert giveaway.id is not None
        async with self.telling_wins("giveaway", giveaway.id) as stored:
            return await self._run_draw(community, giveaway, count, stored, reroll=reroll)

    async def _run_draw(
        self,
        community: CommunityRef,
        giveaway: Giveaway,
        count: int,
        stored: list[Win],
        *,
        reroll: bool,
    ) -> str | None:
        assert giveaway.id is not None
        texts = self.texts(community)
        names = await self.entrants(giveaway.id)
        draws = await self.previous_draws(giveaway.id)
        # An erased winner left an empty line: their place stays taken, their id is gone.
        places = [user for past in draws for user in past.winner_ids.split("\n")]
        candidates = set(names) - {user for user in places if user}
        now = self.core.clock.now()
        gone = await self.gone(community, candidates, now)
        # Left out like those who left, and recorded with them: shown again as announced.
        gone |= await self.staff(community, giveaway, candidates - gone)
        pool = canonical(candidates - gone)
        winners: list[str] = []
        seed = ""
        if not names:
            if reroll and self.forgotten(community, giveaway):
                raise self.refuse(
                    community,
                    "giveaway_forgotten",
                    id=giveaway.id,
                    prize=giveaway.prize,
                    when=self.when(community, giveaway.drawn_at or giveaway.ends_at),
                )
            if reroll:
                raise self.refuse(
                    community, "giveaway_nobody_entered", id=giveaway.id, prize=giveaway.prize
                )
            text = render(texts.giveaway_nobody_entered, id=giveaway.id, prize=giveaway.prize)
        elif not pool:
            if reroll:
                raise self.refuse(community, "giveaway_reroll_nobody", id=giveaway.id)
            text = render(texts.giveaway_no_entrants, id=giveaway.id, prize=giveaway.prize)
        else:
            seed = self.seeds()
            winners = draw(seed, pool, count)
            text = render(
                texts.giveaway_reroll_result if reroll else texts.giveaway_result,
                id=giveaway.id,
                prize=giveaway.prize,
                members=", ".join(name_text(names[user]) for user in winners),
                entrants=len(pool),
                seed=seed,
                hash=entrants_hash(pool),
            )
        wins = await self.win_rows(
            community,
            "giveaway",
            giveaway.id,
            giveaway.prize,
            [
                (len(places) + place, user, names[user], None)
                for place, user in enumerate(winners, start=1)
            ],
            now,
        )
        async with self.core.db.session() as session:
            if not reroll:
                claimed = await session.exec(
                    update(Giveaway)
                    .where(col(Giveaway.id) == giveaway.id, col(Giveaway.drawn_at).is_(None))
                    .values(drawn_at=now)
                )
                if claimed.rowcount != 1:
                    return None
            if winners:
                highest = (
                    await session.exec(
                        select(func.max(GiveawayDraw.round)).where(
                            col(GiveawayDraw.giveaway_id) == giveaway.id
                        )
                    )
                ).one()
                session.add(
                    GiveawayDraw(
                        giveaway_id=giveaway.id,
                        round=int(highest or 0) + 1,
                        seed=seed,
                        entrants_hash=entrants_hash(pool),
                        entrants=len(pool),
                        winner_ids="\n".join(winners),
                        drawn_at=now,
                        excluded_ids=id_lines(gone),
                    )
                )
                session.add_all(wins)
            await session.commit()
        stored.extend(wins)
        await self.publish_wins(community, wins)
        return text

    async def draw_once(self, giveaway_id: int) -> tuple[CommunityRef, Giveaway, str] | None:
        """Draw a giveaway's winners once; None if it was drawn already."""
        async with self.core.db.session() as session:
            giveaway = await session.get(Giveaway, giveaway_id)
        if giveaway is None or giveaway.drawn_at is not None:
            return None
        community = await self.community_of(giveaway.community_id)
        if community is None:
            return None
        text = await self.run_draw(community, giveaway, giveaway.winners, reroll=False)
        return None if text is None else (community, giveaway, text)

    async def resume_giveaways(self) -> None:
        """Give every giveaway not drawn yet whose draw job is gone (the process died after
        making it, or while its job was taken to run and before it was drawn) its job again,
        at its time: it runs late, or is reported missed."""
        async with self.core.db.session() as session:
            owed = (
                await session.exec(select(Giveaway).where(col(Giveaway.drawn_at).is_(None)))
            ).all()
        for giveaway in owed:
            assert giveaway.id is not None
            job_id = draw_job_id(giveaway.id)
            if self.core.scheduler.scheduled(job_id) is not None:
                continue
            community = await self.community_of(giveaway.community_id)
            if community is not None:
                self.core.scheduler.at(
                    job_id,
                    self.resumed_at(job_id, giveaway.ends_at),
                    self.name,
                    "draw_giveaway",
                    giveaway_id=giveaway.id,
                    platform=community.platform,
                )

    async def giveaway_community(self, giveaway_id: int) -> CommunityRef | None:
        """The community of the giveaway ``giveaway_id``; None if either is gone."""
        async with self.core.db.session() as session:
            giveaway = await session.get(Giveaway, giveaway_id)
        return None if giveaway is None else await self.community_of(giveaway.community_id)

    # Tried again when it fails (a busy database): the claim makes a second draw a no-op, and
    # the run again tells the wins a draw that failed after storing them left untold.
    @retried_job
    async def draw_giveaway(self, giveaway_id: int, platform: str | None = None) -> None:
        """Draw the winners and announce them with the seed (scheduler job; ``platform``, the
        community's, is the scheduler's: the job waits while it is not running)."""
        with announcing(draw_job_id(giveaway_id)):
            drawn = await self.draw_once(giveaway_id)
            if drawn is None:
                # Run again after a draw that failed: the wins it left untold are told, and
                # its post recorded if that record failed.
                await self.tell_untold_of("giveaway", giveaway_id)
                await self.write_owed_marks((Giveaway, giveaway_id))
                return
            community, giveaway, text = drawn
            if self.core.cog_enabled(self.name, community):
                await self.actions.send(self.giveaway_channel(community, giveaway), text)
            await self.announced(Giveaway, giveaway_id, "draw_announced_at")

    async def draw_given_up(self, giveaway_id: int) -> None:
        """The draw of ``giveaway_id`` failed on every try (the database kept failing) and is
        not tried again before a reload or a restart: the mod-log is told that nobody has won
        it yet, and what draws it. One drawn by then owes only what the next start or reload
        does anyway (its untold wins, a post not recorded as made)."""
        async with self.core.db.session() as session:
            giveaway = await session.get(Giveaway, giveaway_id)
        if giveaway is None:
            return
        if giveaway.drawn_at is not None:
            self.log.info(
                "the draw of giveaway %s was given up; it was drawn meanwhile", giveaway_id
            )
            return
        community = await self.community_of(giveaway.community_id)
        if community is None:
            return
        if not self.core.cog_enabled(self.name, community):
            self.log.warning("the draw of giveaway %s was given up; it is not drawn", giveaway_id)
            return
        await self.core.modlog(
            community,
            render(
                self.texts(community).giveaway_given_up,
                id=giveaway.id,
                prize=giveaway.prize,
                end=self.when(community, giveaway.ends_at),
            ),
        )

    async def giveaway_missed(self, kwargs: dict[str, object], late_by: timedelta) -> None:
        """A draw fell due too long ago: draw now, and report to the mod-log only."""
        giveaway_id = int(str(kwargs["giveaway_id"]))
        with announcing(draw_job_id(giveaway_id)):
            drawn = await self.draw_once(giveaway_id)
            if drawn is None:
                await self.tell_untold_of("giveaway", giveaway_id)
                await self.write_owed_marks((Giveaway, giveaway_id))
                return
            community, giveaway, text = drawn
            missed = render(
                self.texts(community).giveaway_missed,
                id=giveaway.id,
                prize=giveaway.prize,
                when=self.when(community, self.core.clock.now() - late_by),
            )
            await self.core.modlog(community, f"{missed}\n{text}")
            await self.announced(Giveaway, giveaway_id, "draw_announced_at")

    async def lost_draws(self) -> None:
        """Report to the mod-log each giveaway drawn and never recorded as announced: the
        process died while announcing the draw, and whether its post went out is unknown. It
        is not posted again (never twice): the report gives its text, to post if it is not
        there. Each is reported once; one this process announced and could not record so (a
        busy database) is recorded now, not reported."""
        await self.try_owed_marks()
        async with self.core.db.session() as session:
            lost = (
                await session.exec(
                    select(Giveaway).where(
                        col(Giveaway.drawn_at).is_not(None),
                        col(Giveaway.draw_announced_at).is_(None),
                    )
                )
            ).all()
        for giveaway in lost:
            assert giveaway.id is not None
            assert giveaway.drawn_at is not None
            if (
                draw_job_id(giveaway.id) in ANNOUNCING
                or self.mark_owed(Giveaway, giveaway.id, "draw_announced_at")
                or await self.recorded_meanwhile(Giveaway, giveaway.id, "draw_announced_at")
            ):
                continue
            community = await self.community_of(giveaway.community_id)
            if community is not None and self.core.cog_enabled(self.name, community):
                channel = self.giveaway_channel(community, giveaway)
                lost_text = render(
                    self.texts(community).giveaway_lost,
                    id=giveaway.id,
                    prize=giveaway.prize,
                    channel=channel.name or channel.id,
                    when=self.when(community, giveaway.drawn_at),
                )
                await self.core.modlog(
                    community, f"{lost_text}\n{await self.first_draw_text(community, giveaway)}"
                )
            await self.announced(Giveaway, giveaway.id, "draw_announced_at")

    async def first_draw_text(self, community: CommunityRef, giveaway: Giveaway) -> str:
        """The text that announced (or was to announce) ``giveaway``'s first draw, from what
        the draw stored."""
        assert giveaway.id is not None
        texts = self.texts(community)
        names = await self.entrants(giveaway.id)
        first = next((d for d in await self.previous_draws(giveaway.id) if d.round == 1), None)
        if first is None:
            none = texts.giveaway_no_entrants if names else texts.giveaway_nobody_entered
            return render(none, id=giveaway.id, prize=giveaway.prize)
        return render(
            texts.giveaway_result,
            id=giveaway.id,
            prize=giveaway.prize,
            members=", ".join(
                name_text(names.get(user, user)) for user in first.winner_ids.split("\n") if user
            ),
            entrants=first.entrants,
            seed=first.seed,
            hash=first.entrants_hash,
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "tirage_relancer"},
        descriptions={"fr": "Tirer de nouveaux gagnants parmi ceux qui n'ont pas gagné"},
        option_names={"fr": {"winners": "gagnants"}},
        helps={
            "fr": """Tirer de nouveaux gagnants parmi les participants qui n'ont pas encore gagné.

            Le nouveau tirage a sa propre graine, publiée comme la première.
            Exemple : /tirage_relancer 4
            """
        },
    )
    async def giveaway_reroll(
        self,
        ctx: CommandContext,
        id: Annotated[int, "The giveaway's number", {"fr": "Le numéro du tirage au sort"}],
        winners: Annotated[
            int,
            "How many new winners (default 1)",
            {"fr": "Combien de nouveaux gagnants (1 par défaut)"},
        ] = 1,
    ) -> None:
        """Draw new winners for a giveaway, among the entrants who have not won it yet.

        The new draw has its own seed, published like the first.
        Example: /giveaway_reroll 4
        """
        community = ctx.community
        giveaway = await self.find_giveaway(community, id)
        if giveaway.drawn_at is None:
            raise self.refuse(
                community, "giveaway_not_drawn", id=id, end=self.when(community, giveaway.ends_at)
            )
        most = self.settings(community).giveaways.max_winners
        if not 1 <= winners <= most:
            raise self.refuse(community, "giveaway_winners_range", most=most)
        channel = self.giveaway_channel(community, giveaway)
        assert giveaway.id is not None
        async with self.rerolling.holding(giveaway.id):
            text = await self.run_draw(community, giveaway, winners, reroll=True)
            assert text is not None  # a reroll claims nothing: it always draws, or is refused
            await self.actions.send(channel, text)
        await ctx.reply(
            render(
                self.texts(community).giveaway_rerolled, id=id, channel=channel.name or channel.id
            )
        )

    @command(
        names={"fr": "tirage_participants"},
        descriptions={"fr": "Lister les participants d'un tirage, pour le refaire soi-même"},
        helps={
            "fr": """Lister les participants d'un tirage (triés comme au tirage) et leur empreinte.

            L'empreinte est le SHA-256 des identifiants triés, joints par des retours à la ligne.
            Pour refaire le tirage avec la graine publiée dans le résultat : au tour k = 0, 1, …,
            lire SHA-256("<graine>:<k>") comme un entier n (gros-boutiste) ; le gagnant est le
            participant au rang n modulo le nombre de participants restants (en comptant depuis
            0), qui quitte la liste.
            Exemple : /tirage_participants 4
            """
        },
    )
    async def giveaway_entrants(
        self,
        ctx: CommandContext,
        id: Annotated[int, "The giveaway's number", {"fr": "Le numéro du tirage au sort"}],
    ) -> None:
        """List a giveaway's entrants (ids sorted as the draw sorts them) and their hash.

        The hash is the SHA-256 of the sorted ids joined by newlines. To re-run the draw with
        the seed the result published: for round k = 0, 1, …, read SHA-256("<seed>:<k>") as a
        big-endian integer n; the winner is the entrant at index n modulo the number of
        entrants left (counting from 0), who then leaves the list.
        Example: /giveaway_entrants 4
        """
        community = ctx.community
        giveaway = await self.find_giveaway(community, id)
        names = await self.entrants(id)
        # Those the first draw drew from: the entrants it did not leave out for having left
        # or being its staff (as it recorded them; by now, before it), so the list hashes to
        # what it published.
        draws = await self.previous_draws(id)
        first = draws[0] if draws else None
        gone = await self.left_out(
            community,
            first.excluded_ids if first else None,
            names,
            first.drawn_at if first else self.core.clock.now(),
        )
        if first is None:
            gone |= await self.staff(community, giveaway, set(names) - gone)
        ordered = canonical(set(names) - gone)
        if not names and self.forgotten(community, giveaway):
            await ctx.reply(
                render(
                    self.texts(community).giveaway_forgotten,
                    id=giveaway.id,
                    prize=giveaway.prize,
                    when=self.when(community, giveaway.drawn_at or giveaway.ends_at),
                )
            )
            return
        if not ordered:
            # A list of nobody and the hash of nothing would read as a list cut short.
            await ctx.reply(
                render(
                    self.texts(community).giveaway_entrants_none,
                    id=giveaway.id,
                    prize=giveaway.prize,
                )
            )
            return
        await ctx.reply(
            render(
                self.texts(community).giveaway_entrants,
                id=giveaway.id,
                count=len(ordered),
                hash=entrants_hash(ordered),
                entrants="\n".join(f"{user} ({name_text(names[user])})" for user in ordered),
            )
        )


async def export_giveaways(
    session: AsyncSession, community_id: int, user_id: str
) -> dict[str, Any]:
    """The export's parts about giveaways: those ``user_id`` created in the community, entered,
    won, and the draws that left them out (for having left, or as its staff)."""
    created = (
        await session.exec(
            select(Giveaway.id).where(
                col(Giveaway.community_id) == community_id, col(Giveaway.created_by) == user_id
            )
        )
    ).all()
    tickets = (
        await session.exec(
            select(GiveawayEntry)
            .join(Giveaway, col(Giveaway.id) == col(GiveawayEntry.giveaway_id))
            .where(
                col(Giveaway.community_id) == community_id,
                col(GiveawayEntry.user_id) == user_id,
            )
        )
    ).all()
    return {
        "giveaways_created": list(created),
        "giveaways": [
            {"giveaway": ticket.giveaway_id, "entered_at": ticket.entered_at.isoformat()}
            for ticket in tickets
        ],
        "draws": [
            {
                "giveaway": won.giveaway_id,
                "round": won.round,
                "place": won.winner_ids.split("\n").index(user_id) + 1,
                "drawn_at": won.drawn_at.isoformat(),
            }
            for won in await draws_won(session, community_id, user_id)
        ],
        "left_out_of_draws": [
            {
                "giveaway": missed.giveaway_id,
                "round": missed.round,
                "drawn_at": missed.drawn_at.isoformat(),
            }
            for missed in await draws_excluding(session, community_id, user_id)
        ],
    }


async def draws_won(session: AsyncSession, community_id: int, user_id: str) -> list[GiveawayDraw]:
    """The community's giveaway draws that ``user_id`` won, in the order they were made."""
    draws = await _draws_naming(session, community_id, col(GiveawayDraw.winner_ids), user_id)
    return [row for row in draws if user_id in row.winner_ids.split("\n")]


async def draws_excluding(
    session: AsyncSession, community_id: int, user_id: str
) -> list[GiveawayDraw]:
    """The community's giveaway draws that left ``user_id`` out (for having left, or as its
    staff), in the order they were made."""
    draws = await _draws_naming(session, community_id, col(GiveawayDraw.excluded_ids), user_id)
    return [row for row in draws if user_id in id_set(row.excluded_ids or "")]


async def _draws_naming(
    session: AsyncSession, community_id: int, ids: Mapped[Any], user_id: str
) -> Sequence[GiveawayDraw]:
    """The community's giveaway draws whose ``ids`` column holds ``user_id``'s text, in the
    order they were made: the callers keep those where it is a whole line."""
    return (
        await session.exec(
            select(GiveawayDraw)
            .join(Giveaway, col(Giveaway.id) == col(GiveawayDraw.giveaway_id))
            .where(
                col(Giveaway.community_id) == community_id,
                ids.contains(user_id, autoescape=True),
            )
            .order_by(col(GiveawayDraw.giveaway_id), col(GiveawayDraw.round))
        )
    ).all()


async def erase_giveaways(session: AsyncSession, community_id: int, user_id: str) -> None:
    """Delete ``user_id``'s entries in the community's giveaways, leave their line empty in
    the draws they won (the places after keep their numbers), take them out of those a draw
    left out (for having left, or as its staff), and off the giveaways they created: those
    stay, with no one named as creator."""
    giveaways = select(Giveaway.id).where(col(Giveaway.community_id) == community_id)
    await session.exec(
        delete(GiveawayEntry).where(
            col(GiveawayEntry.giveaway_id).in_(giveaways), col(GiveawayEntry.user_id) == user_id
        )
    )
    for won in await draws_won(session, community_id, user_id):
        won.winner_ids = "\n".join(
            "" if winner == user_id else winner for winner in won.winner_ids.split("\n")
        )
        session.add(won)
    for missed in await draws_excluding(session, community_id, user_id):
        missed.excluded_ids = id_lines(id_set(missed.excluded_ids or "") - {user_id})
        session.add(missed)
    await session.exec(
        update(Giveaway)
        .where(col(Giveaway.community_id) == community_id, col(Giveaway.created_by) == user_id)
        .values(created_by="")
    )
