"""When a sanction ends: a ban never ends sooner than one in force (for good is longest), and a
case that both silences and bans is lifted only once nothing it imposed goes on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from cogs.netiquette.sanctions import lift_job_id
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum

BANNED_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}


def silenced_and_banned(ban: dict[str, Any]) -> dict[str, Any]:
    """A rule that times out for an hour and bans as ``ban`` says."""
    return {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {"delete": True, "timeout": {"duration": "1h"}, "ban": ban},
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


async def test_a_temporary_ban_after_a_ban_for_good_lifted_outside_the_bot_ends(
    open_forum: ForumFactory,
) -> None:
    """A ban for good lifted in the platform's settings leaves its case open (the bot is not
    told); the member who joined again since is not under it, and a day's ban ends."""
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    await forum.join("bob")
    await forum.run("mod", "/ban bob For good")
    await forum.wait(timedelta(days=30))
    await forum.join("bob")
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 2
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(forum.done("unban")) == 1


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


async def test_a_case_that_silences_and_bans_for_a_week_stays_open_until_the_ban_ends(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned({"duration": "7d"}))
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    week_later = forum.clock.now() + timedelta(days=7)
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unrestrict")) == 1
    assert forum.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."
    [case] = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert (case.lifted_at, case.expires_at) == (None, week_later)
    await forum.wait(timedelta(days=7))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_a_case_that_silences_and_bans_for_good_stays_open_past_the_timeout(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned({"reason": "Ads"}))
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(hours=1, minutes=1))
    assert forum.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."
    # Still banned, for good: the case is not lifted, and has no end to show.
    assert await status_of(forum, 1) == "Strike points: 0"
    await forum.run("mod", "/unban bob")
    assert forum.answers()[-1] == "The ban of bob is lifted."
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_a_case_that_silences_and_bans_for_good_is_not_lifted_again_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned({"reason": "Ads"})
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    await first.wait(timedelta(hours=1, minutes=1))
    assert len(first.done("unrestrict")) == 1
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=3))
    assert len(second.done("unrestrict")) == 1
    assert second.done("unban") == []
    assert len(second.modlog()) == lines


async def test_an_untimeout_leaves_open_the_case_of_a_ban_that_goes_on(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned({"duration": "7d"}))
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert (case.action, case.lifted_at) == ("delete, timeout, ban", None)
    await forum.wait(timedelta(days=7, minutes=1))
    assert len(forum.done("unban")) == 1


async def test_a_case_that_silences_and_bans_for_a_week_lifts_its_timeout_once_across_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned({"duration": "7d"})
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    await first.wait(timedelta(hours=1, minutes=1))
    assert len(first.done("unrestrict")) == 1
    await first.stop()
    first.platform.actions.clear()
    lines = len(first.modlog())

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=7))
    assert second.done("unrestrict") == []
    assert len(second.done("unban")) == 1
    assert second.modlog()[lines:] == ["⏱️ The ban of bob is lifted (case 1)."]


async def test_a_ban_for_good_lifted_by_unban_reads_lifted_in_its_case(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/ban bob For good")
    assert await status_of(forum, 1) == "Strike points: 0"
    await forum.run("mod", "/unban bob")
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_a_lift_left_to_the_moderators_is_not_tried_again_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    await first.say("bob", "discord.gg/spam")
    first.platform.refuse["unban"] = (
        "lacking_permission",
        {"permission": "ban_members", "where": "Garden"},
    )
    await first.wait(timedelta(days=1, minutes=1))
    asked = "⚠️ The ban of bob is over but I could not lift it (case 1)"
    assert [line for line in first.modlog() if line.startswith(asked)] != []
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(minutes=5))
    assert second.modlog()[lines:] == []


BANNED_A_WEEK_OR_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "7d", "reason": "Ads"}},
    },
    "insults": {
        "triggers": [{"match_words": {"words": ["idiot"]}}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Insults"}},
    },
}


async def test_a_shorter_ban_given_during_a_longer_one_shows_when_the_member_is_unbanned(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_WEEK_OR_A_DAY)
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    await status_of(forum, 1)
    week = forum.platform.last_text().splitlines()[-1]
    # A message bob posted before the week's ban reaches the bot after it: a day's ban.
    await forum.say("bob", "you idiot")
    assert len(forum.done("ban")) == 2
    assert await status_of(forum, 2) == week
    await forum.wait(timedelta(days=1, minutes=1))
    assert forum.done("unban") == []
    await forum.wait(timedelta(days=6))
    assert len(forum.done("unban")) == 1
    assert await status_of(forum, 2) == "Strike points: 0 (lifted)"


async def test_a_case_that_silences_and_bans_for_a_week_whose_lifts_were_lost_ends_its_ban(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned({"duration": "7d"})
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    # Both jobs are lost, as a kill just after the sanctions loses them.
    for kind in ("timeout", "ban"):
        first.core.scheduler.cancel(lift_job_id(kind, first.platform.community, "id-bob"))
    assert first.core.scheduler.pending("netiquette:") == []
    await first.stop()

    second = await open_forum(rules, database=database, platform=first.platform)
    second.member("mod", moderator=True)
    await second.wait(timedelta(days=7, minutes=1))
    assert len(second.done("unban")) == 1
    assert second.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    assert await status_of(second, 1) == "Strike points: 0 (lifted)"


async def test_a_case_that_silences_and_bans_for_a_week_lifts_its_ban_at_once_after_a_long_stop(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned({"duration": "7d"})
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    for kind in ("timeout", "ban"):
        first.core.scheduler.cancel(lift_job_id(kind, first.platform.community, "id-bob"))
    await first.stop()
    first.clock.advance(timedelta(days=8))

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    assert len(second.done("unban")) == 1


async def test_a_case_that_silences_and_bans_for_good_whose_lifts_were_lost_keeps_its_ban(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned({"reason": "Ads"})
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    first.core.scheduler.cancel(lift_job_id("timeout", first.platform.community, "id-bob"))
    await first.stop()

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=30))
    assert second.done("unban") == []
