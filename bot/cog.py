"""The base of every cog: listeners, commands, scheduled jobs, its rule-book section, its data.

A cog is a package ``cogs/<name>/`` whose ``__init__.py`` exposes its class as ``COG``. It never
imports discord, telegram or an adapter: it sees neutral events and acts through ``self.actions``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel

from bot.bus import Priority
from bot.events import CommunityRef, Event, UserRef
from bot.marks import marked_attributes

if TYPE_CHECKING:
    from bot.actions import Actions
    from bot.core import Jardinier

_LISTENER = "__jardinier_listener__"
_JOB = "__jardinier_job__"

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def listener(
    event_type: type[Event], *, priority: int = Priority.NORMAL, include_removed: bool = False
) -> Callable[[F], F]:
    """Mark a cog method as a listener of ``event_type``."""

    def mark(function: F) -> F:
        setattr(function, _LISTENER, (event_type, int(priority), include_removed))
        return function

    return mark


def job(function: F) -> F:
    """Mark a cog method as a scheduled-job handler (called with the job's plain arguments).

    A handler that raises is logged and not run again: it may have done part of its work (an
    announcement posted before a database write failed), and a second run would repeat it.
    """
    setattr(function, _JOB, True)
    return function


def retried_job(function: F) -> F:
    """Mark a cog method as a scheduled-job handler that is safe to run again: one that raises
    (the database locked) is tried again a few minutes later, and so is the cog's handling of
    its job found missed (see :data:`bot.scheduler.RETRY_DELAYS`); after the last try, the cog
    hears of it (:meth:`Cog.on_job_given_up`). For work a second run cannot repeat, such as a
    lift: lifting what is already lifted changes nothing."""
    setattr(function, _JOB, "retried")
    return function


class Cog:
    """A feature of the bot. Subclasses set ``name`` and usually ``config_model``."""

    name: ClassVar[str]
    config_model: ClassVar[type[BaseModel] | None] = None

    def __init__(self, core: Jardinier) -> None:
        self.core = core
        self.log = logging.getLogger(f"cogs.{self.name}")

    @property
    def actions(self) -> Actions:
        """What the cog can do on the platforms (send, delete, timeout…)."""
        return self.core.actions

    async def publish(self, event: Event) -> None:
        """Tell the other cogs something happened (e.g. ``ContestWon``), through the bus."""
        await self.core.bus.publish(event)

    def config(self, community: CommunityRef | None = None) -> Any:
        """This cog's section of the rule book, with the community's overrides applied."""
        return self.core.rules.current.section(self.name, community)

    @classmethod
    def cannot_run_here(cls, section: BaseModel) -> list[str]:
        """What the enabled parts of ``section`` (this cog's rule-book section) need and this
        machine lacks, one line each: ``jardinier check-rules`` warns of it, the book being
        valid all the same. Nothing, unless a cog says otherwise."""
        return []

    async def setup(self) -> None:
        """Called once the cog is loaded, before events flow."""

    async def rules_applied(self) -> None:
        """Called once the bot has started and after every rule-book reload.

        The place to bring scheduled jobs in line with the rules (recurring challenges). On a
        platform's start (``jardinier run``) it comes before the jobs that fell due while the bot
        was away run, once the platforms connect: a job changed here runs as changed.
        """

    async def teardown(self) -> None:
        """Called when the bot stops."""

    async def caught_up(self, *, slow: bool = False) -> None:
        """Wait until the work queued for the events handled so far is done.

        For cogs that finish an event's work in the background (the netiquette's enforcement
        queue); replay and tests call it between events. Slow checks (toxicity), which the live
        bot lets finish in their own time, are waited for only when ``slow`` (the replay).
        """

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A job was due while the bot was down, past its grace time. Default: log it.

        A cog that overrides this calls it first and then says, to the mod-log where it matters,
        what it does instead (runs the job late, or tells the moderators it was not done): the
        log does not claim the job will not run unless the cog left that to this default."""
        if type(self).on_job_missed is Cog.on_job_missed:
            self.log.warning("job %s (%s) missed by %s; it will not run", job_id, handler, late_by)
        else:
            self.log.warning("job %s (%s) missed by %s", job_id, handler, late_by)

    async def on_job_given_up(self, handler: str, job_id: str, kwargs: dict[str, Any]) -> None:
        """A one-off job (or the handling of it missed) failed every try (see
        :func:`retried_job`) and will not run again: what it owed is left undone. The failure
        is already in the log; the place to tell the people who can do it by hand. Default:
        nothing."""

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """Everything this cog keeps about ``user`` in ``community`` (data-subject access)."""
        return {}

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget ``user`` in ``community`` (data-subject erasure)."""

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the members' details this cog keeps in ``community`` from before ``cutoff``
        (the rule book's ``retention``), save what it still needs; how many rows went.

        Asked once a day by :mod:`bot.retention`: delete in batches
        (:func:`bot.retention.delete_in_batches`), and let a refusal of the database raise (the
        sweep tries again later). Totals that hold no one's details stay. Default: nothing.
        """
        return 0

    async def members_still_needed(self, community: CommunityRef) -> set[str]:
        """The user ids of ``community`` whose member record (name, joined, left) this cog
        still needs, whatever its age: those named in what it keeps, which may look them up
        (a ban to lift by id, who left to leave out of a ranking or a draw).

        Asked by the retention sweep after :meth:`forget_before`: the record of a member who
        left before the cutoff is forgotten unless a cog names them here. Asked of a cog turned
        off too; one that raises keeps every record that day. Default: none.
        """
        return set()

    def listeners(self) -> list[tuple[type[Event], int, bool, Callable[[Event], Awaitable[None]]]]:
        """The methods marked with :func:`listener`, bound, in declaration order."""
        found = []
        for attribute in marked_attributes(type(self), _LISTENER):
            method = getattr(self, attribute)
            event_type, priority, include_removed = getattr(method, _LISTENER)
            found.append((event_type, priority, include_removed, method))
        return found

    def job_handler(self, handler: str) -> Callable[..., Awaitable[None]] | None:
        """The method marked with :func:`job` (or :func:`retried_job`) called ``handler``."""
        method = getattr(self, handler, None)
        return method if method is not None and getattr(method, _JOB, False) else None

    def job_retried(self, handler: str) -> bool:
        """Whether the job handler ``handler`` is safe to run again (:func:`retried_job`)."""
        return getattr(getattr(self, handler, None), _JOB, False) == "retried"
