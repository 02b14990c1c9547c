"""Two moderators rerolling one giveaway at the same time draw one after the other: the second
leaves out whom the first drew, as rerolls one after another do."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.cogs.contests.arena import Arena
from tests.cogs.contests.test_contests_departures import drawn_names, giveaway_entered_by


async def test_two_rerolls_at_once_never_draw_the_same_member(arena: Arena) -> None:
    arena.cog.seeds = lambda: "same"  # the same seed would draw the same member twice
    await giveaway_entered_by(arena, ("alice", "bob", "carol", "dave"), winners=1)
    await arena.wait(timedelta(days=1))
    [first] = drawn_names(arena.posted("congratulations")[0].text)

    await asyncio.gather(
        arena.run("mod", "/giveaway_reroll 1"), arena.run("mod", "/giveaway_reroll 1")
    )

    rerolls = arena.posted("new draw")
    drawn = [name for reroll in rerolls for name in drawn_names(reroll.text)]
    assert len(drawn) == 2
    assert len({first, *drawn}) == 3
