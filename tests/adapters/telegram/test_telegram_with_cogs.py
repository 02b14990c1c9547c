"""The shipped welcome cog on Telegram: what a newcomer sees, with their name escaped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot, write_override
from tests.adapters.telegram.payloads import (
    ADMIN,
    ALICE,
    BOB,
    GROUP_ID,
    basic_group,
    button_press,
    command,
    joined_service_message,
    message,
    text_message,
    upgraded,
    user,
)


async def test_the_welcome_cog_greets_a_newcomer_with_their_name_escaped(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, "community:\n  cogs: [announcements, welcome]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    api.push(joined_service_message(user(401, "<b>x</b>"), date=now))
    api.push(joined_service_message(user(402, "@everyone"), date=now))
    await bot.settle()
    texts = [call.params["text"] for call in api.called("sendMessage")]
    assert all(call.chat_id == GROUP_ID for call in api.called("sendMessage"))
    assert any("&lt;b&gt;x&lt;/b&gt;" in text for text in texts), texts
    assert not any("<b>x</b>" in text for text in texts)
    assert any("@\u2060everyone" in text for text in texts), texts
    assert not any("@everyone" in text for text in texts)


async def test_the_welcome_cog_pings_a_newcomer_whose_name_it_writes_cleaned(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """The welcome writes a long name cut, without its invisible characters: the newcomer it
    greets is pinged all the same."""
    write_override(rules_dir, "community:\n  cogs: [welcome]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    api.push(joined_service_message(user(409, "Rose\u200b " + "Garden" * 15), date=now))
    await bot.settle()
    [welcome] = [call.params["text"] for call in api.called("sendMessage")]
    assert '<a href="tg://user?id=409">Rose Garden' in welcome, welcome


async def test_an_invitation_hidden_behind_words_is_removed_by_the_shipped_rule(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Spam's favourite Telegram trick: harmless words whose text link leads to another group."""
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    link = {"type": "text_link", "offset": 11, "length": 4, "url": "https://t.me/+SeedScam"}
    spam = text_message(user(403, "Mallory"), "free seeds here", entities=[link], date=now)
    api.push(spam)
    api.push(text_message(user(404, "Nina"), "free seeds here too", date=now))
    await bot.settle()
    deleted = [call.params["message_id"] for call in api.called("deleteMessage")]
    assert deleted == [str(spam["message"]["message_id"])]
    # Stopped at once, as by SIGTERM: the queued reminder still goes out before disconnecting.
    await bot.stop()
    (reminder,) = [call.params["text"] for call in api.called("sendMessage")]
    assert reminder.endswith(
        "a friendly reminder of our charter: No advertising for other servers or groups."
    )


async def test_thanks_for_a_message_the_bot_never_saw_credit_its_author(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Bob's tip was posted before the bot started (or long ago): Alice's thanks in reply
    still credit Bob, as Telegram says who wrote the message she answers. A thanks in reply
    to the bot's own message credits nobody."""
    write_override(rules_dir, "community:\n  cogs: [contributors]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    api.push(joined_service_message(BOB, date=now - 4 * 86_400))  # known by name, never heard
    tip = message(BOB, "Water the tomatoes at dawn, not at noon", date=now - 3 * 86_400)
    api.push(text_message(ALICE, "Thanks, it worked!", reply_to_message=tip, date=now))
    welcome = message(user(123, "Jardinier", is_bot=True), "Welcome!", date=now - 60)
    api.push(text_message(ALICE, "Thanks!", reply_to_message=welcome, date=now))
    api.push(command(ADMIN, "/top", date=now + 1))
    await bot.settle()
    await bot.stop()
    [top] = [call.params["text"] for call in api.called("sendMessage")]
    lines = top.splitlines()
    assert any("Bob" in line and "1 thank-you" in line for line in lines), top
    assert not any("Jardinier" in line for line in lines[1:]), top


async def test_a_suggestion_with_an_insult_is_refused_and_its_command_deleted(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """The group sees the command's own message: a rule that removes messages removes it."""
    write_override(rules_dir, "community:\n  cogs: [netiquette, suggestions]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    insult = command(user(405, "Oscar"), "/suggest you are all idiots", date=now)
    api.push(insult)
    await bot.settle()
    await bot.stop()
    deleted = [call.params["message_id"] for call in api.called("deleteMessage")]
    assert deleted == [str(insult["message"]["message_id"])]
    texts = [call.params["text"] for call in api.called("sendMessage")]
    assert not any("Suggestion #" in text for text in texts), texts
    assert any(
        text.startswith("Not done: what you wrote breaks the rule insults") for text in texts
    ), texts
    # The refusal is not sent as a reply to the message that is gone.
    refusal = next(call for call in api.called("sendMessage") if "Not done" in call.params["text"])
    assert "reply_parameters" not in refusal.params
    assert "reply_to_message_id" not in refusal.params


async def test_a_channel_posting_an_insult_is_not_warned_in_its_own_channel(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """A member may post as one of their channels: a private warning to that "member" would be
    published in the channel, and Telegram cannot time a channel out."""
    mod_log = -100999
    write_override(
        rules_dir,
        f'community:\n  cogs: [netiquette]\n  channels:\n    mod_log: "{mod_log}"\n',
    )
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    news = {"id": -1009999, "type": "channel", "title": "Garden News"}
    channel_user = user(136817688, "Channel", is_bot=True)
    insult = text_message(channel_user, "shut up, idiots", sender_chat=news, date=now)
    api.push(insult)
    for number in range(7):  # and a flood, which times the poster out
        api.push(text_message(channel_user, f"buy {number}", sender_chat=news, date=now))
    await bot.settle()
    await bot.stop()
    deleted = [call.params["message_id"] for call in api.called("deleteMessage")]
    assert str(insult["message"]["message_id"]) in deleted
    assert {call.chat_id for call in api.called("sendMessage")} <= {GROUP_ID, mod_log}
    assert api.called("restrictChatMember") == []
    reports = [
        call.params["text"] for call in api.called("sendMessage") if call.chat_id == mod_log
    ]
    assert any("Garden News is not a Telegram user" in text for text in reports), reports


async def test_a_poll_inviting_elsewhere_is_removed_and_a_dice_flood_is_a_flood(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """A poll, a dice, a contact carry no text nor file, but they are messages all the same."""
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    poll = {
        "id": "1",
        "question": "Free crypto for everyone? Join t.me/+CryptoScam",
        "options": [
            {"text": "Yes!", "voter_count": 0, "persistent_id": "a"},
            {"text": "Sure", "voter_count": 0, "persistent_id": "b"},
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    scam = {"message": message(user(406, "Mallory"), poll=poll, date=now)}
    api.push(scam)
    roller = user(407, "Rolf")
    dice = [
        {"message": message(roller, dice={"emoji": "🎲", "value": 1 + n % 6}, date=now)}
        for n in range(6)
    ]
    for roll in dice:
        api.push(roll)
    await bot.settle()
    await bot.stop()
    deleted = [call.params["message_id"] for call in api.called("deleteMessage")]
    assert str(scam["message"]["message_id"]) in deleted
    assert str(dice[-1]["message"]["message_id"]) in deleted
    [timeout] = api.called("restrictChatMember")
    assert timeout.params["user_id"] == "407"


async def test_a_ban_in_reply_to_an_added_notice_bans_the_member_added_not_the_adder(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    spammer = user(666, "CryptoBot Deals")
    added = message(ALICE, new_chat_members=[spammer], date=now)
    api.push({"message": added})
    api.push(command(ADMIN, "/ban spam", reply_to_message=added, date=now))
    # Added with someone else: the moderator is asked whom they mean.
    both = message(ALICE, new_chat_members=[user(667, "Deals Bot"), user(668, "Nina")], date=now)
    api.push({"message": both})
    api.push(command(ADMIN, "/ban", reply_to_message=both, date=now))
    await bot.settle()
    await bot.stop()
    assert [call.params["user_id"] for call in api.called("banChatMember")] == ["666"]
    texts = [call.params["text"] for call in api.called("sendMessage")]
    assert any(text.startswith("Usage: /ban &lt;member&gt;") for text in texts), texts
    # Told privately, had they started the bot.
    [told] = [call.params["text"] for call in api.not_started if call.chat_id == 666]
    assert told == "CryptoBot Deals, you have been banned from Garden: spam (case 1)."


async def test_an_administrator_bans_through_the_bot_only_with_the_right_to_ban(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """An administrator whose only right was to pin messages banned with /ban: the bot, acting
    with its own rights, lent them its right to ban. The group's owner holds every right."""
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    pinner, owner = user(303, "Pia"), user(304, "Olga")
    api.administrators[GROUP_ID] = [pinner["id"], ADMIN["id"], owner["id"]]
    rights = ("can_restrict_members", "can_delete_messages", "can_change_info")
    api.rights[pinner["id"]] = {**dict.fromkeys(rights, False), "can_pin_messages": True}
    api.rights[ADMIN["id"]] = {"can_restrict_members": False, "can_delete_messages": True}
    api.rights[owner["id"]] = {"status": "creator"}
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    api.push(command(pinner, "/ban 202 bye", date=now))
    api.push(command(ADMIN, "/timeout 202 1h calm down", date=now))
    api.push(command(pinner, "/warn 202 be kind", date=now))  # no right needed: a moderator's
    await bot.settle()
    assert api.called("banChatMember") == []
    assert api.called("restrictChatMember") == []
    texts = [call.params["text"] for call in api.called("sendMessage")]
    assert "Sorry, /ban needs the right to ban members, which you do not have here." in texts
    assert (
        "Sorry, /timeout needs the right to time members out, which you do not have here." in texts
    )
    assert "Case 1: warn for User202." in texts
    api.push(command(owner, "/ban 202 bye", date=now))
    await bot.settle()
    await bot.stop()
    assert [call.params["user_id"] for call in api.called("banChatMember")] == ["202"]


async def test_pressing_a_suggestions_button_answers_the_member_alone(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """A member pressing 👍 under their own suggestion ten times made the bot post ten times in
    the group; the refusal is now the press's own notice."""
    write_override(
        rules_dir, f'community:\n  cogs: [suggestions]\nsuggestions:\n  channel: "{GROUP_ID}"\n'
    )
    bot = await start_bot(stand_ins=False)
    mallory = user(501, "Mallory")
    api.push(command(mallory, "/suggest A monthly seed swap for everyone", date=int(time.time())))
    await bot.settle()
    post = next(call for call in api.called("sendMessage") if "reply_markup" in call.params)
    vote = post.json("reply_markup")["inline_keyboard"][0][0]["callback_data"]
    posted = len(api.called("sendMessage"))
    on = message(
        {"id": 123, "is_bot": True, "first_name": "J"},
        "Suggestion",
        message_id=int(post.result["message_id"]),
    )
    for _ in range(10):
        api.push(button_press(mallory, vote, on=on))
    await bot.settle()
    await bot.stop()
    assert len(api.called("sendMessage")) == posted
    notices = [call.params.get("text") for call in api.called("answerCallbackQuery")]
    assert notices == ["You cannot vote on your own suggestion."] * 10


async def test_a_channel_typed_into_a_command_is_one_of_the_group(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """/contest_create "Free Nitro" … -1009876543210 made the bot announce a contest in another
    group, and with a member's id in their private chat: a channel typed into a command is now
    the group or one of its topics; another chat stays for the rule book to name."""
    other_group, someone = -1009876543210, 777000123
    write_override(
        rules_dir,
        f'community:\n  cogs: [contests]\n  channels:\n    mod_log: "{other_group}"\n',
    )
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    api.started.add(someone)
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    for target in (other_group, someone):
        api.push(
            command(ADMIN, f'/contest_create "Free Nitro" 2h "claim it" "" {target}', date=now)
        )
    api.push(command(ADMIN, f'/contest_create "Seeds" 2h "plant them" "" {GROUP_ID}', date=now))
    await bot.settle()
    await bot.stop()
    posted = {
        (call.chat_id, call.params["text"].split(":")[0]) for call in api.called("sendMessage")
    }
    assert not any(chat == someone for chat, _ in posted), posted
    assert not any(
        "Free Nitro" in call.params["text"]
        for call in api.called("sendMessage")
        if call.chat_id != GROUP_ID
    )
    assert any("Seeds" in call.params["text"] for call in api.called("sendMessage")), posted


async def test_a_channel_of_another_chat_typed_into_a_command_is_the_one_refused(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Another group's id is a whole number too: refused as the channel, it was taken for the
    next option, and the moderator read that entries per member must be between 1 and 5."""
    other_group = -1009876543210
    write_override(rules_dir, "community:\n  cogs: [contests]\n")
    api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    for entries in ("", " 2"):
        typed = f'/contest_create "Free Nitro" 2h "claim it" "" {other_group}{entries}'
        api.push(command(ADMIN, typed, date=now))
    await bot.settle()
    await bot.stop()
    answers = [call.params["text"] for call in api.called("sendMessage")]
    assert len(answers) == 2, answers
    for answer in answers:
        assert f"(no channel called '{other_group}' here)" in answer, answer
        assert "Entries" not in answer


PHOTO = [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]


async def test_an_album_of_six_photos_is_one_message_to_the_flood_rule(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Telegram delivers an album as one message per photo: the shipped flood rule (six
    messages within ten seconds) must not silence someone sharing six photos at once, and
    still silences six photos sent one by one."""
    write_override(rules_dir, "community:\n  cogs: [netiquette]\n")
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    paula, victor = user(777, "Paula"), user(778, "Victor")
    for index in range(6):
        caption = {"caption": "My tomatoes this year!"} if index == 0 else {}
        album = message(paula, date=now, photo=PHOTO, media_group_id="13912345", **caption)
        api.push({"message": album})
    await bot.settle()
    assert api.called("restrictChatMember") == []
    for _ in range(6):
        api.push({"message": message(victor, date=now, photo=PHOTO)})
    await bot.settle()
    await bot.stop()
    [silenced] = api.called("restrictChatMember")
    assert silenced.params["user_id"] == "778"


async def test_strikes_and_the_rule_book_of_a_group_carry_over_once_it_is_a_supergroup(
    start_bot: StartBot, api: FakeBotApi, rules_dir: Path
) -> None:
    """Telegram gives an upgraded group a new chat id: the override file named after the old id
    still applies (in French here), and the warnings given before count in the ladder after."""
    old = -4001234567
    (rules_dir / "communities" / f"telegram-{old}.yaml").write_text(
        "community:\n  locale: fr\n  cogs: [netiquette]\n"
    )
    api.administrators[old] = api.administrators[GROUP_ID] = [ADMIN["id"]]
    bot = await start_bot(stand_ins=False)
    now = int(time.time())
    for reason in ("spam", "insultes"):
        api.push(command(ADMIN, f"/warn 202 {reason}", chat=basic_group(old), date=now))
    await bot.settle()
    for update in upgraded(old, GROUP_ID, by=ADMIN):
        api.push(update)
    api.upgraded[old] = GROUP_ID
    api.push(command(ADMIN, "/warn 202 flood", date=now))  # in the supergroup
    [timeout] = await api.wait_for("restrictChatMember")  # 3 points within 7 days: 1 hour
    await bot.settle()
    assert (timeout.chat_id, timeout.params["user_id"]) == (GROUP_ID, "202")
    assert int(timeout.params["until_date"]) == pytest.approx(now + 3600, abs=60)
    in_supergroup = [
        call.params["text"] for call in api.called("sendMessage") if call.chat_id == GROUP_ID
    ]
    assert "Dossier 3\u00a0: avertissement pour User202." in in_supergroup, in_supergroup
