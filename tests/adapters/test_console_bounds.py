"""The console's maps of names stay bounded however long a piped session runs."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import adapter
from bot.adapters.console.adapter import ConsolePlatform
from bot.adapters.console.output import ConsoleOutput
from bot.clock import ManualClock
from bot.events import Event, MessageCreated

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def console(tmp_path: Path, clock: ManualClock | None = None) -> ConsolePlatform:
    return ConsolePlatform(
        input=io.StringIO(),
        output=ConsoleOutput(io.StringIO(), jsonl=True),
        clock=clock or ManualClock(START),
        files_dir=tmp_path / "files",
        errors=io.StringIO(),
    )


async def play(platform: ConsolePlatform, lines: list[str]) -> list[Event]:
    """Feed ``lines`` to ``platform`` until their end; the events the bot would have heard."""
    platform.input = io.StringIO("".join(line + "\n" for line in lines))
    platform.output.stream = io.StringIO()
    heard: list[Event] = []

    async def sink(event: Event) -> None:
        heard.append(event)

    await platform.start(sink)
    return heard


def refused(platform: ConsolePlatform) -> list[tuple[str, str]]:
    """Who the platform refused in the last :func:`play`, and why."""
    output = platform.output.stream
    assert isinstance(output, io.StringIO)
    records: list[dict[str, Any]] = [json.loads(line) for line in output.getvalue().splitlines()]
    return [(r["member"], r["why"]) for r in records if r.get("event") == "refused"]


async def test_past_its_bound_the_least_recently_active_member_is_forgotten_then_met_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "MAX_MEMBERS_REMEMBERED", 2)
    platform = console(tmp_path)
    community = platform.community
    await play(platform, ["alice: one", "bob: two", "alice: three", "carol: four"])

    # bob was the least recently active: the bot's own member records still know him.
    assert await platform.resolve_member(community, "bob") is None
    for name in ("alice", "carol"):
        found = await platform.resolve_member(community, f"@{name}")
        assert found is not None
        assert found.user.id == name
    assert await platform.member_count(community) == 2

    heard = await play(platform, ["bob: back"])
    [message] = [event for event in heard if isinstance(event, MessageCreated)]
    assert (message.author.user.id, message.text) == ("bob", "back")
    assert await platform.resolve_member(community, "bob") == message.author
    assert await platform.resolve_member(community, "alice") is None


async def test_past_its_bound_the_least_recently_used_channel_is_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "MAX_CHANNELS_REMEMBERED", 2)
    platform = console(tmp_path)
    lines = [f"#room{number} alice: hello" for number in range(50)]
    heard = await play(platform, [*lines, "!channel #intros", "alice: here"])

    channels = [event.message.channel for event in heard if isinstance(event, MessageCreated)]
    assert [channel.name for channel in channels] == [
        *(f"#room{number}" for number in range(50)),
        "#intros",
    ]
    # The map itself is what must not grow: a channel is made again when named again.
    assert len(platform._channels) <= 2
    assert platform.channel("room0") == channels[0]


async def test_past_its_bound_the_oldest_ban_and_departure_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "MAX_STANDING_REMEMBERED", 2)
    platform = console(tmp_path)
    for name in ("amy", "ben", "cid"):
        await platform.ban(platform.member(name))
    await play(platform, ["-dan", "-eve", "-fay"])

    await play(platform, ["+amy", "+ben", "+cid", "dan: hi", "eve: hi", "fay: hi"])
    assert refused(platform) == [
        ("ben", "banned"),
        ("cid", "banned"),
        ("eve", "not_member"),
        ("fay", "not_member"),
    ]


async def test_past_its_bound_a_silence_that_ended_is_forgotten_before_one_that_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "MAX_STANDING_REMEMBERED", 2)
    clock = ManualClock(START)
    platform = console(tmp_path, clock)
    await platform.restrict(platform.member("bob"))  # until lifted
    await platform.timeout(platform.member("alice"), START + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    await platform.restrict(platform.member("carol"))

    await play(platform, ["alice: free", "bob: let me out", "carol: me too"])
    assert refused(platform) == [("bob", "silenced"), ("carol", "silenced")]

    await platform.restrict(platform.member("dan"))  # bob's, the oldest, goes
    await play(platform, ["bob: let me out", "carol: me too", "dan: and me"])
    assert refused(platform) == [("carol", "silenced"), ("dan", "silenced")]


async def test_what_is_forgotten_first_is_kept_across_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standing is saved oldest first: restored, the same member is the next forgotten."""
    monkeypatch.setattr(adapter, "MAX_STANDING_REMEMBERED", 2)
    first = console(tmp_path)
    for name in ("zed", "amy"):
        await first.ban(first.member(name))
    saved = json.loads(json.dumps(first.standing()))

    second = console(tmp_path)
    second.restore_standing(saved)
    await second.ban(second.member("bob"))
    await play(second, ["+zed", "+amy", "+bob"])
    assert refused(second) == [("amy", "banned"), ("bob", "banned")]
