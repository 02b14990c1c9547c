"""Write-path throughput of the contributors cog: events per second, transactions, flush time.

Runs the real core and cog on a file SQLite database with no platform, feeds messages, replies
and reactions from many members, and prints one JSON object. Timing is shown, never asserted.
Usage: python bench/contributors_write_path.py [events]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import commandline
import yaml

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ChannelRef,
    CommunityRef,
    MemberRef,
    MessageCreated,
    MessageRef,
    ReactionAdded,
    UserRef,
)
from bot.resources import shipped_rules_directory
from cogs.contributors.cog import ContributorsCog

MEMBERS = 500


def rule_book(directory: Path) -> Path:
    """A copy of the shipped rule book with the contributors cog enabled."""
    rules = directory / "rules"
    shutil.copytree(shipped_rules_directory(), rules)
    community = rules / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    if "contributors" not in data["cogs"]:  # the shipped book may already have it
        data["cogs"] = [*data["cogs"], "contributors"]
    community.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return rules


async def main(events: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
        core = Jardinier(
            rules_dir=rule_book(Path(folder)),
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            clock=clock,
        )
        await core.start()
        cog = core.cogs["contributors"]
        assert isinstance(cog, ContributorsCog)
        community = CommunityRef("bench", "1", "Bench")
        channel = ChannelRef(community, "general", "#general")
        members = [
            MemberRef(community, UserRef("bench", f"u{n}", f"member{n}")) for n in range(MEMBERS)
        ]
        for member in members:  # the core records each member once; not the cog's cost
            await core.members.observe(
                MessageCreated(
                    at=clock.now(), message=MessageRef(channel, "0"), author=member, text=""
                )
            )
        peak = 0
        started = time.perf_counter()
        for n in range(events):
            clock.set(clock.now() + timedelta(milliseconds=250))
            member = members[n % MEMBERS]
            message = MessageRef(channel, str(n + 1))
            if n % 4 == 3:
                await core.handle(
                    ReactionAdded(
                        at=clock.now(),
                        message=MessageRef(channel, str(n)),
                        member=members[(n * 7) % MEMBERS],
                        emoji="👍",
                    )
                )
                continue
            await core.handle(
                MessageCreated(
                    at=clock.now(),
                    message=message,
                    author=member,
                    text="thanks, a long enough answer to count as a message",
                    reply_to=MessageRef(channel, str(n)) if n % 2 else None,
                )
            )
            peak = max(peak, len(cog.buffer))
        handled = time.perf_counter() - started
        pending = len(cog.buffer)
        flush_started = time.perf_counter()
        written = await cog.flush()
        flush_seconds = time.perf_counter() - flush_started
        flushes = cog.buffer.flushes
        await core.stop()
    return {
        "bench": "contributors_write_path",
        "events": events,
        "members": MEMBERS,
        "events_per_second": round(events / handled),
        "transactions": flushes,
        "buffer_peak_counters": peak,
        "buffer_limit": cog.buffer.limit,
        "last_flush_counters": written or pending,
        "last_flush_ms": round(flush_seconds * 1000, 1),
    }


if __name__ == "__main__":
    command = commandline.parser(__doc__, "none set: the figures are shown, never asserted")
    command.add_argument(
        "events",
        nargs="?",
        type=commandline.count,
        default=20_000,
        help="how many messages, replies and reactions to feed (default: %(default)s)",
    )
    print(json.dumps(asyncio.run(main(command.parse_args().events))))
