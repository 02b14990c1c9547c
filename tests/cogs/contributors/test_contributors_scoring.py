"""Acceptance: the score rewards value, not volume; removed messages take their points back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from bot.bus import Priority
from bot.events import MessageCreated, MessageRef, UserRef
from cogs.contributors.scoring import leading, span
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.support.rulebook import edit_section, enable_only

QUESTIONS = {
    "alice": "How do I repot a fig tree without hurting the roots?",
    "bob": "Which soil mix works best for succulents indoors?",
    "erin": "When should tomato seedlings go outside in spring?",
}
THANKS = {"alice": "Merci beaucoup !", "bob": "thanks a lot, that worked", "erin": "Thank you!!"}


async def carol_helps_and_dave_spams(forum: Forum) -> None:
    for asker, question in QUESTIONS.items():
        asked = await forum.say(asker, question)
        answer = await forum.say(
            "carol", "Water it the day before and loosen the root ball gently.", reply_to=asked
        )
        await forum.say(asker, THANKS[asker], reply_to=answer)
        await forum.wait(timedelta(minutes=1))
    for n in range(30):
        await forum.say("dave", ["lol", "ok", "+1", "yes", "first"][n % 5])
        await forum.wait(timedelta(seconds=4))


async def score_of(forum: Forum, name: str) -> float:
    await forum.cog.flush()
    standings = await forum.cog.standings(
        forum.platform.community, span("7d", forum.clock.now().date())
    )
    found = {item.user_id: item.score for item in standings}
    return found.get(f"id-{name}", 0.0)


async def test_top_ranks_the_thanked_helper_above_the_spammer(forum: Forum) -> None:
    await carol_helps_and_dave_spams(forum)

    answer = await forum.run("alice", "/top")

    ranked = forum.ranked(answer)
    assert ranked[0] == "carol"
    assert "3 thanks" in answer.splitlines()[1]
    assert "dave" not in ranked
    # Thirty one-word messages in two minutes, each under the minimum length, earn nothing.
    assert await score_of(forum, "dave") == 0


async def test_long_spam_earns_at_most_the_per_minute_cap(forum: Forum) -> None:
    for n in range(30):
        await forum.say("dave", f"This is my very long message number {n} about nothing at all")
        await forum.wait(timedelta(seconds=4))

    weights = forum.cog.settings().scoring
    assert await score_of(forum, "dave") == weights.per_minute * 2 * weights.message


ANSWERS = [
    "Water it the day before and loosen the root ball gently.",
    "Half cactus mix, half perlite, and a pot with a drainage hole.",
    "After the last frost, once nights stay above ten degrees.",
    "Every two days, more in a heatwave, never leave it soaking.",
    "Pinch the tips every week and it will grow bushy, not tall.",
]


async def carol_answers_five_in_a_minute(forum: Forum) -> list[MessageRef]:
    """Five members ask at once; carol answers them all within a minute, over the pace cap."""
    asked = [await forum.say(name, QUESTIONS.get(name, "And basil?")) for name in ASKERS]
    answers = []
    for question, answer in zip(asked, ANSWERS, strict=True):
        answers.append(await forum.say("carol", answer, reply_to=question))
        await forum.wait(timedelta(seconds=10))
    return answers


async def test_a_quick_helpers_thanked_answer_earns_its_point_whatever_the_pace(
    forum: Forum,
) -> None:
    answers = await carol_answers_five_in_a_minute(forum)
    # Her 4th answer is thanked, her 5th only answered: the cap left both without a point.
    thanks = await forum.say("frank", "Thank you, that is what I needed!", reply_to=answers[3])
    await forum.say("gus", "I will try that this week.", reply_to=answers[4])

    lines = (await forum.run("mod", "/profile carol")).splitlines()
    # 3 answers within the pace, and the thanked 4th: 4 + 2 replies × 2 + 1 thanks × 5.
    assert lines[0] == "carol — over the last 7 days: 13 pts, rank 1/6"
    assert "• 4 substantial messages: 4 pts" in lines
    assert "• 1 thank-you: 5 pts" in lines
    assert "• 2 replies: 4 pts" in lines

    # Thanks taken back take the point back; another member's thanks give it again, once.
    await forum.delete(thanks)
    assert "• 3 substantial messages: 3 pts" in (await forum.run("mod", "/profile carol"))
    for name in ("alice", "alice", "bob"):
        await forum.say(name, f"merci @carol, from {name}", reply_to=answers[3])
    assert "• 4 substantial messages: 4 pts" in (await forum.run("mod", "/profile carol"))


async def test_a_point_thanks_gave_before_an_opt_out_is_not_taken_from_later_ones(
    forum: Forum,
) -> None:
    answers = await carol_answers_five_in_a_minute(forum)
    thanks = await forum.say("frank", "Thank you, that is what I needed!", reply_to=answers[3])
    await forum.run("carol", "/contributors_optout")
    await forum.run("carol", "/contributors_optin")
    await forum.say("carol", "Back again, with more about repotting fig trees.")

    await forum.delete(thanks)

    assert "• 1 substantial message: 1 pt" in (await forum.run("mod", "/profile carol"))


async def test_a_friend_thanking_every_spam_message_gives_one_past_the_pace(
    forum: Forum,
) -> None:
    for n in range(30):
        spam = await forum.say("dave", f"This is my very long message number {n} about nothing")
        await forum.say("eve", "thanks!", reply_to=spam)

    lines = (await forum.run("mod", "/profile dave")).splitlines()

    # One member's thanks count once a day, and so does the point they give past the pace:
    # 3 messages within the pace, 1 thanked past it.
    assert "• 1 thank-you: 5 pts" in lines
    assert "• 4 substantial messages: 4 pts" in lines


CAPTIONS = [f"Tomatoes from the south bed, picture {n}, ripe at last" for n in range(6)]


async def post_album(forum: Forum, name: str, group: str | None, captions: list[str]) -> None:
    """``name`` posts one photo per caption at once: a Telegram album when ``group`` is set."""
    for number, caption in enumerate(captions):
        await forum.handle(
            MessageCreated(
                at=forum.clock.now(),
                message=MessageRef(forum.platform.channel("general"), f"{group}-{number}"),
                author=forum.member(name),
                text=caption,
                attachments=(f"tomato-{number}.jpg",),
                group=group,
            )
        )


@pytest.mark.parametrize(("group", "counted"), [("album-1", 1), (None, 6)])
async def test_an_album_of_six_captioned_photos_earns_one_message(
    open_forum: ForumFactory, group: str | None, counted: int
) -> None:
    forum = await open_forum(scoring={"per_minute": 10})
    await post_album(forum, "carol", group, CAPTIONS)
    assert await score_of(forum, "carol") == counted * forum.cog.settings().scoring.message


async def test_an_album_whose_first_photo_has_no_caption_still_earns_its_message(
    forum: Forum,
) -> None:
    await post_album(forum, "carol", "album-2", ["", *CAPTIONS[:2]])
    assert await score_of(forum, "carol") == forum.cog.settings().scoring.message


async def test_members_with_the_same_score_share_their_place(forum: Forum) -> None:
    for asker, helper in (("alice", "carol"), ("bob", "erin")):
        asked = await forum.say(asker, QUESTIONS[asker])
        answer = await forum.say(helper, ANSWERS[0], reply_to=asked)
        await forum.say(asker, "Merci !", reply_to=answer)

    top = await forum.run("mod", "/top")
    influencers = await forum.run("mod", "/influencers")

    # carol and erin, alice and bob, each received the same: neither of a pair comes first.
    assert top.splitlines()[1:] == [
        "1. carol — 8 pts (1 thank-you)",
        "1. erin — 8 pts (1 thank-you)",
        "3. alice — 3 pts (1 reply)",
        "3. bob — 3 pts (1 reply)",
    ]
    for name, rank in (("erin", "1/4"), ("bob", "3/4")):
        profile = await forum.run("mod", f"/profile {name}")
        assert profile.splitlines()[0].endswith(f" pts, rank {rank}")
    assert [line.split(" — ")[0] for line in influencers.splitlines()[1:]] == [
        "1. alice",
        "1. bob",
        "1. carol",
        "1. erin",
    ]


async def test_members_tied_at_the_last_place_of_the_top_are_all_listed(
    open_forum: ForumFactory,
) -> None:
    """A top of one where two share the first place lists both: only their ids would choose
    between them. A tie too large to list is cut at the top's size."""
    forum = await open_forum(top_size=1)
    for asker, helper in (("alice", "carol"), ("bob", "erin")):
        asked = await forum.say(asker, QUESTIONS[asker])
        answer = await forum.say(helper, ANSWERS[0], reply_to=asked)
        await forum.say(asker, "Merci !", reply_to=answer)

    top = await forum.run("mod", "/top")
    influencers = await forum.run("mod", "/influencers")

    assert top.splitlines()[1:] == [
        "1. carol — 8 pts (1 thank-you)",
        "1. erin — 8 pts (1 thank-you)",
    ]
    # All four share the first place of the influencers: more than twice the top's size.
    assert [line.split(" — ")[0] for line in influencers.splitlines()[1:]] == ["1. alice"]


def test_the_tie_at_the_cut_is_listed_whole_up_to_twice_the_size() -> None:
    assert leading("abcde", [9, 8, 8, 7, 7], 2) == ["a", "b", "c"]
    assert leading("abcde", [9, 8, 7, 7, 7], 2) == ["a", "b"]
    assert leading("abcde", [9, 8, 8, 8, 8], 2) == ["a", "b"]  # four tied: too many to list
    assert leading("abcde", [9, 8, 8, 8, 7], 2) == ["a", "b", "c", "d"]
    assert leading("ab", [1, 1], 5) == ["a", "b"]


async def test_a_member_who_only_reacts_gains_little(forum: Forum) -> None:
    posts = []
    for name in ("alice", "bob", "erin", "frank"):
        posts.append(await forum.say(name, f"Here is what I learnt this week, from {name}."))
    for post in posts:
        await forum.react("gus", post)
        await forum.react("gus", post, "🎉")
    frank_post = posts[-1]
    for name in ("hana", "ivan", "jo", "kim"):
        await forum.say(
            name, "Interesting point, could you tell us more about it?", reply_to=frank_post
        )

    influencers = forum.ranked(await forum.run("alice", "/influencers"))
    top = forum.ranked(await forum.run("alice", "/top"))

    assert influencers[0] == "frank"
    assert "gus" not in influencers
    assert top[0] == "frank"
    assert "gus" not in top
    assert await score_of(forum, "gus") == 0
    # Reactions are worth little to their receiver too: two emojis from gus count once.
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "alice") == weights.message + weights.reaction_received


async def test_a_message_removed_before_any_flush_takes_its_points_with_it(
    forum: Forum,
) -> None:
    for helper in ("carol", "erin"):
        question = await forum.say("alice", QUESTIONS["alice"])
        answer = await forum.say(
            helper, "Water it the day before and loosen the root ball gently.", reply_to=question
        )
        await forum.react("bob", answer)
        await forum.say("alice", f"merci @{helper}", reply_to=answer, mentions=(helper,))
    assert forum.cog.buffer.flushes == 0  # the points are still pending, not in the database

    await forum.delete(answer)  # a moderator removes erin's answer

    # carol's answer, kept, earns what erin's would have: both lists show her, never erin.
    top = forum.ranked(await forum.run("alice", "/top"))
    assert "carol" in top
    assert "erin" not in top
    influencers = forum.ranked(await forum.run("alice", "/influencers"))
    assert "carol" in influencers
    assert "erin" not in influencers
    assert await score_of(forum, "erin") == 0


async def test_a_message_removed_after_a_flush_is_taken_back_from_the_database(
    forum: Forum,
) -> None:
    question = await forum.say("alice", QUESTIONS["alice"])
    answer = await forum.say(
        "carol", "Water it the day before and loosen the root ball gently.", reply_to=question
    )
    await forum.react("bob", answer)
    await forum.say("alice", "merci @carol", reply_to=answer, mentions=("carol",))
    assert await score_of(forum, "carol") > 0  # flushed: the points are in the database
    assert "carol" in forum.ranked(await forum.run("alice", "/influencers"))

    await forum.delete(answer)

    assert await score_of(forum, "carol") == 0
    assert "carol" not in forum.ranked(await forum.run("alice", "/top"))
    assert "carol" not in forum.ranked(await forum.run("alice", "/influencers"))


async def test_a_message_the_netiquette_removed_first_earns_nothing(forum: Forum) -> None:
    async def remove_insults(event: MessageCreated) -> None:
        if "idiot" in event.text:
            forum.core.bus.mark_removed(event.message)

    # A core listener stands in for the netiquette cog, at moderation priority.
    forum.core.bus.subscribe(
        "core",
        MessageCreated,
        remove_insults,  # type: ignore[arg-type]
        priority=Priority.MODERATION,
    )
    await forum.say("dave", "You are all idiots and this garden is a joke, frankly.")

    assert await score_of(forum, "dave") == 0


async def test_a_message_marked_removed_later_loses_its_points_at_the_next_reply(
    forum: Forum,
) -> None:
    answer = await forum.say("carol", "Water it the day before and loosen the root ball gently.")
    forum.core.bus.mark_removed(answer)  # say, the toxicity model decided late

    await forum.say("alice", "Thanks, that is exactly what I needed", reply_to=answer)

    assert await score_of(forum, "carol") == 0


async def with_netiquette(open_forum: ForumFactory, rules_dir: Path) -> Forum:
    """Garden with the netiquette's shipped rules too, and a moderator."""
    enable_only(rules_dir, "netiquette", "contributors")
    forum = await open_forum()
    forum.member("mod", moderator=True)
    return forum


async def test_a_message_a_moderator_purges_takes_its_points_with_it(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_netiquette(open_forum, rules_dir)
    answer = await forum.say("david", "Water it the day before and loosen the root ball gently.")
    await forum.say("alice", "Merci beaucoup, that is what I needed!", reply_to=answer)
    assert "david" in forum.ranked(await forum.run("mod", "/top 30d"))

    await forum.command("mod", "/purge 1 david")

    assert "david" not in forum.ranked(await forum.run("mod", "/top 30d"))
    assert await score_of(forum, "david") == 0


async def test_the_copies_the_spam_rule_deletes_after_the_fact_lose_their_points(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_netiquette(open_forum, rules_dir)
    for _ in range(3):  # the third copy fires the rule, which deletes the two before it too
        await forum.say("david", "Buy the best seeds at my shop, cheap and fast!")
        await forum.wait(timedelta(seconds=20))
    await forum.core.caught_up()

    assert len(forum.done("delete")) == 3
    assert await score_of(forum, "david") == 0


async def test_a_reaction_taken_back_takes_its_point_back(forum: Forum) -> None:
    post = await forum.say("alice", "Here is what I learnt this week about compost.")
    await forum.react("bob", post)
    await forum.react("bob", post, "🎉")
    await forum.unreact("bob", post)
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "alice") == weights.message + weights.reaction_received

    await forum.unreact("bob", post, "🎉")

    assert await score_of(forum, "alice") == weights.message


async def test_bots_earn_nothing_and_give_nothing(forum: Forum) -> None:
    from bot.events import MemberRef, UserRef

    bot = MemberRef(forum.platform.community, UserRef("fake", "id-helper", "helper", is_bot=True))
    post = await forum.say("alice", "Here is what I learnt this week about compost.")
    await forum.say(
        "helper", "Thanks! This message was posted by a bot, beep.", reply_to=post, author=bot
    )

    assert await score_of(forum, "helper") == 0
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "alice") == weights.message


async def test_thanks_by_mention_counts_and_self_thanks_do_not(forum: Forum) -> None:
    await forum.say("alice", "thx @carol for the seeds", mentions=("carol",))
    await forum.say("carol", "thank you @carol, said carol to herself", mentions=("carol",))

    weights = forum.cog.settings().scoring
    carol = await score_of(forum, "carol")
    assert carol == weights.thanks_received + weights.mention_received + weights.message


async def test_a_reply_that_pings_its_author_counts_once_as_a_reply(forum: Forum) -> None:
    question = await forum.say("alice", QUESTIONS["alice"])
    # As Discord delivers a reply that pings: its author among the mentions.
    await forum.say(
        "carol",
        "Water it the day before and loosen the root ball gently.",
        reply_to=question,
        mentions=("alice",),
    )
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "alice") == weights.message + weights.reply_received


async def answer(
    forum: Forum, name: str, text: str, replied: MessageRef, author: UserRef | None
) -> None:
    """``name`` replies to ``replied``, whose author the platform names as ``author``."""
    await forum.handle(
        MessageCreated(
            at=forum.clock.now(),
            message=MessageRef(replied.channel, f"{name}-{text}"),
            author=forum.member(name),
            text=text,
            reply_to=replied,
            reply_to_author=author,
        )
    )


async def test_thanks_for_a_message_posted_before_a_restart_credit_its_author(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    """The cog remembers recent messages in memory only: after a restart, the author of the
    message a reply answers is the one the platform names with the reply."""
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    tip = await first.say("carol", "Water it the day before and loosen the root ball gently.")
    await first.core.stop()

    second = await open_forum(database=database)
    await answer(second, "alice", "Merci beaucoup !", tip, second.member("carol").user)

    profile = (await second.run("carol", "/profile")).splitlines()
    assert "• 1 thank-you: 5 pts" in profile
    assert "• 1 reply: 2 pts" in profile


async def test_a_reply_the_platform_names_credits_no_bot_no_self_and_nothing_removed(
    forum: Forum,
) -> None:
    channel = forum.platform.channel("general")
    bot = UserRef("fake", "id-helper", "helper", is_bot=True)
    await answer(forum, "alice", "Thanks, bot!", MessageRef(channel, "old-1"), bot)
    carol = forum.member("carol").user
    await answer(forum, "carol", "thanks me, for my own tip", MessageRef(channel, "old-2"), carol)
    removed = MessageRef(channel, "old-3")
    forum.core.bus.mark_removed(removed)  # say, the netiquette removed it on an edit
    await answer(forum, "alice", "Thank you, that is it!", removed, forum.member("dave").user)
    # A message the cog remembers is credited to the author it remembers.
    post = await forum.say("erin", "Loosen the root ball before repotting the fig tree.")
    await answer(forum, "alice", "merci !", post, forum.member("frank").user)

    weights = forum.cog.settings().scoring
    assert await score_of(forum, "helper") == 0
    assert await score_of(forum, "carol") == weights.message  # her own post, nothing received
    assert await score_of(forum, "dave") == 0
    assert await score_of(forum, "frank") == 0
    assert await score_of(forum, "erin") == (
        weights.message + weights.reply_received + weights.thanks_received
    )


async def test_thanks_naming_someone_thank_them_not_the_author_replied_to(forum: Forum) -> None:
    question = await forum.say("carol", "What is the best soil for tomatoes in pots, please?")
    await forum.say("bob", "I think loam with some compost works best for that.")
    await forum.say("alice", "thanks @bob for the tip", reply_to=question, mentions=("bob",))

    answer = await forum.run("mod", "/top")
    assert forum.ranked(answer)[0] == "bob"
    bob = await forum.run("mod", "/profile bob")
    carol = await forum.run("mod", "/profile carol")
    assert "• 1 thank-you: 5 pts" in bob.splitlines()
    assert "thank" not in carol
    assert "• 1 reply: 2 pts" in carol.splitlines()  # the reply still counts

    # With nobody named, the thanks go to the author replied to.
    await forum.say("erin", "Thank you, that is what I needed!", reply_to=question)
    assert "• 1 thank-you: 5 pts" in (await forum.run("mod", "/profile carol"))


async def test_thanks_naming_two_members_in_reply_to_a_third_thank_each_named_once(
    forum: Forum,
) -> None:
    """ "merci @bob et @carol", in reply to dave: bob and carol are thanked, once each however
    often alice says it that day; dave, replied to, gets the reply; alice, naming herself, and
    a bot get nothing."""
    asked = await forum.say("dave", "Who can help me build a raised bed this weekend?")
    bot = UserRef("fake", "id-helper", "helper", is_bot=True)
    named = (*(forum.member(name).user for name in ("bob", "carol", "alice")), bot)
    for n in range(2):
        await forum.handle(
            MessageCreated(
                at=forum.clock.now(),
                message=MessageRef(asked.channel, f"thanks-{n}"),
                author=forum.member("alice"),
                text="merci @bob et @carol @alice @helper",
                reply_to=asked,
                mentions=named,
            )
        )

    weights = forum.cog.settings().scoring
    for helper in ("bob", "carol"):
        assert await score_of(forum, helper) == weights.thanks_received + (
            weights.mention_received
        )
    assert await score_of(forum, "dave") == weights.message + weights.reply_received
    assert await score_of(forum, "alice") == 2 * weights.message  # nothing from herself
    assert await score_of(forum, "helper") == 0


async def test_the_reactions_of_a_newcomer_held_at_the_charter_gate_do_not_count(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    enable_only(rules_dir, "welcome", "contributors")
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "role": "Members"}})
    forum = await open_forum()
    post = await forum.say("bob", "Here is a long and thoughtful message about the garden.")
    await forum.join("alice")
    welcome = forum.sent()[-1]
    await forum.react("alice", post)
    assert "reactions" not in await forum.run("bob", "/profile")

    await forum.press("alice", "welcome:accept", under=welcome)
    await forum.unreact("alice", post)
    await forum.react("alice", post)
    assert "• 1 reaction: 0.5 pts" in (await forum.run("bob", "/profile"))


ASKERS = ("alice", "bob", "erin", "frank", "gus")


async def a_day_of_help_and_filler(forum: Forum, *, filler: int = 200) -> None:
    """carol answers five members, three of whom thank her; dave posts ``filler`` messages of
    20+ characters, three a minute (the most the per-minute cap lets score)."""
    for n, asker in enumerate(ASKERS):
        asked = await forum.say(asker, f"Question {n}: how deep should bulbs go in clay soil?")
        answer = await forum.say(
            "carol", "About three times their height, with some grit underneath.", reply_to=asked
        )
        reply = "Thank you, that is what I needed!" if n < 3 else "I will try that this week."
        await forum.say(asker, reply, reply_to=answer)
        await forum.wait(timedelta(minutes=2))
    for n in range(filler):
        await forum.say("dave", f"Just passing by again, message number {n} of the day")
        await forum.wait(timedelta(seconds=20))


async def test_a_thanked_helper_outranks_a_member_posting_filler_all_day(forum: Forum) -> None:
    await a_day_of_help_and_filler(forum)

    answer = await forum.run("mod", "/top")

    assert forum.ranked(answer)[:2] == ["carol", "dave"]
    lines = answer.splitlines()
    # 5 answers, 5 replies, 3 thanks: 5 + 5 × 2 + 3 × 5.
    assert lines[1] == "1. carol — 30 pts (3 thanks)"
    # dave's 200 messages earn the daily cap, and his line says so.
    assert lines[2] == (
        "2. dave — 20 pts (20 of 200 substantial messages counted, daily cap reached)"
    )
    assert (
        "• 20 of 200 substantial messages counted, daily cap reached: 20 pts"
        in (await forum.run("mod", "/profile dave")).splitlines()
    )


async def test_the_daily_cap_holds_day_after_day_and_spares_a_steady_member(
    forum: Forum,
) -> None:
    start = forum.clock.now()
    for day in range(7):
        await forum.wait(start + timedelta(days=day) - forum.clock.now())
        await a_day_of_help_and_filler(forum)
        for n in range(15):  # hana takes part all week, under the cap every day
            await forum.say("hana", f"Here is my garden update number {n}, with photos.")
            await forum.wait(timedelta(minutes=1))

    answer = await forum.run("mod", "/top")

    assert forum.ranked(answer)[:3] == ["carol", "dave", "hana"]
    lines = answer.splitlines()
    assert lines[1] == "1. carol — 210 pts (21 thanks)"
    assert lines[2] == (
        "2. dave — 140 pts (140 of 1400 substantial messages counted, daily cap reached)"
    )
    # The cap is per day, not per window: hana's 105 messages all count.
    assert lines[3] == "3. hana — 105 pts (105 substantial messages)"


async def test_the_daily_cap_is_the_rule_books(open_forum: ForumFactory, rules_dir: Path) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    forum = await open_forum(scoring={"messages_per_day": 5})
    await a_day_of_help_and_filler(forum, filler=30)

    answer = await forum.run("mod", "/classement")

    assert forum.ranked(answer)[:2] == ["carol", "dave"]
    assert answer.splitlines()[2] == (
        "2. dave — 5 pts (5 messages substantiels comptés sur 30, plafond quotidien atteint)"
    )


async def test_a_rule_book_written_before_the_daily_cap_gets_the_default(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    # A copy of the rule book made before the cap existed: no key, no text for it.
    path = rules_dir / "contributors.yaml"
    section = yaml.safe_load(path.read_text(encoding="utf-8"))
    del section["scoring"]["messages_per_day"]
    for texts in section["texts"].values():
        del texts["reason_messages_capped"]
    path.write_text(yaml.safe_dump(section, allow_unicode=True), encoding="utf-8")
    forum = await open_forum()
    assert forum.cog.settings().scoring.messages_per_day == 20

    await a_day_of_help_and_filler(forum, filler=30)

    answer = await forum.run("mod", "/top")
    assert answer.splitlines()[1:3] == [
        "1. carol — 30 pts (3 thanks)",
        "2. dave — 20 pts (20 of 30 substantial messages counted, daily cap reached)",
    ]


async def days_of(forum: Forum, name: str) -> dict[str, int]:
    """The substantial messages counted for ``name`` per day, as stored."""
    stored = await forum.cog.stored(forum.platform.community, f"id-{name}")
    return {row["day"]: row["messages"] for row in stored["daily"] if row["messages"]}


async def test_ok_edited_into_a_helpful_answer_earns_its_point_on_the_day_it_was_posted(
    forum: Forum,
) -> None:
    question = await forum.say("alice", QUESTIONS["alice"])
    answer = await forum.say("carol", "ok", reply_to=question)
    posted = forum.clock.now().date().isoformat()
    await forum.wait(timedelta(days=1))

    await forum.edit("carol", answer, "Water it the day before and loosen the root ball gently.")

    assert await days_of(forum, "carol") == {posted: 1}
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "carol") == weights.message
    # The reply was counted when it was posted: the edit gives it no second time.
    assert await score_of(forum, "alice") == weights.message + weights.reply_received


async def test_an_answer_edited_down_to_a_dot_loses_its_point_and_only_it(forum: Forum) -> None:
    question = await forum.say("alice", QUESTIONS["alice"])
    answer = await forum.say(
        "carol", "Water it the day before and loosen the root ball gently.", reply_to=question
    )
    await forum.say("alice", "Merci beaucoup !", reply_to=answer)
    weights = forum.cog.settings().scoring
    helped = weights.message + weights.reply_received + weights.thanks_received
    assert await score_of(forum, "carol") == helped  # flushed: the point is in the database
    await forum.wait(timedelta(days=1))

    await forum.edit("carol", answer, ".")

    assert await days_of(forum, "carol") == {}
    # The thanks and the reply she drew stay: alice thanked what she read then.
    assert await score_of(forum, "carol") == helped - weights.message
    # Edited twice more, back and forth: never more than the one point.
    await forum.edit("carol", answer, "Water it the day before, then loosen the root ball.")
    await forum.edit("carol", answer, "Water it the day before, loosen the root ball gently.")
    assert await score_of(forum, "carol") == helped
    assert await score_of(forum, "alice") == weights.message + weights.reply_received


async def test_a_burst_of_edits_earns_no_more_than_the_per_minute_cap(forum: Forum) -> None:
    shorts = []
    for _ in range(5):
        shorts.append(await forum.say("dave", "ok"))
        await forum.wait(timedelta(minutes=5))

    for message in shorts:
        await forum.edit("dave", message, "This is now a very long message about nothing at all")

    weights = forum.cog.settings().scoring
    assert await score_of(forum, "dave") == weights.per_minute * weights.message
    # A member's thanks give one held back its point, as for a new message past the cap.
    await forum.say("alice", "Thanks, that is what I needed!", reply_to=shorts[4])
    assert await days_of(forum, "dave") == {
        forum.clock.now().date().isoformat(): weights.per_minute + 1
    }


async def test_an_edit_scores_nothing_for_a_member_who_opted_out_or_a_forgotten_message(
    forum: Forum,
) -> None:
    forum.cog.ledger.limit = 2
    old = await forum.say("carol", "Water it the day before and loosen the root ball gently.")
    await forum.say("erin", "Which soil mix works best for succulents indoors?")
    await forum.say("erin", "And for cacti, the same mix or another one?")
    # Older than what the cog remembers: it keeps what it earned.
    await forum.edit("carol", old, ".")
    assert await days_of(forum, "carol") == {forum.clock.now().date().isoformat(): 1}
    short = await forum.say("carol", "ok")
    await forum.run("carol", "/contributors_optout")

    await forum.edit("carol", short, "Loosen the root ball gently before you repot the fig.")

    assert await days_of(forum, "carol") == {}
    await forum.run("carol", "/contributors_optin")
    assert await score_of(forum, "carol") == 0
