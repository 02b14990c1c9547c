"""Telegram updates → neutral events: pure conversion of recorded payloads, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import ChatMember, Update

from bot.adapters.telegram.administrators import (
    SANCTIONS,
    Administrator,
    administrator_of,
    by_sender,
)
from bot.adapters.telegram.convert import (
    BotIdentity,
    convert_update,
    parse_channel_id,
)
from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.joins import MembershipChanges
from bot.adapters.telegram.migrations import told_as
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Event,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageEdited,
    MessageRef,
    Power,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from tests.adapters.telegram.payloads import (
    ADMIN,
    ALICE,
    BOB,
    DATE,
    GROUP_ID,
    button_press,
    chat_member,
    command,
    group,
    joined_service_message,
    left_service_message,
    message,
    private,
    reaction,
    text_message,
    user,
)

BOT = BotIdentity(123, "jardinier_bot")
BOT_USER = {"id": 123, "is_bot": True, "first_name": "Jardinier", "username": "jardinier_bot"}
AT = datetime.fromtimestamp(DATE, UTC)
GARDEN = CommunityRef("telegram", str(GROUP_ID))
GENERAL = ChannelRef(GARDEN, str(GROUP_ID))
NEWS = {"id": -100999, "type": "channel", "title": "News"}


def convert(payload: dict[str, Any], **options: Any) -> list[Event]:
    update = Update.de_json({"update_id": 1, **payload}, None)
    directory = options.pop("lookups", None) or Directory()
    directory.learn(update)
    return convert_update(update, bot=BOT, lookups=directory, **options)


def only(events: list[Event]) -> Any:
    assert len(events) == 1, events
    return events[0]


# -- messages ---------------------------------------------------------------------------------


def test_a_group_message_is_a_message_in_the_group_channel() -> None:
    event = only(convert(text_message(ALICE, "hello garden", message_id=42)))
    assert isinstance(event, MessageCreated)
    assert event.message == MessageRef(GENERAL, "42")
    assert event.community == GARDEN
    assert event.community.name == "Garden"
    assert event.author.user == UserRef("telegram", "201")
    assert event.author.name == "Alice Martin"
    assert event.author.platform_moderator is False
    assert event.text == "hello garden"
    assert event.at == AT
    assert event.reply_to is None


def test_chat_administrators_are_platform_moderators() -> None:
    event = only(convert(text_message(ADMIN, "hi"), administrators={ADMIN["id"]: SANCTIONS}))
    assert event.author.platform_moderator is True
    assert event.author.powers == SANCTIONS
    event = only(convert(text_message(ALICE, "hi"), administrators={ADMIN["id"]: SANCTIONS}))
    assert event.author.platform_moderator is False
    assert event.author.powers == frozenset()


def test_an_administrators_rights_give_their_powers() -> None:
    """An administrator who may only pin messages banned through the bot: the bot now does for
    an administrator only what their rights let them do themselves."""

    def standing(status: str, **rights: bool) -> Administrator | None:
        payload = chat_member(ADMIN, "member", status)["chat_member"]["new_chat_member"]
        payload.update(rights)
        return administrator_of(ChatMember.de_json(payload, None))

    pinner = standing(
        "administrator",
        can_restrict_members=False,
        can_delete_messages=False,
        can_change_info=False,
        can_pin_messages=True,
    )
    assert pinner == Administrator(frozenset())
    cleaner = standing(
        "administrator",
        can_restrict_members=False,
        can_delete_messages=True,
        can_change_info=False,
        can_promote_members=True,
        is_anonymous=True,
    )
    assert cleaner == Administrator(frozenset({Power.DELETE}), anonymous=True)
    assert standing("administrator") == Administrator(
        frozenset({Power.BAN, Power.KICK, Power.TIMEOUT, Power.DELETE, Power.MANAGE})
    )
    assert standing("creator", is_anonymous=False) == Administrator(frozenset(Power))
    assert standing("member") is None
    assert standing("restricted") is None


def test_one_posting_as_the_group_holds_what_every_anonymous_administrator_holds() -> None:
    """Telegram does not say which anonymous administrator posted as the group: any of them
    may have, so their message holds only the powers they all hold."""
    anonymous = user(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
    staff = {
        ADMIN["id"]: Administrator(frozenset(Power), anonymous=True),
        BOB["id"]: Administrator(SANCTIONS | {Power.DELETE}, anonymous=True),
        ALICE["id"]: Administrator(frozenset({Power.DELETE})),
    }
    powers = by_sender(GROUP_ID, staff)
    assert powers[GROUP_ID] == SANCTIONS | {Power.DELETE}
    assert powers[ALICE["id"]] == {Power.DELETE}
    posted = only(
        convert(text_message(anonymous, "hi", sender_chat=group()), administrators=powers)
    )
    assert posted.author.platform_moderator is True
    assert posted.author.powers == SANCTIONS | {Power.DELETE}
    # None of them anonymous (a list not yet asked again): a moderator without powers.
    plain = by_sender(GROUP_ID, {ALICE["id"]: Administrator(frozenset(Power))})
    posted = only(
        convert(text_message(anonymous, "hi", sender_chat=group()), administrators=plain)
    )
    assert posted.author.platform_moderator is True
    assert posted.author.powers == frozenset()
    # A channel posting in the group is no administrator, whatever its owner is.
    channel_post = only(
        convert(text_message(anonymous, "hi", sender_chat=NEWS), administrators=powers)
    )
    assert channel_post.author.powers == frozenset()


def test_an_anonymous_administrator_posting_as_the_group_is_a_moderator() -> None:
    anonymous = user(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
    payload = text_message(anonymous, "/announce 2h hi", sender_chat=group())
    event = only(convert(payload))
    assert isinstance(event, CommandInvoked)
    assert event.member.platform_moderator is True


def test_a_caption_is_the_text_and_the_media_an_attachment() -> None:
    photo = [{"file_id": "a", "file_unique_id": "b", "width": 10, "height": 10}]
    document = {"file_id": "c", "file_unique_id": "d", "file_name": "rules.pdf"}
    event = only(convert({"message": message(ALICE, caption="look", photo=photo)}))
    assert (event.text, event.attachments) == ("look", ("photo",))
    event = only(convert({"message": message(ALICE, document=document)}))
    assert (event.text, event.attachments) == ("", ("rules.pdf",))


def test_the_photos_of_an_album_say_they_were_posted_as_one() -> None:
    photo = [{"file_id": "a", "file_unique_id": "b", "width": 10, "height": 10}]
    album = [
        only(convert({"message": message(ALICE, photo=photo, media_group_id="139123")}))
        for _ in range(3)
    ]
    assert [event.group for event in album] == ["139123"] * 3
    assert only(convert({"message": message(ALICE, photo=photo)})).group is None
    assert only(convert(text_message(ALICE, "hello"))).group is None


def test_dice_polls_and_other_fileless_messages_are_messages_too() -> None:
    """A dice flood is a flood, and a poll asking "join t.me/+scam ?" is an invitation."""
    poll = {
        "id": "1",
        "question": "Free crypto? join t.me/+scamgroup",
        "options": [
            {"text": "https://scam.example/claim", "voter_count": 0, "persistent_id": "p1"},
            {"text": "no thanks", "voter_count": 0, "persistent_id": "p2"},
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    event = only(convert({"message": message(BOB, poll=poll)}))
    assert isinstance(event, MessageCreated)
    assert event.text == "Free crypto? join t.me/+scamgroup\nhttps://scam.example/claim\nno thanks"
    assert event.attachments == ("poll",)
    location = {"latitude": 48.85, "longitude": 2.35}
    venue = {"location": location, "title": "Seed swap", "address": "t.me/+SeedScam"}
    shown = {
        "dice": ({"emoji": "🎲", "value": 4}, ""),
        "contact": ({"phone_number": "+33600000000", "first_name": "Buy"}, ""),
        "location": (location, ""),
        "game": ({"title": "Garden", "description": "Play", "photo": []}, ""),
        "story": ({"chat": group(), "id": 5}, ""),
    }
    for kind, (content, text) in shown.items():
        event = only(convert({"message": message(BOB, **{kind: content})}))
        assert (event.text, event.attachments) == (text, (kind,)), kind
    # A venue comes with its location: one venue, whose name and address members read.
    event = only(convert({"message": message(BOB, venue=venue, location=location)}))
    assert (event.text, event.attachments) == ("Seed swap\nt.me/+SeedScam", ("venue",))


def test_a_reply_points_at_the_replied_message() -> None:
    original = message(BOB, "first", message_id=7)
    event = only(convert(text_message(ALICE, "answer", reply_to_message=original)))
    assert event.reply_to == MessageRef(GENERAL, "7")
    # Telegram sends the replied message along, however old: who wrote it is known without
    # any memory of it (a restart, a message from last month).
    assert event.reply_to_author == UserRef("telegram", str(BOB["id"]))
    assert event.reply_to_author.name == "Bob"
    assert not event.reply_to_author.is_bot
    assert only(convert(text_message(ALICE, "hi"))).reply_to_author is None


def test_a_reply_names_a_bot_or_a_channel_as_its_own_event_would() -> None:
    bots = message(user(123, "Jardinier", is_bot=True), "Welcome!", message_id=8)
    event = only(convert(text_message(ALICE, "thanks", reply_to_message=bots)))
    assert event.reply_to_author is not None
    assert event.reply_to_author.is_bot
    # A post sent as a channel: the channel, not the placeholder user Telegram puts in ``from``.
    posted = message(user(136817688, "Channel", is_bot=True), "seeds!", sender_chat=NEWS)
    event = only(convert(text_message(ALICE, "thanks", reply_to_message=posted)))
    assert event.reply_to_author == UserRef("telegram", "-100999")


def test_mentions_come_from_entities() -> None:
    directory = Directory()
    directory.learn(Update.de_json({"update_id": 9, **text_message(ALICE, "hi")}, None))
    text = "thanks @alice and Bob and @stranger"
    entities = [
        {"type": "mention", "offset": 7, "length": 6},
        {"type": "text_mention", "offset": 18, "length": 3, "user": BOB},
        {"type": "mention", "offset": 26, "length": 9},
    ]
    event = only(convert(text_message(ADMIN, text, entities=entities), lookups=directory))
    assert [mention.id for mention in event.mentions] == ["201", "202"]


def test_the_addresses_behind_text_links_and_link_buttons_come_along() -> None:
    text = "free seeds here, and more there"
    entities = [
        {"type": "text_link", "offset": 11, "length": 4, "url": "https://t.me/+SeedScam"},
        {"type": "url", "offset": 0, "length": 4},  # not a link: the bot sees written ones
        {"type": "text_link", "offset": 26, "length": 5, "url": "https://discord.gg/scam"},
    ]
    buttons = {"inline_keyboard": [[{"text": "Join", "url": "https://t.me/+SeedScam"}]]}
    event = only(convert(text_message(BOB, text, entities=entities, reply_markup=buttons)))
    assert isinstance(event, MessageCreated)
    assert event.text == text
    assert event.hidden_links == ("https://t.me/+SeedScam", "https://discord.gg/scam")

    link = {"type": "text_link", "offset": 6, "length": 4, "url": "https://t.me/+SeedScam"}
    edited = message(BOB, "now a link", edit_date=DATE + 60, entities=[link])
    assert only(convert({"edited_message": edited})).hidden_links == ("https://t.me/+SeedScam",)
    assert only(convert(text_message(ALICE, "no link"))).hidden_links == ()


def test_service_and_private_and_channel_forwarded_messages_are_not_member_messages() -> None:
    pinned = {"message": message(ALICE, pinned_message=message(BOB, "x"))}
    assert convert(pinned) == []
    assert convert(text_message(ALICE, "hi", chat=private(ALICE))) == []
    forwarded = text_message(
        user(777000, "Telegram"),
        "channel post",
        is_automatic_forward=True,
        sender_chat={"id": -100999, "type": "channel", "title": "News"},
    )
    assert convert(forwarded) == []


def test_an_edited_channel_post_copy_is_not_a_member_edit() -> None:
    """The channel's post, copied into its discussion group, was never a member's message: its
    edit in the channel is not one either."""
    copy = message(
        user(777000, "Telegram"),
        "Shut up and plant: the season opens today",
        is_automatic_forward=True,
        sender_chat=NEWS,
        edit_date=DATE + 60,
    )
    assert convert({"message": copy}) == []
    assert convert({"edited_message": copy}) == []


def test_the_bots_own_messages_are_ignored() -> None:
    assert convert(text_message(BOT_USER, "Welcome!")) == []


def test_an_edit_is_a_message_edited() -> None:
    edited = message(ALICE, "hello (fixed)", message_id=42, edit_date=DATE + 60)
    event = only(convert({"edited_message": edited}))
    assert isinstance(event, MessageEdited)
    assert event.message == MessageRef(GENERAL, "42")
    assert event.text == "hello (fixed)"
    assert event.at == AT + timedelta(seconds=60)


# -- commands ---------------------------------------------------------------------------------


def test_a_command_addressed_to_this_bot_is_a_command_with_its_arguments() -> None:
    directory = Directory()
    directory.learn(Update.de_json({"update_id": 9, **text_message(ALICE, "hi")}, None))
    line = "/warn@jardinier_bot @alice stop spamming"
    mention = {"type": "mention", "offset": 20, "length": 6}
    payload = command(ADMIN, line, message_id=50, entities=[mention])
    event = only(convert(payload, lookups=directory, administrators={ADMIN["id"]: SANCTIONS}))
    assert isinstance(event, CommandInvoked)
    assert event.name == "warn"
    assert event.args == "@alice stop spamming"
    assert event.options is None
    assert event.message == MessageRef(GENERAL, "50")
    assert event.channel == GENERAL
    assert event.member.platform_moderator is True
    assert [mention.id for mention in event.mentions] == ["201"]


def test_command_names_are_case_insensitive_and_the_arguments_keep_their_lines() -> None:
    event = only(convert(command(ALICE, "/HELP  announce\nplease")))
    assert (event.name, event.args) == ("help", "announce\nplease")


def test_a_command_for_another_bot_is_an_ordinary_message() -> None:
    event = only(convert(command(ALICE, "/help@other_bot")))
    assert isinstance(event, MessageCreated)
    assert event.text == "/help@other_bot"


def test_an_unknown_bare_command_is_left_to_other_bots_but_not_when_addressed_to_us() -> None:
    event = only(convert(command(ALICE, "/start"), commands={"help"}))
    assert isinstance(event, MessageCreated)
    event = only(convert(command(ALICE, "/start@Jardinier_Bot"), commands={"help"}))
    assert isinstance(event, CommandInvoked)
    assert event.name == "start"
    event = only(convert(command(ALICE, "/help"), commands={"help"}))
    assert isinstance(event, CommandInvoked)


def test_a_command_typed_with_its_accents_or_in_capitals_is_the_command() -> None:
    # The menus publish debannir (Telegram allows no accents there); French speakers type é.
    known = {"unban", "debannir", "mydata", "mes_donnees"}
    for line in (
        "/débannir @bob",
        "/DÉBANNIR @bob",
        "/de\u0301bannir @bob",
        "/Débannir@Jardinier_Bot @bob",
    ):
        event = only(convert(text_message(ADMIN, line), commands=known))
        assert isinstance(event, CommandInvoked), line
        assert event.args == "@bob"
    assert event.name == "débannir"  # the core finds the command, or says it knows none by it
    event = only(convert(text_message(ALICE, "/mes_données"), commands=known))
    assert isinstance(event, CommandInvoked)
    offending = message(BOB, "buy cheap stuff", message_id=77)
    payload = text_message(ADMIN, "/débannir", reply_to_message=offending)
    event = only(convert(payload, commands=known, reply_targets={"unban", "debannir"}))
    assert event.args == "202"


def test_an_unknown_accented_command_is_left_to_other_bots_unless_addressed_to_us() -> None:
    known = {"help", "aide"}
    event = only(convert(text_message(ALICE, "/éteindre"), commands=known))
    assert isinstance(event, MessageCreated)
    event = only(convert(text_message(ALICE, "/Aidé@other_bot"), commands=known))
    assert isinstance(event, MessageCreated)
    event = only(convert(text_message(ALICE, "/éteindre@jardinier_bot"), commands=known))
    assert isinstance(event, CommandInvoked)
    assert event.name == "éteindre"


def test_a_text_mention_in_the_arguments_becomes_the_members_id() -> None:
    # "Bob Stone" has no username: the client marks his name as a text mention.
    line = "/timeout 🌱 Bob Stone 10m"
    span = {"type": "text_mention", "offset": 12, "length": 9, "user": BOB}
    event = only(convert(command(ADMIN, line, entities=[span])))
    assert event.args == "🌱 202 10m"
    assert [mention.id for mention in event.mentions] == ["202"]


def test_a_member_command_sent_as_a_reply_aims_at_the_replied_author() -> None:
    offending = message(BOB, "buy cheap stuff", message_id=77)
    payload = command(ADMIN, "/warn spam", reply_to_message=offending)
    event = only(convert(payload, reply_targets={"warn"}))
    assert event.args == "202 spam"
    assert event.mentions[0] == UserRef("telegram", "202")
    named = only(convert(command(ADMIN, "/warn @alice spam", reply_to_message=offending)))
    assert named.args == "@alice spam"
    other = only(convert(command(ADMIN, "/announce 2h hi", reply_to_message=offending)))
    assert other.args == "2h hi"


def test_a_reply_command_reads_a_leading_number_as_a_member_only_if_it_knows_one() -> None:
    """ "/warn 3 times now" in reply to Bob warns Bob with that reason: 3 is nobody the bot saw."""
    offending = message(BOB, "buy cheap stuff", message_id=77)
    payload = command(ADMIN, "/warn 3 times now", reply_to_message=offending)
    event = only(convert(payload, reply_targets={"warn"}))
    assert event.args == "202 3 times now"
    assert event.mentions[0] == UserRef("telegram", "202")
    unknown = command(ADMIN, "/warn @nobody_seen spam", reply_to_message=offending)
    assert only(convert(unknown, reply_targets={"warn"})).args == "202 @nobody_seen spam"
    # A member the bot has seen, by id or @username, or a mention, is the one the command names.
    directory = Directory()
    directory.learn(Update.de_json({"update_id": 0, **text_message(ALICE, "hi")}, None))
    for line in ("/warn 201 spam", "/warn @alice spam"):
        named = command(ADMIN, line, reply_to_message=offending)
        event = only(convert(named, reply_targets={"warn"}, lookups=directory))
        assert event.args == line.removeprefix("/warn "), line
    span = {"type": "text_mention", "offset": 6, "length": 12, "user": ALICE}
    line = "/warn Alice Martin spam"
    mentioned = command(ADMIN, line, entities=[span], reply_to_message=offending)
    assert only(convert(mentioned, reply_targets={"warn"})).args == "201 spam"


def test_a_command_replying_to_a_channels_post_aims_at_the_channel() -> None:
    # Telegram puts the same placeholder user in ``from`` of every post sent as a channel.
    posted = message(user(136817688, "Channel", is_bot=True), "buy now", sender_chat=NEWS)
    event = only(
        convert(command(ADMIN, "/ban spam", reply_to_message=posted), reply_targets={"ban"})
    )
    assert event.args == "-100999 spam"
    assert event.mentions[0] == UserRef("telegram", "-100999")
    assert event.mentions[0].name == "News"
    named = only(convert(command(ADMIN, "/ban -100999 spam", reply_to_message=posted)))
    assert named.args == "-100999 spam"


def test_a_command_replying_to_a_membership_notice_aims_at_the_member_it_is_about() -> None:
    """ "Alice added CryptoBot Deals" is Alice's message: /ban in reply means the spammer."""
    spammer = user(666, "CryptoBot Deals")
    added = message(ALICE, new_chat_members=[spammer])
    event = only(convert(command(ADMIN, "/ban", reply_to_message=added), reply_targets={"ban"}))
    assert event.args == "666"
    assert event.mentions == (UserRef("telegram", "666"),)
    removed = message(ADMIN, left_chat_member=spammer)
    event = only(
        convert(command(ADMIN, "/ban spam", reply_to_message=removed), reply_targets={"ban"})
    )
    assert event.args == "666 spam"
    # Of several added at once, none is meant more than another: the moderator names one.
    several = message(ALICE, new_chat_members=[spammer, BOB])
    event = only(convert(command(ADMIN, "/ban", reply_to_message=several), reply_targets={"ban"}))
    assert (event.args, event.mentions) == ("", ())
    named = command(ADMIN, "/ban 202 spam", reply_to_message=several)
    assert only(convert(named, reply_targets={"ban"})).args == "202 spam"


def test_a_comment_under_a_channel_post_is_not_a_reply_to_the_channel() -> None:
    """In a channel's discussion group every comment "replies" to the post it comments on: a
    bare /warn there is not aimed at the channel, as in a forum topic."""
    post = message(
        user(777000, "Telegram"),
        "New seeds in stock!",
        sender_chat=NEWS,
        is_automatic_forward=True,
        message_id=500,
    )
    comment = text_message(ALICE, "first!", reply_to_message=post, message_thread_id=500)
    assert only(convert(comment)).reply_to is None
    warn = command(ADMIN, "/warn off-topic", reply_to_message=post, message_thread_id=500)
    event = only(convert(warn, reply_targets={"warn"}))
    assert (event.args, event.mentions) == ("off-topic", ())
    # A reply to another comment in the thread is a reply, and aims at that comment's author.
    earlier = message(BOB, "buy cheap stuff", message_id=501, message_thread_id=500)
    answer = command(ADMIN, "/warn spam", reply_to_message=earlier, message_thread_id=500)
    event = only(convert(answer, reply_targets={"warn"}))
    assert event.args == "202 spam"
    reply = text_message(ALICE, "no", reply_to_message=earlier, message_thread_id=500)
    assert only(convert(reply)).reply_to == MessageRef(GENERAL, "501")


# -- joins and departures -----------------------------------------------------------------------


def test_chat_member_updates_are_joins_and_departures() -> None:
    joined = only(convert(chat_member(ALICE, "left", "member")))
    assert isinstance(joined, MemberJoined)
    assert joined.member == MemberRef(GARDEN, UserRef("telegram", "201"))
    assert joined.at == AT
    assert isinstance(only(convert(chat_member(ALICE, "member", "left"))), MemberLeft)
    assert isinstance(only(convert(chat_member(ALICE, "member", "kicked"))), MemberLeft)
    gone = convert(chat_member(ALICE, "restricted", "restricted", is_member=False))
    assert isinstance(only(gone), MemberLeft)
    assert convert(chat_member(ALICE, "member", "administrator")) == []
    assert convert(chat_member(ALICE, "member", "restricted")) == []


def test_the_bot_itself_joining_is_not_a_member_joining() -> None:
    assert convert(chat_member(BOT_USER, "left", "member")) == []
    assert convert(chat_member(BOT_USER, "left", "member", key="my_chat_member")) == []
    assert convert(joined_service_message(BOT_USER, sender=ALICE)) == []


def test_service_messages_are_joins_and_departures() -> None:
    events = convert(joined_service_message(ALICE, BOB, sender=ADMIN))
    assert [type(event) for event in events] == [MemberJoined, MemberJoined]
    assert [event.member.user.id for event in events] == ["201", "202"]
    left = only(convert(left_service_message(BOB)))
    assert isinstance(left, MemberLeft)
    assert left.member.user.id == "202"


def test_a_join_told_twice_counts_once() -> None:
    changes = MembershipChanges()
    told = convert(chat_member(ALICE, "left", "member")) + convert(joined_service_message(ALICE))
    assert [changes.is_new(event) for event in told] == [True, False]
    again = convert(left_service_message(ALICE)) + convert(chat_member(ALICE, "member", "left"))
    assert [changes.is_new(event) for event in again] == [True, False]
    back = convert(joined_service_message(ALICE, date=DATE + 120))
    assert [changes.is_new(event) for event in back] == [True]


def test_the_same_change_far_apart_is_a_new_one() -> None:
    changes = MembershipChanges()
    assert changes.is_new(only(convert(joined_service_message(ALICE))))
    later = convert(joined_service_message(ALICE, date=DATE + 3600))
    assert changes.is_new(only(later))


# -- forum topics ---------------------------------------------------------------------------------


def forum_message(sender: dict[str, Any], text: str, thread: int, **extra: Any) -> dict[str, Any]:
    topic = message(
        sender,
        chat=group(forum=True),
        message_id=thread,
        forum_topic_created={"name": "Introductions", "icon_color": 7322096},
    )
    extra.setdefault("reply_to_message", topic)
    return text_message(
        sender,
        text,
        chat=group(forum=True),
        message_thread_id=thread,
        is_topic_message=True,
        **extra,
    )


def test_a_forum_topic_is_a_channel_of_the_group() -> None:
    event = only(convert(forum_message(ALICE, "hello", 12, message_id=40)))
    assert event.channel == ChannelRef(GARDEN, f"{GROUP_ID}:12")
    assert event.channel.name == "Introductions"
    assert event.community == GARDEN
    assert event.reply_to is None  # the topic itself is not a reply
    assert parse_channel_id(event.channel.id) == (GROUP_ID, 12)


def test_a_real_reply_inside_a_topic_is_a_reply() -> None:
    earlier = message(BOB, "hi", chat=group(forum=True), message_id=41, message_thread_id=12)
    event = only(convert(forum_message(ALICE, "welcome!", 12, reply_to_message=earlier)))
    assert event.reply_to == MessageRef(ChannelRef(GARDEN, f"{GROUP_ID}:12"), "41")


def test_a_reaction_in_a_topic_lands_in_that_topic_once_its_message_was_seen() -> None:
    directory = Directory()
    convert(forum_message(ALICE, "hello", 12, message_id=40), lookups=directory)
    event = only(convert(reaction(BOB, 40, new=["👍"]), lookups=directory))
    assert event.message == MessageRef(ChannelRef(GARDEN, f"{GROUP_ID}:12"), "40")
    assert event.message.channel.name == "Introductions"


def test_the_events_of_an_upgraded_group_are_told_under_the_id_it_had() -> None:
    """Once a group becomes a supergroup (a new chat id), its events keep the community's id:
    its channels, topics, messages and the group posting as itself included."""
    old = -4001234567
    was = CommunityRef("telegram", str(old))
    anonymous = user(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
    earlier = message(BOB, "hi", chat=group(forum=True), message_id=41, message_thread_id=12)
    replying = forum_message(ALICE, "welcome!", 12, message_id=42, reply_to_message=earlier)
    directory = Directory()
    convert(forum_message(BOB, "hello", 12), lookups=directory)  # the topic's name, learnt
    event = told_as(only(convert(replying, lookups=directory)), GROUP_ID, old)
    topic = ChannelRef(was, f"{old}:12")
    assert event.community == was
    assert event.community.name == "Garden"
    assert event.message == MessageRef(topic, "42")
    assert event.message.channel.name == "Introductions"
    assert event.reply_to == MessageRef(topic, "41")
    assert event.author == MemberRef(was, UserRef("telegram", "201"))
    anonymous_powers = {GROUP_ID: SANCTIONS}
    posted = told_as(
        only(
            convert(
                text_message(anonymous, "hi", sender_chat=group()),
                administrators=anonymous_powers,
            )
        ),
        GROUP_ID,
        old,
    )
    assert posted.author == MemberRef(was, UserRef("telegram", str(old)))
    assert posted.author.platform_moderator is True
    assert posted.author.powers == SANCTIONS  # what the upgraded group's administrators hold
    joined = told_as(only(convert(joined_service_message(ALICE))), GROUP_ID, old)
    assert joined.member == MemberRef(was, UserRef("telegram", "201"))


# -- reactions and buttons -----------------------------------------------------------------------


def test_reactions_added_and_taken_back() -> None:
    events = convert(reaction(BOB, 40, old=["👍", "🔥"], new=["🔥", "❤"]))
    assert [(type(event), event.emoji) for event in events] == [
        (ReactionRemoved, "👍"),
        (ReactionAdded, "❤"),
    ]
    assert all(event.message == MessageRef(GENERAL, "40") for event in events)
    assert all(event.member.user.id == "202" for event in events)


def test_anonymous_reactions_name_nobody() -> None:
    assert convert(reaction(None, 40, new=["👍"])) == []


def test_a_button_press_names_the_button_and_its_message() -> None:
    on = message(BOT_USER, "Vote?", message_id=60)
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    event = only(convert(button_press(ALICE, "vote:yes", on=on), now=now))
    assert isinstance(event, ButtonPressed)
    assert event.button_id == "vote:yes"
    assert event.message == MessageRef(GENERAL, "60")
    assert event.member.user.id == "201"
    assert event.at == now


# -- the directory --------------------------------------------------------------------------------


def test_the_directory_follows_username_changes_and_stays_bounded() -> None:
    directory = Directory(max_users=2)
    for sender in (ALICE, {**ALICE, "username": "alice_m"}, user(5, "E", username="eve")):
        directory.learn(Update.de_json({"update_id": 1, **text_message(sender, "x")}, None))
    assert directory.user_by_username("alice") is None
    assert directory.user_by_username("@Alice_M") == UserRef("telegram", "201")
    directory.learn(Update.de_json({"update_id": 2, **text_message(ADMIN, "x")}, None))
    assert directory.user_by_username("alice_m") is None  # evicted, the oldest
    assert directory.user_by_username("ada_admin") is not None
