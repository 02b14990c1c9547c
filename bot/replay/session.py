"""The replay session: the real core and cogs, a recording platform, a clock that follows the
history, and the observations the report is made of.

Each file is read through first, so a broken one is refused before anything plays; then events
from every file are played in timestamp order, read from the files as they play
(:mod:`bot.replay.timeline`): what the replay holds does not grow with the files' size. Before
each event the scheduler is moved to the event's time, so jobs (lifted timeouts, nudges,
shout-outs) fire in order, at their time.
The bot acts only on the recording platform; the database is a throw-away file unless a URL is
given. The rules are applied as written: the recording platform is what makes it a dry run, so
the netiquette's strikes and its escalation ladder play out exactly as they would have.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.errors import JardinierError
from bot.events import (
    CommandInvoked,
    CommunityRef,
    DryRunMatched,
    MemberRef,
    ModerationRecorded,
    UserRef,
)
from bot.replay.detect import load_history
from bot.replay.history import History
from bot.replay.observations import Observations, ProblemLog
from bot.replay.recorder import RecordingPlatform
from bot.replay.report import ReplayReport, build_report
from bot.replay.timeline import Timeline

REPORT_USER = "jardinier-replay"
"""The member who asks ``/top`` and ``/influencers`` at the end of the replay."""


async def replay(
    paths: Sequence[Path],
    *,
    rules_dir: Path,
    database_url: str | None = None,
    progress: bool = False,
) -> ReplayReport:
    """Replay the exported files through the real cogs and report what the bot would have done."""
    if not paths:
        raise JardinierError("name at least one exported file to replay")
    histories: list[History] = []
    repeated = 0
    for path in paths:
        if progress:  # a long export takes a while to read before the first event plays
            print(f"reading {path}…", file=sys.stderr, flush=True)
        history = load_history(path)
        if any(history.digest == earlier.digest for earlier in histories):
            repeated += history.count  # the same file named twice: played once
            continue
        histories.append(history)
    if not any(history.count for history in histories):
        raise JardinierError("the files hold no message or join to replay")
    timeline = Timeline(histories)
    if database_url is not None:
        report = await _replay(histories, timeline, rules_dir, database_url, progress)
    else:
        # A throw-away file, not an in-memory database: that one is a single connection, shared
        # by every session at once, where the bot's own database never is.
        with tempfile.TemporaryDirectory(prefix="jardinier-replay-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'replay.db'}"
            report = await _replay(histories, timeline, rules_dir, url, progress)
    report.totals["duplicates"] = repeated + timeline.repeats
    return report


async def _replay(
    histories: Sequence[History],
    timeline: Timeline,
    rules_dir: Path,
    database_url: str,
    progress: bool,
) -> ReplayReport:
    start = min(history.first for history in histories if history.first is not None)
    clock = ManualClock(start - timedelta(seconds=1))
    core = Jardinier(rules_dir=rules_dir, database_url=database_url, clock=clock)
    platforms: dict[str, RecordingPlatform] = {}
    for history in histories:
        platform = platforms.get(history.community.platform)
        if platform is None:
            platform = platforms[history.community.platform] = RecordingPlatform(
                history.community.platform, clock, **_played_as(history.community.platform)
            )
            core.add_platform(platform)
        platform.know_channel(history.channel)
    observations = Observations()
    for platform in platforms.values():
        platform.cause_of = observations.current_cause
    total = sum(history.count for history in histories)
    with ProblemLog().listening() as problems:
        await core.start()
        try:
            core.bus.subscribe("core", ModerationRecorded, observations.moderation_recorded)
            core.bus.subscribe("core", DryRunMatched, observations.dry_run_matched)
            await _play(core, clock, platforms, timeline, total, observations, progress)
            standings = await _standings(core, platforms, histories, observations)
        finally:
            await core.stop()
    report = build_report(histories, observations, list(platforms.values()), standings)
    report.problems = [
        {"message": message, "times": times} for message, times in problems.problems.items()
    ]
    return report


async def _play(
    core: Jardinier,
    clock: ManualClock,
    platforms: dict[str, RecordingPlatform],
    timeline: Timeline,
    total: int,
    observations: Observations,
    progress: bool,
) -> None:
    bar: Any = None
    if progress:
        from tqdm import tqdm  # only on a terminal: never loaded otherwise

        bar = tqdm(total=total, unit="event", file=sys.stderr, leave=False)
    repeats = 0
    try:
        for event in timeline:
            if event.at > clock.now():
                observations.cause = None
                await core.scheduler.advance(event.at - clock.now())
            platform = platforms[event.community.platform]
            member: MemberRef | None = getattr(event, "member", None) or getattr(
                event, "author", None
            )
            if member is not None:
                platform.know_member(member)
            observations.seen(event)
            observations.cause = event
            await core.handle(event)
            # What the event led to (its toxicity verdict included) is attributed to it, in order.
            await core.caught_up(slow=True)
            observations.cause = None
            if bar is not None:
                # Repeats left out count too: the bar runs over every event the files hold.
                bar.update(1 + timeline.repeats - repeats)
                repeats = timeline.repeats
    finally:
        if bar is not None:
            bar.close()


async def _standings(
    core: Jardinier,
    platforms: dict[str, RecordingPlatform],
    histories: Sequence[History],
    observations: Observations,
) -> dict[str, dict[str, list[str]]]:
    """Each community's ``/top all`` and ``/influencers all``, asked through the real commands."""
    found: dict[str, dict[str, list[str]]] = {}
    communities: dict[CommunityRef, History] = {}
    for history in histories:
        communities.setdefault(history.community, history)
    for community, history in communities.items():
        if "contributors" not in core.community_config(community).cogs:
            continue
        platform = platforms[community.platform]
        asker = MemberRef(community, UserRef(community.platform, REPORT_USER, REPORT_USER))
        answers: dict[str, list[str]] = {}
        for name in ("top", "influencers"):
            before = len(platform.actions)
            observations.cause = None
            await core.handle(
                CommandInvoked(
                    at=core.clock.now(),
                    channel=history.channel,
                    member=asker,
                    name=name,
                    args="all",
                )
            )
            answers[name] = [
                line
                for action in platform.actions[before:]
                if action.action == "send"
                for line in action.text.splitlines()
            ]
        found[community.key] = answers
    return found


def _played_as(platform: str) -> dict[str, Any]:
    """What the platform whose history plays can do, and how long its timeouts may last, so a
    Telegram group's history plays without roles or private answers; a CSV or JSONL history
    (no platform of its own) plays with everything. The adapter is imported only here: a replay
    of a Discord export needs discord.py installed, as the bot does."""
    if platform == "discord":
        from bot.adapters.discord.adapter import DiscordPlatform

        return {
            "capabilities": DiscordPlatform.capabilities,
            "timeout_range": DiscordPlatform.timeout_range,
        }
    if platform == "telegram":
        from bot.adapters.telegram.adapter import TelegramPlatform

        return {
            "capabilities": TelegramPlatform.capabilities,
            "timeout_range": TelegramPlatform.timeout_range,
        }
    return {}
