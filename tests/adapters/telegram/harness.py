"""A running bot for the end-to-end tests: the core, the Telegram platform, the fake Bot API, and
listeners standing in for the welcome and netiquette cogs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.telegram.adapter import TelegramPlatform
from bot.core import Jardinier
from bot.events import Event, MemberJoined, MessageCreated, ReactionAdded
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.payloads import GROUP_ID, reaction, user

SENTINEL = user(999, "Sentinel")
SENTINEL_EMOJI = "🏁"


@dataclass
class RunningBot:
    """A core serving Telegram, with a stand-in welcome and netiquette (core listeners)."""

    core: Jardinier
    platform: TelegramPlatform
    api: FakeBotApi
    task: asyncio.Task[None]
    events: list[Event] = field(default_factory=list)
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    async def settle(self, within: float = 5.0) -> None:
        """Wait until every update pushed so far was handled.

        Updates arrive in order, and those of different chats are handled side by side: once a
        last marker update has reached the core, all those before it have arrived, and it is
        left to wait until none is still being handled.
        """
        self.settled.clear()
        self.api.push(reaction(SENTINEL, 1, new=[SENTINEL_EMOJI]))
        async with asyncio.timeout(within):
            await self.settled.wait()
            # Every update is marked done in the queue once handled.
            await self.platform.application.update_queue.join()

    def seen(self, kind: type[Event]) -> list[Any]:
        """The neutral events of ``kind`` the core received."""
        return [event for event in self.events if isinstance(event, kind)]

    async def stop(self) -> float:
        """Stop as SIGTERM would; return how long ``run`` took to return."""
        began = time.monotonic()
        await self.core.shut_down()
        await asyncio.wait_for(self.task, 10)
        return time.monotonic() - began


def write_override(rules_dir: Path, text: str) -> None:
    """Rule-book settings for the test group only."""
    folder = rules_dir / "communities"
    folder.mkdir(exist_ok=True)
    (folder / f"telegram-{GROUP_ID}.yaml").write_text(text)


StartBot = Callable[..., Awaitable[RunningBot]]


def install_listeners(running: RunningBot, *, stand_ins: bool = True) -> None:
    """Record every event; with ``stand_ins``, greet joins and delete messages about a casino."""
    core = running.core

    async def record(event: Event) -> None:
        if isinstance(event, ReactionAdded) and event.emoji == SENTINEL_EMOJI:
            running.settled.set()
            return
        running.events.append(event)

    async def welcome(event: Event) -> None:
        assert isinstance(event, MemberJoined)
        channel = await core.resolve_channel(event.community, event.community.id)
        assert channel is not None
        await core.actions.send(channel, f"Welcome {event.member.name}! Read the charter.")

    async def netiquette(event: Event) -> None:
        assert isinstance(event, MessageCreated)
        if "casino" in event.text.casefold():
            await core.actions.delete(event.message)
            core.bus.mark_removed(event.message)

    # "core" is enabled in every community: these stand in for the welcome and netiquette cogs,
    # so that these tests depend on the adapter and the core only.
    core.bus.subscribe("core", Event, record, priority=-1)
    if not stand_ins:
        return
    core.bus.subscribe("core", MemberJoined, welcome)
    core.bus.subscribe("core", MessageCreated, netiquette, priority=0)
