"""A console session: the console platform, a movable clock, and the real core, wired together.

The console keeps its state in the same database as any platform: its clock, its message numbers
and what it enforces (who is silenced, banned or gone) are stored, so a second run continues where
the first stopped, jobs included. They are written behind (:mod:`bot.adapters.console.saving`): a
line never waits for a database another process holds.
"""

from __future__ import annotations

import errno
import json
import logging
import sys
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import TextIO

from bot.adapters.console import saving
from bot.adapters.console.adapter import ConsolePlatform
from bot.adapters.console.output import ConsoleOutput
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.db import storage_error, storage_errors
from bot.state import StateStore

CLOCK_KEY = "console:clock"
MESSAGE_ID_KEY = "console:next_message_id"
STANDING_KEY = "console:standing"

log = logging.getLogger(__name__)


async def run_console(
    *,
    rules_dir: Path,
    database_url: str,
    input: TextIO,
    output: TextIO,
    jsonl: bool = False,
    files_dir: Path = Path("data/console-files"),
    errors: TextIO | None = None,
    errors_as_json: bool = False,
    watch_rules: bool = False,
) -> None:
    """Run the console community until end of input (``watch_rules``: reload on file change).

    ``jsonl`` writes each bot action on ``output`` as one JSON object per line;
    ``errors_as_json`` writes each line's error on ``errors`` as one too (``console --jsonl``
    asks for both).

    Raises BrokenPipeError once the session has ended, if the reader of ``output`` went away
    (which ends it after the line being played).
    """
    clock = ManualClock(datetime.now(UTC))
    core = Jardinier(
        rules_dir=rules_dir, database_url=database_url, clock=clock, watch_rules=watch_rules
    )
    # Restore the clock before the core starts, so jobs due "now" are judged at the right time.
    await core.db.upgrade()
    state = StateStore(core.db)
    with storage_errors(database_url):
        stored_clock = await state.get(CLOCK_KEY)
        stored_message_id = await state.get(MESSAGE_ID_KEY)
        stored_standing = await state.get(STANDING_KEY)
    if stored_clock:
        clock.set(datetime.fromisoformat(stored_clock))  # never backwards: max(now, stored)

    config = core.community_config()

    def zone() -> tzinfo:
        # The zone of the rule book in force, the console community's own file included.
        return core.community_config(platform.community).zone

    shown = ConsoleOutput(output, jsonl=jsonl, zone=zone)
    platform = ConsolePlatform(
        input=input,
        output=shown,
        clock=clock,
        community_name=config.console.community_name,
        files_dir=files_dir,
        errors=errors or sys.stderr,
        errors_as_json=errors_as_json,
    )
    platform.next_message_id = int(stored_message_id or 1)
    if stored_standing:
        try:
            standing = json.loads(stored_standing)
        except ValueError:
            log.warning("the console's saved standing is unreadable; everyone starts free")
        else:
            if isinstance(standing, dict):
                platform.restore_standing(standing)

    # Saved in the middle of the bot's own actions: a failed save is logged, it never undoes them.
    explain = partial(storage_error, database_url)
    saved_clock = saving.WrittenBehind(state, CLOCK_KEY, explain)
    saved_standing = saving.WrittenBehind(state, STANDING_KEY, explain)
    # Numbers are handed out only below what the database holds, even if this run is killed.
    reserved = platform.next_message_id + saving.RESERVED_NUMBERS
    numbers = saving.MessageNumbers(
        saving.WrittenBehind(state, MESSAGE_ID_KEY, explain), reserved=reserved
    )

    async def advance(delta: timedelta) -> None:
        await core.scheduler.advance(delta)
        await saved_clock.save(clock.now().isoformat())

    async def remember_standing(standing: dict[str, object]) -> None:
        await saved_standing.save(json.dumps(standing))

    async def input_ended() -> None:
        await saved_clock.finish()
        await saved_standing.finish()
        await numbers.settle(platform.next_message_id)

    platform.advance = advance
    platform.on_message_id = numbers.handed_out
    platform.on_standing = remember_standing
    platform.on_input_end = input_ended
    shown.on_reader_gone = platform.stop_reading
    platform.count_members = core.members.present
    core.add_platform(platform)
    with storage_errors(database_url):
        await state.set(CLOCK_KEY, clock.now().isoformat())
        await state.set(MESSAGE_ID_KEY, str(reserved))
    await core.run()
    if shown.reader_gone:
        # Said once the session has ended as at the end of its input, everything saved: the
        # command line answers a closed pipe as for its other commands.
        raise BrokenPipeError(errno.EPIPE, "the reader of the console's output went away")
