"""Throughput of the netiquette cog: messages per second through the real core and the shipped
rules (toxicity left out: it runs off the event loop), and the 50 KB ReDoS bait end to end.

Runs on a file SQLite database with no platform (actions are skipped), prints one JSON object.
Timing is shown, never asserted. Usage: python bench/netiquette_throughput.py [messages]
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
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageCreated, MessageRef, UserRef
from bot.resources import shipped_rules_directory

MEMBERS = 300
TEXTS = [
    "Hello everyone, how are the tomatoes doing this year?",
    "I planted basil next to them, it helps.",
    "Has anyone tried companion planting with marigolds?",
    "you are such an 1d10t",
    "Check discord.gg/othergarden for seeds",
    "WHY DOES NOBODY ANSWER MY QUESTIONS",
    "The classic assistance guide for Scunthorpe gardeners is great",
]


def rule_book(directory: Path) -> Path:
    """The shipped rule book with only the netiquette cog, its toxicity rule switched off."""
    rules = directory / "rules"
    shutil.copytree(shipped_rules_directory(), rules)
    community = rules / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["cogs"] = ["netiquette"]
    community.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    section = rules / "netiquette.yaml"
    netiquette = yaml.safe_load(section.read_text(encoding="utf-8"))
    netiquette["rules"]["toxicity"]["enabled"] = False
    netiquette["rules"]["bait"] = {
        "triggers": [{"match_regex": {"patterns": ["(a+)+$"]}}],
        "actions": {"log": True},
    }
    section.write_text(yaml.safe_dump(netiquette, allow_unicode=True), encoding="utf-8")
    return rules


async def main(messages: int) -> dict[str, object]:
    """Feed ``messages`` through the core; then the bait."""
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
        core = Jardinier(
            rules_dir=rule_book(Path(folder)),
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            clock=clock,
        )
        await core.start()
        community = CommunityRef("bench", "1", "Bench")
        channel = ChannelRef(community, "general", "#general")
        members = [
            MemberRef(community, UserRef("bench", f"u{n}", f"member{n}")) for n in range(MEMBERS)
        ]
        started = time.perf_counter()
        for n in range(messages):
            clock.set(clock.now() + timedelta(milliseconds=500))
            await core.handle(
                MessageCreated(
                    at=clock.now(),
                    message=MessageRef(channel, str(n)),
                    author=members[n % MEMBERS],
                    text=TEXTS[n % len(TEXTS)],
                )
            )
        elapsed = time.perf_counter() - started
        bait = "a" * 50_000 + "!"
        worst = 0.0
        for n in range(5):
            start = time.perf_counter()
            await core.handle(
                MessageCreated(
                    at=clock.now(),
                    message=MessageRef(channel, f"bait{n}"),
                    author=members[n],
                    text=bait,
                )
            )
            worst = max(worst, time.perf_counter() - start)
        await core.stop()
    return {
        "messages": messages,
        "seconds": round(elapsed, 3),
        "messages_per_second": round(messages / elapsed),
        "bait_50kb_worst_ms_end_to_end": round(worst * 1000, 2),
    }


if __name__ == "__main__":
    command = commandline.parser(__doc__, "none set: the figures are shown, never asserted")
    command.add_argument(
        "messages",
        nargs="?",
        type=commandline.count,
        default=3_000,
        help="how many messages to feed (default: %(default)s)",
    )
    print(json.dumps(asyncio.run(main(command.parse_args().messages))))
