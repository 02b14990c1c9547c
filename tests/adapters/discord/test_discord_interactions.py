"""Slash commands, buttons and autocomplete through the real discord.py client.

dpytest has no interactions: recorded INTERACTION_CREATE payloads go through discord.py's own
parser, and Discord's interaction endpoints (the 3-second acknowledgement, follow-ups) are
answered locally by ``InteractionApi``, which records what the bot sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import discord
import pytest

from bot.adapters.discord.interactions import PendingInteractions
from bot.clock import ManualClock
from bot.commands import CommandContext, Permission, Text, command
from bot.commands.spec import build_spec
from bot.core import Jardinier
from bot.events import ButtonPressed, ChannelRef, CommunityRef, Event, MemberRef
from bot.platform import Button
from tests.adapters.discord.discord_world import (
    CHANNELS,
    GUILD,
    MEMBERS,
    DiscordWorld,
    guild_member,
    http_error,
    payload,
)

EPHEMERAL = 64
DEFERRED_ANSWER = 5
DEFERRED_UPDATE = 6
AUTOCOMPLETE_RESULT = 8
EVERYONE_PERMISSIONS = 117824
MANAGE_MESSAGES = 1 << 13
GARDEN = CommunityRef("discord", str(GUILD), "Garden")


class Recorder:
    """Test commands registered on the core, remembering what they received."""

    def __init__(self, world: DiscordWorld) -> None:
        self.world = world
        self.received: list[dict[str, Any]] = []
        self.acknowledged_first: list[bool] = []

    @command(permission=Permission.MODERATOR)
    async def warn(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who to warn"],
        where: Annotated[ChannelRef, "Where it happened"],
        strikes: Annotated[int, "How many strikes"],
        weight: Annotated[float, "How heavy"],
        public: Annotated[bool, "Say it in the channel"],
        window: Annotated[timedelta, "For how long"],
        reason: Annotated[Text, "Why"],
    ) -> None:
        """Warn a member (a test command with every kind of option)."""
        # Long work runs after Discord was told to wait: the acknowledgement is already out.
        self.acknowledged_first.append(bool(self.world.interactions.named("callback")))
        self.received.append(
            {
                "member": member,
                "where": where,
                "strikes": strikes,
                "weight": weight,
                "public": public,
                "window": window,
                "reason": reason,
            }
        )
        await ctx.reply(f"{member.name} warned")

    @command()
    async def chart(self, ctx: CommandContext) -> None:
        """Answer with a chart (a test command with a file)."""
        await ctx.reply("This week", file=self.chart_file)

    chart_file: Path = Path()

    @command()
    async def ping(self, ctx: CommandContext) -> None:
        """Do nothing visible (a test command that never answers)."""
        self.received.append({})


async def register(core: Jardinier, method: Any, cog: str = "core") -> None:
    core.commands.add(build_spec(method, cog=cog))
    await core.publish_commands()


async def test_a_moderators_slash_command_reaches_the_cog_with_typed_arguments(
    world: DiscordWorld, discord_core: Jardinier, clock: ManualClock
) -> None:
    await world.interact("interaction_create_announce")  # hugo: /announce 2h The photo…
    [scheduled] = discord_core.scheduler.pending("announcement:")
    assert scheduled.kwargs["text"] == "The photo contest opens now!"
    assert scheduled.kwargs["channel_id"] == str(CHANNELS["general"])
    assert scheduled.next_run == clock.now() + timedelta(hours=2)
    calls = world.interactions.calls
    assert [call.name for call in calls] == ["callback", "followup"]
    # Acknowledged at once, privately: a moderator's answer is ephemeral.
    assert calls[0].payload == {"type": DEFERRED_ANSWER, "data": {"flags": EPHEMERAL}}
    assert calls[1].payload["flags"] == EPHEMERAL
    assert "will be posted" in calls[1].payload["content"]
    assert calls[1].payload["allowed_mentions"] == {"parse": []}


async def test_every_kind_of_option_arrives_typed(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    recorder = Recorder(world)
    await register(discord_core, recorder.warn)
    await world.interact("interaction_create_typed_options")
    [received] = recorder.received
    member = received["member"]
    assert isinstance(member, MemberRef)
    assert member.user.id == str(MEMBERS["alice"])
    assert member.name == "Alice"
    assert member.roles == frozenset({"Gardeners"})
    assert not member.platform_moderator
    assert received["where"] == ChannelRef(
        member.community, str(CHANNELS["introductions"]), "#introductions"
    )
    assert received["where"].name == "#introductions"
    assert received["strikes"] == 2
    assert received["weight"] == 1.5
    assert received["public"] is True
    assert received["window"] == timedelta(days=7)
    assert received["reason"] == "Please stay on topic"
    assert recorder.acknowledged_first == [True]
    assert world.interactions.named("followup")[0].payload["content"] == "Alice warned"


async def test_a_non_moderator_is_refused_and_nothing_happens(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    await world.interact("interaction_create_announce_member")  # alice: /announce 1h Free pizza
    assert discord_core.scheduler.pending("announcement:") == []
    [followup] = world.interactions.named("followup")
    assert followup.payload["content"] == "Sorry, /announce is for moderators."
    assert followup.payload["flags"] == EPHEMERAL


async def test_a_rule_book_moderator_role_is_enough(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # rosa has no moderation permission on Discord, but the Moderators role the rule book names.
    rosa = guild_member("rosa", EVERYONE_PERMISSIONS)
    await world.interact("interaction_create_announce_member", member=rosa)
    [scheduled] = discord_core.scheduler.pending("announcement:")
    assert scheduled.kwargs["text"] == "Free pizza"


def in_channel(name: str) -> dict[str, Any]:
    """The changes that move a recorded interaction to channel ``name``."""
    channel = {**payload("interaction_create_announce_member")["channel"], "name": name}
    channel["id"] = str(CHANNELS[name])
    return {"channel": channel, "channel_id": str(CHANNELS[name])}


async def test_managing_messages_in_one_channel_makes_no_moderator_there(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # alice manages messages in #introductions only (a channel overwrite): Discord sends that
    # with her command there. A moderator's command is still not hers.
    alice = guild_member("alice", EVERYONE_PERMISSIONS | MANAGE_MESSAGES)
    await world.interact(
        "interaction_create_announce_member", member=alice, **in_channel("introductions")
    )
    assert discord_core.scheduler.pending("announcement:") == []
    [followup] = world.interactions.named("followup")
    assert followup.payload["content"] == "Sorry, /announce is for moderators."


def ban(target: str) -> dict[str, Any]:
    """The data of ``/ban <target> Spam``, with the target resolved as Discord sends it."""
    member = guild_member(target, EVERYONE_PERMISSIONS)
    user = member.pop("user")
    return {
        "id": "950000000000000098",
        "name": "ban",
        "type": 1,
        "guild_id": str(GUILD),
        "options": [
            {"name": "member", "type": 6, "value": user["id"]},
            {"name": "reason", "type": 3, "value": "Spam"},
        ],
        "resolved": {"users": {user["id"]: user}, "members": {user["id"]: member}},
    }


async def test_only_a_moderator_discord_lets_ban_bans_through_the_bot(
    world: DiscordWorld,
    discord_core: Jardinier,
    rules_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    community = rules_dir / "community.yaml"
    text = community.read_text("utf-8").replace("  - announcements\n", "  - netiquette\n")
    community.write_text(text, encoding="utf-8")
    assert await discord_core.reload_rules() is None
    banned: list[str] = []

    async def ban_on_discord(member: MemberRef, **_: Any) -> None:
        banned.append(member.name)

    monkeypatch.setattr(discord_core.platforms["discord"], "ban", ban_on_discord)
    # hugo moderates with Manage Messages, but Discord would not let him ban.
    hugo = guild_member("hugo", EVERYONE_PERMISSIONS | MANAGE_MESSAGES)
    await world.interact("interaction_create_announce_member", data=ban("alice"), member=hugo)
    assert banned == []
    [refused] = world.interactions.named("followup")
    assert refused.payload["content"] == (
        "Sorry, /ban needs the right to ban members, which you do not have here."
    )
    assert refused.payload["flags"] == EPHEMERAL
    olive = guild_member("olive", discord.Permissions.all().value)  # the owner
    await world.interact("interaction_create_announce_member", data=ban("alice"), member=olive)
    assert banned == ["Alice"]


async def test_everyones_command_is_answered_in_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    await world.interact("interaction_create_help")  # alice: /help
    callback, followup = world.interactions.calls
    assert callback.payload == {"type": DEFERRED_ANSWER}
    assert followup.payload["content"].startswith("Commands you can use in Garden:")
    assert "/announce" not in followup.payload["content"]
    assert "flags" not in followup.payload or followup.payload["flags"] == 0


async def test_a_private_answer_to_a_public_placeholder_is_never_shown_to_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    recorder = Recorder(world)
    # /ping belongs to a cog this community has not enabled: the core answers privately.
    await register(discord_core, recorder.ping, cog="contests")
    await world.interact(
        "interaction_create_help",
        data={"id": "1", "name": "ping", "type": 1, "guild_id": str(GUILD)},
    )
    names = [call.name for call in world.interactions.calls]
    assert names == ["callback", "delete_original", "followup"]
    followup = world.interactions.calls[-1]
    assert followup.payload["flags"] == EPHEMERAL
    assert followup.payload["content"].startswith("I don't know /ping")
    assert recorder.received == []


async def test_a_command_that_says_nothing_leaves_no_thinking_placeholder(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    recorder = Recorder(world)
    await register(discord_core, recorder.ping)
    await world.interact(
        "interaction_create_help",
        data={"id": "1", "name": "ping", "type": 1, "guild_id": str(GUILD)},
    )
    assert recorder.received == [{}]
    assert [call.name for call in world.interactions.calls] == ["callback", "delete_original"]


async def test_an_answer_can_carry_a_file(
    world: DiscordWorld, discord_core: Jardinier, tmp_path: Path
) -> None:
    recorder = Recorder(world)
    recorder.chart_file = tmp_path / "week.png"
    recorder.chart_file.write_bytes(b"\x89PNG chart")
    await register(discord_core, recorder.chart)
    await world.interact(
        "interaction_create_help",
        data={"id": "1", "name": "chart", "type": 1, "guild_id": str(GUILD)},
    )
    [followup] = world.interactions.named("followup")
    assert followup.payload["content"] == "This week"
    assert followup.files == ["week.png"]
    assert followup.payload["attachments"][0]["filename"] == "week.png"


async def test_an_expired_interaction_is_dropped_without_a_crash(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    world.interactions.refuse["callback"] = http_error(
        discord.NotFound, 404, 10062, "Unknown interaction"
    )
    await world.interact("interaction_create_announce")
    assert discord_core.scheduler.pending("announcement:") == []
    assert world.interactions.named("followup") == []


async def test_a_button_press_reaches_the_cogs_and_can_be_answered_privately(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    presses: list[Event] = []

    async def on_press(event: Event) -> None:
        assert isinstance(event, ButtonPressed)
        presses.append(event)
        await discord_core.actions.send(event.channel, "Thank you!", private_to=event.member)

    discord_core.bus.subscribe("core", ButtonPressed, on_press)
    # The message carrying the button was sent before a restart: no view of it is in memory.
    await world.interact("interaction_create_button")
    [press] = presses
    assert isinstance(press, ButtonPressed)
    assert press.button_id == "accept"
    assert press.member.user.id == str(MEMBERS["alice"])
    assert press.channel.id == str(CHANNELS["general"])
    callback, followup = world.interactions.calls
    assert callback.payload == {"type": DEFERRED_UPDATE}
    assert followup.payload["content"] == "Thank you!"
    assert followup.payload["flags"] == EPHEMERAL


async def test_buttons_sent_by_the_bot_come_back_as_presses(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    presses: list[Event] = []

    async def on_press(event: Event) -> None:
        presses.append(event)

    discord_core.bus.subscribe("core", ButtonPressed, on_press)
    channel = await discord_core.resolve_channel(GARDEN, "general")
    assert channel is not None
    sent = await discord_core.actions.send(channel, "Vote!", buttons=[Button("yes", "Yes")])
    assert sent is not None
    assert world.rest is not None
    components = world.rest.sent[-1]["components"]
    message = {
        "id": sent.id,
        "channel_id": str(CHANNELS["general"]),
        "guild_id": str(GUILD),
        "author": {"id": "1", "username": "Jardinier", "bot": True},
        "content": "Vote!",
        "timestamp": "2026-11-02T09:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": components,
    }
    await world.interact(
        "interaction_create_button",
        data={"custom_id": "jardinier:button:yes", "component_type": 2},
        message=message,
    )
    [press] = presses
    assert isinstance(press, ButtonPressed)
    assert press.button_id == "yes"
    assert press.message == sent


async def test_durations_are_suggested_while_typing(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # hugo typing "3" as the delay, his Discord in English
    await world.interact("interaction_create_autocomplete", locale="en-US")
    [callback] = world.interactions.calls
    assert callback.payload["type"] == AUTOCOMPLETE_RESULT
    assert [choice["value"] for choice in callback.payload["data"]["choices"]] == [
        "3m",
        "3h",
        "3d",
        "3w",
    ]


async def test_a_member_whose_discord_is_in_french_is_offered_french_units(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    await world.interact("interaction_create_autocomplete", locale="fr")
    [callback] = world.interactions.calls
    assert [choice["value"] for choice in callback.payload["data"]["choices"]] == [
        "3m",
        "3h",
        "3j",
    ]


def _interaction(number: int, created: datetime) -> Any:
    return SimpleNamespace(
        id=number, created_at=created, channel_id=CHANNELS["general"], user=SimpleNamespace(id=7)
    )


def test_pending_interactions_are_bounded_and_expire() -> None:
    now = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    pending = PendingInteractions(limit=3)
    for number in range(5):
        pending.add_command(_interaction(number, now), ephemeral=True)
    assert len(pending) == 3
    assert pending.command("interaction:0", now) is None  # the oldest made room
    assert pending.command("interaction:4", now) is not None
    # Discord's tokens live 15 minutes: an interaction is not answered after 14.
    assert pending.command("interaction:4", now + timedelta(minutes=13)) is not None
    assert pending.command("interaction:4", now + timedelta(minutes=14)) is None
    pending.add_press(_interaction(9, now))
    assert pending.press(str(CHANNELS["general"]), "7", now) is not None
    assert pending.press(str(CHANNELS["general"]), "8", now) is None
