"""The report's top channels: by their latest name, never by an id nor with none left."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, MessageCreated, MessageDeleted, MessageRef
from cogs.reports.cog import ReportsCog
from tests.support.fake_platform import FakePlatform


def reports(core: Jardinier) -> ReportsCog:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    return cog


async def post(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, channel: ChannelRef, number: int
) -> MessageRef:
    message = MessageRef(channel, f"m{number}")
    await core.handle(
        MessageCreated(
            at=clock.now(), message=message, author=platform.member("alice"), text="hello"
        )
    )
    return message


async def top_channels(
    core: Jardinier, platform: FakePlatform, days: int
) -> list[tuple[str, int]]:
    cog = reports(core)
    figures = await cog.figures(platform.community, cog.span(platform.community, days))
    return figures.channels


async def test_a_renamed_channel_is_shown_by_its_latest_name(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    # The old name sorts after the new one: the latest, not the greatest, is shown.
    await post(core, platform, clock, ChannelRef(platform.community, "c1", "#zz-old-name"), 1)
    await reports(core).flush()
    clock.advance(timedelta(days=1))
    await post(core, platform, clock, ChannelRef(platform.community, "c1", "#aa-new-name"), 2)

    assert await top_channels(core, platform, 2) == [("#aa-new-name", 2)]


async def test_a_deletion_after_a_flush_keeps_the_channel_s_name(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    # The deletion is written by a later flush, which knows the channel by its id only: the
    # report must not show a Discord snowflake instead of "garden".
    garden = ChannelRef(platform.community, "1187", "#garden")
    await post(core, platform, clock, garden, 1)
    await post(core, platform, clock, garden, 2)
    mistake = await post(core, platform, clock, garden, 3)
    await reports(core).flush()

    await core.handle(MessageDeleted(at=clock.now(), message=mistake))

    assert await top_channels(core, platform, 1) == [("#garden", 2)]


async def test_a_channel_whose_messages_were_all_deleted_is_no_top_channel(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await post(core, platform, clock, platform.channel("general"), 1)
    mistake = await post(core, platform, clock, platform.channel("spam"), 2)
    await reports(core).flush()  # written before the deletion, as every 30 s

    await core.handle(MessageDeleted(at=clock.now(), message=mistake))

    cog = reports(core)
    figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("messages") == 1
    assert figures.channels == [("#general", 1)]  # not "spam (0)"
