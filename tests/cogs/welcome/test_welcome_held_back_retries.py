"""The line counting the mod-log reports held back during a raid is owed to the moderators: a
run that fails is tried again (never posted twice), and one that keeps failing is given up with
a mod-log line saying so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.calls import refusal
from bot.clock import ManualClock
from bot.events import ChannelRef, CommunityRef, MessageRef
from bot.scheduler import DEFAULT_MISFIRE_GRACE, RETRY_DELAYS
from tests.cogs.welcome import test_welcome_held_back_restarts as restarts
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.cogs.welcome.test_welcome_held_back_old_jobs import held_back_job, raided, reports
from tests.support.fake_platform import FakePlatform

ONE_HELD_BACK = "(1 similar report held back to avoid flooding this channel.)"
TWO_HELD_BACK = "(2 similar reports held back to avoid flooding this channel.)"


class FlakyPlatform(FakePlatform):
    """A Telegram-like platform whose first post of a held-back count fails on an error it
    may recover from (a dropped connection), reported as the adapters report it."""

    def __init__(self, refused: str = "unreachable") -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.refused = refused
        self.counts_tried = 0

    async def send(self, channel: ChannelRef, text: str, **options: Any) -> MessageRef:
        if text.startswith("("):
            self.counts_tried += 1
            if self.counts_tried == 1:
                raise refusal("send", self.refused, community=channel.community)
        return await super().send(channel, text, **options)


def failing_counts(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, failures: int, meanwhile: Any = None
) -> list[str]:
    """The first ``failures`` posts of a held-back count fail (the database locked), after
    ``meanwhile``; every attempt to post one is listed in what this returns."""
    modlog = garden.core.modlog
    tries: list[str] = []

    async def flaky(community: CommunityRef, text: str, **options: Any) -> None:
        if text.startswith("("):
            tries.append(text)
            if len(tries) <= failures:
                if meanwhile is not None:
                    await meanwhile()
                raise RuntimeError("database is locked")
        await modlog(community, text, **options)

    monkeypatch.setattr(garden.core, "modlog", flaky)
    return tries


async def test_a_held_back_count_that_fails_to_post_is_tried_again_and_posted_once(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await raided(open_garden)
    tries = failing_counts(garden, monkeypatch, failures=1)
    await reports(garden, "Removed s1", "Removed s2", "Removed s3")
    await garden.wait(timedelta(minutes=1))
    assert garden.texts("mod-log") == ["Removed s1", "Removed s2"]
    await garden.wait(RETRY_DELAYS[0])
    assert garden.texts("mod-log") == ["Removed s1", "Removed s2", ONE_HELD_BACK]
    await garden.wait(timedelta(days=1))
    assert garden.texts("mod-log") == ["Removed s1", "Removed s2", ONE_HELD_BACK]
    assert len(tries) == 2


async def test_a_held_back_count_that_keeps_failing_is_given_up_and_the_mod_log_told(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await raided(open_garden)
    tries = failing_counts(garden, monkeypatch, failures=1_000)
    await reports(garden, "Removed s1", "Removed s2", "Removed s3")
    for _ in range(48):  # two days, in steps the retries fall within
        await garden.wait(timedelta(hours=1))
    assert len(tries) == 1 + len(RETRY_DELAYS)
    given_up = garden.texts("mod-log")[2:]
    assert len(given_up) == 1
    assert f"failed {1 + len(RETRY_DELAYS)} times" in given_up[0]
    assert given_up[0].endswith("\n" + ONE_HELD_BACK)  # what it would have said
    assert garden.core.scheduler.scheduled(held_back_job(garden.platform.community)) is None


async def test_a_report_held_back_while_the_count_fails_is_counted_with_it(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await raided(open_garden)

    async def raid_goes_on() -> None:  # as the first count is being posted
        await reports(garden, "Removed s4", "Removed s5", "Removed s6")

    failing_counts(garden, monkeypatch, failures=1, meanwhile=raid_goes_on)
    await reports(garden, "Removed s1", "Removed s2", "Removed s3")
    await garden.wait(timedelta(hours=1))
    counts = [text for text in garden.texts("mod-log") if text.startswith("(")]
    assert counts == [TWO_HELD_BACK]


async def test_a_count_missed_while_the_bot_was_down_that_fails_late_is_tried_again(
    open_garden: GardenFactory, clock: ManualClock, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    await restarts.one_removal_held_back(open_garden, database)
    clock.advance(DEFAULT_MISFIRE_GRACE * 3)  # the bot is down past the grace

    platform = FlakyPlatform()
    again = await restarts.raided(open_garden, database, platform)
    await again.wait(RETRY_DELAYS[0] * 2)
    assert again.texts("mod-log") == [restarts.HELD_BACK]
    await again.wait(timedelta(days=1))
    assert again.texts("mod-log") == [restarts.HELD_BACK]
    assert platform.counts_tried == 2


@pytest.mark.parametrize("refused", ["rate_limited", "unreachable", "closing"])
async def test_a_count_the_platform_refuses_for_a_passing_reason_is_tried_again(
    open_garden: GardenFactory, refused: str
) -> None:
    platform = FlakyPlatform(refused)
    garden = await open_garden(platform=platform, raid={"joins": 2, "within": "1m", "quiet": "2m"})
    await reports(garden, "Removed s1", "Removed s2", "Removed s3")
    await garden.wait(timedelta(minutes=1) + RETRY_DELAYS[0] * 2)
    assert garden.texts("mod-log") == ["Removed s1", "Removed s2", ONE_HELD_BACK]
    assert platform.counts_tried == 2


async def test_a_count_the_platform_refuses_for_good_is_not_tried_again(
    open_garden: GardenFactory,
) -> None:
    # A bot removed from the chat is not let back by asking again: logged, as any mod-log line.
    platform = FlakyPlatform("removed_from_chat")
    garden = await open_garden(platform=platform, raid={"joins": 2, "within": "1m", "quiet": "2m"})
    await reports(garden, "Removed s1", "Removed s2", "Removed s3")
    await garden.wait(timedelta(hours=2))
    assert garden.texts("mod-log") == ["Removed s1", "Removed s2"]
    assert platform.counts_tried == 1
