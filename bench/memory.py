"""Resident memory with many members: 100,000 members across 100 communities, each posting
once through the full bot (every cog of the shipped book, toxicity off, SQLite on disk).

Prints one JSON object with the peak resident set size before and after. Timing and memory are
shown, never asserted. Usage: python bench/memory.py [members] [communities]
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageCreated, MessageRef, UserRef
from bot.replay.recorder import RecordingPlatform
from bot.resources import shipped_rules_directory


def peak_mb() -> float:
    """The process's peak resident set size, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(members: int, communities: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
        core = Jardinier(
            rules_dir=shipped_rules_directory(),
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            clock=clock,
        )
        core.add_platform(RecordingPlatform("bench", clock))
        await core.start()
        before = peak_mb()
        places = [CommunityRef("bench", str(n), f"Community {n}") for n in range(communities)]
        channels = [ChannelRef(place, "general", "#general") for place in places]
        started = time.perf_counter()
        for n in range(members):
            clock.set(clock.now() + timedelta(milliseconds=100))
            channel = channels[n % communities]
            author = MemberRef(channel.community, UserRef("bench", f"u{n}", f"member{n}"))
            await core.handle(
                MessageCreated(
                    at=clock.now(),
                    message=MessageRef(channel, str(n)),
                    author=author,
                    text="Hello everyone, glad to be part of this garden community!",
                )
            )
        elapsed = time.perf_counter() - started
        after = peak_mb()
        await core.stop()
    return {
        "members": members,
        "communities": communities,
        "seconds": round(elapsed, 1),
        "rss_mb_at_start": round(before, 1),
        "rss_mb_peak": round(after, 1),
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    places = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    print(json.dumps(asyncio.run(main(count, places))))
