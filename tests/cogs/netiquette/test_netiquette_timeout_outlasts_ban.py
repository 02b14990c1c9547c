"""A case that times out and bans, its timeout running longer than its ban: the ban's lift
leaves the case open until the timeout ends, and the timeout's lift is planned again when a
stop lost it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.localtime import moment_text
from bot.platform import Capability
from cogs.netiquette.sanctions import lift_job_id
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum
from tests.cogs.netiquette.test_netiquette_refusals import LACKING

SILENCED_A_WEEK_BANNED_AN_HOUR = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {
            "delete": True,
            "timeout": {"duration": "7d"},
            "ban": {"duration": "1h", "reason": "Ads"},
        },
    }
}


async def status_of(forum: Forum, case: int) -> str:
    """The last line of ``/case``: its strike points and its status."""
    await forum.run("mod", f"/case {case}")
    return forum.platform.last_text().splitlines()[-1]


def until(forum: Forum, when: datetime) -> str:
    """The status of a case running until ``when``, as /case says it."""
    zone = forum.core.community_config(forum.platform.community).zone
    return f"Strike points: 0 (until {moment_text(when.astimezone(zone), 'en')})"


async def banned_an_hour_silenced_a_week(forum: Forum) -> datetime:
    """bob posts an invite: silenced for a week, banned for an hour; when the week ends."""
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    return forum.clock.now() + timedelta(days=7)


async def test_the_ban_s_lift_leaves_the_case_open_while_its_timeout_runs(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    forum.member("mod", moderator=True)
    week_later = await banned_an_hour_silenced_a_week(forum)
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    assert await status_of(forum, 1) == until(forum, week_later)
    await forum.wait(timedelta(days=7))
    assert len(forum.done("unrestrict")) == 1
    assert forum.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"
    assert len(forum.done("unban")) == 1


async def test_a_timeout_lift_lost_after_the_ban_s_lift_is_planned_again_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR, database=database)
    await banned_an_hour_silenced_a_week(first)
    await first.wait(timedelta(hours=1, minutes=1))
    assert len(first.done("unban")) == 1
    # The timeout's job is lost, as a kill loses it.
    first.core.scheduler.cancel(lift_job_id("timeout", first.platform.community, "id-bob"))
    await first.stop()
    first.platform.actions.clear()
    lines = len(first.modlog())

    second = await open_forum(
        SILENCED_A_WEEK_BANNED_AN_HOUR, database=database, platform=first.platform
    )
    second.member("mod", moderator=True)
    await second.wait(timedelta(days=7))
    # The ban is not lifted twice; the timeout is, once.
    assert second.done("unban") == []
    assert len(second.done("unrestrict")) == 1
    assert second.modlog()[lines:] == ["⏱️ The timeout of bob is lifted (case 1)."]
    assert await status_of(second, 1) == "Strike points: 0 (lifted)"


async def test_a_ban_lift_lost_before_it_ran_is_planned_again_with_the_timeout_s(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR, database=database)
    await banned_an_hour_silenced_a_week(first)
    for kind in ("timeout", "ban"):
        first.core.scheduler.cancel(lift_job_id(kind, first.platform.community, "id-bob"))
    await first.stop()

    second = await open_forum(
        SILENCED_A_WEEK_BANNED_AN_HOUR, database=database, platform=first.platform
    )
    second.member("mod", moderator=True)
    await second.wait(timedelta(hours=1, minutes=1))
    assert len(second.done("unban")) == 1
    await second.wait(timedelta(days=7))
    assert len(second.done("unrestrict")) == 1
    assert len(second.done("unban")) == 1
    assert await status_of(second, 1) == "Strike points: 0 (lifted)"


async def test_an_untimeout_before_the_ban_ends_lets_the_ban_s_lift_close_the_case(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    forum.member("mod", moderator=True)
    await banned_an_hour_silenced_a_week(forum)
    hour_later = forum.clock.now() + timedelta(hours=1)
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    # Still banned: the case now ends with its ban.
    assert await status_of(forum, 1) == until(forum, hour_later)
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


NO_PERMISSION = ("lacking_permission", {"permission": "ban_members", "where": "Garden"})


async def test_a_case_refused_both_its_acts_takes_no_end_from_another_case_s_timeout(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "ads": {
                "triggers": [{"match_invites": True}],
                "actions": {"timeout": {"duration": "1h"}, "ban": {"duration": "1d"}},
            }
        }
    )
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 7d Flooding")
    forum.platform.refuse["timeout"] = NO_PERMISSION
    forum.platform.refuse["ban"] = NO_PERMISSION
    await forum.say("bob", "discord.gg/spam")
    assert forum.done("ban") == []
    assert await status_of(forum, 2) == "Strike points: 0 (timeout failed) (ban failed)"
    # Nothing case 2 asked is in force: two days on, the retention sweep may erase it, and
    # keeps case 1, whose timeout runs a week.
    await forum.wait(timedelta(days=2))
    community = forum.platform.community
    assert await forum.cog.casebook.forget_before(community, forum.clock.now()) == 1
    assert [case.id for case in await forum.cog.casebook.of_member(community, "id-bob")] == [1]


async def test_where_a_timeout_is_a_restriction_it_is_put_back_after_the_ban_s_lift(
    open_forum: ForumFactory,
) -> None:
    # On Telegram a ban replaces the member's restriction, and the unban leaves them free to
    # come back and post: the week's silence is restricted again, until its end.
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    forum.member("mod", moderator=True)
    week_later = await banned_an_hour_silenced_a_week(forum)
    assert [recorded.details["until"] for recorded in forum.done("timeout")] == [week_later]
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert [recorded.details["until"] for recorded in forum.done("timeout")] == [week_later] * 2
    assert await status_of(forum, 1) == until(forum, week_later)


async def test_where_a_timeout_outlives_a_ban_on_its_own_it_is_not_given_again(
    open_forum: ForumFactory,
) -> None:
    # A Discord timeout holds through a ban and an unban.
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    forum.platform.capabilities = frozenset(Capability) - {Capability.RESTRICT}
    forum.member("mod", moderator=True)
    week_later = await banned_an_hour_silenced_a_week(forum)
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert len(forum.done("timeout")) == 1
    assert await status_of(forum, 1) == until(forum, week_later)


async def test_a_restriction_refused_after_the_ban_s_lift_closes_the_case_and_says_why(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    forum.member("mod", moderator=True)
    await banned_an_hour_silenced_a_week(forum)
    forum.platform.refuse["timeout"] = ("lacking_permission", LACKING)
    await forum.wait(timedelta(hours=1, minutes=1))
    lifted = sorted(line for line in forum.modlog() if "is lifted" in line)
    assert lifted[0] == "⏱️ The ban of bob is lifted (case 1)."
    assert lifted[1] == (
        "⏱️ The timeout of bob is lifted (case 1) "
        "(timeout failed: I lack the Moderate Members permission in Garden)."
    )
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"
    await forum.wait(timedelta(days=7))  # nothing left to lift, nothing said again
    assert sorted(line for line in forum.modlog() if "is lifted" in line) == lifted
    assert forum.done("unrestrict") == []
