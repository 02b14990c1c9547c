"""Reputation: a summary turned off while the bot was down is not reported missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.reputation.conftest import scored_by_stub
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section


async def test_a_summary_turned_off_while_the_bot_was_down_is_not_reported_missed(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    platform = FakePlatform()

    async def started() -> Newsroom:
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        return Newsroom(scored_by_stub(core), platform, clock)

    first = await started()
    try:
        await first.say("alice", "Jardinier is great")  # Monday Nov 2: next summary Nov 9
        assert first.core.scheduler.pending("reputation:summary:")
    finally:
        await first.stop()
    # While the bot is down, the operator turns the summary off; the bot comes back on
    # Monday Nov 9 at noon, three hours after the summary it no longer owes.
    edit_section(rules_dir, "reputation", {"summary": {"schedule": ""}})
    clock.set(clock.now() + timedelta(days=7, hours=3))
    second = await started()
    try:
        assert second.core.scheduler.pending("reputation:summary:") == []
        assert not [text for text in second.texts("mod-log") if "summary" in text]
    finally:
        await second.stop()


async def test_a_summary_moved_while_the_bot_was_down_runs_at_its_new_time_unreported(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    platform = FakePlatform()

    async def started() -> Newsroom:
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        return Newsroom(scored_by_stub(core), platform, clock)

    first = await started()
    try:
        await first.say("alice", "Jardinier is great")  # Monday Nov 2: next summary Nov 9
    finally:
        await first.stop()
    # While the bot is down the summary moves to Tuesdays at 10:00; the bot comes back on
    # Monday Nov 9 at noon, after the Monday summary the rules no longer ask for.
    edit_section(rules_dir, "reputation", {"summary": {"schedule": "0 10 * * tue"}})
    clock.set(clock.now() + timedelta(days=7, hours=3))
    second = await started()
    try:
        [job] = second.core.scheduler.pending("reputation:summary:")
        assert job.next_run == datetime(2026, 11, 10, 10, tzinfo=UTC)
        assert not [text for text in second.texts("mod-log") if "summary" in text]
    finally:
        await second.stop()
