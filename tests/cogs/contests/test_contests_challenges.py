"""Recurring challenges from the rule book: local-time schedule, themes in turn, reloads; a
run the bot was late for counts from its scheduled time, or is skipped with a next step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from bot.clock import ManualClock
from bot.cogloader import section_models
from bot.ruleconf import RuleBookError, load_rule_book
from cogs.contests.models import Contest
from tests.cogs.contests.arena import WEEKLY, Arena, dying_at_insert
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.rulebook import edit_section

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


def themes_posted(arena: Arena) -> list[str]:
    return [action.text.split("theme: ")[1].split(".")[0] for action in arena.posted("theme: ")]


async def test_a_weekly_challenge_follows_local_time_across_daylight_saving(
    open_arena: ArenaFactory, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 3, 21, 12, 0, tzinfo=UTC))  # Paris: summer time from 28 March
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")  # the community is seen: its challenge is scheduled
    [scheduled] = arena.core.scheduler.pending("challenge:")
    assert scheduled.id == "challenge:fake-c1:weekly"
    assert scheduled.next_run == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # 09:00 CET
    await arena.wait(timedelta(hours=19, minutes=59))
    assert themes_posted(arena) == []
    await arena.wait(timedelta(minutes=1))
    assert themes_posted(arena) == ["Spring buds"]
    await arena.wait(timedelta(days=6, hours=22, minutes=59))  # 29 March 06:59 UTC
    assert themes_posted(arena) == ["Spring buds"]
    await arena.wait(timedelta(minutes=1))  # 07:00 UTC = 09:00 CEST
    assert themes_posted(arena) == ["Spring buds", "Morning dew"]
    first, second = arena.posted("theme: ")
    assert first.target.name == "#photos"
    assert (
        f"until Sun, Mar 28, 2027, 9:00{NNBSP}AM (CEST)" in first.text
    )  # six days on, same local hour
    assert f"until Sun, Apr 4, 2027, 9:00{NNBSP}AM (CEST)" in second.text
    # Each run is a contest: the first closed when the second opened.
    assert len(arena.posted("is closed, with no entries")) == 1


async def test_a_challenge_in_the_hour_clocks_go_back_opens_once(
    open_arena: ArenaFactory, clock: ManualClock
) -> None:
    # Paris, Sunday 31 October 2027: 02:30 comes twice (CEST, then an hour later CET).
    clock.set(datetime(2027, 10, 30, 12, 0, tzinfo=UTC))
    night = {**WEEKLY, "schedule": "30 2 * * sun", "open_for": "1d"}
    arena = await open_arena(contests={"challenges": {"weekly": night}})
    await arena.join("alice")
    await arena.wait(timedelta(hours=14))  # 31 October 02:00 UTC = 03:00 CET
    assert themes_posted(arena) == ["Spring buds"]
    [opened] = arena.posted("theme: ")
    assert f"open until Mon, Nov 1, 2027, 2:30{NNBSP}AM (CET)" in opened.text
    assert await arena.count(Contest) == 1
    await arena.wait(timedelta(days=7))  # the next Sunday, 02:30 CET as usual
    assert themes_posted(arena) == ["Spring buds", "Morning dew"]


async def test_a_challenge_at_a_time_clocks_skip_opens_once_an_hour_later(
    open_arena: ArenaFactory, clock: ManualClock
) -> None:
    # Paris, Sunday 28 March 2027: clocks go from 02:00 to 03:00, so 02:30 does not exist.
    clock.set(datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    night = {**WEEKLY, "schedule": "30 2 * * sun", "open_for": "1d"}
    arena = await open_arena(contests={"challenges": {"weekly": night}})
    await arena.join("alice")
    await arena.wait(timedelta(hours=13, minutes=29))  # 28 March 01:29 UTC = 03:29 CEST
    assert themes_posted(arena) == []
    await arena.wait(timedelta(minutes=1))  # 03:30 CEST: the run moved an hour on
    assert themes_posted(arena) == ["Spring buds"]
    await arena.wait(timedelta(hours=3))
    assert await arena.count(Contest) == 1


async def test_themes_are_taken_in_turn_across_restarts(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database, contests={"challenges": {"weekly": WEEKLY}})
    await first.join("alice")
    await first.wait(timedelta(days=7))
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(days=14))
    assert themes_posted(second) == ["Spring buds", "Morning dew", "Old tools"]
    assert second.sent("mod-log") == []
    await second.wait(timedelta(days=7))
    assert themes_posted(second)[-1] == "Spring buds"  # starts over
    [note] = second.sent("mod-log")
    assert note.text == (
        "The challenge “Photo of the week” has used all its 3 themes: it starts the list again "
        "with “Spring buds”. Add themes in contests.yaml to keep it fresh."
    )
    assert len(second.core.scheduler.pending("challenge:")) == 1


async def test_a_run_missed_with_most_of_its_time_left_opens_late_and_closes_on_time(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database, contests={"challenges": {"weekly": WEEKLY}})
    await first.join("alice")
    await first.stop()
    first.clock.advance(timedelta(days=7, hours=12))  # down over Monday 09:00
    second = await open_arena(database=database, platform=first.platform)
    assert themes_posted(second) == ["Spring buds"]
    [report] = second.sent("mod-log")
    assert report.text == (
        f"The challenge “Photo of the week” was due on Mon, Nov 9, 2026, 9:00{NNBSP}AM (CET) "
        "while I was offline; it opened late as contest 1, still closing on "
        f"Sun, Nov 15, 2026, 9:00{NNBSP}AM (CET)."
    )
    await second.wait(timedelta(days=7))
    assert themes_posted(second) == ["Spring buds", "Morning dew"]
    assert len(second.posted("is closed")) == 1


async def test_a_run_missed_for_most_of_its_time_is_skipped_and_says_when_the_next_opens(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database, contests={"challenges": {"weekly": WEEKLY}})
    await first.join("alice")
    await first.stop()
    first.clock.advance(timedelta(days=11))  # down from before Monday 09:00 to Thursday
    second = await open_arena(database=database, platform=first.platform)
    assert themes_posted(second) == []
    [report] = second.sent("mod-log")
    assert report.text == (
        f"The challenge “Photo of the week” was due on Mon, Nov 9, 2026, 9:00{NNBSP}AM (CET) "
        "while I was offline; that run was skipped, as most of its time had gone by. The next "
        f"one opens on Mon, Nov 16, 2026, 9:00{NNBSP}AM (CET)."
    )
    await second.wait(timedelta(days=7))
    assert themes_posted(second) == ["Spring buds"]


async def test_a_run_made_late_within_the_grace_closes_when_it_would_have_on_time(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database, contests={"challenges": {"weekly": WEEKLY}})
    await first.join("alice")
    await first.wait(timedelta(days=6, hours=22, minutes=30))  # Monday 08:30 (CET)
    await first.stop()
    first.clock.advance(timedelta(hours=1))  # back at 09:30, within the grace
    second = await open_arena(database=database, platform=first.platform)
    [opened] = second.posted("theme: ")
    assert f"open until Sun, Nov 15, 2026, 9:00{NNBSP}AM (CET)" in opened.text
    async with second.core.db.session() as session:
        [contest] = (await session.exec(select(Contest))).all()
    assert contest.starts_at == datetime(2026, 11, 9, 8, tzinfo=UTC)


async def test_a_reload_cancels_removed_challenges_and_adds_new_ones(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")
    assert [job.id for job in arena.core.scheduler.pending("challenge:")] == [
        "challenge:fake-c1:weekly"
    ]
    path = contests_rules / "contests.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["challenges"] = {"monthly": {**WEEKLY, "schedule": "30 18 1 * *", "themes": ["Harvest"]}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert await arena.core.reload_rules() is None
    [job] = arena.core.scheduler.pending("challenge:")
    assert job.id == "challenge:fake-c1:monthly"
    assert job.next_run == datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 18:30 in Paris
    await arena.wait(timedelta(days=30))
    assert themes_posted(arena) == ["Harvest"]


async def test_a_disabled_challenge_has_no_job(open_arena: ArenaFactory) -> None:
    arena = await open_arena()  # the shipped example is disabled
    await arena.join("alice")
    assert arena.core.scheduler.pending("challenge:") == []
    await arena.wait(timedelta(days=8))
    assert await arena.count(Contest) == 0


async def test_a_challenge_judged_at_random_publishes_its_seed(open_arena: ArenaFactory) -> None:
    random = {**WEEKLY, "choose_by": "random", "open_for": "1d"}
    arena = await open_arena(contests={"challenges": {"weekly": random}})
    await arena.veterans("alice", "bob", "carol")
    await arena.wait(timedelta(days=5))  # Monday 9 November, 09:00
    assert themes_posted(arena) == ["Spring buds"]
    await arena.run("alice", "/submit 1 one", channel="photos")
    await arena.run("bob", "/submit 1 two", channel="photos")
    await arena.wait(timedelta(days=1))
    [results] = arena.posted("is closed")
    assert "seed" in results.text
    assert "Ties go" not in results.text
    assert len(arena.events) == 1
    assert await arena.run("carol", "/contest_results 1") == results.text


async def test_a_challenge_s_weekday_may_be_written_in_french(
    open_arena: ArenaFactory, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 3, 21, 12, 0, tzinfo=UTC))
    arena = await open_arena(
        contests={"challenges": {"weekly": {**WEEKLY, "schedule": "0 9 * * lun"}}}
    )
    await arena.join("alice")
    [scheduled] = arena.core.scheduler.pending("challenge:")
    assert scheduled.next_run == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)  # Monday, 09:00 CET


def test_a_bad_schedule_is_said_in_french_to_a_french_community(contests_rules: Path) -> None:
    edit_section(
        contests_rules,
        "contests",
        {"challenges": {"weekly": {**WEEKLY, "schedule": "0 9 * * lundo"}}},
    )
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(contests_rules, section_models())
    [error] = caught.value.errors
    assert error.message_in("fr").startswith(
        "'0 9 * * lundo' n'est pas une planification valide\u00a0: le jour de la semaine 'lundo'"
    )


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("0 9 * * 1", "write weekdays by name"),
        ("0 9 * mon", "write five cron fields"),
        ("0 25 * * mon", "is not a valid schedule"),
        ("0 0 31 2 *", "'0 0 31 2 *' never happens: February has no 31st"),
        ("0 0 31 apr,jun *", "never happens: April and June have no 31st"),
    ],
)
def test_bad_schedules_are_rule_book_errors(
    contests_rules: Path, schedule: str, message: str
) -> None:
    edit_section(
        contests_rules, "contests", {"challenges": {"weekly": {**WEEKLY, "schedule": schedule}}}
    )
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(contests_rules, section_models())
    [error] = caught.value.errors
    assert error.file.name == "contests.yaml"
    assert message in error.message


async def test_a_challenge_on_the_29th_of_february_waits_for_a_leap_year(
    open_arena: ArenaFactory, clock: ManualClock
) -> None:
    clock.set(datetime(2027, 1, 1, 12, 0, tzinfo=UTC))
    leap_day = {**WEEKLY, "schedule": "0 9 29 feb *"}
    arena = await open_arena(contests={"challenges": {"leap": leap_day}})
    await arena.join("alice")
    [scheduled] = arena.core.scheduler.pending("challenge:")
    assert scheduled.next_run == datetime(2028, 2, 29, 8, 0, tzinfo=UTC)  # 09:00 CET


async def test_the_next_run_of_a_challenge_is_listed_before_it_opens(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")  # Monday 2 November, 10:00 in Paris: the first run is next Monday
    await arena.run("mod", '/contest_create "Haiku" 2d')

    assert (await arena.run("alice", "/contest_list")).splitlines() == [
        "Contests:",
        f"1 — “Haiku”: open until Wed, Nov 4, 2026, 10:00{NNBSP}AM (CET)",
        "“Photo of the week” (recurring challenge): the next one opens "
        f"Mon, Nov 9, 2026, 9:00{NNBSP}AM (CET)",
    ]
    await arena.wait(timedelta(days=7))  # the run is open; the next one comes a week later
    assert (await arena.run("alice", "/contest_list")).splitlines() == [
        "Contests:",
        f"2 — “Photo of the week — Spring buds”: open until Sun, Nov 15, 2026, 9:00{NNBSP}AM"
        " (CET)",
        "“Photo of the week” (recurring challenge): the next one opens "
        f"Mon, Nov 16, 2026, 9:00{NNBSP}AM (CET)",
    ]
    edit_section(contests_rules, "contests", {"challenges": {"weekly": {"enabled": False}}})
    assert await arena.core.reload_rules() is None
    assert not [
        line for line in (await arena.run("alice", "/contest_list")).splitlines() if "next" in line
    ]


async def test_a_crash_between_the_theme_and_its_contest_loses_no_week(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database, contests={"challenges": {"weekly": WEEKLY}})
    await first.join("alice")
    with dying_at_insert(Contest):
        await first.wait(timedelta(days=7))  # Monday 09:00: the theme is taken, then death
    await first.stop()
    first.clock.advance(timedelta(minutes=5))
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    # The run is completed on restart, with the theme it had taken, once.
    assert themes_posted(second) == ["Spring buds"]
    [opened] = second.posted("theme: ")
    assert f"until Sun, Nov 15, 2026, 9:00{NNBSP}AM (CET)" in opened.text  # from 09:00 on
    assert await second.count(Contest) == 1
    await second.wait(timedelta(days=7))
    assert themes_posted(second) == ["Spring buds", "Morning dew"]
    assert await second.count(Contest) == 2


async def test_a_challenge_job_run_again_for_the_same_time_opens_nothing_more(
    open_arena: ArenaFactory,
) -> None:
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")
    job = arena.core.scheduler.scheduled("challenge:fake-c1:weekly")
    assert job is not None
    await arena.wait(timedelta(days=7))
    assert themes_posted(arena) == ["Spring buds"]
    # The process died before the scheduler stored the job's next time: at the next start,
    # minutes later, the job runs again for the same Monday 09:00.
    await arena.wait(timedelta(minutes=5))
    await arena.cog.run_challenge(**job.kwargs)
    assert themes_posted(arena) == ["Spring buds"]
    assert await arena.count(Contest) == 1
    await arena.wait(timedelta(days=7))
    assert themes_posted(arena) == ["Spring buds", "Morning dew"]
