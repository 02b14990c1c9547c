"""What every part of the welcome cog shares: its settings, texts, channels, state and limits.

The cog is split by concern (Red-DiscordBot style): the charter gate (``gate.py``) and the
introductions (``introductions.py``) are mixins over this base; ``cog.py`` puts them together
with the greetings, the raid safety and the commands.
"""

from __future__ import annotations

import logging
import random
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from bot.cog import Cog, retried_job
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.periodic import PeriodicFlush
from bot.platform import Button
from bot.ruleconf import render
from bot.scheduler import RETRY_DELAYS
from cogs.welcome.config import WelcomeConfig, WelcomeTexts
from cogs.welcome.journeys import FLUSH_EVERY, Journey, JourneyStore
from cogs.welcome.raid import JoinWatch, SlidingWindow
from cogs.welcome.wording import TemplatePicker, channel_label, plain_name

if TYPE_CHECKING:
    from bot.core import Jardinier

log = logging.getLogger("cogs.welcome")

ACCEPT_BUTTON = "welcome:accept"
MAX_REMEMBERED = 10_000
ChannelRole = Literal["welcome", "introductions", "rules"]
MemberJob = Literal["nudge", "gate"]
MEMBER_JOB_HANDLERS: dict[MemberJob, str] = {"nudge": "nudge", "gate": "gate_expired"}
"""The handler of each kind of per-member job."""


class HeldCount(NamedTuple):
    """How many mod-log lines a held-back job counts, and whether exactly."""

    lines: int
    exact: bool


def held_count(arguments: Mapping[str, Any]) -> HeldCount:
    """The count the held-back job ``arguments`` hold. A job planned by an earlier version
    kept its count in memory, lost with it: it counts at least the line it was planned for."""
    if "held" not in arguments:
        return HeldCount(1, exact=False)
    return HeldCount(int(arguments["held"]), exact=not arguments.get("at_least", False))


def remember(store: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    """Put ``key`` in a bounded, least-recently-used ``store``."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > MAX_REMEMBERED:
        store.popitem(last=False)


class WelcomeBase(Cog):
    """Settings, texts, channels, journeys and limits shared by the welcome cog's parts."""

    name: ClassVar[str] = "welcome"
    config_model = WelcomeConfig

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self.random = random.Random()
        """The randomness behind the choice of texts; tests seed it (``cog.random.seed(1)``)."""
        self.picker = TemplatePicker(self.random)
        self.journeys = JourneyStore(core.db, core.members)
        # Every message's listeners first ask whether its author may be a newcomer under watch
        # (most are not): written out in each, a lookup here, as a call would double its cost.
        self._holders = self.journeys.holders
        self._flusher = PeriodicFlush("welcome", lambda: FLUSH_EVERY, self.write_behind, log)
        self.watch = JoinWatch()
        self._windows: dict[tuple[str, str], SlidingWindow] = {}
        # Members the gate just removed: the departure that follows gets no goodbye.
        self._removed: OrderedDict[tuple[CommunityRef, str], None] = OrderedDict()
        # The message that showed each newcomer held at the gate their own "I accept" button
        # (their welcome), until they accept: deleted if they leave first. A restart forgets
        # it (the gate job of a restricted newcomer still knows it).
        self._prompts: OrderedDict[tuple[CommunityRef, str], tuple[ChannelRef, str]] = (
            OrderedDict()
        )
        # When each community's last wave was greeted: its newcomers' gate time starts then.
        self._wave_greeted: dict[str, datetime] = {}
        # Who left each community while its wave's welcome ran: not put back if it fails.
        self._left_while_greeted: dict[str, set[str]] = {}
        # Communities, by key, whose wave changed (joins, departures) since its job was written.
        self._waves_behind: dict[str, CommunityRef] = {}
        # When each community's wave job was last written: a large wave's is written less often.
        self._wave_written: dict[str, datetime] = {}
        # When each community's wave job was last written at once for a gated newcomer, since
        # its other writes (which clear it).
        self._wave_written_now: dict[str, datetime] = {}
        # Messages a newcomer may answer with their introduction (the bot's welcome and nudge
        # to them, their own earlier messages), with the user ids of the newcomers they address.
        self._addressed: OrderedDict[MessageRef, frozenset[str]] = OrderedDict()
        # When this process began following joins: a wave begun before may have newcomers
        # whose journeys a kill left written but not named in its job.
        self._up_since = core.clock.now()

    # -- the write path -------------------------------------------------------------------------

    async def setup(self) -> None:
        """Write the journeys' changes (and the waves' jobs) every second, behind the
        events."""
        self._flusher.start()

    async def write_behind(self) -> None:
        """Write what waits, every second: the journeys' changes (the crash window)."""
        await self.journeys.flush()

    async def teardown(self) -> None:
        """Stop the periodic writes and write what waits."""
        await self._flusher.stop()
        await self.journeys.flush_last()  # again for a few seconds if the database refused

    # -- rule book ------------------------------------------------------------------------------

    def settings(self, community: CommunityRef) -> WelcomeConfig:
        """The welcome section as it applies to ``community``."""
        config: WelcomeConfig = self.config(community)
        return config

    def texts(self, community: CommunityRef) -> WelcomeTexts:
        """The welcome texts in the community's locale."""
        return self.settings(community).texts[self.core.community_config(community).locale]

    def accept_button(self, community: CommunityRef) -> Button:
        """The "I accept" button, labelled in the community's language."""
        return Button(ACCEPT_BUTTON, render(self.texts(community).accept_button))

    def charter_text(self, community: CommunityRef) -> str:
        """The community's charter, from the rule book."""
        texts = self.texts(community)
        return render(texts.charter, community=self.community_name(community)).strip()

    @staticmethod
    def community_name(community: CommunityRef) -> str:
        """The community's name as texts write it."""
        return plain_name(community.name or community.id)

    def channel_name(self, community: CommunityRef, role: ChannelRole) -> str | None:
        """The name community.yaml gives the ``role`` channel, if any."""
        channels = self.core.community_config(community).channels
        name: str | None = getattr(channels, role)
        return name

    async def channel(self, community: CommunityRef, role: ChannelRole) -> ChannelRef | None:
        """The ``role`` channel of ``community``, if configured and found."""
        name = self.channel_name(community, role)
        if not name:
            return None
        found = await self.core.resolve_channel(community, name)
        if found is None:
            self.log.warning("%s channel %r not found in %s", role, name, community.key)
        return found

    async def is_channel(self, channel: ChannelRef, role: ChannelRole) -> bool:
        """Whether ``channel`` is the ``role`` channel of its community."""
        name = self.channel_name(channel.community, role)
        if not name:
            return False
        wanted = name.lstrip("#").casefold()
        if wanted in (channel.id.casefold(), channel.name.lstrip("#").casefold()):
            return True
        return await self.core.resolve_channel(channel.community, name) == channel

    def channel_labels(self, community: CommunityRef) -> dict[str, str]:
        """``{rules_channel}`` and ``{intro_channel}`` as texts write them."""
        rules = channel_label(self.channel_name(community, "rules"), "/charter")
        welcome = channel_label(self.channel_name(community, "welcome"))
        intros = channel_label(self.channel_name(community, "introductions"), welcome)
        return {"rules_channel": rules, "intro_channel": intros}

    # -- state ----------------------------------------------------------------------------------

    def held_back(self, journey: Journey, community: CommunityRef) -> bool:
        """Whether the charter gate still holds this newcomer's messages back."""
        return journey.gate_pending and self.settings(community).gate.enabled

    async def charter_accepted(self, member: MemberRef, journey: Journey, at: datetime) -> None:
        """``member`` accepted the charter at ``at`` (``journey`` as it is now): what the other
        parts of the cog do then (the introductions: a nudge held back by the gate)."""

    def addressed(self, message: MessageRef, *user_ids: str) -> None:
        """``message`` is for the newcomers ``user_ids`` to answer: a reply may introduce
        them."""
        remember(self._addressed, message, frozenset(user_ids))

    def allowed(self, community: CommunityRef, kind: str, at: datetime) -> bool:
        """Whether one more ``kind`` (goodbye, nudge, mod-log line) fits the raid limits."""
        raid = self.settings(community).raid
        window = self._windows.setdefault((community.key, kind), SlidingWindow())
        return window.allows(at, within=raid.within, limit=raid.joins)

    async def bounded_modlog(self, community: CommunityRef, text: str, at: datetime) -> None:
        """Report to the mod-log within the raid limits; what is held back is counted later."""
        job_id = self._held_back_job(community)
        waiting = self.core.scheduler.scheduled(job_id)
        if not self.allowed(community, "modlog", at):
            self.log.info("mod-log line held back in %s: %s", community.key, text)
            # The count is kept in the job that reports it, not in memory: a restart, or a
            # start without the community's platform, must not lose it.
            if waiting is None:
                self.core.scheduler.at(
                    job_id,
                    at + self.settings(community).raid.within,
                    self.name,
                    "report_held_back",
                    platform=community.platform,
                    community_id=community.id,
                    community_name=community.name,
                    held=1,
                )
            else:
                self._add_to_held_back(job_id, waiting.kwargs, HeldCount(1, exact=True))
            return
        if waiting is not None and held_count(waiting.kwargs).lines:
            self.core.scheduler.cancel(job_id)
            text += "\n" + self.held_back_text(community, waiting.kwargs)
        await self.core.modlog(community, text)

    @staticmethod
    def _held_back_job(community: CommunityRef) -> str:
        return f"welcome:held-back:{community.key}"

    def _add_to_held_back(
        self, job_id: str, arguments: Mapping[str, Any], held: HeldCount
    ) -> None:
        """Count ``held`` more in the held-back job ``job_id`` (its ``arguments`` as read)."""
        counted = held_count(arguments)
        self.core.scheduler.change_arguments(
            job_id,
            held=counted.lines + held.lines,
            at_least=not (counted.exact and held.exact),
        )

    def held_back_text(self, community: CommunityRef, arguments: Mapping[str, Any]) -> str:
        """The line that counts the reports the held-back job's ``arguments`` hold back."""
        texts = self.texts(community)
        held = held_count(arguments)
        return render(
            texts.held_back if held.exact else texts.held_back_at_least, count=held.lines
        )

    # Tried again when it fails: the count leaves its job as the run starts, so a retry posts
    # it once, and a count held back meanwhile (a new job) takes in the one that failed.
    @retried_job
    async def report_held_back(self, **arguments: Any) -> None:
        """Tell the mod-log how many reports were held back (scheduler job)."""
        community = self.job_community(arguments)
        if not held_count(arguments).lines:
            return
        try:
            await self.core.modlog(
                community, self.held_back_text(community, arguments), retry_passing=True
            )
        except Exception:
            job_id = self._held_back_job(community)
            waiting = self.core.scheduler.scheduled(job_id)
            if waiting is None:
                raise  # tried again by the scheduler
            self._add_to_held_back(job_id, waiting.kwargs, held_count(arguments))
            self.log.warning(
                "the count of reports held back in %s failed; it goes with the next one",
                community.key,
                exc_info=True,
            )

    async def held_back_given_up(self, arguments: Mapping[str, Any]) -> None:
        """The held-back job (its ``arguments``) failed every try: the mod-log says so, with
        what it would have said."""
        community = self.job_community(arguments)
        given_up = render(self.texts(community).held_back_not_posted, tries=1 + len(RETRY_DELAYS))
        await self.core.modlog(
            community, given_up + "\n" + self.held_back_text(community, arguments)
        )

    # -- jobs -----------------------------------------------------------------------------------

    @staticmethod
    def job_id(kind: str, community: CommunityRef, user_id: str) -> str:
        """The id of a per-member job: ``welcome:nudge:<community>:<user>``."""
        return f"welcome:{kind}:{community.key}:{user_id}"

    @staticmethod
    def job_arguments(member: MemberRef, journey: Journey) -> dict[str, Any]:
        """Plain arguments naming ``member`` and the journey a job belongs to."""
        return {
            "platform": member.community.platform,
            "community_id": member.community.id,
            "community_name": member.community.name,
            "user_id": member.user.id,
            "user_name": member.user.name,
            "joined_at": journey.joined_at.isoformat(),
        }

    @staticmethod
    def job_community(arguments: Mapping[str, Any]) -> CommunityRef:
        """The community a job's arguments name."""
        return CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )

    async def job_journey(self, arguments: Mapping[str, Any]) -> tuple[MemberRef, Journey] | None:
        """The member and journey a job was scheduled for, if that journey is still going on.

        None when the member has since left, come back (a new journey) or been forgotten, or
        when the community no longer enables this cog.
        """
        community = self.job_community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return None
        user = UserRef(community.platform, arguments["user_id"], arguments["user_name"])
        journey = await self.journeys.get(community, user.id)
        if journey is None or journey.joined_at != datetime.fromisoformat(arguments["joined_at"]):
            return None
        record = await self.core.members.get(community, user.id)
        if record is not None and record.left_at is not None:
            return None
        return MemberRef(community, user), journey

    def plan_member_job(
        self, kind: MemberJob, when: datetime, arguments: Mapping[str, Any]
    ) -> None:
        """Plan (or plan again) at ``when`` the ``kind`` job of the member its ``arguments``
        (:meth:`job_arguments` and more) name; kept planned while it runs.

        Never for a member whose data was erased meanwhile: a caller that awaited anything
        since it read their journey (a lookup, a post) may hold one /forget_member has erased,
        and the saved job would keep their id and name.
        """
        community = self.job_community(arguments)
        user_id = arguments["user_id"]
        if not self.journeys.may_hold(community.key, user_id):
            return
        self.core.scheduler.at_until_done(
            self.job_id(kind, community, user_id),
            when,
            self.name,
            MEMBER_JOB_HANDLERS[kind],
            **arguments,
        )

    @staticmethod
    def _wave_job(community: CommunityRef) -> str:
        """The id of the job that greets the wave of joins of ``community``."""
        return f"welcome:wave:{community.key}"

    def cancel_member_jobs(self, community: CommunityRef, user_id: str) -> None:
        """Cancel the nudge and the gate timeout of a member."""
        for kind in MEMBER_JOB_HANDLERS:
            self.core.scheduler.cancel(self.job_id(kind, community, user_id))
