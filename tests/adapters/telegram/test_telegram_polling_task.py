"""The platform's hold on python-telegram-bot's polling task, which it finds by a private name."""

from __future__ import annotations

import asyncio

from bot.adapters.telegram.connection import POLLING_TASK
from tests.adapters.telegram.harness import StartBot


async def test_the_polling_task_python_telegram_bot_names_is_found(start_bot: StartBot) -> None:
    """The platform watches python-telegram-bot's polling task, found by its name (there is no
    other handle on it), to end when polling ends for good (a revoked token)."""
    await start_bot()
    names = {task.get_name() for task in asyncio.all_tasks()}
    assert POLLING_TASK in names, (
        f"python-telegram-bot no longer names its polling task {POLLING_TASK!r}: the platform "
        "would not notice polling end (a revoked token); set POLLING_TASK to its new name"
    )
