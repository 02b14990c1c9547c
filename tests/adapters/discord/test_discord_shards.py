"""How a sharded bot's Discord connection is reported: one shard lost is not all of Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
from discord.shard import Shard

from bot.adapters.discord.adapter import DiscordPlatform
from bot.connections import Connections
from bot.heartbeat import Link, LinkReport
from tests.adapters.discord.conftest import TOKEN


class Gateway:
    """Stands in for one shard's gateway connection: open, or lost (discord.py reconnects)."""

    def __init__(self, shard_id: int) -> None:
        self.shard_id = shard_id
        self.open = True


def sharded(count: int) -> tuple[DiscordPlatform, list[Gateway]]:
    """A platform of ``count`` shards, each connected, as discord.py holds them once launched."""
    platform = DiscordPlatform(TOKEN, sharding=count)
    client = platform.client
    assert isinstance(client, discord.AutoShardedClient)
    client._reconnect = True  # type: ignore[attr-defined]  # as connect() sets it
    gateways = [Gateway(shard_id) for shard_id in range(count)]
    shards = {
        gateway.shard_id: Shard(gateway, client, lambda item: None)  # type: ignore[arg-type]
        for gateway in gateways
    }
    client._AutoShardedClient__shards = shards  # type: ignore[attr-defined]
    return platform, gateways


def test_one_lost_shard_of_four_is_reported_as_degraded_not_as_all_of_discord_reconnecting() -> (
    None
):
    platform, gateways = sharded(4)
    now = datetime(2025, 5, 1, 9, tzinfo=UTC)
    connections = Connections({"discord": platform}, now=lambda: now)
    connections.connecting("discord")
    connections.connected("discord")
    assert connections.links().platforms["discord"] == LinkReport(Link.CONNECTED, now)

    began = now = now + timedelta(minutes=1)
    gateways[2].open = False
    links = connections.links()
    assert links.platforms["discord"] == LinkReport(
        Link.DEGRADED, began, "shard 2 reconnecting; 3 of 4 shards connected"
    )
    assert links.none_connected_since is None  # three shards still serve their servers
    assert connections.connected_names() == ["discord"]

    now += timedelta(minutes=1)
    gateways[0].open = False
    assert connections.links().platforms["discord"] == LinkReport(
        Link.DEGRADED, began, "shards 0, 2 reconnecting; 2 of 4 shards connected"
    )

    now += timedelta(minutes=1)
    for gateway in gateways:
        gateway.open = False
    links = connections.links()
    assert links.platforms["discord"] == LinkReport(Link.RECONNECTING, now)
    assert links.none_connected_since == now

    now += timedelta(minutes=1)
    for gateway in gateways:
        gateway.open = True
    assert connections.links().platforms["discord"] == LinkReport(Link.CONNECTED, now)


def test_a_single_connection_is_reconnecting_or_connected_never_degraded() -> None:
    platform = DiscordPlatform(TOKEN)
    platform.client.ws = Gateway(0)  # type: ignore[assignment]
    assert platform.degraded() is None
    platform.client.ws.open = False
    assert platform.reconnecting()
    assert platform.degraded() is None
