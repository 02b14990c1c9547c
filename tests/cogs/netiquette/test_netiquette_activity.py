"""The recent activity /purge and the flood triggers read: bounded, and forgetting what is gone."""

from __future__ import annotations

from datetime import timedelta

from bot.events import ChannelRef, CommunityRef, MessageRef
from cogs.netiquette.activity import PER_CHANNEL, Activity, Posted
from tests.conftest import START

GARDEN = CommunityRef("fake", "garden", "Garden")
OTHER = CommunityRef("fake", "other", "Other")
GENERAL = ChannelRef(GARDEN, "general", "#general")


def post(activity: Activity, channel: ChannelRef, number: int, user_id: str) -> MessageRef:
    message = MessageRef(channel, str(number))
    activity.posted(user_id, Posted(START + timedelta(seconds=number), message, "text"))
    return message


def ids(activity: Activity, channel: ChannelRef) -> list[str]:
    return [message.id for message, _author in activity.recent_in(channel)]


def test_a_channel_lists_its_recent_messages_oldest_first_without_the_deleted() -> None:
    activity = Activity()
    first, second, third = (post(activity, GENERAL, n, "bob") for n in range(3))
    activity.removed(second)
    activity.removed(MessageRef(GENERAL, "never posted"))
    assert ids(activity, GENERAL) == [first.id, third.id]
    assert activity.recent_in(ChannelRef(GARDEN, "quiet")) == []


def test_a_channel_keeps_only_its_latest_messages() -> None:
    activity = Activity()
    for number in range(PER_CHANNEL + 20):
        post(activity, GENERAL, number, "bob")
    kept = ids(activity, GENERAL)
    assert len(kept) == PER_CHANNEL
    assert kept[0] == "20"
    assert kept[-1] == str(PER_CHANNEL + 19)


def test_forgetting_a_member_removes_their_messages_in_that_community_only() -> None:
    activity = Activity()
    elsewhere = ChannelRef(OTHER, "general", "#general")
    post(activity, GENERAL, 1, "bob")
    alice = post(activity, GENERAL, 2, "alice")
    post(activity, GENERAL, 3, "bob")
    kept = post(activity, elsewhere, 4, "bob")
    activity.forget_member(GARDEN, "bob")
    assert ids(activity, GENERAL) == [alice.id]
    assert ids(activity, elsewhere) == [kept.id]
    assert activity.messages_of(GARDEN, "bob", START - timedelta(hours=1)) == []


def test_an_album_counts_once_among_a_members_messages() -> None:
    """Six photos sent as one album are six messages on Telegram, but one to the flood and
    duplicates triggers; /purge still sees each of them."""
    activity = Activity()
    history = None
    for number in range(6):
        message = MessageRef(GENERAL, str(number))
        posted = Posted(START + timedelta(seconds=number), message, "", group="album-1")
        history = activity.posted("paula", posted)
    assert history is not None
    assert history.count_after(START - timedelta(seconds=1)) == 1
    assert len(ids(activity, GENERAL)) == 6
    # Another album, and messages posted on their own, count each.
    for number in range(6, 9):
        message = MessageRef(GENERAL, str(number))
        posted = Posted(START + timedelta(seconds=number), message, "", group="album-2")
        activity.posted("paula", posted)
    post(activity, GENERAL, 9, "paula")
    post(activity, GENERAL, 10, "paula")
    assert activity.count_since(GARDEN, "paula", START - timedelta(seconds=1)) == 4
