"""The mod-log: what the bot's log says when a community's moderation notices cannot be posted,
and what it keeps out of the log when they are."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef
from bot.warnedonce import WarnedOnce
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section


class ChannelLessPlatform(FakePlatform):
    """A plain Telegram group, as it were: no channel but ``#general`` exists."""

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """Only ``general``."""
        return self.channel() if text.lstrip("#") == "general" else None


@pytest.fixture
def platform() -> FakePlatform:
    """A community without the shipped ``mod-log`` channel."""
    return ChannelLessPlatform()


def modlog_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings logged about mod-logs."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "mod-log" in record.getMessage()
    ]


async def test_a_missing_mod_log_is_warned_of_once_saying_what_to_do(
    core: Jardinier, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for number in range(29):
            await core.modlog(platform.community, f"alice warned ({number})")

    [warning] = modlog_warnings(caplog)
    assert warning.startswith(
        "mod-log channel 'mod-log' not found in fake-c1: its moderation notices are not posted "
        "anywhere, only logged at INFO; create the channel, or set channels.mod_log"
    )
    # At INFO, each notice is still in the log: nothing is lost for whoever raises the level.
    assert caplog.text.count("mod-log fake-c1: alice warned") == 29


async def test_a_mod_log_still_missing_is_warned_of_again_a_day_later(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await core.modlog(platform.community, "alice warned")
    clock.advance(timedelta(hours=23))
    await core.modlog(platform.community, "bob warned")
    assert len(modlog_warnings(caplog)) == 1

    clock.advance(timedelta(hours=1))
    await core.modlog(platform.community, "carol warned")
    assert len(modlog_warnings(caplog)) == 2


async def test_a_reload_that_names_another_missing_channel_is_warned_of_at_once(
    core: Jardinier, platform: FakePlatform, rules_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await core.modlog(platform.community, "alice warned")
    edit_section(rules_dir, "community", {"channels": {"mod_log": "moderation"}})
    assert await core.reload_rules() is None
    await core.modlog(platform.community, "bob warned")
    await core.modlog(platform.community, "carol warned")

    warnings = modlog_warnings(caplog)
    assert len(warnings) == 2
    assert "mod-log channel 'moderation' not found in fake-c1" in warnings[1]


async def test_a_community_without_a_mod_log_by_choice_is_not_warned_of(
    core: Jardinier, platform: FakePlatform, rules_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edit_section(rules_dir, "community", {"channels": {"mod_log": None}})
    assert await core.reload_rules() is None
    await core.modlog(platform.community, "alice warned")
    assert modlog_warnings(caplog) == []


async def test_a_refused_mod_log_is_warned_of_once_until_it_works_again(
    core: Jardinier, caplog: pytest.LogCaptureFixture
) -> None:
    platform = FakePlatform()  # every channel exists
    core.platforms[platform.name] = platform
    platform.refuse["send"] = (
        "lacking_permission",
        {"platform": "Discord", "where": "#mod-log", "permission": "send_messages"},
    )
    for _ in range(5):
        await core.modlog(platform.community, "alice warned")
    [warning] = modlog_warnings(caplog)
    assert warning.startswith(
        "could not write to the mod-log of fake-c1: I lack the Send Messages permission in "
        "#mod-log; its moderation notices are only logged at INFO"
    )

    del platform.refuse["send"]
    await core.modlog(platform.community, "bob warned")
    platform.refuse["send"] = (
        "lacking_permission",
        {"platform": "Discord", "where": "#mod-log", "permission": "send_messages"},
    )
    await core.modlog(platform.community, "carol warned")
    assert len(modlog_warnings(caplog)) == 2


ALERT = 'reputation: zelmira: "Jardin Bio awful, call me at 0612345678"'
"""A notice that names a member and quotes them."""


def logged_at(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The messages logged at ``level`` exactly."""
    return [record.getMessage() for record in caplog.records if record.levelno == level]


async def test_a_posted_notice_stays_out_of_the_log_at_info(
    core: Jardinier, caplog: pytest.LogCaptureFixture
) -> None:
    """Logs are shipped and kept elsewhere, out of reach of /forget_member: a notice the
    mod-log holds leaves no name or excerpt there, unless the level is DEBUG."""
    platform = FakePlatform()  # every channel exists
    core.platforms[platform.name] = platform
    with caplog.at_level(logging.DEBUG):
        await core.modlog(platform.community, ALERT)

    [posted] = platform.sent()
    assert (posted.target.name, posted.text) == ("#mod-log", ALERT)
    assert not any(
        "zelmira" in record.getMessage() or "0612345678" in record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO
    )
    assert logged_at(caplog, logging.DEBUG).count(f"mod-log fake-c1: {ALERT}") == 1


async def test_without_a_mod_log_by_choice_the_notice_is_logged_at_info(
    core: Jardinier, platform: FakePlatform, rules_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The log is then the notice's only record."""
    edit_section(rules_dir, "community", {"channels": {"mod_log": None}})
    assert await core.reload_rules() is None
    with caplog.at_level(logging.INFO):
        await core.modlog(platform.community, ALERT)

    assert platform.sent() == []
    assert logged_at(caplog, logging.INFO) == [f"mod-log fake-c1: {ALERT}"]


async def test_a_notice_the_mod_log_refuses_is_logged_at_info(
    core: Jardinier, caplog: pytest.LogCaptureFixture
) -> None:
    platform = FakePlatform()
    core.platforms[platform.name] = platform
    platform.refuse["send"] = (
        "lacking_permission",
        {"platform": "Discord", "where": "#mod-log", "permission": "send_messages"},
    )
    with caplog.at_level(logging.INFO):
        await core.modlog(platform.community, ALERT)

    assert f"mod-log fake-c1: {ALERT}" in logged_at(caplog, logging.INFO)


async def test_a_notice_can_name_members_by_id_in_the_log(
    core: Jardinier, platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await core.modlog(platform.community, "mod forgot zelmira", logged="id-mod forgot id-z")
    assert "zelmira" not in caplog.text
    assert "mod-log fake-c1: id-mod forgot id-z" in logged_at(caplog, logging.INFO)


def test_the_memory_of_warnings_is_bounded_forgetting_the_oldest(clock: ManualClock) -> None:
    warned = WarnedOnce(clock, most=2)
    assert [warned.due(key, "not found") for key in ("a", "b", "c")] == [True, True, True]
    assert warned.due("c", "not found") is False
    assert warned.due("a", "not found") is True  # forgotten, as the oldest
