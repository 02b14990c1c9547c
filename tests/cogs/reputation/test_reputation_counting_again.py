"""Reputation: names listed again count from then, before anyone writes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.reputation.conftest import scored_by_stub
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section


async def test_names_listed_again_count_from_then_even_before_anyone_writes(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    await newsroom.say("alice", "Jardinier is great")  # counted from Nov 2
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.say("bob", "Is Jardinier down?")  # no name watched: counting stopped
    await newsroom.wait(timedelta(days=10))
    edit_section(rules_dir, "reputation", {"names": ["Jardinier"]})
    assert await core.reload_rules() is None

    # A moderator checks at once, before anyone writes (or a quiet week until the summary).
    answer = await newsroom.run("mod", "/reputation")

    # Nov 2 to Nov 11 were not counted: no zeros for them, no "-100%" against them.
    assert "Counted from Nov 12, 2026" in answer.text
    assert "Nov 6, 2026: 0" not in answer.text


async def test_a_quiet_community_counts_from_the_day_its_names_are_listed_again(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    await newsroom.say("alice", "Jardinier is great")  # counted from Nov 2
    edit_section(rules_dir, "reputation", {"names": []})
    assert await core.reload_rules() is None
    await newsroom.wait(timedelta(days=10))  # nobody writes while no name is watched
    edit_section(rules_dir, "reputation", {"names": ["Jardinier"]})
    assert await core.reload_rules() is None

    answer = await newsroom.run("mod", "/reputation")

    assert "Counted from Nov 12, 2026" in answer.text
    assert "-100%" not in answer.text


@pytest.mark.parametrize(
    "first_said_after",
    [
        # At 9:00 on a Monday, the summary's time: its first is due at once, missed at the start.
        pytest.param(timedelta(0), id="summary-missed-at-start"),
        pytest.param(timedelta(minutes=1), id="summary-pending-at-start"),
    ],
)
async def test_names_dropped_while_the_bot_was_down_count_from_when_listed_again(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, first_said_after: timedelta
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    platform = FakePlatform()

    async def started() -> Newsroom:
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        return Newsroom(scored_by_stub(core), platform, clock)

    first = await started()
    try:
        clock.advance(first_said_after)
        await first.say("alice", "Jardinier is great")  # counted from Nov 2
    finally:
        await first.stop()
    # While the bot is down the names are dropped; it comes back, and nobody writes.
    edit_section(rules_dir, "reputation", {"names": []})
    clock.advance(timedelta(days=3))
    second = await started()
    try:
        await second.wait(timedelta(days=7))
        edit_section(rules_dir, "reputation", {"names": ["Jardinier"]})
        assert await second.core.reload_rules() is None

        answer = await second.run("mod", "/reputation")

        assert "Counted from Nov 12, 2026" in answer.text
        assert "-100%" not in answer.text
    finally:
        await second.stop()
