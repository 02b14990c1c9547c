"""Reloading the rule book when its files change, as ``/rules_reload`` and SIGHUP do.

The folder is watched with watchfiles (inotify on Linux, FSEvents on macOS; polling where the
file system sends no events, e.g. some network or container mounts: set
``WATCHFILES_FORCE_POLLING=1``). An editor's save is several writes (a temporary file, a rename):
changes are gathered until the folder has been quiet a moment, then the book is reloaded once.
A change counts when it is to a ``.yaml``/``.yml`` file, or when a file the book reads is another
one now: read through symlinks, as the book reads it, so that swapping the folder a symlink points
to (a Kubernetes ConfigMap's ``..data``) is a change, while an editor's swap file is not. A folder
replaced by another (``mv rules rules.old; cp -r rules.old rules``) is watched anew, and the files
saved before the watch was in place (while the bot started) are read once it is. A reload
validates everything first; a broken save leaves the running rules in place and says why in the
log and the mod-log, as any reload does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path, PurePath
from typing import Any

from bot.errors import JardinierError

log = logging.getLogger(__name__)

VARIABLE = "JARDINIER_WATCH_RULES"
QUIET_MS = 300
"""How long the folder must be quiet before the changes are read (one save, one reload)."""
CHECK_MS = 1_000
"""How often, at the latest, the watcher looks whether its folder is still the same folder."""
GONE_GRACE_S = 1.0
"""How long a folder that vanished may take to be back (a copy put in its place) before the
watcher says it is gone."""
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}
_YAML = (".yaml", ".yml")

FileState = tuple[int, ...] | None
"""What a file looks like on disk (device, inode, size, times); ``None``: it cannot be read."""


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
    return name.lower().endswith(_YAML) and not name.startswith(".")


def may_change_the_book(change: Any, path: str) -> bool:
    """Whether a change at ``path`` may change what the book reads: a rule file, or an entry that
    may lead to one (a folder, a symlink such as a ConfigMap's ``..data``, something deleted).
    Another plain file (an editor's swap file, a backup, notes) changes nothing."""
    if is_rule_file(change, path):
        return True
    return not os.path.isfile(path) or os.path.islink(path)


def rule_files_state(directory: Path) -> dict[str, FileState]:
    """The files of the book in ``directory`` (its sections, the overrides and the other folders
    the book warns about), each as it is on disk now, symlinks followed as the book follows them.

    A save, a file renamed over another, a symlinked folder swapped: each changes the state.
    """
    state: dict[str, FileState] = {}
    for entry, name in _visible(directory, ""):
        if _is_folder(entry):
            for inner, inner_name in _visible(entry, f"{name}/"):
                if inner_name.lower().endswith(_YAML):
                    state[inner_name] = _file_state(inner)
        elif name.lower().endswith(_YAML):
            state[name] = _file_state(entry)
    return state


def _visible(folder: Path, prefix: str) -> list[tuple[Path, str]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [(entry, prefix + entry.name) for entry in entries if not entry.name.startswith(".")]


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _file_state(path: Path) -> FileState:
    try:
        found = path.stat()
    except OSError:
        return None
    # The change time too: a copy that keeps the old modification time (cp -p) still changes it.
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _folder_identity(directory: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(directory)
    except OSError:
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISDIR(found.st_mode) else None


class RuleWatcher:
    """Calls ``reload`` after each burst of changes to the rule files under ``directory``.

    The files are remembered as they are when the watcher is made: made before the rule book's
    user starts and started after, it reloads a file saved in between once the watch is in place.
    """

    def __init__(self, directory: Path, reload: Callable[[], Awaitable[object]]) -> None:
        self.directory = directory
        self._reload = reload
        self._seen = rule_files_state(directory)
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
            while not self._stop.is_set():
                # The folder as it is now: a watch follows it, even renamed away or deleted.
                folder = _folder_identity(self.directory)
                watch = awatch(
                    self.directory,
                    watch_filter=may_change_the_book,
                    step=QUIET_MS,
                    stop_event=self._stop,
                    yield_on_timeout=True,  # the first (empty) answer says the watch is in place
                    rust_timeout=CHECK_MS,
                )
                async with contextlib.aclosing(watch):
                    await self._follow(watch, folder)
        except Exception as error:  # no watch (inotify limit, folder gone): the bot serves on
            log.warning(
                "not watching %s for changes (%s); /rules_reload and SIGHUP still reload it",
                self.directory,
                error,
            )
        finally:
            self.ready.set()

    async def _follow(
        self, watch: AsyncIterator[set[tuple[Any, str]]], folder: tuple[int, int] | None
    ) -> None:
        """Reload on changes until stopped, or until ``folder`` is replaced by another one."""
        compared = False  # once the watch is in place: what was saved before it is not missed
        gone = False
        async for changes in watch:
            now = _folder_identity(self.directory)
            if now is None and not gone:
                now = await self._back_within_grace()
            if now is None:
                if not gone:
                    gone = True
                    log.warning(
                        "not watching %s any more: the folder is gone; the running rules stay, "
                        "and the folder is watched again once it is back",
                        self.directory,
                    )
            elif now != folder:
                log.info("%s is another folder now: watching it", self.directory)
                return
            else:
                if gone:
                    gone = compared = False
                    log.info("%s is back: watching it again", self.directory)
                if changes or not compared:
                    compared = True
                    await self._reload_if_changed(changes)
            if not gone and not self.ready.is_set():
                log.info("watching %s for changes", self.directory)
            self.ready.set()

    async def _back_within_grace(self) -> tuple[int, int] | None:
        """The folder, if it is back within :data:`GONE_GRACE_S` (a copy put in its place)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GONE_GRACE_S
        while loop.time() < deadline and not self._stop.is_set():
            await asyncio.sleep(0.1)
            now = _folder_identity(self.directory)
            if now is not None:
                return now
        return None

    async def _reload_if_changed(self, changes: set[tuple[Any, str]]) -> None:
        state = await asyncio.to_thread(rule_files_state, self.directory)
        before = self._seen
        changed = sorted(
            name for name in state.keys() | before.keys() if state.get(name) != before.get(name)
        )
        saved = sorted(
            {PurePath(path).name for change, path in changes if is_rule_file(change, path)}
        )
        if not changed and not saved:
            return
        # Remembered before reading: a save during the reload is a change the next time.
        self._seen = state
        log.info("rule book changed (%s): reloading", ", ".join(changed or saved))
        try:
            await self._reload()
        except Exception:
            log.exception("reloading the changed rule book failed; the running rules stay")
