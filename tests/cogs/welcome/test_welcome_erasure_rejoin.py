"""A member who comes back while /forget_member erases them is a newcomer like any other: the
erasure removes what they left before it began, never the journey their return starts (its row,
its gate timeout, its nudge), and that journey keeps nothing of what was erased."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.events import CommunityRef, UserRef
from bot.memberdata import erase_member
from cogs.welcome.base import ACCEPT_BUTTON
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.cogs.welcome.test_welcome_gate_erasure import job_names
from tests.support.fake_platform import FakePlatform

GATE = {"enabled": True, "timeout": "5m"}


def held_up(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, step: str
) -> tuple[asyncio.Event, asyncio.Event, list[asyncio.Task[Any]]]:
    """The erasure's ``step`` (``get``: it looks the member's journey up; ``flush``: it writes
    what waits before deleting their rows) waits on a busy database until the second event is
    set; the first is set once it waits. The erasure's task goes in the list."""
    journeys = garden.cog.journeys
    original = getattr(journeys, step)
    waiting, database_free = asyncio.Event(), asyncio.Event()
    erasing: list[asyncio.Task[Any]] = []

    async def busy(*args: Any) -> Any:
        if erasing and asyncio.current_task() is erasing[0] and not database_free.is_set():
            waiting.set()
            await database_free.wait()
        return await original(*args)

    monkeypatch.setattr(journeys, step, busy)
    return waiting, database_free, erasing


@pytest.mark.parametrize("step", ["get", "flush"])
async def test_a_member_back_while_erased_is_welcomed_held_and_removed_at_the_timeout(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    garden = await open_garden(platform=FakePlatform(capabilities=WITHOUT_ROLES), gate=GATE)
    community = garden.platform.community
    [alice] = await garden.join("alice")
    await garden.press("alice", ACCEPT_BUTTON, under=garden.sent("general")[-1])
    await garden.wait(timedelta(minutes=10))
    await garden.leave("alice")
    await garden.wait(timedelta(minutes=1))
    garden.clear()

    waiting, database_free, erasing = held_up(garden, monkeypatch, step)
    erasing.append(asyncio.create_task(erase_member(garden.core, community, alice.user)))
    await waiting.wait()
    back_at = garden.clock.now()
    joining = asyncio.create_task(garden.join("alice"))  # back, as the erasure goes on
    for _ in range(50):
        await asyncio.sleep(0)
    database_free.set()
    await erasing[0]
    await joining

    # Welcomed as a newcomer (her earlier welcome, 11 minutes ago, was erased), once.
    [welcome] = [text for text in garden.texts("general") if "alice" in text]
    assert welcome.startswith("Welcome to Garden, alice!")
    assert [held.target.name for held in garden.done("restrict")] == ["alice"]
    # Only her new arrival is kept.
    [journey] = await garden.cog.journeys.arrivals(community, alice.user.id)
    assert journey.joined_at == back_at
    assert journey.gate_pending
    assert journey.charter_accepted_at is None
    assert len(job_names(garden, alice.user)) == 2  # her gate timeout and her nudge
    assert await garden.cog.holds_back(alice)
    await garden.wait(timedelta(minutes=6))
    assert [kick.target.name for kick in garden.done("kick")] == ["alice"]


@pytest.mark.parametrize("step", ["get", "flush"])
async def test_a_member_back_while_erased_is_let_in_by_the_button_and_nudged(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    garden = await open_garden(platform=FakePlatform(capabilities=WITHOUT_ROLES), gate=GATE)
    community = garden.platform.community
    [alice] = await garden.join("alice")
    await garden.leave("alice")  # before accepting: still held at the gate when she left
    await garden.wait(timedelta(minutes=1))

    waiting, database_free, erasing = held_up(garden, monkeypatch, step)
    erasing.append(asyncio.create_task(erase_member(garden.core, community, alice.user)))
    await waiting.wait()
    garden.clear()
    joining = asyncio.create_task(garden.join("alice"))
    for _ in range(50):
        await asyncio.sleep(0)
    database_free.set()
    await erasing[0]
    await joining

    # The erasure let go the restriction of her first stay before her return restricted her.
    assert [action.action for action in garden.platform.actions if "restrict" in action.action][
        -1
    ] == "restrict"
    [welcome] = [sent for sent in garden.sent("general") if "alice" in sent.text]
    await garden.press("alice", ACCEPT_BUTTON, under=welcome)
    assert [freed.target.name for freed in garden.done("unrestrict")][-1:] == ["alice"]
    assert not await garden.cog.holds_back(alice)
    garden.clear()
    await garden.wait(timedelta(days=2))
    assert garden.done("kick") == []
    assert [text for text in garden.texts("intros") if "alice" in text]  # her nudge


class KeepingPlatform(FakePlatform):
    """Keeps, as Telegram's adapter does, whom it restricted until lifted (the gate's hold),
    and forgets it in /forget_member after its state store's writes, slow enough for a join
    meanwhile to be handled in full (``joining``: that join's task, given by the test)."""

    def __init__(self) -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.held: set[str] = set()
        self.joining: asyncio.Task[Any] | None = None

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        super()._record(action, target, text, **details)
        if action == "restrict":
            self.held.add(target.user.id)
        elif action == "unrestrict":
            self.held.discard(target.user.id)

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """Whether it holds ``user``."""
        return {"held": True} if user.id in self.held else {}

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget its hold of ``user``, once the join under way is handled (or a second)."""
        if self.joining is not None:
            await asyncio.wait([self.joining], timeout=1)
        self.held.discard(user.id)


async def test_the_rest_of_the_erasure_spares_the_hold_and_record_of_a_member_back_meanwhile(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure goes on after the welcome's part (the platform's data, the core's record):
    a join meanwhile waits for all of it, so neither forgets what that join starts."""
    platform = KeepingPlatform()
    garden = await open_garden(platform=platform, gate=GATE)
    community = garden.platform.community
    [alice] = await garden.join("alice")
    await garden.leave("alice")  # still held at the gate when she left
    await garden.wait(timedelta(minutes=1))

    waiting, database_free, erasing = held_up(garden, monkeypatch, "get")
    erasing.append(asyncio.create_task(erase_member(garden.core, community, alice.user)))
    await waiting.wait()
    back_at = garden.clock.now()
    joining = platform.joining = asyncio.create_task(garden.join("alice"))
    for _ in range(50):
        await asyncio.sleep(0)
    database_free.set()
    await erasing[0]
    await joining

    assert await garden.cog.holds_back(alice)
    assert garden.done("restrict")[-1].target.name == "alice"
    # On Telegram, else the end of a moderator's timeout would lift the gate's hold too.
    assert alice.user.id in platform.held
    await garden.core.members.flush()
    record = await garden.core.members.get(community, alice.user.id)
    assert record is not None
    assert record.joined_at == back_at
    assert record.left_at is None
