"""What the reputation cog's parts share: settings, texts, what counting reads of a community,
the first day it counted there, the buffer, the remembered mentions, the summary's job."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from sqlmodel import col, func, select

from bot.cog import Cog
from bot.events import CommunityRef
from bot.localdays import LocalDays
from bot.periodic import PeriodicFlush
from bot.state import StateStore
from cogs.reputation.buffer import MentionBuffer
from cogs.reputation.config import ReputationConfig, ReputationTexts
from cogs.reputation.mentions import AlertWindow, RecentMentions
from cogs.reputation.models import ReputationDay
from cogs.reputation.schedule import SummaryJob
from cogs.reputation.tone import Phrases, ToneReader

if TYPE_CHECKING:
    from bot.core import Jardinier

STOPPED = "stopped:"
"""Before a first day counted (``stopped:2026-11-02``): no name was watched since; counting
starts over on the day names are watched again."""

MAX_READERS = 64
"""Sets of words matched at once (the book's, and each community override's)."""


class Watch:
    """What counting reads of one community, resolved once per rule book: the listener asks
    for it on every message."""

    __slots__ = ("book", "community", "counting", "days", "ignored", "names", "scheduled", "tone")

    def __init__(
        self,
        book: object,
        community: CommunityRef,
        days: LocalDays,
        names: Phrases | None,
        tone: ToneReader,
        ignored: frozenset[str],
    ) -> None:
        self.book = book
        self.community = community
        """One reference for every count's key."""
        self.days = days
        self.names = names
        """None when no name is watched: nothing is counted."""
        self.tone = tone
        self.ignored = ignored
        """Channel ids and names (without ``#``, casefolded) not looked at."""
        self.scheduled = False
        """Whether a message asked for the summary's schedule under this rule book."""
        self.counting = False
        """Whether the first day counted in the community is known to be in line with the
        names: remembered while they are watched, marked stopped while none is."""


class ReputationBase(Cog):
    """Settings, texts, counting state and the summary's job shared by the cog's parts."""

    name: ClassVar[str] = "reputation"
    config_model = ReputationConfig

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self.buffer = MentionBuffer(core.db, core.members)
        self._flusher = PeriodicFlush(
            "reputation",
            lambda: self.settings().write.flush_every.total_seconds(),
            self.flush,
            self.log,
        )
        self._lock = asyncio.Lock()
        self.recent = RecentMentions()
        self.windows: dict[str, AlertWindow] = {}
        """Each community's recent negative mentions, by key."""
        self.summary_job = SummaryJob(self)
        self._state = StateStore(core.db)
        self._counting_since: dict[str, date] = {}
        """The first local day counted in each community, by key, while names are watched."""
        self._watches: dict[str, Watch] = {}
        self._readers: dict[Any, tuple[Phrases | None, ToneReader]] = {}
        """Matchers by the words they match: communities sharing a book share them."""

    def settings(self, community: CommunityRef | None = None) -> ReputationConfig:
        """The reputation section as it applies to ``community``."""
        config: ReputationConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> ReputationTexts:
        """The reputation texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def watch(self, community: CommunityRef) -> Watch:
        """The community's counting settings, read again after a reload."""
        book = self.core.rules.current
        found = self._watches.get(community.key)
        if found is None or found.book is not book:
            settings = self.settings(community)
            names = tuple(settings.names)
            positive = tuple(w for words in settings.tone_words.values() for w in words.positive)
            negative = tuple(w for words in settings.tone_words.values() for w in words.negative)
            key = (names, positive, negative)
            matchers = self._readers.get(key)
            if matchers is None:
                if len(self._readers) >= MAX_READERS:  # reload after reload of new words
                    self._readers.clear()
                matchers = self._readers[key] = (
                    Phrases(names) if names else None,
                    ToneReader(positive, negative),
                )
            # Case ignored, as in every other channel list: Discord lowercases channel names.
            ignored = frozenset(
                channel.lstrip("#").casefold() for channel in settings.ignore_channels
            )
            zone = self.core.community_config(community).zone
            found = Watch(book, community, LocalDays(zone), *matchers, ignored)
            self._watches[community.key] = found
        return found

    async def counting_since(
        self, community: CommunityRef, day: date, *, watched: bool = False
    ) -> date:
        """The first local day the community's mentions were counted: ``day`` (today, or the
        day of the message about to be read) when the cog starts counting there now, remembered
        from then on. The days before were not counted: they are no zeros to show.

        Counting starts when names are watched, which may be long after the bot came (the
        shipped book watches none), and starts over when they are watched again (``watched``:
        they are now) after a time with none (:meth:`stop_counting`): the days with none were
        not counted either. A database whose counts predate this record starts at its first
        count."""
        found = self._counting_since.get(community.key)
        if found is not None:
            return found
        key = f"{self.name}:counting_since:{community.key}"
        stored = await self._state.get(key)
        if stored is not None and stored.startswith(STOPPED):
            if not watched:
                return date.fromisoformat(stored.removeprefix(STOPPED))
            found = day
            await self._state.set(key, found.isoformat())
        elif stored is not None:
            found = date.fromisoformat(stored)
        else:
            community_id = await self.core.members.community_id(community)
            async with self.core.db.session() as session:
                first_count = (
                    await session.exec(
                        select(func.min(col(ReputationDay.day))).where(
                            ReputationDay.community_id == community_id
                        )
                    )
                ).one()
            found = day if first_count is None else min(first_count, day)
            await self._state.set(key, found.isoformat())
        self._counting_since[community.key] = found
        return found

    async def stop_counting(self, community: CommunityRef) -> None:
        """No name is watched in the community now: mark its first day counted stopped, so that
        counting starts over when names are watched again. Nothing to mark where it never
        counted."""
        key = f"{self.name}:counting_since:{community.key}"
        stored = await self._state.get(key)
        if stored is not None and not stored.startswith(STOPPED):
            await self._state.set(key, f"{STOPPED}{stored}")
        self._counting_since.pop(community.key, None)

    async def setup(self) -> None:
        """Start writing the counts every ``write.flush_every``."""
        self._flusher.start()

    async def teardown(self) -> None:
        """Stop the periodic flush and write what is pending."""
        await self._flusher.stop()
        await self.buffer.flush_last(self.flush)

    async def flush(self) -> int:
        """Write the pending counts now, in one transaction."""
        async with self._lock:
            return await self.buffer.flush()

    async def rules_applied(self) -> None:
        """Bring the summary jobs in line with the rules."""
        self.summary_job.rules_applied()
