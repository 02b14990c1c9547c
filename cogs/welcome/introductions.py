"""Introductions: recognising them, thanking the newcomer once, nudging the silent ones once.

A newcomer's first message in the introductions channel is their introduction, unless it is
short ("lol") or answers someone else's message; and so is a message anywhere that opens with
"je m'appelle", "my name is"… Matching is on words, case-folded, with apostrophes as separators,
so "I'm", "I’m" and "i m" are the same. Only the opening of a message counts: its first clause,
or the second one after a short greeting ("Bonjour, je m'appelle Alice", "Hello everyone! My
name is Bob").

A newcomer who comes back starts a new journey and may introduce themselves again (thanked, and
counted in ``/onboarding``), but the other cogs hear of a member's introduction once.

A nudge (a newcomer's, or a wave's) stays planned while it runs (see
:meth:`~bot.scheduler.Scheduler.at_until_done`): a process that dies meanwhile (a kill, a power
cut) sends it at the next start. Each newcomer's nudge is recorded before it is sent, so a restart
after it was sent never sends it again; a process that dies between the two loses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from bot.cog import job, listener
from bot.events import CommunityRef, MemberIntroduced, MemberRef, MessageCreated, UserRef
from bot.ruleconf import render
from cogs.welcome.base import WelcomeBase
from cogs.welcome.config import IntroductionsConfig
from cogs.welcome.journeys import Journey
from cogs.welcome.raid import MAX_LISTED
from cogs.welcome.wording import listed_names, plain_name

_WORD = re.compile(r"\w+")
_CLAUSE = re.compile(r"([^,.;:!?\n]*)([,.;:!?\n]*)")
GREETING_WORDS = 4
"""A first clause this short, ending in a comma, an exclamation mark or a line break, may be a
greeting ("Hello everyone!"); a question is not."""


def words(text: str) -> tuple[str, ...]:
    """The words of ``text``, case-folded (apostrophes and punctuation separate words)."""
    return tuple(_WORD.findall(text.casefold()))


def _opening(text: str) -> list[tuple[str, ...]]:
    """The clauses an introduction may start: the first, and the next after a greeting."""
    clauses = [
        (words(clause), end) for clause, end in _CLAUSE.findall(text[:1000]) if words(clause)
    ][:2]
    if not clauses:
        return []
    first, end = clauses[0]
    greeting = len(first) <= GREETING_WORDS and any(mark in end for mark in ",!\n")
    return [clause for clause, _ in clauses[: 2 if greeting else 1]]


def opens_with_phrase(text: str, phrases: Sequence[str]) -> bool:
    """Whether ``text`` opens with one of ``phrases`` (after an optional short greeting)."""
    wanted = [phrase for phrase in (words(phrase) for phrase in phrases) if phrase]
    return any(clause[: len(phrase)] == phrase for clause in _opening(text) for phrase in wanted)


class Introductions(WelcomeBase):
    """Noticing introductions, acknowledging them, and the one nudge for those who do not."""

    def schedule_nudge(
        self, member: MemberRef, journey: Journey, *, at: datetime | None = None
    ) -> None:
        """Nudge ``member`` once, ``nudge_after`` after joining (or after ``at``), unless they
        introduce themselves before; never someone who already introduced themselves here, in
        this stay or an earlier one."""
        config = self.settings(member.community).introductions
        if not config.enabled or config.nudge_after is None:
            return
        if journey.first_introduced_at is not None:
            return
        # Not if erased meanwhile (while they accepted the charter): no job names them.
        self.plan_member_job(
            "nudge",
            (at or journey.joined_at) + config.nudge_after,
            self.job_arguments(member, journey),
        )

    def schedule_wave_nudge(
        self, community: CommunityRef, newcomers: Mapping[str, str], greeted_at: datetime
    ) -> None:
        """Nudge the ``newcomers`` (names by user id) of a wave greeted at ``greeted_at``
        together, ``nudge_after`` later: one message naming those who by then have not
        introduced themselves, so that a raid never brings one nudge per account."""
        config = self.settings(community).introductions
        if not config.enabled or config.nudge_after is None or not newcomers:
            return
        self.core.scheduler.at_until_done(
            self.wave_nudge_id(community, greeted_at),
            greeted_at + config.nudge_after,
            self.name,
            "wave_nudge",
            platform=community.platform,
            community_id=community.id,
            community_name=community.name,
            members=dict(newcomers),
            greeted_at=greeted_at.isoformat(),
        )

    @staticmethod
    def wave_nudge_id(community: CommunityRef, greeted_at: datetime) -> str:
        """The id of the nudge of a wave: ``welcome:wave-nudge:<community>:<greeted at>``."""
        return f"welcome:wave-nudge:{community.key}:{greeted_at.isoformat()}"

    def forget_in_wave_nudges(self, community: CommunityRef, user_id: str) -> None:
        """Take the newcomer ``user_id`` out of the waiting nudges of their waves (their data
        is erased: neither their id nor their name stays in a saved job, one running or waiting
        for its platform included)."""
        for pending in self.core.scheduler.pending(f"welcome:wave-nudge:{community.key}:"):
            members = pending.kwargs.get("members", {})
            if user_id not in members:
                continue
            kept = {other: name for other, name in members.items() if other != user_id}
            self.core.scheduler.change_arguments(pending.id, members=kept)

    async def charter_accepted(self, member: MemberRef, journey: Journey, at: datetime) -> None:
        """A newcomer held at the gate when their nudge fell due was not nudged: now that they
        may post, they are, ``nudge_after`` after accepting."""
        config = self.settings(member.community).introductions
        if (
            config.nudge_after is None
            or journey.introduced_at is not None
            or journey.nudged_at is not None
            or at < journey.joined_at + config.nudge_after
        ):
            return  # nudged already, or their nudge is still to come
        job_id = self.job_id("nudge", member.community, member.user.id)
        if self.core.scheduler.next_run(job_id) is None:
            self.schedule_nudge(member, journey, at=at)

    @listener(MessageCreated)
    async def notice_introduction(self, event: MessageCreated) -> None:
        """A newcomer's first message in the introductions channel, or one opening with "my
        name is"…"""
        user = event.author.user
        holders = self._holders.get(event.message.channel.community.key)
        if user.is_bot or (holders is not None and user.id not in holders):
            return
        author = event.author
        community = event.community
        journey = await self.journeys.get(community, user.id)
        if journey is None or journey.introduced_at is not None or event.at < journey.joined_at:
            return
        config = self.settings(community).introductions
        if not config.enabled or self.held_back(journey, community):
            return
        if not await self._introduces(event, config):
            return
        claimed = await self.journeys.claim(community, journey, "introduced_at", event.at)
        if claimed is None:
            return
        self.core.scheduler.cancel(self.job_id("nudge", community, author.user.id))
        # Their journey records it, and /forget_member erases it there: the log, kept elsewhere
        # and out of its reach, does not at INFO.
        self.log.debug("%s introduced themselves in %s", author.user.id, community.key)
        # Once per member, whatever their comings and goings: an introduction earns points.
        first = await self.journeys.claim(community, claimed, "first_introduced_at", event.at)
        if first is not None:
            await self.publish(MemberIntroduced(at=event.at, member=author, message=event.message))
        if config.acknowledge == "react" and await self.actions.react(
            event.message, config.reaction
        ):
            return
        texts = self.texts(community)
        template = self.picker.pick(f"{community.key}:introduced", texts.introduced)
        await self.actions.send(
            event.channel,
            render(
                template,
                member=plain_name(author.name),
                community=self.community_name(community),
            ),
            reply_to=event.message,
            mention=[author.user],
        )

    async def _introduces(self, event: MessageCreated, config: IntroductionsConfig) -> bool:
        """Whether a newcomer's ``event`` is their introduction."""
        if opens_with_phrase(event.text, config.phrases):
            return True
        if not await self.is_channel(event.channel, "introductions"):
            return False
        user_id = event.author.user.id
        reply = event.reply_to
        answers_another = reply is not None and user_id not in self._addressed.get(reply, ())
        if answers_another or len(words(event.text)) < config.min_words:
            self.addressed(event.message, user_id)
            return False
        return True

    @job
    async def nudge(self, **arguments: Any) -> None:
        """Invite a newcomer who has not introduced themselves, once (scheduler job)."""
        found = await self.job_journey(arguments)
        if found is None:
            return
        member, journey = found
        community = member.community
        config = self.settings(community)
        if (
            not config.introductions.enabled
            or journey.introduced_at
            or journey.first_introduced_at
            or journey.nudged_at
        ):
            return
        if self.held_back(journey, community):
            # The gate's own prompt and reminders speak to them; the nudge waits for their
            # acceptance (see charter_accepted).
            return
        now = self.core.clock.now()
        if not self.allowed(community, "nudge", now):
            # Many nudges fall due together (after a restart): spread them out. Not if erased
            # while this looked them up.
            self.plan_member_job("nudge", now + config.raid.within, arguments)
            return
        if await self.journeys.claim(community, journey, "nudged_at", now) is None:
            return
        texts = self.texts(community)
        text = render(
            texts.nudge,
            member=plain_name(member.name),
            community=self.community_name(community),
            intro_channel=self.channel_labels(community)["intro_channel"],
        )
        if config.introductions.nudge_by_dm and await self.actions.dm(
            member.user, text, community=community
        ):
            return
        channel = await self.channel(community, "introductions") or await self.channel(
            community, "welcome"
        )
        if channel is not None:
            posted = await self.actions.send(channel, text, mention=[member.user])
            if posted is not None:
                self.addressed(posted, member.user.id)

    @job
    async def wave_nudge(self, **arguments: Any) -> None:
        """Invite the newcomers of a wave who have not introduced themselves, in one message
        naming them, each once (scheduler job)."""
        community = self.job_community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return
        config = self.settings(community)
        if not config.introductions.enabled:
            return
        greeted_at = datetime.fromisoformat(arguments["greeted_at"])
        silent: list[tuple[str, str, Journey]] = []
        for user_id, name in dict(arguments.get("members", {})).items():
            journey = await self._silent_since(community, user_id, greeted_at)
            if journey is not None:
                silent.append((user_id, name, journey))
        if not silent:
            return
        now = self.core.clock.now()
        if not self.allowed(community, "nudge", now):
            # Spread out, without those erased while this looked the others up: its arguments
            # were read before, so they may name someone forget_in_wave_nudges took out since.
            members = {
                user_id: name
                for user_id, name in dict(arguments.get("members", {})).items()
                if self.journeys.may_hold(community.key, user_id)
            }
            self.core.scheduler.at_until_done(
                self.wave_nudge_id(community, greeted_at),
                now + config.raid.within,
                self.name,
                "wave_nudge",
                **{**arguments, "members": members},
            )
            return
        nudged: dict[str, str] = {}
        for user_id, name, journey in silent:
            if await self.journeys.claim(community, journey, "nudged_at", now) is not None:
                nudged[user_id] = name
        if not nudged:
            return
        named = dict(islice(nudged.items(), MAX_LISTED))
        text = render(
            self.texts(community).nudge_wave,
            count=len(nudged),
            members=listed_names(list(named.values()), len(nudged)),
            community=self.community_name(community),
            intro_channel=self.channel_labels(community)["intro_channel"],
        )
        channel = await self.channel(community, "introductions") or await self.channel(
            community, "welcome"
        )
        if channel is None:
            return
        mention = [UserRef(community.platform, user_id, name) for user_id, name in named.items()]
        posted = await self.actions.send(channel, text, mention=mention)
        if posted is not None:
            self.addressed(posted, *nudged)

    async def _silent_since(
        self, community: CommunityRef, user_id: str, greeted_at: datetime
    ) -> Journey | None:
        """The journey of ``user_id`` if they are still here since their wave was greeted at
        ``greeted_at``, have not introduced themselves nor been nudged, and may post."""
        journey = await self.journeys.get(community, user_id)
        if (
            journey is None
            or journey.joined_at > greeted_at
            or journey.introduced_at
            or journey.first_introduced_at
            or journey.nudged_at
            or self.held_back(journey, community)
        ):
            # Held back: the gate speaks to them; accepting brings their own nudge.
            return None
        record = await self.core.members.get(community, user_id)
        if record is not None and record.left_at is not None:
            return None
        return journey
