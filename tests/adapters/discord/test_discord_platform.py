"""The Discord platform's life: created by ``jardinier run``, logged in, commands synced only when
they changed, stopped cleanly. Discord's login endpoints are answered locally; the websocket is
replaced by a connection that waits until the client closes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from sqlalchemy.exc import OperationalError

from bot.adapters.discord import create_platform
from bot.adapters.discord.adapter import DiscordPlatform
from bot.adapters.discord.client import ShardedJardinierClient
from bot.cli import _network_platforms
from bot.clock import ManualClock
from bot.commands.spec import CommandSpec, build_spec
from bot.core import Jardinier
from bot.errors import JardinierError
from bot.platform import EventSink, PlatformError
from cogs.announcements.cog import AnnouncementsCog
from tests.adapters.discord.discord_world import APPLICATION, http_error
from tests.support.fake_platform import FakePlatform
from tests.support.refusals import written
from tests.support.waiting import eventually

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret.discord-token-value"


class MemoryState:
    """The two calls of ``StateStore``, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        self.values[key] = value


class LockedState:
    """A ``StateStore`` whose database another process holds locked."""

    async def get(self, key: str) -> str | None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    async def set(self, key: str, value: str) -> None:
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))


class OfflineDiscord:
    """Discord's login answered locally; the gateway connection waits until the client closes."""

    def __init__(self, platform: DiscordPlatform, monkeypatch: pytest.MonkeyPatch) -> None:
        self.client = platform.client
        self.logins: list[str] = []
        self.synced: list[list[dict[str, Any]]] = []
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.refuse_login: list[Exception] = []
        """The failures of the next logins, one per try."""
        self.refuse_sync: Exception | None = None
        http = self.client.http
        monkeypatch.setattr(http, "static_login", self.static_login)
        monkeypatch.setattr(http, "application_info", self.application_info)
        monkeypatch.setattr(http, "bulk_upsert_global_commands", self.bulk_upsert)
        monkeypatch.setattr(self.client, "connect", self.connect)
        close = self.client.close

        async def closing() -> None:
            await close()
            self.closed.set()

        monkeypatch.setattr(self.client, "close", closing)

    async def static_login(self, token: str) -> dict[str, Any]:
        self.logins.append(token)
        if self.refuse_login:
            raise self.refuse_login.pop(0)
        return {"id": str(APPLICATION), "username": "Jardinier", "discriminator": "0",
                "avatar": None, "bot": True}  # fmt: skip

    async def application_info(self) -> dict[str, Any]:
        return {
            "id": str(APPLICATION),
            "name": "Jardinier",
            "icon": None,
            "description": "",
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
            "verify_key": "00",
            "flags": 0,
        }

    async def bulk_upsert(self, application: int, payload: list[dict[str, Any]]) -> list[Any]:
        if self.refuse_sync is not None:
            raise self.refuse_sync
        assert application == APPLICATION
        self.synced.append(payload)
        return []

    async def connect(self, *, reconnect: bool = True) -> None:
        self.connected.set()
        await self.closed.wait()


def specs() -> list[CommandSpec]:
    return [build_spec(AnnouncementsCog.announce), build_spec(AnnouncementsCog.announcements)]


async def run_until_connected(
    platform: DiscordPlatform, offline: OfflineDiscord
) -> asyncio.Task[None]:
    async def sink(event: object) -> None:
        pass

    task = asyncio.create_task(platform.start(sink))
    await asyncio.wait_for(offline.connected.wait(), timeout=5)
    return task


# -- created by `jardinier run` -----------------------------------------------------------------


def test_jardinier_run_creates_the_discord_platform_when_the_token_is_set() -> None:
    [platform] = _network_platforms({"DISCORD_TOKEN": TOKEN}, MemoryState())  # type: ignore[arg-type]
    assert isinstance(platform, DiscordPlatform)
    assert platform.name == "discord"
    assert not isinstance(platform.client, discord.AutoShardedClient)
    intents = platform.client.intents
    assert intents.guilds
    assert intents.members
    assert intents.message_content
    assert intents.guild_messages
    assert intents.guild_reactions
    assert TOKEN not in repr(platform)


@pytest.mark.parametrize(("value", "count"), [("auto", None), ("4", 4)])
def test_shards_when_the_configuration_asks_for_them(value: str, count: int | None) -> None:
    platform = create_platform({"DISCORD_TOKEN": TOKEN, "DISCORD_SHARDS": value}, MemoryState())  # type: ignore[arg-type]
    assert isinstance(platform.client, ShardedJardinierClient)
    assert isinstance(platform.client, discord.AutoShardedClient)
    assert platform.client.shard_count == count


def test_a_wrong_shard_setting_says_what_to_write() -> None:
    with pytest.raises(JardinierError, match="DISCORD_SHARDS must be 'auto' or a number"):
        create_platform({"DISCORD_TOKEN": TOKEN, "DISCORD_SHARDS": "many"}, MemoryState())  # type: ignore[arg-type]


# -- start, sync, stop --------------------------------------------------------------------------


async def test_start_logs_in_syncs_the_commands_and_stop_returns_promptly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = MemoryState()
    platform = DiscordPlatform(TOKEN, state=state)  # type: ignore[arg-type]
    offline = OfflineDiscord(platform, monkeypatch)
    await platform.sync_commands(specs())  # the core publishes before the platform connects
    assert offline.synced == []
    task = await run_until_connected(platform, offline)
    assert offline.logins == [TOKEN]
    [payload] = offline.synced
    assert [command["name"] for command in payload] == ["announce", "announcements"]
    assert list(state.values) == [f"discord:commands:{APPLICATION}"]
    await platform.stop()
    await asyncio.wait_for(task, timeout=2)
    assert platform.client.is_closed()


async def test_ready_waits_for_the_login_and_the_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform = DiscordPlatform(TOKEN, state=MemoryState())  # type: ignore[arg-type]
    offline = OfflineDiscord(platform, monkeypatch)
    ready = asyncio.create_task(platform.ready())
    task = await run_until_connected(platform, offline)
    await asyncio.sleep(0.05)
    assert not ready.done()  # logged in, but the servers are not known yet
    platform.client._handle_ready()  # what discord.py does once READY's servers are cached
    await asyncio.wait_for(ready, timeout=2)
    await platform.stop()
    await asyncio.wait_for(task, timeout=2)


async def test_commands_are_synced_again_only_when_they_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = MemoryState()
    first = DiscordPlatform(TOKEN, state=state)  # type: ignore[arg-type]
    offline = OfflineDiscord(first, monkeypatch)
    await first.sync_commands(specs())
    task = await run_until_connected(first, offline)
    await first.stop()
    await task

    restarted = DiscordPlatform(TOKEN, state=state)  # type: ignore[arg-type]
    again = OfflineDiscord(restarted, monkeypatch)
    await restarted.sync_commands(specs())
    task = await run_until_connected(restarted, again)
    assert again.synced == []  # same commands: nothing sent to Discord
    # A reload enables a cog with a new command: synced at once, while connected.
    await restarted.sync_commands([*specs(), build_spec(AnnouncementsCog.announce_cancel)])
    [payload] = again.synced
    assert len(payload) == 3
    await restarted.sync_commands([*specs(), build_spec(AnnouncementsCog.announce_cancel)])
    assert len(again.synced) == 1
    await restarted.stop()
    await task


async def test_a_locked_state_store_neither_stops_the_sync_nor_the_bot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    platform = DiscordPlatform(TOKEN, state=LockedState())  # type: ignore[arg-type]
    offline = OfflineDiscord(platform, monkeypatch)
    await platform.sync_commands(specs())
    task = await run_until_connected(platform, offline)
    [payload] = offline.synced  # published, not knowing what was published before
    assert [command["name"] for command in payload] == ["announce", "announcements"]
    assert "could not read which slash commands were published" in caplog.text
    assert "could not remember the published slash commands" in caplog.text
    assert not task.done()
    await platform.stop()
    await asyncio.wait_for(task, timeout=2)


async def test_a_refused_sync_is_a_platform_error_and_is_not_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = MemoryState()
    platform = DiscordPlatform(TOKEN, state=state)  # type: ignore[arg-type]
    offline = OfflineDiscord(platform, monkeypatch)
    offline.refuse_sync = http_error(discord.HTTPException, 400, 50035, "Invalid Form Body")
    await platform.sync_commands(specs())
    task = await run_until_connected(platform, offline)  # the login goes on regardless
    assert state.values == {}
    with pytest.raises(PlatformError) as refused:
        await platform.sync_commands(specs())
    assert written(refused.value) == (
        "Discord refused to let me publish the commands in Discord: Invalid Form Body"
    )
    assert offline.synced == []
    await platform.stop()
    await task


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (discord.LoginFailure("Improper token has been passed."), "Discord refused DISCORD_TOKEN"),
        (
            discord.PrivilegedIntentsRequired(shard_id=None),
            "turn on 'Server Members Intent' and 'Message Content Intent'",
        ),
        (
            http_error(discord.Forbidden, 403, 40002, "You need to verify your account"),
            "Discord refused to let the bot log in: You need to verify your account",
        ),
    ],
)
async def test_a_failed_login_is_a_clear_error_without_the_token(
    monkeypatch: pytest.MonkeyPatch, failure: Exception, message: str
) -> None:
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    offline.refuse_login = [failure]

    async def sink(event: object) -> None:
        pass

    with pytest.raises(JardinierError) as refused:
        await asyncio.wait_for(platform.start(sink), timeout=5)
    assert message in str(refused.value)
    assert TOKEN not in str(refused.value)
    assert offline.logins == [TOKEN]  # not tried again: only the community manager can fix it
    assert platform.client.is_closed()


def outage() -> list[Exception]:
    """Discord down, then this machine's network, then a rate limit: each waited out."""
    return [
        http_error(discord.DiscordServerError, 503, 0, "Service Unavailable"),
        aiohttp.ClientConnectionError("Cannot connect to host discord.com"),
        discord.RateLimited(0.01),
    ]


async def test_an_outage_at_login_is_waited_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("bot.adapters.discord.adapter.FIRST_RETRY_DELAY", 0.01)
    platform = DiscordPlatform(TOKEN, state=MemoryState())  # type: ignore[arg-type]
    offline = OfflineDiscord(platform, monkeypatch)
    offline.refuse_login = outage()
    await platform.sync_commands(specs())
    task = await run_until_connected(platform, offline)
    assert offline.logins == [TOKEN] * 4
    assert len(offline.synced) == 1  # published once, after the login that worked
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == [
        "could not log in to Discord (Discord server error, HTTP 503); trying again in 0 s",
        "could not log in to Discord (Cannot connect to host discord.com); trying again in 0 s",
        "Discord is rate-limiting the bot: waiting 0 s to log in to Discord",
    ]
    assert TOKEN not in caplog.text
    await platform.stop()
    await asyncio.wait_for(task, timeout=2)


async def test_stop_during_an_outage_at_login_returns_promptly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    offline.refuse_login = [http_error(discord.DiscordServerError, 502, 0, "Bad Gateway")]

    async def sink(event: object) -> None:
        pass

    task = asyncio.create_task(platform.start(sink))
    await eventually(lambda: bool(offline.logins), "Discord is asked to log in")
    await platform.stop()  # during the second's wait before the next try
    await asyncio.wait_for(task, timeout=0.5)
    assert offline.logins == [TOKEN]
    assert platform.client.is_closed()


class Serving(FakePlatform):
    """Another platform (Telegram, say), serving until it is stopped."""

    def __init__(self) -> None:
        super().__init__("telegram")
        self.serving = asyncio.Event()
        self.stopped = asyncio.Event()

    async def start(self, sink: EventSink) -> None:
        self.serving.set()
        await self.stopped.wait()

    async def stop(self) -> None:
        self.stopped.set()


async def test_a_discord_outage_at_start_leaves_the_other_platforms_serving(
    rules_dir: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.adapters.discord.adapter.FIRST_RETRY_DELAY", 0.05)
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    offline.refuse_login = outage()
    telegram = Serving()
    core = Jardinier(
        rules_dir=rules_dir,
        database_url="sqlite+aiosqlite://",
        platforms=[platform, telegram],
        clock=clock,
    )
    running = asyncio.create_task(core.run())
    await asyncio.wait_for(telegram.serving.wait(), timeout=10)
    await eventually(
        lambda: len(offline.logins) >= 2 or running.done(), "Discord is asked again", within=5
    )
    assert not running.done()
    assert not telegram.stopped.is_set()
    await asyncio.wait_for(offline.connected.wait(), timeout=5)  # Discord back: logged in
    await core.shut_down()
    await asyncio.wait_for(running, timeout=5)
    assert platform.client.is_closed()


async def test_a_cancelled_start_closes_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C cancels the platforms' tasks: the client must still close.
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    task = await run_until_connected(platform, offline)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert platform.client.is_closed()


async def test_stop_before_start_means_no_login(monkeypatch: pytest.MonkeyPatch) -> None:
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    await platform.stop()

    async def sink(event: object) -> None:
        pass

    await asyncio.wait_for(platform.start(sink), timeout=2)
    assert offline.logins == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_sigterm_stops_the_bot_cleanly(
    rules_dir: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)
    core = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[platform], clock=clock
    )
    running = asyncio.create_task(core.run())
    await asyncio.wait_for(offline.connected.wait(), timeout=10)
    # The core's SIGTERM handler is installed before the platforms start.
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(running, timeout=5)
    assert platform.client.is_closed()
    [payload] = offline.synced  # the core published the commands at start
    assert {"announce", "help"} <= {command["name"] for command in payload}


class Gateway:
    """Stands in for discord.py's gateway connection: open, or lost."""

    def __init__(self, *, open: bool) -> None:
        self.open = open


def test_a_lost_gateway_connection_is_reported_as_reconnecting(
    discord_platform: DiscordPlatform,
) -> None:
    client = discord_platform.client
    client.ws = Gateway(open=True)  # type: ignore[assignment]
    assert not discord_platform.reconnecting()
    client.ws = Gateway(open=False)  # type: ignore[assignment]  # discord.py reconnects
    assert discord_platform.reconnecting()
