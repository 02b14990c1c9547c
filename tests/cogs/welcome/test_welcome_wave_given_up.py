"""A wave's welcome that keeps failing is given up after a bounded number of tries, and the
mod-log told how many newcomers went unwelcomed; one who left while it failed is not put back."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cogs.welcome.cog import WAVE_RETRIES
from cogs.welcome.raid import Wave
from tests.cogs.welcome.garden import Garden
from tests.cogs.welcome.test_welcome_wave_failures import busy_once, welcomes
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE


async def test_a_wave_welcome_that_keeps_failing_is_given_up_and_the_mod_log_told(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await garden.join(*WAVE)
    tries: list[int] = []

    async def always_busy(*arguments: Any) -> Any:
        tries.append(1)
        raise RuntimeError("database is locked")

    monkeypatch.setattr(garden.cog.journeys, "claim_welcome", always_busy)
    with caplog.at_level(logging.ERROR, logger="cogs.welcome"):
        for _ in range(48):  # two days, in steps the retries fall within
            await garden.wait(timedelta(hours=1))
    assert len(tries) == 1 + len(WAVE_RETRIES)
    assert welcomes(garden) == []
    given_up = [text for text in garden.texts("mod-log") if "not welcomed" in text]
    assert len(given_up) == 1
    assert "3 newcomers" in given_up[0]
    errors = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("cogs.welcome") and "given up" in record.getMessage()
    ]
    assert len(errors) == 1
    assert "m5" not in errors[0]  # names stay out of the log


async def test_a_newcomer_who_left_while_a_wave_welcome_failed_is_not_put_back(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE)

    async def m6_leaves() -> None:
        await garden.leave("m6")

    busy_once(garden, monkeypatch, m6_leaves)
    await garden.wait(timedelta(minutes=10))
    assert welcomes(garden) == ["m5, m7"]


def test_a_wave_keeps_its_failed_welcomes_in_its_job_and_when_taken_in() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    failed = Wave(started=at, last_join=at, members={"id-a": "a"}, failed=2)
    kept = Wave.of_arguments(failed.arguments(), at)  # written, read back after a restart
    assert kept.failed == 2
    going_on = Wave(started=at, last_join=at, members={"id-b": "b"})
    going_on.take_in(kept)
    assert going_on.failed == 2  # not reset: its tries stay bounded
    assert list(going_on.members) == ["id-a", "id-b"]
