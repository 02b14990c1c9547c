"""Recorded gateway payloads → discord.py objects → neutral events (``convert.py``, pure).

The payloads under ``fixtures/`` are shaped like the examples of Discord's API documentation;
discord.py parses them exactly as it would from the websocket.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest

from bot.adapters.discord import convert
from bot.commands import CommandContext, Permission, Text, command
from bot.commands.spec import CommandSpec, build_spec
from bot.events import (
    ChannelRef,
    CommunityRef,
    MemberRef,
    MessageRef,
    Power,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from cogs.announcements.cog import AnnouncementsCog
from tests.adapters.discord.discord_world import (
    CHANNELS,
    GUILD,
    MEMBERS,
    RecordedGateway,
    guild_member,
    payload,
)

GARDEN = CommunityRef("discord", str(GUILD), "Garden")
GENERAL = ChannelRef(GARDEN, str(CHANNELS["general"]), "#general")
LATER = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def gateway() -> RecordedGateway:
    """The Garden loaded from its GUILD_CREATE payload."""
    return RecordedGateway()


class Moderation:
    """A declaration with every kind of option, for typed-option conversion."""

    @command(permission=Permission.MODERATOR)
    async def warn(
        self,
        ctx: CommandContext,
        member: Annotated[MemberRef, "Who"],
        where: Annotated[ChannelRef, "Where"],
        strikes: Annotated[int, "How many"],
        weight: Annotated[float, "How heavy"],
        public: Annotated[bool, "In public"],
        window: Annotated[timedelta, "How long"],
        reason: Annotated[Text, "Why"],
    ) -> None:
        """Warn a member."""


def warn_spec() -> CommandSpec:
    return build_spec(Moderation.warn)


# -- messages -----------------------------------------------------------------------------------


def test_a_reply_with_a_mention_and_a_photo(gateway: RecordedGateway) -> None:
    message = gateway.parse("MESSAGE_CREATE", payload("message_create"), "message")
    event = convert.message_created(message)
    assert event is not None
    assert event.at == datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    assert event.message == MessageRef(GENERAL, "1566742413312000000")
    assert event.channel.name == "#general"
    assert event.community.name == "Garden"
    assert event.text == "<@500000000000000003> look at my first tomato!"
    assert event.author == MemberRef(GARDEN, UserRef("discord", str(MEMBERS["alice"])))
    assert event.author.name == "Alice"
    assert event.author.roles == frozenset({"Gardeners"})
    assert not event.author.platform_moderator
    assert event.reply_to == MessageRef(GENERAL, "1566739896729600000")
    assert event.mentions == (UserRef("discord", str(MEMBERS["rosa"])),)
    assert event.mentions[0].name == "Rosa"
    assert event.attachments == ("tomato.jpg",)
    assert event.raw is message
    assert event.reply_to_author is None  # Discord did not send the message replied to


def replying_to(answered: dict[str, Any]) -> dict[str, Any]:
    """Alice's reply, with the message it answers resolved (as Discord sends it, when it can)."""
    data = payload("message_create")
    data["message_reference"]["message_id"] = answered["id"]
    return {**data, "referenced_message": answered}


def test_a_reply_names_the_author_of_the_message_it_answers(gateway: RecordedGateway) -> None:
    """However old the answered message, Discord's copy of it says who wrote it: the cogs need
    no memory of it to credit its author."""
    rosa = {**payload("message_create"), "id": "1566739896729600000", "content": "Water daily"}
    rosa["author"] = {**rosa["mentions"][0]}
    rosa["member"] = rosa["author"].pop("member")
    rosa["mentions"] = []
    del rosa["message_reference"], rosa["referenced_message"]
    rosa["type"] = 0
    message = gateway.parse("MESSAGE_CREATE", replying_to(rosa), "message")
    event = convert.message_created(message)
    assert event is not None
    assert event.reply_to == MessageRef(GENERAL, "1566739896729600000")
    assert event.reply_to_author == UserRef("discord", str(MEMBERS["rosa"]))
    assert event.reply_to_author.name == "Rosa"
    assert not event.reply_to_author.is_bot


def test_a_reply_to_a_webhooks_post_names_a_bot(gateway: RecordedGateway) -> None:
    answered = webhook_post(payload("message_create"))
    answered = {**answered, "id": "1566739896729600000", "mentions": [], "type": 0}
    del answered["message_reference"], answered["referenced_message"]
    event = convert.message_created(
        gateway.parse("MESSAGE_CREATE", replying_to(answered), "message")
    )
    assert event is not None
    assert event.reply_to_author == UserRef("discord", "777000000000000001")
    assert event.reply_to_author.is_bot


def test_a_forwarded_message_shows_the_forwarded_text(gateway: RecordedGateway) -> None:
    """A forward's own content is empty; what the channel shows is its snapshot."""
    message = gateway.parse("MESSAGE_CREATE", payload("message_create_forward"), "message")
    assert message.content == ""
    event = convert.message_created(message)
    assert event is not None
    assert event.text == "Join discord.gg/freeseeds for free seeds"
    assert event.attachments == ("seeds.png",)
    assert event.reply_to is None  # a forward is not a reply


@pytest.mark.parametrize(
    ("author", "moderator"), [("alice", False), ("rosa", False), ("hugo", True), ("olive", True)]
)
def test_discord_makes_moderators_of_manage_messages_and_administrators(
    gateway: RecordedGateway, author: str, moderator: bool
) -> None:
    data = payload("message_create")
    member = guild_member(author, 0)
    del member["permissions"]
    data["author"], data["member"] = member.pop("user"), member
    event = convert.message_created(gateway.parse("MESSAGE_CREATE", data, "message"))
    assert event is not None
    assert event.author.platform_moderator is moderator


def test_manage_messages_in_one_channel_gives_no_moderator_of_the_server() -> None:
    guild = payload("guild_create")
    intros = next(c for c in guild["channels"] if c["name"] == "introductions")
    intros["permission_overwrites"] = [
        {"id": str(MEMBERS["rosa"]), "type": 1, "allow": "8192", "deny": "0"}
    ]
    gateway = RecordedGateway(guild)
    data = payload("message_create")
    member = guild_member("rosa", 0)
    del member["permissions"]
    data["author"], data["member"] = member.pop("user"), member
    in_general = convert.message_created(gateway.parse("MESSAGE_CREATE", data, "message"))
    data["channel_id"], data["id"] = str(CHANNELS["introductions"]), "1566742413312000001"
    in_intros = convert.message_created(gateway.parse("MESSAGE_CREATE", data, "message"))
    assert in_general is not None
    assert in_intros is not None
    # Deleting messages in #introductions is hers; moderating the server is not.
    assert not in_general.author.platform_moderator
    assert not in_intros.author.platform_moderator
    assert in_general.author.powers == frozenset()
    assert in_intros.author.powers == frozenset({Power.DELETE})


@pytest.mark.parametrize(
    ("permissions", "powers"),
    [
        (117824, set()),  # @everyone's
        (1 << 13, {Power.DELETE}),  # Manage Messages
        (1 << 2 | 1 << 1, {Power.BAN, Power.KICK}),  # Ban Members, Kick Members
        (1 << 40, {Power.TIMEOUT}),  # Moderate Members
        (1 << 5, {Power.MANAGE}),  # Manage Server
        (1 << 3, set(Power)),  # Administrator
    ],
)
def test_a_slash_command_carries_the_powers_discord_grants_in_its_channel(
    gateway: RecordedGateway, permissions: int, powers: set[Power]
) -> None:
    data = payload("interaction_create_announce_member")  # alice
    data["member"]["permissions"] = str(permissions)
    interaction = gateway.parse("INTERACTION_CREATE", data, "interaction")
    event = convert.command_invoked(interaction, build_spec(AnnouncementsCog.announce))
    assert event is not None
    assert event.member.powers == powers


def test_a_slash_command_from_a_channel_where_alice_manages_messages() -> None:
    gateway = RecordedGateway()
    data = payload("interaction_create_announce_member")  # alice
    data["member"]["permissions"] = str(117824 | 1 << 13)  # Manage Messages in this channel
    interaction = gateway.parse("INTERACTION_CREATE", data, "interaction")
    event = convert.command_invoked(interaction, build_spec(AnnouncementsCog.announce))
    assert event is not None
    assert event.member.user.id == str(MEMBERS["alice"])
    assert not event.member.platform_moderator
    assert event.member.powers == frozenset({Power.DELETE})


def test_a_member_named_in_an_option_is_a_moderator_by_the_server_not_the_channel(
    gateway: RecordedGateway,
) -> None:
    data = payload("interaction_create_typed_options")
    # Discord resolves alice's permissions in the channel: Manage Messages there.
    data["data"]["resolved"]["members"][str(MEMBERS["alice"])]["permissions"] = str(1 << 13)
    interaction = gateway.parse("INTERACTION_CREATE", data, "interaction")
    event = convert.command_invoked(interaction, warn_spec())
    assert event is not None
    assert event.options is not None
    alice = event.options["member"]
    assert not alice.platform_moderator
    assert alice.powers == frozenset({Power.DELETE})


def test_system_messages_and_direct_messages_are_not_community_events(
    gateway: RecordedGateway,
) -> None:
    system = gateway.parse("MESSAGE_CREATE", payload("message_create_system"), "message")
    assert convert.message_created(system) is None
    direct = payload("message_create")
    del direct["guild_id"], direct["member"]
    direct["channel_id"], direct["type"] = "420000000000000001", 0
    del direct["message_reference"]
    message = gateway.parse("MESSAGE_CREATE", direct, "message")
    assert convert.message_created(message) is None


def test_an_edit_carries_the_new_text(gateway: RecordedGateway) -> None:
    gateway.parse("MESSAGE_CREATE", payload("message_create"), "message")
    update = gateway.parse("MESSAGE_UPDATE", payload("message_update"), "raw_message_edit")
    event = convert.message_edited(update)
    assert event is not None
    assert event.text == "<@500000000000000003> look at my first ripe tomato!"
    assert event.at == datetime(2026, 11, 2, 9, 17, 30, tzinfo=UTC)
    assert event.message == MessageRef(GENERAL, "1566742413312000000")
    assert event.author.name == "Alice"


def test_an_edit_of_a_message_the_bot_never_saw_still_counts(gateway: RecordedGateway) -> None:
    update = gateway.parse("MESSAGE_UPDATE", payload("message_update"), "raw_message_edit")
    # Received as Discord sends it: a moment after the edit.
    event = convert.message_edited(update, datetime(2026, 11, 2, 9, 17, 31, tzinfo=UTC))
    assert event is not None
    assert event.text.endswith("ripe tomato!")


def test_an_update_that_does_not_change_the_text_is_not_an_edit(gateway: RecordedGateway) -> None:
    created = payload("message_create")
    gateway.parse("MESSAGE_CREATE", created, "message")
    unfurled = payload("message_update")
    unfurled["content"] = created["content"]  # Discord added a link preview, nothing more
    update = gateway.parse("MESSAGE_UPDATE", unfurled, "raw_message_edit")
    assert convert.message_edited(update) is None


def pinned(data: dict[str, Any]) -> dict[str, Any]:
    """The MESSAGE_UPDATE Discord sends when a moderator pins ``data``: the whole message, as it
    was (a thread started on it, a poll ending and an embed arriving look the same)."""
    return {**data, "pinned": True}


def test_pinning_a_message_the_bot_never_saw_is_not_an_edit(gateway: RecordedGateway) -> None:
    update = gateway.parse("MESSAGE_UPDATE", pinned(payload("message_create")), "raw_message_edit")
    assert update.cached_message is None
    assert convert.message_edited(update) is None


def test_pinning_a_message_edited_before_is_not_an_edit_again(gateway: RecordedGateway) -> None:
    gateway.parse("MESSAGE_CREATE", payload("message_create"), "message")
    edited = payload("message_update")
    assert convert.message_edited(gateway.parse("MESSAGE_UPDATE", edited, "raw_message_edit"))
    update = gateway.parse("MESSAGE_UPDATE", pinned(edited), "raw_message_edit")
    assert update.cached_message is not None
    assert update.cached_message.content != payload("message_create")["content"]
    # The cached text is the edited one already: the moved edit time is what is compared.
    assert convert.message_edited(update) is None
    again = {
        **edited,
        "content": "now with a link",
        "edited_timestamp": "2026-11-02T09:20:00+00:00",
    }
    event = convert.message_edited(gateway.parse("MESSAGE_UPDATE", again, "raw_message_edit"))
    assert event is not None
    assert event.text == "now with a link"


def webhook_post(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as an integration's webhook (or a followed channel's crosspost) posts it."""
    author = {"id": "777000000000000001", "username": "GitHub", "discriminator": "0000"}
    webhook = {**data, "webhook_id": author["id"], "author": {**author, "avatar": None}}
    del webhook["member"]
    return webhook


def test_a_webhooks_post_and_its_edit_are_a_bots(gateway: RecordedGateway) -> None:
    """Integrations and followed channels post in capitals, with links and mentions: the rules
    skip them as they skip bots."""
    data = webhook_post(payload("message_create"))
    data["content"] = "NEW RELEASE 2.0 IS OUT, READ THE CHANGELOG NOW"
    created = convert.message_created(gateway.parse("MESSAGE_CREATE", data, "message"))
    assert created is not None
    assert created.author.user == UserRef("discord", "777000000000000001")
    assert created.author.name == "GitHub"
    assert created.author.user.is_bot
    edit = webhook_post(payload("message_update"))
    edited = convert.message_edited(gateway.parse("MESSAGE_UPDATE", edit, "raw_message_edit"))
    assert edited is not None
    assert edited.author.user.is_bot


def test_deletions_one_by_one_and_in_bulk(gateway: RecordedGateway) -> None:
    one = gateway.parse("MESSAGE_DELETE", payload("message_delete"), "raw_message_delete")
    event = convert.message_deleted(one, gateway.guild, LATER)
    assert event is not None
    assert event.message == MessageRef(GENERAL, "1566742413312000000")
    assert event.at == LATER
    bulk = gateway.parse(
        "MESSAGE_DELETE_BULK", payload("message_delete_bulk"), "raw_bulk_message_delete"
    )
    events = convert.messages_deleted(bulk, gateway.guild, LATER)
    assert [e.message.id for e in events] == ["1566742413312000000", "1566742790799360000"]


# -- members and reactions ----------------------------------------------------------------------


def test_a_newcomer_whose_name_is_everyone(gateway: RecordedGateway) -> None:
    member = gateway.parse("GUILD_MEMBER_ADD", payload("guild_member_add"), "member_join")
    event = convert.member_joined(member, LATER)
    assert event.member.name == "@everyone"
    assert event.member.user.id == "500000000000000009"
    assert event.member.roles == frozenset()
    assert not event.member.platform_moderator
    assert event.at == datetime(2026, 11, 2, 9, 20, tzinfo=UTC)


def test_a_member_leaving(gateway: RecordedGateway) -> None:
    removal = gateway.parse(
        "GUILD_MEMBER_REMOVE", payload("guild_member_remove"), "raw_member_remove"
    )
    event = convert.member_left(removal, gateway.guild, LATER)
    assert event.member == MemberRef(GARDEN, UserRef("discord", str(MEMBERS["alice"])))
    assert event.at == LATER


def test_reactions_added_and_taken_back(gateway: RecordedGateway) -> None:
    added = gateway.parse(
        "MESSAGE_REACTION_ADD", payload("message_reaction_add"), "raw_reaction_add"
    )
    event = convert.reaction(added, gateway.guild, LATER)
    assert isinstance(event, ReactionAdded)
    assert event.emoji == "🍅"
    assert event.member.name == "Hugo (helper)"
    assert event.member.platform_moderator
    assert event.message == MessageRef(GENERAL, "1566742413312000000")
    removed = gateway.parse(
        "MESSAGE_REACTION_REMOVE", payload("message_reaction_remove"), "raw_reaction_remove"
    )
    event = convert.reaction(removed, gateway.guild, LATER)
    assert isinstance(event, ReactionRemoved)
    assert event.emoji == "<:seedling:800000000000000001>"
    # The removal payload has no member: the cached one gives the name and roles.
    assert event.member.name == "Alice"
    assert event.member.roles == frozenset({"Gardeners"})


# -- interactions -------------------------------------------------------------------------------


def test_a_slash_command_becomes_a_command_with_options(gateway: RecordedGateway) -> None:
    interaction = gateway.parse(
        "INTERACTION_CREATE", payload("interaction_create_announce"), "interaction"
    )
    event = convert.command_invoked(interaction, build_spec(AnnouncementsCog.announce))
    assert event is not None
    assert event.name == "announce"
    assert event.options == {"delay": "2h", "text": "The photo contest opens now!"}
    assert event.args == ""
    assert event.channel == GENERAL
    assert event.message == MessageRef(GENERAL, "interaction:1566746188185600000")
    assert event.member.name == "Hugo (helper)"
    assert event.member.platform_moderator
    assert event.at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_every_option_type_is_converted(gateway: RecordedGateway) -> None:
    interaction = gateway.parse(
        "INTERACTION_CREATE", payload("interaction_create_typed_options"), "interaction"
    )
    event = convert.command_invoked(interaction, warn_spec())
    assert event is not None
    assert event.options is not None
    options: dict[str, Any] = dict(event.options)
    member = options.pop("member")
    assert member == MemberRef(GARDEN, UserRef("discord", str(MEMBERS["alice"])))
    assert (member.name, member.roles, member.platform_moderator) == (
        "Alice",
        frozenset({"Gardeners"}),
        False,
    )
    where = options.pop("where")
    assert where == ChannelRef(GARDEN, str(CHANNELS["introductions"]))
    assert where.name == "#introductions"
    # Durations and text stay as typed: the core converts them and answers a bad value.
    assert options == {
        "strikes": 2,
        "weight": 1.5,
        "public": True,
        "window": "7d",
        "reason": "Please stay on topic",
    }
    assert [user.id for user in event.mentions] == [str(MEMBERS["alice"])]


def test_a_registration_older_than_the_declaration_hands_text_to_the_core(
    gateway: RecordedGateway,
) -> None:
    data = payload("interaction_create_typed_options")
    # Discord still has "member" as a text option: the core resolves what was typed.
    data["data"]["options"][0] = {"name": "member", "type": 3, "value": "alice"}
    interaction = gateway.parse("INTERACTION_CREATE", data, "interaction")
    event = convert.command_invoked(interaction, warn_spec())
    assert event is not None
    assert event.options is not None
    assert event.options["member"] == "alice"


def test_a_command_nobody_declares_keeps_its_name_for_the_core_to_answer(
    gateway: RecordedGateway,
) -> None:
    interaction = gateway.parse(
        "INTERACTION_CREATE", payload("interaction_create_announce"), "interaction"
    )
    event = convert.command_invoked(interaction, None)
    assert event is not None
    assert (event.name, event.options) == ("announce", {})


async def test_a_button_press(gateway: RecordedGateway) -> None:
    interaction = gateway.parse(
        "INTERACTION_CREATE", payload("interaction_create_button"), "interaction"
    )
    event = convert.button_pressed(interaction, "accept")
    assert event is not None
    assert event.button_id == "accept"
    assert event.message == MessageRef(GENERAL, "1566738638438400000")
    assert event.member.name == "Alice"
    assert event.at == datetime(2026, 11, 2, 9, 34, tzinfo=UTC)


def test_what_is_being_typed_for_autocomplete(gateway: RecordedGateway) -> None:
    interaction = gateway.parse(
        "INTERACTION_CREATE", payload("interaction_create_autocomplete"), "interaction"
    )
    assert convert.focused_option(interaction) == ("announce", "delay", "3")
