"""Answers for one member alone (``send(..., private_to=member)``) with no interaction to answer
through: a reaction's (a contest vote, a giveaway entry), the charter gate's reminder, a slash
command's once its token has expired. Never posted in the channel: a direct message, or nothing.
"""

from __future__ import annotations

import logging

import discord
import pytest

from bot.core import Jardinier
from bot.events import Event, MessageRef, ReactionAdded
from bot.platform import Button
from tests.adapters.discord.discord_world import (
    CHANNELS,
    GUILD,
    MEMBERS,
    DiscordWorld,
    http_error,
    payload,
)
from tests.adapters.discord.test_discord_gateway import channel_ref, member_ref


def in_direct_messages(
    world: DiscordWorld, messages: list[discord.Message], name: str
) -> list[str]:
    """What the bot wrote to ``name`` privately."""
    user = world.client.get_user(MEMBERS[name])
    assert user is not None
    return [
        message.content
        for message in messages
        if isinstance(message.channel, discord.DMChannel)
        and user.dm_channel is not None
        and message.channel.id == user.dm_channel.id
    ]


async def test_a_private_answer_to_a_reaction_is_not_posted_in_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # A contest vote or a giveaway entry by reaction is answered with private_to (README:
    # "Answers to /vote are private"; Capability.PRIVATE_ANSWERS: "seen by them alone").
    async def answer(event: Event) -> None:
        assert isinstance(event, ReactionAdded)
        await discord_core.actions.send(
            event.message.channel,
            "You cannot vote for your own entry.",
            reply_to=event.message,
            private_to=event.member,
        )

    discord_core.bus.subscribe("core", ReactionAdded, answer)
    world.posted()
    await world.feed("MESSAGE_REACTION_ADD", payload("message_reaction_add"))
    posted = world.posted()
    in_general = [m for m in posted if m.channel.id == CHANNELS["general"]]
    assert [m.content for m in in_general] == []
    # Hugo reacted: he reads the answer in his direct messages, under where it is about.
    assert in_direct_messages(world, posted, "hugo") == [
        "**Garden** · #general\nYou cannot vote for your own entry."
    ]


async def test_the_answer_to_an_expired_slash_command_goes_privately_not_to_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # A moderator's /case answered 20 minutes later: the interaction's token is gone.
    expired = MessageRef(channel_ref("general"), "interaction:1566700000000000000")
    sent = await discord_core.actions.send(
        channel_ref("general"),
        "Case 12: warned for spam",
        reply_to=expired,
        private_to=member_ref("rosa"),
    )
    posted = world.posted()
    assert [m.content for m in posted if m.channel.id == CHANNELS["general"]] == []
    assert in_direct_messages(world, posted, "rosa") == [
        "**Garden** · #general\nCase 12: warned for spam"
    ]
    assert sent is not None
    assert sent.channel.id != str(CHANNELS["general"])


async def test_a_private_answer_with_buttons_goes_privately_with_them(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # The charter gate's reminder: its button carries the server and channel it belongs to (a
    # press there is heard as one in #general), and it goes without its ping.
    await discord_core.actions.send(
        channel_ref("general"),
        "Alice, please read the rules and accept them",
        buttons=[Button("accept", "I accept")],
        mention=[member_ref("alice").user],
        private_to=member_ref("alice"),
    )
    posted = world.posted()
    assert in_direct_messages(world, posted, "alice") == [
        "**Garden** · #general\nAlice, please read the rules and accept them"
    ]
    assert [m for m in posted if not isinstance(m.channel, discord.DMChannel)] == []
    assert world.rest is not None
    [row] = world.rest.sent[-1]["components"]
    assert [button["custom_id"] for button in row["components"]] == [
        f"jardinier:dm:{GUILD}:{CHANNELS['general']}:accept"
    ]
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": []}


async def test_a_private_answer_to_a_member_who_closed_direct_messages_is_not_sent(
    world: DiscordWorld, discord_core: Jardinier, caplog: pytest.LogCaptureFixture
) -> None:
    assert world.rest is not None
    world.rest.refuse["send_message"] = http_error(
        discord.Forbidden, 403, 50007, "Cannot send messages to this user"
    )
    with caplog.at_level(logging.INFO, logger="bot.adapters.discord"):
        sent = await discord_core.actions.send(
            channel_ref("general"),
            "Your vote is counted",
            private_to=member_ref("alice"),
        )
    # Not in the channel instead, and no refusal in the mod-log: their vote is counted on the
    # post, which is what they see.
    assert world.posted() == []
    assert sent is not None
    assert sent.channel == channel_ref("general")
    assert not sent.id.isdigit()
    assert any(str(MEMBERS["alice"]) in record.getMessage() for record in caplog.records)
    # What the cogs may do with the reference they got back does not crash.
    assert await discord_core.actions.delete(sent)
    assert await discord_core.actions.react(sent, "👍")
