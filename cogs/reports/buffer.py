"""The write path: daily figures counted in memory, written in one transaction per interval.

Events change counters here; :meth:`FigureBuffer.flush` adds them to the database in one
transaction (an upsert per table), and the cog flushes every ``write.flush_every`` and on
teardown. If the database refuses for a while (locked, busy, away), the changes stay pending for
the next flush (at teardown, tried again for a few seconds: what is still refused then is lost,
logged); if it refuses them for good (a community's row deleted under the bot), they are written
one community at a time, and only the figures of a community refused on its own are dropped,
logged. A write that fails on a bug in the bot is logged with its traceback, and the figures it
fails on are dropped (see :mod:`bot.dbrefusals`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.engine import Dialect

from bot.bulkwrite import BulkWrite
from bot.db import Database, upsert_insert
from bot.dbrefusals import LAST_FLUSH_WITHIN, last_flush, may_pass, reason, write_apart
from bot.events import CommunityRef
from bot.members import MemberDirectory
from bot.periodic import stopping
from cogs.reports.models import (
    ReportActive,
    ReportChannel,
    ReportDay,
    ReportModeration,
    ReportNewcomer,
)

log = logging.getLogger("cogs.reports")

DAY_FIELDS = (
    "messages",
    "joined",
    "left",
    "introduced",
    "reactions",
    "positive_reactions",
    "negative_reactions",
    "thanks",
    "moderation",
    "contests",
    "scored",
    "civil",
    "hostile",
)
MOMENTS = ("introduced_at", "first_message_at", "left_at")

Stay = tuple[CommunityRef, str, datetime]
"""A member's stay, from one join: community, member, when they joined."""
Unposted = tuple[CommunityRef, str, date, datetime]
"""A deleted message, its author's only one that day: community, member, day, when written."""


class DayFigures:
    """One community's figures of one day: a message changes only what is here."""

    __slots__ = (
        "active",
        "channel_names",
        "channels",
        "community",
        "counted",
        "counts",
        "day",
        "dropped",
        "messages",
        "thanks",
    )

    def __init__(self, community: CommunityRef, day: date, channel_names: dict[str, str]) -> None:
        self.community = community
        self.day = day
        self.counted = False
        """Whether any of the day's counters changed (its row is written)."""
        self.counts: Counter[str] = Counter()
        # The counters every message changes, kept apart from the others: a plain number adds
        # up several times faster than a Counter's entry.
        self.messages = 0
        self.thanks = 0
        self.active: dict[str, datetime] = {}
        """Who posted that day, and when first."""
        self.channels: dict[str, int] = {}
        """Messages per channel id."""
        self.channel_names = channel_names
        """The community's channel names by id (shared by its days)."""
        self.dropped: set[str] | None = None
        """Members no longer active that day (their messages deleted), written before
        :attr:`active`: made on the first."""

    def __len__(self) -> int:
        dropped = len(self.dropped) if self.dropped is not None else 0
        return self.counted + len(self.active) + len(self.channels) + dropped

    def count(self, name: str, delta: int = 1) -> None:
        """Add ``delta`` to one of the day's counters."""
        self.counted = True
        self.counts[name] += delta

    def message(
        self, user_id: str, at: datetime, channel_id: str, channel_name: str, *, thanks: bool
    ) -> None:
        """A message: the day's count, its author active, its channel's count, and a thanks."""
        self.counted = True
        self.messages += 1
        if thanks:
            self.thanks += 1
        self.active.setdefault(user_id, at)
        channels = self.channels
        channels[channel_id] = channels.get(channel_id, 0) + 1
        self.channel_names[channel_id] = channel_name[:100]

    def unmessage(self, user_id: str, channel_id: str, *, thanks: bool, inactive: bool) -> None:
        """A deleted message taken back: the day's count, its channel's, its thanks, and its
        author's activity if ``inactive`` (it was their only message of the day)."""
        self.counted = True
        self.messages -= 1
        if thanks:
            self.thanks -= 1
        channels = self.channels
        left = channels.get(channel_id, 0) - 1
        if left:
            channels[channel_id] = left
        else:  # nothing to add: no row of none for a channel not written yet
            del channels[channel_id]
        if inactive:
            self.active.pop(user_id, None)
            if self.dropped is None:
                self.dropped = set()
            self.dropped.add(user_id)

    def totals(self) -> tuple[int, ...]:
        """Every counter of the day, in the order of :data:`DAY_FIELDS`."""
        totals = Counter(self.counts)
        totals["messages"] += self.messages
        totals["thanks"] += self.thanks
        return tuple(totals[name] for name in DAY_FIELDS)

    def merge(self, other: DayFigures) -> None:
        """Add ``other``'s figures of the same day to these."""
        if other.counted:
            self.counted = True
            self.counts.update(other.counts)
            self.messages += other.messages
            self.thanks += other.thanks
        if other.dropped:
            for user_id in other.dropped:
                self.active.pop(user_id, None)
            if self.dropped is None:
                self.dropped = set()
            self.dropped.update(other.dropped)
        for user_id, at in other.active.items():
            self.active.setdefault(user_id, at)
        for channel_id, count in other.channels.items():
            total = self.channels.get(channel_id, 0) + count
            if total:
                self.channels[channel_id] = total
            else:
                self.channels.pop(channel_id, None)


@dataclass
class Pending:
    """Everything counted since the last flush."""

    days: dict[tuple[CommunityRef, date], DayFigures] = field(default_factory=dict)
    channel_names: dict[CommunityRef, dict[str, str]] = field(default_factory=dict)
    moderation: Counter[tuple[CommunityRef, date, str]] = field(default_factory=Counter)
    joins: dict[Stay, date] = field(default_factory=dict)
    """Each join, a stay of its own (a member who comes back joins again), and the day its
    ``joined`` is counted in."""
    stays: dict[tuple[CommunityRef, str], datetime] = field(default_factory=dict)
    """Each member's latest join among :attr:`joins`."""
    arrivals: set[tuple[CommunityRef, str]] = field(default_factory=set)
    """Members of :attr:`stays` not seen posting since they joined."""
    moments: dict[tuple[str, CommunityRef, str, datetime | None], datetime] = field(
        default_factory=dict
    )
    """The first time of each stage, by stay (its join, None for one written before)."""
    unposted: set[Unposted] = field(default_factory=set)
    """Deleted messages that may be the first of a stay written before: that stay's first
    message is reset, unless its author posted on a later day."""

    def __len__(self) -> int:
        return (
            sum(map(len, self.days.values()))
            + len(self.moderation)
            + len(self.joins)
            + len(self.moments)
            + len(self.unposted)
        )


class FigureBuffer:
    """Pending figures of every community, until the next flush."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self.pending = Pending()
        self.flushes = 0
        # The day counted last: most events are of the same community and day.
        self._last: DayFigures | None = None
        self._compiled: Statements | None = None
        self._refusal = ""
        """What the database said when it last refused a flush for a while."""
        self._retrying = False
        """Whether the last flush at stop is trying again: it says at the end what is lost."""

    def day(self, community: CommunityRef, day: date) -> DayFigures:
        """The figures of ``community`` on ``day``, to count into."""
        last = self._last
        if last is not None and last.community is community and last.day is day:
            return last
        days = self.pending.days
        found = days.get((community, day))
        if found is None:
            names = self.pending.channel_names.get(community)
            if names is None:
                names = self.pending.channel_names[community] = {}
            found = days[(community, day)] = DayFigures(community, day, names)
        self._last = found
        return found

    def count(self, community: CommunityRef, day: date, name: str, delta: int = 1) -> None:
        """Add ``delta`` to one of the day's counters."""
        self.day(community, day).count(name, delta)

    def moderation(self, community: CommunityRef, day: date, rule: str) -> None:
        """One more sanction for ``rule`` (``""``: a moderator's command)."""
        self.pending.moderation[(community, day, rule[:64])] += 1

    def joined(self, community: CommunityRef, user_id: str, at: datetime, day: date) -> None:
        """A newcomer, counted on ``day``: their funnel starts; one who comes back starts
        another, of its own period, and the earlier one stays as it was. One who comes back at
        the very instant their latest stay began (times in whole seconds) is in that stay
        again: it has not ended, and the day counts neither that join nor that departure, as
        the newcomers do (a stay written before is found by the flush)."""
        pending = self.pending
        stay = (community, user_id, at)
        if stay in pending.joins:
            if pending.moments.pop(("left_at", *stay), None) is not None:
                self.count(community, day, "left", -1)
        else:
            self.count(community, day, "joined")
            pending.joins[stay] = day
        pending.stays[(community, user_id)] = at
        pending.arrivals.add((community, user_id))

    def moment(self, name: str, community: CommunityRef, user_id: str, at: datetime) -> None:
        """A newcomer reached a stage (kept only the first time of their stay)."""
        stay = self.pending.stays.get((community, user_id))
        self.pending.moments.setdefault((name, community, user_id, stay), at)

    def posted(self, community: CommunityRef, user_id: str, at: datetime) -> None:
        """A message: the first since its author joined, if they joined since the last flush
        (the day's first messages are written anyway; this one may come after a return the
        same day)."""
        pending = self.pending
        if (community, user_id) in pending.arrivals:
            pending.arrivals.discard((community, user_id))
            self.moment("first_message_at", community, user_id, at)

    def unpost(self, community: CommunityRef, user_id: str, day: date, at: datetime) -> None:
        """A message of ``day`` written at ``at`` was deleted, its author's only one that day:
        a newcomer whose first message it was has not posted in that stay, unless they did on a
        later day, and the next message they write is their first.

        A stay begun since the last flush is reset here; one written before is reset by the next
        flush, first in its transaction (as the table stood when the message was deleted).
        """
        pending = self.pending
        member = (community, user_id)
        stay = pending.stays.get(member)
        if stay is not None:
            key = ("first_message_at", community, user_id, stay)
            if pending.moments.get(key) == at:
                del pending.moments[key]
                pending.arrivals.add(member)
                return
        pending.unposted.add((community, user_id, day, at))

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Drop what is pending about one member (erasure)."""
        pending = self.pending
        for (of, _day), figures in pending.days.items():
            if of == community:
                figures.active.pop(user_id, None)
        for stay in [stay for stay in pending.joins if stay[:2] == (community, user_id)]:
            del pending.joins[stay]
        pending.stays.pop((community, user_id), None)
        pending.arrivals.discard((community, user_id))
        for key in [key for key in pending.moments if key[1:3] == (community, user_id)]:
            del pending.moments[key]
        pending.unposted -= {key for key in pending.unposted if key[:2] == (community, user_id)}

    def _take(self) -> Pending:
        pending, self.pending, self._last = self.pending, Pending(), None
        return pending

    async def flush(self) -> int:
        """Write everything pending in one transaction; return how many entries were written."""
        pending = self._take()
        size = len(pending)
        if not size:
            return 0
        try:
            await self._write(pending)
        except Exception as error:
            if may_pass(error):
                self._kept(error)
                self._restore(pending)
                return 0
            size = await self._write_apart(pending, error)
        self.flushes += 1
        return size

    async def flush_last(
        self, flush: Callable[[], Awaitable[object]], within: float = LAST_FLUSH_WITHIN
    ) -> None:
        """The last flush, when the bot stops, with ``flush`` (the cog's, one at a time): tried
        again while the database refuses for a while (locked, busy), no new try starting past
        ``within`` seconds. The figures still not written then are lost, and the log says how
        many."""
        self._retrying = True
        try:
            left = await last_flush(flush, lambda: len(self.pending), within=within)
        finally:
            self._retrying = False
        if left:
            log.error(
                "%d report figures lost at stop: the database still refused them after %g s (%s)",
                left,
                within,
                self._refusal,
            )

    async def _write_apart(self, pending: Pending, together: Exception) -> int:
        """Write ``pending`` one community per transaction, after writing it in one failed
        with ``together``: how many entries were written. The figures of a community the
        database refuses for good, or whose write fails on a bug, are dropped (logged); on a
        passing refusal, those not written yet stay pending."""

        def kept(rest: Sequence[tuple[CommunityRef, Pending]], error: Exception) -> None:
            self._kept(error)
            for _community, left in rest:
                self._restore(left)

        def lost(parts: Sequence[tuple[CommunityRef, Pending]]) -> str:
            size = sum(len(part) for _community, part in parts)
            return f"{size} report figures of {', '.join(c.key for c, _part in parts)}"

        written = await write_apart(
            _by_community(pending),
            lambda item: self._write(item[1]),
            together=together,
            log=log,
            refused=lambda item, error: self._refused(item[0], len(item[1]), error),
            kept=kept,
            lost=lost,
        )
        return sum(len(part) for _community, part in written)

    def _kept(self, error: Exception) -> None:
        self._refusal = reason(error)
        if self._retrying:
            return
        if stopping():  # the cog's teardown: its last flush tries again for a few seconds
            log.warning("report figures not written at stop, trying again: %s", self._refusal)
        else:
            log.warning("report figures not written, kept for the next flush: %s", self._refusal)

    @staticmethod
    def _refused(community: CommunityRef, size: int, error: Exception) -> None:
        log.error(
            "%d report figures of %s lost: the database refuses them (%s)",
            size,
            community.key,
            reason(error),
        )

    def _restore(self, old: Pending) -> None:
        new = self._take()
        self.pending = old
        for (community, day), figures in new.days.items():
            self.day(community, day).merge(figures)
        for community, names in new.channel_names.items():
            old.channel_names.setdefault(community, {}).update(names)
        old.moderation.update(new.moderation)
        old.joins.update(new.joins)
        old.stays.update(new.stays)
        old.arrivals.update(new.arrivals)
        for moment_key, at in new.moments.items():
            old.moments.setdefault(moment_key, at)
        # Deleted while the refused flush was under way: the stay may be pending again.
        for unposted in new.unposted:
            self.unpost(*unposted)

    async def _write(self, pending: Pending) -> None:
        days = [figures for figures in pending.days.values() if len(figures)]
        communities = (
            {figures.community for figures in days}
            | {key[0] for key in pending.moderation}
            | {key[0] for key in pending.joins}
            | {key[1] for key in pending.moments}
            | {key[0] for key in pending.unposted}
        )
        ids = {community: await self._members.community_id(community) for community in communities}
        write = self._statements()
        async with self._db.engine.begin() as connection:
            # First, as the table stood when the messages were deleted: a first message this
            # flush writes (posted again since) is not reset.
            await write.unposted.run(
                connection,
                ((ids[community], user, day, at) for community, user, day, at in pending.unposted),
            )
            await write.days.run(
                connection,
                (
                    (ids[figures.community], figures.day, *figures.totals())
                    for figures in days
                    if figures.counted
                ),
            )
            # A member no longer active (their only message deleted) goes before the day's
            # active members are added: one who posted again since is added back.
            await write.inactive.run(
                connection,
                (
                    (ids[figures.community], figures.day, user)
                    for figures in days
                    if figures.dropped
                    for user in figures.dropped
                ),
            )
            await write.active.run(
                connection,
                (
                    (ids[figures.community], figures.day, user)
                    for figures in days
                    for user in figures.active
                ),
            )
            await write.channels.run(
                connection,
                (
                    (
                        ids[figures.community],
                        figures.day,
                        channel_id,
                        figures.channel_names.get(channel_id, ""),
                        count,
                    )
                    for figures in days
                    for channel_id, count in figures.channels.items()
                ),
            )
            await write.moderation.run(
                connection,
                (
                    (ids[community], day, rule, count)
                    for (community, day, rule), count in pending.moderation.items()
                ),
            )
            # A stage of a stay begun before this flush goes to the stay it happened in, found
            # before this flush's joins are written: leaving and coming back at the same
            # instant, the departure is the earlier stay's.
            for name, reached in write.moments.items():
                await reached.run(
                    connection,
                    (
                        (ids[community], user_id, at)
                        for (moment, community, user_id, stay), at in pending.moments.items()
                        if moment == name and stay is None
                    ),
                )
            # Joined at the instant a stay written before began: the same stay, counted already
            # (its departure then, just written or before, is taken back with it, as reopened).
            await write.again.run(
                connection,
                (
                    (ids[community], day, user_id, at)
                    for (community, user_id, at), day in pending.joins.items()
                ),
            )
            await write.joins.run(
                connection,
                ((ids[community], user_id, at) for community, user_id, at in pending.joins),
            )
            # Joined again at the instant a stay written before began: that stay goes on (a
            # departure in it since is written next).
            await write.reopened.run(
                connection,
                ((ids[community], user_id, at) for community, user_id, at in pending.joins),
            )
            for name, reached in write.stay_moments.items():
                await reached.run(
                    connection,
                    (
                        (ids[community], user_id, stay, at)
                        for (moment, community, user_id, stay), at in pending.moments.items()
                        if moment == name and stay is not None
                    ),
                )
            # The day's first message of each member: in the stay of its moment.
            await write.moments["first_message_at"].run(
                connection,
                (
                    (ids[figures.community], user_id, at)
                    for figures in days
                    for user_id, at in figures.active.items()
                ),
            )

    def _statements(self) -> Statements:
        """The upserts and updates of a flush, compiled once for the database's dialect."""
        if self._compiled is None:
            self._compiled = Statements.compile(self._db.engine.dialect)
        return self._compiled


def _by_community(pending: Pending) -> list[tuple[CommunityRef, Pending]]:
    """``pending`` cut in one part per community."""
    parts: dict[CommunityRef, Pending] = {}
    for (community, day), figures in pending.days.items():
        parts.setdefault(community, Pending()).days[(community, day)] = figures
    for community, names in pending.channel_names.items():
        parts.setdefault(community, Pending()).channel_names[community] = names
    for key, count in pending.moderation.items():
        parts.setdefault(key[0], Pending()).moderation[key] = count
    for join, day in pending.joins.items():
        parts.setdefault(join[0], Pending()).joins[join] = day
    for moment, at in pending.moments.items():
        parts.setdefault(moment[1], Pending()).moments[moment] = at
    for member, at in pending.stays.items():
        parts.setdefault(member[0], Pending()).stays[member] = at
    for arrival in pending.arrivals:
        parts.setdefault(arrival[0], Pending()).arrivals.add(arrival)
    for unposted in pending.unposted:
        parts.setdefault(unposted[0], Pending()).unposted.add(unposted)
    return list(parts.items())


class Statements(NamedTuple):
    """What a flush writes, each a statement compiled once (:class:`BulkWrite`)."""

    days: BulkWrite
    """Adds to each day's counters."""
    active: BulkWrite
    """Who posted each day (kept once)."""
    inactive: BulkWrite
    """Who no longer counts as having posted each day."""
    channels: BulkWrite
    """Adds to each channel's messages of the day, its name as now."""
    moderation: BulkWrite
    """Adds to each rule's cases of the day."""
    again: BulkWrite
    """A join of a stay already written is no join of the day, nor its departure at that
    instant."""
    joins: BulkWrite
    """A newcomer's funnel starts: a row for each join (kept once)."""
    reopened: BulkWrite
    """A stay that ended the instant it began goes on: its member joined again then."""
    moments: dict[str, BulkWrite]
    """A newcomer reaches each stage: only the first time, in the stay it happened in (the
    member's latest join by then)."""
    stay_moments: dict[str, BulkWrite]
    """A newcomer reaches each stage of a stay known by its join: only the first time."""
    unposted: BulkWrite
    """A stay's first message, deleted, is reset unless its author posted on a later day."""

    @classmethod
    def compile(cls, dialect: Dialect) -> Statements:
        """The statements for ``dialect``."""
        insert = upsert_insert(dialect.name)
        day_table: Any = ReportDay.__table__  # type: ignore[attr-defined]
        days = insert(day_table)
        days = days.on_conflict_do_update(
            index_elements=["community_id", "day"],
            set_={name: day_table.c[name] + days.excluded[name] for name in DAY_FIELDS},
        )
        active = insert(ReportActive.__table__).on_conflict_do_nothing(  # type: ignore[attr-defined]
            index_elements=["community_id", "day", "user_id"]
        )
        active_table: Any = ReportActive.__table__  # type: ignore[attr-defined]
        inactive = delete(active_table).where(
            active_table.c.community_id == bindparam("cid"),
            active_table.c.day == bindparam("on_day", type_=active_table.c.day.type),
            active_table.c.user_id == bindparam("uid"),
        )
        channel_table: Any = ReportChannel.__table__  # type: ignore[attr-defined]
        channels = insert(channel_table)
        channels = channels.on_conflict_do_update(
            index_elements=["community_id", "day", "channel_id"],
            set_={
                "messages": channel_table.c.messages + channels.excluded.messages,
                # A deletion written by a later flush knows the channel by its id only.
                "channel_name": case(
                    (
                        channels.excluded.channel_name == literal_column("''"),
                        channel_table.c.channel_name,
                    ),
                    else_=channels.excluded.channel_name,
                ),
            },
        )
        moderation_table: Any = ReportModeration.__table__  # type: ignore[attr-defined]
        moderation = insert(moderation_table)
        moderation = moderation.on_conflict_do_update(
            index_elements=["community_id", "day", "rule"],
            set_={"count": moderation_table.c.count + moderation.excluded.count},
        )
        newcomers: Any = ReportNewcomer.__table__  # type: ignore[attr-defined]
        joins = insert(newcomers).on_conflict_do_nothing(
            index_elements=["community_id", "user_id", "joined_at"]
        )
        at = bindparam("at", type_=newcomers.c.joined_at.type)
        reopened = (
            update(newcomers)
            .where(
                newcomers.c.community_id == bindparam("cid"),
                newcomers.c.user_id == bindparam("uid"),
                newcomers.c.joined_at == at,
                newcomers.c.left_at == at,
            )
            .values({newcomers.c.left_at: null()})
        )
        that_stay = and_(
            newcomers.c.community_id == bindparam("cid"),
            newcomers.c.user_id == bindparam("uid"),
            newcomers.c.joined_at == at,
        )
        left_then = (
            select(func.count()).where(that_stay, newcomers.c.left_at == at).scalar_subquery()
        )
        again = (
            update(day_table)
            .where(
                day_table.c.community_id == bindparam("cid"),
                day_table.c.day == bindparam("on_day", type_=day_table.c.day.type),
                exists().where(that_stay),
            )
            .values(
                {
                    day_table.c.joined: day_table.c.joined - literal_column("1"),
                    day_table.c.left: day_table.c.left - left_then,
                }
            )
        )
        later = newcomers.alias("later")
        # The stay it happened in: joined by then, and no other join between.
        joined_since = exists().where(
            later.c.community_id == newcomers.c.community_id,
            later.c.user_id == newcomers.c.user_id,
            later.c.joined_at > newcomers.c.joined_at,
            later.c.joined_at <= at,
        )
        moments = {
            name: BulkWrite(
                update(newcomers)
                .where(
                    and_(
                        newcomers.c.community_id == bindparam("cid"),
                        newcomers.c.user_id == bindparam("uid"),
                        newcomers.c[name].is_(None),
                        newcomers.c.joined_at <= at,
                        ~joined_since,
                    )
                )
                .values({name: at}),
                ("cid", "uid", "at"),
                dialect,
            )
            for name in MOMENTS
        }
        joined_at = bindparam("stay", type_=newcomers.c.joined_at.type)
        stay_moments = {
            name: BulkWrite(
                update(newcomers)
                .where(
                    and_(
                        newcomers.c.community_id == bindparam("cid"),
                        newcomers.c.user_id == bindparam("uid"),
                        newcomers.c.joined_at == joined_at,
                        newcomers.c[name].is_(None),
                    )
                )
                .values({name: at}),
                ("cid", "uid", "stay", "at"),
                dialect,
            )
            for name in MOMENTS
        }
        later_active = exists().where(
            active_table.c.community_id == bindparam("cid"),
            active_table.c.user_id == bindparam("uid"),
            active_table.c.day > bindparam("on_day", type_=active_table.c.day.type),
        )
        unposted = (
            update(newcomers)
            .where(
                newcomers.c.community_id == bindparam("cid"),
                newcomers.c.user_id == bindparam("uid"),
                newcomers.c.first_message_at == at,
                ~later_active,
            )
            .values({newcomers.c.first_message_at: null()})
        )
        return cls(
            days=BulkWrite(days, ("community_id", "day", *DAY_FIELDS), dialect),
            active=BulkWrite(active, ("community_id", "day", "user_id"), dialect),
            inactive=BulkWrite(inactive, ("cid", "on_day", "uid"), dialect),
            channels=BulkWrite(
                channels,
                ("community_id", "day", "channel_id", "channel_name", "messages"),
                dialect,
            ),
            moderation=BulkWrite(moderation, ("community_id", "day", "rule", "count"), dialect),
            again=BulkWrite(again, ("cid", "on_day", "uid", "at"), dialect),
            joins=BulkWrite(joins, ("community_id", "user_id", "joined_at"), dialect),
            reopened=BulkWrite(reopened, ("cid", "uid", "at"), dialect),
            moments=moments,
            stay_moments=stay_moments,
            unposted=BulkWrite(unposted, ("cid", "uid", "on_day", "at"), dialect),
        )
