"""The issue's acceptance, end to end: the real ``Application`` polls a fake Bot API on 127.0.0.1,
the real core runs the commands, and the tests read what reached the Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path

import pytest

from bot.core import SHUTDOWN_GRACE
from bot.errors import JardinierError
from bot.events import ChannelRef, CommandInvoked, CommunityRef, MemberJoined, MessageCreated
from tests.adapters.telegram.fake_bot_api import LONG_POLL, FakeBotApi
from tests.adapters.telegram.harness import StartBot, write_override
from tests.adapters.telegram.payloads import (
    ADMIN,
    ALICE,
    BOB,
    GROUP_ID,
    basic_group,
    chat_member,
    command,
    joined_service_message,
    text_message,
    upgraded,
    user,
)

OLD_GROUP = -4001234567
"""A group's id before Telegram upgrades it to the supergroup ``GROUP_ID``."""


async def test_a_member_joining_is_welcomed_once(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    # An administrator bot hears the join twice: as a chat_member update and a service message.
    api.push(chat_member(ALICE, "left", "member"))
    api.push(joined_service_message(ALICE))
    [welcome] = await api.wait_for("sendMessage")
    await bot.settle()
    assert len(api.called("sendMessage")) == 1
    assert welcome.chat_id == GROUP_ID
    assert welcome.params["text"] == "Welcome Alice Martin! Read the charter."
    assert welcome.params["parse_mode"] == "HTML"
    assert len(bot.seen(MemberJoined)) == 1


async def test_a_message_breaking_a_rule_is_deleted(start_bot: StartBot, api: FakeBotApi) -> None:
    bot = await start_bot()
    api.push(text_message(BOB, "Best CASINO bonus here", message_id=77))
    [deletion] = await api.wait_for("deleteMessage")
    assert (deletion.chat_id, deletion.params["message_id"]) == (GROUP_ID, "77")
    api.push(text_message(ALICE, "Lovely tomatoes this year", message_id=78))
    await bot.settle()
    assert len(api.called("deleteMessage")) == 1
    assert [event.text for event in bot.seen(MessageCreated)] == [
        "Best CASINO bonus here",
        "Lovely tomatoes this year",
    ]


async def test_a_chat_administrator_gets_help_with_the_moderator_commands(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    await start_bot()
    api.push(command(ADMIN, "/help", message_id=90))
    [answer] = await api.wait_for("sendMessage")
    assert answer.chat_id == GROUP_ID
    assert answer.json("reply_parameters")["message_id"] == 90
    assert answer.params["text"].startswith("Commands you can use in Garden:")
    assert "/announce" in answer.params["text"]
    assert "/rules_reload" in answer.params["text"]
    assert [call.chat_id for call in api.called("getChatAdministrators")] == [GROUP_ID]


async def test_a_member_who_is_not_an_administrator_is_refused_moderator_commands(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot()
    api.push(command(BOB, "/announce 1h The contest opens!", message_id=91))
    [refusal] = await api.wait_for("sendMessage")
    assert refusal.params["text"] == "Sorry, /announce is for moderators."
    assert refusal.json("reply_parameters")["message_id"] == 91
    api.push(command(BOB, "/help", message_id=92))
    [_, member_help] = await api.wait_for("sendMessage", 2)
    assert "/help" in member_help.params["text"]
    assert "/announce" not in member_help.params["text"]
    # The same command from the administrator runs.
    api.push(command(ADMIN, "/announce 1h The contest opens!", message_id=93))
    [*_, scheduled] = await api.wait_for("sendMessage", 3)
    assert scheduled.params["text"].startswith("Announcement ")
    await bot.settle()
    assert [event.name for event in bot.seen(CommandInvoked)] == ["announce", "help", "announce"]


async def test_moderators_named_in_the_rule_book_are_moderators_too(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(
        rules_dir,
        f"community:\n  cogs: [announcements]\n  moderators:\n    users: [{BOB['id']}]\n",
    )
    await start_bot()
    api.push(command(BOB, "/announce 1h The contest opens!", message_id=98))
    [answer] = await api.wait_for("sendMessage")
    assert answer.params["text"].startswith("Announcement ")


async def test_names_are_escaped_and_ping_nobody(start_bot: StartBot, api: FakeBotApi) -> None:
    await start_bot()
    api.push(joined_service_message(user(401, "<b>x</b>")))
    api.push(joined_service_message(user(402, "@everyone")))
    first, second = await api.wait_for("sendMessage", 2)
    assert first.params["parse_mode"] == "HTML"
    assert first.params["text"] == "Welcome &lt;b&gt;x&lt;/b&gt;! Read the charter."
    assert "<b>" not in first.params["text"]
    assert second.params["text"] == "Welcome @\u2060everyone! Read the charter."
    assert "@everyone" not in second.params["text"]


async def test_commands_addressed_by_name_and_to_other_bots(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.push(command(ALICE, "/help@other_bot", message_id=94))
    api.push(command(ALICE, "/start", message_id=95))  # another bot's command, not ours
    api.push(command(ALICE, "/help@jardinier_bot", message_id=96))
    [answer] = await api.wait_for("sendMessage")
    await bot.settle()
    assert len(api.called("sendMessage")) == 1
    assert answer.json("reply_parameters")["message_id"] == 96
    api.push(command(ALICE, "/nosuch@jardinier_bot", message_id=97))
    [_, unknown] = await api.wait_for("sendMessage", 2)
    assert unknown.params["text"].startswith("I don't know /nosuch.")


async def test_french_names_typed_with_accents_run_while_the_menus_stay_without(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    menus = [
        item["command"] for call in api.called("setMyCommands") for item in call.json("commands")
    ]
    assert "mes_donnees" in menus
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in menus)
    # Sent without a bot_command entity: the text alone says what a member typed.
    api.push(text_message(BOB, "/Règles_Recharger", message_id=101))
    [refusal] = await api.wait_for("sendMessage")
    assert refusal.params["text"] == "Sorry, /rules_reload is for moderators."
    api.push(text_message(ALICE, "/aide mes_données", message_id=102))
    api.push(text_message(ALICE, "/Aide@jardinier_bot /MES_DONNÉES", message_id=103))
    [_, *explained] = await api.wait_for("sendMessage", 3)
    assert [answer.params["text"].split("\n")[0] for answer in explained] == ["/mydata"] * 2
    api.push(text_message(ALICE, "/éteindre", message_id=104))  # another bot's, maybe
    api.push(text_message(ALICE, "/éteindre@jardinier_bot", message_id=105))
    [*_, unknown] = await api.wait_for("sendMessage", 4)
    await bot.settle()
    assert len(api.called("sendMessage")) == 4
    assert unknown.json("reply_parameters")["message_id"] == 105
    assert unknown.params["text"].startswith("I don't know /éteindre.")


async def test_polling_asks_for_every_update_kind_the_bot_needs(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    await start_bot()
    assert set(json.loads(api.poll_params[-1]["allowed_updates"])) == {
        "message",
        "edited_message",
        "chat_member",
        "my_chat_member",
        "message_reaction",
        "callback_query",
    }
    assert api.called("deleteWebhook")  # polling makes sure no webhook is left


async def test_stopping_returns_promptly_and_polling_ends(
    start_bot: StartBot, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.core")
    bot = await start_bot()
    # Twice the shut-down's grace: what is slow on a loaded machine is not a hang.
    await asyncio.wait_for(bot.stop(), 2 * SHUTDOWN_GRACE.total_seconds())
    assert "stopping anyway" not in caplog.text  # nothing held the stop until its grace ran out
    polls = api.polls
    # A poller still running asks again as soon as a long poll ends: nothing shows one that
    # rightly stopped but the asking that does not come.
    await asyncio.sleep(3 * LONG_POLL)
    assert api.polls == polls


async def test_a_token_revoked_while_polling_ends_the_platform_saying_why(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.token = "123:REVOKED"  # revoked in BotFather: Telegram answers 401 from now on
    # The platform fails for good, rather than staying deaf; alone, it stops the bot.
    with pytest.raises(JardinierError, match="Telegram refused TELEGRAM_TOKEN while polling"):
        await asyncio.wait_for(bot.task, 10)
    assert "123:TEST" not in str(bot.task.exception())


async def test_a_group_upgraded_to_a_supergroup_stays_the_same_community(
    start_bot: StartBot,
    api: FakeBotApi,
    rules_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram gives the supergroup a new chat id, for good: the bot goes on with the community
    it knew (its events, its records), acts in the new chat, and remembers it after a restart."""
    caplog.set_level(logging.INFO)
    (rules_dir / "communities" / f"telegram-{OLD_GROUP}.yaml").write_text(
        "community:\n  cogs: [announcements]\n"
    )
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    bot = await start_bot(database=database)
    api.push(text_message(ALICE, "Lovely tomatoes", chat=basic_group(OLD_GROUP)))
    await bot.settle()
    for update in upgraded(OLD_GROUP, GROUP_ID, by=ADMIN):
        api.push(update)
    api.upgraded[OLD_GROUP] = GROUP_ID
    api.push(text_message(BOB, "Best CASINO bonus here", message_id=77))  # in the supergroup
    [deletion] = await api.wait_for("deleteMessage")
    await bot.settle()
    garden = CommunityRef("telegram", str(OLD_GROUP))
    before, after = bot.seen(MessageCreated)
    assert before.community == after.community == garden
    assert after.message.channel == ChannelRef(garden, str(OLD_GROUP))
    assert (deletion.chat_id, deletion.params["message_id"]) == (GROUP_ID, "77")
    assert caplog.text.count(f"the Telegram group {OLD_GROUP} became the supergroup") == 1
    await bot.stop()
    first_run = len(api.calls)

    again = await start_bot(database=database)
    api.push(joined_service_message(user(401, "Rose")))  # in the supergroup
    [welcome] = await api.wait_for("sendMessage")
    await again.settle()
    assert welcome.chat_id == GROUP_ID
    assert [event.community for event in again.seen(MemberJoined)] == [garden]
    assert not [c for c in api.calls[first_run:] if c.params.get("chat_id") == str(OLD_GROUP)]


async def test_a_restart_handles_no_update_twice(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """Python-telegram-bot confirms the updates it fetched before it stops (and handles those it
    holds): the next run starts after them, and Telegram forgets what was confirmed."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    first = await start_bot(database=database)
    api.push(joined_service_message(user(401, "Rose")))
    api.push(text_message(BOB, "Best CASINO bonus here", message_id=77))
    await api.wait_for("deleteMessage")
    await first.stop()
    confirmed = int(api.poll_params[-1]["offset"])
    second = await start_bot(database=database)
    await second.settle()
    assert confirmed == 3  # both updates were confirmed before the first run ended
    assert not second.seen(MemberJoined)
    assert not second.seen(MessageCreated)
    assert len(api.called("sendMessage")) == 1  # Rose was welcomed once
    assert len(api.called("deleteMessage")) == 1
