"""Races between the Monday reward and taking the role back (an opt-out, an erasure): the
reward holds the community's role lock from reading the holders to writing them, and an opt-out
or erasure waits for it; leaders taken back since the standings were reckoned get no role."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.events import MemberRef
from bot.state import StateStore
from cogs.contributors.scoring import Standing
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.cogs.contributors.test_contributors_shoutout import a_week_of_help


def slow_add_role(forum: Forum) -> asyncio.Event:
    """add_role waits (a Discord HTTP call in flight) until the event is set."""
    go = asyncio.Event()
    original = forum.platform.add_role

    async def add_role(member: MemberRef, role: str) -> None:
        await go.wait()
        await original(member, role)

    forum.platform.add_role = add_role  # type: ignore[method-assign]
    return go


async def holders(forum: Forum) -> list[str]:
    key = f"contributors:role_holders:{forum.platform.community.key}"
    stored: list[str] = json.loads(await StateStore(forum.core.db).get(key) or "[]")
    return stored


def role_actions(forum: Forum) -> list[tuple[str, str]]:
    """The role changes the bot made, by member id (a member who never posted has no name)."""
    return [(a.action, a.target.user.id) for a in forum.platform.actions if "role" in a.action]


async def test_an_erasure_during_the_reward_leaves_no_id_in_the_role_holders(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 2})
    community = forum.platform.community
    forum.member("carol"), forum.member("frank")
    await forum.cog.reward(community, [Standing("id-carol", 5.0)])  # carol holds the role
    go = slow_add_role(forum)
    # Monday: carol stays on top, frank joins her; a grant is in flight...
    monday = asyncio.create_task(
        forum.cog.reward(community, [Standing("id-carol", 5.0), Standing("id-frank", 4.0)])
    )
    await asyncio.sleep(0.05)
    # ...when carol asks to be forgotten: the erasure waits for the reward to write.
    erasure = asyncio.create_task(
        forum.cog.erase_member_data(community, forum.member("carol").user)
    )
    await asyncio.sleep(0.05)
    go.set()
    await asyncio.gather(monday, erasure)

    assert await holders(forum) == ["id-frank"]
    assert role_actions(forum)[-1] == ("remove_role", "id-carol")


async def test_an_opt_out_during_the_reward_does_not_end_with_the_role(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 1})
    community = forum.platform.community
    forum.member("carol")
    go = slow_add_role(forum)
    # Monday: carol tops the week, her grant is in flight when she opts out.
    monday = asyncio.create_task(forum.cog.reward(community, [Standing("id-carol", 5.0)]))
    await asyncio.sleep(0.05)
    opt_out = asyncio.create_task(forum.run("carol", "/contributors_optout"))
    await asyncio.sleep(0.05)
    go.set()
    await monday

    assert (await opt_out).startswith("Done")
    assert role_actions(forum) == [("add_role", "id-carol"), ("remove_role", "id-carol")]
    assert await holders(forum) == []


async def sent_slowly(forum: Forum) -> asyncio.Event:
    """The shout-out's post waits (Discord's answer in flight) until the event is set."""
    go = asyncio.Event()
    original = forum.platform.send

    async def send(channel, text, **kwargs):  # type: ignore[no-untyped-def]
        if text.startswith("🌻"):
            await go.wait()
        return await original(channel, text, **kwargs)

    forum.platform.send = send  # type: ignore[method-assign]
    return go


async def test_an_opt_out_while_the_monday_post_is_sent_does_not_get_the_role(
    open_forum: ForumFactory,
) -> None:
    """The leaders are reckoned, then the shout-out posted, then the role given: carol opts
    out in between, is answered "Done", and gets no role."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    go = await sent_slowly(forum)
    forum.platform.actions.clear()
    monday = asyncio.create_task(forum.wait(timedelta(days=7)))
    await asyncio.sleep(0.2)
    assert not monday.done()  # the shout-out's post is in flight
    assert (await forum.run("carol", "/contributors_optout")).startswith("Done")
    go.set()
    await monday

    assert [a for a in role_actions(forum) if a[1] == "id-carol"] == []
    assert await holders(forum) == []


async def test_an_erasure_while_the_monday_post_is_sent_does_not_get_the_role(
    open_forum: ForumFactory,
) -> None:
    """An erasure removes the opt-out as well: what keeps carol from the role reckoned before
    is that it was taken back during the run."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    go = await sent_slowly(forum)
    forum.platform.actions.clear()
    monday = asyncio.create_task(forum.wait(timedelta(days=7)))
    await asyncio.sleep(0.2)
    assert not monday.done()  # the shout-out's post is in flight
    await forum.cog.erase_member_data(forum.platform.community, forum.member("carol").user)
    go.set()
    await monday

    assert [a for a in role_actions(forum) if a[1] == "id-carol"] == []
    assert await holders(forum) == []


async def test_a_member_taken_back_in_an_earlier_run_gets_the_role_when_on_top_again(
    open_forum: ForumFactory,
) -> None:
    """What a run remembers as taken back is its own: carol, forgotten in an earlier week and
    back on top since, is given the role."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))
    await forum.cog.erase_member_data(forum.platform.community, forum.member("carol").user)
    forum.platform.actions.clear()

    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))

    assert role_actions(forum) == [("add_role", "id-carol")]
