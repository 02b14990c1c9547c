"""Reputation: the channels not looked at are matched ignoring case, as elsewhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.core import Jardinier
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.rulebook import edit_section

DAY = date(2026, 11, 2)


async def test_ignored_channels_are_matched_ignoring_case_as_elsewhere(
    newsroom: Newsroom, rules_dir: Path, core: Jardinier
) -> None:
    # The netiquette's and the welcome's channel lists ignore case; Discord lowercases channel
    # names, Telegram topics keep theirs.
    edit_section(rules_dir, "reputation", {"ignore_channels": ["Bot-Test"]})
    assert await core.reload_rules() is None
    await newsroom.say("alice", "Jardinier test", channel="bot-test")
    await newsroom.say("alice", "Jardinier is great", channel="general")

    assert await newsroom.days() == {DAY: (1, 1, 0)}
