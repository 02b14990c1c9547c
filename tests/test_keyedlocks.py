"""Locks by key: one holder at a time per key, granted in the order asked, and forgotten once
nobody holds or waits for them."""

from __future__ import annotations

import asyncio

from bot.keyedlocks import KeyedLocks


async def test_holders_of_one_key_take_turns_in_order_and_other_keys_go_side_by_side() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    order: list[str] = []
    release = asyncio.Event()

    async def hold(key: str, name: str, wait: bool) -> None:
        async with locks.holding(key):
            order.append(f"{name} in")
            if wait:
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(hold("a", "first", wait=True))
    second = asyncio.create_task(hold("a", "second", wait=False))
    other = asyncio.create_task(hold("b", "other", wait=False))
    await asyncio.sleep(0)
    await other
    assert order == ["first in", "other in", "other out"]
    assert "a" in locks
    assert "b" not in locks
    release.set()
    await asyncio.gather(first, second)
    assert order[3:] == ["first out", "second in", "second out"]
    assert not locks
    assert "a" not in locks


async def test_a_waiter_cancelled_or_a_holder_failing_leaves_no_lock_behind() -> None:
    locks: KeyedLocks[int] = KeyedLocks()
    entered = asyncio.Event()

    async def hold_until_cancelled() -> None:
        async with locks.holding(1):
            entered.set()
            await asyncio.Event().wait()

    holder = asyncio.create_task(hold_until_cancelled())
    await entered.wait()

    async def wait_for_it() -> None:
        async with locks.holding(1):
            raise AssertionError("never granted: cancelled while waiting")

    waiter = asyncio.create_task(wait_for_it())
    await asyncio.sleep(0)
    waiter.cancel()
    holder.cancel()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    assert not locks

    try:
        async with locks.holding(2):
            raise ValueError("the block fails")
    except ValueError:
        pass
    assert 2 not in locks
