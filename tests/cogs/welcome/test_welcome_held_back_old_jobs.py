"""A held-back job planned by an earlier version, whose arguments have no count (it was kept in
memory), still tells the mod-log what can be worked out: at least the line it was planned for,
and those held back since."""

from __future__ import annotations

from datetime import timedelta

from bot.events import CommunityRef
from tests.cogs.welcome.garden import Garden, GardenFactory


async def raided(open_garden: GardenFactory) -> Garden:
    """A garden whose mod-log takes two reports a minute; more are held back and counted."""
    return await open_garden(raid={"joins": 2, "within": "1m", "quiet": "2m"})


def held_back_job(community: CommunityRef) -> str:
    """The id of the job that counts the reports held back in ``community``."""
    return f"welcome:held-back:{community.key}"


async def reports(garden: Garden, *lines: str) -> None:
    """The cog reports ``lines`` to the mod-log, at once, within the raid limits."""
    for line in lines:
        await garden.cog.bounded_modlog(garden.platform.community, line, garden.clock.now())


def plan_old_job(garden: Garden) -> None:
    """The held-back job as an earlier version planned it: its count was kept in memory."""
    community = garden.platform.community
    garden.core.scheduler.at(
        held_back_job(community),
        garden.clock.now() + timedelta(minutes=1),
        "welcome",
        "report_held_back",
        platform=community.platform,
        community_id=community.id,
        community_name=community.name,
    )


async def test_a_held_back_job_planned_by_an_earlier_version_still_posts(
    open_garden: GardenFactory,
) -> None:
    garden = await raided(open_garden)
    plan_old_job(garden)
    await garden.wait(timedelta(minutes=2))
    assert garden.texts("mod-log") == [
        "(At least 1 similar report held back to avoid flooding this channel;"
        " a restart lost the exact count.)"
    ]


async def test_reports_held_back_with_a_job_of_an_earlier_version_are_counted_as_at_least(
    open_garden: GardenFactory,
) -> None:
    garden = await raided(open_garden)
    await reports(garden, "Removed s1", "Removed s2")  # the mod-log's limit reached
    plan_old_job(garden)
    await reports(garden, "Removed s3")
    await garden.wait(timedelta(minutes=2))
    assert garden.texts("mod-log") == [
        "Removed s1",
        "Removed s2",
        "(At least 2 similar reports held back to avoid flooding this channel;"
        " a restart lost the exact count.)",
    ]


async def test_a_report_posted_while_a_job_of_an_earlier_version_waits_tells_its_count(
    open_garden: GardenFactory,
) -> None:
    garden = await raided(open_garden)
    plan_old_job(garden)
    await reports(garden, "Removed s1")
    await garden.wait(timedelta(hours=1))
    assert garden.texts("mod-log") == [
        "Removed s1\n(At least 1 similar report held back to avoid flooding this channel;"
        " a restart lost the exact count.)"
    ]
