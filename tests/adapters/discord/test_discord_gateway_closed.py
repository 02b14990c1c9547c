"""Discord closing the gateway for good while the bot runs (a token reset in the developer
portal, sharding now required, intents refused): one clear error naming what to fix, as for a
refusal at login, never the token."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.adapters.discord.adapter import DiscordPlatform
from bot.errors import JardinierError
from tests.adapters.discord.test_discord_platform import TOKEN, OfflineDiscord


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (4004, "Discord refused DISCORD_TOKEN: copy the token again"),
        (4011, "set DISCORD_SHARDS=auto"),
        (4013, "This is a bug in Jardinier"),
        (4012, "4012"),
    ],
)
async def test_a_gateway_closed_for_good_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)

    async def closed_by_discord(*, reconnect: bool = True) -> None:
        socket: Any = SimpleNamespace(close_code=code)
        raise discord.ConnectionClosed(socket, shard_id=None)

    monkeypatch.setattr(platform.client, "connect", closed_by_discord)

    async def sink(event: object) -> None:
        pass

    with pytest.raises(JardinierError) as refused:
        await asyncio.wait_for(platform.start(sink), timeout=5)
    assert message in str(refused.value)
    assert TOKEN not in str(refused.value)
    assert offline.logins == [TOKEN]  # not tried again: only the community manager can fix it
    assert platform.client.is_closed()
