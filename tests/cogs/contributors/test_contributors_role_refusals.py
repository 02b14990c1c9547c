"""Role rewards the platform refused: given or taken back at the next chance, never forgotten."""

from __future__ import annotations

from datetime import timedelta

from bot.events import MemberLeft
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.cogs.contributors.test_contributors_shoutout import a_week_of_help

NO_ROLE = ("no_role", {"role": "Top contributor", "where": "Garden", "platform": "discord"})


def role_actions(forum: Forum) -> list[tuple[str, str]]:
    return [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ]


async def test_a_role_the_platform_refused_is_given_at_the_next_shoutout(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 1})
    # The role is not created yet on the server (Discord: "no_role"): the first week's add fails.
    forum.platform.refuse["add_role"] = NO_ROLE
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))
    assert not role_actions(forum)

    # The moderators create the role; carol stays the top contributor the next week.
    del forum.platform.refuse["add_role"]
    forum.platform.actions.clear()
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))

    assert role_actions(forum) == [("add_role", "carol")]


async def test_a_role_the_platform_refused_to_take_back_is_taken_back_later(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))  # carol gets the role
    forum.platform.refuse["remove_role"] = NO_ROLE
    await a_week_of_help(forum, "frank", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))  # frank tops the week; taking carol's back fails
    del forum.platform.refuse["remove_role"]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "frank", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))

    # frank, on top again, is given the role again (a no-op for one who has it).
    assert role_actions(forum) == [("remove_role", "carol"), ("add_role", "frank")]


async def test_a_role_kept_is_given_again_and_never_taken_back(open_forum: ForumFactory) -> None:
    """carol tops two weeks running: the role is given each week (a no-op on Discord for one
    who has it; she may have left and come back meanwhile), never taken back."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))
    assert role_actions(forum) == [("add_role", "carol")]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))

    assert role_actions(forum) == [("add_role", "carol")]


async def test_an_opt_out_whose_role_the_platform_kept_is_taken_back_later(
    open_forum: ForumFactory,
) -> None:
    """carol opts out while the platform refuses to take her role back: the next shout-out
    takes it back."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))  # carol gets the role
    forum.platform.refuse["remove_role"] = NO_ROLE
    await forum.command("carol", "/contributors_optout")  # answered, and the mod-log told
    assert role_actions(forum) == [("add_role", "carol")]
    del forum.platform.refuse["remove_role"]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "frank", ("alice", "bob"))
    await forum.wait(timedelta(days=7))

    assert role_actions(forum) == [("remove_role", "carol"), ("add_role", "frank")]


async def test_a_holder_who_left_is_not_taken_the_role_again_and_again(
    open_forum: ForumFactory,
) -> None:
    """carol held the role and left: the platform says she is gone, her role went with her;
    the mod-log is not told, and no later shout-out tries again."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))  # carol gets the role
    await forum.handle(MemberLeft(at=forum.clock.now(), member=forum.member("carol")))
    forum.platform.refuse["remove_role"] = ("member_gone", {"target": "carol", "where": "Garden"})
    await a_week_of_help(forum, "frank", ("alice", "bob"))
    await forum.wait(timedelta(days=7))
    assert forum.texts("mod-log") == []
    del forum.platform.refuse["remove_role"]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "frank", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))

    # frank, on top again, is given the role again; nothing is asked of carol.
    assert role_actions(forum) == [("add_role", "frank")]


async def test_a_forgotten_member_whose_role_the_platform_kept_is_forgotten_all_the_same(
    open_forum: ForumFactory,
) -> None:
    """An erasure keeps no id to try again with: the refusal is in the mod-log, for a moderator
    to take the role back by hand, and the next shout-out does not name carol's id."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))  # carol gets the role
    forum.platform.refuse["remove_role"] = NO_ROLE
    await forum.cog.erase_member_data(forum.platform.community, forum.member("carol").user)
    assert any("Top contributor" in text for text in forum.texts("mod-log"))
    del forum.platform.refuse["remove_role"]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "frank", ("alice", "bob"))
    await forum.wait(timedelta(days=7))

    assert role_actions(forum) == [("add_role", "frank")]
