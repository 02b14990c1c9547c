"""An erased member leaves no trace in the saved jobs this version cannot read (saved by a later
version before a rollback): their own jobs and the wave nudges naming them are removed whole,
since they cannot be read to take the member out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.memberdata import erase_member
from tests.cogs.welcome.garden import GardenFactory
from tests.test_jobstore_unrestorable import saved_by_a_later_version, saved_rows


async def test_an_erased_newcomer_s_own_jobs_kept_for_a_later_version_are_removed(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database, gate={"enabled": True, "timeout": "10m"})
    [alice] = await first.join("alice")
    await first.stop()
    theirs = [job_id for job_id in saved_rows(database) if alice.user.id in job_id]
    assert theirs
    for job_id in theirs:
        saved_by_a_later_version(database, job_id)

    second = await open_garden(database=database)
    await erase_member(second.core, second.platform.community, alice.user)
    await second.stop()
    assert [job_id for job_id in saved_rows(database) if alice.user.id in job_id] == []


async def test_a_wave_nudge_kept_for_a_later_version_naming_an_erased_member_is_removed(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*(f"m{n}" for n in range(8)))  # m5, m6, m7: a wave
    await first.wait(timedelta(minutes=3))  # welcomed together; their wave's nudge planned
    m6 = first.member("m6")
    await first.stop()
    [nudge] = [
        job_id for job_id in saved_rows(database) if job_id.startswith("welcome:wave-nudge")
    ]
    assert m6.user.id.encode() in saved_rows(database)[nudge]
    saved_by_a_later_version(database, nudge)

    second = await open_garden(database=database)
    await erase_member(second.core, second.platform.community, m6.user)
    await second.stop()
    assert [
        job for job, state in saved_rows(database).items() if m6.user.id.encode() in state
    ] == []
