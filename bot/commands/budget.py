"""How many commands a member may run in a community's channels in a while, all its channels
together: one member must not make the bot flood them with answers (``/help``, ``/top``,
``/rank``… typed again and again, in one channel or going from one to the next)."""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.events import MemberRef

COMMANDS_PER_WINDOW = 10
"""Commands a member may run within :data:`WINDOW` in each community, its channels together."""
WINDOW = timedelta(minutes=1)
MEMBERS_REMEMBERED = 10_000
"""Members whose recent commands are kept, all communities together; the one quiet longest is
forgotten first (and may then run a few commands more)."""


@dataclass
class _Spent:
    times: deque[datetime] = field(default_factory=deque)
    told: bool = False
    """Whether the member was told this time that they are over it (told once)."""


@dataclass(frozen=True)
class Refusal:
    """A command over the budget: how long until the member may run one, and whether they were
    already told so."""

    wait: timedelta
    told_before: bool


class CommandBudget:
    """Each member's commands of the last :data:`WINDOW`, per community, in bounded memory."""

    def __init__(
        self,
        *,
        allowed: int = COMMANDS_PER_WINDOW,
        window: timedelta = WINDOW,
        remembered: int = MEMBERS_REMEMBERED,
    ) -> None:
        self.allowed = allowed
        self.window = window
        self.remembered = remembered
        self._spent: OrderedDict[tuple[str, str], _Spent] = OrderedDict()

    def spend(self, member: MemberRef, now: datetime) -> Refusal | None:
        """Count a command ``member`` runs ``now``; a :class:`Refusal` if it is one too many
        (then it is not counted: a member who keeps typing is not kept out longer)."""
        key = (member.community.key, member.user.id)
        spent = self._spent.pop(key, None) or _Spent()
        self._spent[key] = spent
        while len(self._spent) > self.remembered:
            self._spent.popitem(last=False)
        while spent.times and (spent.times[0] <= now - self.window or spent.times[0] > now):
            spent.times.popleft()  # out of the window (or ahead of a clock set back)
        if len(spent.times) < self.allowed:
            spent.times.append(now)
            spent.told = False
            return None
        told_before, spent.told = spent.told, True
        # In whole seconds, rounded up: "try again in 1 second" is never too soon.
        seconds = math.ceil((spent.times[0] + self.window - now).total_seconds())
        return Refusal(timedelta(seconds=max(seconds, 1)), told_before)
