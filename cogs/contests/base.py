"""What every part of the contests cog shares: settings, texts, time, communities, records.

The cog is split by concern (Red-DiscordBot style): contests and their phases
(``contests.py``, ``phases.py``), submissions and votes (``entries.py``), recurring challenges
(``challenges.py``), giveaways (``giveaways.py``) and the hall of fame (``halloffame.py``) are
mixins over this base; ``cog.py`` puts them together.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import col, select, update

from bot.cog import Cog
from bot.durations import duration_words
from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef, ContestWon, MemberRef, UserRef
from bot.keyedlocks import KeyedLocks
from bot.localtime import local_time
from bot.models import Community
from bot.ruleconf import one_line, plain_name, render
from cogs.contests.config import ContestsConfig, ContestTexts
from cogs.contests.models import Contest, Giveaway, Win

if TYPE_CHECKING:
    from bot.core import Jardinier


class InHand:
    """What this process is doing now, by key: held as long as any task doing it still is.

    A set would not do: a job run again while its first run still posts (the rule book
    reloaded meanwhile gave the job back) finds the work claimed and ends at once, and its
    end must not let go of the work the first run still holds.
    """

    def __init__(self) -> None:
        self._holders: Counter[str] = Counter()

    def __contains__(self, key: object) -> bool:
        return key in self._holders

    @contextmanager
    def holding(self, key: str) -> Iterator[None]:
        """While the caller does ``key``."""
        self._holders[key] += 1
        try:
            yield
        finally:
            self._holders[key] -= 1
            if self._holders[key] <= 0:
                del self._holders[key]


ANNOUNCING = InHand()
"""The phases and draws (by job id) this process has claimed and is announcing now: not lost,
however long the platform takes, when a reload looks for lost ones meanwhile."""

TELLING = InHand()
"""What this process is drawing or closing and then telling the other cogs the wins of
(``contest:<id>``, ``giveaway:<id>``, as :func:`won_in` names them): its wins, stored with
the claim and told after the post, are the close's or the draw's to tell, not a reload's
meanwhile (:meth:`ContestsBase.publish_untold_wins`), or they would be told twice."""


@contextmanager
def announcing(job_id: str) -> Iterator[None]:
    """While the phase or draw ``job_id`` is claimed and announced (see :data:`ANNOUNCING`)."""
    with ANNOUNCING.holding(job_id):
        yield


def won_in(kind: str, ref_id: int) -> str:
    """What a win was won in, as :data:`TELLING` and ``ContestWon.contest_id`` name it:
    ``contest:42``, ``giveaway:7``."""
    return f"{kind}:{ref_id}"


def plain(text: str, limit: int = 200) -> str:
    """A member-written text on one line, shortened to ``limit`` characters."""
    return one_line(text, limit)


def name_text(name: str) -> str:
    """A member's name as the contests' texts write it: one visible line, never a link."""
    return plain_name(name) or "?"


def quoted(text: str) -> str:
    """A member's text of several lines, each line quoted: nothing in it can pass for a line
    of the bot's own post ("Entry 2, by mod:")."""
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def id_lines(user_ids: Iterable[str]) -> str:
    """Member ids as a stored record writes them: sorted, one per line."""
    return "\n".join(sorted(set(user_ids)))


def id_set(lines: str) -> set[str]:
    """The member ids of a record written by ``id_lines``."""
    return {user_id for user_id in lines.split("\n") if user_id}


def full_title(contest: Contest) -> str:
    """The contest's title, with the theme of a challenge's run."""
    return contest.title if contest.theme is None else f"{contest.title} — {contest.theme}"


class ContestsBase(Cog):
    """Settings, texts, time and records shared by the contests cog's parts."""

    name: ClassVar[str] = "contests"
    config_model = ContestsConfig

    seeds: Callable[[], str] = staticmethod(lambda: secrets.token_hex(16))
    """Where draw seeds come from (unpredictable; a test may replace it)."""

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._posts_of: KeyedLocks[int] = KeyedLocks()
        self.rerolling: KeyedLocks[int] = KeyedLocks()
        """Per giveaway, the lock its rerolls draw under, one after the other: two at once read
        the same earlier draws, and the second failed on the round the first had taken."""
        self.given_up: set[str] = set()
        """Ids of the closes and draws given up since the bot started: planned again (by a
        reload or a restart) they run at once, as on time, rather than as missed by the hour
        they kept failing, which would read "I was offline"."""
        self.marks_owed: set[tuple[type[Contest] | type[Giveaway], int, str]] = set()
        """The announcements made (posted) whose record of it failed (a busy database), as
        ``(table, record id, column)`` (see :meth:`announced`): written by the job's next try
        or the next reload, never reported as possibly not posted meanwhile. Kept in memory
        only: after a restart, one still owed is reported all the same (a false alarm rather
        than a silent loss)."""

    def resumed_at(self, job_id: str, due: datetime) -> datetime:
        """When a close or a draw planned again (a reload, a restart) runs: at ``due``, or at
        once where it was given up (see :attr:`given_up`)."""
        if job_id not in self.given_up:
            return due
        self.given_up.discard(job_id)  # the bot was not away: it kept failing
        return max(due, self.core.clock.now())

    @asynccontextmanager
    async def posting_about(self, contest_id: int) -> AsyncIterator[None]:
        """While an opening, a reminder or the close of ``contest_id`` is claimed and posted,
        or its cancellation posted: one at a time. A cancel that claims the contest while a
        phase claimed before it is still being posted (the platform takes its time) posts 'is
        cancelled' after it, not above it; the results come after a reminder still on its way."""
        async with self._posts_of.holding(contest_id):
            yield

    # -- rule book ------------------------------------------------------------------------------

    def settings(self, community: CommunityRef) -> ContestsConfig:
        """The contests section as it applies to ``community``."""
        config: ContestsConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> ContestTexts:
        """The contests texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def refuse(self, community: CommunityRef, text: str, **values: object) -> JardinierError:
        """The error answering a bad request with the text ``text`` (nothing is stored)."""
        return JardinierError(render(getattr(self.texts(community), text), **values))

    def zone(self, community: CommunityRef) -> ZoneInfo:
        """The community's time zone."""
        return self.core.community_config(community).zone

    def when(self, community: CommunityRef, moment: datetime) -> str:
        """``moment`` in the community's local time, as texts write it."""
        return local_time(moment, self.zone(community))

    def left(self, community: CommunityRef, delta: timedelta) -> str:
        """A rounded duration in the community's words (``1 hour``, ``2 jours et 3 heures``)."""
        return duration_words(delta, self.core.community_config(community).locale)

    # -- communities and channels ---------------------------------------------------------------

    async def community_id(self, community: CommunityRef) -> int:
        """The database id of ``community``."""
        return await self.core.members.community_id(community)

    async def community_of(self, community_id: int) -> CommunityRef | None:
        """The community recorded under ``community_id``."""
        async with self.core.db.session() as session:
            row = await session.get(Community, community_id)
        return None if row is None else CommunityRef(row.platform, row.external_id, row.name)

    async def known_communities(self) -> list[CommunityRef]:
        """Every community the bot has ever seen."""
        async with self.core.db.session() as session:
            rows = (await session.exec(select(Community))).all()
        return [CommunityRef(row.platform, row.external_id, row.name) for row in rows]

    @staticmethod
    def contest_channel(community: CommunityRef, contest: Contest) -> ChannelRef:
        """Where ``contest`` is announced."""
        return ChannelRef(community, contest.channel_id, contest.channel_name)

    async def announce_channel(
        self, community: CommunityRef, configured: str | None, here: ChannelRef | None
    ) -> ChannelRef | None:
        """The ``configured`` channel if found, else ``here``, else the welcome channel."""
        if configured:
            found = await self.core.resolve_channel(community, configured)
            if found is not None:
                return found
            self.log.warning("channel %r not found in %s", configured, community.key)
        if here is not None:
            return here
        welcome = self.core.community_config(community).channels.welcome
        return await self.core.resolve_channel(community, welcome) if welcome else None

    # -- contests -------------------------------------------------------------------------------

    async def load_contest(self, contest_id: int) -> Contest | None:
        """The contest ``contest_id``, whatever its community."""
        async with self.core.db.session() as session:
            return await session.get(Contest, contest_id)

    async def find_contest(self, community: CommunityRef, contest_id: int) -> Contest:
        """The contest ``contest_id`` of ``community``, or the "unknown contest" answer."""
        contest = await self.load_contest(contest_id) if 0 < contest_id < 2**62 else None
        if contest is None or contest.community_id != await self.community_id(community):
            raise self.refuse(community, "unknown_contest", id=contest_id)
        return contest

    async def coming_challenges(self, community: CommunityRef) -> list[tuple[datetime, str]]:
        """The next run of each recurring challenge of ``community``, as ``/contest_list``
        writes it, with when it opens (see :mod:`cogs.contests.challenges`)."""
        return []

    async def claim(self, contest_id: int, phase: str, at: datetime) -> bool:
        """Set the phase timestamp ``phase`` (``opened_at``…) once; False if already set.

        A cancelled contest claims nothing: its phases are over.
        """
        column = getattr(Contest, phase)
        async with self.core.db.session() as session:
            result = await session.exec(
                update(Contest)
                .where(
                    col(Contest.id) == contest_id,
                    col(column).is_(None),
                    col(Contest.cancelled_at).is_(None),
                )
                .values({phase: at})
            )
            await session.commit()
            return bool(result.rowcount == 1)

    async def announced(
        self, table: type[Contest] | type[Giveaway], record_id: int, column: str
    ) -> None:
        """Record that the announcement of what ``record_id`` claimed was made (``column``:
        ``open_announced_at``…): a phase claimed and not announced is one the process died
        while announcing (see :meth:`Phases.lost_announcements`). Should the write fail, the
        record is owed (:attr:`marks_owed`) and the error raised: the job that announced it is
        tried again, and writes it (:meth:`write_owed_marks`)."""
        try:
            async with self.core.db.session() as session:
                await session.exec(
                    update(table)
                    .where(col(table.id) == record_id, col(getattr(table, column)).is_(None))
                    .values({column: self.core.clock.now()})
                )
                await session.commit()
        except Exception:
            self.marks_owed.add((table, record_id, column))
            raise
        self.marks_owed.discard((table, record_id, column))

    async def write_owed_marks(
        self, of: tuple[type[Contest] | type[Giveaway], int] | None = None
    ) -> None:
        """Write the records of announcements made whose first write failed (see
        :attr:`marks_owed`), all or those ``of`` one record (its table and id); raise if one
        fails again (still owed)."""
        for table, record_id, column in sorted(self.marks_owed, key=repr):
            if of is None or of == (table, record_id):
                await self.announced(table, record_id, column)

    async def try_owed_marks(self) -> None:
        """:meth:`write_owed_marks`, for a reload: a failure is logged, the records still owed
        (and not reported as lost)."""
        try:
            await self.write_owed_marks()
        except Exception:
            self.log.warning(
                "%d records of announcements made could not be written; tried again at the "
                "next reload",
                len(self.marks_owed),
                exc_info=True,
            )

    def mark_owed(
        self, table: type[Contest] | type[Giveaway], record_id: int, column: str
    ) -> bool:
        """Whether ``record_id``'s announcement (``column``) was made and its record is owed."""
        return (table, record_id, column) in self.marks_owed

    async def recorded_meanwhile(
        self, table: type[Contest] | type[Giveaway], record_id: int, column: str
    ) -> bool:
        """Whether ``record_id``'s announcement (``column``) is now recorded as made, or the
        record is gone: read again, for a search for lost announcements that read it before
        reporting others (a post under way then may have ended, recording it, meanwhile)."""
        async with self.core.db.session() as session:
            row = (
                await session.exec(
                    select(col(table.id), getattr(table, column)).where(col(table.id) == record_id)
                )
            ).first()
        return row is None or row[1] is not None

    # -- members --------------------------------------------------------------------------------

    async def member_since(self, community: CommunityRef, user_id: str) -> datetime | None:
        """Since when ``user_id`` is in ``community``: their latest join, else first sighting."""
        record = await self.core.members.get(community, user_id)
        if record is None:
            return None
        return record.joined_at or record.first_seen

    async def check_member_age(
        self,
        community: CommunityRef,
        user_id: str,
        least: timedelta,
        refusal: str,
        *,
        deadline: datetime | None = None,
        too_late: str | None = None,
        **values: object,
    ) -> None:
        """Refuse a member who joined less than ``least`` ago, with the text ``refusal``; with
        the text ``too_late`` (and ``values``) if they would be old enough only at or after
        ``deadline`` (the contest is over by then)."""
        if least <= timedelta(0):
            return
        since = await self.member_since(community, user_id)
        now = self.core.clock.now()
        if since is None or now - since < least:
            allowed = (since or now) + least
            if deadline is not None and too_late is not None and allowed >= deadline:
                raise self.refuse(
                    community,
                    too_late,
                    age=self.left(community, least),
                    end=self.when(community, deadline),
                    **values,
                )
            raise self.refuse(
                community,
                refusal,
                age=self.left(community, least),
                when=self.when(community, allowed),
            )

    async def left_out(
        self,
        community: CommunityRef,
        record: str | None,
        user_ids: Iterable[str],
        at: datetime,
    ) -> set[str]:
        """Those of ``user_ids`` a close or a draw at ``at`` left out for having left (a draw,
        as its staff too): as its ``record`` says (kept then, see :func:`id_lines`), or, with
        none kept (not closed yet, or before the record was), those who had left as the
        members' rows tell now (:meth:`gone`)."""
        if record is not None:
            return id_set(record)
        return await self.gone(community, user_ids, at)

    async def gone(
        self, community: CommunityRef, user_ids: Iterable[str], at: datetime
    ) -> set[str]:
        """Those of ``user_ids`` who had left ``community`` before ``at`` and not come back.

        Kicks and bans count: the platforms report them as departures. Only right for ``at``
        now: a member's row keeps their latest departure only, and a rejoin clears it, so for a
        past moment (a close, a draw) it is a guess. What a close or a draw excluded is stored
        with it (``excluded_ids``), and read back from there afterwards.
        """
        return await self.core.members.departed(community, user_ids, before=at)

    # -- wins -----------------------------------------------------------------------------------

    async def record_wins(
        self,
        community: CommunityRef,
        kind: str,
        ref_id: int,
        title: str,
        winners: list[tuple[int, str, str, int | None]],
        at: datetime,
    ) -> list[Win]:
        """Record ``(rank, user_id, user_name, votes)`` places; return the new ones."""
        rows = await self.win_rows(community, kind, ref_id, title, winners, at)
        async with self.core.db.session() as session:
            session.add_all(rows)
            await session.commit()
        return rows

    async def win_rows(
        self,
        community: CommunityRef,
        kind: str,
        ref_id: int,
        title: str,
        winners: list[tuple[int, str, str, int | None]],
        at: datetime,
    ) -> list[Win]:
        """The rows of ``(rank, user_id, user_name, votes)`` places, to store with what they
        were won in (see :meth:`record_wins`)."""
        community_id = await self.community_id(community)
        return [
            Win(
                community_id=community_id,
                kind=kind,
                ref_id=ref_id,
                title=title,
                user_id=user_id,
                user_name=user_name,
                rank=rank,
                votes=votes,
                won_at=at,
            )
            for rank, user_id, user_name, votes in winners
        ]

    async def publish_wins(self, community: CommunityRef, wins: list[Win]) -> None:
        """Tell the other cogs (the contributors cog counts contest and challenge wins), then
        record that they were told: wins stored and not told (the process died in between)
        are told at the next start (:meth:`publish_untold_wins`). Told twice when it dies
        after telling and before recording it, a win is counted once all the same: the
        contributors cog records each win it counts."""
        for win in wins:
            member = MemberRef(community, UserRef(community.platform, win.user_id, win.user_name))
            await self.publish(
                ContestWon(
                    at=win.won_at,
                    member=member,
                    contest_id=won_in(win.kind, win.ref_id),
                    title=win.title,
                    rank=win.rank,
                    kind="giveaway" if win.kind == "giveaway" else "contest",
                )
            )
        if wins:
            await self.wins_published(wins)

    async def wins_published(self, wins: list[Win]) -> None:
        """Record that the other cogs were told of ``wins``."""
        async with self.core.db.session() as session:
            await session.exec(
                update(Win)
                .where(col(Win.id).in_([win.id for win in wins]), col(Win.published_at).is_(None))
                .values(published_at=self.core.clock.now())
            )
            await session.commit()

    @asynccontextmanager
    async def telling_wins(self, kind: str, ref_id: int) -> AsyncIterator[list[Win]]:
        """While a close (``contest``) or a draw (``giveaway``) of ``ref_id`` stores its wins
        and tells them (see :data:`TELLING`); it puts the wins it stored in the list it is given.

        Should it fail after storing them (a busy database while it records its post), the
        wins it did not record as told are told before it lets go of them: a reload meanwhile
        left them to it, and its job, which found the contest or the giveaway claimed, would
        not tell them again. Cancelled (the process stops), it leaves them to the next start.
        """
        stored: list[Win] = []
        with TELLING.holding(won_in(kind, ref_id)):
            try:
                yield stored
            except Exception:
                await self.tell_after_a_failure(won_in(kind, ref_id), stored)
                raise

    async def tell_after_a_failure(self, what: str, wins: list[Win]) -> None:
        """Tell those of ``wins`` not recorded as told, for a close or a draw of ``what`` that
        failed; a failure here is logged, the close's or the draw's own is what it raises."""
        if not wins:
            return
        try:
            await self.tell_stored(await self.still_untold(wins))
        except Exception:
            self.log.exception(
                "the wins of %s could not be told after it failed: they are told at the next "
                "start or reload",
                what,
            )

    async def still_untold(self, wins: Sequence[Win]) -> list[Win]:
        """Those of ``wins`` (stored) not recorded as told, read from the database now."""
        return await self.untold_wins(col(Win.id).in_([win.id for win in wins]))

    async def untold_wins(self, *conditions: ColumnElement[bool]) -> list[Win]:
        """The wins stored and not recorded as told that meet ``conditions``, first first."""
        async with self.core.db.session() as session:
            return list(
                (
                    await session.exec(
                        select(Win)
                        .where(col(Win.published_at).is_(None), *conditions)
                        .order_by(col(Win.id))
                    )
                ).all()
            )

    async def tell_untold_of(self, kind: str, ref_id: int) -> None:
        """Tell the wins of the close (``contest``) or the draw (``giveaway``) of ``ref_id``
        still untold, for its job run again that finds it done: the close or the draw failed,
        and so did its telling after the failure (a busy database), which would otherwise
        leave them untold until the next start or reload. Not while a close, a draw or a
        reload is telling them (see :data:`TELLING`): they are its to tell."""
        what = won_in(kind, ref_id)
        if what in TELLING:
            return
        with TELLING.holding(what):
            untold = await self.untold_wins(col(Win.kind) == kind, col(Win.ref_id) == ref_id)
            await self.tell_stored(untold)

    async def tell_stored(self, wins: Sequence[Win]) -> None:
        """Tell the other cogs ``wins``, stored and not told, community by community."""
        by_community: dict[int, list[Win]] = {}
        for win in wins:
            by_community.setdefault(win.community_id, []).append(win)
        for community_id, theirs in by_community.items():
            community = await self.community_of(community_id)
            if community is not None:
                self.log.info(
                    "telling %d wins stored and not told in %s", len(theirs), community.key
                )
                await self.publish_wins(community, theirs)

    async def publish_untold_wins(self) -> None:
        """Tell the other cogs the wins stored and never told: the process died after storing
        them (a close, a draw) and before telling. Not those of a close or a draw still on its
        way (a reload while it posts): it tells them itself (see :data:`TELLING`)."""
        untold = await self.untold_wins()
        left = [win for win in untold if won_in(win.kind, win.ref_id) not in TELLING]
        if not left:
            return
        with ExitStack() as holding:
            # Held while told: a close's or a draw's job run again meanwhile leaves them to
            # this reload (:meth:`tell_untold_of`) rather than tell them too.
            for what in {won_in(win.kind, win.ref_id) for win in left}:
                holding.enter_context(TELLING.holding(what))
            # A close or a draw that ended while they were read told its wins and let go of
            # them: only those still untold now, read after it let go, are this reload's.
            await self.tell_stored(await self.still_untold(left))
