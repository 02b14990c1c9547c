"""The real discord.py client, driven by dpytest and recorded gateway payloads, serving the core.

Each test reads as what members and moderators would notice in the Garden.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import discord
import discord.ext.test as dpytest
import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    UserRef,
)
from bot.platform import Button, Capability, PlatformError
from bot.ruleconf import plain_name, render
from tests.adapters.discord.discord_world import (
    BOT_ROLE,
    CHANNELS,
    GUILD,
    MEMBERS,
    DiscordWorld,
    http_error,
    payload,
)
from tests.support.refusals import written

GARDEN = CommunityRef("discord", str(GUILD), "Garden")


def heard(core: Jardinier, kind: type[Event]) -> list[Event]:
    """Subscribe a core listener (standing in for a cog) and return what it hears."""
    events: list[Event] = []

    async def listen(event: Event) -> None:
        events.append(event)

    core.bus.subscribe("core", kind, listen)
    return events


def channel_ref(name: str) -> ChannelRef:
    return ChannelRef(GARDEN, str(CHANNELS[name]), f"#{name}")


def member_ref(name: str) -> MemberRef:
    """The member as a cog holds them (from an earlier event: display name)."""
    return MemberRef(GARDEN, UserRef("discord", str(MEMBERS[name]), name.title()))


def welcome_listener(core: Jardinier) -> None:
    """A tiny core listener standing in for the welcome cog."""

    async def greet(event: Event) -> None:
        assert isinstance(event, MemberJoined)
        channel = await core.resolve_channel(event.community, "general")
        assert channel is not None
        await core.actions.send(channel, f"Welcome {event.member.name}! Say hello in #general.")

    core.bus.subscribe("core", MemberJoined, greet)


# -- members arrive and leave -------------------------------------------------------------------


async def test_a_member_joins_and_the_welcome_reaches_the_channel(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    welcome_listener(discord_core)
    newcomer = await dpytest.member_join(world.guild, name="basil")
    await world.settle()
    [welcome] = world.posted()
    assert welcome.channel == world.channel("general")
    assert welcome.content == "Welcome basil! Say hello in #general."
    joined = await discord_core.members.get(GARDEN, str(newcomer.id))
    assert joined is not None


async def test_a_member_named_everyone_pings_no_one(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    welcome_listener(discord_core)
    await world.feed("GUILD_MEMBER_ADD", payload("guild_member_add"))
    [welcome] = world.posted()
    assert welcome.content == "Welcome @everyone! Say hello in #general."
    # What the library sent to Discord: mentions switched off, whatever the text says.
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": []}
    assert "<@" not in welcome.content


async def test_a_member_leaving_reaches_the_cogs(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    left = heard(discord_core, MemberLeft)
    await world.feed("GUILD_MEMBER_REMOVE", payload("guild_member_remove"))
    assert [event.member.user.id for event in left if isinstance(event, MemberLeft)] == [
        str(MEMBERS["alice"])
    ]


async def test_the_member_count_is_the_servers_as_the_gateway_keeps_it(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    """Discord says how many members the server has (GUILD_CREATE, then each join and
    departure): no request, and members the bot never saw are counted."""
    assert Capability.MEMBER_COUNT in world.platform.capabilities
    assert await world.platform.member_count(GARDEN) == 5  # the four, and the bot that joined
    await world.feed("GUILD_MEMBER_ADD", payload("guild_member_add"))
    assert await world.platform.member_count(GARDEN) == 6
    await world.feed("GUILD_MEMBER_REMOVE", payload("guild_member_remove"))
    assert await world.platform.member_count(GARDEN) == 5
    unknown = CommunityRef("discord", "123456789012345678", "Elsewhere")
    assert await world.platform.member_count(unknown) is None


# -- messages -----------------------------------------------------------------------------------


async def test_a_post_reaches_the_cogs_as_a_neutral_message(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    posts = heard(discord_core, MessageCreated)
    await dpytest.message("Bonjour le jardin", world.channel("general"), world.member("alice"))
    [post] = posts
    assert isinstance(post, MessageCreated)
    assert post.text == "Bonjour le jardin"
    assert post.channel == channel_ref("general")
    assert post.channel.name == "#general"
    assert post.author.name == "Alice"
    assert post.author.roles == frozenset({"Gardeners"})
    assert not post.author.platform_moderator


async def test_the_bots_own_messages_are_not_events(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    posts = heard(discord_core, MessageCreated)
    await discord_core.actions.send(channel_ref("general"), "Hello from the bot")
    await world.settle()
    assert posts == []


async def test_an_edit_and_a_deletion_reach_the_cogs(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    edits, deletions = heard(discord_core, MessageEdited), heard(discord_core, MessageDeleted)
    await world.feed("MESSAGE_CREATE", payload("message_create"))
    await world.feed("MESSAGE_UPDATE", payload("message_update"))
    await world.feed("MESSAGE_DELETE", payload("message_delete"))
    [edit] = edits
    assert isinstance(edit, MessageEdited)
    assert edit.text.endswith("look at my first ripe tomato!")
    [deletion] = deletions
    assert isinstance(deletion, MessageDeleted)
    assert deletion.message == edit.message


async def test_a_reaction_reaches_the_cogs(world: DiscordWorld, discord_core: Jardinier) -> None:
    reactions = heard(discord_core, ReactionAdded)
    await world.feed("MESSAGE_REACTION_ADD", payload("message_reaction_add"))
    [reaction] = reactions
    assert isinstance(reaction, ReactionAdded)
    assert reaction.emoji == "🍅"
    assert reaction.member.platform_moderator  # hugo has Manage Messages


# -- what the bot does --------------------------------------------------------------------------


async def test_a_reply_quotes_the_message_and_pings_nobody(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    original = await dpytest.message(
        "@everyone free seeds!", world.channel("general"), world.member("alice")
    )
    await discord_core.actions.send(
        channel_ref("general"),
        "Please do not ping everyone.",
        reply_to=MessageRef(channel_ref("general"), str(original.id)),
    )
    sent = world.rest.sent[-1] if world.rest else {}
    assert sent["message_reference"]["message_id"] == original.id
    assert sent["allowed_mentions"] == {"parse": []}  # nor the replied-to author


async def test_a_cog_mentioning_the_member_it_addresses_pings_only_them(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    alice = member_ref("alice")
    await discord_core.actions.send(
        channel_ref("general"), "Welcome @Alice, and hello @everyone!", mention=[alice.user]
    )
    [message] = world.posted()
    assert message.content == f"Welcome <@{MEMBERS['alice']}>, and hello @everyone!"
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": [], "users": [MEMBERS["alice"]]}


def discord_shows(content: str) -> str:
    """What Discord shows of ``content`` once its escapes are read: a backslash before any
    character that is not a letter, a digit or a space is not shown (Discord's rule)."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", content)


PHISHING = (
    "you idiot [Open this case in the moderation dashboard](https://phish.example/login)"
    " ||@everyone||"
)


async def test_a_members_words_quoted_by_the_bot_are_shown_as_typed_not_as_markdown(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    async def log_it(event: Event) -> None:  # standing in for the mod-log's excerpt
        assert isinstance(event, MessageCreated)
        await discord_core.actions.send(channel_ref("mod-log"), f"🛡️ Case 1 · “{event.text}”")

    discord_core.bus.subscribe("core", MessageCreated, log_it)
    data = payload("message_create")
    data["content"] = PHISHING
    await world.feed("MESSAGE_CREATE", data)
    [logged] = world.posted()
    # No masked link hiding where it leads, no spoiler: the words as the member typed them.
    assert logged.content == (
        "🛡️ Case 1 · “you idiot \\[Open this case in the moderation dashboard]"
        "(https://phish.example/login) \\|\\|@everyone\\|\\|”"
    )
    assert discord_shows(logged.content) == f"🛡️ Case 1 · “{PHISHING}”"
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": []}


async def test_markdown_a_member_typed_reaches_no_one_as_markdown_even_privately(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    typed = (
        "# Free seeds\n> from the team\n**claim** <@500000000000000001> [here](https://x.example)"
    )
    assert await discord_core.actions.dm(member_ref("alice").user, typed, community=GARDEN)
    [message] = world.posted()
    assert message.content == (
        "\\# Free seeds\n\\> from the team\n\\*\\*claim\\*\\* \\<@500000000000000001>"
        " \\[here](https://x.example)"
    )
    assert discord_shows(message.content) == typed


async def test_a_welcome_texts_own_channel_role_emoji_and_time_are_drawn_a_members_name_is_not(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # A member named like the tags the welcome text's author wrote, with @everyone too.
    named = plain_name("<#123> <:x:1> @everyone <@&456>")
    welcome = (
        "Welcome {member}! Read <#123>, ask <@&456> <:garden:789> <a:wave:790>"
        " (season opens <t:1700000000:R>)"
    )
    await discord_core.actions.send(channel_ref("general"), render(welcome, member=named))
    [message] = world.posted()
    assert message.content == (
        r"Welcome \<#123> \<:x:1> @everyone \<@&456>! Read <#123>, ask <@&456> <:garden:789>"
        " <a:wave:790> (season opens <t:1700000000:R>)"
    )
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": []}  # the role is not pinged


async def test_the_bots_own_pings_and_links_still_work_once_the_text_is_escaped(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    rosa = UserRef("discord", str(MEMBERS["rosa"]), "rosa_b")
    await discord_core.actions.send(
        channel_ref("general"),
        "Welcome @rosa_b! Read the charter: https://garden.example/charter_v2#rule_1",
        mention=[rosa],
    )
    [message] = world.posted()
    # The ping is a real mention; the address is left whole, so it still leads where it says.
    assert message.content == (
        f"Welcome <@{MEMBERS['rosa']}>! Read the charter: https://garden.example/charter_v2#rule_1"
    )
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": [], "users": [MEMBERS["rosa"]]}


async def test_long_texts_are_cut_at_line_ends(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    lines = [f"line {number}: " + "x" * 90 for number in range(40)]
    await discord_core.actions.send(channel_ref("general"), "\n".join(lines))
    messages = world.posted()
    assert len(messages) == 2
    assert all(len(message.content) <= 2000 for message in messages)
    assert "\n".join(message.content for message in messages) == "\n".join(lines)


async def test_buttons_and_a_file_go_with_the_message(
    world: DiscordWorld, discord_core: Jardinier, tmp_path: Path
) -> None:
    chart = tmp_path / "activity.png"
    chart.write_bytes(b"\x89PNG fake chart")
    ref = await discord_core.actions.send(
        channel_ref("general"),
        "Weekly report",
        buttons=[Button("details", "Details"), Button("thanks", "Thanks!")],
        file=chart,
    )
    [message] = world.posted()
    assert ref == MessageRef(channel_ref("general"), str(message.id))
    [attachment] = message.attachments
    assert attachment.filename == "activity.png"
    assert world.rest is not None
    [row] = world.rest.sent[-1]["components"]
    assert [(b["label"], b["custom_id"]) for b in row["components"]] == [
        ("Details", "jardinier:button:details"),
        ("Thanks!", "jardinier:button:thanks"),
    ]


async def test_a_file_over_the_servers_limit_is_refused_without_being_sent(
    world: DiscordWorld, discord_core: Jardinier, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(b"x" * (10 * 1024 * 1024 + 1))  # the server's 10 MB, and a byte
    assert world.rest is not None
    before = len(world.rest.sent)
    assert await discord_core.actions.send(channel_ref("general"), "Export", file=export) is None
    [report] = world.posted()
    assert report.channel == world.channel("mod-log")
    assert "export.csv" in report.content
    assert len(world.rest.sent) == before + 1  # only the report went out


async def test_kick_removes_the_member(world: DiscordWorld, discord_core: Jardinier) -> None:
    left = heard(discord_core, MemberLeft)
    assert await discord_core.actions.kick(member_ref("alice"), reason="spam")
    await world.settle()
    assert world.guild.get_member(MEMBERS["alice"]) is None
    assert [event.member.user.id for event in left if isinstance(event, MemberLeft)] == [
        str(MEMBERS["alice"])
    ]


async def test_ban_removes_the_member_and_their_recent_messages(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    banned: list[tuple[int, int]] = []

    async def on_ban(
        guild: discord.Guild, member: discord.Member, seconds: int, **_: object
    ) -> None:
        banned.append((member.id, seconds))

    dpytest.callbacks.set_callback(on_ban, "ban")
    try:
        assert await discord_core.actions.ban(member_ref("alice"), reason="spam", delete_days=30)
    finally:
        dpytest.callbacks.remove_callback("ban")
    assert banned == [(MEMBERS["alice"], 7 * 86400)]  # Discord deletes at most 7 days
    assert world.guild.get_member(MEMBERS["alice"]) is None


async def test_unban_lifts_the_ban(world: DiscordWorld, discord_core: Jardinier) -> None:
    assert await discord_core.actions.unban(GARDEN, member_ref("alice").user, reason="appeal")
    assert world.rest is not None
    [call] = world.rest.named("unban")
    assert call.payload["args"][:2] == (MEMBERS["alice"], GUILD)


async def test_timeout_lasts_at_most_28_days(
    world: DiscordWorld,
    discord_core: Jardinier,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    far = discord.utils.utcnow() + timedelta(days=60)
    with caplog.at_level(logging.INFO, logger="bot.adapters.discord"):
        assert await discord_core.actions.timeout(member_ref("alice"), far, reason="cool down")
    assert world.rest is not None
    [call] = world.rest.named("edit_member")
    until = discord.utils.parse_time(call.payload["communication_disabled_until"])
    assert until is not None
    assert timedelta(days=27) < until - discord.utils.utcnow() <= timedelta(days=28)
    # The log, kept out of reach of /forget_member, names the member by id only.
    assert (
        f"timeouts last 30 seconds to 28 days; {MEMBERS['alice']}'s is brought within"
        in caplog.messages
    )
    assert "Alice" not in caplog.text


async def test_timeout_lasts_what_the_platform_declares(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    platform = discord_core.actions.platform("discord")
    assert platform is not None
    assert platform.timeout_range == (timedelta(seconds=30), timedelta(days=28))
    near = discord.utils.utcnow() + timedelta(seconds=5)
    assert await discord_core.actions.timeout(member_ref("alice"), near)
    assert world.rest is not None
    [call] = world.rest.named("edit_member")
    until = discord.utils.parse_time(call.payload["communication_disabled_until"])
    assert until is not None
    assert timedelta(seconds=25) < until - discord.utils.utcnow() <= timedelta(seconds=30)


LONG_REASON = "Repeated flooding of #general with links to a seed shop: " + "spam " * 120


async def test_a_long_reason_is_cut_for_the_audit_log_not_refused(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    reasons: list[str | None] = []

    async def as_discord(*_: object, reason: str | None = None) -> None:
        reasons.append(reason)
        if reason is not None and len(reason) > 512:
            raise http_error(
                discord.HTTPException, 400, 50035, "Invalid Form Body: Must be 512 or fewer"
            )

    for event in ("ban", "kick"):
        dpytest.callbacks.set_callback(as_discord, event)
    try:
        until = discord.utils.utcnow() + timedelta(hours=1)
        assert await discord_core.actions.timeout(member_ref("hugo"), until, reason=LONG_REASON)
        assert await discord_core.actions.kick(member_ref("hugo"), reason=LONG_REASON)
        assert await discord_core.actions.ban(member_ref("alice"), reason=LONG_REASON)
        assert await discord_core.actions.unban(GARDEN, member_ref("alice").user, reason="x" * 600)
    finally:
        for event in ("ban", "kick"):
            dpytest.callbacks.remove_callback(event)
    assert world.rest is not None
    [timeout] = world.rest.named("edit_member")
    [unban] = world.rest.named("unban")
    reasons += [timeout.payload["reason"], unban.payload["reason"]]
    assert [len(reason or "") for reason in reasons] == [512, 512, 512, 512]
    assert all(reason and reason.endswith("…") for reason in reasons)
    assert reasons[0] == LONG_REASON[:511].rstrip() + "…"
    assert world.guild.get_member(MEMBERS["alice"]) is None
    assert world.posted() == []


async def test_roles_are_given_and_taken_by_name(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert await discord_core.actions.add_role(member_ref("alice"), "moderators")
    assert "Moderators" in [role.name for role in world.member("alice").roles]
    assert await discord_core.actions.remove_role(member_ref("alice"), "Gardeners")
    assert "Gardeners" not in [role.name for role in world.member("alice").roles]


async def test_a_past_time_lifts_a_timeout(world: DiscordWorld, discord_core: Jardinier) -> None:
    past = discord.utils.utcnow() - timedelta(minutes=1)
    assert await discord_core.actions.timeout(member_ref("alice"), past)
    assert world.rest is not None
    [call] = world.rest.named("edit_member")
    assert call.payload["communication_disabled_until"] is None


async def test_a_role_that_does_not_exist_or_is_above_the_bot_is_reported(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert not await discord_core.actions.add_role(member_ref("alice"), "Gardners")
    assert not await discord_core.actions.add_role(member_ref("alice"), "Admins")
    assert [m.content for m in world.posted()] == [
        "⚠️ There is no role named “Gardners” in Garden",
        "⚠️ The role Admins is not below my highest role in Garden (or an integration manages "
        "it); move my role above it",
    ]
    assert "Admins" not in [role.name for role in world.member("alice").roles]


async def test_a_role_for_a_member_who_left_names_the_member_not_the_role(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def gone(guild: discord.Guild, member_id: int) -> discord.Member:
        raise http_error(discord.NotFound, 404, 10007, "Unknown Member")

    monkeypatch.setattr(discord.Guild, "fetch_member", gone)
    ghost = MemberRef(GARDEN, UserRef("discord", "500000000000000999", "Ghost"))
    assert not await discord_core.actions.add_role(ghost, "Gardeners")
    assert [m.content for m in world.posted()] == ["⚠️ Ghost is no longer a member of Garden"]


async def test_the_bot_reacts_and_deletes(world: DiscordWorld, discord_core: Jardinier) -> None:
    message = await dpytest.message("spam spam", world.channel("general"), world.member("alice"))
    ref = MessageRef(channel_ref("general"), str(message.id))
    deletions = heard(discord_core, MessageDeleted)
    assert await discord_core.actions.react(ref, "🌱")
    assert world.rest is not None
    [reaction] = world.rest.named("add_reaction")
    assert reaction.payload["args"] == (CHANNELS["general"], message.id, "🌱")
    assert await discord_core.actions.delete(ref)
    await world.settle()
    assert [event.message for event in deletions if isinstance(event, MessageDeleted)] == [ref]


async def test_a_purge_deletes_recent_messages_in_bulk(
    world: DiscordWorld, discord_platform: object
) -> None:
    from bot.adapters.discord.adapter import DiscordPlatform

    assert isinstance(discord_platform, DiscordPlatform)
    now = discord.utils.utcnow()
    recent = [discord.utils.time_snowflake(now - timedelta(minutes=m)) for m in (1, 2, 3)]
    old = discord.utils.time_snowflake(now - timedelta(days=20))
    refs = [MessageRef(channel_ref("general"), str(i)) for i in [*recent, old]]
    deleted_one_by_one: list[int] = []

    async def delete_message(channel_id: int, message_id: int, **_: object) -> None:
        deleted_one_by_one.append(message_id)

    assert world.rest is not None
    world.client.http.delete_message = delete_message  # type: ignore[method-assign]
    await discord_platform.delete_many(refs)
    [bulk] = world.rest.named("delete_messages")
    assert sorted(bulk.payload["args"][1]) == sorted(recent)
    assert deleted_one_by_one == [old]


class DeletionsOneByOne:
    """Discord's single-message delete endpoint: what was asked, what went, what it refused."""

    def __init__(self, world: DiscordWorld, refuse: dict[int, Exception] | None = None) -> None:
        self.asked: list[int] = []
        self.deleted: list[int] = []
        self.refuse = refuse or {}
        world.client.http.delete_message = self.delete_message  # type: ignore[method-assign]

    async def delete_message(self, channel_id: int, message_id: int, **_: object) -> None:
        self.asked.append(message_id)
        if message_id in self.refuse:
            raise self.refuse[message_id]
        self.deleted.append(message_id)


def snowflakes(age: timedelta, count: int) -> list[int]:
    """Ids of ``count`` messages posted ``age`` ago, a second apart."""
    then = discord.utils.utcnow() - age
    return [discord.utils.time_snowflake(then + timedelta(seconds=i)) for i in range(count)]


def in_channel(name: str, ids: list[int]) -> list[MessageRef]:
    return [MessageRef(channel_ref(name), str(i)) for i in ids]


async def test_a_purge_goes_on_past_messages_and_channels_already_gone(
    world: DiscordWorld, discord_core: Jardinier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A member asks to erase their data: their posts span channels, some already deleted.
    recent = snowflakes(timedelta(minutes=5), 3)
    old = snowflakes(timedelta(days=30), 4)
    gone = http_error(discord.NotFound, 404, 10008, "Unknown Message")
    one_by_one = DeletionsOneByOne(world, refuse={old[0]: gone})

    async def get_channel(channel_id: int) -> object:
        raise http_error(discord.NotFound, 404, 10003, "Unknown Channel")

    monkeypatch.setattr(world.client.http, "get_channel", get_channel)
    deleted_channel = ChannelRef(GARDEN, "410000000000000099", "#old-ideas")
    messages = [
        MessageRef(deleted_channel, "410000000000000100"),
        *in_channel("general", [*old, *recent]),
    ]
    assert await discord_core.actions.delete_many(messages)
    assert world.rest is not None
    [bulk] = world.rest.named("delete_messages")
    assert sorted(bulk.payload["args"][1]) == sorted(recent)
    assert one_by_one.deleted == old[1:]  # the rest, past the one already gone
    assert world.posted() == []  # nothing to report: everything is gone


async def test_a_purge_deletes_all_it_can_and_reports_once_what_it_could_not(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    general_old = snowflakes(timedelta(days=20), 3)
    intro_recent = snowflakes(timedelta(hours=1), 2)
    intro_old = snowflakes(timedelta(days=40), 2)
    one_by_one = DeletionsOneByOne(
        world,
        refuse={
            # Discord keeps some messages (a member's join notice) whatever the bot asks.
            general_old[0]: http_error(
                discord.HTTPException, 400, 50021, "Cannot execute action on a system message"
            )
        },
    )
    assert world.rest is not None
    world.rest.refuse["delete_messages"] = http_error(
        discord.Forbidden, 403, 50013, "Missing Permissions"
    )
    messages = [
        *in_channel("general", general_old),
        *in_channel("introductions", [*intro_recent, *intro_old]),
    ]
    assert not await discord_core.actions.delete_many(messages)
    assert one_by_one.deleted == general_old[1:]
    # Refused for the whole channel: its older messages are not asked for in vain.
    assert not set(one_by_one.asked) & set(intro_old)
    [report] = world.posted()
    assert report.channel == world.channel("mod-log")
    assert report.content == "⚠️ I lack the Manage Messages permission in #introductions"


async def test_without_manage_messages_the_bots_own_posts_go_one_by_one(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    # The bulk endpoint needs Manage Messages; the bot's own posts (a member's suggestions,
    # erased at their request) can be deleted without it, one at a time.
    channel = next(
        dict(c) for c in payload("guild_create")["channels"] if c["name"] == "introductions"
    )
    channel["guild_id"] = str(GUILD)
    channel["permission_overwrites"] = [
        {"id": str(BOT_ROLE), "type": 0, "allow": "0", "deny": str(1 << 13)}
    ]
    await world.feed("CHANNEL_UPDATE", channel)
    posts = snowflakes(timedelta(minutes=10), 3)
    one_by_one = DeletionsOneByOne(world)
    assert await discord_core.actions.delete_many(in_channel("introductions", posts))
    assert one_by_one.deleted == posts
    assert world.rest is not None
    assert world.rest.named("delete_messages") == []


async def test_a_direct_message_to_a_member_who_closed_them_is_reported_not_raised(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert world.rest is not None
    world.rest.refuse["send_message"] = http_error(
        discord.Forbidden, 403, 50007, "Cannot send messages to this user"
    )
    assert not await discord_core.actions.dm(member_ref("alice").user, "Hi!", community=GARDEN)
    [report] = world.posted()
    assert report.channel == world.channel("mod-log")
    assert report.content == "⚠️ Alice does not accept direct messages"


async def test_a_direct_message_can_carry_a_file(
    world: DiscordWorld, discord_core: Jardinier, tmp_path: Path
) -> None:
    export = tmp_path / "data.json"
    export.write_text('{"data": {}}')
    alice = member_ref("alice").user
    assert await discord_core.actions.dm(alice, "What I keep", community=GARDEN, file=export)
    [message] = world.posted()
    assert isinstance(message.channel, discord.DMChannel)
    recipient = world.client.get_user(int(alice.id))
    assert recipient is not None
    assert recipient.dm_channel is not None
    assert message.channel.id == recipient.dm_channel.id
    assert world.rest is not None
    assert world.rest.sent[-1]["content"] == "What I keep"  # dpytest drops a file's text
    [attachment] = message.attachments
    assert attachment.filename == "data.json"


async def test_a_scheduled_announcement_of_everyone_pings_no_one(
    world: DiscordWorld, discord_core: Jardinier, clock: ManualClock
) -> None:
    await world.interact(
        "interaction_create_announce",
        data={
            "id": "950000000000000001",
            "name": "announce",
            "type": 1,
            "guild_id": str(GUILD),
            "options": [
                {"name": "delay", "type": 3, "value": "10m"},
                {"name": "text", "type": 3, "value": "@everyone @here the contest opens!"},
            ],
        },
    )
    await discord_core.scheduler.advance(timedelta(minutes=11))
    await world.settle()
    [announcement] = world.posted()
    assert announcement.content == "@everyone @here the contest opens!"
    assert world.rest is not None
    assert world.rest.sent[-1]["allowed_mentions"] == {"parse": []}


# -- refusals -----------------------------------------------------------------------------------


async def test_a_missing_permission_is_reported_once_to_the_mod_log(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    message = await dpytest.message("spam", world.channel("general"), world.member("alice"))
    ref = MessageRef(channel_ref("general"), str(message.id))
    assert world.rest is not None
    for _ in range(3):
        world.rest.refuse["delete_message"] = http_error(
            discord.Forbidden, 403, 50013, "Missing Permissions"
        )
        assert not await discord_core.actions.delete(ref)
    reports = [m for m in world.posted() if m.channel == world.channel("mod-log")]
    assert [m.content for m in reports] == ["⚠️ I lack the Manage Messages permission in #general"]


async def test_posting_where_the_bot_may_not_is_refused_before_asking_discord(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert world.rest is not None
    before = len(world.rest.sent)
    assert await discord_core.actions.send(channel_ref("rules"), "Read the rules") is None
    [report] = world.posted()
    assert report.content == "⚠️ I lack the Send Messages permission in #rules"
    assert len(world.rest.sent) == before + 1  # only the report went out


async def test_a_rate_limit_is_one_report_not_a_retry_storm(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert world.rest is not None
    attempts = 0

    async def limited(*args: object, **kwargs: object) -> None:
        nonlocal attempts
        attempts += 1
        raise discord.RateLimited(120.0)

    world.client.http.add_reaction = limited  # type: ignore[method-assign]
    ref = MessageRef(channel_ref("general"), "1566742413312000000")
    for _ in range(5):
        assert not await discord_core.actions.react(ref, "👍")
    assert attempts == 5  # one request per action, never retried
    reports = [m.content for m in world.posted() if m.channel == world.channel("mod-log")]
    assert reports == ["⚠️ Discord is rate-limiting me in #general; some actions were dropped"]


async def test_an_unknown_message_is_a_platform_error_naming_the_channel(
    world: DiscordWorld, discord_platform: object
) -> None:
    from bot.adapters.discord.adapter import DiscordPlatform

    assert isinstance(discord_platform, DiscordPlatform)
    assert world.rest is not None
    world.rest.refuse["delete_message"] = http_error(
        discord.NotFound, 404, 10008, "Unknown Message"
    )
    with pytest.raises(PlatformError) as refused:
        await discord_platform.delete(MessageRef(channel_ref("general"), "1566742413312000000"))
    assert written(refused.value) == "The message I was to act on in #general no longer exists"
    assert refused.value.community == GARDEN


async def test_a_member_above_the_bot_is_not_kicked(
    world: DiscordWorld, discord_core: Jardinier
) -> None:
    assert not await discord_core.actions.kick(member_ref("olive"))
    [report] = world.posted()
    assert report.content == "⚠️ Olive owns Garden; nobody can moderate the owner"
    assert world.guild.get_member(MEMBERS["olive"]) is not None


# -- finding members and channels ---------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        f"<@{MEMBERS['hugo']}>",
        f"<@!{MEMBERS['hugo']}>",
        str(MEMBERS["hugo"]),
        "hugo",
        "@Hugo (helper)",
    ],
)
async def test_members_are_found_by_mention_id_or_name(
    world: DiscordWorld, discord_core: Jardinier, typed: str
) -> None:
    found = await discord_core.resolve_member(GARDEN, typed)
    assert found is not None
    assert found.user.id == str(MEMBERS["hugo"])
    assert found.platform_moderator
    assert found.roles == frozenset({"Helpers"})


@pytest.mark.parametrize(
    "typed", [f"<#{CHANNELS['mod-log']}>", str(CHANNELS["mod-log"]), "#mod-log", "Mod-Log"]
)
async def test_channels_are_found_by_mention_id_or_name(
    world: DiscordWorld, discord_core: Jardinier, typed: str
) -> None:
    assert await discord_core.resolve_channel(GARDEN, typed) == channel_ref("mod-log")


async def test_unknown_names_find_nothing(world: DiscordWorld, discord_core: Jardinier) -> None:
    assert await discord_core.resolve_channel(GARDEN, "#nowhere") is None
    assert await discord_platform_resolve(world, "nobody") is None


async def discord_platform_resolve(world: DiscordWorld, text: str) -> MemberRef | None:
    return await world.platform.resolve_member(GARDEN, text)


STRANGER = "1566742413312999999"  # an id no member of the Garden has


def fetching_member_fails(
    world: DiscordWorld, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """Discord answers ``error`` when the bot asks for a member it has not cached."""

    async def get_member(guild_id: int, member_id: int) -> object:
        raise error

    monkeypatch.setattr(world.client.http, "get_member", get_member)


@pytest.mark.parametrize(
    "error",
    [
        http_error(discord.NotFound, 404, 10007, "Unknown Member"),
        http_error(discord.NotFound, 404, 10013, "Unknown User"),
    ],
)
async def test_an_id_discord_knows_no_member_by_finds_nobody(
    world: DiscordWorld, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    fetching_member_fails(world, monkeypatch, error)
    assert await discord_platform_resolve(world, f"<@{STRANGER}>") is None


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            http_error(discord.DiscordServerError, 503, 0, "Service Unavailable"),
            "Discord had a server error when I tried to find a member in Garden",
        ),
        (
            http_error(discord.HTTPException, 429, 0, "You are being rate limited."),
            "Discord is rate-limiting me in Garden; some actions were dropped",
        ),
        (aiohttp.ClientConnectionError(), "I could not reach Discord to find a member in Garden"),
    ],
)
async def test_a_member_discord_could_not_look_up_is_not_said_to_be_missing(
    world: DiscordWorld, monkeypatch: pytest.MonkeyPatch, error: Exception, said: str
) -> None:
    fetching_member_fails(world, monkeypatch, error)
    with pytest.raises(PlatformError) as refused:
        await discord_platform_resolve(world, STRANGER)
    assert written(refused.value) == said
    assert refused.value.community == GARDEN


async def test_a_name_search_discord_does_not_answer_is_not_said_to_find_nobody(
    world: DiscordWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def query_members(self: discord.Guild, **_: object) -> list[discord.Member]:
        raise TimeoutError

    # Members Discord has not sent yet are searched for by name through the gateway.
    monkeypatch.setattr(world.guild, "_member_count", len(world.guild.members) + 100)
    monkeypatch.setattr(discord.Guild, "query_members", query_members)
    with pytest.raises(PlatformError) as refused:
        await discord_platform_resolve(world, "nobody")
    assert written(refused.value) == "I could not reach Discord to find a member in Garden"
