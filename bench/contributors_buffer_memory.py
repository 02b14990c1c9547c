"""Memory of the contributors cog's in-memory state at its bounds: buffer, message map, pace.

Fills the counter buffer to its limit and the map of recent messages past its bound, and prints
one JSON object with the sizes and the memory tracemalloc measured. It shows the state is
bounded: feeding twice as many messages leaves the same number tracked.
Usage: python bench/contributors_buffer_memory.py [messages]
"""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import commandline

from bot.events import ChannelRef, CommunityRef, MessageRef
from cogs.contributors.buffer import CounterBuffer, DailyKey, EdgeKey
from cogs.contributors.pace import MessagePace
from cogs.contributors.tracked import MAX_TRACKED, MessageLedger, TrackedMessage


def main(messages: int) -> dict[str, object]:
    community = CommunityRef("bench", "1", "Bench")
    channel = ChannelRef(community, "general", "#general")
    tracemalloc.start()
    buffer = CounterBuffer(None, None, limit=10_000)  # type: ignore[arg-type]  # never flushed here
    ledger = MessageLedger(buffer)
    pace = MessagePace()
    peak_counters = 0
    day = date(2026, 11, 2)
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for n in range(messages):
        author = f"u{n % 20_000}"
        tracked = TrackedMessage(author)
        if pace.allows(community, author, at + timedelta(seconds=n), 3):
            tracked.tie(ledger.award_daily(DailyKey(community, author, day), "messages"))
        target = f"u{(n * 7) % 20_000}"
        tracked.tie(ledger.award_edge(EdgeKey(community, day, author, target, "reply")))
        ledger.track(MessageRef(channel, str(n)), tracked)
        if buffer.full:
            peak_counters = max(peak_counters, len(buffer))
            buffer.take()  # what a flush does, without the database
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "bench": "contributors_buffer_memory",
        "messages_fed": messages,
        "messages_tracked": len(ledger),
        "tracked_bound": MAX_TRACKED,
        "buffer_peak_counters": max(peak_counters, len(buffer)),
        "buffer_limit": buffer.limit,
        "memory_mib": round(current / 2**20, 1),
        "peak_mib": round(peak / 2**20, 1),
        "bytes_per_tracked_message": round(current / max(len(ledger), 1)),
    }


if __name__ == "__main__":
    command = commandline.parser(
        __doc__,
        f"none in numbers: the messages tracked stay at their bound ({MAX_TRACKED:,}) however "
        "many are fed",
    )
    command.add_argument(
        "messages",
        nargs="?",
        type=commandline.count,
        default=2 * MAX_TRACKED,
        help="how many messages to feed (default: %(default)s, twice the bound)",
    )
    print(json.dumps(main(command.parse_args().messages)))
