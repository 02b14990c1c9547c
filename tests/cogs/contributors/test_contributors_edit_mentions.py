"""Acceptance: members an edit mentions are credited, once, as the same text posted would."""

from __future__ import annotations

from datetime import timedelta

from bot.events import MessageEdited, MessageRef, UserRef
from cogs.contributors.scoring import span
from tests.cogs.contributors.forum import Forum

ANSWER = "Water it the day before and loosen the root ball gently."
OTHER_ANSWER = "Half cactus mix, half perlite, and a pot with a drainage hole."


async def score_of(forum: Forum, name: str) -> float:
    await forum.cog.flush()
    standings = await forum.cog.standings(
        forum.platform.community, span("7d", forum.clock.now().date())
    )
    found = {item.user_id: item.score for item in standings}
    return found.get(f"id-{name}", 0.0)


async def edit(
    forum: Forum, name: str, message: MessageRef, text: str, mentions: tuple[str, ...] = ()
) -> None:
    """``name`` edits ``message`` to read ``text``, mentioning ``mentions`` (as a platform
    tells every member the edited text mentions)."""
    await forum.handle(
        MessageEdited(
            at=forum.clock.now(),
            message=message,
            author=forum.member(name),
            text=text,
            mentions=tuple(forum.member(other).user for other in mentions),
        )
    )


async def test_a_member_thanked_by_name_in_an_edit_is_thanked_once(forum: Forum) -> None:
    """ "great answer" (to no one) edited to "great answer, thanks @bob": bob is mentioned and
    thanked, once, however often the text changes."""
    await forum.say("bob", ANSWER)
    note = await forum.say("alice", "great answer")
    weights = forum.cog.settings().scoring
    before = await score_of(forum, "bob")

    await edit(forum, "alice", note, "great answer, thanks @bob", ("bob",))

    thanked = before + weights.mention_received + weights.thanks_received
    assert await score_of(forum, "bob") == thanked
    await edit(forum, "alice", note, "great answer, thanks a lot @bob", ("bob",))
    await edit(forum, "alice", note, "great answer", ())
    await edit(forum, "alice", note, "great answer, merci @bob", ("bob",))
    assert await score_of(forum, "bob") == thanked
    profile = (await forum.run("bob", "/profile")).splitlines()
    assert "• 1 thank-you: 5 pts" in profile


async def test_a_reply_edited_to_thank_someone_else_by_name_thanks_them(forum: Forum) -> None:
    """As posted: "thanks @erin for the tip", in answer to bob, thanks erin, not bob."""
    tip = await forum.say("bob", ANSWER)
    await forum.say("erin", OTHER_ANSWER)
    reply = await forum.say("alice", "that worked", reply_to=tip)
    weights = forum.cog.settings().scoring
    before = {name: await score_of(forum, name) for name in ("bob", "erin")}

    await edit(forum, "alice", reply, "that worked, thanks @erin for the tip", ("erin",))

    assert await score_of(forum, "bob") == before["bob"]
    erin = before["erin"] + weights.mention_received + weights.thanks_received
    assert await score_of(forum, "erin") == erin


async def test_a_mention_already_thanked_when_posted_is_not_thanked_again(forum: Forum) -> None:
    """Posted thanking bob, edited to thank erin as well: erin is thanked, bob not twice."""
    await forum.say("bob", ANSWER)
    await forum.say("erin", OTHER_ANSWER)
    note = await forum.say("alice", "thanks @bob", mentions=("bob",))
    weights = forum.cog.settings().scoring
    before = {name: await score_of(forum, name) for name in ("bob", "erin")}

    await edit(forum, "alice", note, "thanks @bob and @erin", ("bob", "erin"))

    assert await score_of(forum, "bob") == before["bob"]
    erin = before["erin"] + weights.mention_received + weights.thanks_received
    assert await score_of(forum, "erin") == erin


async def test_a_mention_added_without_thanks_is_thanked_by_a_later_edit(forum: Forum) -> None:
    await forum.say("bob", ANSWER)
    note = await forum.say("alice", "have a look at this answer")
    weights = forum.cog.settings().scoring
    before = await score_of(forum, "bob")

    await edit(forum, "alice", note, "have a look at this answer by @bob", ("bob",))
    assert await score_of(forum, "bob") == before + weights.mention_received

    await edit(forum, "alice", note, "have a look at this answer by @bob, thank you!", ("bob",))
    mentioned_and_thanked = before + weights.mention_received + weights.thanks_received
    assert await score_of(forum, "bob") == mentioned_and_thanked


async def test_mentions_added_by_an_edit_are_taken_back_with_the_message(forum: Forum) -> None:
    await forum.say("bob", ANSWER)
    note = await forum.say("alice", "great answer")
    before = await score_of(forum, "bob")
    await edit(forum, "alice", note, "great answer, thanks @bob", ("bob",))

    await forum.delete(note)

    assert await score_of(forum, "bob") == before


async def test_an_edit_credits_no_member_who_opted_out_nor_a_bot_nor_its_author(
    forum: Forum,
) -> None:
    await forum.say("bob", ANSWER)
    await forum.say("carol", OTHER_ANSWER)
    note = await forum.say("alice", "Both answers were great, I tried them")
    await forum.run("carol", "/contributors_optout")
    before = await score_of(forum, "alice")
    helper = UserRef(forum.platform.name, "id-helper", "helper", is_bot=True)
    mentions = (forum.member("carol").user, forum.member("alice").user, helper)

    await forum.handle(
        MessageEdited(
            at=forum.clock.now(),
            message=note,
            author=forum.member("alice"),
            text="Both answers were great, thanks @carol @alice @helper",
            mentions=mentions,
        )
    )

    assert await score_of(forum, "carol") == 0
    assert await score_of(forum, "alice") == before
    assert await score_of(forum, "helper") == 0


async def test_an_edit_of_a_forgotten_message_credits_no_one(forum: Forum) -> None:
    await forum.say("bob", ANSWER)
    old = await forum.say("erin", "nice one")
    forum.cog.ledger.limit = 2
    await forum.say("frank", "Which soil mix works best for succulents indoors?")
    await forum.say("frank", "And for cacti, the same mix or another one?")
    await forum.wait(timedelta(minutes=5))
    before = await score_of(forum, "bob")

    await edit(forum, "erin", old, "nice one, thank you @bob", ("bob",))

    assert forum.cog.ledger.get(old) is None
    assert await score_of(forum, "bob") == before
