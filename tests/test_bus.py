"""Listeners run in a defined order; a removed message is skipped by later listeners."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bus import EventBus, Priority
from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageRef,
    UserRef,
)

COMMUNITY = CommunityRef("fake", "c1")
AT = datetime(2026, 11, 2, tzinfo=UTC)
MESSAGE = MessageRef(ChannelRef(COMMUNITY, "general"), "1")
ALICE = MemberRef(COMMUNITY, UserRef("fake", "a", "alice"))
POSTED = MessageCreated(at=AT, message=MESSAGE, author=ALICE, text="hi")


def recorder(log: list[str], name: str, bus: EventBus | None = None, remove: bool = False):
    async def listen(event: Event) -> None:
        log.append(name)
        if remove and bus is not None:
            bus.mark_removed(MESSAGE)

    return listen


async def test_priority_then_cog_rank_then_declaration_order() -> None:
    bus, log = EventBus(), []
    bus.subscribe(
        "contributors",
        MessageCreated,
        recorder(log, "count"),
        priority=Priority.OBSERVATION,
        cog_rank=0,
    )
    bus.subscribe("welcome", MessageCreated, recorder(log, "welcome-1"), cog_rank=2)
    bus.subscribe(
        "netiquette",
        MessageCreated,
        recorder(log, "moderate"),
        priority=Priority.MODERATION,
        cog_rank=5,
    )
    bus.subscribe("contests", MessageCreated, recorder(log, "contests"), cog_rank=1)
    bus.subscribe("welcome", MessageCreated, recorder(log, "welcome-2"), cog_rank=2)
    await bus.publish(POSTED)
    assert log == ["moderate", "contests", "welcome-1", "welcome-2", "count"]


async def test_a_removed_message_is_skipped_by_later_listeners_unless_they_ask() -> None:
    bus: EventBus = EventBus()
    log: list[str] = []
    bus.subscribe(
        "netiquette",
        MessageCreated,
        recorder(log, "moderate", bus, remove=True),
        priority=Priority.MODERATION,
    )
    bus.subscribe("contributors", MessageCreated, recorder(log, "count"))
    bus.subscribe("modlog", MessageCreated, recorder(log, "audit"), include_removed=True)
    bus.subscribe("contributors", MessageDeleted, recorder(log, "forget"))
    await bus.publish(POSTED)
    await bus.publish(MessageDeleted(at=AT, message=MESSAGE))
    assert log == ["moderate", "audit", "forget"]


async def test_events_go_only_to_listeners_of_their_type() -> None:
    bus, log = EventBus(), []
    bus.subscribe("welcome", MemberJoined, recorder(log, "welcome"))
    bus.subscribe("everything", Event, recorder(log, "all"))
    await bus.publish(POSTED)
    await bus.publish(MemberJoined(at=AT, member=ALICE))
    assert log == ["all", "welcome", "all"]


async def test_a_disabled_cog_hears_nothing_from_that_community() -> None:
    log: list[str] = []
    bus = EventBus(lambda community: {"contests"})
    bus.subscribe("welcome", MessageCreated, recorder(log, "welcome"))
    bus.subscribe("contests", MessageCreated, recorder(log, "contests"))
    await bus.publish(POSTED)
    assert log == ["contests"]


async def test_a_failing_listener_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus, log = EventBus(), []

    async def broken(event: Event) -> None:
        raise RuntimeError("bug in a cog")

    bus.subscribe("buggy", MessageCreated, broken)
    bus.subscribe("contests", MessageCreated, recorder(log, "contests"))
    await bus.publish(POSTED)
    assert log == ["contests"]
    assert "cog buggy failed on MessageCreated" in caplog.text
