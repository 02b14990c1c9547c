"""The hall of fame: ``/hall_of_fame`` lists the latest contest winners and who won most."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.commands import CommandContext, command
from bot.localtime import LocalDate
from bot.ruleconf import render
from cogs.contests.base import ContestsBase, name_text, plain
from cogs.contests.models import Win

LATEST = 10
TOP = 5


class HallOfFame(ContestsBase):
    """Past winners of contests and challenges."""

    @command(
        names={"fr": "palmares"},
        descriptions={"fr": "Afficher les derniers gagnants des concours"},
        helps={
            "fr": """Afficher les derniers gagnants des concours et défis, et les plus titrés."""
        },
    )
    async def hall_of_fame(self, ctx: CommandContext) -> None:
        """Show the latest winners of contests and challenges, and who won most often."""
        community = ctx.community
        texts = self.texts(community)
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            wins = (
                await session.exec(
                    select(Win)
                    .where(col(Win.community_id) == community_id, col(Win.kind) == "contest")
                    .order_by(col(Win.won_at).desc(), col(Win.ref_id).desc(), col(Win.rank))
                )
            ).all()
        if not wins:
            await ctx.reply(render(texts.hall_empty))
            return
        lines = [render(texts.hall_header)]
        zone = self.zone(community)
        for win in wins[:LATEST]:
            lines.append(
                render(
                    texts.hall_line,
                    when=LocalDate(win.won_at.astimezone(zone).date()),
                    title=plain(win.title, 80),
                    member=name_text(win.user_name or win.user_id),
                    rank=win.rank,
                    votes=win.votes if win.votes is not None else "—",
                )
            )
        names = {win.user_id: win.user_name or win.user_id for win in wins}
        firsts = Counter(win.user_id for win in wins if win.rank == 1)
        if firsts:
            top = ", ".join(
                f"{name_text(names[user])} ×{count}"
                for user, count in sorted(firsts.items(), key=lambda item: (-item[1], item[0]))[
                    :TOP
                ]
            )
            lines.append(render(texts.hall_totals, members=top))
        await ctx.reply("\n".join(lines))


async def export_wins(session: AsyncSession, community_id: int, user_id: str) -> dict[str, Any]:
    """The export's part about wins: the contests, challenges and giveaways ``user_id`` won in
    the community."""
    wins = (
        await session.exec(
            select(Win).where(col(Win.community_id) == community_id, col(Win.user_id) == user_id)
        )
    ).all()
    return {
        "wins": [
            {
                "kind": win.kind,
                "id": win.ref_id,
                "title": win.title,
                "rank": win.rank,
                "won_at": win.won_at.isoformat(),
            }
            for win in wins
        ]
    }


async def erase_wins(session: AsyncSession, community_id: int, user_id: str) -> None:
    """Delete the places ``user_id`` won in the community's contests, challenges and
    giveaways."""
    await session.exec(
        delete(Win).where(col(Win.community_id) == community_id, col(Win.user_id) == user_id)
    )
