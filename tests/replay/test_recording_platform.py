"""The replay's recording platform: what it records the bot doing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommunityRef, MemberRef, UserRef
from bot.platform import Capability
from bot.replay.recorder import RecordingPlatform
from bot.replay.session import replay

FIXTURES = Path(__file__).parent / "fixtures"

TELEGRAM_CAN = frozenset(Capability) - {Capability.ROLES, Capability.PRIVATE_ANSWERS}


async def test_given_what_its_platform_can_do_it_records_nothing_else(
    rules_dir: Path, clock: ManualClock
) -> None:
    """A Telegram history replayed as Telegram plays it: no role given, no private answer."""
    recorder = RecordingPlatform("telegram", clock, capabilities=TELEGRAM_CAN)
    core = Jardinier(
        rules_dir=rules_dir, database_url="sqlite+aiosqlite://", platforms=[recorder], clock=clock
    )
    await core.start()
    try:
        alice = MemberRef(CommunityRef("telegram", "-100"), UserRef("telegram", "1", "alice"))
        assert await core.actions.add_role(alice, "Top contributor") is False
        assert await core.actions.kick(alice) is True
        assert [action.action for action in recorder.actions] == ["kick"]
        assert not core.actions.can("telegram", Capability.PRIVATE_ANSWERS)
    finally:
        await core.stop()


def test_it_records_every_action_unless_told() -> None:
    assert RecordingPlatform("discord", ManualClock()).capabilities == frozenset(Capability)


async def test_each_history_plays_on_what_its_platform_can_do(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.adapters.discord.adapter import DiscordPlatform
    from bot.adapters.telegram.adapter import TelegramPlatform

    played: dict[str, RecordingPlatform] = {}

    def recording(name: str, clock: ManualClock, **can: Any) -> RecordingPlatform:
        platform = played[name] = RecordingPlatform(name, clock, **can)
        return platform

    monkeypatch.setattr("bot.replay.session.RecordingPlatform", recording)
    await replay(
        [FIXTURES / "discord_general.json", FIXTURES / "result.json"], rules_dir=rules_dir
    )
    assert played["telegram"].capabilities == TelegramPlatform.capabilities
    assert Capability.PRIVATE_ANSWERS not in played["telegram"].capabilities
    assert played["telegram"].timeout_range == TelegramPlatform.timeout_range
    assert played["discord"].capabilities == DiscordPlatform.capabilities
