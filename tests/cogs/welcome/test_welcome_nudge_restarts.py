"""A nudge the process died in is sent after the restart; one it had sent is never sent again."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.events import CommunityRef
from cogs.welcome.journeys import Journey
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.support.fake_platform import FakePlatform
from tests.test_scheduler_catchup import Crash, killed


def killed_while_claiming_the_nudge(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The process dies when the nudge of ``name`` is about to be recorded (before it is
    sent)."""
    user_id = garden.member(name).user.id
    journeys = garden.cog.journeys
    claim = journeys.claim
    died: list[str] = []

    async def claim_or_die(
        community: CommunityRef, journey: Journey, stage: str, at: datetime, **also: Any
    ) -> Journey | None:
        if stage == "nudged_at" and journey.user_id == user_id and not died:
            died.append(journey.user_id)
            raise Crash
        return await claim(community, journey, stage, at, **also)

    monkeypatch.setattr(journeys, "claim", claim_or_die)


class SendingThenDying(FakePlatform):
    """Posts the next message in #intros, and the process is killed before the post returns."""

    dying = False

    async def send(self, channel: Any, text: str, **options: Any) -> Any:
        sent = await super().send(channel, text, **options)
        if self.dying and channel.name == "#intros":
            self.dying = False
            raise Crash
        return sent


async def test_a_nudge_the_process_died_in_is_sent_after_the_restart(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join("bob")
    killed_while_claiming_the_nudge(first, monkeypatch, "bob")
    first.clear()
    with pytest.raises(Crash):
        await first.wait(timedelta(days=2))
    assert first.sent() == []
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(minutes=1))
    [nudge] = second.sent()
    assert (nudge.target.name, nudge.text.split("!")[0]) == ("#intros", "Hello bob")
    await second.stop()

    third = await open_garden(database=database)
    await third.wait(timedelta(days=2))
    assert third.sent() == []


async def test_a_nudge_sent_just_before_the_process_died_is_not_sent_again(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    platform = SendingThenDying()
    first = await open_garden(database=database, platform=platform)
    await first.join("bob")
    first.clear()
    platform.dying = True
    with pytest.raises(Crash):
        await first.wait(timedelta(days=2))
    [nudge] = first.sent()
    assert nudge.text.startswith("Hello bob")
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(days=2))
    assert second.sent() == []
    assert second.core.scheduler.pending("welcome:") == []


async def test_the_nudge_of_a_wave_the_process_died_in_is_sent_after_the_restart(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*(f"m{n}" for n in range(8)))  # m5, m6 and m7 arrive in a wave
    await first.wait(timedelta(minutes=3))
    killed_while_claiming_the_nudge(first, monkeypatch, "m5")
    first.clear()
    with pytest.raises(Crash):
        await first.wait(timedelta(days=2))
    # The first five were nudged one by one; killed at the wave's nudge.
    assert [text.split("!")[0] for text in first.texts("intros")] == [
        f"Hello m{n}" for n in range(5)
    ]
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(days=2))
    assert [text.split("!")[0] for text in second.texts("intros")] == ["Hello m5, m6, m7"]
    await second.stop()

    third = await open_garden(database=database)
    await third.wait(timedelta(days=2))
    assert third.sent() == []


async def test_the_nudge_of_a_wave_sent_just_before_the_process_died_is_not_sent_again(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    platform = SendingThenDying()
    first = await open_garden(database=database, platform=platform)
    await first.join(*(f"m{n}" for n in range(8)))  # m5, m6 and m7 arrive in a wave
    await first.wait(timedelta(minutes=3))  # greeted together once it is quiet
    await first.wait(timedelta(hours=23, minutes=58))
    assert len(first.texts("intros")) == 5  # the first five nudged one by one; not the wave yet
    platform.dying = True
    with pytest.raises(Crash):
        await first.wait(timedelta(days=2))
    assert first.texts("intros")[-1].startswith("Hello m5, m6, m7! We would love")
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(days=2))
    assert second.sent() == []
    assert second.core.scheduler.pending("welcome:") == []
