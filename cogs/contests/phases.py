"""A contest's phases, run by the scheduler: opening, reminder, closing with the results.

Each phase is a job with a stable id (``contest:<id>:open|remind|close``) whose arguments are the
contest id and its community's platform (the job waits while that platform is not running). Each
is claimed once in the database before it is announced, so a job run twice, or again after a
restart, never announces twice; a phase missed beyond the scheduler's grace is reported to the
mod-log instead (a missed closing still closes the contest and records its winners, without the
public announcement).

A phase whose job is gone while the phase is still owed (the process died after making the
contest and before its jobs were stored, or while a job was taken to run and before its phase
was claimed) gets its job again at start and after every reload, at the phase's own time: it runs
late, or is reported missed. A closing is claimed in the same transaction that stores its
winners: a closing the process died during is done again, never left closed without winners.
What is claimed and then not announced (the process died between the two) is not repeated: a
post that may have gone out is not posted twice. It is not lost silently either: once announced
(posted, refused by the platform, or reported missed), a phase is recorded so
(``*_announced_at``), and one claimed and never recorded is reported to the mod-log at the next
start (:meth:`Phases.lost_announcements`), saying what to check and how to post it. So is a
cancellation (``/contest_cancel``) claimed and never recorded as posted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlmodel import and_, col, func, or_, select, update

from bot.cog import job, retried_job
from bot.events import CommunityRef, ContestClosed
from bot.ruleconf import render
from cogs.contests.base import (
    ANNOUNCING,
    ContestsBase,
    announcing,
    full_title,
    id_lines,
    id_set,
    name_text,
)
from cogs.contests.draw import canonical, draw, entrants_hash
from cogs.contests.models import Contest, Entry, Vote, Win
from cogs.contests.standings import Standing, podium, rank, tickets, tie_decided

PHASES = {"open": "open_contest", "remind": "remind_contest", "close": "close_contest"}
PHASE_OF_HANDLER = {handler: phase for phase, handler in PHASES.items()}
CLAIMS = {"open": "opened_at", "remind": "reminded_at", "close": "closed_at"}
ANNOUNCED = {
    "open": "open_announced_at",
    "remind": "remind_announced_at",
    "close": "close_announced_at",
}
CLAIMED_AND_ANNOUNCED = {
    **{phase: (claimed, ANNOUNCED[phase]) for phase, claimed in CLAIMS.items()},
    "cancel": ("cancelled_at", "cancel_announced_at"),
}
"""What is claimed and then announced, by what :meth:`Phases.lost_announcements` calls it:
the phases, and a cancellation (``/contest_cancel``), each with its claim's column and the
column recording it announced."""


class Outcome(NamedTuple):
    """How a contest came out."""

    standings: list[Standing]
    """Every entry, ranked."""
    winners: list[Standing]
    """The winners, in order: one place per member."""
    tickets: list[str]
    """A random contest's tickets, as the draw sorts them (one entry number per member)."""
    excluded: set[str]
    """The authors left out for having left the community by the close."""
    banned_voters: set[str]
    """The voters banned while the contest ran, whose votes (one each) were not counted."""
    tie_decided: bool
    """Whether the earliest submission decided a place between entries with as many votes."""


def phase_job_id(contest_id: int, phase: str) -> str:
    """The stable id of a contest's phase job."""
    return f"contest:{contest_id}:{phase}"


class Phases(ContestsBase):
    """Scheduling and announcing the phases of contests."""

    def schedule_phases(
        self, community: CommunityRef, contest: Contest, remind_before: timedelta | None
    ) -> None:
        """Schedule the jobs of ``contest``'s phases still to come."""
        assert contest.id is not None
        now = self.core.clock.now()
        if contest.starts_at > now:
            self.core.scheduler.at(
                phase_job_id(contest.id, "open"),
                contest.starts_at,
                self.name,
                PHASES["open"],
                contest_id=contest.id,
                platform=community.platform,
            )
        if remind_before is not None:
            remind_at = contest.ends_at - remind_before
            if remind_at > max(now, contest.starts_at):
                self.core.scheduler.at(
                    phase_job_id(contest.id, "remind"),
                    remind_at,
                    self.name,
                    PHASES["remind"],
                    contest_id=contest.id,
                    platform=community.platform,
                )
        self.core.scheduler.at(
            phase_job_id(contest.id, "close"),
            contest.ends_at,
            self.name,
            PHASES["close"],
            contest_id=contest.id,
            platform=community.platform,
        )

    def resume_phases(self, community: CommunityRef, contest: Contest) -> None:
        """Give ``contest`` a job for each phase still owed that has none, at the phase's time
        (a past one runs late, or is reported missed); a claimed phase is not owed."""
        assert contest.id is not None
        if contest.closed_at is not None or contest.cancelled_at is not None:
            return
        owed = {"close": contest.ends_at}
        if contest.opened_at is None:
            owed["open"] = contest.starts_at
        remind_before = self.settings(community).contests.remind_before
        if contest.reminded_at is None and remind_before is not None:
            remind_at = contest.ends_at - remind_before
            if remind_at > max(self.core.clock.now(), contest.starts_at):
                owed["remind"] = remind_at  # one already due is moot: not sent late
        for phase, when in owed.items():
            job_id = phase_job_id(contest.id, phase)
            if self.core.scheduler.scheduled(job_id) is None:
                self.core.scheduler.at(
                    job_id,
                    self.resumed_at(job_id, when),
                    self.name,
                    PHASES[phase],
                    contest_id=contest.id,
                    platform=community.platform,
                )

    async def resume_contests(self) -> None:
        """Give every contest neither closed nor cancelled the jobs of its phases still owed
        (see :meth:`resume_phases`)."""
        async with self.core.db.session() as session:
            contests = (
                await session.exec(
                    select(Contest).where(
                        col(Contest.closed_at).is_(None), col(Contest.cancelled_at).is_(None)
                    )
                )
            ).all()
        for contest in contests:
            community = await self.community_of(contest.community_id)
            if community is not None:
                self.resume_phases(community, contest)

    async def lost_announcements(self) -> None:
        """Report to the mod-log each phase claimed and never recorded as announced: the
        process died while announcing it, and whether its post went out is unknown. It is not
        posted again (it may be there already, and is never posted twice); the report says what
        to check and how to post it. An opening or a reminder of a contest over (or cancelled)
        since is moot, and so is the cancellation of a contest that had not opened (nothing was
        to be posted): only logged. Each is reported once. One this process announced and could
        not record so (a busy database) is recorded now, not reported."""
        await self.try_owed_marks()
        lost = [
            and_(
                col(getattr(Contest, claimed)).is_not(None),
                col(getattr(Contest, announced)).is_(None),
            )
            for claimed, announced in CLAIMED_AND_ANNOUNCED.values()
        ]
        async with self.core.db.session() as session:
            contests = (await session.exec(select(Contest).where(or_(*lost)))).all()
        for contest in contests:
            assert contest.id is not None
            community = await self.community_of(contest.community_id)
            for phase, (claimed_column, announced_column) in CLAIMED_AND_ANNOUNCED.items():
                claimed = getattr(contest, claimed_column)
                if (
                    claimed is None
                    or getattr(contest, announced_column) is not None
                    or phase_job_id(contest.id, phase) in ANNOUNCING
                    or self.mark_owed(Contest, contest.id, announced_column)
                    or await self.recorded_meanwhile(Contest, contest.id, announced_column)
                ):
                    continue
                if community is not None and self.core.cog_enabled(self.name, community):
                    await self.lost_announcement(community, contest, phase, claimed)
                await self.announced(Contest, contest.id, announced_column)

    async def lost_announcement(
        self, community: CommunityRef, contest: Contest, phase: str, claimed: datetime
    ) -> None:
        """Tell the mod-log that ``contest``'s ``phase``, claimed at ``claimed``, may not have
        been announced (see :meth:`lost_announcements`)."""
        if phase == "cancel" and contest.opened_at is None:
            # Members never saw it open: the cancel posts nothing for it.
            self.log.info("contest %s was cancelled before it opened: nothing lost", contest.id)
            return
        over = (
            contest.cancelled_at is not None
            or contest.closed_at is not None
            or self.core.clock.now() >= contest.ends_at
        )
        if phase in ("open", "remind") and over:
            self.log.info(
                "the %s of contest %s may not have been announced; moot now", phase, contest.id
            )
            return
        texts = self.texts(community)
        await self.core.modlog(
            community,
            render(
                getattr(texts, f"lost_{phase}"),
                id=contest.id,
                title=full_title(contest),
                channel=contest.channel_name or contest.channel_id,
                when=self.when(community, claimed),
                end=self.when(community, contest.ends_at),
            ),
        )

    def cancel_phases(self, contest_id: int) -> None:
        """Cancel every pending phase of a contest."""
        for phase in PHASES:
            self.core.scheduler.cancel(phase_job_id(contest_id, phase))

    # -- opening --------------------------------------------------------------------------------

    async def announce_opening(self, community: CommunityRef, contest: Contest) -> None:
        """Post the opening of ``contest`` in its channel."""
        texts = self.texts(community)
        settings = self.settings(community)
        end = self.when(community, contest.ends_at)
        if contest.challenge_id is not None:
            text = render(
                texts.challenge_opened,
                id=contest.id,
                title=contest.title,
                theme=contest.theme or "",
                end=end,
                emoji=settings.voting.emoji,
            )
        else:
            text = render(
                texts.opened,
                id=contest.id,
                title=contest.title,
                description=contest.description,
                end=end,
                emoji=settings.voting.emoji,
                entries=contest.entries_per_member,
            )
        tidy = "\n".join(line.rstrip() for line in text.strip().splitlines())
        await self.actions.send(self.contest_channel(community, contest), tidy)

    async def open_now(self, community: CommunityRef, contest: Contest) -> None:
        """Claim ``contest``'s opening and announce it, once."""
        assert contest.id is not None
        with announcing(phase_job_id(contest.id, "open")):
            if contest.opened_at is not None:
                return  # claimed, perhaps still being posted: not waited for
            async with self.posting_about(contest.id):
                if not await self.claim(contest.id, "opened_at", self.core.clock.now()):
                    return
                if self.core.cog_enabled(self.name, community):
                    await self.announce_opening(community, contest)
                await self.announced(Contest, contest.id, ANNOUNCED["open"])

    async def _phase_target(self, contest_id: int) -> tuple[CommunityRef, Contest] | None:
        contest = await self.load_contest(contest_id)
        if contest is None:
            return None
        community = await self.community_of(contest.community_id)
        if community is None:
            return None
        return community, contest

    async def phase_community(self, contest_id: int) -> CommunityRef | None:
        """The community of the contest ``contest_id``; None if either is gone."""
        target = await self._phase_target(contest_id)
        return None if target is None else target[0]

    # The jobs' ``platform`` is the scheduler's (a job waits while it is not running): the
    # contest's record says which community it is for.

    @job
    async def open_contest(self, contest_id: int, platform: str | None = None) -> None:
        """Announce that a contest is open (scheduler job)."""
        target = await self._phase_target(contest_id)
        if target is None:
            return
        await self.open_now(*target)

    @job
    async def remind_contest(self, contest_id: int, platform: str | None = None) -> None:
        """Remind members that a contest closes soon (scheduler job)."""
        target = await self._phase_target(contest_id)
        if target is None:
            return
        community, contest = target
        with announcing(phase_job_id(contest_id, "remind")):
            if contest.reminded_at is not None:
                return  # claimed, perhaps still being posted: not waited for
            async with self.posting_about(contest_id):
                # Read again once the posts before it are out: a close posted meanwhile makes
                # it moot, and the time left is the time left when it is posted.
                target = await self._phase_target(contest_id)
                if target is None:
                    return
                community, contest = target
                now = self.core.clock.now()
                if (
                    contest.closed_at is not None
                    or now >= contest.ends_at
                    or not await self.claim(contest_id, "reminded_at", now)
                ):
                    return
                if self.core.cog_enabled(self.name, community):
                    entries = await self.count_entries(contest_id)
                    await self.actions.send(
                        self.contest_channel(community, contest),
                        render(
                            self.texts(community).reminder,
                            id=contest.id,
                            title=full_title(contest),
                            end=self.when(community, contest.ends_at),
                            left=self.left(community, contest.ends_at - now),
                            entries=entries,
                        ),
                    )
                await self.announced(Contest, contest_id, ANNOUNCED["remind"])

    # -- closing --------------------------------------------------------------------------------

    # Tried again when it fails (a busy database): the claim makes a second close a no-op, and
    # the run again tells the wins a close that failed after storing them left untold.
    @retried_job
    async def close_contest(self, contest_id: int, platform: str | None = None) -> None:
        """Close a contest, record its winners and announce the results (scheduler job); run
        again after a close that failed, it tells the wins that close left untold and records
        the results posted if that record failed."""
        if await self.close(contest_id, announce=True) is None:
            await self.tell_untold_of("contest", contest_id)
            await self.write_owed_marks((Contest, contest_id))

    async def close_given_up(self, contest_id: int) -> None:
        """The close of ``contest_id`` failed on every try (the database kept failing) and is
        not tried again before a reload or a restart: the mod-log is told that the contest is
        still open, and what closes it. A contest closed by then owes only what the next start
        or reload does anyway (its untold wins, a results post not recorded as made)."""
        target = await self._phase_target(contest_id)
        if target is None:
            return
        community, contest = target
        if contest.closed_at is not None or contest.cancelled_at is not None:
            self.log.info(
                "the close of contest %s was given up; it was closed meanwhile", contest_id
            )
            return
        if not self.core.cog_enabled(self.name, community):
            self.log.warning("the close of contest %s was given up; it is still open", contest_id)
            return
        await self.core.modlog(
            community,
            render(
                self.texts(community).close_given_up,
                id=contest.id,
                title=full_title(contest),
                end=self.when(community, contest.ends_at),
            ),
        )

    async def close(
        self, contest_id: int, *, announce: bool, late: bool = False
    ) -> tuple[str, bool] | None:
        """Close a contest once; return the results text and whether it was posted (None if
        it was already closed). ``late``: the close was missed while the bot was offline, and
        the results say they come late."""
        with announcing(phase_job_id(contest_id, "close")):
            async with self.telling_wins("contest", contest_id) as stored:
                return await self._close(contest_id, stored, announce=announce, late=late)

    async def _close(
        self, contest_id: int, stored: list[Win], *, announce: bool, late: bool
    ) -> tuple[str, bool] | None:
        target = await self._phase_target(contest_id)
        if target is None:
            return None
        community, contest = target
        if contest.closed_at is not None or contest.cancelled_at is not None:
            return None
        now = self.core.clock.now()
        if contest.choose_by == "random" and contest.seed is None:
            contest.seed = self.seeds()
        contest.closed_at = now  # as claimed: who had left by then wins nothing
        outcome = await self.outcome(community, contest)
        # Who was left out is kept: a member's row keeps only their latest departure, so it
        # could not tell later who had left by the close once they come back or leave again.
        contest.excluded_ids = id_lines(outcome.excluded)
        contest.banned_voter_ids = id_lines(outcome.banned_voters)
        wins = await self.win_rows(
            community,
            "contest",
            contest_id,
            full_title(contest),
            [
                (place, s.user_id, s.user_name, s.votes)
                for place, s in enumerate(outcome.winners, 1)
            ],
            # Won when the contest ended, even if the bot, offline then, closed it later.
            min(now, contest.ends_at),
        )
        async with self.core.db.session() as session:
            # Claimed with its winners, in one transaction: a closing the process died during
            # is owed still (and done again), never closed without its winners.
            claimed = await session.exec(
                update(Contest)
                .where(
                    col(Contest.id) == contest_id,
                    col(Contest.closed_at).is_(None),
                    col(Contest.cancelled_at).is_(None),
                )
                .values(
                    closed_at=now,
                    seed=contest.seed,
                    excluded_ids=contest.excluded_ids,
                    banned_voter_ids=contest.banned_voter_ids,
                )
            )
            if claimed.rowcount != 1:
                return None
            session.add_all(wins)
            await session.commit()
        stored.extend(wins)
        text = self.results_text(community, contest, outcome)
        channel = self.contest_channel(community, contest)
        posted = announce and self.core.cog_enabled(self.name, community)
        # Posted after an opening or a reminder still on its way, and before a reminder that
        # comes meanwhile, which then finds the contest closed and says nothing.
        async with self.posting_about(contest_id):
            if posted:
                late_note = render(
                    self.texts(community).results_late, end=self.when(community, contest.ends_at)
                )
                await self.actions.send(channel, f"{text}\n{late_note}" if late else text)
            try:
                await self.announced(Contest, contest_id, ANNOUNCED["close"])
            except Exception as error:  # owed: the job's next try writes it
                unrecorded: Exception | None = error
            else:
                unrecorded = None
        # Told whatever failed before or fails after: a try again finds the contest closed and
        # would never tell the other cogs it closed (the wins it does tell again).
        await self.publish(
            ContestClosed(
                at=now,
                channel=channel,
                contest_id=f"contest:{contest_id}",
                title=contest.title,
                entries=len(outcome.standings),
                votes=sum(standing.votes for standing in outcome.standings),
            )
        )
        await self.publish_wins(community, wins)
        if unrecorded is not None:
            raise unrecorded
        return text, posted

    async def count_entries(self, contest_id: int) -> int:
        """How many entries a contest has."""
        async with self.core.db.session() as session:
            counted = await session.exec(
                select(func.count()).select_from(Entry).where(col(Entry.contest_id) == contest_id)
            )
            return int(counted.one())

    async def standings(
        self, contest_id: int, banned: set[str] | frozenset[str] = frozenset()
    ) -> list[Standing]:
        """Every entry of a contest with its votes, ranked; the votes of ``banned`` voters are
        not counted."""
        async with self.core.db.session() as session:
            entries = (
                await session.exec(select(Entry).where(col(Entry.contest_id) == contest_id))
            ).all()
            counts = dict(
                (
                    await session.exec(
                        select(Vote.entry_id, func.count())
                        .where(
                            col(Vote.contest_id) == contest_id,
                            col(Vote.voter_id).not_in(banned),
                        )
                        .group_by(col(Vote.entry_id))
                    )
                ).all()
            )
        return rank(
            Standing(
                entry=entry.number,
                user_id=entry.user_id,
                user_name=entry.user_name,
                votes=int(counts.get(entry.id or 0, 0)),
                submitted_at=entry.submitted_at,
            )
            for entry in entries
        )

    async def outcome(self, community: CommunityRef, contest: Contest) -> Outcome:
        """The ranked entries and the winners, in order, as they stood at the close (now for
        a contest not closed yet): the entries of members who had left by then win nothing.
        Reproducible for random contests."""
        assert contest.id is not None
        banned_voters = await self.banned_voters(contest)
        standings = await self.standings(contest.id, banned_voters)
        gone = await self.left_out(
            community,
            contest.excluded_ids,
            {s.user_id for s in standings},
            contest.closed_at or self.core.clock.now(),
        )
        if contest.choose_by == "random":
            held = tickets(standings, gone)
            drawn = draw(contest.seed or "", held, contest.winners)
            winners = [held[number] for number in drawn]
            return Outcome(standings, winners, canonical(held), gone, banned_voters, False)
        return Outcome(
            standings,
            podium(standings, contest.winners, gone),
            [],
            gone,
            banned_voters,
            tie_decided(standings, contest.winners, gone),
        )

    async def banned_voters(self, contest: Contest) -> set[str]:
        """The voters banned while ``contest`` ran who voted in it (one vote each): their
        votes are not counted. A member who voted and then left of their own accord cast their
        vote as a member: it counts."""
        banned = id_set(contest.banned_voter_ids or "")
        if not banned:
            return set()
        async with self.core.db.session() as session:
            voters = (
                await session.exec(
                    select(Vote.voter_id).where(
                        col(Vote.contest_id) == contest.id, col(Vote.voter_id).in_(banned)
                    )
                )
            ).all()
        return set(voters)

    def results_text(self, community: CommunityRef, contest: Contest, outcome: Outcome) -> str:
        """The results announcement: the winners with their vote counts, and how ties go."""
        texts = self.texts(community)
        title = full_title(contest)
        standings, winners = outcome.standings, outcome.winners
        if not standings:
            return render(texts.results_no_entries, id=contest.id, title=title)
        voters = sum(s.votes for s in standings)
        lines = [
            render(
                texts.results_header,
                id=contest.id,
                title=title,
                entries=len(standings),
                voters=voters,
            )
        ]
        if not winners:
            # A random contest with entries has winners unless every author has left.
            nobody_voted = voters == 0 and contest.choose_by != "random"
            lines.append(render(texts.results_no_votes if nobody_voted else texts.results_gone))
        for place, standing in enumerate(winners, start=1):
            lines.append(
                render(
                    texts.results_line,
                    rank=place,
                    member=name_text(standing.user_name or standing.user_id),
                    entry=standing.entry,
                    votes=standing.votes,
                )
            )
        passed_over = self.passed_over(contest, outcome)
        if passed_over:
            lines.append(
                render(
                    texts.results_passed_over,
                    entries=", ".join(
                        render(
                            texts.results_passed_entry,
                            entry=standing.entry,
                            member=name_text(standing.user_name or standing.user_id),
                            votes=standing.votes,
                        )
                        for standing in passed_over
                    ),
                )
            )
        if outcome.banned_voters:
            lines.append(render(texts.results_banned_votes, votes=len(outcome.banned_voters)))
        if contest.choose_by == "random" and winners:
            lines.append(
                render(
                    texts.results_random,
                    seed=contest.seed,
                    hash=entrants_hash(outcome.tickets),
                    tickets=" ".join(outcome.tickets),
                )
            )
        elif outcome.tie_decided:
            lines.append(render(texts.results_tie_rule))
        return "\n".join(lines)

    @staticmethod
    def passed_over(contest: Contest, outcome: Outcome) -> list[Standing]:
        """The entries left out of the results for their authors having left: in a random
        contest, each one's first entry (the ticket they would have held); else those that
        had votes and ranked above the last place given (any, if places were left)."""
        gone = outcome.excluded
        if not gone:
            return []
        if contest.choose_by == "random":
            firsts: dict[str, Standing] = {}
            for standing in sorted(outcome.standings, key=lambda s: s.entry):
                if standing.user_id in gone:
                    firsts.setdefault(standing.user_id, standing)
            return sorted(firsts.values(), key=lambda s: s.entry)
        last = outcome.winners[-1] if len(outcome.winners) >= contest.winners else None
        passed: list[Standing] = []
        for standing in outcome.standings:  # ranked
            if standing is last or standing.votes <= 0:
                break
            if standing.user_id in gone:
                passed.append(standing)
        return passed

    # -- phases that could not run in time ------------------------------------------------------

    async def contest_phase_missed(
        self, handler: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A phase fell due too long ago: catch the state up quietly and tell the moderators."""
        target = await self._phase_target(int(kwargs["contest_id"]))
        if target is None:
            return
        community, contest = target
        now = self.core.clock.now()
        phase = PHASE_OF_HANDLER[handler]
        texts = self.texts(community)
        if phase == "close":
            # Results do not go stale: they are posted late, saying so.
            closed = await self.close(int(kwargs["contest_id"]), announce=True, late=True)
            if closed is None:
                await self.tell_untold_of("contest", int(kwargs["contest_id"]))
                await self.write_owed_marks((Contest, int(kwargs["contest_id"])))
                return
            if closed[1]:
                await self.core.modlog(
                    community,
                    render(
                        texts.missed_close_posted,
                        id=contest.id,
                        title=full_title(contest),
                        when=self.when(community, now - late_by),
                        channel=contest.channel_name or contest.channel_id,
                    ),
                )
                return
            await self.core.modlog(
                community,
                render(
                    texts.missed,
                    id=contest.id,
                    title=full_title(contest),
                    phase=render(texts.phase_close),
                    when=self.when(community, now - late_by),
                ),
            )
            return
        with announcing(phase_job_id(int(kwargs["contest_id"]), phase)):
            if not await self.claim(int(kwargs["contest_id"]), CLAIMS[phase], now):
                return
            # Past the end, a late reminder is moot: its results say it all.
            if phase != "remind" or now < contest.ends_at:
                await self.core.modlog(
                    community,
                    render(
                        texts.missed,
                        id=contest.id,
                        title=full_title(contest),
                        phase=render(getattr(texts, f"phase_{phase}")),
                        when=self.when(community, now - late_by),
                    ),
                )
            await self.announced(Contest, int(kwargs["contest_id"]), ANNOUNCED[phase])
