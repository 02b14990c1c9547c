"""Waiting in a test for something that happens in the background (a process, a file watch)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], what: str, within: float = 15) -> None:
    """Return once ``condition()`` holds; fail, naming ``what``, after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


def wait_until(condition: Callable[[], bool], what: str, within: float = 15) -> None:
    """:func:`eventually` outside an event loop (a test driving a process)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)
