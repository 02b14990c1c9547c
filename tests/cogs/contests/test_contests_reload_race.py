"""A rule-book reload while the bot announces a phase: no announcement still on its way is
reported lost."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.events import ChannelRef, MessageRef
from tests.cogs.contests.arena import Arena

Reload = Callable[[], Awaitable[None]]

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


class Gate:
    """A point the bot stops at the first time it reaches it, until the test lets it on; it
    passes it at once the other times."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def stop_here(self) -> None:
        """The bot reaches the gate: the first time, it waits there until the gate opens."""
        if self.reached.is_set():
            return
        self.reached.set()
        await self.opened.wait()


@contextmanager
def held_while_posting(arena: Arena, containing: str, gate: Gate) -> Iterator[None]:
    """The platform takes its time to post the bot's message containing ``containing``: it
    posts it once ``gate`` opens."""
    post = arena.platform.send

    async def send(channel: ChannelRef, text: str, **options: Any) -> MessageRef | None:
        if containing in text:
            await gate.stop_here()
        return await post(channel, text, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.platform, "send", send)
        yield


async def meanwhile(gate: Gate, moving: Awaitable[Any], reload: Reload) -> None:
    """Let time pass (``moving``); once the bot stops at ``gate``, reload the rule book, and
    let the bot on once the reload is done, or waits its turn behind what the bot does."""
    task = asyncio.ensure_future(moving)
    reloaded: asyncio.Future[None] | None = None
    try:
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        reloaded = asyncio.ensure_future(reload())
        await asyncio.wait({reloaded}, timeout=1)
    finally:
        gate.opened.set()
        await task
        if reloaded is not None:
            await reloaded


async def test_an_opening_still_being_posted_is_not_reported_lost_when_its_job_runs_again(
    arena: Arena,
) -> None:
    gate = Gate()

    async def job_run_again_and_a_reload() -> None:
        await arena.cog.open_contest(contest_id=1)  # finds the opening claimed: nothing to do
        assert await arena.core.reload_rules() is None

    with held_while_posting(arena, "is open", gate):
        await meanwhile(
            gate, arena.run("mod", '/contest_create "Haiku" 2h'), job_run_again_and_a_reload
        )
    assert await arena.core.reload_rules() is None

    assert len(arena.posted("is open", channel="general")) == 1
    assert arena.sent("mod-log") == []
