"""Thanks that name someone go to those named, never to the author replied to instead."""

from __future__ import annotations

from bot.events import MessageCreated, MessageRef, UserRef
from tests.cogs.contributors.forum import Forum
from tests.cogs.contributors.test_contributors_edit_mentions import edit

LONG = "Here is a long and thoughtful message about the garden."


async def test_thanks_naming_an_opted_out_member_do_not_go_to_the_author_replied_to(
    forum: Forum,
) -> None:
    await forum.run("dave", "/contributors_optout")
    post = await forum.say("carol", LONG)
    # alice answers carol's message but thanks dave, by name: "thanks that mention someone
    # thank that person, not the author of the message replied to".
    await forum.say("alice", "Thanks @dave for the link!", reply_to=post, mentions=("dave",))

    profile = await forum.run("mod", "/profile carol")

    assert "thank" not in profile, profile
    assert "1 reply" in profile, profile  # the reply still counts


async def test_thanks_naming_the_bot_do_not_go_to_the_author_replied_to(forum: Forum) -> None:
    post = await forum.say("carol", LONG)
    bot = UserRef(forum.platform.name, "id-jardinier", "Jardinier", is_bot=True)
    await forum.handle(
        MessageCreated(
            at=forum.clock.now(),
            message=MessageRef(forum.platform.channel("general"), "m-bot-thanks"),
            author=forum.member("alice"),
            text="Thanks @Jardinier for the reminder!",
            reply_to=post,
            mentions=(bot,),
        )
    )

    assert "thank" not in await forum.run("mod", "/profile carol")


async def test_thanks_naming_only_the_author_replied_to_thank_them(forum: Forum) -> None:
    """A Discord reply pings the author replied to: that ping names nobody else."""
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks @carol!", reply_to=post, mentions=("carol",))

    assert "1 thank-you" in await forum.run("mod", "/profile carol")


async def test_thanks_naming_oneself_still_thank_the_author_replied_to(forum: Forum) -> None:
    """alice names herself ("thanks from @alice"): she names nobody else, carol is thanked."""
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks from @alice!", reply_to=post, mentions=("alice",))

    assert "1 thank-you" in await forum.run("mod", "/profile carol")


async def test_thanks_naming_a_creditable_and_an_opted_out_member_thank_the_first(
    forum: Forum,
) -> None:
    await forum.run("dave", "/contributors_optout")
    await forum.say("erin", LONG)
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks @dave and @erin!", reply_to=post, mentions=("dave", "erin"))

    assert "thank" not in await forum.run("mod", "/profile carol")
    assert "1 thank-you" in await forum.run("mod", "/profile erin")


async def test_an_edit_thanking_an_opted_out_member_does_not_thank_the_author_replied_to(
    forum: Forum,
) -> None:
    await forum.run("dave", "/contributors_optout")
    post = await forum.say("carol", LONG)
    reply = await forum.say("alice", "that worked", reply_to=post)

    await edit(forum, "alice", reply, "that worked, thanks @dave for the tip", ("dave",))

    profile = await forum.run("mod", "/profile carol")
    assert "thank" not in profile, profile
    assert "1 reply" in profile, profile


async def test_an_edit_thanking_the_author_replied_to_by_name_thanks_them(forum: Forum) -> None:
    post = await forum.say("carol", LONG)
    reply = await forum.say("alice", "that worked", reply_to=post)

    await edit(forum, "alice", reply, "that worked, thanks @carol", ("carol",))

    assert "1 thank-you" in await forum.run("mod", "/profile carol")


async def test_a_member_who_opted_out_after_being_named_is_not_replaced(forum: Forum) -> None:
    """Posted naming erin, edited to say thanks after erin opted out: carol, replied to, is not
    thanked in her place."""
    post = await forum.say("carol", LONG)
    await forum.say("erin", LONG)
    reply = await forum.say("alice", "see @erin", reply_to=post, mentions=("erin",))
    await forum.run("erin", "/contributors_optout")

    await edit(forum, "alice", reply, "see @erin, thanks!", ("erin",))

    assert "thank" not in await forum.run("mod", "/profile carol")
