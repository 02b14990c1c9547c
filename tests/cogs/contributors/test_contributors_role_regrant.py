"""The role is given to every leader at each shout-out (a no-op on Discord for one who has it):
what the state store remembers as held may not be held any more."""

from __future__ import annotations

import json

from bot.events import MemberJoined, MemberLeft
from bot.state import StateStore
from cogs.contributors.scoring import Standing
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum


def role_actions(forum: Forum) -> list[tuple[str, str]]:
    """The role changes the bot made, by member id (a member who never posted has no name)."""
    return [(a.action, a.target.user.id) for a in forum.platform.actions if "role" in a.action]


async def test_a_grant_refused_under_the_earlier_version_is_given_at_the_next_shoutout(
    open_forum: ForumFactory,
) -> None:
    """The earlier version stored the leaders as holders even when the platform refused the
    grant (the role not created yet): carol, still on top after the upgrade, gets it."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    community = forum.platform.community
    forum.member("carol")
    key = f"contributors:role_holders:{community.key}"
    await StateStore(forum.core.db).set(key, json.dumps(["id-carol"]))  # the old version's row

    await forum.cog.reward(community, [Standing("id-carol", 5.0)])

    assert role_actions(forum) == [("add_role", "id-carol")]


async def test_a_holder_who_left_and_came_back_on_top_gets_the_role_again(
    open_forum: ForumFactory,
) -> None:
    """Discord takes every role from a member who leaves; carol comes back within the week
    and tops it again: she is given the role again."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    community = forum.platform.community
    carol = forum.member("carol")
    await forum.cog.reward(community, [Standing("id-carol", 5.0)])
    await forum.handle(MemberLeft(at=forum.clock.now(), member=carol))
    await forum.handle(MemberJoined(at=forum.clock.now(), member=carol))
    forum.platform.actions.clear()

    await forum.cog.reward(community, [Standing("id-carol", 5.0)])

    assert role_actions(forum) == [("add_role", "id-carol")]
