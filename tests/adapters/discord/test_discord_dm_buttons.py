"""Answers meant for one member that go by direct message (no interaction to answer through): they
say which server and channel they are about, and their buttons work where they are, as if
pressed in that channel. End to end: the charter gate's reminder to a Discord newcomer.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.core import Jardinier
from bot.events import ButtonPressed, Event
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
from tests.support.rulebook import edit_section, enable_only

NEWCOMER = 500000000000000009
GARDENERS = 300000000000000001
ACCEPT = "welcome:accept"


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """The welcome cog alone, its charter gate on: accepting grants the Gardeners role."""
    enable_only(rules_dir, "welcome")
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "role": "Gardeners"}})
    return rules_dir


def newcomer_user() -> dict[str, Any]:
    """Fern, who just joined the Garden."""
    return {
        "id": str(NEWCOMER),
        "username": "fern",
        "discriminator": "0",
        "global_name": "Fern",
        "avatar": None,
        "bot": False,
        "public_flags": 0,
    }


async def join(world: DiscordWorld) -> None:
    """Fern joins the Garden."""
    joined = payload("guild_member_add")
    joined["user"] = newcomer_user()
    await world.feed("GUILD_MEMBER_ADD", joined)


async def post(world: DiscordWorld, text: str) -> None:
    """Fern posts ``text`` in #general."""
    message = payload("message_create")
    message.update(
        id=str(discord.utils.time_snowflake(discord.utils.utcnow())),
        author=newcomer_user(),
        content=text,
        mentions=[],
        mention_roles=[],
        attachments=[],
        embeds=[],
    )
    for reply_only in ("message_reference", "referenced_message"):
        message.pop(reply_only, None)
    message["member"]["roles"] = []
    await world.feed("MESSAGE_CREATE", message)


def direct_messages(messages: list[discord.Message]) -> list[discord.Message]:
    """What the bot wrote privately."""
    return [message for message in messages if isinstance(message.channel, discord.DMChannel)]


async def press_in_direct_messages(
    world: DiscordWorld, message: discord.Message, sent: dict[str, Any], user: dict[str, Any]
) -> None:
    """``user`` presses the (only) button of ``message``, the bot's direct message to them whose
    payload was ``sent``: an interaction from no server, as Discord sends it."""
    [row] = sent["components"]
    [button] = row["components"]
    data = payload("interaction_create_button")
    for server_only in ("guild", "guild_id", "member", "guild_locale"):
        del data[server_only]
    data["id"] = str(discord.utils.time_snowflake(discord.utils.utcnow()) + 7)
    data["token"] = "token-direct"
    data["user"] = user
    data["context"] = 1  # a bot's direct messages
    data["authorizing_integration_owners"] = {"1": user["id"]}
    data["channel"] = {"id": str(message.channel.id), "type": 1, "recipients": [user]}
    data["channel_id"] = str(message.channel.id)
    data["data"] = {"custom_id": button["custom_id"], "component_type": 2}
    data["message"] = {
        **data["message"],
        "id": str(message.id),
        "channel_id": str(message.channel.id),
        "content": message.content,
        "components": copy.deepcopy(sent["components"]),
    }
    del data["message"]["guild_id"]
    await world.feed("INTERACTION_CREATE", data)


async def test_the_gate_reminder_by_direct_message_lets_the_newcomer_accept(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.rest is not None
    deleted: list[int] = []

    async def delete_message(channel_id: int, message_id: int, **_: Any) -> None:
        deleted.append(message_id)

    # Fern's messages reach the bot through the gateway: dpytest has no record of them to delete.
    monkeypatch.setattr(world.client.http, "delete_message", delete_message)
    await join(world)
    world.posted()  # the welcome, in #general
    await post(world, "hello everyone!")
    posted = world.posted()
    assert len(deleted) == 1
    # The reminder is for Fern alone: in her direct messages, saying where it is about.
    assert [m for m in posted if not isinstance(m.channel, discord.DMChannel)] == []
    [reminder] = direct_messages(posted)
    first_line, text = reminder.content.split("\n", 1)
    assert first_line == "**Garden** · #general"
    assert "please accept the charter" in text
    sent = world.rest.sent[-1]
    [row] = sent["components"]
    assert [button["label"] for button in row["components"]] == ["I accept"]
    assert world.guild.get_member(NEWCOMER) is not None
    assert GARDENERS not in [role.id for role in world.guild.get_member(NEWCOMER).roles]

    await press_in_direct_messages(world, reminder, sent, newcomer_user())

    # Accepted as by a press in the server: the role, and the answer under her press.
    fern = world.guild.get_member(NEWCOMER)
    assert fern is not None
    assert GARDENERS in [role.id for role in fern.roles]
    [followup] = world.interactions.named("followup")
    assert "You can now post." in followup.payload["content"]
    # Her next message goes through: no second reminder, nothing deleted.
    await post(world, "hello again!")
    assert direct_messages(world.posted()) == []
    assert len(deleted) == 1


async def test_a_press_in_direct_messages_is_heard_as_made_in_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    presses: list[Event] = []

    async def on_press(event: Event) -> None:
        presses.append(event)

    discord_core.bus.subscribe("core", ButtonPressed, on_press)
    sent = await discord_core.actions.send(
        channel_ref("general"),
        "Join the giveaway?",
        buttons=[Button("giveaway:join", "Join")],
        private_to=member_ref("alice"),
    )
    assert sent is not None
    assert world.rest is not None
    payload_sent = world.rest.sent[-1]
    [message] = direct_messages(world.posted())
    alice = {**newcomer_user(), "id": str(MEMBERS["alice"]), "username": "alice"}
    await press_in_direct_messages(world, message, payload_sent, alice)
    [press] = presses
    assert isinstance(press, ButtonPressed)
    assert press.button_id == "giveaway:join"
    assert press.channel.id == str(CHANNELS["general"])
    assert press.community.id == str(GUILD)
    assert press.member.user.id == str(MEMBERS["alice"])
    assert "Gardeners" in press.member.roles
    assert press.message == sent


async def test_a_press_in_direct_messages_by_someone_who_left_is_dropped(
    world: DiscordWorld,
    discord_core: Jardinier,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    presses: list[Event] = []

    async def on_press(event: Event) -> None:
        presses.append(event)

    discord_core.bus.subscribe("core", ButtonPressed, on_press)
    await discord_core.actions.send(
        channel_ref("general"),
        "Join the giveaway?",
        buttons=[Button("giveaway:join", "Join")],
        private_to=member_ref("alice"),
    )
    assert world.rest is not None
    payload_sent = world.rest.sent[-1]
    [message] = direct_messages(world.posted())
    # Alice left the Garden since: Discord knows no such member there.
    world.guild._remove_member(world.member("alice"))

    async def unknown_member(*args: Any, **kwargs: Any) -> Any:
        raise http_error(discord.NotFound, 404, 10007, "Unknown Member")

    monkeypatch.setattr(world.client.http, "get_member", unknown_member)
    alice = {**newcomer_user(), "id": str(MEMBERS["alice"]), "username": "alice"}
    with caplog.at_level(logging.INFO, logger="bot.adapters.discord"):
        await press_in_direct_messages(world, message, payload_sent, alice)
    assert presses == []
    assert any("no longer a member" in record.getMessage() for record in caplog.records)


async def test_buttons_in_the_channel_keep_their_custom_ids(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # Presses of buttons sent before this version come back as ``jardinier:button:<id>``.
    await discord_core.actions.send(
        channel_ref("general"), "Vote!", buttons=[Button("yes", "Yes")]
    )
    assert world.rest is not None
    [row] = world.rest.sent[-1]["components"]
    assert [button["custom_id"] for button in row["components"]] == ["jardinier:button:yes"]


async def test_the_server_and_channel_names_are_shown_as_written(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    world.guild.name = "*Garden* _club_"
    await discord_core.actions.send(
        channel_ref("general"), "Your vote is counted", private_to=member_ref("alice")
    )
    [message] = direct_messages(world.posted())
    assert message.content == "**\\*Garden\\* \\_club\\_** · #general\nYour vote is counted"
