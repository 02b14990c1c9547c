"""Pipeline throughput: messages per second and per-message latency through the full bot.

All the shipped book's cogs, SQLite on disk, a recording platform, and a generated realistic
stream (:mod:`chatstream`): 2,000 members, every message its own text, replies, reactions,
joins, thanks, fresh references per event as an adapter builds them, and some rule-breaking
messages (insults, invites, shouting, floods, copy-pasted spam). Toxicity off by default;
``--toxicity`` turns the rule on with a tiny test model (built locally); ``messages_scored``
says how many the model kept up with (beyond a thousand checks waiting, new messages are not
scored). Prints one JSON object (``messages_per_s``, latency p50/p99).
Throughput counts the time until the work the events queued is done (the netiquette's cases,
notices and mod-log lines); latency is each event's own handling. ``--breakdown`` adds where
the time goes: each listener's (and the member record's) mean microseconds per message, timed
around every call (which costs a little itself). Timing is shown, never asserted.
Usage: python bench/pipeline.py [events] [--toxicity] [--breakdown]; the target is for one
core: ``taskset -c 1 python bench/pipeline.py`` (the loop and the database threads share it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import commandline
import yaml
from chatstream import ChatStream

from bot import eventloop
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import Event, MessageCreated, MessageScored
from bot.gctuning import tune_garbage_collector
from bot.replay.recorder import RecordingPlatform
from bot.resources import shipped_rules_directory

TARGET = (
    "at least 20,000 messages/s and a p99 latency under 2 ms, on one core: "
    "taskset -c 1 python bench/pipeline.py"
)


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


def time_listeners(core: Jardinier) -> Counter[str]:
    """Wrap every listener (and the member record) to add up its time, in nanoseconds."""
    spent: Counter[str] = Counter()

    def timed(name: str, callback: Callable[[Any], Awaitable[None]]) -> Any:
        async def wrapper(event: Any) -> None:
            begin = time.perf_counter_ns()
            try:
                await callback(event)
            finally:
                spent[name] += time.perf_counter_ns() - begin

        return wrapper

    bus = core.bus
    # The bench's own instrument: the listeners are rebuilt around a timer, in the same order.
    bus._listeners = [
        dataclasses.replace(
            listener,
            callback=timed(
                f"{listener.cog}.{listener.callback.__name__}:{listener.event_type.__name__}",
                listener.callback,
            ),
        )
        for listener in bus._listeners
    ]
    bus._by_type.clear()
    core.members.observe = timed("core.members.observe", core.members.observe)  # type: ignore[method-assign]
    return spent


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(count: int, toxicity: bool, breakdown: bool = False) -> dict[str, Any]:
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
        spent = time_listeners(core) if breakdown else Counter()
        # Each event is made just before it is handled, as an adapter converts a payload as it
        # arrives, and let go once handled: the time spent making them is left out.
        stream = ChatStream().events(count, start)
        messages = 0
        converting = 0.0
        latencies: list[float] = []
        started = time.perf_counter()
        cpu_started = time.process_time()
        while True:
            made = time.perf_counter()
            event = next(stream, None)
            converting += time.perf_counter() - made
            if event is None:
                break
            messages += isinstance(event, MessageCreated)
            clock.set(event.at)
            begin = time.perf_counter()
            await core.handle(event)
            latencies.append(time.perf_counter() - begin)
            # As between two events from a platform's socket: the loop runs what waits
            # (the enforcement queue, toxicity checks, timers).
            await asyncio.sleep(0)
        # Throughput counts the work the events queued too (cases, notices, mod-log lines).
        await core.caught_up()
        elapsed = time.perf_counter() - started - converting
        # Making an event is all computing on this thread: its wall time is its CPU time.
        cpu = time.process_time() - cpu_started - converting
        netiquette: Any = core.cogs.get("netiquette")
        if toxicity and netiquette is not None:
            await netiquette.settled()
        drained = time.perf_counter() - started - converting
        actions = len(platform.actions)
        await core.stop()
    figures: dict[str, Any] = {
        "events": count,
        "messages": messages,
        "toxicity": toxicity,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(messages / elapsed),
        "cpu_us_per_message": round(cpu / messages * 1e6, 1),
        "events_per_s": round(count / elapsed),
        "latency_p50_ms": round(percentile(latencies, 0.5) * 1000, 3),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "seconds_until_toxicity_settled": round(drained, 3),
        "messages_scored": scored,
        "bot_actions": actions,
    }
    if breakdown:
        figures["us_per_message"] = {
            name: round(total / messages / 1000, 1) for name, total in spent.most_common()
        }
        figures["us_per_message_outside_listeners"] = round(
            (elapsed * 1e9 - sum(spent.values())) / messages / 1000, 1
        )
    return figures


if __name__ == "__main__":
    command = commandline.parser(__doc__, TARGET)
    command.add_argument(
        "events",
        nargs="?",
        type=commandline.count,
        default=20_000,
        help="how many events of the generated stream to feed (default: %(default)s)",
    )
    command.add_argument(
        "--toxicity",
        action="store_true",
        help="turn the toxicity rule on, with a tiny model built locally (needs the toxicity "
        "extra)",
    )
    command.add_argument(
        "--breakdown", action="store_true", help="add each listener's mean µs per message"
    )
    options = command.parse_args()
    if options.toxicity:
        from toxicity import require_model_packages

        require_model_packages(command)
    tune_garbage_collector()  # as `jardinier run` does
    # The loop `jardinier run` uses: uvloop where installed (JARDINIER_EVENT_LOOP=asyncio: not).
    print(
        json.dumps(
            eventloop.run(main(options.events, options.toxicity, options.breakdown)),
            ensure_ascii=False,
        )
    )
