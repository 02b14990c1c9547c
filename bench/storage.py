"""The contributors' counter write path: events per second, buffered (the cog's way: counters
in memory, one transaction per flush) against a commit-per-event baseline, on SQLite on disk.

Each event is what a reply costs the cog: one member's daily counter and one interaction edge.
Prints one JSON object. Timing is shown, never asserted.
Usage: python bench/storage.py [events] [baseline_events]
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import commandline

from bot.clock import ManualClock
from bot.db import Database
from bot.events import CommunityRef
from bot.members import MemberDirectory
from cogs.contributors.buffer import DAILY_FIELDS, CounterBuffer, DailyKey, EdgeKey

MEMBERS = 1_000
LIMIT = 10_000


async def write(events: int, *, every: int, url: str) -> dict[str, float]:
    """Feed ``events`` through a buffer flushed every ``every`` events; the rate and flushes."""
    db = Database(url)
    await db.upgrade()
    clock = ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    buffer = CounterBuffer(db, MemberDirectory(db, clock), limit=LIMIT)
    community = CommunityRef("bench", "1", "Bench")
    day = clock.now().date()
    field = DAILY_FIELDS[0]
    started = time.perf_counter()
    for n in range(events):
        source, target = f"u{n % MEMBERS}", f"u{(n * 7 + 1) % MEMBERS}"
        buffer.add_daily(DailyKey(community, source, day), field)
        buffer.add_edge(EdgeKey(community, day, source, target, "reply"))
        if (n + 1) % every == 0 or buffer.full:
            await buffer.flush()
    await buffer.flush()
    elapsed = time.perf_counter() - started
    await db.close()
    return {"events_per_s": round(events / elapsed), "transactions": buffer.flushes}


async def main(events: int, baseline_events: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        buffered = await write(
            events, every=events, url=f"sqlite+aiosqlite:///{folder}/buffered.db"
        )
        baseline = await write(
            baseline_events, every=1, url=f"sqlite+aiosqlite:///{folder}/baseline.db"
        )
    return {
        "events": events,
        "buffered_events_per_s": buffered["events_per_s"],
        "buffered_transactions": buffered["transactions"],
        "baseline_events": baseline_events,
        "commit_per_event_events_per_s": baseline["events_per_s"],
        "speedup": round(buffered["events_per_s"] / baseline["events_per_s"], 1),
    }


if __name__ == "__main__":
    command = commandline.parser(__doc__, "at least 50,000 events/s buffered")
    command.add_argument(
        "events",
        nargs="?",
        type=commandline.count,
        default=200_000,
        help="how many events the buffered write path takes (default: %(default)s)",
    )
    command.add_argument(
        "baseline_events",
        nargs="?",
        type=commandline.count,
        default=2_000,
        help="how many events the commit-per-event baseline takes (default: %(default)s)",
    )
    options = command.parse_args()
    print(json.dumps(asyncio.run(main(options.events, options.baseline_events))))
