"""The heartbeat of a platform connected in part: a shard of several lost, a webhook Telegram
cannot deliver to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.connections import Connections, Degraded
from bot.heartbeat import UNCONNECTED_GRACE, Link, LinkReport, Links, main
from tests.support.fake_platform import FakePlatform


class PartlyLost(FakePlatform):
    """A platform that can say part of its connection does not work."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.part: Degraded | None = None

    def reconnecting(self) -> bool:
        return False

    def degraded(self) -> Degraded | None:
        return self.part


def test_a_platform_that_hears_nothing_does_not_count_as_connected_one_in_part_does() -> None:
    now = datetime(2025, 5, 1, 9, tzinfo=UTC)
    telegram = PartlyLost("telegram")
    connections = Connections({"telegram": telegram}, now=lambda: now)
    connections.connecting("telegram")
    connections.connected("telegram")
    assert connections.links().none_connected_since is None

    began = now = now + timedelta(minutes=1)
    telegram.part = Degraded("webhook deliveries fail: SSL error", deaf=True)
    links = connections.links()
    assert links.platforms["telegram"] == LinkReport(
        Link.DEGRADED, began, "webhook deliveries fail: SSL error"
    )
    assert links.none_connected_since == began  # the grace runs: no update comes in
    assert connections.connected_names() == ["telegram"]  # it still acts

    now += timedelta(minutes=1)
    telegram.part = Degraded("shard 1 reconnecting; 1 of 2 shards connected")
    links = connections.links()
    assert links.platforms["telegram"].since == began  # degraded all along, otherwise now
    assert links.none_connected_since is None

    now += timedelta(minutes=1)
    telegram.part = None
    assert connections.links().platforms["telegram"] == LinkReport(Link.CONNECTED, now)


def test_the_check_says_what_a_degraded_platform_lacks_and_fails_when_nothing_comes_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    path = tmp_path / "heartbeat"
    shard = LinkReport(Link.DEGRADED, now, "shard 2 reconnecting; 3 of 4 shards connected")
    path.write_text(Links({"discord": shard}).to_json(), encoding="utf-8")
    assert Links.from_json(path.read_text(encoding="utf-8")).platforms["discord"] == shard
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.endswith(
        "; discord degraded (shard 2 reconnecting; 3 of 4 shards connected)\n"
    )

    deaf = LinkReport(Link.DEGRADED, now, "Telegram cannot deliver updates to the webhook")
    since = now - timedelta(seconds=UNCONNECTED_GRACE + 1)
    path.write_text(Links({"telegram": deaf}, since).to_json(), encoding="utf-8")
    assert main([str(path)]) == 1
    assert capsys.readouterr().out.endswith(
        "telegram degraded (Telegram cannot deliver updates to the webhook)\n"
    )
