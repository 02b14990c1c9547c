"""The event bus: hands each neutral event to the cogs' listeners, in a defined order.

Order: listener priority first (moderation before observation), then the cog's place in the rule
book's ``cogs`` list, then declaration order. A listener may mark a message as removed (the
netiquette cog deleted it): later listeners skip that message unless they asked to see removed
ones. A failing listener is logged and never stops the others.
"""

from __future__ import annotations

import enum
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.events import CommunityRef, Event, MessageDeleted, MessageRef

log = logging.getLogger(__name__)

MAX_REMOVED_REMEMBERED = 10_000
MAX_PLANS = 1_000
"""Dispatch plans kept (event type × set of serving cogs); a rule-book reload makes new sets."""


class Priority(enum.IntEnum):
    """When a listener runs relative to the others."""

    MODERATION = 0  # may remove the message before anyone else sees it
    NORMAL = 50
    OBSERVATION = 100  # counts what is left


@dataclass(order=True, frozen=True)
class Listener:
    """One subscription of a cog to an event type."""

    sort_key: tuple[int, int, int]
    cog: str = field(compare=False)
    event_type: type[Event] = field(compare=False)
    callback: Callable[[Event], Awaitable[None]] = field(compare=False)
    include_removed: bool = field(default=False, compare=False)


class _Plan(NamedTuple):
    """What an event of one type, in a community served by one set of cogs, goes through."""

    steps: tuple[tuple[str, Callable[[Event], Awaitable[None]], bool], ...]
    """Each listener's cog, callback, and whether it sees removed messages, in order."""
    reads_message: bool
    """Whether the event's message is looked up, to skip the listeners if it was removed:
    never for a deletion (it reaches everyone), nor when every listener sees removed ones."""


class EventBus:
    """Dispatches events to listeners; ``serving(community)`` names the cogs that hear it."""

    def __init__(self, serving: Callable[[CommunityRef], Container[str]] | None = None) -> None:
        self._listeners: list[Listener] = []
        # Every event of a type goes to the same listeners: resolved once per type, not per event.
        self._by_type: dict[type[Event], tuple[Listener, ...]] = {}
        self._serving = serving
        # Removed messages by their references' ids tuples (what a reference compares by):
        # hashed and compared in C, where the reference's own __hash__ is a Python call.
        self._removed: OrderedDict[tuple[str, ...], None] = OrderedDict()
        self._removals = 0
        """How many messages were marked removed so far: a listener that saw this number
        unchanged knows no removal happened since, without looking the message up."""
        # For each event type and set of serving cogs: the callbacks to run, in order, and
        # whether each sees removed messages. Worked out on the first event of that kind.
        self._plans: dict[tuple[type[Event], Container[str] | None], _Plan] = {}
        self._counter = 0

    def subscribe(
        self,
        cog: str,
        event_type: type[Event],
        callback: Callable[[Event], Awaitable[None]],
        *,
        priority: int = Priority.NORMAL,
        cog_rank: int = 0,
        include_removed: bool = False,
    ) -> None:
        """Call ``callback`` for every event of ``event_type`` (subclasses included)."""
        self._counter += 1
        listener = Listener(
            (int(priority), cog_rank, self._counter), cog, event_type, callback, include_removed
        )
        self._listeners.append(listener)
        self._listeners.sort()
        self._by_type.clear()
        self._plans.clear()

    def unsubscribe_cog(self, cog: str) -> None:
        """Drop every listener of ``cog``."""
        self._listeners = [listener for listener in self._listeners if listener.cog != cog]
        self._by_type.clear()
        self._plans.clear()

    def mark_removed(self, message: MessageRef) -> None:
        """Say that ``message`` was removed: later listeners skip it."""
        self._removals += 1
        key = message._identity
        self._removed[key] = None
        self._removed.move_to_end(key)
        while len(self._removed) > MAX_REMOVED_REMEMBERED:
            self._removed.popitem(last=False)

    def is_removed(self, message: MessageRef) -> bool:
        """Whether a listener removed ``message``."""
        return message._identity in self._removed

    def listeners_of(self, event_type: type[Event]) -> tuple[Listener, ...]:
        """The listeners an event of ``event_type`` goes to, in order (subclasses included)."""
        found = self._by_type.get(event_type)
        if found is None:
            found = tuple(
                listener
                for listener in self._listeners
                if issubclass(event_type, listener.event_type)
            )
            self._by_type[event_type] = found
        return found

    def _plan(self, event_type: type[Event], serving: Container[str] | None) -> _Plan:
        steps = tuple(
            (listener.cog, listener.callback, listener.include_removed)
            for listener in self.listeners_of(event_type)
            if serving is None or listener.cog in serving
        )
        # A deletion still reaches everyone: it is how a cog learns to forget the message.
        plan = _Plan(
            steps,
            reads_message=not issubclass(event_type, MessageDeleted)
            and any(not include_removed for _cog, _callback, include_removed in steps),
        )
        if serving is None or isinstance(serving, frozenset):  # the core's: kept
            if len(self._plans) >= MAX_PLANS:
                self._plans.clear()
            self._plans[event_type, serving] = plan
        return plan

    async def publish(self, event: Event) -> None:
        """Run every matching listener, in order, one after the other."""
        kind = type(event)
        serving = None if self._serving is None else self._serving(event.community)
        plan = (
            self._plans.get((kind, serving))
            if serving is None or isinstance(serving, frozenset)
            else None
        )
        if plan is None:
            plan = self._plan(kind, serving)
        message: MessageRef | None = (
            getattr(event, "message", None) if plan.reads_message else None
        )
        if message is None:  # no removal to skip: every listener runs
            for cog, callback, _include_removed in plan.steps:
                try:
                    await callback(event)
                except Exception:
                    log.exception(
                        "cog %s failed on %s; the other listeners go on", cog, kind.__name__
                    )
            return
        key = message._identity
        removed_messages = self._removed
        removed = key in removed_messages
        removals = self._removals
        for cog, callback, include_removed in plan.steps:
            if not include_removed:
                if removals != self._removals:  # a listener before removed a message
                    removals = self._removals
                    removed = key in removed_messages
                if removed:
                    continue
            try:
                await callback(event)
            except Exception:
                log.exception("cog %s failed on %s; the other listeners go on", cog, kind.__name__)
