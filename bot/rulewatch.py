"""Reloading the rule book when its files change, as ``/rules_reload`` and SIGHUP do.

The folder is watched with watchfiles (inotify on Linux, FSEvents on macOS; polling where the
file system sends no events, e.g. some network or container mounts: set
``WATCHFILES_FORCE_POLLING=1``). An editor's save is several writes (a temporary file, a rename):
changes are gathered until the folder has been quiet a moment, then the book is reloaded once.
Only ``.yaml``/``.yml`` files count. A reload validates everything first; a broken save leaves
the running rules in place and says why in the log and the mod-log, as any reload does.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path, PurePath
from typing import Any

from bot.errors import JardinierError

log = logging.getLogger(__name__)

VARIABLE = "JARDINIER_WATCH_RULES"
QUIET_MS = 300
"""How long the folder must be quiet before the changes are read (one save, one reload)."""
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def watching_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``JARDINIER_WATCH_RULES`` asks for reloads on file change (on by default)."""
    environ = os.environ if environ is None else environ
    value = environ.get(VARIABLE, "").strip().casefold()
    if not value or value in _ON:
        return True
    if value in _OFF:
        return False
    raise JardinierError(f"{VARIABLE}={environ[VARIABLE]!r}: write 1 (watch the rules) or 0 (not)")


def is_rule_file(_change: Any, path: str) -> bool:
    """Whether a changed ``path`` belongs to the rule book (editors' temporary files do not)."""
    name = os.path.basename(path)
    # As the rule book reads them: the extension in any case (an override saved as .YAML).
    return name.lower().endswith((".yaml", ".yml")) and not name.startswith(".")


class RuleWatcher:
    """Calls ``reload`` after each burst of changes to the rule files under ``directory``."""

    def __init__(self, directory: Path, reload: Callable[[], Awaitable[object]]) -> None:
        self.directory = directory
        self._reload = reload
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        """Set once the watch is in place (or has failed): changes from then on are seen."""

    def start(self) -> None:
        """Watch in the background until :meth:`stop`."""
        self._stop.clear()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="rule-watcher")

    async def stop(self) -> None:
        """Stop watching; a reload in progress finishes first."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        from watchfiles import awatch  # loaded only by a serving bot: keeps `--help` quick

        try:
            watch = awatch(
                self.directory,
                watch_filter=is_rule_file,
                step=QUIET_MS,
                stop_event=self._stop,
                yield_on_timeout=True,  # the first (empty) answer says the watch is in place
                rust_timeout=1_000,
            )
            async for changes in watch:
                self.ready.set()
                if not changes:
                    continue
                names = sorted({PurePath(path).name for _, path in changes})
                log.info("rule book changed (%s): reloading", ", ".join(names))
                try:
                    await self._reload()
                except Exception:
                    log.exception("reloading the changed rule book failed; the running rules stay")
        except Exception as error:  # no watch (inotify limit, folder gone): the bot serves on
            log.warning(
                "not watching %s for changes (%s); /rules_reload and SIGHUP still reload it",
                self.directory,
                error,
            )
        finally:
            self.ready.set()
