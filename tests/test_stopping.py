"""Stopping the bot finishes the work in hand: events being handled, jobs running, and what
they plan, before the scheduler and the database close."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock, SystemClock
from bot.core import Jardinier
from bot.events import MemberJoined, MemberRef, UserRef
from bot.platform import EventSink
from tests.support.fake_platform import FakePlatform
from tests.support.waiting import eventually


def bot_on(
    rules_dir: Path, database: Path, platform: FakePlatform | None, clock: Any
) -> Jardinier:
    return Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform] if platform is not None else [],
        clock=clock,
    )


async def test_a_job_planned_by_an_event_still_in_hand_at_stop_is_kept(
    rules_dir: Path, platform: FakePlatform, clock: ManualClock, tmp_path: Path
) -> None:
    database = tmp_path / "bot.db"
    bot = bot_on(rules_dir, database, platform, clock)
    await bot.start()
    gate = asyncio.Event()
    in_hand = asyncio.Event()

    async def slow_listener(event: MemberJoined) -> None:
        in_hand.set()
        await gate.wait()  # as a platform call that takes its time
        bot.scheduler.at(
            "announcement:later", clock.now() + timedelta(days=1), "announcements", "post"
        )

    bot.bus.subscribe("core", MemberJoined, slow_listener)
    newcomer = MemberRef(platform.community, UserRef("fake", "late", "late"))
    handling = asyncio.create_task(bot.handle(MemberJoined(at=clock.now(), member=newcomer)))
    await asyncio.wait_for(in_hand.wait(), 10)
    stopping = asyncio.create_task(bot.stop())
    # Time for a stop that did not wait to end (nothing shows one that rightly waits).
    await asyncio.sleep(0.05)
    assert not stopping.done()  # it waits for the event in hand
    gate.set()
    await asyncio.gather(handling, stopping)

    again = bot_on(rules_dir, database, None, clock)
    await again.start(jobs_on_time=False)
    assert [job.id for job in again.scheduler.pending("announcement:")] == ["announcement:later"]
    await again.stop()


async def test_an_announcement_being_posted_at_shutdown_is_posted(
    rules_dir: Path, platform: FakePlatform, tmp_path: Path
) -> None:
    bot = bot_on(rules_dir, tmp_path / "bot.db", platform, SystemClock())
    await bot.start()
    sending = asyncio.Event()
    send = platform.send

    async def slow_send(*arguments: Any, **options: Any) -> Any:
        sending.set()
        await asyncio.sleep(0.3)
        return await send(*arguments, **options)

    platform.send = slow_send  # type: ignore[method-assign]
    channel = platform.channel("general")
    bot.scheduler.at(
        f"announcement:{channel.community.key}:abc",
        bot.clock.now() + timedelta(seconds=0.2),
        "announcements",
        "post",
        id="abc",
        platform=channel.community.platform,
        community_id=channel.community.id,
        community_name=channel.community.name,
        channel_id=channel.id,
        channel_name=channel.name,
        text="Seed swap at noon",
    )
    await asyncio.wait_for(sending.wait(), 5)
    await bot.shut_down()
    await bot.stop()
    assert [sent.text for sent in platform.sent()] == ["Seed swap at noon"]


class ConnectingPlatform(FakePlatform):
    """Serves until stopped, as a real platform does."""

    def __init__(self) -> None:
        super().__init__()
        self._stopped = asyncio.Event()

    async def start(self, sink: EventSink) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_sigterm_during_start_up_stops_the_bot_once_started(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core")
    platform = ConnectingPlatform()
    bot = bot_on(rules_dir, tmp_path / "bot.db", platform, clock)
    publishing = asyncio.Event()
    go_on = asyncio.Event()
    publish = bot.publish_commands

    async def slow_publish() -> None:  # start-up's last step, over the network in production
        publishing.set()
        await go_on.wait()
        await publish()

    bot.publish_commands = slow_publish  # type: ignore[method-assign]
    # Were the bot not to listen yet, the signal would land here, not kill the test run.
    ignored: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: ignored.append(number))
    try:
        serving = asyncio.create_task(bot.run())
        await asyncio.wait_for(publishing.wait(), 10)
        os.kill(os.getpid(), signal.SIGTERM)
        await heard(caplog, "SIGTERM: stopping")  # while it still starts
        go_on.set()
        await asyncio.wait_for(serving, 10)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert ignored == []


async def heard(caplog: pytest.LogCaptureFixture, line: str) -> None:
    """Wait until the bot has logged ``line``: its signal handler ran."""
    await eventually(lambda: line in caplog.text, f"the bot logs {line!r}")


HEARD_WHILE_STOPPING = {
    signal.SIGTERM: "SIGTERM: already stopping",
    signal.SIGHUP: "SIGHUP: stopping, the rules are not reloaded",
}
"""What the bot logs of a signal that comes while it stops."""


class CountedPlatform(ConnectingPlatform):
    """Counts the requests to disconnect, and says when it serves."""

    def __init__(self) -> None:
        super().__init__()
        self.stops = 0
        self.serving = asyncio.Event()

    async def start(self, sink: EventSink) -> None:
        self.serving.set()
        await super().start(sink)

    async def stop(self) -> None:
        self.stops += 1
        await super().stop()


async def signalled_while_stopping(
    bot: Jardinier,
    platform: CountedPlatform,
    second: signal.Signals,
    caplog: pytest.LogCaptureFixture,
) -> bool:
    """Run ``bot``, send it SIGTERM, then ``second`` while it stops (slowly: the cogs' stop
    hooks and the last flushes take their time); whether it still listened for ``second`` then.
    Were it not listening, ``second`` would kill the process (this test run): it is not sent."""
    caplog.set_level(logging.INFO, logger="bot.core")
    stopping = asyncio.Event()
    go_on = asyncio.Event()
    stop = bot.stop

    async def slow_stop() -> None:
        stopping.set()
        await go_on.wait()
        await stop()

    bot.stop = slow_stop  # type: ignore[method-assign]
    previous = {heard: signal.getsignal(heard) for heard in (signal.SIGTERM, second)}
    try:
        serving = asyncio.create_task(bot.run())
        await asyncio.wait_for(platform.serving.wait(), 10)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stopping.wait(), 10)
        listening = signal.getsignal(second) not in (signal.SIG_DFL, previous[second])
        if listening:
            os.kill(os.getpid(), second)
            await heard(caplog, HEARD_WHILE_STOPPING[second])  # before the stop goes on
        go_on.set()
        await asyncio.wait_for(serving, 10)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return listening


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_sigterm_stops_the_bot_once_and_a_second_one_while_stopping_changes_nothing(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    platform = CountedPlatform()
    bot = bot_on(rules_dir, tmp_path / "bot.db", platform, clock)
    stops: list[str] = []
    stop, close = bot.stop, bot.db.close

    async def counted_stop() -> None:
        stops.append("stop")
        await stop()

    async def counted_close() -> None:
        stops.append("close")
        await close()

    bot.stop = counted_stop  # type: ignore[method-assign]
    bot.db.close = counted_close  # type: ignore[method-assign]
    # Impatient: a second SIGTERM while the bot stops.
    listening = await signalled_while_stopping(bot, platform, signal.SIGTERM, caplog)
    assert listening, "a second SIGTERM while stopping would kill the bot"
    assert platform.stops == 1
    assert stops == ["stop", "close"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_a_sighup_while_stopping_neither_kills_the_bot_nor_reloads_the_rules(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    platform = CountedPlatform()
    bot = bot_on(rules_dir, tmp_path / "bot.db", platform, clock)
    reloads: list[str] = []

    async def counted_reload() -> None:
        reloads.append("reload")

    bot.reload_rules = counted_reload  # type: ignore[method-assign]
    # A terminal closed, or a reload script, while the bot flushes.
    listening = await signalled_while_stopping(bot, platform, signal.SIGHUP, caplog)
    assert listening, "a SIGHUP while stopping would kill the bot"
    assert reloads == []
    assert platform.stops == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_a_sighup_while_starting_reloads_the_rules_once_started(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core")
    platform = CountedPlatform()
    bot = bot_on(rules_dir, tmp_path / "bot.db", platform, clock)
    starting = asyncio.Event()
    go_on = asyncio.Event()
    events: list[str] = []
    start = bot.start

    async def slow_start(**options: Any) -> None:  # migrations, cogs, publishing the commands
        starting.set()
        await go_on.wait()
        await start(**options)
        events.append("started")

    async def counted_reload() -> None:
        events.append("reload")

    bot.start = slow_start  # type: ignore[method-assign]
    bot.reload_rules = counted_reload  # type: ignore[method-assign]
    previous = signal.getsignal(signal.SIGHUP)
    try:
        serving = asyncio.create_task(bot.run())
        await asyncio.wait_for(starting.wait(), 10)
        # A deploy script's reload while the bot starts: were the bot not listening yet,
        # SIGHUP's default would kill the process (this test run): say so instead.
        listening = signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, previous)
        if listening:
            os.kill(os.getpid(), signal.SIGHUP)
            await heard(caplog, "SIGHUP: the rule book is reloaded once the bot has started")
        go_on.set()
        await asyncio.wait_for(platform.serving.wait(), 10)
        if listening:
            await eventually(lambda: "reload" in events, "the asked-for reload runs")
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(serving, 10)
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert listening, "a SIGHUP while starting would kill the bot"
    assert events == ["started", "reload"]
