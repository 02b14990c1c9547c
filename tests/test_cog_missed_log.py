"""What the log says of a job missed while the bot was down: that it will not run only where
its cog does nothing more with it (a cog that runs it late says so itself)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.cog import Cog


class Plain(Cog):
    name = "plain"


class RunsItLate(Cog):
    name = "late"

    def __init__(self, core: Any) -> None:
        super().__init__(core)
        self.ran: list[str] = []

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        self.ran.append(job_id)


async def missed(cog: Cog, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.WARNING, logger=f"cogs.{cog.name}"):
        await cog.on_job_missed("nudge", "x:1", {}, timedelta(hours=2))
    [record] = caplog.records
    return record.getMessage()


async def test_a_cog_that_does_nothing_with_a_missed_job_logs_that_it_will_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    said = await missed(Plain(object()), caplog)  # type: ignore[arg-type]
    assert said == "job x:1 (nudge) missed by 2:00:00; it will not run"


async def test_a_cog_that_handles_a_missed_job_is_not_said_to_leave_it_undone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cog = RunsItLate(object())
    said = await missed(cog, caplog)
    assert said == "job x:1 (nudge) missed by 2:00:00"
    assert cog.ran == ["x:1"]
