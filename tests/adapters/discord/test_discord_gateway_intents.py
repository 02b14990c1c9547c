"""The gateway refusing the bot's intents: 4013 (invalid intents) is the bot's own bug, to report;
4014 (disallowed intents) is the portal setting the operator turns on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.adapters.discord.adapter import DiscordPlatform
from bot.errors import JardinierError
from tests.adapters.discord.test_discord_platform import TOKEN, OfflineDiscord


def closed_with(code: int) -> discord.ConnectionClosed:
    """The error discord.py raises when Discord closes the gateway with ``code``."""
    socket: Any = SimpleNamespace(close_code=code)
    return discord.ConnectionClosed(socket, shard_id=None)


async def refusal(monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception]) -> str:
    """What the bot says when connecting to the gateway fails with ``error()``."""
    platform = DiscordPlatform(TOKEN)
    offline = OfflineDiscord(platform, monkeypatch)

    async def refused(*, reconnect: bool = True) -> None:
        raise error()

    monkeypatch.setattr(platform.client, "connect", refused)

    async def sink(event: object) -> None:
        pass

    with pytest.raises(JardinierError) as stopped:
        await asyncio.wait_for(platform.start(sink), timeout=5)
    assert offline.logins == [TOKEN]  # not tried again
    return str(stopped.value)


async def test_invalid_intents_are_a_bug_to_report_not_a_portal_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = await refusal(monkeypatch, lambda: closed_with(4013))
    assert "4013" in said
    assert "bug" in said
    assert "report" in said
    assert "turn on" not in said
    assert "Bot page" not in said


@pytest.mark.parametrize(
    "error",
    [
        # What discord.py raises on close code 4014, at login or while the bot runs.
        lambda: discord.PrivilegedIntentsRequired(None),
        lambda: closed_with(4014),
    ],
)
async def test_disallowed_intents_say_which_to_turn_on_in_the_portal(
    monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception]
) -> None:
    said = await refusal(monkeypatch, error)
    assert "Discord refused the privileged intents" in said
    assert "'Server Members Intent' and 'Message Content Intent'" in said
