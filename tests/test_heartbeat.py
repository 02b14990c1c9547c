"""The heartbeat: a file the running bot touches, whose age a container's health check reads; and
the line that says the bot runs."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import __version__
from bot.clock import ManualClock
from bot.connections import Connections
from bot.core import Jardinier
from bot.heartbeat import (
    STALE_AFTER,
    UNCONNECTED_GRACE,
    Heartbeat,
    Link,
    LinkReport,
    Links,
    check,
    main,
)
from bot.platform import EventSink
from tests.support.fake_platform import FakePlatform
from tests.support.waiting import eventually


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look last touched ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


async def test_a_wedged_event_loop_stops_the_heartbeat_and_the_check_fails(
    tmp_path: Path,
) -> None:
    path = tmp_path / "heartbeat"
    heartbeat = Heartbeat(path, every=0.01)
    heartbeat.start()
    try:
        await eventually(path.exists, "the first beat")
        age(path, STALE_AFTER + 1)  # as if the loop had been stuck that long
        time.sleep(0.1)  # noqa: ASYNC251 - the loop is wedged: no beat can happen meanwhile
        assert check(path) is not None
        assert main([str(path)]) == 1

        await asyncio.sleep(0.1)  # the loop runs again
        assert check(path) is None
        assert main([str(path)]) == 0
    finally:
        await heartbeat.stop()
    assert not path.exists()  # a stopped bot is not alive


def test_the_check_says_why_a_bot_is_not_alive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "heartbeat"
    assert main([str(path)]) == 1
    assert capsys.readouterr().out == (
        f"no heartbeat file {path}: the bot is not running, or still starting\n"
    )

    path.touch()
    age(path, 61)
    assert main([], environ={"JARDINIER_HEARTBEAT_FILE": str(path)}) == 1
    assert capsys.readouterr().out == (
        f"the heartbeat file {path} was last touched 61 s ago (more than 60 s): "
        "the bot's event loop is stuck\n"
    )

    path.touch()
    assert main([], environ={"JARDINIER_HEARTBEAT_FILE": str(path)}) == 0
    assert main([], environ={}) == 1
    assert "set JARDINIER_HEARTBEAT_FILE" in capsys.readouterr().out


def test_a_heartbeat_that_cannot_be_written_is_said_once_and_stops_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    heartbeat = Heartbeat(tmp_path / "no such folder" / "heartbeat")
    for _ in range(3):
        heartbeat.beat()
    assert caplog.text.count("cannot touch the heartbeat file") == 1


def test_the_health_check_runs_alone_and_loads_nothing_heavy(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    path.touch()
    probe = (
        "import sys, runpy\n"
        "try:\n"
        "    runpy.run_module('bot.heartbeat', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    heavy = {'sqlalchemy', 'discord', 'telegram', 'pydantic', 'typer', 'apscheduler'}\n"
        "    print(sorted(heavy & {name.partition('.')[0] for name in sys.modules}))\n"
        "    raise\n"
    )
    root = Path(__file__).parents[1]
    environment = {**os.environ, "JARDINIER_HEARTBEAT_FILE": str(path)}
    alive = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root,
        env=environment, timeout=60, check=False,
    )  # fmt: skip
    assert alive.returncode == 0, alive.stderr
    assert alive.stdout.splitlines()[-1] == "[]"

    path.unlink()
    gone = subprocess.run(
        [sys.executable, "-m", "bot.heartbeat"], capture_output=True, text=True, cwd=root,
        env=environment, timeout=60, check=False,
    )  # fmt: skip
    assert gone.returncode == 1
    assert "no heartbeat file" in gone.stdout


class ServingPlatform(FakePlatform):
    """Serves until stopped, as a real platform does."""

    def __init__(self) -> None:
        super().__init__()
        self._stopped = asyncio.Event()

    async def start(self, sink: EventSink) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()


async def test_the_running_bot_beats_and_says_once_that_it_runs(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "heartbeat"
    platform = ServingPlatform()
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        platforms=[platform],
        clock=clock,
        heartbeat=path,
    )
    serving = asyncio.create_task(bot.run())
    try:
        await eventually(lambda: "running on" in caplog.text, "the bot says it runs")
        assert main([str(path)]) == 0
    finally:
        await bot.shut_down()
        await asyncio.wait_for(serving, 10)
    [running] = [r for r in caplog.records if "running on" in r.getMessage()]
    # Logged at the default level, the one sign of life in `docker logs`.
    assert running.levelno == logging.WARNING
    assert running.getMessage().startswith(
        f"Jardinier {__version__} running on fake: cogs netiquette, welcome, "
    )
    assert running.getMessage().endswith(f"; rules from {rules_dir} (0 community files)")
    assert not path.exists()


def written(path: Path, links: Links) -> Path:
    path.write_text(links.to_json(), encoding="utf-8")
    return path


def test_the_check_fails_when_no_platform_is_connected_for_longer_than_the_grace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    lost = LinkReport(Link.RECONNECTING, now - timedelta(minutes=10))
    trying = LinkReport(Link.CONNECTING, now - timedelta(minutes=10))
    path = tmp_path / "heartbeat"

    written(path, Links({"discord": lost, "telegram": trying}, now - timedelta(seconds=299)))
    assert check(path) is None  # an outage the libraries may yet get over
    written(path, Links({"discord": lost, "telegram": trying}, now - timedelta(seconds=301)))
    assert main([str(path)]) == 1
    assert capsys.readouterr().out == (
        f"no platform connected for 301 s (more than {UNCONNECTED_GRACE:.0f} s): "
        "discord reconnecting, telegram connecting\n"
    )

    # While the bot starts (migrations), the platforms are not started yet: no grace runs.
    starting = LinkReport(Link.STARTING, now - timedelta(hours=1))
    written(path, Links({"discord": starting}))
    assert check(path) is None
    # The console counts as connected; a file only touched (an older bot) says nothing more.
    written(path, Links({"console": LinkReport(Link.CONNECTED, now)}))
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.endswith("; console connected\n")
    path.write_text("")
    assert check(path) is None
    path.write_text("{not json")
    assert (check(path) or "").startswith(f"cannot read the heartbeat file {path}")


class Dropping(FakePlatform):
    """A platform whose connection, once made, is lost for a while."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.lost = False

    def reconnecting(self) -> bool:
        return self.lost


def test_the_heartbeat_says_when_a_connection_is_lost_and_since_when_none_is_connected() -> None:
    now = datetime(2025, 5, 1, 9, tzinfo=UTC)
    discord, telegram = Dropping("discord"), Dropping("telegram")
    connections = Connections({"discord": discord, "telegram": telegram}, now=lambda: now)
    assert connections.links().platforms["discord"].state is Link.STARTING
    assert connections.links().none_connected_since is None  # starting: no grace runs
    connections.connecting("discord")
    connections.connecting("telegram")
    now += timedelta(seconds=5)
    assert connections.links().none_connected_since == now  # seen at this beat
    connections.connected("discord")
    connections.connected("telegram")
    assert connections.links().none_connected_since is None

    now += timedelta(minutes=1)
    discord.lost = True
    links = connections.links()
    assert links.platforms["discord"] == LinkReport(Link.RECONNECTING, now)
    assert links.none_connected_since is None  # telegram still is
    now += timedelta(minutes=1)
    telegram.lost = True
    assert connections.links().none_connected_since == now
    now += timedelta(minutes=1)
    discord.lost = False
    links = connections.links()
    assert links.platforms["discord"] == LinkReport(Link.CONNECTED, now)
    assert links.none_connected_since is None
