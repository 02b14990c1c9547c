"""The charter gate's reminder to a newcomer who accepts no direct messages: it has a button she
must press, so it is posted in the channel, naming her, rather than lost."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.core import Jardinier
from bot.platform import Button
from tests.adapters.discord.discord_world import (
    CHANNELS,
    MEMBERS,
    DiscordWorld,
    http_error,
)
from tests.adapters.discord.test_discord_dm_buttons import (  # noqa: F401 (fixture)
    NEWCOMER,
    join,
    post,
    rules_dir,
)
from tests.adapters.discord.test_discord_gateway import channel_ref, member_ref


def refuse_direct_messages(world: DiscordWorld) -> None:
    """The next message the bot sends is refused as Discord refuses a direct message to a member
    who turned off "direct messages from server members"."""
    assert world.rest is not None
    world.rest.refuse["send_message"] = http_error(
        discord.Forbidden, 403, 50007, "Cannot send messages to this user"
    )


async def test_a_newcomer_who_closed_direct_messages_is_still_reminded(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.rest is not None
    deleted: list[int] = []

    async def delete_message(channel_id: int, message_id: int, **_: Any) -> None:
        deleted.append(message_id)

    monkeypatch.setattr(world.client.http, "delete_message", delete_message)
    await join(world)
    world.posted()  # the welcome
    refuse_direct_messages(world)
    await post(world, "hello everyone!")
    assert "send_message" not in world.rest.refuse  # a direct message was tried, refused
    assert len(deleted) == 1  # her message is gone...
    # ... and she is told why, with the button, where she posted, named so she sees it.
    [reminder] = world.posted()
    assert reminder.channel.id == CHANNELS["general"]
    assert f"<@{NEWCOMER}>" in reminder.content
    assert "please accept the charter" in reminder.content
    sent = world.rest.sent[-1]
    assert sent["allowed_mentions"]["users"] == [NEWCOMER]
    [row] = sent["components"]
    assert [button["label"] for button in row["components"]] == ["I accept"]
    assert [button["custom_id"] for button in row["components"]] == [
        "jardinier:button:welcome:accept"
    ]


async def test_an_answer_with_buttons_to_a_member_without_direct_messages_is_posted(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    refuse_direct_messages(world)
    sent = await discord_core.actions.send(
        channel_ref("general"),
        "Join the giveaway?",
        buttons=[Button("giveaway:join", "Join")],
        private_to=member_ref("alice"),
    )
    [message] = world.posted()
    assert message.channel.id == CHANNELS["general"]
    assert f"<@{MEMBERS['alice']}>" in message.content
    assert sent is not None
    assert sent.id == str(message.id)
    assert sent.channel == channel_ref("general")
