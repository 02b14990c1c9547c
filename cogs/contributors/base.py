"""What every part of the contributors cog shares: settings, texts, the write path, the queries.

The cog is split by concern: counting (``counting.py``, the listeners), the weekly shout-out and
role rewards (``shoutout.py``), and the commands (``cog.py``), all over this base.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import and_, delete, or_, update
from sqlmodel import col, select

from bot.cog import Cog
from bot.events import CommunityRef
from bot.keyedlocks import KeyedLocks
from bot.models import Member
from bot.periodic import PeriodicFlush
from bot.retention import delete_in_batches
from bot.ruleconf import plain_name, render
from bot.warnedonce import WarnedOnce
from bot.weekly import Weekly, WeeklyJob
from cogs.contributors.buffer import CounterBuffer, Daily, Edge
from cogs.contributors.config import ContributorsConfig, ContributorsTexts
from cogs.contributors.influence import Influence, InfluenceConvergenceError, influence
from cogs.contributors.models import CountedWin, DailyActivity, Interaction
from cogs.contributors.names import UnrecordedNames
from cogs.contributors.optouts import OptOuts
from cogs.contributors.pace import MessagePace
from cogs.contributors.scoring import Span, Standing, Tally, ranking, span
from cogs.contributors.standings import edges, moderated, tallies
from cogs.contributors.thanks import ThanksDetector
from cogs.contributors.tracked import MessageLedger

if TYPE_CHECKING:
    from bot.core import Jardinier


def shown(score: float) -> float:
    """A score as texts show it: to one decimal (written ``12.5`` or ``12,5`` by the locale)."""
    return round(float(score), 1)


def shown_share(share: float) -> float:
    """An influence as texts show it: a percentage to one decimal (``0.125`` is ``12.5%``)."""
    return round(float(share), 3)


class ContributorsBase(Cog):
    """Settings, texts, counters and queries shared by the contributors cog's parts."""

    name: ClassVar[str] = "contributors"
    config_model = ContributorsConfig

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        limit = self.settings().write.buffer_limit
        self.buffer = CounterBuffer(core.db, core.members, limit=limit)
        self.ledger = MessageLedger(self.buffer)
        self.optouts = OptOuts(core.db, core.members)
        self.pace = MessagePace()
        self.unrecorded = UnrecordedNames(core.clock)
        self._detectors: dict[tuple[str, ...], ThanksDetector] = {}
        self._writing: asyncio.Task[int | None] | None = None
        self._flusher = PeriodicFlush(
            "contributors",
            lambda: self.settings().write.flush_every.total_seconds(),
            self.flush,
            self.log,
        )
        self.weekly_shoutout = WeeklyJob(self, "shoutout", "shoutout", self._shoutout_schedule)
        self.role_locks: KeyedLocks[str] = KeyedLocks()
        """Held, per community, by whatever reads and writes the reward role's holders."""
        self.taken_back: dict[str, list[set[str]]] = {}
        """Per community, for each shout-out running, the members whose role was taken back
        (an opt-out, an erasure) since it reckoned its leaders."""
        self.influence_unavailable = WarnedOnce(core.clock)
        """When the mod-log was last told that PageRank cannot converge, per community."""

    # -- rule book ------------------------------------------------------------------------------

    def settings(self, community: CommunityRef | None = None) -> ContributorsConfig:
        """The contributors section as it applies to ``community``."""
        config: ContributorsConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> ContributorsTexts:
        """The contributors texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def detector(self, community: CommunityRef) -> ThanksDetector:
        """The thanks detector for the community's thanks words."""
        phrases = tuple(self.settings(community).thanks_words)
        found = self._detectors.get(phrases)
        if found is None:
            found = self._detectors[phrases] = ThanksDetector(phrases)
        return found

    def window_label(self, community: CommunityRef, window: str) -> str:
        """``the last 7 days`` in the community's language."""
        texts = self.texts(community)
        labels = {"7d": texts.window_7d, "30d": texts.window_30d, "all": texts.window_all}
        return render(labels[window])

    def reason(self, community: CommunityRef, standing: Standing, component: str) -> str:
        """Why ``standing`` scored in ``component``: ``21 thanks`` (each member counted once a
        day, summed over the window); for messages past the daily cap, how many of them counted."""
        texts = self.texts(community)
        tally = standing.tally
        if component == "messages" and tally.capped:
            return render(texts.reason_messages_capped, count=tally.messages, posted=tally.posted)
        template: str = getattr(texts, f"reason_{component}")
        return render(template, count=tally.count(component))

    def _shoutout_schedule(self, community: CommunityRef) -> Weekly:
        # The job also moves the role rewards: it runs while either is on.
        config = self.settings(community)
        shoutout = config.shoutout
        return Weekly(
            shoutout.enabled or config.roles.enabled,
            shoutout.day_of_week,
            shoutout.hour,
            shoutout.minute,
        )

    def ensure_shoutout(self, community: CommunityRef) -> None:
        """Schedule the community's weekly shout-out if it is not, or not as the rules say."""
        self.weekly_shoutout.ensure(community)

    async def rules_applied(self) -> None:
        """Bring the shout-out jobs in line with a reloaded rule book."""
        self.weekly_shoutout.rules_applied()
        # The damping may have changed: a PageRank failing still is told again.
        self.influence_unavailable.clear()

    # -- the write path -------------------------------------------------------------------------

    async def setup(self) -> None:
        """Start writing the counters every ``write.flush_every``."""
        self._flusher.start()

    async def teardown(self) -> None:
        """Stop the periodic flush and write what is pending."""
        await self._flusher.stop()
        await self.buffer.flush_last(self.flush)  # again for a few seconds if the database refused

    async def caught_up(self, *, slow: bool = False) -> None:
        """Wait until the counters a full buffer sent to the database are written."""
        writing = self._writing
        if writing is not None and not writing.done():
            await asyncio.wait([writing])

    async def flush(self) -> int:
        """Write the pending counters now, in one transaction, after any write under way;
        return how many changed."""
        self.buffer.limit = self.settings().write.buffer_limit
        # Shielded: a caller cut off must not cut the transaction off (its lock would stay).
        return await asyncio.shield(self._write_behind()) or 0

    async def flush_if_full(self) -> None:
        """Flush early when the buffer reached its bound."""
        if self.buffer.full:
            await self.flush_early()

    async def flush_early(self) -> None:
        """The buffer reached its bound: write it in the background, without making the event
        that filled it wait for the database. Only if the write before is still under way
        does it wait for that one, so that at most one buffer's worth waits in memory besides
        the pending counters."""
        writing = self._writing
        if writing is not None and not writing.done():
            await asyncio.wait([writing])
            if not self.buffer.full:  # another event sent them meanwhile
                return
        self.buffer.limit = self.settings().write.buffer_limit
        self._write_behind().add_done_callback(self._written_early)

    def _write_behind(self) -> asyncio.Task[int | None]:
        """Take the pending counters now and write them once the writes before are done."""
        daily, edges = self.buffer.take()
        self._writing = asyncio.create_task(
            self._write(self._writing, self.buffer.restores, daily, edges)
        )
        return self._writing

    async def _write(
        self,
        before: asyncio.Task[int | None] | None,
        restores: int,
        daily: dict[Daily, dict[str, int]],
        edges: dict[Edge, int],
    ) -> int | None:
        if before is not None:
            await asyncio.wait([before])
        if self.buffer.restores != restores:
            # Older changes went back to the buffer meanwhile (the database refused them):
            # written before them, these would land first, and an interaction taken back
            # before it was given would stay. They wait with them.
            self.buffer.restore(daily, edges)
            return None
        return await self.buffer.write(daily, edges)

    def _written_early(self, task: asyncio.Task[int | None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.log.error("contributors counters not written", exc_info=task.exception())

    # -- queries --------------------------------------------------------------------------------

    def local_day(self, community: CommunityRef, at: datetime) -> date:
        """The date of ``at`` in the community's time zone: its members' days are its own."""
        return at.astimezone(self.core.community_config(community).zone).date()

    def today(self, community: CommunityRef) -> date:
        """Today, in the community's time zone."""
        return self.local_day(community, self.core.clock.now())

    def span(self, community: CommunityRef, window: str) -> Span:
        """The days of ``window`` up to today, in the community's time zone."""
        return span(window, self.today(community))

    async def tallies(self, community: CommunityRef, window: Span) -> dict[str, Tally]:
        """What each member of ``community`` did and received in ``window``, as scored (each
        day's messages within the rule book's daily cap)."""
        community_id = await self.core.members.community_id(community)
        cap = self.settings(community).scoring.messages_per_day
        return await tallies(self.core.db, community_id, window, messages_per_day=cap)

    async def standings(
        self, community: CommunityRef, window: Span, *, asked: str | None = None
    ) -> list[Standing]:
        """Members of ``community`` with a positive score in ``window``, best first: those who
        opted out or left are not ranked, except a departed member ``asked`` about by name."""
        found = await self.tallies(community, window)
        gone = await self.core.members.departed(
            community, (user_id for user_id in found if user_id != asked)
        )
        excluded = await self.optouts.of(community) | gone
        return ranking(found, self.settings(community).scoring, excluded=excluded)

    async def passed_over(self, community: CommunityRef, window: Span) -> set[str]:
        """Members the shout-out and the role rewards pass over in ``window``: those with a
        moderation case (``skip_moderated``)."""
        if not self.settings(community).skip_moderated:
            return set()
        community_id = await self.core.members.community_id(community)
        return await moderated(self.core.db, community_id, window)

    async def influence_of(self, community: CommunityRef, window: Span) -> list[Influence]:
        """Members of ``community`` others engage with, most influential first."""
        community_id = await self.core.members.community_id(community)
        weights = self.settings(community).influence
        graph = await edges(self.core.db, community_id, window, daily_cap=weights.daily_cap)
        excluded = frozenset(await self.optouts.of(community))
        # PageRank is CPU-bound: keep the event loop serving meanwhile.
        found = await asyncio.to_thread(influence, graph, weights, excluded=excluded)
        # Members who left are not ranked; what they did still weighs on others' influence.
        gone = await self.core.members.departed(community, [item.user_id for item in found])
        return [item for item in found if item.user_id not in gone]

    async def tell_influence_unavailable(
        self, community: CommunityRef, error: InfluenceConvergenceError
    ) -> None:
        """Log why PageRank failed (what the operator must change) and tell the mod-log, once a
        day at most however often members ask."""
        if not self.influence_unavailable.due(community.key, str(error)):
            self.log.debug("no influence ranking in %s: %s", community.key, error)
            return
        self.log.warning("no influence ranking in %s: %s", community.key, error)
        text = render(self.texts(community).influence_unavailable, reason=str(error))
        await self.core.modlog(community, text)

    async def names(self, community: CommunityRef, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of members by id, as every text writes them (see ``plain_name``).

        A member the core never recorded (credited only through a reply to a message the bot
        did not see) is named as the platform named them with the reply, or as it answers when
        asked (see :mod:`~cogs.contributors.names`); else as the ``member_unseen`` text says.
        """
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        community_id = await self.core.members.community_id(community)
        await self.core.members.flush()
        async with self.core.db.session() as session:
            rows = await session.exec(
                select(Member.user_id, Member.name).where(
                    Member.community_id == community_id, col(Member.user_id).in_(wanted)
                )
            )
            # A recorded member without a name (a platform that gave none) keeps their id.
            known: dict[str, str] = {user_id: name or user_id for user_id, name in rows.all()}
        unrecorded = [user_id for user_id in wanted if user_id not in known]
        if unrecorded:

            async def ask(user_id: str) -> str | None:
                found = await self.core.resolve_member(community, user_id)
                return found.user.name if found is not None and found.user.id == user_id else None

            known.update(await self.unrecorded.of(community, unrecorded, ask))
        unseen = self.texts(community).member_unseen
        return {
            user_id: plain_name(known[user_id])
            if user_id in known
            else render(unseen, id=plain_name(user_id))
            for user_id in wanted
        }

    async def newcomers(self, community: CommunityRef, since: datetime) -> set[str]:
        """Members (not bots) who joined ``community`` at or after ``since`` and are still in."""
        community_id = await self.core.members.community_id(community)
        await self.core.members.flush()
        async with self.core.db.session() as session:
            rows = await session.exec(
                select(Member.user_id).where(
                    Member.community_id == community_id,
                    col(Member.joined_at) >= since,
                    col(Member.left_at).is_(None),
                    col(Member.is_bot).is_(False),
                )
            )
            return set(rows)

    # -- members' data --------------------------------------------------------------------------

    async def erase(
        self, community: CommunityRef, user_id: str, *, keep_cases: bool = False
    ) -> None:
        """Forget every counter about ``user_id`` in ``community``, pending and stored; with
        ``keep_cases`` (an opt-out), all but the moderation cases: opting out and in again must
        not put a member sanctioned this week back in its shout-out."""
        await self.flush()
        self.buffer.forget(community, user_id, keep=("moderation_cases",) if keep_cases else ())
        self.ledger.forget_member(community, user_id)
        self.pace.forget(community, user_id)
        self.unrecorded.forget(community, user_id)
        community_id = await self.core.members.community_id(community)
        member = (
            col(DailyActivity.community_id) == community_id,
            col(DailyActivity.user_id) == user_id,
        )
        async with self.core.db.session() as session:
            if keep_cases:
                await session.exec(
                    update(DailyActivity)
                    .where(*member, col(DailyActivity.moderation_cases) != 0)
                    .values(messages=0, introductions=0, contest_wins=0)
                )
                await session.exec(
                    delete(DailyActivity).where(*member, col(DailyActivity.moderation_cases) == 0)
                )
            else:
                await session.exec(delete(DailyActivity).where(*member))
            await session.exec(
                delete(Interaction).where(
                    col(Interaction.community_id) == community_id,
                    or_(
                        col(Interaction.source_id) == user_id,
                        col(Interaction.target_id) == user_id,
                    ),
                )
            )
            await session.exec(
                delete(CountedWin).where(
                    col(CountedWin.community_id) == community_id,
                    col(CountedWin.user_id) == user_id,
                )
            )
            await session.commit()

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the counters and interactions of the days before ``cutoff`` (the rule book's
        ``retention``): ``/top all`` and ``/profile`` then count from there."""
        community_id = await self.core.members.community_id(community)
        first_kept = self.local_day(community, cutoff)
        forgotten = 0
        for model in (DailyActivity, Interaction, CountedWin):
            table: Any = model.__table__  # type: ignore[union-attr]
            forgotten += await delete_in_batches(
                self.core.db,
                table,
                and_(table.c.community_id == community_id, table.c.day < first_kept),
            )
        return forgotten

    async def members_still_needed(self, community: CommunityRef) -> set[str]:
        """The members any kept counter or interaction names (the counters buffered written
        first): the rankings leave out those who left by their record."""
        await self.flush()
        community_id = await self.core.members.community_id(community)
        # Those a refused flush left pending too.
        needed = self.buffer.named(community)
        async with self.core.db.session() as session:
            for column, where in (
                (DailyActivity.user_id, DailyActivity.community_id),
                (Interaction.source_id, Interaction.community_id),
                (Interaction.target_id, Interaction.community_id),
            ):
                needed.update(
                    await session.exec(select(column).where(col(where) == community_id).distinct())
                )
            return needed

    async def stored(self, community: CommunityRef, user_id: str) -> dict[str, Any]:
        """What is stored about ``user_id``: daily counters, interactions and the contest wins
        counted, by day."""
        await self.flush()
        community_id = await self.core.members.community_id(community)
        async with self.core.db.session() as session:
            daily = await session.exec(
                select(DailyActivity)
                .where(
                    DailyActivity.community_id == community_id, DailyActivity.user_id == user_id
                )
                .order_by(col(DailyActivity.day))
            )
            days = [
                {
                    "day": row.day.isoformat(),
                    "messages": row.messages,
                    "introductions": row.introductions,
                    "contest_wins": row.contest_wins,
                    "moderation_cases": row.moderation_cases,
                }
                for row in daily
            ]
            links = await session.exec(
                select(Interaction)
                .where(
                    Interaction.community_id == community_id,
                    or_(
                        col(Interaction.source_id) == user_id,
                        col(Interaction.target_id) == user_id,
                    ),
                )
                .order_by(col(Interaction.day))
            )
            interactions = [
                {
                    "day": row.day.isoformat(),
                    "kind": row.kind,
                    "direction": "given" if row.source_id == user_id else "received",
                    "count": row.count,
                }
                for row in links
            ]
            counted = await session.exec(
                select(CountedWin)
                .where(CountedWin.community_id == community_id, CountedWin.user_id == user_id)
                .order_by(col(CountedWin.day), col(CountedWin.id))
            )
            wins = [{"day": row.day.isoformat(), "contest": row.contest_id} for row in counted]
        return {"daily": days, "interactions": interactions, "wins": wins}
