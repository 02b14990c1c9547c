"""A file the running bot touches from its event loop, and the check of its age: a liveness
signal a container's health check reads without a network port.

A wedged event loop (a blocking call, a deadlock) stops touching the file, while the process
lives on and, at the default WARNING level, logs nothing: only the file's age tells.

``python -m bot.heartbeat [FILE]`` is the check: exit status 0 when the file was touched less than
:data:`STALE_AFTER` ago, 1 otherwise. It imports nothing of the bot but this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

HEARTBEAT_VARIABLE = "JARDINIER_HEARTBEAT_FILE"
"""The environment variable naming the file; unset, the bot keeps no heartbeat."""
BEAT_EVERY = 10.0
"""Seconds between two touches of the file."""
STALE_AFTER = 60.0
"""Seconds after which an untouched file means a stuck bot: six missed beats, so that a slow
moment (a long garbage collection, a busy disk) is not taken for one."""

log = logging.getLogger(__name__)


def heartbeat_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """The heartbeat file ``JARDINIER_HEARTBEAT_FILE`` names, if any."""
    environ = os.environ if environ is None else environ
    named = environ.get(HEARTBEAT_VARIABLE, "").strip()
    return Path(named) if named else None


class Heartbeat:
    """Touches ``path`` at once, then every ``every`` seconds, from the running event loop;
    removes it when stopped."""

    def __init__(self, path: Path, *, every: float = BEAT_EVERY) -> None:
        self.path = path
        self._every = every
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
        """Touch the file now. A failure is logged once (until a beat succeeds), never raised:
        a health check that cannot be written must not stop the bot."""
        try:
            self.path.touch()
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


def check(path: Path, *, stale_after: float = STALE_AFTER, now: float | None = None) -> str | None:
    """Why the bot touching ``path`` is not alive, or None when it is."""
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat file {path}: the bot is not running, or still starting"
    except OSError as error:
        return f"cannot read the heartbeat file {path}: {error}"
    age = (time.time() if now is None else now) - touched
    if age > stale_after:
        return (
            f"the heartbeat file {path} was last touched {age:.0f} s ago (more than "
            f"{stale_after:.0f} s): the bot's event loop is stuck"
        )
    return None


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
    print(f"alive: {path} touched less than {STALE_AFTER:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
