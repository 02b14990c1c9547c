"""Answers meant for one member: a button press's notice, a private message, or the group.

Telegram has no message only one member of a group sees, and every such answer went to the group:
each vote on a contest entry, each press on a giveaway's button, each moderator's /cases put a
public message there, and one member pressing a button ten times made the bot post ten times.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import pytest
from telegram import Update

from bot.adapters.telegram.answers import MAX_NOTICE, Asked, Asking, PrivateChats
from bot.adapters.telegram.calls import MAX_WAIT
from bot.commands import CommandContext, Permission, command
from bot.commands.spec import build_spec
from bot.events import ButtonPressed, Event, MemberRef, ReactionAdded
from bot.platform import Button
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import RunningBot, StartBot, write_override
from tests.adapters.telegram.payloads import (
    ADMIN,
    ALICE,
    BOB,
    GROUP_ID,
    button_press,
    chat_member,
    message,
    private,
    reaction,
    text_message,
    user,
)
from tests.adapters.telegram.payloads import command as tg_command

# PTB 22 itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after`:DeprecationWarning")

BOT_POST = {"id": 123, "is_bot": True, "first_name": "J"}


def in_group(api: FakeBotApi) -> list[str]:
    """What the bot posted in the group."""
    return [call.params["text"] for call in api.called("sendMessage") if call.chat_id == GROUP_ID]


def started(member: dict[str, object]) -> dict[str, object]:
    """The update of ``member`` pressing Start in their private chat with the bot."""
    return tg_command(member, "/start", chat=private(member))


def answer_alone(bot: RunningBot, kind: type[Event], text: str, **extra: object) -> None:
    """A cog that answers each ``kind`` event's member alone with ``text``."""
    core = bot.core

    async def answer(event: Event) -> None:
        assert isinstance(event, ButtonPressed | ReactionAdded)
        if isinstance(event, ReactionAdded) and event.emoji != "👍":
            return
        channel = event.channel if isinstance(event, ButtonPressed) else event.message.channel
        await core.actions.send(channel, text, private_to=event.member, **extra)  # type: ignore[arg-type]

    core.bus.subscribe("core", kind, answer)


class CasesCog:
    """A moderators' command answered privately, as /cases is."""

    @command(permission=Permission.MODERATOR)
    async def casebook(self, ctx: CommandContext, member: Annotated[MemberRef, "Who"]) -> None:
        """Read a member's cases."""
        await ctx.reply(f"{member.name}: case 1, a warning (spam).")


async def test_an_answer_to_a_button_press_is_the_press_notice_not_a_post_in_the_group(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    answer_alone(bot, ButtonPressed, "You are in giveaway 1 (Seeds). Good luck!")
    on = message(BOT_POST, "Giveaway 1: Seeds", message_id=70)
    for _ in range(3):
        api.push(button_press(ALICE, "giveaway:1", on=on))
    await bot.settle()
    assert in_group(api) == []
    notices = api.called("answerCallbackQuery")
    assert [call.params["text"] for call in notices] == [
        "You are in giveaway 1 (Seeds). Good luck!"
    ] * 3
    assert all(call.params.get("show_alert") in (None, "False", "false") for call in notices)


async def test_a_long_answer_to_a_press_is_cut_at_a_word_and_stays_until_closed(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    words = "Your entry is in, and here is everything the rules say about it. " * 6
    answer_alone(bot, ButtonPressed, words.strip())
    api.push(button_press(BOB, "enter", on=message(BOT_POST, "Enter?", message_id=71)))
    await bot.settle()
    [notice] = api.called("answerCallbackQuery")
    text = notice.params["text"]
    assert len(text) <= MAX_NOTICE
    kept = text.removesuffix("…")
    assert kept != text
    assert words.startswith(kept)
    assert words[len(kept)] == " "  # cut between words
    assert notice.params["show_alert"].lower() == "true"
    assert in_group(api) == []


async def test_an_answer_with_buttons_to_a_press_stays_in_the_group(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """A notice holds no button: the charter gate's "I accept" must stay pressable."""
    bot = await start_bot()
    answer_alone(bot, ButtonPressed, "Read the charter first.", buttons=[Button("ok", "OK")])
    api.push(button_press(BOB, "gate", on=message(BOT_POST, "Charter", message_id=72)))
    await bot.settle()
    assert in_group(api) == ["Read the charter first."]
    [acknowledged] = api.called("answerCallbackQuery")
    assert "text" not in acknowledged.params


async def test_an_answer_to_a_reaction_goes_privately_or_nowhere(
    start_bot: StartBot, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Five members voting on a contest entry with 👍 put five replies in the group."""
    bot = await start_bot()
    answer_alone(bot, ReactionAdded, "Your vote for entry 1 of contest 1 is counted.")
    api.push(started(ALICE))
    await bot.settle()
    caplog.set_level(logging.INFO, logger="bot.adapters.telegram")
    voters = [ALICE, BOB, *(user(600 + number, f"Voter {number}") for number in range(3))]
    for voter in voters:
        api.push(reaction(voter, 73, new=["👍"]))
    api.push(reaction(BOB, 74, new=["👍"]))  # Bob again: not asked twice
    await bot.settle()
    assert in_group(api) == []
    [delivered] = api.called("sendMessage")
    assert delivered.chat_id == ALICE["id"]
    assert delivered.params["text"] == "Your vote for entry 1 of contest 1 is counted."
    assert sorted(call.chat_id for call in api.not_started) == [202, 600, 601, 602]
    said = [record.message for record in caplog.records if "not started the bot" in record.message]
    assert len(said) == 5
    assert said[0] == (
        "202 has not started the bot: the answer to their reaction is not sent "
        "('Your vote for entry 1 of contest 1 is counted.')"
    )


async def test_a_moderators_answer_goes_privately_once_they_started_the_bot(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """/cases @alice answered in the group, the moderator's reason for all to read (here a
    stand-in, /casebook)."""
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot()
    bot.core.commands.add(build_spec(CasesCog().casebook, cog="core"))
    await bot.core.publish_commands()
    api.push(text_message(ALICE, "hello"))
    api.push(tg_command(ADMIN, "/casebook @alice", message_id=80))
    await bot.settle()
    # Not started yet: in the group, as a reply, with once a button opening the private chat.
    [first] = api.called("sendMessage")
    assert (first.chat_id, first.json("reply_parameters")["message_id"]) == (GROUP_ID, 80)
    assert first.params["text"] == "Alice Martin: case 1, a warning (spam)."
    assert first.json("reply_markup") == {
        "inline_keyboard": [[{"text": "✉️ @jardinier_bot", "url": "https://t.me/jardinier_bot"}]]
    }
    api.push(tg_command(ADMIN, "/casebook @alice", message_id=81))
    await bot.settle()
    [_, second] = api.called("sendMessage")
    assert second.chat_id == GROUP_ID
    assert "reply_markup" not in second.params  # offered once
    assert len(api.not_started) == 1  # and not asked again
    api.push(started(ADMIN))
    api.push(tg_command(ADMIN, "/casebook @alice", message_id=82))
    await bot.settle()
    [*_, third] = api.called("sendMessage")
    assert third.chat_id == ADMIN["id"]
    assert third.params["text"] == "Alice Martin: case 1, a warning (spam)."
    assert "reply_parameters" not in third.params
    assert len(in_group(api)) == 2
    # Blocking the bot closes the private chat: answers come back to the group.
    api.push(chat_member(ADMIN, "member", "kicked", chat=private(ADMIN), key="my_chat_member"))
    api.push(tg_command(ADMIN, "/casebook @alice", message_id=83))
    await bot.settle()
    assert len(in_group(api)) == 3


async def test_who_started_the_bot_and_the_offer_of_the_private_chat_survive_a_restart(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """After each restart the bot wrote to every moderator again only to be refused, and
    offered them the private chat again under its answer."""
    api.administrators[GROUP_ID] = [ADMIN["id"], 302]
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"

    async def run_casebook(message_id: int, by: dict[str, object] = ADMIN) -> RunningBot:
        bot = await start_bot(database=database)
        bot.core.commands.add(build_spec(CasesCog().casebook, cog="core"))
        await bot.core.publish_commands()
        api.push(text_message(ALICE, "hello"))
        api.push(tg_command(by, "/casebook @alice", message_id=message_id))
        await bot.settle()
        await bot.stop()
        return bot

    eve = user(302, "Eve")
    api.push(started(eve))
    await run_casebook(80)
    await run_casebook(81, by=eve)
    [first, to_eve] = api.called("sendMessage")
    assert first.chat_id == GROUP_ID
    assert "reply_markup" in first.params
    assert to_eve.chat_id == eve["id"]
    await run_casebook(82)
    await run_casebook(83, by=eve)
    [*_, again, eve_again] = api.called("sendMessage")
    assert again.chat_id == GROUP_ID
    assert "reply_markup" not in again.params  # offered once, restarts included
    assert len(api.not_started) == 1  # not asked again after the restart
    assert eve_again.chat_id == eve["id"]


async def test_an_answer_telegram_holds_back_does_not_keep_the_group_waiting(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A /help answer met Telegram's "retry after 4": the insult posted right after was deleted
    only 8.5 s later, the bot waiting twice with the group's updates held back."""
    write_override(rules_dir, "community:\n  cogs: [announcements]\n")
    bot = await start_bot()
    # A wait the bot would sit out for any other call (it is under MAX_WAIT): long enough that
    # a generous bound still tells "not waited out" from "waited out" on a loaded machine.
    flood_wait = 25
    assert flood_wait < MAX_WAIT
    api.fail("sendMessage", "Too Many Requests: retry after 25", code=429, retry_after=flood_wait)
    api.push(tg_command(user(501, "Mallory"), "/help", message_id=90))
    api.push(text_message(user(502, "Troll"), "casino scam here", message_id=91))
    await api.wait_for("deleteMessage", 1, within=flood_wait / 2)  # not after the flood wait
    await bot.settle()
    assert len(api.called("sendMessage")) == 1  # dropped, not tried again
    assert any("an answer to a member (send) dropped" in r.message for r in caplog.records)


def test_the_bot_remembers_who_started_it_within_a_bound() -> None:
    chats = PrivateChats(limit=2)
    assert chats.is_open(1) is None
    chats.opened(1)
    chats.closed(2)
    assert (chats.is_open(1), chats.is_open(2)) == (True, False)
    chats.opened(3)
    assert chats.is_open(1) is None  # forgotten first: asked again
    assert chats.offer(-100, 1)
    assert not chats.offer(-100, 1)
    assert chats.offer(-200, 1)


def test_what_was_kept_of_who_started_the_bot_is_older_than_what_was_learnt_since() -> None:
    before = PrivateChats(limit=2)
    before.closed(1)
    before.opened(2)
    assert before.offer(-100, 1)
    after = PrivateChats(limit=2)
    after.opened(1)  # they started the bot while it was away
    after.restore(before.dump())
    assert (after.is_open(1), after.is_open(2)) == (True, True)
    assert not after.offer(-100, 1)
    after.closed(3)
    assert after.is_open(2) is None  # the oldest, forgotten first
    after.restore("not json")
    assert after.is_open(1) is True


def test_only_a_members_press_reaction_or_message_in_a_group_asks_anything() -> None:
    def asked(payload: dict[str, object]) -> Asking | None:
        return Asking.of(Update.de_json({"update_id": 1, **payload}, None))

    press = asked(button_press(ALICE, "x", on=message(BOT_POST, "?", message_id=5)))
    assert press is not None
    assert (press.kind, press.chat_id, press.user_id) == (Asked.PRESS, GROUP_ID, ALICE["id"])
    assert press.answered_by(GROUP_ID, str(ALICE["id"]))
    assert not press.answered_by(GROUP_ID, str(BOB["id"]))
    posted = asked(text_message(ALICE, "hi"))
    assert posted is not None
    assert not posted.answered_by(GROUP_ID, str(ALICE["id"]))  # a message, not a command
    assert asked(reaction(None, 5, new=["👍"])) is None  # anonymous
    assert asked(text_message(ALICE, "hi", chat=private(ALICE))) is None
