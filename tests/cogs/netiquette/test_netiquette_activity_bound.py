"""The recent activity stays bounded: past ``MAX_TRACKED`` members (or channels), the least
recently active are forgotten, never the one that just posted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.events import ChannelRef, CommunityRef, MessageRef
from cogs.netiquette import activity as activity_module
from cogs.netiquette.activity import Activity, Posted
from tests.conftest import START

GARDEN = CommunityRef("fake", "garden", "Garden")


def post(activity: Activity, channel_id: str, number: int, user_id: str) -> MessageRef:
    message = MessageRef(ChannelRef(GARDEN, channel_id, f"#{channel_id}"), str(number))
    activity.posted(user_id, Posted(START + timedelta(seconds=number), message, "text"))
    return message


def test_past_the_bound_the_least_recently_active_member_is_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(activity_module, "MAX_TRACKED", 2)
    activity = Activity()
    post(activity, "general", 1, "alice")
    post(activity, "general", 2, "bob")
    post(activity, "general", 3, "alice")  # alice active again: bob is now the oldest
    post(activity, "general", 4, "carol")
    assert activity.history(GARDEN, "bob") is None
    alice = activity.history(GARDEN, "alice")
    carol = activity.history(GARDEN, "carol")
    assert alice is not None
    assert [p.message.id for p in alice.posts] == ["1", "3"]
    assert carol is not None
    assert [p.message.id for p in carol.posts] == ["4"]
    post(activity, "general", 5, "alice")  # a member already known: nobody is forgotten
    assert activity.history(GARDEN, "carol") is not None


def test_past_the_bound_the_least_recently_used_channel_is_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(activity_module, "MAX_TRACKED", 2)
    activity = Activity()
    post(activity, "general", 1, "alice")
    post(activity, "garden", 2, "alice")
    post(activity, "general", 3, "alice")  # general used again: garden is now the oldest
    post(activity, "photos", 4, "alice")
    assert activity.recent_in(ChannelRef(GARDEN, "garden", "#garden")) == []
    general = activity.recent_in(ChannelRef(GARDEN, "general", "#general"))
    photos = activity.recent_in(ChannelRef(GARDEN, "photos", "#photos"))
    assert [message.id for message, _ in general] == ["1", "3"]
    assert [message.id for message, _ in photos] == ["4"]
