"""Strike points: they fade with time, and reaching a step of the ladder brings its sanction.

Points live on the cases that gave them; a pardoned case counts no more. With ``decay: expiry``
a point counts fully until it expires; with ``decay: half_life`` it halves every half-life. A
step of the ladder is reached by the case that takes the member's points, counted within the
step's window, from below its threshold to at least it; the highest step reached applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cogs.netiquette.cases import CaseRecord
from cogs.netiquette.config import LadderStep, StrikesConfig

EPSILON = 1e-9
HALF_LIVES_COUNTED = 10
"""Half-lives after which a point is taken as gone (it weighs under 0.1% of a point)."""
LADDER_RULE = "strikes"
"""The rule a ladder step's case records (and ``ModerationRecorded`` tells): a name of the data,
the same in every language; what members and moderators read is the texts' ``ladder_by``."""


def weight(age: timedelta, config: StrikesConfig) -> float:
    """How much of a point given ``age`` ago still counts."""
    if age < timedelta(0):
        age = timedelta(0)
    if config.decay == "expiry":
        return 1.0 if age < config.expiry else 0.0
    return float(0.5 ** (age / config.half_life))


def active_points(
    cases: Iterable[CaseRecord],
    now: datetime,
    config: StrikesConfig,
    *,
    within: timedelta | None = None,
) -> float:
    """The points of ``cases`` that count at ``now`` (given within ``within`` when set)."""
    total = 0.0
    for case in cases:
        if case.points <= 0 or case.pardoned_at is not None:
            continue
        age = now - case.created_at
        if within is not None and age >= within:
            continue
        total += case.points * weight(age, config)
    return total


def step_reached(
    earlier: list[CaseRecord], new: CaseRecord, now: datetime, config: StrikesConfig
) -> tuple[LadderStep, float] | None:
    """The highest step ``new`` makes the member reach, with the points counted for it."""
    if new.points <= 0:
        return None
    for step in reversed(config.ladder):
        before = active_points(earlier, now, config, within=step.within)
        after = active_points([*earlier, new], now, config, within=step.within)
        if before < step.points - EPSILON and after >= step.points - EPSILON:
            return step, after
    return None


def counted_for(config: StrikesConfig) -> timedelta:
    """How long a case's points may still count, on the ladder or in ``/strikes``: its longest
    window, and the decay (``expiry``, or :data:`HALF_LIVES_COUNTED` half-lives)."""
    fades = config.expiry if config.decay == "expiry" else config.half_life * HALF_LIVES_COUNTED
    windows = [step.within for step in config.ladder if step.within is not None]
    return max([fades, *windows])
