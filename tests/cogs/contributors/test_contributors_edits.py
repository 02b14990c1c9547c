"""Acceptance: an edit that adds thanks thanks, once, as the same text posted would."""

from __future__ import annotations

from datetime import timedelta

from cogs.contributors.scoring import span
from tests.cogs.contributors.forum import Forum

ANSWER = "Water it the day before and loosen the root ball gently."


async def score_of(forum: Forum, name: str) -> float:
    await forum.cog.flush()
    standings = await forum.cog.standings(
        forum.platform.community, span("7d", forum.clock.now().date())
    )
    found = {item.user_id: item.score for item in standings}
    return found.get(f"id-{name}", 0.0)


async def test_a_reply_edited_to_add_thanks_thanks_its_author_once(forum: Forum) -> None:
    tip = await forum.say("bob", ANSWER)
    reply = await forum.say("alice", "great answer", reply_to=tip)
    weights = forum.cog.settings().scoring
    assert await score_of(forum, "bob") == weights.message + weights.reply_received

    await forum.edit("alice", reply, "great answer, thanks @bob")

    thanked = weights.message + weights.reply_received + weights.thanks_received
    assert await score_of(forum, "bob") == thanked
    # Edited again, and back and forth: the thanks count once.
    await forum.edit("alice", reply, "great answer, thanks a lot @bob")
    await forum.edit("alice", reply, "great answer")
    await forum.edit("alice", reply, "great answer, merci beaucoup @bob")
    assert await score_of(forum, "bob") == thanked
    profile = (await forum.run("bob", "/profile")).splitlines()
    assert "• 1 thank-you: 5 pts" in profile


async def test_thanks_added_by_an_edit_go_to_the_members_mentioned(forum: Forum) -> None:
    await forum.say("bob", ANSWER)
    await forum.say("erin", "Half cactus mix, half perlite, and a pot with a drainage hole.")
    note = await forum.say("alice", "Both tips worked for my fig", mentions=("bob", "erin"))
    weights = forum.cog.settings().scoring
    before = {name: await score_of(forum, name) for name in ("bob", "erin")}

    await forum.edit("alice", note, "Both tips worked for my fig, thank you!")

    for name in ("bob", "erin"):
        assert await score_of(forum, name) == before[name] + weights.thanks_received


async def test_thanks_added_by_an_edit_are_taken_back_with_the_message(forum: Forum) -> None:
    tip = await forum.say("bob", ANSWER)
    reply = await forum.say("alice", "great answer", reply_to=tip)
    await forum.edit("alice", reply, "great answer, thanks @bob")

    await forum.delete(reply)

    assert await score_of(forum, "bob") == forum.cog.settings().scoring.message


async def test_thanks_added_by_an_edit_give_the_point_the_cap_held_back(forum: Forum) -> None:
    per_minute = forum.cog.settings().scoring.per_minute
    tips = [await forum.say("bob", f"{ANSWER} Tip {n}.") for n in range(per_minute + 1)]
    held = tips[-1]  # past the per-minute cap: its point waits for someone's thanks
    weights = forum.cog.settings().scoring
    reply = await forum.say("alice", "that did it", reply_to=held)
    before = await score_of(forum, "bob")

    await forum.edit("alice", reply, "that did it, thank you!")

    assert await score_of(forum, "bob") == before + weights.thanks_received + weights.message


async def test_an_edit_thanks_no_one_already_thanked_or_for_a_forgotten_message(
    forum: Forum,
) -> None:
    tip = await forum.say("bob", ANSWER)
    old = await forum.say("erin", "nice one", reply_to=tip)
    thanks = await forum.say("alice", "thanks!", reply_to=tip)
    forum.cog.ledger.limit = 3
    await forum.say("frank", "Which soil mix works best for succulents indoors?")
    await forum.say("frank", "And for cacti, the same mix or another one?")
    await forum.wait(timedelta(minutes=5))
    before = await score_of(forum, "bob")

    # Thanked when posted: thanking again in an edit adds nothing.
    await forum.edit("alice", thanks, "thanks a lot, bob!")
    # Older than what the cog remembers: the edit counts nothing.
    await forum.edit("erin", old, "nice one, thank you bob")

    assert forum.cog.ledger.get(thanks) is not None
    assert forum.cog.ledger.get(old) is None
    assert await score_of(forum, "bob") == before


async def test_an_edit_thanks_no_one_for_a_message_removed_meanwhile(forum: Forum) -> None:
    tip = await forum.say("bob", ANSWER)
    reply = await forum.say("alice", "great answer", reply_to=tip)
    forum.core.bus.mark_removed(tip)  # say, the netiquette removed it on an edit

    await forum.edit("alice", reply, "great answer, thanks @bob")

    # The removed tip took back what it drew, and draws no thanks.
    assert await score_of(forum, "bob") == 0
