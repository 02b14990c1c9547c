"""How each platform's connection stands, as the core follows it for the heartbeat file.

The core knows when a platform starts, when its :meth:`~bot.platform.Platform.ready` returns
(connected) and when its ``start`` ends (stopped, or failed for good when it raised). Losing a
connection once made is known only to the adapter: one that can tell implements
:class:`Reconnects` (a method, nothing to import), and is then asked at each beat. One that can
tell a part of its connection lost while the rest works (a shard of several, a webhook Telegram
cannot deliver to) implements :class:`Degrades` too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.errors import JardinierError
from bot.heartbeat import Link, LinkReport, Links, now_utc
from bot.platform import Platform

_ONCE_CONNECTED = frozenset({Link.CONNECTED, Link.RECONNECTING, Link.DEGRADED})
"""The states of a platform that connected (the adapter says which, at each beat)."""


@runtime_checkable
class Reconnects(Protocol):
    """An adapter that can say its connection, once made, is lost and being made again."""

    def reconnecting(self) -> bool:
        """Whether the connection is lost now and the library is making it again."""


@dataclass(frozen=True)
class Degraded:
    """What part of a platform's connection does not work, while the rest does."""

    why: str
    """Said for the person reading the heartbeat file: ``shard 2 reconnecting; 3 of 4 shards
    connected``."""
    deaf: bool = False
    """Whether no event comes in at all (the platform can still act): it then does not count
    as connected, and the health check's grace runs."""


@runtime_checkable
class Degrades(Protocol):
    """An adapter that can say a part of its connection is lost while the rest works."""

    def degraded(self) -> Degraded | None:
        """What does not work now, or None when all of it does."""


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
        self._deaf: dict[str, bool] = {}
        self._started = started
        self._serving = False
        self._none_connected_since: datetime | None = None
        self._settled = asyncio.Event()

    def report(self, name: str) -> LinkReport:
        """How the connection of the platform ``name`` stands now."""
        report = self._reports.get(name) or LinkReport(Link.STARTING, self._started)
        if report.state in _ONCE_CONNECTED:
            platform = self._platforms.get(name)
            lost = isinstance(platform, Reconnects) and platform.reconnecting()
            part = None if lost or not isinstance(platform, Degrades) else platform.degraded()
            self._deaf[name] = part is not None and part.deaf
            if lost:
                state, why = Link.RECONNECTING, ""
            elif part is not None:
                state, why = Link.DEGRADED, part.why
            else:
                state, why = Link.CONNECTED, ""
            if state is not report.state:
                report = self._reports[name] = LinkReport(state, self._now(), why)
            elif why != report.why:  # what is lost changed, not since when some is
                report = self._reports[name] = LinkReport(state, report.since, why)
        return report

    def links(self) -> Links:
        """What the heartbeat file says now."""
        reports = {name: self.report(name) for name in self._platforms}
        if not self._serving or any(
            report.state is Link.CONNECTED
            or (report.state is Link.DEGRADED and not self._deaf.get(name, False))
            for name, report in reports.items()
        ):
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
        """The platforms connected now (or reconnecting: they were; or degraded), in name
        order."""
        return sorted(
            name for name in self._platforms if self.report(name).state in _ONCE_CONNECTED
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
