"""Contests as moderators set them up: ``/contest_create``, ``/contest_list``,
``/contest_cancel``, and ``/contest_results`` for everyone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import CommandContext, Permission, When, command
from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef
from bot.localtime import LocalDate
from bot.moments import AmbiguousDateError, MomentError, MomentRangeError
from bot.ruleconf import render, visible
from cogs.contests.base import announcing, full_title, id_lines, id_set, name_text, plain
from cogs.contests.models import Contest, Win
from cogs.contests.phases import Phases, phase_job_id
from cogs.contests.schedules import parse_moment, parse_span

MAX_TITLE = 200
MAX_DESCRIPTION = 1000
LISTED = 20
PAST_SLACK = timedelta(minutes=1)
"""A start typed as "now" in local time is a few seconds old by the time it is read."""
OPEN_NOW = When("")
"""A contest created without a start opens at once."""


class ContestCommands(Phases):
    """Creating, listing, cancelling contests and showing their results."""

    def _moment(self, community: CommunityRef, text: str, now: datetime) -> datetime:
        try:
            return parse_moment(text, now, self.zone(community), self._language(community))
        except MomentRangeError as error:
            if error.early:
                raise self.refuse(community, "in_the_past", when=str(error)) from None
            most = self.settings(community).contests.max_ahead
            raise self.refuse(community, "too_far", most=self.left(community, most)) from None
        except MomentError as error:
            raise self._unread(community, error) from None

    def _end(self, community: CommunityRef, text: str, start: datetime) -> datetime:
        try:
            return parse_span(text, start, self.zone(community), self._language(community))
        except MomentRangeError as error:
            if error.early:
                raise self.refuse(community, "in_the_past", when=str(error)) from None
            most = self.settings(community).contests.max_duration
            raise self.refuse(community, "too_long", most=self.left(community, most)) from None
        except MomentError as error:
            raise self._unread(community, error) from None

    def _language(self, community: CommunityRef) -> str:
        """The community's locale, which says the order of a date's numbers (``15/01``)."""
        return self.core.community_config(community).locale

    def _unread(self, community: CommunityRef, error: MomentError) -> JardinierError:
        """The refusal of a moment typed in no form the bot reads, or read two ways."""
        if isinstance(error, AmbiguousDateError):
            first, second = error.readings
            return self.refuse(
                community,
                "ambiguous_date",
                value=str(error),
                first=LocalDate(first),
                second=LocalDate(second),
            )
        return self.refuse(community, "bad_moment", value=str(error))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "concours_creer"},
        descriptions={"fr": "Créer un concours : titre, durée, description…"},
        option_names={"fr": {"entries": "participations"}},
        helps={
            "fr": """Créer un concours : participations (/participer), votes, résultats annoncés.

            Exemple : /concours_creer "Photo de la semaine" 2h "Votre plus belle photo du jardin"
            Ouvert demain, pour une semaine : /concours_creer Haïku 7j "" 1j
            La durée et l'ouverture acceptent aussi une date et heure locales :
            "15/01/2027 18h" (entre guillemets), 2027-01-15T18:00, ou une date seule
            (15/01/2027) pour minuit.
            """
        },
    )
    async def contest_create(
        self,
        ctx: CommandContext,
        title: Annotated[
            str,
            "The contest's title (in quotes if several words)",
            {"fr": "Le titre du concours (entre guillemets s'il a plusieurs mots)"},
        ],
        duration: Annotated[
            When,
            "How long (2h, 7d) or until when (2027-01-15T18:00, 15/01/2027 18:00)",
            {"fr": "Combien de temps (2h, 7j) ou jusqu'à quand (15/01/2027 18h)"},
        ],
        description: Annotated[
            str, "What to submit (in quotes)", {"fr": "Ce qu'il faut proposer (entre guillemets)"}
        ] = "",
        start: Annotated[
            When,
            "When it opens: a delay (1d) or a local date and time (15/01 18:00); default now",
            {
                "fr": "Ouverture : un délai (1j) ou une date et heure locales (15/01 18h) ; "
                "sinon tout de suite"
            },
        ] = OPEN_NOW,
        channel: Annotated[
            ChannelRef | None,
            "Where to announce it (default: here)",
            {"fr": "Où l'annoncer (par défaut : ici)"},
        ] = None,
        entries: Annotated[
            int | None,
            "Entries per member (default from the rule book)",
            {"fr": "Participations par membre (par défaut : selon les règles)"},
        ] = None,
    ) -> None:
        """Create a contest: members /submit entries, vote, and the results are announced.

        Example: /contest_create "Photo of the week" 2h "Your best garden photo"
        Opening tomorrow, for a week: /contest_create Haiku 7d "" 1d
        The duration and the start also take a local date and time: "15/01/2027 18:00" (in
        quotes), 2027-01-15T18:00, or a date alone (15/01/2027) for midnight.
        """
        community = ctx.community
        settings = self.settings(community).contests
        now = self.core.clock.now()
        opens = self._moment(community, start, now) if start.strip() else now
        if opens < now - PAST_SLACK:
            raise self.refuse(community, "in_the_past", when=self.when(community, opens))
        opens = max(opens, now)
        if opens - now > settings.max_ahead:
            raise self.refuse(community, "too_far", most=self.left(community, settings.max_ahead))
        ends = self._end(community, duration, opens)
        if ends == opens:
            raise self.refuse(community, "zero_duration")
        if ends < now:
            raise self.refuse(community, "in_the_past", when=self.when(community, ends))
        if ends < opens:
            raise self.refuse(
                community,
                "end_before_start",
                start=self.when(community, opens),
                end=self.when(community, ends),
            )
        if ends - opens < settings.min_duration:
            raise self.refuse(
                community, "too_short", least=self.left(community, settings.min_duration)
            )
        if ends - opens > settings.max_duration:
            raise self.refuse(
                community, "too_long", most=self.left(community, settings.max_duration)
            )
        per_member = settings.entries_per_member if entries is None else entries
        if not 1 <= per_member <= settings.max_entries_per_member:
            raise self.refuse(community, "entries_range", most=settings.max_entries_per_member)
        title = plain(title, MAX_TITLE + 1)
        if not title or len(title) > MAX_TITLE:
            raise self.refuse(community, "text_too_long", most=MAX_TITLE)
        description = visible(description).strip()
        if len(description) > MAX_DESCRIPTION:
            raise self.refuse(community, "text_too_long", most=MAX_DESCRIPTION)
        where = (
            channel
            or await self.announce_channel(community, settings.channel, ctx.channel)
            or ctx.channel
        )
        contest = Contest(
            community_id=await self.community_id(community),
            title=title,
            description=description,
            channel_id=where.id,
            channel_name=where.name,
            created_by=ctx.member.user.id,
            starts_at=opens,
            ends_at=ends,
            entries_per_member=per_member,
            winners=settings.winners,
        )
        contest = await self.store_contest(contest)
        await self.begin(community, contest)
        await ctx.reply(
            render(
                self.texts(community).created,
                id=contest.id,
                title=contest.title,
                start=self.when(community, opens),
                end=self.when(community, ends),
                channel=where.name or where.id,
            )
        )

    async def store_contest(self, contest: Contest) -> Contest:
        """Insert ``contest`` and return it with its id."""
        async with self.core.db.session() as session:
            session.add(contest)
            await session.commit()
            await session.refresh(contest)
        return contest

    async def begin(self, community: CommunityRef, contest: Contest) -> None:
        """Schedule a new contest's phases, and open it now if it starts now."""
        assert contest.id is not None
        self.schedule_phases(community, contest, self.settings(community).contests.remind_before)
        if contest.starts_at <= self.core.clock.now():
            await self.open_now(community, contest)

    @command(
        names={"fr": "concours_liste"},
        descriptions={"fr": "Lister les concours ouverts et à venir"},
        helps={"fr": """Lister les concours ouverts et à venir de cette communauté."""},
    )
    async def contest_list(self, ctx: CommandContext) -> None:
        """List the open and upcoming contests of this community."""
        community = ctx.community
        texts = self.texts(community)
        now = self.core.clock.now()
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            contests = (
                await session.exec(
                    select(Contest)
                    .where(
                        col(Contest.community_id) == community_id,
                        col(Contest.closed_at).is_(None),
                        col(Contest.cancelled_at).is_(None),
                        col(Contest.ends_at) > now,
                    )
                    .order_by(col(Contest.starts_at), col(Contest.id))
                    .limit(LISTED)
                )
            ).all()
        listed = []
        for contest in contests:
            upcoming = contest.starts_at > now
            line = render(
                texts.list_upcoming if upcoming else texts.list_open,
                id=contest.id,
                title=full_title(contest),
                when=self.when(community, contest.starts_at if upcoming else contest.ends_at),
            )
            listed.append((contest.starts_at, line))
        # A challenge's next run becomes a contest only when it opens: it is listed before.
        listed += await self.coming_challenges(community)
        if not listed:
            await ctx.reply(render(texts.list_empty))
            return
        listed.sort(key=lambda item: item[0])
        lines = [render(texts.list_header), *(line for _, line in listed[:LISTED])]
        await ctx.reply("\n".join(lines))

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "concours_annuler"},
        descriptions={"fr": "Annuler un concours (rien n'est annoncé ensuite)"},
        helps={
            "fr": """Annuler un concours non clos ; ses étapes restantes ne sont pas annoncées."""
        },
    )
    async def contest_cancel(
        self,
        ctx: CommandContext,
        id: Annotated[
            int,
            "The contest's number, from /contest_list",
            {"fr": "Le numéro du concours, donné par /concours_liste"},
        ],
    ) -> None:
        """Cancel a contest that has not closed yet; its remaining phases are not announced."""
        community = ctx.community
        contest = await self.find_contest(community, id)
        self._refuse_unless_running(community, contest)
        # Held from the claim to the mark: a reload meanwhile does not report it as lost.
        with announcing(phase_job_id(id, "cancel")):
            await self._cancel(community, contest)
        await ctx.reply(render(self.texts(community).cancel_done, id=id))

    async def _cancel(self, community: CommunityRef, contest: Contest) -> None:
        """Claim ``contest`` as cancelled, post so if members saw it open, and record that
        the cancellation was announced: one claimed and never recorded so is reported at the
        next start (:meth:`~cogs.contests.phases.Phases.lost_announcements`)."""
        assert contest.id is not None
        id = contest.id
        now = self.core.clock.now()
        async with self.core.db.session() as session:
            # Claimed as the close claims: a close (or another cancel) that came first since
            # the contest was read wins, and this cancel announces nothing.
            claimed = await session.exec(
                update(Contest)
                .where(
                    col(Contest.id) == id,
                    col(Contest.closed_at).is_(None),
                    col(Contest.cancelled_at).is_(None),
                )
                .values(cancelled_at=now)
            )
            # Read in the claim's transaction: an opening claimed before it is seen, none can
            # be claimed after it, and a failure here leaves the contest running, not cancelled
            # with its members never told.
            opened_at = (
                await session.exec(select(Contest.opened_at).where(col(Contest.id) == id))
            ).one()
            await session.commit()
        if claimed.rowcount != 1:
            self._refuse_unless_running(community, await self.find_contest(community, id))
            raise RuntimeError(f"contest {id} reads as running but could not be cancelled")
        self.cancel_phases(id)
        async with self.posting_about(id):
            # After an opening claimed before this cancel is posted: members who saw the
            # contest open must see it cancelled, below.
            if opened_at is not None:
                await self.actions.send(
                    self.contest_channel(community, contest),
                    render(self.texts(community).cancelled, id=id, title=full_title(contest)),
                )
            try:
                await self.announced(Contest, id, "cancel_announced_at")
            except Exception:
                # Cancelled and posted all the same: the record is owed, written at the next
                # reload (see ``marks_owed``), and the moderator is told it is done.
                self.log.warning(
                    "the cancellation of contest %s could not be recorded as posted",
                    id,
                    exc_info=True,
                )

    def _refuse_unless_running(self, community: CommunityRef, contest: Contest) -> None:
        """Refuse to cancel ``contest`` if it was cancelled or has closed."""
        if contest.cancelled_at is not None:
            raise self.refuse(community, "was_cancelled", id=contest.id)
        if contest.closed_at is not None:
            raise self.refuse(
                community,
                "already_closed",
                id=contest.id,
                end=self.when(community, contest.ends_at),
            )

    @command(
        names={"fr": "concours_resultats"},
        descriptions={"fr": "Afficher les résultats d'un concours terminé"},
        helps={
            "fr": """Afficher les résultats d'un concours clos : gagnants et nombre de votes."""
        },
    )
    async def contest_results(
        self,
        ctx: CommandContext,
        id: Annotated[int, "The contest's number", {"fr": "Le numéro du concours"}],
    ) -> None:
        """Show the results of a contest that has closed: winners and vote counts."""
        community = ctx.community
        contest = await self.find_contest(community, id)
        if contest.cancelled_at is not None:
            raise self.refuse(community, "was_cancelled", id=id)
        if contest.closed_at is None and self.core.clock.now() < contest.ends_at:
            raise self.refuse(
                community, "still_open", id=id, end=self.when(community, contest.ends_at)
            )
        if contest.last_entry_number and not await self.count_entries(id):
            await ctx.reply(await self._forgotten_results(community, contest))
            return
        outcome = await self.outcome(community, contest)
        await ctx.reply(self.results_text(community, contest, outcome))

    async def _forgotten_results(self, community: CommunityRef, contest: Contest) -> str:
        """The results of a contest whose entries are gone (the retention forgot them, or each
        author had theirs erased): that they are, and its winners as the hall of fame keeps
        them."""
        texts = self.texts(community)
        async with self.core.db.session() as session:
            wins = (
                await session.exec(
                    select(Win)
                    .where(col(Win.kind) == "contest", col(Win.ref_id) == contest.id)
                    .order_by(col(Win.rank))
                )
            ).all()
        lines = [
            render(
                texts.results_forgotten,
                id=contest.id,
                title=full_title(contest),
                end=self.when(community, contest.closed_at or contest.ends_at),
            )
        ]
        lines += [
            render(
                texts.results_forgotten_line,
                rank=win.rank,
                member=name_text(win.user_name or win.user_id),
                votes=win.votes if win.votes is not None else "—",
            )
            for win in wins
        ]
        return "\n".join(lines)


async def export_contests(
    session: AsyncSession, community_id: int, user_id: str
) -> dict[str, Any]:
    """The export's parts about contests: those ``user_id`` created in the community, the
    closed ones that left them out for having left, and those that do not count their vote
    for their being banned while it ran (``closed_at`` None: still running)."""
    created = (
        await session.exec(
            select(Contest.id).where(
                col(Contest.community_id) == community_id, col(Contest.created_by) == user_id
            )
        )
    ).all()
    return {
        "contests_created": list(created),
        "left_out_of_contests": [
            {
                "contest": contest.id,
                "title": full_title(contest),
                "closed_at": contest.closed_at.isoformat() if contest.closed_at else None,
            }
            for contest in await contests_excluding(session, community_id, user_id)
        ],
        "votes_not_counted": [
            {
                "contest": contest.id,
                "title": full_title(contest),
                "closed_at": contest.closed_at.isoformat() if contest.closed_at else None,
            }
            for contest in await contests_not_counting(session, community_id, user_id)
        ],
    }


async def contests_excluding(
    session: AsyncSession, community_id: int, user_id: str
) -> list[Contest]:
    """The community's closed contests that left ``user_id`` out for having left, in the order
    they were made."""
    return await _contests_naming(session, community_id, user_id, "excluded_ids")


async def contests_not_counting(
    session: AsyncSession, community_id: int, user_id: str
) -> list[Contest]:
    """The community's contests that do not count ``user_id``'s vote, as a voter banned while
    they ran, in the order they were made."""
    return await _contests_naming(session, community_id, user_id, "banned_voter_ids")


async def _contests_naming(
    session: AsyncSession, community_id: int, user_id: str, ids: str
) -> list[Contest]:
    """The community's contests whose list of ids ``ids`` (a column) names ``user_id``, in the
    order they were made (the substring search narrows, the list decides)."""
    contests = await session.exec(
        select(Contest)
        .where(
            col(Contest.community_id) == community_id,
            col(getattr(Contest, ids)).contains(user_id, autoescape=True),
        )
        .order_by(col(Contest.id))
    )
    return [contest for contest in contests if user_id in id_set(getattr(contest, ids) or "")]


async def erase_contests(session: AsyncSession, community_id: int, user_id: str) -> None:
    """Take ``user_id`` out of those the community's closes left out for having left, and of
    the banned voters whose votes were not counted, and off the contests they created: those
    stay, with no one named as creator."""
    for contest in await contests_excluding(session, community_id, user_id):
        contest.excluded_ids = id_lines(id_set(contest.excluded_ids or "") - {user_id})
        session.add(contest)
    banned_in = await session.exec(
        select(Contest).where(
            col(Contest.community_id) == community_id,
            col(Contest.banned_voter_ids).contains(user_id, autoescape=True),
        )
    )
    for contest in banned_in:
        # Their votes go with the rest of their data: no record of them is left either.
        contest.banned_voter_ids = id_lines(id_set(contest.banned_voter_ids or "") - {user_id})
        session.add(contest)
    await session.exec(
        update(Contest)
        .where(col(Contest.community_id) == community_id, col(Contest.created_by) == user_id)
        .values(created_by="")
    )
