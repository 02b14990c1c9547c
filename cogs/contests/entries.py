"""Submissions and votes: ``/submit``, ``/vote`` and votes by reaction on an entry's message.

One vote per member per contest (a new vote moves it), never for one's own entry, and only from
members who joined long enough ago; the bot answers a vote privately (a secret ballot). A
member's submission beyond the contest's limit replaces their oldest entry, and the votes it had
are withdrawn (they were for something else: kept, they would let an entry be swapped for
another once voted for); each of those voters is told privately, and may vote again. The bot's
post of the old text is deleted. Taking a vote emoji back withdraws only a vote that emoji cast.
A member banned while a contest runs (a ban the bot recorded) has their vote in it not counted;
an unban, or the bot lifting a temporary ban when it runs out, counts it again. An entry's text
is kept without control characters, and posted quoted line by line, so that it cannot pass for
the bot's own words.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import TYPE_CHECKING, Annotated, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.bus import Priority
from bot.cog import listener
from bot.commands import CommandContext, Text, command
from bot.emojis import same_emoji
from bot.errors import JardinierError
from bot.events import (
    CommunityRef,
    MemberRef,
    MessageRef,
    ModerationLifted,
    ModerationRecorded,
    ReactionAdded,
    ReactionRemoved,
    ReactionVoted,
    UserRef,
)
from bot.ruleconf import render, visible
from cogs.contests.base import ContestsBase, id_lines, id_set, name_text, quoted
from cogs.contests.models import Contest, Entry, Vote

if TYPE_CHECKING:
    from bot.core import Jardinier

MAX_ENTRY_MESSAGES = 100_000


class Entries(ContestsBase):
    """Members submit entries and vote."""

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        # The messages that are entries' posts, loaded once (None: not yet, or too many to
        # keep): most reactions are on ordinary messages, and they then cost no query.
        self._entry_messages: set[str] | None = None
        # Entries posted so far: a load that overlapped a posting is not trusted.
        self._posted = 0
        self._too_many_entries = False
        self._numbering: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def check_open(self, community: CommunityRef, contest: Contest) -> None:
        """Refuse unless ``contest`` takes entries and votes right now."""
        now = self.core.clock.now()
        if contest.cancelled_at is not None:
            raise self.refuse(community, "was_cancelled", id=contest.id)
        if contest.closed_at is not None or now >= contest.ends_at:
            raise self.refuse(
                community,
                "already_closed",
                id=contest.id,
                end=self.when(community, contest.ends_at),
            )
        if now < contest.starts_at:
            raise self.refuse(
                community,
                "not_open_yet",
                id=contest.id,
                start=self.when(community, contest.starts_at),
            )

    # -- submissions ----------------------------------------------------------------------------

    @command(
        names={"fr": "participer"},
        descriptions={"fr": "Proposer une participation (texte ou lien) à un concours"},
        option_names={"fr": {"entry": "participation"}},
        helps={
            "fr": """Envoyer votre participation (texte ou lien) ; la nouvelle remplace l'ancienne.

            Exemple : /participer 3 https://example.org/ma-photo.jpg
            """
        },
    )
    async def submit(
        self,
        ctx: CommandContext,
        id: Annotated[int, "The contest's number", {"fr": "Le numéro du concours"}],
        entry: Annotated[
            Text,
            "Your entry: a text or a link",
            {"fr": "Votre participation : un texte ou un lien"},
        ],
    ) -> None:
        """Submit your entry to a contest (a text or a link); a new one replaces your previous.

        Example: /submit 3 https://example.org/my-photo.jpg
        """
        community = ctx.community
        contest = await self.find_contest(community, id)
        self.check_open(community, contest)
        limit = self.settings(community).contests.max_text
        text = _entry_text(entry)
        if not text or len(text) > limit:
            raise self.refuse(community, "text_too_long", most=limit)
        member = ctx.member
        now = self.core.clock.now()
        replaced_votes: int | None = None
        replaced_post: str | None = None
        replaced_voters: list[str] = []
        # Two /submit at the same moment would otherwise both take the same number.
        async with self._numbering[contest.community_id], self.core.db.session() as session:
            mine = (
                await session.exec(
                    select(Entry)
                    .where(col(Entry.contest_id) == id, col(Entry.user_id) == member.user.id)
                    .order_by(col(Entry.submitted_at), col(Entry.id))
                )
            ).all()
            if len(mine) >= contest.entries_per_member:
                row = mine[0]
                replaced_voters = list(
                    await session.exec(select(Vote.voter_id).where(col(Vote.entry_id) == row.id))
                )
                replaced_votes = len(replaced_voters)
                await session.exec(delete(Vote).where(col(Vote.entry_id) == row.id))
                row.text, row.submitted_at, row.user_name = text, now, member.name
                # The old post shows the old text: it is no longer the entry's.
                replaced_post, row.message_id = row.message_id, None
            else:
                row = Entry(
                    contest_id=id,
                    number=await _next_number(session, id),
                    user_id=member.user.id,
                    user_name=member.name,
                    text=text,
                    submitted_at=now,
                )
            session.add(row)
            await session.commit()
            await session.refresh(row)
        texts = self.texts(community)
        channel = self.contest_channel(community, contest)
        posted = await self.actions.send(
            channel,
            render(
                texts.entry_posted,
                id=id,
                entry=row.number,
                member=name_text(member.name),
                text=quoted(text),
                emoji=self.settings(community).voting.emoji,
            ),
        )
        if posted is not None:
            async with self.core.db.session() as session:
                row.message_id = posted.id
                session.add(row)
                await session.commit()
            self._posted += 1
            if self._entry_messages is not None:
                self._entry_messages.add(posted.id)
        if replaced_post is not None:
            if self._entry_messages is not None:
                self._entry_messages.discard(replaced_post)
            await self.actions.delete(MessageRef(channel, replaced_post))
        for voter_id in replaced_voters:
            await self.tell_vote_withdrawn(community, contest, row.number, voter_id)
        if replaced_votes is None:
            await ctx.reply(render(texts.submitted, id=id, entry=row.number))
        elif replaced_votes == 0:
            await ctx.reply(render(texts.submitted_replaced_unvoted, id=id, entry=row.number))
        else:
            await ctx.reply(
                render(texts.submitted_replaced, id=id, entry=row.number, votes=replaced_votes)
            )

    async def tell_vote_withdrawn(
        self, community: CommunityRef, contest: Contest, entry: int, voter_id: str
    ) -> None:
        """Tell ``voter_id``, privately, that the entry they voted for was replaced by its
        author and their vote withdrawn: they may vote again."""
        record = await self.core.members.get(community, voter_id)
        user = UserRef(community.platform, voter_id, record.name if record else "")
        text = render(
            self.texts(community).vote_withdrawn,
            id=contest.id,
            title=contest.title,
            entry=entry,
            end=self.when(community, contest.ends_at),
        )
        if not await self.actions.dm(user, text, community=community):
            self.log.info("voter %s could not be told their vote was withdrawn", voter_id)

    # -- votes ----------------------------------------------------------------------------------

    @command(
        names={"fr": "voter"},
        descriptions={"fr": "Voter pour une participation"},
        option_names={"fr": {"entry": "participation"}},
        helps={
            "fr": """Voter pour une participation : un vote par concours, modifiable jusqu'à la
            clôture.

            Exemple : /voter 3 2
            """
        },
    )
    async def vote(
        self,
        ctx: CommandContext,
        id: Annotated[int, "The contest's number", {"fr": "Le numéro du concours"}],
        entry: Annotated[int, "The entry's number", {"fr": "Le numéro de la participation"}],
    ) -> None:
        """Vote for an entry of a contest: one vote per contest, which you can move until the end.

        Example: /vote 3 2
        """
        contest = await self.find_contest(ctx.community, id)
        answer = await self.cast(ctx.member, contest, entry)
        # Private, as a vote by reaction is answered: who voted for what is nobody's business.
        await ctx.reply(answer, private=True)

    async def cast(
        self, member: MemberRef, contest: Contest, number: int, *, by_reaction: bool = False
    ) -> str:
        """Record ``member``'s vote for entry ``number``; return the answer, or refuse.

        ``by_reaction``: cast with the vote emoji, so taking the emoji back withdraws it.
        """
        community = member.community
        assert contest.id is not None
        self.check_open(community, contest)
        texts = self.texts(community)
        async with self.core.db.session() as session:
            target = (
                await session.exec(
                    select(Entry).where(
                        col(Entry.contest_id) == contest.id, Entry.number == number
                    )
                )
            ).first()
        if target is None:
            raise self.refuse(community, "unknown_entry", id=contest.id, entry=number)
        if target.user_id == member.user.id:
            raise self.refuse(community, "self_vote")
        await self.check_member_age(
            community,
            member.user.id,
            self.settings(community).voting.min_member_age,
            "too_new_to_vote",
            deadline=contest.ends_at,
            too_late="too_new_to_vote_here",
            id=contest.id,
        )
        try:
            previous = await self._record_vote(member, contest, target, by_reaction)
        except IntegrityError:
            # The member's other vote (a second 👍 at the same moment) was written between
            # our read and our write: read it again, and move it.
            previous = await self._record_vote(member, contest, target, by_reaction)
        if previous is None:
            return render(texts.voted, id=contest.id, entry=number)
        return render(texts.vote_changed, id=contest.id, entry=number, previous=previous)

    async def _record_vote(
        self, member: MemberRef, contest: Contest, target: Entry, by_reaction: bool
    ) -> int | None:
        """Write ``member``'s vote for ``target``; the number of the entry it moved from."""
        now = self.core.clock.now()
        async with self.core.db.session() as session:
            current = (
                await session.exec(
                    select(Vote).where(
                        col(Vote.contest_id) == contest.id, col(Vote.voter_id) == member.user.id
                    )
                )
            ).first()
            if current is not None and current.entry_id == target.id:
                raise self.refuse(member.community, "already_voted", entry=target.number)
            previous = None
            if current is None:
                current = Vote(
                    contest_id=contest.id or 0,
                    entry_id=target.id or 0,
                    voter_id=member.user.id,
                    voted_at=now,
                    by_reaction=by_reaction,
                )
            else:
                before = await session.get(Entry, current.entry_id)
                previous = None if before is None else before.number
                current.entry_id, current.voted_at = target.id or 0, now
                current.by_reaction = by_reaction
            session.add(current)
            await session.commit()
        return previous

    async def _entry_message_ids(self) -> set[str] | None:
        if self._entry_messages is None and not self._too_many_entries:
            posted = self._posted
            async with self.core.db.session() as session:
                rows = await session.exec(
                    select(Entry.message_id)
                    .where(col(Entry.message_id).is_not(None))
                    .limit(MAX_ENTRY_MESSAGES + 1)
                )
                found = {message_id for message_id in rows if message_id is not None}
            if len(found) > MAX_ENTRY_MESSAGES:
                self._too_many_entries = True  # always ask the database then
            elif posted == self._posted and self._entry_messages is None:
                self._entry_messages = found
        return self._entry_messages

    async def _entry_of_message(self, message: MessageRef) -> Entry | None:
        known = await self._entry_message_ids()
        if known is not None and message.id not in known:
            return None
        # Telegram numbers messages per chat: another group's entry post may have this id.
        community_id = await self.community_id(message.community)
        async with self.core.db.session() as session:
            return (
                await session.exec(
                    select(Entry)
                    .join(Contest, col(Contest.id) == col(Entry.contest_id))
                    .where(
                        col(Entry.message_id) == message.id,
                        col(Contest.community_id) == community_id,
                        col(Contest.channel_id) == message.channel.id,
                    )
                )
            ).first()

    @listener(ReactionAdded, priority=Priority.NORMAL)
    async def vote_by_reaction(self, event: ReactionAdded) -> None:
        """A vote emoji on an entry's message is a vote for that entry."""
        community = event.community
        wanted = self.settings(community).voting.emoji
        if event.member.user.is_bot or not same_emoji(event.emoji, wanted):
            return
        entry = await self._entry_of_message(event.message)
        if entry is None:
            return
        # A vote, counted or refused, says nothing of the community's mood (reports).
        await self.publish(ReactionVoted(at=event.at, reaction=event))
        contest = await self.load_contest(entry.contest_id)
        if contest is None:
            return
        try:
            answer = await self.cast(event.member, contest, entry.number, by_reaction=True)
        except JardinierError as refusal:
            answer = str(refusal)
        await self.actions.send(
            event.message.channel, answer, reply_to=event.message, private_to=event.member
        )

    @listener(ModerationRecorded, priority=Priority.NORMAL)
    async def note_ban(self, event: ModerationRecorded) -> None:
        """A member banned by the bot has their votes in the community's contests still running
        not counted (spam, a ring of accounts); an unban counts them again. Contests already
        closed keep the results they announced."""
        actions = event.action.split(", ")
        if "ban" in actions:
            await self._mark_banned_voter(event.member, banned=True)
        elif "unban" in actions:
            await self._mark_banned_voter(event.member, banned=False)

    @listener(ModerationLifted, priority=Priority.NORMAL)
    async def note_ban_lifted(self, event: ModerationLifted) -> None:
        """A temporary ban the bot lifted when it ran out counts the member's votes again, as
        an /unban does, in the contests still running: the ban is over by their close."""
        if event.action == "ban":
            await self._mark_banned_voter(event.member, banned=False)

    async def _mark_banned_voter(self, member: MemberRef, *, banned: bool) -> None:
        """Leave ``member``'s votes out of the running contests of their community, or count
        them again."""
        user_id = member.user.id
        community_id = await self.community_id(member.community)
        async with self.core.db.session() as session:
            running = await session.exec(
                select(Contest).where(
                    col(Contest.community_id) == community_id,
                    col(Contest.closed_at).is_(None),
                    col(Contest.cancelled_at).is_(None),
                )
            )
            for contest in running:
                ids = id_set(contest.banned_voter_ids or "")
                ids = ids | {user_id} if banned else ids - {user_id}
                contest.banned_voter_ids = id_lines(ids) or None
                session.add(contest)
            await session.commit()

    @listener(ReactionRemoved, priority=Priority.NORMAL)
    async def unvote_by_reaction(self, event: ReactionRemoved) -> None:
        """Taking the vote emoji back withdraws the vote it cast, if it still goes to that entry.

        A vote cast with /vote stays: the emoji it refused (already voted) cast nothing.
        """
        community = event.community
        if not same_emoji(event.emoji, self.settings(community).voting.emoji):
            return
        entry = await self._entry_of_message(event.message)
        if entry is None:
            return
        contest = await self.load_contest(entry.contest_id)
        if contest is None or contest.closed_at is not None:
            return
        if self.core.clock.now() >= contest.ends_at:
            return
        async with self.core.db.session() as session:
            await session.exec(
                delete(Vote).where(
                    col(Vote.contest_id) == entry.contest_id,
                    col(Vote.voter_id) == event.member.user.id,
                    col(Vote.entry_id) == entry.id,
                    col(Vote.by_reaction),
                )
            )
            await session.commit()


async def export_entries(session: AsyncSession, community_id: int, user_id: str) -> dict[str, Any]:
    """The export's parts about entries: ``user_id``'s entries and votes in the community's
    contests."""
    entries = (
        await session.exec(
            select(Entry)
            .join(Contest, col(Contest.id) == col(Entry.contest_id))
            .where(col(Contest.community_id) == community_id, col(Entry.user_id) == user_id)
        )
    ).all()
    votes = (
        await session.exec(
            select(Vote, Entry)
            .join(Entry, col(Entry.id) == col(Vote.entry_id))
            .join(Contest, col(Contest.id) == col(Vote.contest_id))
            .where(col(Contest.community_id) == community_id, col(Vote.voter_id) == user_id)
        )
    ).all()
    return {
        "entries": [
            {
                "contest": entry.contest_id,
                "entry": entry.number,
                "text": entry.text,
                "submitted_at": entry.submitted_at.isoformat(),
            }
            for entry in entries
        ],
        "votes": [
            {
                "contest": vote.contest_id,
                "entry": entry.number,
                "voted_at": vote.voted_at.isoformat(),
            }
            for vote, entry in votes
        ],
    }


async def erase_entries(
    session: AsyncSession, community_id: int, user_id: str
) -> list[tuple[str, str]]:
    """Delete ``user_id``'s entries in the community's contests, with the votes they had, and
    their votes; returns the bot's posts of those entries (channel and message ids) to delete
    on the platform."""
    posts = (
        await session.exec(
            select(Contest.channel_id, Entry.message_id)
            .join(Contest, col(Contest.id) == col(Entry.contest_id))
            .where(
                col(Contest.community_id) == community_id,
                col(Entry.user_id) == user_id,
                col(Entry.message_id).is_not(None),
            )
        )
    ).all()
    contests = select(Contest.id).where(col(Contest.community_id) == community_id)
    mine = select(Entry.id).where(
        col(Entry.contest_id).in_(contests), col(Entry.user_id) == user_id
    )
    await session.exec(delete(Vote).where(col(Vote.entry_id).in_(mine)))
    await session.exec(
        delete(Vote).where(col(Vote.contest_id).in_(contests), col(Vote.voter_id) == user_id)
    )
    await session.exec(
        delete(Entry).where(col(Entry.contest_id).in_(contests), col(Entry.user_id) == user_id)
    )
    return [(channel_id, message_id) for channel_id, message_id in posts if message_id is not None]


async def _next_number(session: AsyncSession, contest_id: int) -> int:
    """Take the contest's next entry number in ``session``'s transaction."""
    await session.exec(
        update(Contest)
        .where(col(Contest.id) == contest_id)
        .values(last_entry_number=col(Contest.last_entry_number) + 1)
    )
    taken = await session.exec(
        select(Contest.last_entry_number).where(col(Contest.id) == contest_id)
    )
    return int(taken.one())


def _entry_text(text: str) -> str:
    """A submission as it is kept: visible characters only, no blank lines around it, and at
    most one blank line in a row."""
    lines = [line.rstrip() for line in visible(text).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()
