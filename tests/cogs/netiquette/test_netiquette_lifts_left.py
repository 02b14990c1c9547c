"""A lift the bot could not carry out is left to the moderators once: the mod-log asks them, the
case records it, and no restart tries it, or asks, again; lifting it by hand closes the case."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import OperationalError

from bot.events import Event, ModerationLifted
from cogs.netiquette.sanctions import lift_job_id
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum
from tests.support.migrations import GARDEN, migrated_database

BANNED_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}
NO_BAN_PERMISSION = ("lacking_permission", {"permission": "ban_members", "where": "Garden"})
NO_MODERATE_PERMISSION = (
    "lacking_permission",
    {"permission": "moderate_members", "where": "Garden"},
)
ASKED = "⚠️ The ban of bob is over but"


def asked_for_a_hand(forum: Forum, *, since: int = 0) -> list[str]:
    """The mod-log's lines asking a moderator to lift something by hand (from line ``since``:
    a forum started again on the same platform reads the lines of the one before too)."""
    return [line for line in forum.modlog()[since:] if line.startswith("⚠️ The ")]


async def test_a_lift_refused_for_good_is_asked_for_once_across_restarts(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    await first.say("bob", "discord.gg/spam")
    first.platform.refuse["unban"] = NO_BAN_PERMISSION
    await first.wait(timedelta(days=1, minutes=1))
    assert len(asked_for_a_hand(first)) == 1
    await first.stop()
    lines = len(first.modlog())

    # Even once the permission is given back: lifting it is the moderators' now.
    del first.platform.refuse["unban"]
    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    second.member("mod", moderator=True)
    await second.wait(timedelta(days=1))
    assert second.done("unban") == []
    assert asked_for_a_hand(second, since=lines) == []
    third = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    third.member("mod", moderator=True)
    await third.wait(timedelta(days=1))
    assert asked_for_a_hand(third, since=lines) == []
    # The case stays open until a moderator lifts the ban, which closes it.
    case = await third.cog.casebook.get(third.platform.community, 1)
    assert case is not None
    assert case.lifted_at is None
    assert case.lift_left_at is not None
    await third.run("mod", "/case 1")
    assert "(lift left to the moderators)" in third.answers()[-1]
    await third.run("mod", "/unban bob")
    assert third.answers()[-1] == "The ban of bob is lifted."
    case = await third.cog.casebook.get(third.platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None


async def test_a_lift_failing_on_an_error_every_try_is_asked_for_once_across_a_restart(
    open_forum: ForumFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    await first.say("bob", "discord.gg/spam")

    async def database_locked(*args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(first.cog.sanctions, "try_lift", database_locked)
    await first.wait(timedelta(days=3))
    assert len(asked_for_a_hand(first)) == 1
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert second.done("unban") == []
    assert second.modlog()[lines:] == []


async def test_a_lift_tried_until_the_last_retry_is_asked_for_once_across_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    await first.say("bob", "discord.gg/spam")
    first.platform.refuse["unban"] = ("rate_limited", {"platform": "Discord", "where": "Garden"})
    await first.wait(timedelta(days=2))
    assert len(asked_for_a_hand(first)) == 1
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert second.modlog()[lines:] == []


async def test_a_shorter_timeout_the_lift_left_stood_for_is_not_lifted_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    first.member("mod", moderator=True)
    first.member("bob")
    await first.run("mod", "/timeout bob 1d")
    # Shorter: bob stays silenced for the day, and case 2 ends with case 1.
    await first.run("mod", "/timeout bob 1h")
    first.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await first.wait(timedelta(days=1, minutes=1))
    assert [line for line in asked_for_a_hand(first) if "(case 1)" in line] != []
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert second.modlog()[lines:] == []
    second.member("mod", moderator=True)
    del second.platform.refuse["unrestrict"]
    await second.run("mod", "/untimeout bob")
    cases = await second.cog.casebook.of_member(second.platform.community, "id-bob")
    timeouts = [case for case in cases if case.action == "timeout"]
    assert [case.lifted_at is not None for case in timeouts] == [True, True]


async def test_a_ban_given_after_one_left_to_the_moderators_is_lifted_after_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    await first.say("bob", "discord.gg/spam")
    first.platform.refuse["unban"] = NO_BAN_PERMISSION
    await first.wait(timedelta(days=1, minutes=1))
    del first.platform.refuse["unban"]
    await first.say("bob", "discord.gg/spam")
    # The job of the second ban is lost, as a kill just after the ban loses it.
    first.core.scheduler.cancel(lift_job_id("ban", first.platform.community, "id-bob"))
    assert first.core.scheduler.pending("netiquette:") == []
    await first.stop()

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(days=1, minutes=1))
    assert len(second.done("unban")) == 1
    assert second.modlog()[-1] == "⏱️ The ban of bob is lifted (case 2)."
    cases = await second.cog.casebook.of_member(second.platform.community, "id-bob")
    assert [case.lifted_at is not None for case in cases] == [True, True]


async def test_a_case_left_to_the_moderators_keeps_when_they_were_first_asked(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unban"] = NO_BAN_PERMISSION
    await forum.wait(timedelta(days=1, minutes=1))
    first = await forum.cog.casebook.get(forum.platform.community, 1)
    assert first is not None
    assert first.lift_left_at is not None
    # bob is banned again for a day (a message of his reached the bot late); refused too.
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(asked_for_a_hand(forum)) == 2
    cases = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert [case.lift_left_at for case in cases] == [
        cases[0].expires_at,
        first.lift_left_at,
    ]
    assert first.lift_left_at < cases[0].expires_at


CASE = (
    "INSERT INTO netiquette_cases (id, community_id, user_id, user_name, action, "
    "moderator_name, reason, matched, excerpt, points, created_at, expires_at) VALUES "
    "(:id, 1, 'u2', 'bob', 'ban', '', 'Ads', '', '', 0, '2026-12-01 09:00:00', "
    "'2026-12-02 09:00:00')"
)


@pytest.mark.parametrize("sqlite", ["3.35 and later", "before 3.35"])
def test_the_migration_leaves_no_lift_to_the_moderators_and_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite: str
) -> None:
    if sqlite == "before 3.35":
        # An SQLite that cannot drop a column (Debian 11 ships 3.34).
        monkeypatch.setattr(
            SQLiteDialect_pysqlite, "_get_server_version_info", lambda *args: (3, 34, 1)
        )
    with migrated_database(tmp_path, "0022", GARDEN) as database:
        database.write(CASE, values={"id": 1})
        database.write(CASE, values={"id": 2})
        database.write("DELETE FROM netiquette_cases WHERE id = 2")

        database.upgrade("0023")

        # Not known before: the next start asks the moderators once more, and records it.
        assert database.rows("SELECT id, lift_left_at FROM netiquette_cases") == [(1, None)]

        database.downgrade("0022")

        assert "lift_left_at" not in database.columns("netiquette_cases")
        assert database.rows("SELECT id, user_name FROM netiquette_cases") == [(1, "bob")]
        # The table is kept, not built again: case 2's number is still never given again.
        [(schema,)] = database.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'netiquette_cases'"
        )
        assert "AUTOINCREMENT" in schema
        assert database.rows(
            "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
        ) == [(2,)]
        indexes = database.rows("PRAGMA index_list('netiquette_cases')")
        assert "ix_netiquette_cases_member" in {index[1] for index in indexes}


def silenced_and_banned(timeout: str, ban: str) -> dict[str, object]:
    """A rule that times out for ``timeout`` and bans for ``ban``."""
    return {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {
                "delete": True,
                "timeout": {"duration": timeout},
                "ban": {"duration": ban, "reason": "Ads"},
            },
        }
    }


async def status_of(forum: Forum, case: int) -> str:
    """The last line of ``/case``: its strike points and its status."""
    await forum.run("mod", f"/case {case}")
    return forum.platform.last_text().splitlines()[-1]


async def test_a_case_that_silences_and_bans_says_its_timeout_s_lift_was_left(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned("1h", "7d"))
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    ban_ends = (await status_of(forum, 1)).removeprefix("Strike points: 0 ")
    assert ban_ends.startswith("(until ")
    forum.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await forum.wait(timedelta(hours=1, minutes=1))
    assert asked_for_a_hand(forum)[-1].startswith("⚠️ The timeout of bob is over but")
    assert await status_of(forum, 1) == (
        f"Strike points: 0 timeout (lift left to the moderators), ban {ban_ends}"
    )
    # The bot still lifts the ban on time, which closes the case.
    await forum.wait(timedelta(days=7))
    assert len(forum.done("unban")) == 1
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_a_case_that_silences_and_bans_says_its_ban_s_lift_was_left(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned("7d", "1d"))
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    timeout_ends = (await status_of(forum, 1)).removeprefix("Strike points: 0 ")
    forum.platform.refuse["unban"] = NO_BAN_PERMISSION
    await forum.wait(timedelta(days=1, minutes=1))
    assert asked_for_a_hand(forum)[-1].startswith(ASKED)
    assert await status_of(forum, 1) == (
        f"Strike points: 0 timeout {timeout_ends}, ban (lift left to the moderators)"
    )


async def test_a_ban_lift_lost_with_a_timeout_s_lift_left_is_planned_again_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned("1h", "7d")
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    first.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await first.wait(timedelta(hours=1, minutes=1))
    first.core.scheduler.cancel(lift_job_id("ban", first.platform.community, "id-bob"))
    await first.stop()

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=7))
    assert len(second.done("unban")) == 1


async def test_a_case_left_before_it_kept_which_lift_reads_and_restarts_as_before(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned("1h", "7d")
    first = await open_forum(rules, database=database)
    first.member("mod", moderator=True)
    await first.say("bob", "discord.gg/spam")
    # As an older version recorded a lift left: the time, not which kind.
    await first.cog.casebook.mark(1, lift_left_at=first.clock.now(), ban_expires_at=None)
    assert await status_of(first, 1) == "Strike points: 0 (lift left to the moderators)"
    for kind in ("timeout", "ban"):
        first.core.scheduler.cancel(lift_job_id(kind, first.platform.community, "id-bob"))
    await first.stop()

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=8))
    assert second.done("unrestrict") == []
    assert second.done("unban") == []


async def test_a_ban_s_lift_left_lifts_no_timeout_again_at_each_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = silenced_and_banned("1h", "7d")
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    await first.wait(timedelta(hours=1, minutes=1))
    assert len(first.done("unrestrict")) == 1
    first.platform.refuse["unban"] = NO_BAN_PERMISSION
    await first.wait(timedelta(days=7))
    assert asked_for_a_hand(first)[-1].startswith(ASKED)
    await first.stop()
    lines = len(first.modlog())

    for _ in range(2):
        again = await open_forum(rules, database=database, platform=first.platform)
        await again.wait(timedelta(minutes=5))
        await again.stop()
    assert len(first.done("unrestrict")) == 1
    assert first.modlog()[lines:] == []


@pytest.mark.parametrize("lifted_by", ["/untimeout", "a later timeout's lift"])
async def test_a_timeout_lifted_after_its_lift_was_left_no_longer_reads_left(
    open_forum: ForumFactory, lifted_by: str
) -> None:
    forum = await open_forum(silenced_and_banned("1h", "7d"))
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "discord.gg/spam")
    ban_ends = (await status_of(forum, 1)).removeprefix("Strike points: 0 ")
    forum.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await forum.wait(timedelta(hours=1, minutes=1))
    assert await status_of(forum, 1) == (
        f"Strike points: 0 timeout (lift left to the moderators), ban {ban_ends}"
    )
    del forum.platform.refuse["unrestrict"]
    if lifted_by == "/untimeout":
        await forum.run("mod", "/untimeout bob")
    else:
        await forum.run("mod", "/timeout bob 1h")
        await forum.wait(timedelta(hours=1, minutes=1))
    assert await status_of(forum, 1) == f"Strike points: 0 {ban_ends}"
    # The ban's lift, still planned, closes the case.
    await forum.wait(timedelta(days=7))
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_an_old_case_left_whole_keeps_its_ban_left_once_its_timeout_is_lifted(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(silenced_and_banned("1h", "7d"))
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "discord.gg/spam")
    # As an older version recorded both lifts left: the time, not which kind.
    await forum.cog.casebook.mark(1, lift_left_at=forum.clock.now(), ban_expires_at=None)
    for kind in ("timeout", "ban"):
        forum.core.scheduler.cancel(lift_job_id(kind, forum.platform.community, "id-bob"))
    await forum.wait(timedelta(days=8))
    await forum.run("mod", "/untimeout bob")
    # The ban's lift stays the moderators'.
    assert await status_of(forum, 1) == "Strike points: 0 ban (lift left to the moderators)"


async def test_a_ban_for_good_whose_timeout_s_lift_was_left_is_kept(
    open_forum: ForumFactory,
) -> None:
    rules = {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {"delete": True, "timeout": {"duration": "1h"}, "ban": {"reason": "Ads"}},
        }
    }
    forum = await open_forum(rules)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await forum.wait(timedelta(hours=1, minutes=1))
    assert await status_of(forum, 1) == "Strike points: 0 timeout (lift left to the moderators)"
    forum.clock.advance(timedelta(days=500))
    # bob is still banned for good: his case is kept.
    assert await forum.cog.forget_before(forum.platform.community, forum.clock.now()) == 0
    del forum.platform.refuse["unrestrict"]
    await forum.run("mod", "/untimeout bob")
    assert await status_of(forum, 1) == "Strike points: 0"


MEMBER_GONE = ("member_gone", {"target": "bob", "where": "Garden"})


async def test_an_untimeout_of_a_member_banned_for_good_clears_the_timeout_s_lift_left(
    open_forum: ForumFactory,
) -> None:
    rules = {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {"delete": True, "timeout": {"duration": "1h"}, "ban": {"reason": "Ads"}},
        }
    }
    forum = await open_forum(rules)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unrestrict"] = NO_MODERATE_PERMISSION
    await forum.wait(timedelta(hours=1, minutes=1))
    assert await status_of(forum, 1) == "Strike points: 0 timeout (lift left to the moderators)"
    # bob is banned: the platform has no member whose timeout it could lift.
    forum.platform.refuse["unrestrict"] = MEMBER_GONE
    forum.platform.refuse["timeout"] = MEMBER_GONE
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    assert await status_of(forum, 1) == "Strike points: 0"
    # Asked again, there is nothing left to lift.
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "bob has no timeout: there is nothing to lift."


async def test_an_old_ban_whose_lift_was_left_is_kept_by_the_retention_sweep(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unban"] = NO_BAN_PERMISSION
    await forum.wait(timedelta(days=1, minutes=1))
    forum.clock.advance(timedelta(days=500))
    # bob is still banned until a moderator lifts it: his case is kept.
    assert await forum.cog.forget_before(forum.platform.community, forum.clock.now()) == 0
    await forum.run("mod", "/case 1")
    assert "(lift left to the moderators)" in forum.answers()[-1]


async def test_a_refused_ban_tells_nothing_lifted_while_a_ban_left_to_the_moderators_goes_on(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    lifted: list[int] = []

    async def heard(event: Event) -> None:
        assert isinstance(event, ModerationLifted)
        lifted.append(event.case_id)

    forum.core.bus.subscribe(forum.cog.name, ModerationLifted, heard)
    await forum.say("bob", "discord.gg/spam")
    forum.platform.refuse["unban"] = NO_BAN_PERMISSION
    await forum.wait(timedelta(days=1, minutes=1))
    forum.clock.advance(timedelta(days=500))
    await forum.cog.forget_before(forum.platform.community, forum.clock.now())
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob Again")
    # bob is still under the first ban: who left his votes out (contests) must not count them.
    assert lifted == []


async def test_an_untimeout_of_a_member_gone_closes_the_timeout_once(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum()
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 1d Flooding")
    forum.platform.refuse["unrestrict"] = MEMBER_GONE
    forum.platform.refuse["timeout"] = MEMBER_GONE
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    lines = len(forum.modlog())
    await forum.wait(timedelta(days=1, minutes=1))
    # Its planned lift has nothing left to do, nor to say.
    assert forum.modlog()[lines:] == []
