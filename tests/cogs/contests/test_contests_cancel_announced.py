"""``/contest_cancel`` claims the contest, then posts "is cancelled": a process that dies in
between leaves the members waiting for results that never come, and the next start tells the
moderators, once, as it does for a phase it lost."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import update

from cogs.contests.models import Contest
from tests.cogs.contests.arena import Arena, dying_while_posting
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.migrations import GARDEN, migrated_database

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""

LOST = "may not have been posted"


async def haiku_open(arena: Arena) -> None:
    """A two-hour contest, open (its opening posted)."""
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.wait(timedelta(minutes=1))
    assert len(arena.posted("is open", channel="general")) == 1


@pytest.mark.parametrize("went_out", [False, True], ids=["not-posted", "posted"])
async def test_a_cancellation_the_process_died_while_posting_is_reported_once(
    open_arena: ArenaFactory, tmp_path: Path, went_out: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_open(first)
    with dying_while_posting(first.platform, "is cancelled", went_out=went_out):
        await first.run("mod", "/contest_cancel 1")
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    # Whether the post went out is unknown: it is not posted again, the moderators are told.
    assert len(second.posted("is cancelled", channel="general")) == (1 if went_out else 0)
    [report] = second.sent("mod-log")
    assert report.text == (
        "⚠️ The cancellation of contest 1 “Haiku” may not have been posted in #general: I "
        f"stopped while posting it, on Mon, Nov 2, 2026, 10:01{NNBSP}AM (CET). I do not post it "
        "again, so that it never shows twice. If it is not there, tell the members: the "
        "contest is cancelled, and will have no results."
    )
    await second.stop()
    first.platform.actions.clear()
    third = await open_arena(database=database, platform=first.platform)
    await third.wait(timedelta(days=1))
    assert third.platform.sent() == []  # reported once, and nothing posted


async def test_a_cancellation_posted_is_not_reported_at_the_restart(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_open(first)
    await first.run("mod", "/contest_cancel 1")
    assert len(first.posted("“Haiku” is cancelled.", channel="general")) == 1
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert all(LOST not in post.text for post in second.sent("mod-log"))


async def test_a_contest_cancelled_before_it_opened_had_nothing_to_post_and_is_not_reported(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h "" 1h')
    await first.run("mod", "/contest_cancel 1")
    # As a process that died after the claim would leave it: no post was owed, none went out.
    async with first.core.db.session() as session:
        await session.exec(update(Contest).values(cancel_announced_at=None))
        await session.commit()
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert second.posted("is cancelled") == []
    assert all(LOST not in post.text for post in second.sent("mod-log"))


async def test_a_reload_while_the_cancellation_is_posted_does_not_report_it(
    arena: Arena,
) -> None:
    await haiku_open(arena)
    reports: list[str] = []
    post = arena.platform.send

    async def reload_while_posting(channel, text, **options):  # type: ignore[no-untyped-def]
        if "is cancelled" in text:
            # The rule book reloaded while the platform takes its time with the post.
            await arena.cog.lost_announcements()
            reports.extend(p.text for p in arena.sent("mod-log") if LOST in p.text)
        return await post(channel, text, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.platform, "send", reload_while_posting)
        await arena.run("mod", "/contest_cancel 1")
    assert reports == []
    assert len(arena.posted("“Haiku” is cancelled.", channel="general")) == 1
    await arena.cog.lost_announcements()
    assert all(LOST not in post.text for post in arena.sent("mod-log"))


def test_contests_cancelled_before_the_migration_count_as_announced(tmp_path: Path) -> None:
    contest = (
        "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
        "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
        "last_entry_number, opened_at, cancelled_at) VALUES (1, '{title}', '', 'c', '#c', "
        "'u', '2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 0, "
        "'2026-11-02 09:00:00', {cancelled})"
    )
    with migrated_database(
        tmp_path,
        "0025",
        GARDEN,
        contest.format(title="Cancelled", cancelled="'2026-11-02 10:00:00'"),
        contest.format(title="Open", cancelled="NULL"),
    ) as database:
        database.upgrade("0026")
        # Whether an older version posted it cannot be known: it is not reported as lost.
        assert database.rows("SELECT title, cancel_announced_at FROM contests ORDER BY id") == [
            ("Cancelled", "2026-11-02 10:00:00"),
            ("Open", None),
        ]
        database.downgrade("0025")
        assert "cancel_announced_at" not in database.columns("contests")
        assert database.rows("SELECT title, cancelled_at FROM contests ORDER BY id") == [
            ("Cancelled", "2026-11-02 10:00:00"),
            ("Open", None),
        ]
