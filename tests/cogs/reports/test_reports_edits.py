"""An edit that adds thanks counts a thank-you, once, on the day of the edit; a paid star is a
positive reaction."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import MessageCreated, MessageDeleted, MessageEdited, MessageRef, ReactionAdded
from cogs.reports.cog import ReportsCog
from cogs.reports.moods import ReactionMoods
from tests.support.fake_platform import FakePlatform


def reports(core: Jardinier) -> ReportsCog:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    return cog


async def say(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, name: str, text: str, n: int
) -> MessageRef:
    message = MessageRef(platform.channel("general"), f"m{n}")
    await core.handle(
        MessageCreated(at=clock.now(), message=message, author=platform.member(name), text=text)
    )
    return message


async def edit(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, message: MessageRef, text: str
) -> None:
    await core.handle(
        MessageEdited(at=clock.now(), message=message, author=platform.member("alice"), text=text)
    )


async def thanks_of(core: Jardinier, platform: FakePlatform, days: int) -> int:
    """The thank-yous of the last ``days`` days, today's included."""
    cog = reports(core)
    figures = await cog.figures(platform.community, cog.span(platform.community, days))
    return figures.total("thanks")


async def test_an_edit_that_adds_thanks_counts_one_thank_you_on_the_day_of_the_edit(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    note = await say(core, platform, clock, "alice", "great answer", 1)
    clock.advance(timedelta(days=1))

    await edit(core, platform, clock, note, "great answer, thanks @bob")
    await edit(core, platform, clock, note, "great answer")
    await edit(core, platform, clock, note, "great answer, merci beaucoup @bob")

    assert await thanks_of(core, platform, 1) == 1  # today, the day of the edit
    assert await thanks_of(core, platform, 2) == 1  # none the day it was posted
    figures = await reports(core).figures(
        platform.community, reports(core).span(platform.community, 2)
    )
    assert figures.total("messages") == 1  # an edit is no new message


async def test_a_message_that_thanked_when_posted_is_not_counted_again_when_edited(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    note = await say(core, platform, clock, "alice", "thanks bob", 1)

    await edit(core, platform, clock, note, "thanks a lot bob")

    assert await thanks_of(core, platform, 1) == 1


async def test_thanks_added_by_an_edit_are_taken_back_with_the_message(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    note = await say(core, platform, clock, "alice", "great answer", 1)
    clock.advance(timedelta(days=1))
    await edit(core, platform, clock, note, "great answer, thank you")
    await reports(core).flush()  # already written: the deletion takes it back all the same

    await core.handle(MessageDeleted(at=clock.now(), message=note))

    assert await thanks_of(core, platform, 2) == 0


async def test_an_edit_of_a_forgotten_message_counts_nothing(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    reports(core)._recent.limit = 1
    old = await say(core, platform, clock, "alice", "great answer", 1)
    await say(core, platform, clock, "bob", "seedlings are up", 2)

    await edit(core, platform, clock, old, "great answer, thank you")
    await edit(core, platform, clock, MessageRef(platform.channel("general"), "x"), "thanks")

    assert await thanks_of(core, platform, 1) == 0


async def test_a_paid_star_is_a_positive_reaction(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """A Telegram paid reaction (what the adapter tells as ⭐): a member paid to approve."""
    tip = await say(core, platform, clock, "alice", "my first tomatoes of the year", 1)
    for name in ("bob", "carol"):
        await core.handle(
            ReactionAdded(at=clock.now(), message=tip, member=platform.member(name), emoji="⭐")
        )

    cog = reports(core)
    figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("reactions") == 2
    assert figures.total("positive_reactions") == 2
    assert figures.total("negative_reactions") == 0


def test_a_star_is_what_the_community_s_lists_make_it() -> None:
    assert ReactionMoods(["👍", "⭐"], ["👎"]).of("⭐️") == 1  # with its presentation selector too
    assert ReactionMoods(["👍"], ["⭐"]).of("⭐") == -1
    assert ReactionMoods(["👍"], ["👎"]).of("⭐") == 0
