"""A ban or timeout the platform refused is on record as asked, but never in force: it keeps no
later ban from ending, leaves nothing to lift, and its case says it failed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from bot.events import Event, ModerationLifted, ModerationRecorded
from bot.platform import PlatformError
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum
from tests.support.migrations import GARDEN, migrated_database

BANNED_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}
SILENCED_AND_BANNED_A_WEEK = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "timeout": {"duration": "1h"}, "ban": {"duration": "7d"}},
    }
}
NO_BAN_PERMISSION = ("lacking_permission", {"permission": "ban_members", "where": "Garden"})
NO_MODERATE_PERMISSION = (
    "lacking_permission",
    {"permission": "moderate_members", "where": "Garden"},
)


async def status_of(forum: Forum, case: int) -> str:
    """The last line of ``/case``: its strike points and its status."""
    await forum.run("mod", f"/case {case}")
    return forum.platform.last_text().splitlines()[-1]


async def test_a_refused_ban_for_good_lets_a_later_day_s_ban_end(open_forum: ForumFactory) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob For good")
    assert forum.answers()[-1].startswith("Case 1 is recorded, but ban failed")
    del forum.platform.refuse["ban"]
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 2)."


async def test_a_refused_ban_reads_failed_in_its_case(open_forum: ForumFactory) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.say("bob", "discord.gg/spam")
    assert await status_of(forum, 1) == "Strike points: 0 (ban failed)"
    forum.member("bob")
    await forum.run("mod", "/ban bob For good")
    assert await status_of(forum, 2) == "Strike points: 0 (ban failed)"
    await forum.run("mod", "/cases bob")
    assert forum.answers()[-1].splitlines()[1].endswith("(ban failed)")


async def test_unban_after_a_refused_ban_finds_nothing_to_lift(open_forum: ForumFactory) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob Spam")
    forum.platform.refuse["unban"] = ("not_banned", {"target": "bob", "where": "Garden"})
    await forum.run("mod", "/unban bob")
    assert forum.answers()[-1] == "bob is not banned: there is nothing to lift."


async def test_a_refused_temporary_ban_is_not_lifted_after_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(BANNED_A_DAY, database=database)
    first.platform.refuse["ban"] = NO_BAN_PERMISSION
    await first.say("bob", "discord.gg/spam")
    await first.stop()
    lines = len(first.modlog())

    second = await open_forum(BANNED_A_DAY, database=database, platform=first.platform)
    await second.wait(timedelta(days=2))
    assert second.done("unban") == []
    assert second.modlog()[lines:] == []


async def test_a_case_whose_ban_was_refused_is_closed_by_its_timeout_s_lift(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_AND_BANNED_A_WEEK)
    forum.member("mod", moderator=True)
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(hours=1, minutes=1))
    assert forum.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_a_refused_timeout_leaves_nothing_to_lift(open_forum: ForumFactory) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    forum.platform.refuse["timeout"] = NO_MODERATE_PERMISSION
    forum.platform.refuse["restrict"] = NO_MODERATE_PERMISSION
    await forum.run("mod", "/timeout bob 1h Flood")
    assert forum.answers()[-1].startswith("Case 1 is recorded, but timeout failed")
    assert await status_of(forum, 1) == "Strike points: 0 (timeout failed)"
    del forum.platform.refuse["timeout"]
    del forum.platform.refuse["restrict"]
    await forum.wait(timedelta(hours=2))
    assert forum.done("unrestrict") == []
    assert forum.done("timeout") == []
    assert not any("lifted" in line for line in forum.modlog())


async def test_a_refused_ban_for_good_is_forgotten_with_the_old_cases(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    forum.member("carol")
    await forum.run("mod", "/ban carol Spam")
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob Spam")
    forum.clock.advance(timedelta(days=500))
    # carol's ban goes on: its case is kept; bob was never banned.
    assert await forum.cog.forget_before(forum.platform.community, forum.clock.now()) == 1
    community = forum.platform.community
    assert [case.user_name for case in await forum.cog.casebook.of_member(community, "id-carol")]
    assert await forum.cog.casebook.of_member(community, "id-bob") == []


SILENCED_AND_BANNED_FOR_GOOD = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "timeout": {"duration": "1h"}, "ban": {"reason": "Ads"}},
    }
}


async def test_a_ban_for_good_whose_timeout_was_refused_says_no_end_and_is_kept(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_AND_BANNED_FOR_GOOD)
    forum.member("mod", moderator=True)
    forum.platform.refuse["timeout"] = NO_MODERATE_PERMISSION
    forum.platform.refuse["restrict"] = NO_MODERATE_PERMISSION
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    assert await status_of(forum, 1) == "Strike points: 0 (timeout failed)"
    forum.clock.advance(timedelta(days=500))
    # bob is still banned for good: his case is kept.
    assert await forum.cog.forget_before(forum.platform.community, forum.clock.now()) == 0


def answered_late_once(forum: Forum, action: str) -> None:
    """The platform does the first ``action`` but answers too late (Telegram's TimedOut): the
    bot cannot tell whether it was done."""
    platform = forum.platform
    record = platform._record
    left = [1]

    def done_without_an_answer(kind: str, target: Any, text: str = "", **details: Any) -> None:
        record(kind, target, text, **details)
        if kind == action and left:
            left.pop()
            raise PlatformError(kind, "no_answer", community=platform.community, platform="fake")

    platform._record = done_without_an_answer  # type: ignore[method-assign]


async def test_a_ban_for_good_done_without_an_answer_keeps_a_later_day_s_ban_from_ending(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    answered_late_once(forum, "ban")
    await forum.run("mod", "/ban bob For good")
    assert len(forum.done("ban")) == 1
    assert await status_of(forum, 1) == "Strike points: 0"
    # A message bob posted before the ban reaches the bot after it: a day's ban.
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(days=1, minutes=1))
    assert forum.done("unban") == []


async def test_a_day_s_ban_done_without_an_answer_is_lifted_on_time(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    answered_late_once(forum, "ban")
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    await forum.wait(timedelta(days=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."


async def test_a_refused_ban_tells_the_other_cogs_it_is_not_in_force(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum()
    forum.member("mod", moderator=True)
    forum.member("bob")
    told: list[tuple[str, str, int]] = []

    async def heard(event: Event) -> None:
        assert isinstance(event, ModerationRecorded | ModerationLifted)
        told.append((type(event).__name__, event.action, event.case_id))

    for kind in (ModerationRecorded, ModerationLifted):
        forum.core.bus.subscribe(forum.cog.name, kind, heard)
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob Spam")
    # Who left bob's votes out on the ban (contests) counts them again.
    assert told == [("ModerationRecorded", "ban", 1), ("ModerationLifted", "ban", 1)]


async def test_a_refused_ban_tells_nothing_lifted_while_another_ban_goes_on(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum()
    forum.member("mod", moderator=True)
    forum.member("bob")
    lifted: list[int] = []

    async def heard(event: Event) -> None:
        assert isinstance(event, ModerationLifted)
        lifted.append(event.case_id)

    forum.core.bus.subscribe(forum.cog.name, ModerationLifted, heard)
    await forum.run("mod", "/ban bob Spam")
    forum.platform.refuse["ban"] = NO_BAN_PERMISSION
    await forum.run("mod", "/ban bob Spam again")
    assert lifted == []


CASE = (
    "INSERT INTO netiquette_cases (id, community_id, user_id, user_name, action, "
    "moderator_name, reason, matched, excerpt, points, created_at, expires_at, lift_left_at) "
    "VALUES (:id, 1, 'u2', 'bob', 'timeout, ban', '', 'Ads', '', '', 0, "
    "'2026-12-01 09:00:00', '2026-12-02 09:00:00', '2026-12-02 09:00:00')"
)


@pytest.mark.parametrize("sqlite", ["3.35 and later", "before 3.35"])
def test_the_migration_reads_older_cases_as_before_and_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite: str
) -> None:
    if sqlite == "before 3.35":
        # An SQLite that cannot drop a column (Debian 11 ships 3.34).
        monkeypatch.setattr(
            SQLiteDialect_pysqlite, "_get_server_version_info", lambda *args: (3, 34, 1)
        )
    with migrated_database(tmp_path, "0023", GARDEN) as database:
        database.write(CASE, values={"id": 1})
        database.write(CASE, values={"id": 2})
        database.write("DELETE FROM netiquette_cases WHERE id = 2")

        database.upgrade("0024")

        # Every act done, its ban taken for one for good, its lift left for each kind.
        assert database.rows(
            "SELECT id, refused, ban_expires_at, lifts_left FROM netiquette_cases"
        ) == [(1, "", None, "")]

        database.downgrade("0023")

        assert {"refused", "ban_expires_at", "lifts_left"}.isdisjoint(
            database.columns("netiquette_cases")
        )
        assert database.rows("SELECT id, lift_left_at FROM netiquette_cases") == [
            (1, "2026-12-02 09:00:00")
        ]
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


async def test_a_timeout_done_without_an_answer_is_lifted_on_time(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum()
    forum.member("mod", moderator=True)
    forum.member("bob")
    no_answer = ("no_answer", {"platform": "Discord", "where": "Garden"})
    forum.platform.refuse["timeout"] = forum.platform.refuse["restrict"] = no_answer
    await forum.run("mod", "/timeout bob 1h Flooding")
    del forum.platform.refuse["timeout"], forum.platform.refuse["restrict"]
    assert forum.answers()[-1].startswith("Case 1 is recorded, but timeout may have failed: ")
    # It may be in force: its case runs, and its lift comes on time.
    assert (await status_of(forum, 1)).startswith("Strike points: 0 (until ")
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unrestrict")) == 1
    assert forum.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."


async def test_a_ban_done_without_an_answer_is_said_to_have_maybe_failed(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum()
    forum.member("mod", moderator=True)
    forum.member("bob")
    answered_late_once(forum, "ban")
    await forum.run("mod", "/ban bob Spam")
    note = "ban may have failed: fake did not answer in time"
    assert forum.answers()[-1].startswith(f"Case 1 is recorded, but {note}")
    assert f"({note}" in forum.modlog()[-1]
    assert await status_of(forum, 1) == "Strike points: 0"
