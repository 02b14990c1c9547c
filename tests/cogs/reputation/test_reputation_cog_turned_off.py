"""The reputation cog turned off for a community watches no name there either: its counting
starts again from the day it is turned on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core import Jardinier
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.rulebook import enable_only


async def test_a_community_the_cog_was_off_for_counts_from_when_it_is_turned_on(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    """Regression of 8bcb531: rules_applied remembers a first day counted in a community the
    cog does not serve (nothing is counted there)."""
    enable_only(rules_dir, "netiquette")  # reputation off (the cog stays loaded)
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier is great")  # seen, not counted: the cog is off
    assert await core.reload_rules() is None  # any reload (a typo fixed elsewhere)
    await newsroom.wait(timedelta(days=10))
    enable_only(rules_dir, "netiquette", "reputation")
    assert await core.reload_rules() is None

    answer = await newsroom.run("mod", "/reputation")

    assert "Counted from Nov 12, 2026" in answer.text, answer.text


async def test_a_community_the_cog_was_turned_off_for_counts_again_from_when_turned_on(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    """As names dropped and listed again (test_reputation_counting_again), with the cog
    turned off and on."""
    await newsroom.say("alice", "Jardinier is great")  # counted from Nov 2
    enable_only(rules_dir, "netiquette")
    assert await core.reload_rules() is None
    await newsroom.say("bob", "Is Jardinier down?")  # not counted: the cog is off
    await newsroom.wait(timedelta(days=10))
    enable_only(rules_dir, "netiquette", "reputation")
    assert await core.reload_rules() is None

    answer = await newsroom.run("mod", "/reputation")

    assert "Counted from Nov 12, 2026" in answer.text, answer.text
    assert "-100%" not in answer.text, answer.text
