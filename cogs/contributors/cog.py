"""The contributors cog: who creates value for everyone, and who makes others engage.

``/top`` ranks members by a score that rewards value over volume, ``/influencers`` by PageRank
over the interaction graph, ``/profile`` explains one member's score; a weekly shout-out
celebrates the top contributors, the most influential member and the best rising newcomer.
Counters are buffered and written in one transaction per interval (see ``buffer.py``); every
answer flushes first, so it is exact.
"""

from __future__ import annotations

from typing import Annotated, Any

from bot.commands import ChoiceNames, CommandContext, command
from bot.errors import JardinierError
from bot.events import CommunityRef, MemberRef, UserRef
from bot.ruleconf import percent_text, plain_name, render
from cogs.contributors.base import shown, shown_share
from cogs.contributors.counting import Counting
from cogs.contributors.influence import InfluenceConvergenceError
from cogs.contributors.scoring import COMPONENTS, Window, leading, places, standing
from cogs.contributors.shoutout import Shoutout

WindowOption = Annotated[
    Window,
    "7d, 30d or all (default 7d)",
    {"fr": "7j, 30j ou tout (7j par défaut)"},
    ChoiceNames({"fr": {"7d": "7j", "30d": "30j", "all": "tout"}}),
]


class ContributorsCog(Counting, Shoutout):
    """Values the members who contribute, and finds those who make others engage."""

    @command(
        names={"fr": "classement"},
        descriptions={"fr": "Les 10 membres qui apportent le plus à la communauté"},
        helps={
            "fr": """Afficher les meilleurs contributeurs et la principale raison de chaque score.

            Le score récompense la valeur, pas le volume : les messages substantiels (dans la
            limite d'un plafond par minute et d'un plafond par jour), les réponses, réactions et
            remerciements reçus d'autres membres, les présentations et les victoires aux
            concours.
            Exemple : /classement 30j
            """
        },
    )
    async def top(self, ctx: CommandContext, window: WindowOption = "7d") -> None:
        """Show the top contributors, with the main reason of each score.

        The score rewards value, not volume: substantial messages (within a per-minute and a
        daily cap), replies, reactions and thanks received from other members, introductions
        and contest wins. Example: /top 30d
        """
        community = ctx.community
        self.ensure_shoutout(community)
        texts = self.texts(community)
        label = self.window_label(community, window)
        await self.flush()
        ranked = await self.standings(community, self.span(community, window))
        size = self.settings(community).top_size
        standings = leading(ranked, [shown(item.score) for item in ranked], size)
        if not standings:
            await ctx.reply(render(texts.top_empty, window=label))
            return
        names = await self.names(community, [item.user_id for item in standings])
        lines = [render(texts.top_header, window=label)]
        ranks = places([shown(item.score) for item in standings])
        for rank, item in zip(ranks, standings, strict=True):
            lines.append(
                render(
                    texts.top_line,
                    rank=rank,
                    member=names[item.user_id],
                    score=shown(item.score),
                    reason=self.reason(community, item, item.main_reason),
                )
            )
        await ctx.reply("\n".join(lines))

    @command(
        names={"fr": "influenceurs"},
        descriptions={"fr": "Les membres dont les messages font réagir les autres"},
        helps={
            "fr": """Afficher les membres qui font réagir les autres (PageRank des interactions).

            Réponses, remerciements, mentions et réactions sont des liens d'un membre vers un
            autre ; un membre obtient un rang élevé quand de nombreux membres, eux-mêmes objets
            d'interactions, lui répondent et le remercient.
            Exemple : /influenceurs tout
            """
        },
    )
    async def influencers(self, ctx: CommandContext, window: WindowOption = "7d") -> None:
        """Show the members whose messages make others engage (PageRank of interactions).

        Replies, thanks, mentions and reactions are links from one member to another; a member
        ranks high when many members, themselves engaged with, answer and thank them.
        Example: /influencers all
        """
        community = ctx.community
        texts = self.texts(community)
        label = self.window_label(community, window)
        await self.flush()
        try:
            ranked = await self.influence_of(community, self.span(community, window))
        except InfluenceConvergenceError as error:
            # What to change is the operator's business; the member is told it is in hand.
            await self.tell_influence_unavailable(community, error)
            await ctx.reply(render(texts.influencers_unavailable))
            return
        size = self.settings(community).top_size
        found = leading(ranked, [shown_share(item.rank) for item in ranked], size)
        if not found:
            await ctx.reply(render(texts.influencers_empty, window=label))
            return
        names = await self.names(community, [item.user_id for item in found])
        locale = self.core.community_config(community).locale
        lines = [render(texts.influencers_header, window=label)]
        ranks = places([shown_share(item.rank) for item in found])
        for rank, item in zip(ranks, found, strict=True):
            lines.append(
                render(
                    texts.influencers_line,
                    rank=rank,
                    member=names[item.user_id],
                    influence=percent_text(item.rank, locale, digits=1),
                    members=item.engaged,
                )
            )
        await ctx.reply("\n".join(lines))

    @command(
        names={"fr": "profil"},
        descriptions={"fr": "Le détail du score d'un membre, son rang et sa tendance"},
        helps={
            "fr": """Afficher le score d'un membre : sa composition, son rang et sa tendance.

            La tendance se mesure par rapport à la période juste avant (les 7 jours qui
            précèdent les 7 derniers jours).
            Exemple : /profil @carol 30j
            """
        },
    )
    async def profile(
        self,
        ctx: CommandContext,
        member: Annotated[
            MemberRef | None,
            "Whose profile (default: yours)",
            {"fr": "Le membre dont voir le profil (par défaut : vous)"},
        ] = None,
        window: WindowOption = "7d",
    ) -> None:
        """Show a member's score: what it is made of, their rank, and the trend.

        The trend compares with the window just before (the 7 days before the last 7 days).
        Example: /profile @carol 30d
        """
        community = ctx.community
        texts = self.texts(community)
        target = member or ctx.member
        user_id = target.user.id
        # As every text writes a member's name: on one line, bounded, never a live link.
        name = (
            plain_name(target.user.name)
            if target.user.name
            else (await self.names(community, [user_id]))[user_id]
        )
        label = self.window_label(community, window)
        if user_id in await self.optouts.of(community):
            await ctx.reply(render(texts.profile_opted_out, member=name))
            return
        await self.flush()
        current = self.span(community, window)
        # A member who left still has their profile, ranked among those still here.
        standings = await self.standings(community, current, asked=user_id)
        ranks = places([shown(item.score) for item in standings])
        ranked = next(
            (
                (rank, item)
                for rank, item in zip(ranks, standings, strict=True)
                if item.user_id == user_id
            ),
            None,
        )
        if ranked is None:
            await ctx.reply(render(texts.profile_unranked, member=name, window=label))
            return
        rank, item = ranked
        lines = [
            render(
                texts.profile_header,
                member=name,
                window=label,
                score=shown(item.score),
                rank=f"{rank}/{len(standings)}",
            )
        ]
        for component in COMPONENTS:
            points = item.points.get(component, 0.0)
            if points > 0:
                lines.append(
                    render(
                        texts.profile_line,
                        reason=self.reason(community, item, component),
                        points=shown(points),
                    )
                )
        previous_span = current.previous()
        if previous_span is not None:
            earlier = (await self.tallies(community, previous_span)).get(user_id)
            weights = self.settings(community).scoring
            previous = standing(user_id, earlier, weights).score if earlier else 0.0
            change = item.score - previous
            if change > 0:
                trend = render(
                    texts.profile_trend_up, previous=shown(previous), change=shown(change)
                )
            elif change < 0:
                trend = render(
                    texts.profile_trend_down, previous=shown(previous), change=shown(-change)
                )
            else:
                trend = render(texts.profile_trend_flat, previous=shown(previous))
            lines.append(trend)
        await ctx.reply("\n".join(lines))

    @command(
        names={"fr": "contributeurs_retrait"},
        descriptions={"fr": "Ne plus être compté·e dans les scores et classements"},
        helps={
            "fr": """Ne plus être noté·e, classé·e ni mis·e en avant ; vos compteurs sont effacés.

            /contributeurs_retour vous compte de nouveau, à partir de ce moment-là.
            """
        },
    )
    async def contributors_optout(self, ctx: CommandContext) -> None:
        """Stop being scored, ranked and shouted out; your counters are erased.

        /contributors_optin counts you again, from then on.
        """
        texts = self.texts(ctx.community)
        user = ctx.member.user
        if not await self.optouts.add(ctx.community, user.id, self.core.clock.now()):
            raise JardinierError(render(texts.already_opted_out))
        await self.erase(ctx.community, user.id, keep_cases=True)
        await self.take_back_role(ctx.community, user.id)
        await ctx.reply(render(texts.opted_out))

    @command(
        names={"fr": "contributeurs_retour"},
        descriptions={"fr": "Être de nouveau compté·e dans les scores et classements"},
        helps={
            "fr": """Être de nouveau compté·e et classé·e (après /contributeurs_retrait).

            Vos contributions comptent de nouveau à partir de maintenant.
            """
        },
    )
    async def contributors_optin(self, ctx: CommandContext) -> None:
        """Be scored and ranked again (after /contributors_optout), from now on."""
        texts = self.texts(ctx.community)
        if not await self.optouts.remove(ctx.community, ctx.member.user.id):
            raise JardinierError(render(texts.already_opted_in))
        await ctx.reply(render(texts.opted_in))

    # -- members' data --------------------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The member's daily counters and interactions (no texts are kept), and opt-out."""
        stored = await self.stored(community, user.id)
        opted_out = user.id in await self.optouts.of(community)
        if not stored["daily"] and not stored["interactions"] and not opted_out:
            return {}
        return {"contributions": {**stored, "opted_out": opted_out}}

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the member's counters and interactions (and their opt-out); the reward role
        goes with them."""
        await self.erase(community, user.id)
        await self.optouts.remove(community, user.id)
        await self.take_back_role(community, user.id, forget=True, name=user.name)
