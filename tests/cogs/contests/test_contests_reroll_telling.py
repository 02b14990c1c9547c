"""``/giveaway_reroll`` while the first draw of the same giveaway is still telling its wins to
the other cogs (the wins-telling guard is held per giveaway): each winner, first drawn or
rerolled, is told once, whatever a reload does meanwhile."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from cogs.contests import base
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.test_contests_reload_race import (
    Gate,
    all_told,
    held_while_told,
    start_giveaway,
    wins_told,
)


async def test_a_reroll_while_the_draw_tells_its_winner_is_told_once_and_so_is_the_draw(
    arena: Arena,
) -> None:
    await start_giveaway(arena, winners=1)
    gate = Gate()
    held_while_told(arena, gate)
    drawing = asyncio.ensure_future(arena.wait(timedelta(days=1)))
    await asyncio.wait_for(gate.reached.wait(), timeout=10)
    assert "giveaway:1" in base.TELLING
    # The first winner is stored and being told: a moderator rerolls, a reload comes.
    answer = await arena.run("mod", "/giveaway_reroll 1")
    assert await arena.core.reload_rules() is None
    gate.opened.set()
    await drawing
    assert answer == "Giveaway 1 drawn again; the result is in #general."
    assert "giveaway:1" not in base.TELLING

    told = wins_told(arena)
    assert sorted(place for _, _, place in told) == [1, 2]
    assert len({member for member, _, _ in told}) == 2  # two winners, each told once
    assert all(what == "giveaway:1" for _, what, _ in told)
    assert await all_told(arena)
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(days=1))
    assert sorted(wins_told(arena)) == sorted(told)
