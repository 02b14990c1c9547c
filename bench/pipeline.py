"""Pipeline throughput: messages per second and per-message latency through the full bot.

All the shipped book's cogs, SQLite on disk, a recording platform, and a generated realistic
stream: many members, replies, reactions, joins, thanks, and some rule-breaking messages
(insults, invites, shouting). Toxicity off by default; ``--toxicity`` turns the rule on with a
tiny test model (built locally); ``messages_scored`` says how many the model kept up with (beyond
a thousand checks waiting, new messages are not scored). Prints one JSON object
(``messages_per_s``, latency p50/p99).
Throughput counts the time until the work the events queued is done (the netiquette's cases,
notices and mod-log lines); latency is each event's own handling. Timing is shown, never
asserted. Usage: python bench/pipeline.py [events] [--toxicity]
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot import eventloop
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageRef,
    MessageScored,
    ReactionAdded,
    UserRef,
)
from bot.gctuning import tune_garbage_collector
from bot.replay.recorder import RecordingPlatform
from bot.resources import shipped_rules_directory

MEMBERS = 2_000
CHANNELS = ["general", "intros", "photos", "help"]
CLEAN = [
    "Has anyone tried companion planting with marigolds this year?",
    "My tomatoes finally sprouted after two weeks under the lamp.",
    "Thanks for the tip, the compost is much better now!",
    "I can bring a wheelbarrow on Saturday for the community plot.",
    "Here are pictures of the herb spiral we built last weekend.",
    "Does basil really keep the aphids away from the peppers?",
    "merci pour les graines, elles ont toutes germé",
]
BAD = [
    "you are such an idiot",
    "Check discord.gg/othergarden for free seeds",
    "WHY DOES NOBODY ANSWER MY QUESTIONS ABOUT THE PLOT",
]


def rule_book(directory: Path, toxicity: Path | None) -> Path:
    """The shipped rule book; the toxicity rule on with a local model when given."""
    rules = directory / "rules"
    shutil.copytree(shipped_rules_directory(), rules)
    if toxicity is not None:
        section = rules / "netiquette.yaml"
        data = yaml.safe_load(section.read_text(encoding="utf-8"))
        data["rules"]["toxicity"]["enabled"] = True
        data["toxicity"].update(
            model="original", checkpoint=str(toxicity / "model.ckpt"), config_dir=str(toxicity)
        )
        section.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return rules


def stream(count: int, start: datetime) -> list[Event]:
    """A realistic stream: 80% messages (a third of them replies), 15% reactions, some joins."""
    pick = random.Random(42)
    community = CommunityRef("bench", "1", "Bench")
    channels = [ChannelRef(community, name, f"#{name}") for name in CHANNELS]
    members = [
        MemberRef(community, UserRef("bench", f"u{n}", f"member{n}")) for n in range(MEMBERS)
    ]
    events: list[Event] = []
    posted: list[MessageRef] = []
    at = start
    for n in range(count):
        at += timedelta(milliseconds=pick.randint(50, 400))
        member = pick.choice(members)
        roll = pick.random()
        if roll < 0.01:
            newcomer = MemberRef(community, UserRef("bench", f"new{n}", f"newcomer{n}"))
            events.append(MemberJoined(at=at, member=newcomer))
        elif roll < 0.16 and posted:
            events.append(
                ReactionAdded(at=at, message=pick.choice(posted[-500:]), member=member, emoji="👍")
            )
        else:
            channel = pick.choice(channels)
            text = pick.choice(BAD) if pick.random() < 0.03 else pick.choice(CLEAN)
            reply = pick.choice(posted[-200:]) if posted and pick.random() < 0.33 else None
            message = MessageRef(channel, str(n))
            posted.append(message)
            events.append(
                MessageCreated(at=at, message=message, author=member, text=text, reply_to=reply)
            )
    return events


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(count: int, toxicity: bool) -> dict[str, Any]:
    """Feed ``count`` events through the core; time each."""
    with tempfile.TemporaryDirectory() as folder:
        model = None
        if toxicity:
            sys.path.insert(0, str(Path(__file__).parent))
            from toxicity import TINY, build_checkpoint  # the same model builder as its bench

            model = Path(folder) / "model"
            model.mkdir()
            build_checkpoint(model, TINY)
        start = datetime(2026, 11, 2, 9, tzinfo=UTC)
        clock = ManualClock(start)
        platform = RecordingPlatform("bench", clock)
        core = Jardinier(
            rules_dir=rule_book(Path(folder), model),
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            clock=clock,
        )
        core.add_platform(platform)
        await core.start()
        scored = 0

        async def count_scored(_event: Event) -> None:
            nonlocal scored
            scored += 1

        core.bus.subscribe("core", MessageScored, count_scored)
        events = stream(count, start)
        latencies: list[float] = []
        started = time.perf_counter()
        for event in events:
            clock.set(event.at)
            begin = time.perf_counter()
            await core.handle(event)
            latencies.append(time.perf_counter() - begin)
            # As between two events from a platform's socket: the loop runs what waits
            # (the enforcement queue, toxicity checks, timers).
            await asyncio.sleep(0)
        # Throughput counts the work the events queued too (cases, notices, mod-log lines).
        await core.caught_up()
        elapsed = time.perf_counter() - started
        netiquette: Any = core.cogs.get("netiquette")
        if toxicity and netiquette is not None:
            await netiquette.settled()
        drained = time.perf_counter() - started
        actions = len(platform.actions)
        await core.stop()
    messages = sum(isinstance(event, MessageCreated) for event in events)
    return {
        "events": count,
        "messages": messages,
        "toxicity": toxicity,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(messages / elapsed),
        "events_per_s": round(count / elapsed),
        "latency_p50_ms": round(percentile(latencies, 0.5) * 1000, 3),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "seconds_until_toxicity_settled": round(drained, 3),
        "messages_scored": scored,
        "bot_actions": actions,
    }


if __name__ == "__main__":
    tune_garbage_collector()  # as `jardinier run` does
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    total = int(arguments[0]) if arguments else 20_000
    # The loop `jardinier run` uses: uvloop where installed (JARDINIER_EVENT_LOOP=asyncio: not).
    print(json.dumps(eventloop.run(main(total, "--toxicity" in sys.argv))))
