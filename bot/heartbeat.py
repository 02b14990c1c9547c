"""A file the running bot rewrites from its event loop, and the check of it: a health signal a
container's health check reads without a network port.

A wedged event loop (a blocking call, a deadlock) stops writing the file, while the process
lives on and, at the default WARNING level, logs nothing: only the file's age tells. The file
also says how each platform's connection stands (:class:`Link`), as JSON::

    {"platforms": {"discord": {"state": "connected", "since": "2025-05-01T09:00:00+00:00"},
                   "telegram": {"state": "failed", "since": "…", "why": "Telegram refused …"}},
     "none_connected_since": null}

``python -m bot.heartbeat [FILE]`` is the check: exit status 0 when the bot is healthy, 1 (saying
why) when the file was written more than :data:`STALE_AFTER` ago, when a platform has failed for
good (a refused token: only a person can mend it, and the bot, still serving the others, would
not say so anywhere else than its log), or when no platform has been connected for more than
:data:`UNCONNECTED_GRACE` (an outage outlasting the libraries' reconnections, a network cut; a
Telegram webhook Telegram cannot deliver to counts as not connected). It imports nothing of the
bot but this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HEARTBEAT_VARIABLE = "JARDINIER_HEARTBEAT_FILE"
"""The environment variable naming the file; unset, the bot keeps no heartbeat."""
BEAT_EVERY = 10.0
"""Seconds between two touches of the file."""
STALE_AFTER = 60.0
"""Seconds after which an untouched file means a stuck bot: six missed beats, so that a slow
moment (a long garbage collection, a busy disk) is not taken for one."""
UNCONNECTED_GRACE = 300.0
"""Seconds without any platform connected after which the bot is unhealthy: long enough for
discord.py's reconnections and the Telegram adapter's retries to get over a short outage."""


class Link(enum.StrEnum):
    """How a platform's connection stands, as the heartbeat file says it."""

    STARTING = "starting"
    """The bot is starting (migrations, cogs): the platform is not started yet."""
    CONNECTING = "connecting"
    """Started, not connected yet (a login, a first answer awaited, an outage waited out)."""
    CONNECTED = "connected"
    """Connected and able to act (the console always is)."""
    RECONNECTING = "reconnecting"
    """Connected once, the connection lost: the library is making it again."""
    DEGRADED = "degraded"
    """Connected, but part of it does not work (``why`` says which): a shard of several
    reconnecting while the others serve, or Telegram failing to deliver updates to the webhook
    (a platform that hears nothing does not count as connected)."""
    FAILED = "failed"
    """Ended for good (a refused token): the other platforms serve on; a person must act."""
    STOPPED = "stopped"
    """Ended as asked (the bot stopping, the end of the console's input)."""


@dataclass(frozen=True)
class LinkReport:
    """One platform's line of the heartbeat file: its state, since when, and why it failed or
    what does not work (degraded)."""

    state: Link
    since: datetime
    why: str = ""


@dataclass(frozen=True)
class Links:
    """What the heartbeat file says of the platforms."""

    platforms: Mapping[str, LinkReport]
    none_connected_since: datetime | None = None
    """Since when no platform has been connected (None while one is, or while starting)."""

    def to_json(self) -> str:
        """The file's contents."""
        platforms: dict[str, dict[str, str]] = {}
        for name, report in self.platforms.items():
            line = {"state": report.state.value, "since": report.since.isoformat()}
            if report.why:
                line["why"] = report.why
            platforms[name] = line
        since = self.none_connected_since
        return json.dumps(
            {
                "platforms": platforms,
                "none_connected_since": None if since is None else since.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Links:
        """Read the file's contents; ValueError when they are not the bot's."""
        try:
            data: Any = json.loads(text)
            since = data["none_connected_since"]
            return cls(
                {
                    str(name): LinkReport(
                        Link(line["state"]),
                        datetime.fromisoformat(line["since"]),
                        str(line.get("why", "")),
                    )
                    for name, line in data["platforms"].items()
                },
                None if since is None else datetime.fromisoformat(since),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a heartbeat: {error!r}") from None


log = logging.getLogger(__name__)


def heartbeat_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """The heartbeat file ``JARDINIER_HEARTBEAT_FILE`` names, if any."""
    environ = os.environ if environ is None else environ
    named = environ.get(HEARTBEAT_VARIABLE, "").strip()
    return Path(named) if named else None


class Heartbeat:
    """Writes ``path`` at once, then every ``every`` seconds, from the running event loop, with
    what ``links`` says of the platforms (nothing without it); removes it when stopped."""

    def __init__(
        self,
        path: Path,
        *,
        every: float = BEAT_EVERY,
        links: Callable[[], Links] | None = None,
    ) -> None:
        self.path = path
        self._every = every
        self._links = links
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def start(self) -> None:
        """Begin beating (a second call does nothing)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="heartbeat")

    async def stop(self) -> None:
        """Stop beating and remove the file: a stopped bot is not a live one."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def beat(self) -> None:
        """Write the file now. A failure is logged once (until a beat succeeds), never raised:
        a health check that cannot be written must not stop the bot."""
        try:
            if self._links is None:
                self.path.touch()
            else:
                # Replaced whole: the check never reads a file half written.
                written = self.path.with_name(self.path.name + ".new")
                written.write_text(self._links().to_json(), encoding="utf-8")
                written.replace(self.path)
        except OSError as error:
            if not self._failing:
                log.warning("cannot touch the heartbeat file %s: %s", self.path, error)
            self._failing = True
        else:
            self._failing = False

    async def _run(self) -> None:
        while True:
            self.beat()
            await asyncio.sleep(self._every)


def check(
    path: Path,
    *,
    stale_after: float = STALE_AFTER,
    unconnected_grace: float = UNCONNECTED_GRACE,
    now: float | None = None,
) -> str | None:
    """Why the bot writing ``path`` is not healthy, or None when it is."""
    try:
        touched = path.stat().st_mtime
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"no heartbeat file {path}: the bot is not running, or still starting"
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read the heartbeat file {path}: {error}"
    now = time.time() if now is None else now
    age = now - touched
    if age > stale_after:
        return (
            f"the heartbeat file {path} was last touched {age:.0f} s ago (more than "
            f"{stale_after:.0f} s): the bot's event loop is stuck"
        )
    if not text.strip():
        return None  # touched only: a bot that says nothing of its platforms
    try:
        links = Links.from_json(text)
    except ValueError as error:
        return f"cannot read the heartbeat file {path}: {error}"
    failed = [
        f"{name} failed for good: {report.why or 'see the log'}"
        for name, report in sorted(links.platforms.items())
        if report.state is Link.FAILED
    ]
    if failed:
        return "; ".join(failed)
    since = links.none_connected_since
    if since is not None and now - since.timestamp() > unconnected_grace:
        return (
            f"no platform connected for {now - since.timestamp():.0f} s (more than "
            f"{unconnected_grace:.0f} s): {_states(links)}"
        )
    return None


def _states(links: Links) -> str:
    return ", ".join(
        f"{name} {report.state}"
        + (f" ({report.why})" if report.state is Link.DEGRADED and report.why else "")
        for name, report in sorted(links.platforms.items())
    )


def verdict(path: Path, *, now: float | None = None) -> str:
    """What the check says of a healthy bot: alive, and how its platforms stand."""
    alive = f"alive: {path} touched less than {STALE_AFTER:.0f} s ago"
    try:
        links = Links.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return alive
    return f"{alive}; {_states(links) or 'no platform'}"


def now_utc() -> datetime:
    """The time of day, in UTC, as the heartbeat file gives it (the bot's clock may be a test's
    or the console's: the check compares with the real one)."""
    return datetime.now(UTC)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The health check: 0 when the bot beats, 1 (saying why on stdout) when it does not."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else heartbeat_file(environ)
    if path is None:
        print(f"no heartbeat file: set {HEARTBEAT_VARIABLE}, or name the file")
        return 1
    trouble = check(path)
    if trouble is not None:
        print(trouble)
        return 1
    print(verdict(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
