"""How each platform's connection stands, as the core follows it for the heartbeat file.

The core knows when a platform starts, when its :meth:`~bot.platform.Platform.ready` returns
(connected) and when its ``start`` ends (stopped, or failed for good when it raised). Losing a
connection once made is known only to the adapter: one that can tell implements
:class:`Reconnects` (a method, nothing to import), and is then asked at each beat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.errors import JardinierError
from bot.heartbeat import Link, LinkReport, Links, now_utc
from bot.platform import Platform


@runtime_checkable
class Reconnects(Protocol):
    """An adapter that can say its connection, once made, is lost and being made again."""

    def reconnecting(self) -> bool:
        """Whether the connection is lost now and the library is making it again."""


def why_failed(error: BaseException) -> str:
    """Why a platform failed, as the heartbeat file says it: a :class:`JardinierError`'s
    sentence (written for the person who must act, without secrets), else only the exception's
    type: its text may hold what the log's redactor alone masks (a URL with the token)."""
    if isinstance(error, JardinierError):
        return str(error)
    return f"{type(error).__name__} (see the log)"


class Connections:
    """Each platform's :class:`Link`, since when, and since when none has been connected."""

    def __init__(
        self,
        platforms: Mapping[str, Platform],
        *,
        now: Callable[[], datetime] = now_utc,
        changed: Callable[[], object] | None = None,
    ) -> None:
        self._platforms = platforms
        self._now = now
        self.changed = changed
        """Called after each change the core reports (the heartbeat writes it at once)."""
        started = now()
        self._reports: dict[str, LinkReport] = {}
        self._started = started
        self._serving = False
        self._none_connected_since: datetime | None = None
        self._settled = asyncio.Event()

    def report(self, name: str) -> LinkReport:
        """How the connection of the platform ``name`` stands now."""
        report = self._reports.get(name) or LinkReport(Link.STARTING, self._started)
        if report.state is Link.CONNECTED or report.state is Link.RECONNECTING:
            platform = self._platforms.get(name)
            lost = isinstance(platform, Reconnects) and platform.reconnecting()
            state = Link.RECONNECTING if lost else Link.CONNECTED
            if state is not report.state:
                report = self._reports[name] = LinkReport(state, self._now())
        return report

    def links(self) -> Links:
        """What the heartbeat file says now."""
        reports = {name: self.report(name) for name in self._platforms}
        if not self._serving or any(r.state is Link.CONNECTED for r in reports.values()):
            self._none_connected_since = None
        elif self._none_connected_since is None:
            self._none_connected_since = self._now()
        return Links(reports, self._none_connected_since)

    def connecting(self, name: str) -> None:
        """The platform ``name`` is started."""
        self._serving = True
        self._set(name, LinkReport(Link.CONNECTING, self._now()))

    def connected(self, name: str) -> None:
        """The platform ``name`` is ready: connected, and able to act."""
        self._set(name, LinkReport(Link.CONNECTED, self._now()))

    def failed(self, name: str, error: BaseException) -> None:
        """The platform ``name`` ended for good, raising ``error``."""
        self._set(name, LinkReport(Link.FAILED, self._now(), why_failed(error)))

    def stopped(self, name: str) -> None:
        """The platform ``name`` ended as asked."""
        self._set(name, LinkReport(Link.STOPPED, self._now()))

    def connected_names(self) -> list[str]:
        """The platforms connected now (or reconnecting: they were), in name order."""
        return sorted(
            name
            for name in self._platforms
            if self.report(name).state in (Link.CONNECTED, Link.RECONNECTING)
        )

    def failed_names(self) -> list[str]:
        """The platforms that failed for good, in name order."""
        return sorted(name for name in self._platforms if self.report(name).state is Link.FAILED)

    async def settled(self) -> None:
        """Return once every platform has connected, or ended (failed or stopped)."""
        await self._settled.wait()

    def _set(self, name: str, report: LinkReport) -> None:
        self._reports[name] = report
        if all(
            name in self._reports and self._reports[name].state is not Link.CONNECTING
            for name in self._platforms
        ):
            self._settled.set()
        if self.changed is not None:
            self.changed()
