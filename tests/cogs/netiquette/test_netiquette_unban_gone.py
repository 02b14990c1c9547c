"""/unban of a ban on record that the platform no longer holds (lifted by hand in its own
settings): the ban on record is closed, as a lift closes it, and the moderator reads so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.events import Event, ModerationLifted
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum, write_locale

NOT_BANNED = ("not_banned", {"target": "bob", "where": "Garden"})
BANNED_A_DAY = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}


async def garden(open_forum: ForumFactory) -> Forum:
    """Garden, where invites bring a day's ban, with a moderator and bob."""
    forum = await open_forum(BANNED_A_DAY)
    forum.member("mod", moderator=True)
    forum.member("bob")
    return forum


async def status_of(forum: Forum, case: int) -> str:
    """The last line of ``/case``: its strike points and its status."""
    await forum.run("mod", f"/case {case}")
    return forum.platform.last_text().splitlines()[-1]


async def test_unban_of_a_ban_for_good_lifted_by_hand_closes_its_case(
    open_forum: ForumFactory,
) -> None:
    forum = await garden(open_forum)
    await forum.run("mod", "/ban bob Spam")
    assert await status_of(forum, 1) == "Strike points: 0"
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/unban bob")
    assert forum.answers()[-1] == (
        "bob was no longer banned on the platform: the ban on record is now closed."
    )
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_unban_of_a_temporary_ban_lifted_by_hand_cancels_its_planned_unban(
    open_forum: ForumFactory,
) -> None:
    forum = await garden(open_forum)
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/unban bob")
    del forum.platform.refuse["unban"]
    lines = len(forum.modlog())
    await forum.wait(timedelta(days=2))
    assert forum.done("unban") == []
    assert forum.modlog()[lines:] == []
    assert forum.core.scheduler.pending("netiquette:") == []
    assert await status_of(forum, 1) == "Strike points: 0 (lifted)"


async def test_unban_of_a_ban_lifted_by_hand_tells_the_other_cogs_it_is_over(
    open_forum: ForumFactory,
) -> None:
    forum = await garden(open_forum)
    lifted: list[tuple[str, int]] = []

    async def heard(event: Event) -> None:
        assert isinstance(event, ModerationLifted)
        lifted.append((event.action, event.case_id))

    forum.core.bus.subscribe(forum.cog.name, ModerationLifted, heard)
    await forum.run("mod", "/ban bob Spam")
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/unban bob")
    assert lifted == [("ban", 1)]


async def test_unban_of_a_ban_lifted_by_hand_reads_in_french(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await garden(open_forum)
    await forum.run("mod", "/bannir bob Spam")
    forum.platform.refuse["unban"] = NOT_BANNED
    await forum.run("mod", "/debannir bob")
    assert forum.answers()[-1] == (
        "bob n'était plus banni·e sur la plateforme\u00a0: "
        "le bannissement enregistré est désormais clos."
    )
    assert forum.modlog()[-1] == (
        "🛡️ Dossier 2 · débannissement · bob par mod\u00a0: — "
        "(bob n'était plus banni·e sur la plateforme\u00a0; le bannissement enregistré est clos)"
    )
