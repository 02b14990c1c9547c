"""Small named values kept between runs: the last write of a key wins, whoever writes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.db import Database
from bot.state import StateStore


async def test_concurrent_writers_of_a_new_key_all_succeed(tmp_path: Path) -> None:
    # Two connections to one file, as the bot and a replay on the same database would be.
    url = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    bot, beside = Database(url), Database(url)
    try:
        await bot.upgrade()
        stores = (StateStore(bot), StateStore(beside))
        writes = [stores[number % 2].set("console:clock", str(number)) for number in range(6)]

        outcomes = await asyncio.gather(*writes, return_exceptions=True)

        assert outcomes == [None] * 6
        assert await StateStore(beside).get("console:clock") in {str(n) for n in range(6)}
        await stores[0].set("console:clock", "last")
        assert await stores[1].get("console:clock") == "last"
    finally:
        await bot.close()
        await beside.close()
