"""When a sanction ends: a ban never ends sooner than one in force (for good is longest), and a
case that both silences and bans is lifted only once nothing it imposed goes on."""

from __future__ import annotations

from datetime import timedelta

from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum

BANNED_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}


async def status_of(forum: Forum, case: int) -> str:
    """The last line of ``/case``: its strike points and its status."""
    await forum.run("mod", f"/case {case}")
    return forum.platform.last_text().splitlines()[-1]


async def test_a_temporary_ban_given_while_banned_for_good_plans_no_unban(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/ban bob For good")
    # A message bob posted just before the ban reaches the bot after it: the rule bans a day.
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 2
    assert forum.core.scheduler.pending("netiquette:ban:") == []
    await forum.wait(timedelta(days=2))
    assert forum.done("unban") == []
    # The day's case says no end either: bob is banned for good.
    assert await status_of(forum, 2) == "Strike points: 0"


async def test_a_ladder_s_temporary_ban_never_ends_the_ban_for_good_that_reached_it(
    open_forum: ForumFactory,
) -> None:
    # The rule bans for good and gives the points of the ladder's one-day ban.
    forum = await open_forum(
        {
            "ads": {
                "triggers": [{"match_invites": True}],
                "actions": {"delete": True, "ban": {"points": 2, "reason": "Ads"}},
            }
        },
        strikes={"ladder": [{"points": 2, "within": "7d", "action": "ban", "duration": "1d"}]},
    )
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 2  # the rule's, then the ladder's
    await forum.wait(timedelta(days=2))
    assert forum.done("unban") == []
    await forum.run("mod", "/unban bob")
    assert forum.answers()[-1] == "The ban of bob is lifted."


async def test_a_temporary_ban_after_a_ban_for_good_was_lifted_is_lifted_on_time(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/ban bob For good")
    await forum.run("mod", "/unban bob")
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(forum.done("unban")) == 2
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 3)."


async def test_a_temporary_ban_after_one_left_to_the_moderators_is_lifted_on_time(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unban"] = (
        "lacking_permission",
        {"permission": "ban_members", "where": "Garden"},
    )
    await forum.wait(timedelta(days=1, minutes=1))
    assert forum.modlog()[-1].startswith("⚠️ The ban of bob is over but I could not lift it")
    del forum.platform.refuse["unban"]
    # Before a moderator got to it, bob is banned again for a day: that one ends on time.
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 2)."
