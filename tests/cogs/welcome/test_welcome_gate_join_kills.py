"""A newcomer held at the charter gate whose join the process dies in (as they are restricted,
or as their welcome is posted) still has a timeout after the restart: removed when it runs out,
never held (restricted) for ever."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.cogs.welcome.garden import GardenFactory
from tests.cogs.welcome.test_welcome_gate_restarts import DyingAfter, gated, kicked
from tests.test_scheduler_catchup import Crash, killed


@pytest.mark.parametrize(("action", "where"), [("restrict", ""), ("send", "#general")])
async def test_a_newcomer_whose_join_the_process_died_in_is_removed_at_their_timeout(
    open_garden: GardenFactory, tmp_path: Path, action: str, where: str
) -> None:
    database = tmp_path / "garden.db"
    platform = DyingAfter()
    first = await gated(open_garden, database, platform)
    platform.dying, platform.dying_in = action, where
    with pytest.raises(Crash):
        await first.join("spambot")
    assert [held.target.name for held in first.done("restrict")] == ["spambot"]
    await killed(first.core.scheduler)
    await first.stop()

    second = await gated(open_garden, database)
    await second.wait(timedelta(minutes=6))
    assert kicked(second) == ["spambot"]
    await second.stop()
