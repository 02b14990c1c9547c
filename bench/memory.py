"""Resident memory with many members: 100,000 members across 100 communities, each posting
once through the full bot (every cog of the shipped book, toxicity off, SQLite on disk).

Prints one JSON object with the peak resident set size before and after (and the resident set
size at the end, which tells a lasting growth from a passing peak). Timing and memory are shown,
never asserted. ``--trace N`` also lists the N source lines that hold the most memory allocated
since the start (tracemalloc: several times slower, and the RSS figures then include its own
bookkeeping). Usage: python bench/memory.py [members] [communities] [--trace N]
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import commandline

from bot import eventloop
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageCreated, MessageRef, UserRef
from bot.gctuning import tune_garbage_collector
from bot.replay.recorder import RecordingPlatform
from bot.resources import shipped_rules_directory


def peak_mb() -> float:
    """The process's peak resident set size, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    """The process's resident set size now, in MB (Linux only; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * resource.getpagesize() / 2**20


def top_lines(snapshot: tracemalloc.Snapshot, count: int) -> list[str]:
    """The ``count`` source lines holding the most memory: ``file:line size_kb blocks``."""
    return [
        f"{stat.traceback[0].filename}:{stat.traceback[0].lineno} "
        f"{stat.size // 1024} KB {stat.count} blocks"
        for stat in snapshot.statistics("lineno")[:count]
    ]


async def main(members: int, communities: int, trace: int = 0) -> dict[str, Any]:
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
        if trace:
            tracemalloc.start()
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
        now = current_mb()
        top = top_lines(tracemalloc.take_snapshot(), trace) if trace else []
        tracemalloc.stop()
        await core.stop()
    figures: dict[str, Any] = {
        "members": members,
        "communities": communities,
        "seconds": round(elapsed, 1),
        "rss_mb_at_start": round(before, 1),
        "rss_mb_peak": round(after, 1),
        "rss_mb_at_end": round(now, 1),
    }
    if trace:
        figures["tracemalloc_top"] = top
    return figures


if __name__ == "__main__":
    command = commandline.parser(
        __doc__,
        "a peak RSS of at most 200 MB with the defaults (100,000 members, 100 communities)",
    )
    command.add_argument(
        "members",
        nargs="?",
        type=commandline.count,
        default=100_000,
        help="how many members post once each (default: %(default)s)",
    )
    command.add_argument(
        "communities",
        nargs="?",
        type=commandline.count,
        default=100,
        help="how many communities they are spread across (default: %(default)s)",
    )
    command.add_argument(
        "--trace",
        metavar="N",
        type=commandline.count,
        default=0,
        help="also list the N source lines holding the most memory (default: none)",
    )
    options = command.parse_args()
    tune_garbage_collector()  # as `jardinier run` does
    print(  # the loop `jardinier run` uses
        json.dumps(eventloop.run(main(options.members, options.communities, options.trace)))
    )
