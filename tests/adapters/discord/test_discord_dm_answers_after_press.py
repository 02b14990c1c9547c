"""Answers meant for one member that went by direct message, afterwards: the answer following a
press there keeps buttons that work there, and what send returned can be deleted or reacted to."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.core import Jardinier
from bot.platform import Button
from tests.adapters.discord.discord_world import CHANNELS, GUILD, MEMBERS, DiscordWorld
from tests.adapters.discord.test_discord_dm_buttons import (
    direct_messages,
    newcomer_user,
    press_in_direct_messages,
)
from tests.adapters.discord.test_discord_gateway import channel_ref, member_ref


async def test_an_answer_to_a_press_in_direct_messages_keeps_working_buttons(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # Alice presses a button of a direct message meant for #general...
    await discord_core.actions.send(
        channel_ref("general"),
        "Join the giveaway?",
        buttons=[Button("giveaway:join", "Join")],
        private_to=member_ref("alice"),
    )
    assert world.rest is not None
    sent = world.rest.sent[-1]
    [message] = direct_messages(world.posted())
    alice = {**newcomer_user(), "id": str(MEMBERS["alice"]), "username": "alice"}
    await press_in_direct_messages(world, message, sent, alice)
    # ... and the next answer meant for her in #general, with a button, follows that press (in
    # her direct messages): its button must be one a press in direct messages is heard from.
    await discord_core.actions.send(
        channel_ref("general"),
        "Please accept the charter",
        buttons=[Button("welcome:accept", "I accept")],
        private_to=member_ref("alice"),
    )
    [followup] = world.interactions.named("followup")
    [row] = followup.payload["components"]
    [button] = row["components"]
    assert button["custom_id"] == f"jardinier:dm:{GUILD}:{CHANNELS['general']}:welcome:accept"


async def test_a_direct_message_answer_can_be_deleted(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    deleted: list[tuple[int, int]] = []

    async def delete_message(channel_id: int, message_id: int, **_: Any) -> None:
        deleted.append((channel_id, message_id))

    monkeypatch.setattr(world.client.http, "delete_message", delete_message)
    sent = await discord_core.actions.send(
        channel_ref("general"), "Your vote is counted", private_to=member_ref("alice")
    )
    assert sent is not None
    assert sent.id.isdigit()
    [message] = direct_messages(world.posted())
    assert isinstance(message.channel, discord.DMChannel)
    # What send returned is what a cog deletes later.
    assert await discord_core.actions.delete(sent) is True
    assert deleted == [(message.channel.id, message.id)]


async def test_a_direct_message_answer_can_be_reacted_to(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    sent = await discord_core.actions.send(
        channel_ref("general"), "Your vote is counted", private_to=member_ref("alice")
    )
    assert sent is not None
    [message] = direct_messages(world.posted())
    assert await discord_core.actions.react(sent, "👍") is True
    assert world.rest is not None
    [reaction] = world.rest.named("add_reaction")
    assert reaction.payload["args"][:2] == (message.channel.id, message.id)
