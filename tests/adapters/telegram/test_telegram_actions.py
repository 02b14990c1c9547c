"""The Platform actions on Telegram, as the Bot API receives them, refusals and flood control
included."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import aiohttp
import pytest
from sqlalchemy.exc import OperationalError

from bot.adapters.telegram import create_platform
from bot.adapters.telegram.migrations import STATE_KEY, Migrations
from bot.adapters.telegram.purge import REFUSED_IN_A_ROW
from bot.adapters.telegram.restrictions import Restrictions
from bot.commands import CommandContext, command
from bot.commands.spec import build_spec
from bot.core import SHUTDOWN_GRACE
from bot.errors import JardinierError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommunityRef,
    Event,
    MemberRef,
    MessageCreated,
    MessageRef,
    UserRef,
)
from bot.memberdata import export_member
from bot.platform import Button, MissingCapabilityError, PlatformError
from bot.state import StateStore
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot, write_override
from tests.adapters.telegram.payloads import (
    ADMIN,
    ALICE,
    BOB,
    GROUP_ID,
    button_press,
    chat_member,
    group,
    joined_service_message,
    message,
    private,
    text_message,
    user,
)
from tests.adapters.telegram.payloads import command as tg_command
from tests.support.refusals import written

# PTB 22 itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after`:DeprecationWarning")

GARDEN = CommunityRef("telegram", str(GROUP_ID), "Garden")
GENERAL = ChannelRef(GARDEN, str(GROUP_ID), "Garden")
BOB_HERE = MemberRef(GARDEN, UserRef("telegram", str(BOB["id"]), "Bob"))
ALICE_HERE = MemberRef(GARDEN, UserRef("telegram", str(ALICE["id"]), "Alice"))
# A post sent "as a channel": its author is the channel, a chat (negative id), not a person.
NEWS_HERE = MemberRef(GARDEN, UserRef("telegram", "-1009999", "Garden News"))
MOD_LOG_CHAT = -100999
WITH_MOD_LOG = f'community:\n  cogs: [announcements]\n  channels:\n    mod_log: "{MOD_LOG_CHAT}"\n'


def mod_log(api: FakeBotApi) -> list[str]:
    return [
        call.params["text"] for call in api.called("sendMessage") if call.chat_id == MOD_LOG_CHAT
    ]


# -- moderation ---------------------------------------------------------------------------------


async def test_a_timeout_takes_every_permission_until_its_end(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    assert await bot.core.actions.timeout(BOB_HERE, until)
    [call] = api.called("restrictChatMember")
    assert (call.chat_id, call.params["user_id"]) == (GROUP_ID, "202")
    assert int(call.params["until_date"]) == int(until.timestamp())
    assert call.params["use_independent_chat_permissions"] == "true"
    permissions = call.json("permissions")
    assert permissions
    assert not any(permissions.values())


async def test_a_very_short_timeout_is_not_taken_for_forever(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    # Telegram reads a restriction shorter than 30 s as a permanent one.
    bot = await start_bot()
    now = datetime.now(UTC)
    assert await bot.core.actions.timeout(BOB_HERE, now + timedelta(seconds=5))
    [call] = api.called("restrictChatMember")
    assert int(call.params["until_date"]) >= int(now.timestamp()) + 30


async def test_a_very_long_timeout_is_not_taken_for_forever_either(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    # Telegram reads a restriction longer than 366 days as a permanent one: the platform
    # declares the 365 days it carries out, and keeps to them.
    bot = await start_bot()
    assert bot.platform.timeout_range == (timedelta(seconds=40), timedelta(days=365))
    now = datetime.now(UTC)
    assert await bot.core.actions.timeout(BOB_HERE, now + timedelta(days=400))
    [call] = api.called("restrictChatMember")
    until = int(call.params["until_date"]) - now.timestamp()
    assert until == pytest.approx(timedelta(days=365).total_seconds(), abs=5)


async def test_restrict_and_unrestrict(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    assert await bot.core.actions.restrict(BOB_HERE)
    assert await bot.core.actions.unrestrict(BOB_HERE)
    restricted, lifted = api.called("restrictChatMember")
    assert "until_date" not in restricted.params  # until lifted
    assert not any(restricted.json("permissions").values())
    assert all(lifted.json("permissions").values())


async def test_lifting_a_timeout_leaves_a_newcomer_held_at_the_gate_restricted(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """The gate restricts a newcomer until they accept the charter: a moderator's /timeout then
    /untimeout of them, or the timeout ending, must not let them post before they accept."""
    bot = await start_bot()
    actions = bot.core.actions
    assert await actions.restrict(BOB_HERE)  # held at the gate
    assert await actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    assert await actions.unrestrict(BOB_HERE)  # the timeout lifted
    calls = api.called("restrictChatMember")
    # Telegram would lift a restriction with an end by itself, the gate's hold with it.
    assert all("until_date" not in call.params for call in calls)
    assert not any(any(call.json("permissions").values()) for call in calls)
    assert await actions.unrestrict(BOB_HERE)  # the charter accepted
    lifted = api.called("restrictChatMember")[-1]
    assert all(lifted.json("permissions").values())


async def test_a_newcomer_held_at_the_gate_stays_held_across_a_restart(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """The lift of a timeout planned before a restart must not free a newcomer the gate still
    holds, and a timeout given after it must not end their hold either."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    first = await start_bot(database=database)
    assert await first.core.actions.restrict(BOB_HERE)  # held at the gate
    assert await first.core.actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    await first.stop()
    second = await start_bot(database=database)
    actions = second.core.actions
    assert await actions.unrestrict(BOB_HERE)  # the timeout ends
    assert await actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    calls = api.called("restrictChatMember")
    assert all("until_date" not in call.params for call in calls)
    assert not any(any(call.json("permissions").values()) for call in calls)
    await second.stop()
    third = await start_bot(database=database)
    assert await third.core.actions.unrestrict(BOB_HERE)  # the second timeout lifted
    assert len(api.called("restrictChatMember")) == len(calls)  # nothing to ask Telegram
    assert await third.core.actions.unrestrict(BOB_HERE)  # the charter accepted
    lifted = api.called("restrictChatMember")[-1]
    assert all(lifted.json("permissions").values())


def test_the_members_held_are_kept_within_a_bound() -> None:
    """Past its bound the bot forgets the members it held first: what it keeps stays small."""
    restrictions = Restrictions(max_members=2)
    for user_id in (401, 402, 403):
        restrictions.held(GROUP_ID, user_id)
    restrictions.timed_out(GROUP_ID, 403)
    kept = Restrictions(max_members=2)
    kept.restore(restrictions.dump())
    assert [kept.is_held(GROUP_ID, user_id) for user_id in (401, 402, 403)] == [
        False,
        True,
        True,
    ]
    assert not kept.lifted(GROUP_ID, 403)  # the timeout only: still held
    assert kept.lifted(GROUP_ID, 403)


async def test_what_the_adapter_keeps_of_a_member_is_exported_and_forgotten(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """/mydata holds, and /forget_member erases, what the adapter keeps between runs about a
    member: that they started the bot, and that it holds them at the gate and timed them out.
    Forgotten, they are held no more: a timeout has its end, and a lift lifts everything."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    api.started.add(BOB["id"])
    first = await start_bot(database=database)
    actions = first.core.actions
    assert await actions.dm(BOB_HERE.user, "Hello Bob")  # reached: he started the bot
    assert await actions.restrict(BOB_HERE)  # held at the gate
    assert await actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    data = await export_member(first.core, GARDEN, BOB_HERE.user)
    assert data.parts["telegram"] == {
        "started_the_bot": True,
        "held_at_the_charter_gate": True,
        "timed_out": True,
    }
    assert "telegram" not in (await export_member(first.core, GARDEN, ALICE_HERE.user)).parts

    api.push(tg_command(ADMIN, f"/forget_member {BOB['id']}"))
    await first.settle()
    answer = api.called("sendMessage")[-1].params["text"]
    # Named as the fake Bot API's getChatMember names him.
    assert answer == (
        "Forgot User202 (private chat with the bot and restrictions on Telegram). "
        "What they do from now on counts again, as for a newcomer."
    )
    await first.stop()

    second = await start_bot(database=database)
    assert (await export_member(second.core, GARDEN, BOB_HERE.user)).parts == {}
    actions = second.core.actions
    assert await actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    assert "until_date" in api.called("restrictChatMember")[-1].params
    assert await actions.unrestrict(BOB_HERE)
    assert all(api.called("restrictChatMember")[-1].json("permissions").values())


async def test_a_kick_is_a_ban_lifted_at_once(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    assert await bot.core.actions.kick(BOB_HERE)
    methods = [call.method for call in api.calls if call.params.get("user_id") == "202"]
    assert methods == ["getChatMember", "banChatMember", "unbanChatMember"]
    [unban] = api.called("unbanChatMember")
    assert unban.params["only_if_banned"] == "true"


async def test_a_kick_never_lifts_a_ban_another_administrator_made(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.statuses[(GROUP_ID, BOB["id"])] = "kicked"
    assert await bot.core.actions.kick(BOB_HERE)
    assert api.called("getChatMember")
    assert not api.called("banChatMember")
    assert not api.called("unbanChatMember")


async def test_ban_unban_and_react(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    assert await bot.core.actions.ban(BOB_HERE, delete_days=1)
    assert await bot.core.actions.unban(GARDEN, BOB_HERE.user)
    assert await bot.core.actions.react(MessageRef(GENERAL, "77"), "👍")
    [ban] = api.called("banChatMember")
    assert (ban.params["user_id"], ban.params["revoke_messages"]) == ("202", "true")
    [unban] = api.called("unbanChatMember")
    assert unban.params["only_if_banned"] == "true"
    [react] = api.called("setMessageReaction")
    assert react.params["message_id"] == "77"
    assert react.json("reaction") == [{"type": "emoji", "emoji": "👍"}]


async def test_a_channel_posting_in_the_group_is_banned_as_a_channel_and_never_written_to(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    platform = bot.platform
    until = datetime.now(UTC) + timedelta(minutes=5)
    person_only: list[Callable[[], Awaitable[None]]] = [
        # Written to, the channel's id would post the warning in the channel itself.
        lambda: platform.dm(NEWS_HERE.user, "You have been warned", community=GARDEN),
        lambda: platform.timeout(NEWS_HERE, until),
        lambda: platform.restrict(NEWS_HERE),
        lambda: platform.unrestrict(NEWS_HERE),
        lambda: platform.kick(NEWS_HERE),
    ]
    for action in person_only:
        with pytest.raises(PlatformError) as refused:
            await action()
        assert written(refused.value) == "Garden News is not a Telegram user"
    assert await bot.core.actions.ban(NEWS_HERE, delete_days=1)
    assert await bot.core.actions.unban(GARDEN, NEWS_HERE.user)
    [ban] = api.called("banChatSenderChat")
    assert (ban.chat_id, ban.params["sender_chat_id"]) == (GROUP_ID, "-1009999")
    [unban] = api.called("unbanChatSenderChat")
    assert (unban.chat_id, unban.params["sender_chat_id"]) == (GROUP_ID, "-1009999")
    acted = {call.method for call in api.calls}
    assert acted.isdisjoint(
        {"sendMessage", "restrictChatMember", "getChatMember", "banChatMember", "unbanChatMember"}
    )


async def test_roles_do_not_exist_on_telegram(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    calls = len(api.calls)
    assert await bot.core.actions.add_role(BOB_HERE, "Members") is False
    assert len(api.calls) == calls
    with pytest.raises(MissingCapabilityError):
        await bot.platform.add_role(BOB_HERE, "Members")


# -- sending ------------------------------------------------------------------------------------


async def test_buttons_and_a_press_on_them(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    buttons = [Button("vote:yes", "Yes 👍"), Button("vote:no", "No")]
    sent = await bot.core.actions.send(GENERAL, "Shall we plant tomatoes?", buttons=buttons)
    assert sent is not None
    [call] = api.called("sendMessage")
    assert call.json("reply_markup") == {
        "inline_keyboard": [
            [{"text": "Yes 👍", "callback_data": "vote:yes"}],
            [{"text": "No", "callback_data": "vote:no"}],
        ]
    }
    on = message({"id": 123, "is_bot": True, "first_name": "J"}, "?", message_id=int(sent.id))
    api.push(button_press(ALICE, "vote:yes", on=on))
    await api.wait_for("answerCallbackQuery")
    await bot.settle()
    [press] = bot.seen(ButtonPressed)
    assert (press.button_id, press.message, press.member.user.id) == ("vote:yes", sent, "201")


async def test_a_chart_is_sent_as_a_photo_and_other_files_as_documents(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    bot = await start_bot()
    chart = tmp_path / "activity.png"
    chart.write_bytes(b"\x89PNG fake chart")
    table = tmp_path / "top.csv"
    table.write_text("member,points\nalice,12\n")
    assert await bot.core.actions.send(GENERAL, "Activity <this week>", file=chart)
    assert await bot.core.actions.send(GENERAL, "Top contributors", file=table)
    [photo] = api.called("sendPhoto")
    assert photo.files["photo"] == ("activity.png", b"\x89PNG fake chart")
    assert photo.params["caption"] == "Activity &lt;this week&gt;"
    assert photo.params["parse_mode"] == "HTML"
    [document] = api.called("sendDocument")
    assert document.files["document"] == ("top.csv", b"member,points\nalice,12\n")


async def test_a_file_larger_than_telegram_takes_is_refused_before_it_is_sent(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    bot = await start_bot()
    history = tmp_path / "history.zip"
    with history.open("wb") as sparse:
        sparse.truncate(50 * 1024 * 1024 + 1)
    with pytest.raises(PlatformError) as refused:
        await bot.platform.send(GENERAL, "The whole history", file=history)
    expected = "The file history.zip is larger than the 50 MB allowed in Garden"
    assert written(refused.value) == expected
    with pytest.raises(PlatformError) as refused:
        await bot.platform.dm(BOB_HERE.user, "Your data", community=GARDEN, file=history)
    assert written(refused.value) == expected
    assert api.called("sendDocument") == []
    assert api.called("sendMessage") == []


async def test_a_long_caption_follows_the_photo_as_text(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    bot = await start_bot()
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"png")
    report = "\n".join(f"line {n}: everything went well" for n in range(60))
    assert await bot.core.actions.send(GENERAL, report, file=chart)
    [photo] = api.called("sendPhoto")
    assert "caption" not in photo.params
    [text] = api.called("sendMessage")
    assert text.params["text"] == report


async def test_a_long_text_is_split_into_several_messages(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    text = "\n".join(f"{n}. " + "tomato " * 40 for n in range(40))
    sent = await bot.core.actions.send(GENERAL, text, buttons=[Button("more", "More")])
    calls = api.called("sendMessage")
    assert len(calls) > 1
    assert "".join(call.params["text"] for call in calls) == text
    assert [("reply_markup" in call.params) for call in calls] == [False] * (len(calls) - 1) + [
        True
    ]
    assert sent is not None
    assert sent.id == str(calls[-1].result["message_id"])  # the message that has the buttons


async def test_a_private_message_needs_the_member_to_have_started_the_bot(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, WITH_MOD_LOG)
    bot = await start_bot()
    api.started.add(BOB["id"])
    assert await bot.core.actions.dm(BOB_HERE.user, "Your warning", community=GARDEN)
    [delivered] = api.called("sendMessage")
    assert delivered.chat_id == BOB["id"]
    api.fail("sendMessage", "Forbidden: bot can't initiate conversation with a user", code=403)
    assert await bot.core.actions.dm(BOB_HERE.user, "Your warning", community=GARDEN) is False
    [report] = mod_log(api)
    assert "not started a conversation with the bot" in report


async def test_a_private_message_can_carry_a_file(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    bot = await start_bot()
    api.started.add(BOB["id"])
    export = tmp_path / "data.json"
    export.write_text('{"data": {}}')
    assert await bot.core.actions.dm(
        BOB_HERE.user, "What I keep <about you>", community=GARDEN, file=export
    )
    [document] = api.called("sendDocument")
    assert document.chat_id == BOB["id"]
    assert document.files["document"] == ("data.json", b'{"data": {}}')
    assert document.params["caption"] == "What I keep &lt;about you&gt;"
    assert api.called("sendMessage") == []  # the text went as the caption


# -- refusals and flood control ----------------------------------------------------------------


async def test_flood_control_is_waited_out(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    api.fail("sendMessage", "Too Many Requests: retry after 1", code=429, retry_after=1)
    sent = await bot.core.actions.send(GENERAL, "Hello")
    assert sent is not None
    attempts = api.called("sendMessage")
    assert len(attempts) == 2
    assert attempts[1].params["text"] == "Hello"


async def test_a_flood_wait_in_one_group_holds_back_no_other_group(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """Spam in another group is dealt with while the bot waits out Telegram's flood control in
    one; the waiting group's own updates keep their order."""
    bot = await start_bot()
    orchard = group(-100555, "Orchard")
    api.fail("sendMessage", "Too Many Requests: retry after 3", code=429, retry_after=3)
    api.push(joined_service_message(ALICE))  # the welcome meets the flood control
    await api.wait_for("sendMessage")
    api.push(text_message(BOB, "after the welcome", message_id=301))
    api.push(text_message(BOB, "casino in the orchard", chat=orchard, message_id=302))
    [deletion] = await api.wait_for("deleteMessage")
    assert (deletion.chat_id, deletion.params["message_id"]) == (-100555, "302")
    assert len(api.called("sendMessage")) == 1  # the welcome is still waiting
    assert [event.text for event in bot.seen(MessageCreated)] == ["casino in the orchard"]
    await bot.settle(within=10)
    welcomed = api.called("sendMessage")
    assert [call.params["text"] for call in welcomed] == [
        "Welcome Alice Martin! Read the charter."
    ] * 2
    assert [event.text for event in bot.seen(MessageCreated)] == [
        "casino in the orchard",
        "after the welcome",
    ]


async def test_a_long_flood_wait_drops_the_action_and_says_so_once(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, WITH_MOD_LOG)
    bot = await start_bot()
    api.fail("deleteMessage", "Too Many Requests: retry after 120", code=429, retry_after=120)
    assert await bot.core.actions.delete(MessageRef(GENERAL, "70")) is False
    assert len(api.called("deleteMessage")) == 1  # no retry storm
    [report] = mod_log(api)
    assert report == "⚠️ Telegram is rate-limiting me in Garden; some actions were dropped"


async def test_refusals_reach_the_mod_log_once_and_never_stop_the_bot(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, WITH_MOD_LOG)
    bot = await start_bot()
    api.fail("deleteMessage", "Bad Request: message can't be deleted", times=2)
    api.push(text_message(BOB, "casino one", message_id=80))
    api.push(text_message(BOB, "casino two", message_id=81))
    await api.wait_for("deleteMessage", 2)
    api.push(tg_command(ALICE, "/help", message_id=82))
    answers = await api.wait_for("sendMessage", 2)
    assert [call.chat_id for call in answers] == [MOD_LOG_CHAT, GROUP_ID]
    [report] = mod_log(api)
    assert "«Delete messages»" in report
    assert "Garden" in report
    assert answers[1].params["text"].startswith("Commands you can use")
    assert not bot.task.done()


async def test_a_refused_action_is_a_platform_error_with_a_reason(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.fail("banChatMember", "Bad Request: user is an administrator of the chat")
    with pytest.raises(PlatformError) as refused:
        await bot.platform.ban(BOB_HERE)
    assert written(refused.value) == "Bob is an administrator of Garden, so I cannot ban a member"
    api.fail("restrictChatMember", "Bad Request: not enough rights to restrict/unrestrict")
    with pytest.raises(PlatformError) as refused:
        await bot.platform.timeout(BOB_HERE, datetime.now(UTC) + timedelta(hours=1))
    assert written(refused.value) == (
        "I need the «Ban users» administrator right in Garden to time a member out"
    )


async def test_the_token_never_reaches_a_reason(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    api.fail("sendMessage", f"Bad Request: chat of bot {api.token} not found")
    with pytest.raises(PlatformError) as refused:
        await bot.platform.send(GENERAL, "hello")
    assert api.token not in str(refused.value)
    assert api.token not in written(refused.value)
    assert "***" in written(refused.value)


async def test_a_token_where_a_long_description_is_cut_leaves_no_part_behind(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    # The token straddles the length a refusal quotes: scrubbed first, then cut.
    api.fail("sendMessage", "Bad Request: " + "x" * 194 + f" {api.token} and more")
    with pytest.raises(PlatformError) as refused:
        await bot.platform.send(GENERAL, "hello")
    # PTB changes the case of Telegram's descriptions.
    assert api.token[:5].casefold() not in written(refused.value).casefold()
    assert "***" in written(refused.value)


async def test_a_button_pressed_in_a_private_chat_is_acknowledged_and_ignored(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    on = message({"id": 123, "is_bot": True, "first_name": "J"}, "?", chat=private(ALICE))
    api.push(button_press(ALICE, "vote:yes", on=on))
    await api.wait_for("answerCallbackQuery")
    await bot.settle()
    assert bot.seen(ButtonPressed) == []


# -- groups upgraded to supergroups ---------------------------------------------------------------


async def test_an_action_on_a_group_upgraded_while_the_bot_was_away_follows_it(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """Had the bot missed the notices of the upgrade, Telegram's refusal names the new chat:
    the action goes there, and so do the next ones, with nothing for the mod-log."""
    old = -4001234567
    was = CommunityRef("telegram", str(old), "Garden")
    api.upgraded[old] = GROUP_ID
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    bot = await start_bot(database=database)
    actions = bot.core.actions
    sent = await actions.send(ChannelRef(was, str(old)), "Hello")
    assert sent is not None
    assert sent.channel == ChannelRef(was, str(old))
    assert await actions.timeout(
        MemberRef(was, BOB_HERE.user), datetime.now(UTC) + timedelta(minutes=10)
    )
    assert [call.chat_id for call in api.calls if "chat_id" in call.params] == [
        old,
        GROUP_ID,
        GROUP_ID,
    ]
    api.push(text_message(ALICE, "hi", message_id=31))  # in the supergroup
    await bot.settle()
    [said] = bot.seen(MessageCreated)
    assert said.community == was
    await bot.stop()
    again = await start_bot(database=database)
    assert await again.core.actions.send(ChannelRef(was, str(old)), "Hello again")
    assert api.called("sendMessage")[-1].chat_id == GROUP_ID


class FlakyStore:
    """A state store that does not answer until told (a locked database)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.down = True

    def _answer(self) -> None:
        if self.down:
            raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    async def get(self, key: str) -> str | None:
        self._answer()
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        self._answer()
        self.values[key] = value


async def test_an_upgrade_learnt_while_the_store_does_not_answer_is_kept_once_it_does() -> None:
    store = FlakyStore({STATE_KEY: json.dumps({"-1": -1001})})
    migrations = Migrations(store)
    await migrations.moved(-2, -1002)
    assert migrations.now(-2) == -1002
    assert migrations.known_as(-1002) == -2
    store.down = False
    await migrations.load()
    assert migrations.now(-1) == -1001
    assert json.loads(store.values[STATE_KEY]) == {"-1": -1001, "-2": -1002}


# -- moderators, members, channels ----------------------------------------------------------------


async def test_administrators_are_asked_once_then_again_after_a_member_update(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.push(text_message(ALICE, "one"))
    api.push(text_message(ALICE, "two"))
    await bot.settle()
    assert len(api.called("getChatAdministrators")) == 1
    api.administrators[GROUP_ID] = [ALICE["id"]]
    api.push(chat_member(ALICE, "member", "administrator"))
    api.push(tg_command(ALICE, "/announce 1h Promoted!", message_id=83))
    [answer] = await api.wait_for("sendMessage")
    assert answer.params["text"].startswith("Announcement ")
    assert len(api.called("getChatAdministrators")) == 2


async def test_joins_do_not_ask_for_the_administrators_and_a_refusal_keeps_them(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """During a raid every join asked Telegram for the administrators again, and one refusal
    (flood control) left the group's administrators without their moderator rights."""
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot(stand_ins=False)
    api.push(text_message(ADMIN, "hello"))
    await bot.settle()
    assert len(api.called("getChatAdministrators")) == 1
    for number in range(20):
        api.push(chat_member(user(5000 + number, f"Raider {number}"), "left", "member"))
    api.push(chat_member(user(4999, "Raider"), "member", "kicked"))
    await bot.settle()
    assert len(api.called("getChatAdministrators")) == 1
    # Bob is promoted while Telegram refuses to list the administrators.
    api.fail(
        "getChatAdministrators", "Too Many Requests: retry after 45", code=429, retry_after=45
    )
    api.push(chat_member(BOB, "member", "administrator"))
    api.push(tg_command(ADMIN, "/announce 1h Still a moderator", message_id=84))
    api.push(tg_command(BOB, "/announce 1h Now a moderator", message_id=85))
    [first, second] = await api.wait_for("sendMessage", 2)
    assert len(api.called("getChatAdministrators")) == 2
    assert first.params["text"].startswith("Announcement "), first.params["text"]
    assert second.params["text"].startswith("Announcement "), second.params["text"]


async def test_members_are_found_by_id_or_by_a_username_seen_before(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot()
    platform = bot.platform
    assert await platform.resolve_member(GARDEN, "@alice") is None
    api.push(text_message(ALICE, "hello"))
    api.push(text_message(ADMIN, "hello"))
    await bot.settle()
    alice = await platform.resolve_member(GARDEN, "@Alice")
    assert alice is not None
    assert (alice.user.id, alice.name, alice.platform_moderator) == ("201", "Alice Martin", False)
    admin = await platform.resolve_member(GARDEN, "ada_admin")
    assert admin is not None
    assert admin.platform_moderator
    by_id = await platform.resolve_member(GARDEN, "202")
    assert by_id is not None
    assert by_id.user.id == "202"
    api.fail("getChatMember", "Bad Request: user not found")
    assert await platform.resolve_member(GARDEN, "404") is None


@pytest.mark.parametrize(
    "answer",
    [
        "Bad Request: user not found",
        "Bad Request: member not found",
        "Bad Request: PARTICIPANT_ID_INVALID",
        "Bad Request: invalid user_id specified",
    ],
)
async def test_an_id_telegram_knows_no_member_by_finds_nobody(
    start_bot: StartBot, api: FakeBotApi, answer: str
) -> None:
    bot = await start_bot()
    api.fail("getChatMember", answer)
    assert await bot.platform.resolve_member(GARDEN, "404") is None


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (
            {"description": "Internal Server Error", "code": 500},
            "I could not reach Telegram to find a member in Garden",
        ),
        (
            {"description": "Too Many Requests: retry after 45", "code": 429, "retry_after": 45},
            "Telegram is rate-limiting me in Garden; some actions were dropped",
        ),
    ],
)
async def test_a_member_telegram_could_not_look_up_is_not_said_to_be_missing(
    start_bot: StartBot, api: FakeBotApi, failure: dict[str, Any], said: str
) -> None:
    bot = await start_bot()
    api.fail("getChatMember", **failure)
    with pytest.raises(PlatformError) as refused:
        await bot.platform.resolve_member(GARDEN, "202")
    assert written(refused.value) == said


class StandInCog:
    """A member-taking command, as the moderation cogs will declare them."""

    @command()
    async def whois(self, ctx: CommandContext, member: Annotated[MemberRef, "Who"]) -> None:
        """Say who a member is."""
        await ctx.reply(f"{member.name} has the id {member.user.id}")


async def test_a_command_sent_as_a_reply_aims_at_the_replied_author(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    bot.core.commands.add(build_spec(StandInCog().whois, cog="core"))
    await bot.core.publish_commands()
    original = message(BOB, "spam", message_id=84)
    api.push(tg_command(ALICE, "/whois", message_id=85, reply_to_message=original))
    [answer] = await api.wait_for("sendMessage")
    assert answer.params["text"] == "Bob has the id 202"
    api.push(tg_command(ALICE, "/whois @alice", message_id=86, reply_to_message=original))
    [_, named] = await api.wait_for("sendMessage", 2)
    assert named.params["text"] == "Alice Martin has the id 201"


async def test_a_moderator_told_telegram_failed_to_look_up_a_member_not_that_none_exists(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    bot.core.commands.add(build_spec(StandInCog().whois, cog="core"))
    await bot.core.publish_commands()
    api.fail("getChatMember", "Internal Server Error", code=500)
    api.push(tg_command(ALICE, "/whois 404", message_id=85))
    [answer] = await api.wait_for("sendMessage")
    assert answer.params["text"] == "I could not reach Telegram to find a member in Garden"
    api.fail("getChatMember", "Bad Request: user not found")
    api.push(tg_command(ALICE, "/whois 404", message_id=86))
    [_, unknown] = await api.wait_for("sendMessage", 2)
    assert "404" in unknown.params["text"]
    assert "Telegram" not in unknown.params["text"]


async def test_channels_are_the_group_its_topics_or_another_chat(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    bot = await start_bot(database=database)
    platform = bot.platform
    forum = group(forum=True)
    topic = message(
        ALICE,
        chat=forum,
        message_id=12,
        message_thread_id=12,
        forum_topic_created={"name": "Mod log", "icon_color": 7322096},
    )
    api.push(
        text_message(
            ADMIN,
            "/help",
            chat=forum,
            message_id=86,
            message_thread_id=12,
            is_topic_message=True,
            reply_to_message=topic,
            entities=[{"type": "bot_command", "offset": 0, "length": 5}],
        )
    )
    [answer] = await api.wait_for("sendMessage")
    assert answer.params["message_thread_id"] == "12"  # answered in the topic
    assert await platform.resolve_channel(GARDEN, "Garden") == GENERAL
    assert await platform.resolve_channel(GARDEN, "#general") == GENERAL
    assert await platform.resolve_channel(GARDEN, str(GROUP_ID)) == GENERAL
    in_topic = ChannelRef(GARDEN, f"{GROUP_ID}:12")
    assert await platform.resolve_channel(GARDEN, "mod-log") == in_topic
    assert await platform.resolve_channel(GARDEN, "12") == in_topic
    elsewhere = await platform.resolve_channel(GARDEN, str(MOD_LOG_CHAT))
    assert elsewhere == ChannelRef(CommunityRef("telegram", str(MOD_LOG_CHAT)), str(MOD_LOG_CHAT))
    assert await platform.resolve_channel(GARDEN, "announcements") is None
    await bot.stop()
    # The topic's name is remembered across a restart.
    again = await start_bot(database=database)
    assert await again.platform.resolve_channel(GARDEN, "Mod log") == in_topic


# -- commands menus -------------------------------------------------------------------------------


async def test_commands_are_published_for_members_and_for_administrators_in_two_languages(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    await start_bot()
    menus = {
        (call.json("scope")["type"], call.params.get("language_code", "")): {
            item["command"]: item["description"] for item in call.json("commands")
        }
        for call in api.called("setMyCommands")
    }
    assert set(menus) == {
        ("all_group_chats", ""),
        ("all_group_chats", "fr"),
        ("all_chat_administrators", ""),
        ("all_chat_administrators", "fr"),
    }
    assert "help" in menus[("all_group_chats", "")]
    assert "announce" not in menus[("all_group_chats", "")]
    assert {"help", "announce", "rules_reload"} <= set(menus[("all_chat_administrators", "")])
    assert menus[("all_chat_administrators", "fr")]["annonce"] == (
        "Programmer une annonce dans ce salon"
    )


async def test_unchanged_commands_are_not_published_again(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    first = await start_bot(database=database)
    assert len(api.called("setMyCommands")) == 4
    await first.stop()
    await start_bot(database=database)
    assert len(api.called("setMyCommands")) == 4


async def test_a_locked_state_store_neither_stops_the_menus_nor_the_bot(
    start_bot: StartBot,
    api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    get, set_ = StateStore.get, StateStore.set

    def locked(key: str) -> None:
        if key.startswith("telegram:commands:"):
            raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    async def locked_get(self: StateStore, key: str) -> str | None:
        locked(key)
        return await get(self, key)

    async def locked_set(self: StateStore, key: str, value: str) -> None:
        locked(key)
        await set_(self, key, value)

    monkeypatch.setattr(StateStore, "get", locked_get)
    monkeypatch.setattr(StateStore, "set", locked_set)
    bot = await start_bot()  # polling: the bot runs
    assert len(api.called("setMyCommands")) == 4
    assert "could not read which command menus were published" in caplog.text
    assert "could not remember the published command menus" in caplog.text
    assert not bot.task.done()


# -- connecting ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_registers_the_webhook_and_checks_its_secret(
    start_bot: StartBot, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.core")
    port = free_port()
    bot = await start_bot(
        environ={
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "TELEGRAM_WEBHOOK_SECRET": "garden-secret",
        },
        wait_for_polling=False,
    )
    [registered] = await api.wait_for("setWebhook")
    assert registered.params["url"] == f"http://127.0.0.1:{port}/hook"
    assert registered.params["secret_token"] == "garden-secret"
    assert "chat_member" in registered.json("allowed_updates")
    update = {"update_id": 1, **joined_service_message(ALICE)}
    url = f"http://127.0.0.1:{port}/hook"
    async with aiohttp.ClientSession() as session:

        async def post(secret: str) -> int:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(url, json=update, headers=headers) as response:
                return response.status

        for _ in range(100):  # the server may still be starting
            try:
                refused = await post("wrong")
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the webhook server never listened")
        assert refused == 403
        assert await post("garden-secret") == 200
    [welcome] = await api.wait_for("sendMessage")
    assert welcome.params["text"] == "Welcome Alice Martin! Read the charter."
    assert api.polls == 0
    # Twice the shut-down's grace: what is slow on a loaded machine is not a hang.
    await asyncio.wait_for(bot.stop(), 2 * SHUTDOWN_GRACE.total_seconds())
    assert "stopping anyway" not in caplog.text  # nothing held the stop until its grace ran out


async def test_an_unreachable_bot_api_is_retried_and_stop_still_returns_promptly(
    rules_dir: Path,
) -> None:
    platform = create_platform(
        {"TELEGRAM_TOKEN": "123:TEST", "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}/bot"}
    )
    seen: list[Event] = []

    async def sink(event: Event) -> None:
        seen.append(event)

    with pytest.raises(PlatformError):
        await platform.sync_commands([])
    task = asyncio.create_task(platform.start(sink))
    ready = asyncio.create_task(platform.ready())
    await asyncio.sleep(0.5)
    assert not task.done()  # still trying
    assert not ready.done()  # and the scheduled jobs still wait
    ready.cancel()
    await platform.stop()
    await asyncio.wait_for(task, 2.0)
    assert seen == []


async def test_the_platform_is_ready_once_the_bot_api_answers(start_bot: StartBot) -> None:
    bot = await start_bot(wait_for_polling=False)
    await asyncio.wait_for(bot.platform.ready(), 5)
    assert bot.api.called("getMe")


async def test_a_refused_token_stops_with_a_clear_error(api: FakeBotApi) -> None:
    platform = create_platform({"TELEGRAM_TOKEN": "123:WRONG", "TELEGRAM_API_URL": api.base_url})

    async def sink(event: Event) -> None:
        raise AssertionError(event)

    with pytest.raises(JardinierError, match="Telegram refused TELEGRAM_TOKEN") as refused:
        await asyncio.wait_for(platform.start(sink), 5)
    assert "WRONG" not in str(refused.value)


async def test_a_refusal_quoting_the_token_does_not_show_it(api: FakeBotApi) -> None:
    # A proxy in front of a self-hosted Bot API may quote the request's path; python-telegram-bot
    # lower-cases the description it passes on.
    api.fail("getMe", f"Bad Request: No such path /bot{api.token}/getMe")
    platform = create_platform({"TELEGRAM_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url})

    async def sink(event: Event) -> None:
        raise AssertionError(event)

    with pytest.raises(JardinierError, match="Telegram refused to") as refused:
        await asyncio.wait_for(platform.start(sink), 5)
    assert api.token.lower() not in str(refused.value).lower()
    assert "/bot***/getme" in str(refused.value).lower()


async def test_a_purge_deletes_in_batches_of_a_hundred(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    messages = [MessageRef(GENERAL, str(1000 + number)) for number in range(150)]
    assert await bot.core.actions.delete_many(messages) is True
    first, second = api.called("deleteMessages")
    assert first.chat_id == GROUP_ID
    assert first.json("message_ids") == list(range(1000, 1100))
    assert second.json("message_ids") == list(range(1100, 1150))


def in_chat(channel: ChannelRef, ids: Iterable[int]) -> list[MessageRef]:
    return [MessageRef(channel, str(number)) for number in ids]


async def test_a_purge_goes_on_past_a_message_it_may_not_delete_and_those_already_gone(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, WITH_MOD_LOG)
    bot = await start_bot()
    ids = range(1000, 1250)
    # Telegram refuses the whole batch for one message over 48 hours old.
    too_old = 1010
    api.undeletable.add((GROUP_ID, too_old))
    # A moderator deleted these by hand before the purge reached them.
    api.gone.update({(GROUP_ID, 1020), (GROUP_ID, 1120)})
    assert await bot.core.actions.delete_many(in_chat(GENERAL, ids)) is False
    assert sorted(api.deleted_in(GROUP_ID)) == [i for i in ids if i not in (too_old, 1020, 1120)]
    # Only the refused batch is asked again, one message at a time.
    assert len(api.called("deleteMessages")) == 3
    assert len(api.called("deleteMessage")) == 100
    [report] = mod_log(api)
    assert report == (
        "⚠️ I could not delete messages in Garden: I need the «Delete messages» administrator "
        "right, and Telegram lets bots delete only messages younger than 48 hours"
    )


async def test_a_chat_that_refuses_a_whole_purge_ends_only_its_own_part(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    # The member's suggestions went to a group kept apart, which the bot has since left.
    old_ideas = CommunityRef("telegram", "-100777", "Old ideas")
    api.unknown_chats.add(-100777)
    api.undeletable.add((GROUP_ID, 1001))
    messages = [
        *in_chat(ChannelRef(old_ideas, "-100777", "Old ideas"), range(500, 650)),
        *in_chat(GENERAL, range(1000, 1003)),
    ]
    with pytest.raises(PlatformError) as refused:
        await bot.platform.delete_many(messages)
    # The unknown chat is asked once, not for each of its messages.
    assert [call.chat_id for call in api.called("deleteMessages")] == [-100777, GROUP_ID]
    assert {call.chat_id for call in api.called("deleteMessage")} == {GROUP_ID}
    assert api.deleted_in(GROUP_ID) == [1000, 1002]
    # One refusal, for the reason that left the most messages, counting them all.
    assert refused.value.values["not_deleted"] == 151
    assert written(refused.value) == (
        "Telegram does not know the chat Old ideas; is the bot still a member? "
        "I could not delete messages"
    )


async def test_a_purge_meeting_a_long_flood_wait_stops_without_a_storm(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, WITH_MOD_LOG)
    bot = await start_bot()
    api.fail("deleteMessages", "Too Many Requests: retry after 120", code=429, retry_after=120)
    assert await bot.core.actions.delete_many(in_chat(GENERAL, range(1000, 1150))) is False
    assert len(api.called("deleteMessages")) == 1
    assert api.called("deleteMessage") == []
    [report] = mod_log(api)
    assert report == "⚠️ Telegram is rate-limiting me in Garden; some actions were dropped"


async def test_without_the_right_a_purge_deletes_the_bots_own_posts_and_soon_gives_up_on_the_rest(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    ids = range(1000, 1150)
    own = {1002, *range(1100, 1105)}  # the bot's recent posts, which it may always delete
    api.undeletable.update((GROUP_ID, i) for i in ids if i not in own)
    with pytest.raises(PlatformError) as refused:
        await bot.platform.delete_many(in_chat(GENERAL, ids))
    assert api.deleted_in(GROUP_ID) == sorted(own)
    # Each refused batch is asked again message by message only until refusals come in a run.
    asked = [int(call.params["message_id"]) for call in api.called("deleteMessage")]
    assert len(asked) == 3 + REFUSED_IN_A_ROW + 5 + REFUSED_IN_A_ROW
    assert refused.value.key == "cannot_delete_old"
    assert refused.value.values["not_deleted"] == len(ids) - len(own)
