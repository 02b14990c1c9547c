"""What a purge could not delete, and the one refusal that tells it (Discord's and Telegram's
purges alike): a purge goes on past each refusal, then reports once, at the end."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.platform import PlatformError

log = logging.getLogger(__name__)


@dataclass
class Leftover:
    """Messages a purge could not delete, and why."""

    refusal: PlatformError
    count: int


def purge_refusal(left: Sequence[Leftover]) -> PlatformError:
    """The one refusal a purge reports: the reason that left the most messages, naming every
    channel where messages stayed for it, with ``not_deleted`` counting all that stayed (every
    reason is logged with its count)."""
    by_reason: dict[tuple[str, tuple[tuple[str, str | int], ...]], list[Leftover]] = {}
    for leftover in left:
        values = leftover.refusal.values
        reason = tuple(sorted((name, value) for name, value in values.items() if name != "where"))
        by_reason.setdefault((leftover.refusal.key, reason), []).append(leftover)
    for same in by_reason.values():
        count = sum(leftover.count for leftover in same)
        log.warning(
            "purge: %d message(s) not deleted in %s: %s", count, _places(same), same[0].refusal
        )
    worst = max(by_reason.values(), key=lambda same: sum(leftover.count for leftover in same))
    return worst[0].refusal.with_values(
        where=_places(worst), not_deleted=sum(leftover.count for leftover in left)
    )


def _places(left: Sequence[Leftover]) -> str:
    places = dict.fromkeys(str(leftover.refusal.values.get("where", "")) for leftover in left)
    return ", ".join(place for place in places if place)
