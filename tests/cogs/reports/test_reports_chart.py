"""The report's chart stays readable over a long period: a few date labels, whole numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matplotlib.figure import Figure

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommandInvoked, MessageCreated, MessageRef
from tests.support.fake_platform import FakePlatform


@pytest.mark.parametrize("days", [7, 30, 366])
async def test_a_chart_has_a_few_date_labels_and_whole_numbers_of_members(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    days: int,
) -> None:
    drawn: list[Figure] = []
    savefig = Figure.savefig

    def saving(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", saving)
    await core.handle(
        MessageCreated(
            at=clock.now() - timedelta(days=days // 2),
            message=MessageRef(platform.channel("general"), "m1"),
            author=platform.member("alice"),
            text="hello garden",
        )
    )
    await core.handle(
        CommandInvoked(
            at=clock.now(),
            channel=platform.channel("general"),
            member=platform.member("mod", moderator=True),
            name="report",
            args=str(days),
        )
    )

    [figure] = drawn
    [axes] = figure.axes
    dates = [label.get_text() for label in axes.get_xticklabels() if label.get_text()]
    assert 3 <= len(dates) <= min(days, 14)
    assert len(set(dates)) == len(dates)
    low, high = axes.get_ylim()
    ticks = [tick for tick in axes.get_yticks() if low <= tick <= high]
    assert ticks
    assert all(float(tick).is_integer() for tick in ticks)
