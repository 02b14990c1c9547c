"""The weekly shout-out: top contributors, most influential member, rising newcomer, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.events import MemberLeft
from bot.platform import Capability
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum, enable
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""

LONG = "Here is a long and thoughtful message about the garden."


async def a_week_of_help(forum: Forum, helper: str, thankers: tuple[str, ...]) -> None:
    for name in thankers:
        question = await forum.say(name, "Does anyone know how to keep slugs off lettuce?")
        answer = await forum.say(
            helper, f"Beer traps and copper tape work well for me, {name}.", reply_to=question
        )
        await forum.say(name, "Merci, je vais essayer ça ce soir", reply_to=answer)


async def test_the_weekly_shoutout_celebrates_the_week(forum: Forum) -> None:
    await forum.join("hana")
    await forum.say("hana", LONG)
    await forum.say("hana", "Another long message from the newcomer about seeds.")
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    forum.platform.actions.clear()

    # 2026-11-02 is a Monday; the shout-out runs on Mondays at 9:00 Paris time (8:00 UTC).
    await forum.wait(timedelta(days=7))

    [shoutout] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    lines = shoutout.text.splitlines()
    assert lines[0] == "🌻 This week in Garden, thank you to:"
    # alice, bob and erin each received one reply: they share the second place, all named
    # (the list stays within twice the shout-out's top of 3).
    assert lines[1:5] == [
        "1. carol (3 thanks)",
        "2. alice (1 reply)",
        "2. bob (1 reply)",
        "2. erin (1 reply)",
    ]
    assert lines[-2] == "✨ Most influential: carol, whose messages got 3 members talking."
    assert lines[-1] == "🌱 Rising newcomer: hana (2 substantial messages)."
    assert {user.name for user in shoutout.details["mention"]} >= {"carol", "hana"}
    job = forum.core.scheduler.pending("contributors:shoutout:")[0]
    assert job.next_run == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


async def test_a_newcomer_among_the_top_is_celebrated_once(forum: Forum) -> None:
    """hana, new this month, tops the week: she is thanked in the list, and the rising newcomer
    line goes to the next newcomer, ivy, not to hana again."""
    await forum.join("hana", "ivy")
    await forum.say("ivy", LONG)
    await a_week_of_help(forum, "hana", ("alice", "bob", "erin"))
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    [shoutout] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    lines = shoutout.text.splitlines()
    assert lines[1] == "1. hana (3 thanks)"
    assert sum("hana" in line for line in lines) == 2  # the list and the most influential
    assert lines[-1] == "🌱 Rising newcomer: ivy (1 substantial message)."


async def test_the_week_is_the_communitys_own_east_of_utc(
    rules_dir: Path, open_forum: ForumFactory
) -> None:
    edit_section(rules_dir, "community", {"timezone": "Australia/Sydney"})
    forum = await open_forum(shoutout={"enabled": True})
    # Monday 2 November, 20:00 in Sydney. Six days on: Sunday evening there (09:00 UTC).
    await forum.wait(timedelta(days=6))
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    # The shout-out, Monday 9:00 in Sydney, is Sunday 22:00 UTC: Sunday is still in its week.
    await forum.wait(timedelta(hours=14))
    [shoutout] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    assert shoutout.text.splitlines()[1] == "1. carol (3 thanks)"
    job = forum.core.scheduler.pending("contributors:shoutout:")[0]
    assert job.next_run == datetime(2026, 11, 15, 22, 0, tzinfo=UTC)


async def test_a_quiet_week_posts_nothing(forum: Forum) -> None:
    await forum.say("alice", "hi")
    forum.platform.actions.clear()
    await forum.wait(timedelta(days=7))
    assert forum.platform.sent() == []


async def test_the_role_goes_to_the_top_and_is_taken_back_when_they_drop_out(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await forum.wait(timedelta(days=7))
    assert [
        (action.action, action.target.user.name, action.text)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("add_role", "carol", "Top contributor")]
    forum.platform.actions.clear()

    await a_week_of_help(forum, "frank", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))

    roles = [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ]
    assert roles == [("remove_role", "carol"), ("add_role", "frank")]


async def test_members_tied_for_the_last_rewarded_place_all_get_the_role(
    open_forum: ForumFactory,
) -> None:
    """carol and frank share the first place: a role for the top one goes to both, as /top
    lists both, rather than to whichever has the smaller member id."""
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await a_week_of_help(forum, "frank", ("erin", "dave"))

    await forum.wait(timedelta(days=7))

    assert [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("add_role", "carol"), ("add_role", "frank")]
    assert shoutout_lines(forum)[1:3] == ["1. carol (2 thanks)", "1. frank (2 thanks)"]


async def test_replies_to_a_shoutout_sent_before_a_restart_thank_only_whom_they_name(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    await a_week_of_help(first, "carol", ("alice", "bob"))
    await first.wait(timedelta(days=7))
    [shoutout] = [sent for sent in first.platform.sent() if sent.target.name == "#general"]
    await first.stop()
    second = await open_forum(database=database)
    posted = shoutout.details["message"]

    # The bot's post is no member's: replies and reactions to it, before a restart or after,
    # credit no one but the members their thanks name.
    await second.say("bob", "Merci ! Congratulations to everyone named here", reply_to=posted)
    await second.say("erin", "merci @carol, well deserved", reply_to=posted, mentions=("carol",))
    await second.react("alice", posted)

    assert (await second.run("mod", "/top")).splitlines()[1:] == [
        "1. carol — 5.5 pts (1 thank-you)",
        "2. bob — 1 pt (1 substantial message)",
        "2. erin — 1 pt (1 substantial message)",
    ]


async def test_opting_out_or_being_forgotten_takes_the_role_back_at_once(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 2})
    await a_week_of_help(forum, "carol", ("alice", "bob"))
    await a_week_of_help(forum, "frank", ("alice", "bob", "erin"))
    await forum.wait(timedelta(days=7))
    forum.platform.actions.clear()

    await forum.run("carol", "/contributors_optout")
    await forum.cog.erase_member_data(forum.platform.community, forum.member("frank").user)

    assert [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("remove_role", "carol"), ("remove_role", "frank")]


async def test_a_member_who_left_is_neither_celebrated_nor_rewarded(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(roles={"enabled": True, "top": 1})
    await forum.join("hana")
    await forum.say("hana", LONG)
    await forum.say("hana", "Another long message from the newcomer about seeds.")
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await a_week_of_help(forum, "frank", ("alice", "bob"))
    await forum.handle(MemberLeft(at=forum.clock.now(), member=forum.member("carol")))
    await forum.handle(MemberLeft(at=forum.clock.now(), member=forum.member("hana")))
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    [shoutout] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    assert "carol" not in shoutout.text
    assert "hana" not in shoutout.text
    assert shoutout.text.splitlines()[1] == "1. frank (2 thanks)"
    assert [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("add_role", "frank")]


async def test_no_roles_where_the_platform_has_none(open_forum: ForumFactory) -> None:
    platform = FakePlatform(capabilities=frozenset(Capability) - {Capability.ROLES})
    forum = await open_forum(platform=platform, roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob"))

    await forum.wait(timedelta(days=7))

    assert not [action for action in platform.actions if "role" in action.action]
    assert any("carol" in sent.text for sent in platform.sent())


async def with_netiquette(open_forum: ForumFactory, rules_dir: Path, **section: Any) -> Forum:
    """Garden with the netiquette's shipped rules too, and a moderator."""
    enable(rules_dir, **section)
    enable_only(rules_dir, "netiquette", "contributors")
    forum = await open_forum()
    forum.member("mod", moderator=True)
    return forum


def shoutout_lines(forum: Forum) -> list[str]:
    """The lines of the week's shout-out in #general."""
    [shoutout] = [
        sent
        for sent in forum.platform.sent()
        if sent.target.name == "#general" and sent.text.startswith("🌻")
    ]
    return shoutout.text.splitlines()


async def test_a_member_sanctioned_this_week_is_passed_over(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_netiquette(open_forum, rules_dir, roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await a_week_of_help(forum, "dave", ("alice", "bob"))
    await forum.command("mod", "/note carol helpful but blunt")
    # The insults rule deletes it and warns her, in the enforcement queue: the shout-out waits.
    await forum.say("carol", "you idiot")
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    lines = shoutout_lines(forum)
    assert lines[1] == "1. dave (2 thanks)"
    assert not any("carol" in line for line in lines)
    assert [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("add_role", "dave")]


@pytest.mark.parametrize("warned", ["before opting out", "while opted out"])
async def test_opting_out_and_in_again_does_not_wipe_a_case_of_the_week(
    open_forum: ForumFactory, rules_dir: Path, warned: str
) -> None:
    forum = await with_netiquette(open_forum, rules_dir, roles={"enabled": True, "top": 1})
    await a_week_of_help(forum, "dave", ("alice", "bob"))
    await a_week_of_help(forum, "carol", ("frank",))
    if warned == "before opting out":
        await forum.command("mod", "/warn carol Be kind")
    await forum.command("carol", "/contributors_optout")
    if warned == "while opted out":
        await forum.command("mod", "/warn carol Be kind")
    await forum.command("carol", "/contributors_optin")
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    lines = shoutout_lines(forum)
    assert lines[1] == "1. dave (2 thanks)"
    assert not any("carol" in line for line in lines)
    assert [
        (action.action, action.target.user.name)
        for action in forum.platform.actions
        if "role" in action.action
    ] == [("add_role", "dave")]


async def test_a_pardoned_case_no_longer_keeps_a_member_out(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_netiquette(open_forum, rules_dir)
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await forum.say("carol", "you idiot")
    await forum.core.caught_up()
    [case] = await forum.core.cogs["netiquette"].casebook.of_member(  # type: ignore[attr-defined]
        forum.platform.community, "id-carol"
    )
    await forum.command("mod", f"/pardon {case.id}")
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    assert shoutout_lines(forum)[1] == "1. carol (3 thanks)"


async def test_skip_moderated_off_names_them_all_the_same(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await with_netiquette(open_forum, rules_dir, skip_moderated=False)
    await a_week_of_help(forum, "carol", ("alice", "bob", "erin"))
    await forum.command("mod", "/warn carol Be kind")
    forum.platform.actions.clear()

    await forum.wait(timedelta(days=7))

    assert shoutout_lines(forum)[1] == "1. carol (3 thanks)"


async def test_a_shoutout_missed_while_offline_is_reported_with_its_local_time_then(
    forum: Forum,
) -> None:
    await forum.say("alice", LONG)  # the community is seen: its weekly job is set
    [job] = forum.core.scheduler.pending("contributors:shoutout:")
    # Due 200 days before 2 November 09:00 UTC: 16 April, in Paris summer time.
    await forum.cog.on_job_missed(job.handler, job.id, dict(job.kwargs), timedelta(days=200))
    assert forum.texts("mod-log") == [
        f"The weekly shout-out due on Thu, Apr 16, 2026, 11:00{NNBSP}AM (CEST) was missed "
        "while I was offline;"
        " it will run next week."
    ]
