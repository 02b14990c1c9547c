"""The suggestions cog: members suggest and vote; moderators answer; leadership reads a digest.

``/suggest`` posts a numbered suggestion in the suggestions channel with 👍 / 👎 buttons (or
reactions where the platform has no buttons); one vote per member, a second press changes or
withdraws it. ``/suggestion`` sets a status and tells the author. A near-duplicate of an open
suggestion is pointed to it instead. The digest lives in ``digest.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from bot.bus import Priority
from bot.cog import listener
from bot.commands import ChoiceNames, CommandContext, Permission, Text, command
from bot.emojis import emoji_key
from bot.errors import JardinierError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommunityRef,
    CommunitySeen,
    MemberRef,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
    ReactionVoted,
    UserRef,
)
from bot.platform import Button, Capability
from bot.ruleconf import has_words, one_line, plain_name, render
from cogs.suggestions.base import shorten
from cogs.suggestions.digest import Digest
from cogs.suggestions.models import Suggestion
from cogs.suggestions.records import OPEN_STATUSES, VoteMode
from cogs.suggestions.similarity import closest

UP, DOWN = "👍", "👎"
VOTES = {"up": 1, "down": -1}
EMOJI_VOTES = {UP: 1, DOWN: -1}
Status = Literal["accepted", "planned", "declined", "done"]
MAX_COMMENT = 1000
"""Characters of a moderator's comment (what the table keeps)."""


def button_id(number: int, direction: str) -> str:
    """``suggestion:<n>:up`` or ``suggestion:<n>:down``."""
    return f"suggestion:{number}:{direction}"


class SuggestionsCog(Digest):
    """Collects members' suggestions and their votes, and relays them to leadership."""

    @command(
        names={"fr": "suggerer"},
        descriptions={"fr": "Proposer une idée ; les membres votent pour ou contre"},
        helps={
            "fr": """Proposer quelque chose à la communauté et à sa direction.

            La suggestion est numérotée et publiée dans le salon des suggestions, où les membres
            votent 👍 ou 👎 (un vote chacun). Si une suggestion ouverte dit déjà presque la même
            chose, vous y êtes renvoyé·e à la place.
            Exemple : /suggerer Un troc de graines mensuel
            """
        },
    )
    async def suggest(
        self,
        ctx: CommandContext,
        text: Annotated[Text, "Your suggestion", {"fr": "Votre suggestion"}],
    ) -> None:
        """Suggest something to the community and its leadership.

        The suggestion is numbered and posted in the suggestions channel, where members vote
        👍 or 👎 (one vote each). If an open suggestion already says nearly the same, you are
        pointed to it instead. Example: /suggest A monthly seed swap
        """
        community = ctx.community
        self.ensure_digest(community)
        config = self.settings(community)
        texts = self.texts(community)
        # Invisible characters are no text: eleven zero-width spaces are not a suggestion.
        wanted = one_line(text)
        if len(wanted) < config.min_length:
            raise JardinierError(render(texts.too_short, min=config.min_length))
        if not has_words(wanted):
            raise JardinierError(render(texts.no_words))
        wanted = wanted[: config.max_length]
        channel = await self.core.resolve_channel(community, config.channel)
        if channel is None:
            raise JardinierError(render(texts.no_channel, channel=config.channel))
        community_id = await self.core.members.community_id(community)
        async with self.suggesting.holding(community_id):
            alive = await self.book.alive(community_id)
            twin = closest(
                wanted, [(item, item.text) for item in alive], config.duplicate_similarity
            )
            if twin is not None:
                await ctx.reply(
                    render(
                        texts.duplicate,
                        number=twin.number,
                        text=shorten(twin.text),
                        status=self.status_label(community, twin.status),
                    )
                )
                return
            suggestion = await self.book.create(
                community_id,
                author_id=ctx.member.user.id,
                author_name=ctx.member.name,
                text=wanted,
                at=self.core.clock.now(),
            )
            assert suggestion.id is not None
            buttons = [
                Button(button_id(suggestion.number, "up"), render(texts.button_up)),
                Button(button_id(suggestion.number, "down"), render(texts.button_down)),
            ]
            with_buttons = self.actions.can(community.platform, Capability.BUTTONS)
            post = await self.actions.send(
                channel,
                render(
                    texts.posted,
                    number=suggestion.number,
                    member=plain_name(ctx.member.name) or "?",
                    text=wanted,
                ),
                buttons=buttons if with_buttons else (),
            )
            where = (channel.name or channel.id).lstrip("#")
            if post is None:
                # Nobody can see or vote on it: not kept, so that no one is pointed to it. The
                # mod-log has the platform's reason; the number stays taken.
                await self.book.discard(suggestion.id)
                raise JardinierError(render(texts.not_posted, channel=where))
            await self.book.posted(suggestion.id, post.channel.id, post.id)
        if not with_buttons:
            for emoji in (UP, DOWN):
                await self.actions.react(post, emoji)
        await ctx.reply(
            render(
                texts.thanks,
                number=suggestion.number,
                channel=where,
            )
        )

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "suggestion_statut"},
        descriptions={"fr": "Donner un statut à une suggestion ; son auteur est prévenu"},
        helps={
            "fr": """Donner un statut à une suggestion ; son auteur est prévenu.

            Il reçoit un message privé ou, à défaut, un message dans le salon.
            Exemple : /suggestion_statut 3 prévue Nous commencerons au printemps
            """
        },
    )
    async def suggestion(
        self,
        ctx: CommandContext,
        number: Annotated[int, "The suggestion's number", {"fr": "Le numéro de la suggestion"}],
        status: Annotated[
            Status,
            "accepted, planned, declined or done",
            {"fr": "acceptée, prévue, refusée ou réalisée"},
            ChoiceNames(
                {
                    "fr": {
                        "accepted": "acceptée",
                        "planned": "prévue",
                        "declined": "refusée",
                        "done": "réalisée",
                    }
                },
                # Moderators write the masculine too ("le statut accepté"), as naturally.
                also={
                    "accepted": ("accepté",),
                    "planned": ("prévu",),
                    "declined": ("refusé",),
                    "done": ("réalisé",),
                },
            ),
        ],
        comment: Annotated[
            Text | None,
            "A word for the author (optional)",
            {"fr": "Un mot pour l'auteur (facultatif)"},
        ] = None,
    ) -> None:
        """Set a suggestion's status; its author is told (by direct message, else in the channel).

        Example: /suggestion 3 planned We will start in spring
        """
        community = ctx.community
        self.ensure_digest(community)
        texts = self.texts(community)
        community_id = await self.core.members.community_id(community)
        found = await self.book.get(community_id, number)
        if found is None or found.id is None:
            raise JardinierError(render(texts.unknown, number=number))
        note = one_line(comment or "") or None
        if note is not None and len(note) > MAX_COMMENT:
            raise JardinierError(
                render(texts.comment_too_long, most=MAX_COMMENT, length=len(note))
            )
        await self.book.set_status(
            found.id, status, note, self.core.clock.now(), ctx.member.user.id
        )
        told = await self._tell_author(community, found, status, note)
        await ctx.reply(
            render(
                texts.status_set if told else texts.status_set_untold,
                number=number,
                status=self.status_label(community, status),
            )
        )

    async def _tell_author(
        self, community: CommunityRef, found: Suggestion, status: str, note: str | None
    ) -> bool:
        """Tell the author the new status, privately or else in the suggestions channel;
        whether either reached them."""
        texts = self.texts(community)
        message = render(
            texts.author_told,
            number=found.number,
            status=self.status_label(community, status),
            text=shorten(found.text),
            comment=render(texts.comment, comment=note) if note else "",
        ).strip()
        author = UserRef(community.platform, found.author_id, found.author_name)
        if await self.actions.dm(author, message, community=community):
            return True
        # Direct messages refused: tell them where the suggestion lives, pinging only them.
        config = self.settings(community)
        channel = await self.core.resolve_channel(community, config.channel)
        if channel is None:
            return False
        post = None
        if found.channel_id == channel.id and found.message_id is not None:
            post = MessageRef(channel, found.message_id)
        told = render(
            texts.author_told_in_channel,
            member=plain_name(found.author_name) or "?",
            message=message,
        )
        sent = await self.actions.send(channel, told, reply_to=post, mention=[author])
        return sent is not None

    @command(
        permission=Permission.MODERATOR,
        names={"fr": "synthese"},
        descriptions={"fr": "La synthèse des suggestions pour la direction, maintenant"},
        helps={
            "fr": """Publier la synthèse : suggestions les plus votées, nouvelles, retours.

            Elle est publiée tout de suite dans le salon de la direction, avec un fichier
            Markdown joint ; vous voyez seulement où elle a été publiée. Sans salon de la
            direction, elle vous est envoyée en privé.
            """
        },
    )
    async def digest(self, ctx: CommandContext) -> None:
        """Post the leadership digest now: top suggestions by votes, new ones, feedback.

        It goes to the leadership channel, with a Markdown file attached; you are told where it
        went. With no leadership channel, it is sent to you privately instead.
        """
        community = ctx.community
        self.ensure_digest(community)
        texts = self.texts(community)
        async with self.digest_file(community, complete_days=False) as written:
            delivery, channel = await self.send_digest(community, written)
            if delivery == "posted" and channel is not None:
                where = (channel.name or channel.id).lstrip("#")
                await ctx.reply(
                    render(texts.digest_delivered, count=written.suggestions, channel=where)
                )
                return
            # Leadership has not got it: the moderator who asked gets it, privately only, since
            # on some platforms (Telegram) everyone in the channel sees a moderator's answers.
            # The file is not kept: its name is what the attachment is called.
            note = written.text + "\n" + render(texts.digest_posted, path=written.path.name)
            sent = await self.actions.dm(
                ctx.member.user, note, community=community, file=written.path
            )
        name = self.settings(community).digest.channel
        if delivery == "refused":
            why = render(texts.digest_refused, channel=name)
        elif delivery == "missing":
            why = render(texts.digest_no_channel, channel=name)
        else:
            why = render(texts.digest_unset)
        after = texts.digest_sent_privately if sent else texts.digest_not_sent_privately
        await ctx.reply(why + "\n" + render(after))

    # -- votes ----------------------------------------------------------------------------------

    @listener(ButtonPressed)
    async def button_vote(self, event: ButtonPressed) -> None:
        """👍 / 👎 buttons under a suggestion: one vote per member; pressing again withdraws.
        The member is told, privately, what became of their vote and the tallies."""
        parts = event.button_id.split(":")
        if len(parts) != 3 or parts[0] != "suggestion" or parts[2] not in VOTES:
            return
        try:
            number = int(parts[1])
        except ValueError:
            return
        community = event.community
        community_id = await self.core.members.community_id(community)
        found = await self.book.get(community_id, number)
        if found is None:
            return
        await self._vote(event.member, found, VOTES[parts[2]], "press", event.channel, True)

    @listener(ReactionAdded)
    async def reaction_vote(self, event: ReactionAdded) -> None:
        """👍 or 👎 on a suggestion's post is a vote (the other one is changed)."""
        await self._reaction(event.member, event, "set")

    @listener(ReactionRemoved)
    async def reaction_withdrawn(self, event: ReactionRemoved) -> None:
        """Taking the 👍 or 👎 back withdraws that vote."""
        await self._reaction(event.member, event, "withdraw")

    async def _reaction(
        self, member: MemberRef, event: ReactionAdded | ReactionRemoved, mode: VoteMode
    ) -> None:
        # 👍🏽 is the member's 👍: Discord's picker adds their skin tone.
        value = EMOJI_VOTES.get(emoji_key(event.emoji))
        if value is None or member.user.is_bot:
            return
        community_id = await self.core.members.community_id(event.community)
        found = await self.book.by_post(community_id, event.message.channel.id, event.message.id)
        if found is None:
            return
        if isinstance(event, ReactionAdded):
            # A vote, counted or refused, says nothing of the community's mood (reports).
            await self.publish(ReactionVoted(at=event.at, reaction=event))
        await self._vote(member, found, value, mode, event.message.channel, False)

    async def _vote(
        self,
        member: MemberRef,
        found: Suggestion,
        value: int,
        mode: VoteMode,
        channel: ChannelRef,
        answer: bool,
    ) -> None:
        community = member.community
        texts = self.texts(community)
        if member.user.is_bot or found.id is None:
            return
        if member.user.id == found.author_id:
            if answer:
                await self.actions.send(channel, render(texts.own_vote), private_to=member)
            return
        if found.status not in OPEN_STATUSES:
            if answer:
                status = self.status_label(community, found.status)
                await self.actions.send(
                    channel,
                    render(texts.closed_vote, number=found.number, status=status),
                    private_to=member,
                )
            return
        result = await self.book.vote(found.id, member.user.id, value, mode, self.core.clock.now())
        if not answer:
            return  # a reaction shows itself; answering each one would flood the channel
        if result.after == 0:
            said = texts.vote_withdrawn
        elif result.before == 0:
            said = texts.vote_counted
        else:
            said = texts.vote_changed
        shown = result.after or result.before  # the vote withdrawn is the one they had
        vote = render(texts.button_up if shown > 0 else texts.button_down)
        await self.actions.send(
            channel,
            render(said, number=found.number, vote=vote, up=result.up, down=result.down),
            private_to=member,
        )

    @listener(CommunitySeen, priority=Priority.OBSERVATION)
    async def notice_community(self, event: CommunitySeen) -> None:
        """Make sure the community's digest is scheduled once the bot hears from it."""
        self.ensure_digest(event.community)

    # -- members' data --------------------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The member's suggestions (with their text) and votes."""
        community_id = await self.core.members.community_id(community)
        found = await self.book.of_member(community_id, user.id)
        return {"suggestions": found} if found["suggestions"] or found["votes"] else {}

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the suggestions (texts, authors, comments) and votes nothing happened to
        since ``cutoff``: declined or done before it, or open, made before it and voted on by
        nobody since. Accepted and planned ones stay; the bot's posts stay in the channel."""
        community_id = await self.core.members.community_id(community)
        return await self.book.forget_before(community_id, cutoff)

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Delete the member's suggestions and votes (the tallies they were in are recounted),
        and the bot's posts of those suggestions, which showed their name and text."""
        community_id = await self.core.members.community_id(community)
        posts = await self.book.forget_member(community_id, user.id)
        if posts:
            await self.actions.delete_many(
                [
                    MessageRef(ChannelRef(community, channel_id), message_id)
                    for channel_id, message_id in posts
                ]
            )
