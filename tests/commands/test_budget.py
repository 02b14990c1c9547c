"""A member's commands in a channel, a few a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands.budget import CommandBudget
from bot.events import CommunityRef, MemberRef, UserRef

NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)


def member(name: str, community: str = "c1") -> MemberRef:
    return MemberRef(CommunityRef("fake", community), UserRef("fake", name, name))


def test_the_budget_is_each_members_in_each_community_and_comes_back_as_time_passes() -> None:
    budget = CommandBudget(allowed=2, window=timedelta(minutes=1))
    alice = member("alice")
    assert budget.spend(alice, NOON) is None
    assert budget.spend(alice, NOON + timedelta(seconds=20)) is None
    refused = budget.spend(alice, NOON + timedelta(seconds=30))
    assert refused is not None
    assert (refused.wait, refused.told_before) == (timedelta(seconds=30), False)
    again = budget.spend(alice, NOON + timedelta(seconds=31))
    assert again is not None
    assert again.told_before
    assert budget.spend(member("bob"), NOON) is None
    assert budget.spend(member("alice", "c2"), NOON) is None
    # The first command is a minute old: one more may run, and the next refusal is told.
    assert budget.spend(alice, NOON + timedelta(seconds=60)) is None
    later = budget.spend(alice, NOON + timedelta(seconds=61))
    assert later is not None
    assert not later.told_before


def test_the_budget_forgets_the_members_quiet_longest() -> None:
    budget = CommandBudget(allowed=1, remembered=2)
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    assert budget.spend(alice, NOON) is None
    assert budget.spend(bob, NOON) is None
    assert budget.spend(carol, NOON) is None  # alice is forgotten
    assert budget.spend(alice, NOON) is None
    assert budget.spend(carol, NOON) is not None
