"""Announcements: a delay counts from the moment the command was typed (README), which may be
before the bot handles it: the bot was busy, or down (Telegram hands the updates over when it
is back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.support.events import command
from tests.support.fake_platform import FakePlatform


async def test_a_delay_counts_from_the_moment_the_command_was_typed(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    typed = clock.now()
    clock.advance(timedelta(minutes=20))  # handled twenty minutes later
    await core.handle(command(mod, "/announce 2h Seed swap starts", typed))

    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == typed + timedelta(hours=2)


async def test_a_delay_over_when_the_command_is_handled_posts_at_once(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """The bot was down when it fell due: posted now, as the moderator asked for it."""
    mod = platform.member("mod", moderator=True)
    typed = clock.now()
    clock.advance(timedelta(minutes=30))
    await core.handle(command(mod, "/announce 20m Doors open", typed))

    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == clock.now() + timedelta(seconds=1)


async def test_a_delay_just_over_when_the_command_is_handled_posts_at_once(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """Over by less than a minute, as a date and time typed as "now": posted now."""
    mod = platform.member("mod", moderator=True)
    typed = clock.now()
    clock.advance(timedelta(minutes=1, seconds=30))
    await core.handle(command(mod, "/announce 1m Doors open", typed))

    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == clock.now() + timedelta(seconds=1)


async def test_a_command_dated_ahead_of_the_bots_clock_counts_from_now(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """A platform's clock a little ahead of the bot's does not push the announcement back."""
    mod = platform.member("mod", moderator=True)
    await core.handle(
        command(mod, "/announce 2h Seed swap starts", clock.now() + timedelta(minutes=5))
    )

    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == clock.now() + timedelta(hours=2)


async def test_a_date_without_a_year_is_read_in_the_year_it_was_typed(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """Typed on New Year's Eve, handled after midnight: this year's Dec 31, posted now, not
    next year's (refused as too far ahead, a puzzle to the moderator)."""
    mod = platform.member("mod", moderator=True)
    clock.set(datetime(2026, 12, 31, 22, 50, tzinfo=UTC))  # 23:50 in Paris
    typed = clock.now()
    clock.advance(timedelta(minutes=20))
    await core.handle(command(mod, '/announce "31/12 23:55" Happy new year!', typed))

    [scheduled] = core.scheduler.pending("announcement:")
    assert scheduled.next_run == clock.now() + timedelta(seconds=1)


async def test_a_date_and_time_past_when_typed_is_still_refused(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    mod = platform.member("mod", moderator=True)
    typed = clock.now()  # Monday Nov 2, 10:00 in Paris
    await core.handle(command(mod, '/announce "2026-11-02 09:30" Good morning', typed))

    assert core.scheduler.pending("announcement:") == []
    assert "is in the past; pick a later time." in platform.sent()[-1].text
