"""An erasure keeps no id to take the role back later: the mod-log names who still holds it."""

from __future__ import annotations

from cogs.contributors.scoring import Standing
from tests.cogs.contributors.conftest import ForumFactory


async def test_an_erased_members_role_the_platform_kept_is_named_in_the_mod_log(
    open_forum: ForumFactory,
) -> None:
    """With the role moved above the bot's, the mod-log says who still holds it, for a
    moderator to take it back by hand."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    community = forum.platform.community
    carol = forum.member("carol")
    await forum.cog.reward(community, [Standing("id-carol", 5.0)])  # carol gets the role
    forum.platform.refuse["remove_role"] = (
        "role_above_me",
        {"role": "Top contributor", "where": "Garden"},
    )

    await forum.cog.erase_member_data(community, carol.user)

    assert any(
        text.startswith(
            "I could not take Top contributor back from carol, who asked to be forgotten: "
        )
        and "not below my highest role" in text
        for text in forum.texts("mod-log")
    ), forum.texts("mod-log")


async def test_an_erased_member_who_left_is_not_named_in_the_mod_log(
    open_forum: ForumFactory,
) -> None:
    """A member who left has no role to take back: nothing for a moderator to do."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    community = forum.platform.community
    carol = forum.member("carol")
    await forum.cog.reward(community, [Standing("id-carol", 5.0)])
    forum.platform.refuse["remove_role"] = ("member_gone", {"target": "carol", "where": "Garden"})

    await forum.cog.erase_member_data(community, carol.user)

    assert not any("carol" in text for text in forum.texts("mod-log")), forum.texts("mod-log")
