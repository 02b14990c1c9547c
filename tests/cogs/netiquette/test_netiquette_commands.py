"""The moderators' commands: refused to members, never against moderators or bots, cases kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core import Jardinier
from bot.durations import duration_words
from bot.events import Event, MessageCreated, MessageRef, ModerationLifted
from bot.platform import EventSink, PlatformError, TimeoutRange
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import NO_INSULTS, RULES_TO_TEST, write_locale
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section
from tests.support.waiting import eventually

NBSP = "\u00a0"
"""What French writes between a number and its unit."""
NNBSP = "\u202f"
"""What French writes between thousands."""

TELEGRAM_RANGE = TimeoutRange(timedelta(seconds=40), timedelta(days=365))

COMMANDS = [
    '/warn bob "be nice"',
    "/timeout bob 10m",
    "/untimeout bob",
    "/kick bob",
    "/ban bob",
    "/unban bob",
    "/purge 5",
    "/case 1",
    "/cases bob",
    "/note bob seen spamming",
    "/strikes bob",
    "/pardon 1",
    "/rules_test hello",
    "/rules_reload",
]


@pytest.mark.parametrize("line", COMMANDS)
async def test_every_moderation_command_is_refused_to_members(
    open_forum: ForumFactory, line: str
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("bob")
    await forum.say("bob", "hello")
    forum.clear()
    await forum.run("alice", line)
    name = line.split()[0].lstrip("/")
    assert [recorded.action for recorded in forum.platform.actions] == ["send"]
    assert forum.platform.last_text() == f"Sorry, /{name} is for moderators."
    assert await forum.cog.casebook.of_member(forum.platform.community, "id-bob") == []


async def test_moderators_warn_time_out_kick_and_ban_with_cases(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", '/warn bob "Stay courteous"')
    await forum.run("mod", '/timeout bob 10m "Cool down"')
    await forum.run("mod", '/kick bob "Spam"')
    await forum.run("mod", '/ban bob "Spam again" 1')
    assert forum.answers() == [
        "Case 1: warn for bob.",
        "Case 2: timeout for bob.",
        "Case 3: kick for bob.",
        "Case 4: ban for bob.",
    ]
    assert [
        r.action for r in forum.platform.actions if r.action in ("timeout", "kick", "ban")
    ] == [
        "timeout",
        "kick",
        "ban",
    ]
    assert forum.done("ban")[0].details["delete_days"] == 1
    dms = [recorded.text for recorded in forum.done("dm")]
    assert dms[0] == "bob, you have been warned in Garden: Stay courteous (case 1)."
    assert dms[1] == "bob, you are silenced in Garden for 10 minutes: Cool down (case 2)."
    assert forum.modlog()[0] == "🛡️ Case 1 · warn · bob by mod: Stay courteous"


async def test_a_ban_whose_unquoted_reason_ends_with_days_says_nothing_was_deleted(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    for name in ("alice", "bob", "carol", "dave"):
        forum.member(name)
    await forum.run("mod", "/ban alice l'arbre tombe 3")
    await forum.run("mod", "/ban bob spam 1d")
    await forum.run("mod", '/ban carol "broke rule 3"')  # quoted: the 3 is the rule's
    await forum.run("mod", "/ban dave spam 1")  # a day of messages deleted, as asked
    assert [ban.details["delete_days"] for ban in forum.done("ban")] == [0, 0, 0, 1]
    assert forum.answers() == [
        "Case 1: ban for alice.\n"
        "No messages were deleted: “3” was read as the end of the reason. To delete the "
        "messages of the last days too, quote the reason and put the days after it: "
        '/ban alice "l\'arbre tombe" 3',
        "Case 2: ban for bob.\n"
        "No messages were deleted: “1d” was read as the end of the reason. To delete the "
        "messages of the last days too, quote the reason and put the days after it: "
        '/ban bob "spam" 1',
        "Case 3: ban for carol.",
        "Case 4: ban for dave.",
    ]
    # Told to the moderator alone, as the rest of the answer.
    assert all(
        sent.details["private_to"] == forum.member("mod")
        for sent in forum.platform.sent()
        if "No messages were deleted" in sent.text
    )
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    forum.member("erin")
    await forum.run("mod", "/bannir erin spam 2j")
    assert forum.answers()[-1] == (
        f"Dossier 5{NBSP}: bannissement pour erin.\n"
        f"Aucun message n'a été effacé{NBSP}: «{NBSP}2j{NBSP}» a été lu comme la fin du motif. "
        "Pour effacer aussi les messages des derniers jours, mettez le motif entre guillemets "
        f'et les jours après{NBSP}: /bannir erin "spam" 2'
    )


async def test_never_against_moderators_or_bots(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("other", moderator=True)
    forum.member("owner", roles=["Moderators"])
    forum.platform.members["robot"] = forum.platform.member("robot")
    from dataclasses import replace

    robot = forum.platform.members["robot"]
    forum.platform.members["robot"] = replace(robot, user=replace(robot.user, is_bot=True))
    for target in ("other", "owner"):
        for line in (
            f"/warn {target} x",
            f"/timeout {target} 1h",
            f"/kick {target}",
            f"/ban {target}",
        ):
            await forum.run("mod", line)
            assert forum.platform.last_text() == (
                f"{target} is a moderator: I never act against moderators."
            )
    await forum.run("mod", "/ban robot")
    assert forum.platform.last_text() == "robot is a bot: I do not act against bots."
    assert [r.action for r in forum.platform.actions if r.action != "send"] == []


async def test_untimeout_and_unban_lift_and_cancel_the_planned_lift(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 1h")
    assert len(forum.core.scheduler.pending("netiquette:timeout:")) == 1
    await forum.run("mod", "/untimeout bob")
    assert forum.answers()[-1] == "The timeout of bob is lifted."
    assert forum.core.scheduler.pending("netiquette:") == []
    assert len(forum.done("unrestrict")) == 1
    timeout_case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert timeout_case is not None
    assert timeout_case.lifted_at is not None
    await forum.wait(timedelta(hours=2))
    assert len(forum.done("unrestrict")) == 1
    await forum.run("mod", "/ban bob")
    await forum.run("mod", "/unban bob")
    assert len(forum.done("unban")) == 1
    assert forum.answers()[-1] == "The ban of bob is lifted."
    assert "Case 4 · unban · bob" in forum.modlog()[-1]
    ban_case = await forum.cog.casebook.get(forum.platform.community, 3)
    assert ban_case is not None
    assert ban_case.lifted_at is not None


async def test_a_temporary_ban_from_a_rule_is_lifted(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "ads": {
                "triggers": [{"match_invites": True}],
                "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
            }
        }
    )
    lifted: list[ModerationLifted] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, ModerationLifted)
        lifted.append(event)

    forum.core.bus.subscribe("core", ModerationLifted, listen)  # "core" serves everyone
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.done("ban")) == 1
    await forum.wait(timedelta(hours=23))
    assert forum.done("unban") == []
    await forum.wait(timedelta(hours=1))
    assert len(forum.done("unban")) == 1
    assert forum.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    # Told to the other cogs, as an /unban is: a running contest counts bob's vote again.
    assert [(event.member.name, event.case_id, event.action) for event in lifted] == [
        ("bob", 1, "ban")
    ]


async def test_a_shorter_timeout_never_cuts_a_longer_one_short(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 1d")
    day_later = forum.clock.now() + timedelta(days=1)
    for reason in ("one", "two", "three"):  # the ladder's one-hour step
        await forum.run("mod", f"/warn bob {reason}")
    first, ladder = forum.done("timeout")
    assert ladder.details["until"] == first.details["until"] == day_later
    [lift] = forum.core.scheduler.pending("netiquette:timeout:")
    assert lift.next_run == day_later
    # The ladder's case says when the silence really ends, as the member was told.
    cases = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert [case.expires_at for case in cases if case.action == "timeout"] == [day_later] * 2
    await forum.wait(timedelta(hours=2))
    assert forum.done("unrestrict") == []
    await forum.wait(timedelta(hours=22))
    assert len(forum.done("unrestrict")) == 1
    cases = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    timeouts = [case for case in cases if case.action == "timeout"]
    assert len(timeouts) == 2
    assert all(case.lifted_at == day_later for case in timeouts)


async def test_a_ladder_step_longer_than_the_platform_allows_lasts_what_it_applies(
    open_forum: ForumFactory,
) -> None:
    # The shipped ladder's first step times out for 1 hour; this platform's longest is 30 minutes.
    platform = FakePlatform(
        timeout_range=TimeoutRange(timedelta(seconds=30), timedelta(minutes=30))
    )
    forum = await open_forum(NO_INSULTS, platform=platform)
    forum.member("mod", moderator=True)
    forum.member("bob")
    for reason in ("one", "two", "three"):
        await forum.run("mod", f"/warn bob {reason}")
    ends = forum.clock.now() + timedelta(minutes=30)
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] == ends
    notice = forum.done("dm")[-1]
    assert notice.text.startswith("bob, you are silenced in Garden for 30 minutes: ")
    [lift] = forum.core.scheduler.pending("netiquette:timeout:")
    assert lift.next_run == ends
    case = await forum.cog.casebook.get(forum.platform.community, 4)
    assert case is not None
    assert (case.action, case.expires_at) == ("timeout", ends)
    assert forum.modlog()[-1] == (
        "⚖️ Case 4 · timeout · bob reached 3 strike points within 1 week"
        " (timeout shortened from 1 hour to 30 minutes, the longest the platform allows)"
    )
    await forum.wait(timedelta(minutes=30))
    assert len(forum.done("unrestrict")) == 1


async def test_a_rule_s_timeout_shorter_than_the_platform_allows_lasts_what_it_applies(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    platform = FakePlatform(timeout_range=TimeoutRange(timedelta(minutes=1), timedelta(days=1)))
    forum = await open_forum(
        {
            "no_insults": {
                "triggers": [{"match_words": {"words": ["idiot"]}}],
                "actions": {"timeout": {"duration": "30s"}},
            }
        },
        platform=platform,
    )
    await forum.say("bob", "idiot")
    ends = forum.clock.now() + timedelta(minutes=1)
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] == ends
    [notice] = forum.done("dm")
    minute = duration_words(timedelta(minutes=1), "fr")
    assert f"dans Garden pendant {minute}{NBSP}: " in notice.text
    [case] = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert case.expires_at == ends
    assert forum.modlog()[-1].endswith(
        f"(exclusion temporaire portée de 30{NBSP}secondes à {minute},"
        " la plus courte que permet la plateforme)"
    )


async def test_a_ban_for_good_cancels_the_end_of_a_temporary_one(open_forum: ForumFactory) -> None:
    forum = await open_forum(
        {
            "ads": {
                "triggers": [{"match_invites": True}],
                "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
            }
        }
    )
    forum.member("mod", moderator=True)
    await forum.say("bob", "discord.gg/spam")
    assert len(forum.core.scheduler.pending("netiquette:ban:")) == 1
    await forum.run("mod", "/ban bob")
    assert forum.core.scheduler.pending("netiquette:ban:") == []
    await forum.wait(timedelta(days=2))
    assert forum.done("unban") == []


async def test_purge_removes_the_recent_messages_of_the_channel(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    bob = [await forum.say("bob", f"spam {n}") for n in range(3)]
    alice = await forum.say("alice", "hello")
    elsewhere = await forum.say("bob", "spam", channel="random")
    await forum.run("mod", "/purge 2 bob")
    assert forum.deleted() == [bob[2].id, bob[1].id]
    await forum.run("mod", "/purge 10")
    assert set(forum.deleted()[2:]) == {bob[0].id, alice.id}
    assert elsewhere.id not in forum.deleted()
    assert forum.answers() == ["2 messages deleted.", "2 messages deleted."]
    await forum.run("mod", "/purge 1000")
    assert forum.platform.last_text() == "Purge between 1 and 100 messages."


async def test_a_purge_that_finds_nothing_to_delete_writes_no_mod_log_line(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("chloe")
    await forum.say("bob", "hello")
    await forum.run("mod", "/purge 5 chloe")
    await forum.run("mod", "/purge 5", channel="random")
    assert forum.answers() == [
        "Nothing deleted: I know of no recent message from chloe in this channel (only those"
        " posted since I started count).",
        "Nothing deleted: I know of no recent message in this channel (only those posted since"
        " I started count).",
    ]
    assert forum.modlog() == []
    assert forum.done("delete") == []


async def test_values_out_of_bounds_get_the_usage_and_nothing_is_done(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 5s")
    assert forum.platform.last_text() == (
        "Usage: /timeout <member> <duration> [reason…] (duration should be from 30 seconds to"
        " 4 weeks, not 5 seconds). Type /help timeout for details."
    )
    await forum.run("mod", '/ban bob "Spam" 9')
    assert forum.platform.last_text().startswith(
        "Usage: /ban <member> [reason] [delete_days] (delete_days should be from 0 to 7, not 9)."
    )
    assert forum.done("timeout") == forum.done("ban") == []
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/exclure_temporairement bob 5s")
    assert forum.platform.last_text() == (
        "Utilisation\u00a0: /exclure_temporairement <membre> <durée> [raison…]"
        f" (durée doit aller de 30{NBSP}secondes à 4{NBSP}semaines, pas 5{NBSP}secondes)."
        " Tapez /aide exclure_temporairement"
        " pour le détail."
    )
    await forum.run("mod", '/bannir bob "Spam" 9')
    assert forum.platform.last_text().startswith(
        "Utilisation\u00a0: /bannir <membre> [raison] [jours_effaces] (jours_effaces doit aller"
        " de 0"
    )


async def test_a_timeout_may_last_what_the_community_s_platform_can_carry_out(
    open_forum: ForumFactory,
) -> None:
    # Discord (and the console, which plays its part) times out for 28 days at most; Telegram
    # for 40 seconds to 365 days, and takes anything else as a silence for good.
    telegram = FakePlatform("telegram", timeout_range=TELEGRAM_RANGE)
    forum = await open_forum(NO_INSULTS, platform=telegram)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 8w Flooding for weeks")
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] == forum.clock.now() + timedelta(weeks=8)
    assert forum.answers()[-1] == "Case 1: timeout for bob."
    for typed, said in (("30s", "30 seconds"), ("366d", "366 days")):
        await forum.run("mod", f"/timeout bob {typed}")
        assert forum.platform.last_text() == (
            "Usage: /timeout <member> <duration> [reason…] (duration should be from 40 seconds"
            f" to 365 days, not {said}). Type /help timeout for details."
        )
    assert len(forum.done("timeout")) == 1


async def test_a_timeout_s_range_is_the_one_the_platform_declares(
    open_forum: ForumFactory,
) -> None:
    platform = FakePlatform(timeout_range=TimeoutRange(timedelta(minutes=1), timedelta(hours=2)))
    forum = await open_forum(NO_INSULTS, platform=platform)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 3h")
    assert forum.platform.last_text() == (
        "Usage: /timeout <member> <duration> [reason…] (duration should be from 1 minute to"
        " 2 hours, not 3 hours). Type /help timeout for details."
    )
    await forum.run("mod", "/timeout bob 2h")
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] == forum.clock.now() + timedelta(hours=2)


async def test_a_timeout_too_long_for_any_duration_is_told_the_timeouts_range(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 100w")
    assert forum.platform.last_text() == (
        "Usage: /timeout <member> <duration> [reason…] (duration should be from 30 seconds to"
        " 4 weeks, not 100 weeks). Type /help timeout for details."
    )
    # Longer than any duration the bot reads: the same range, not one of its own.
    for typed, said in (("5000w", "5,000 weeks"), ("6000w", "6,000 weeks")):
        await forum.run("mod", f"/timeout bob {typed}")
        assert forum.platform.last_text() == (
            "Usage: /timeout <member> <duration> [reason…] (duration should be from 30 seconds"
            f" to 4 weeks, not {said}). Type /help timeout for details."
        )
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/exclure_temporairement bob 6000w")
    assert forum.platform.last_text() == (
        "Utilisation\u00a0: /exclure_temporairement <membre> <durée> [raison…]"
        f" (durée doit aller de 30{NBSP}secondes à 4{NBSP}semaines,"
        f" pas 6{NNBSP}000{NBSP}semaines). Tapez /aide exclure_temporairement pour le détail."
    )
    await forum.run("mod", "/exclure_temporairement bob 29j")
    assert forum.platform.last_text() == (
        "Utilisation\u00a0: /exclure_temporairement <membre> <durée> [raison…]"
        f" (durée doit aller de 30{NBSP}secondes à 4{NBSP}semaines, pas 29{NBSP}jours)."
        " Tapez /aide exclure_temporairement pour le détail."
    )
    assert forum.done("timeout") == []


async def test_cases_notes_strikes_and_pardons(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.say("bob", "crétin")
    await forum.run("mod", "/note bob seems to have calmed down")
    await forum.run("mod", "/case 1")
    detail = forum.platform.last_text()
    assert detail.startswith(
        f"Case 1: delete, warn for bob, by no_insults, on Mon, Nov 2, 2026, 10:00{NNBSP}AM (CET)"
    )
    assert "Matched: match_words: word “crétin”" in detail
    assert "Excerpt: crétin" in detail
    await forum.run("mod", "/cases bob")
    lines = forum.platform.last_text().splitlines()
    assert lines[0] == "Cases of bob (2):"
    assert lines[1].startswith(
        f"#2 Mon, Nov 2, 2026, 10:00{NNBSP}AM (CET) · note · by mod · seems to have calmed down"
    )
    await forum.run("mod", "/strikes bob")
    assert forum.platform.last_text().startswith("bob has 1 active strike point. Ladder: 1/3")
    await forum.run("mod", "/pardon 1")
    assert forum.platform.last_text() == ("Case 1 of bob is pardoned: its points no longer count.")
    await forum.run("mod", "/strikes bob")
    assert forum.platform.last_text().startswith("bob has 0 active strike points.")
    await forum.run("mod", "/pardon 1")
    assert forum.platform.last_text() == "Case 1 is already pardoned."
    await forum.run("mod", "/case 99")
    assert forum.platform.last_text() == "There is no case 99 here."
    assert forum.modlog()[-1] == "🕊️ Case 1 of bob pardoned by mod."


async def test_cases_write_their_moments_as_the_bot_writes_them_with_the_zone_named(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    """/cases and /case name the community's zone, as /announce and every other moment do: a
    moderator in Paris reads "until Tue, Nov 3, 2026, 10:00 AM (CET)", not a bare hour of
    unknown zone."""
    edit_section(rules_dir, "community", {"timezone": "Europe/Paris"})
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 1d spam")
    await forum.run("mod", "/cases bob")
    assert forum.platform.last_text().splitlines()[1] == (
        f"#1 Mon, Nov 2, 2026, 10:00{NNBSP}AM (CET) · timeout · by mod · spam "
        f"(until Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET))"
    )
    await forum.run("mod", "/case 1")
    assert f"by mod, on Mon, Nov 2, 2026, 10:00{NNBSP}AM (CET)\n" in forum.platform.last_text()
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/dossiers bob")
    assert forum.platform.last_text().splitlines()[1] == (
        "#1 lun. 2 nov. 2026, 10:00 (CET) · exclusion temporaire · par mod · spam"
        " (jusqu'au mar. 3 nov. 2026, 10:00 (CET))"
    )


async def test_the_ladder_s_windows_read_in_words_of_the_community_s_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    # The shipped ladder: 3 points within 7d, 6 and 9 within 30d.
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob one")
    await forum.run("mod", "/strikes bob")
    assert forum.platform.last_text() == (
        "bob has 1 active strike point. Ladder: 1/3 within 1 week → timeout,"
        " 1/6 within 30 days → timeout, 1/9 within 30 days → ban"
    )
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/avertir bob deux")
    await forum.run("mod", "/avertir bob trois")
    assert forum.modlog()[-1] == (
        "⚖️ Dossier 4 · exclusion temporaire · bob a atteint 3 points de sanction"
        f" en 1{NBSP}semaine"
    )
    ladder_case = await forum.cog.casebook.get(forum.platform.community, 4)
    assert ladder_case is not None
    assert ladder_case.reason == f"3 points de sanction en 1{NBSP}semaine"
    await forum.run("mod", "/points bob")
    assert forum.platform.last_text() == (
        f"bob a 3 points de sanction actifs. Échelle{NBSP}: 3/3 en 1{NBSP}semaine"
        f" → exclusion temporaire, 3/6 en 30{NBSP}jours → exclusion temporaire,"
        f" 3/9 en 30{NBSP}jours → bannissement"
    )


async def test_a_ladder_step_without_a_window_reads_naturally_in_english_and_french(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    # ``within: null``: every active point counts, whenever it was given.
    forum = await open_forum(
        NO_INSULTS,
        strikes={
            "ladder": [
                {"points": 2, "within": None, "action": "timeout", "duration": "1h"},
                {"points": 9, "within": "30d", "action": "ban"},
            ]
        },
    )
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob one")
    await forum.run("mod", "/strikes bob")
    assert forum.platform.last_text() == (
        "bob has 1 active strike point. Ladder: 1/2 in all → timeout, 1/9 within 30 days → ban"
    )
    await forum.run("mod", "/warn bob two")
    assert forum.modlog()[-1] == "⚖️ Case 3 · timeout · bob reached 2 strike points"
    assert forum.done("dm")[-1].text.endswith(": 2 strike points (case 3).")
    ladder_case = await forum.cog.casebook.get(forum.platform.community, 3)
    assert ladder_case is not None
    assert ladder_case.reason == "2 strike points"
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/points bob")
    assert forum.platform.last_text() == (
        f"bob a 2 points de sanction actifs. Échelle{NBSP}: 2/2 au total"
        f" → exclusion temporaire, 2/9 en 30{NBSP}jours → bannissement"
    )
    await forum.run("mod", "/pardonner 1")
    await forum.run("mod", "/avertir bob trois")
    assert forum.modlog()[-1] == (
        "⚖️ Dossier 5 · exclusion temporaire · bob a atteint 2 points de sanction"
    )
    said = [*forum.texts(), *(dm.text for dm in forum.done("dm"))]
    assert not [text for text in said if "∞" in text]


async def test_a_ladder_step_s_case_names_the_ladder_in_the_community_s_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    for reason in ("one", "two", "three"):
        await forum.run("mod", f"/warn bob {reason}")
    await forum.run("mod", "/cases bob")
    ladder_line = forum.platform.last_text().splitlines()[1]
    assert " · timeout · by the strike ladder · 3 strike points within " in ladder_line
    await forum.run("mod", "/case 4")
    assert forum.platform.last_text().startswith(
        "Case 4: timeout for bob, by the strike ladder, on"
    )
    write_locale(rules_dir, "fr")
    assert await forum.core.reload_rules() is None
    await forum.run("mod", "/dossiers bob")
    ladder_line = forum.platform.last_text().splitlines()[1]
    assert " · exclusion temporaire · par l'échelle des sanctions · " in ladder_line
    await forum.run("mod", "/dossier 4")
    detail = forum.platform.last_text().splitlines()[0]
    assert ": exclusion temporaire pour bob, par l'échelle des sanctions, le " in detail


async def test_a_pardon_keeps_the_ladder_from_escalating(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob one")
    await forum.run("mod", "/warn bob two")
    await forum.run("mod", "/pardon 2")
    await forum.run("mod", "/warn bob three")
    assert forum.done("timeout") == []
    await forum.run("mod", "/warn bob four")
    [timeout] = forum.done("timeout")
    assert timeout.details["until"] - forum.clock.now() == timedelta(hours=1)


async def test_rules_test_says_which_rules_fire_and_why_not(open_forum: ForumFactory) -> None:
    forum = await open_forum(RULES_TO_TEST)
    forum.member("mod", moderator=True)
    await forum.run("mod", "/rules_test a classic weed")
    assert forum.platform.last_text().splitlines() == [
        "Rules for “a classic weed”:",
        "▫️ no_insults does not fire: match_words: no listed word",
        "▫️ shouting does not fire: caps: 0% capitals, under 70%",
        "▫️ elsewhere does not fire: not in its channels",
        "🧪 trial would fire in dry run (match_words: word “weed”) → delete",
    ]
    await forum.run("mod", "/rules_test YOU IDIOT")
    assert forum.platform.last_text().splitlines()[1:] == [
        "✅ no_insults fires (match_words: word “idiot”) → delete, warn",
        "▫️ shouting does not fire: not checked: no_insults fired first",
        "▫️ elsewhere does not fire: not checked: no_insults fired first",
        "▫️ trial does not fire: not checked: no_insults fired first",
    ]
    # Nothing was done, and no cooldown or case came of it.
    assert forum.deleted() == []
    assert await forum.cog.casebook.of_member(forum.platform.community, "rules-test") == []


async def test_member_data_export_and_erasure(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    await forum.say("bob", "idiot")
    community = forum.platform.community
    user = forum.member("bob").user
    exported = await forum.cog.export_member_data(community, user)
    assert [case["action"] for case in exported["cases"]] == ["delete, warn"]
    await forum.cog.erase_member_data(community, user)
    assert await forum.cog.export_member_data(community, user) == {}


async def test_after_an_erasure_the_ladder_counts_from_zero(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    bob = forum.member("bob")
    await forum.run("mod", "/warn bob one")
    await forum.run("mod", "/warn bob two")
    await forum.cog.erase_member_data(forum.platform.community, bob.user)
    await forum.run("mod", "/warn bob three")
    await forum.run("mod", "/warn bob four")
    assert forum.done("timeout") == []
    await forum.run("mod", "/warn bob five")
    assert len(forum.done("timeout")) == 1


async def test_reasons_take_the_rest_of_the_line(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob stop insulting people, please")
    await forum.run("mod", "/kick bob you were warned")
    warned, kicked = (recorded.text for recorded in forum.done("dm"))
    assert warned == "bob, you have been warned in Garden: stop insulting people, please (case 1)."
    assert kicked == "bob, you have been removed from Garden: you were warned (case 2)."
    assert forum.done("kick")[0].text == "you were warned"


async def test_a_reason_s_line_breaks_forge_no_line_where_it_is_shown(
    open_forum: ForumFactory,
) -> None:
    """A typed Telegram command may hold line breaks: the reason is shown on one line (the
    mod-log, the member's notice, /cases, /case), and the case keeps it as written."""
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    forged = "spam\n[mod-log] Case 99: alice banned by mod"
    flat = "spam [mod-log] Case 99: alice banned by mod"
    await forum.run("mod", f"/warn bob {forged}")
    await forum.run("mod", f"/timeout bob 10m {forged}")
    assert forum.modlog() == [
        f"🛡️ Case 1 · warn · bob by mod: {flat}",
        f"🛡️ Case 2 · timeout · bob by mod: {flat}",
    ]
    warned, silenced = (recorded.text for recorded in forum.done("dm"))
    assert warned == f"bob, you have been warned in Garden: {flat} (case 1)."
    assert "\n" not in silenced
    assert silenced.endswith(f": {flat} (case 2).")
    await forum.run("mod", "/cases bob")
    line = forum.platform.last_text().splitlines()[2]
    assert line.startswith("#1 ")
    assert line.endswith(f" · warn · by mod · {flat}")
    await forum.run("mod", "/case 1")
    assert f"\nReason: {flat}\n" in forum.platform.last_text()
    case = await forum.cog.casebook.get(forum.platform.community, 1)
    assert case is not None
    assert case.reason == forged


async def test_a_ban_decided_as_the_bot_stops_is_still_lifted_after_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
        }
    }
    first = await open_forum(rules, database=database)
    spam = MessageRef(first.platform.channel("general"), "m1")
    # The rule fires; its case and ban are still queued when the bot is told to stop.
    await first.core.handle(
        MessageCreated(
            at=first.clock.now(), message=spam, author=first.member("bob"), text="discord.gg/spam"
        )
    )
    await first.core.stop()
    assert len(first.done("ban")) == 1

    second = await open_forum(rules, database=database, platform=first.platform)
    await second.wait(timedelta(days=1, minutes=1))
    assert len(second.done("unban")) == 1


class ConnectingPlatform(FakePlatform):
    """Connects only when told to, and refuses to act before, as Discord does until its READY
    (its cache knows no server yet)."""

    def __init__(self) -> None:
        super().__init__()
        self.connected = asyncio.Event()
        self.connecting = asyncio.Event()
        self.awaited = asyncio.Event()
        """Set once the bot waits for the connection."""
        self._stopped = asyncio.Event()

    async def start(self, sink: EventSink) -> None:
        self.connecting.set()
        await self._stopped.wait()

    async def ready(self) -> None:
        self.awaited.set()
        await self.connected.wait()

    async def stop(self) -> None:
        self._stopped.set()

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        if not self.connected.is_set():
            raise PlatformError(action, "not_in_server", community=self.community)
        super()._record(action, target, text, **details)


def unbans(platform: FakePlatform) -> list[Any]:
    return [recorded for recorded in platform.actions if recorded.action == "unban"]


async def test_a_ban_that_ended_while_the_bot_was_down_is_lifted_once_connected(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    rules = {
        "ads": {
            "triggers": [{"match_invites": True}],
            "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
        }
    }
    first = await open_forum(rules, database=database)
    await first.say("bob", "discord.gg/spam")
    await first.core.stop()
    first.clock.set(first.clock.now() + timedelta(days=1, minutes=10))

    platform = ConnectingPlatform()
    bot = Jardinier(
        rules_dir=first.core.rules.directory,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform],
        clock=first.clock,
    )
    serving = asyncio.create_task(bot.run())
    await asyncio.wait_for(platform.connecting.wait(), 10)
    await eventually(platform.awaited.is_set, "the jobs that fell due wait for the connection")
    assert len(bot.scheduler.pending("netiquette:ban:")) == 1
    platform.connected.set()
    await eventually(lambda: bool(unbans(platform)), "the ended ban is lifted")
    [unban] = unbans(platform)
    assert unban.target.name == "bob"
    assert bot.scheduler.pending("netiquette:ban:") == []
    await platform.stop()
    await serving


async def test_strikes_from_before_a_restart_still_count_on_the_ladder(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(NO_INSULTS, database=database)
    first.member("mod", moderator=True)
    await first.say("alice", "idiot")
    await first.say("bob", "idiot")
    await first.say("bob", "crétin")
    await first.core.stop()

    second = await open_forum(NO_INSULTS, database=database, platform=first.platform)
    # Alice's firing reads who has strikes in the community; Bob's two are still on record.
    await second.say("alice", "idiot")
    assert second.done("timeout") == []
    await second.say("bob", "idiot")
    [timeout] = second.done("timeout")
    assert timeout.target.user.name == "bob"


async def test_french_answers_elide_before_a_name_that_starts_with_a_vowel(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("alice")
    forum.member("bob")
    await forum.say("alice", "crétin")
    await forum.say("bob", "crétin")
    await forum.run("mod", "/dossiers alice")
    assert forum.platform.last_text().splitlines()[0] == f"Dossiers d'alice (1){NBSP}:"
    await forum.run("mod", "/dossiers bob")
    assert forum.platform.last_text().splitlines()[0] == f"Dossiers de bob (1){NBSP}:"
    await forum.run("mod", "/note alice a présenté ses excuses")
    assert forum.platform.last_text() == "Note ajoutée au dossier d'alice (dossier 3)."
    await forum.run("mod", "/exclure_temporairement alice 1h")
    await forum.run("mod", "/fin_exclusion alice")
    assert forum.platform.last_text() == f"Sanction levée pour alice{NBSP}: exclusion temporaire."
    await forum.run("mod", "/fin_exclusion alice")
    assert forum.platform.last_text() == (
        f"Rien n'était enregistré ici contre alice (exclusion temporaire){NBSP}; "
        "ce qui avait été posé directement sur la plateforme est levé."
    )
    await forum.run("mod", "/exclure_temporairement bob 1h")
    await forum.wait(timedelta(hours=1))
    assert forum.modlog()[-1] == (
        f"⏱️ Sanction levée pour bob{NBSP}: exclusion temporaire (dossier 7)."
    )


async def test_a_forgotten_members_timeout_is_still_lifted_and_names_them_nowhere(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    bob = forum.member("bob")
    await forum.run("mod", "/timeout bob 1h")
    await forum.cog.erase_member_data(forum.platform.community, bob.user)
    [lift] = forum.core.scheduler.pending("netiquette:timeout:")
    assert lift.kwargs["user_name"] == ""
    assert lift.kwargs["case_id"] is None
    before = list(forum.modlog())
    await forum.wait(timedelta(hours=1, minutes=1))
    [lifted] = forum.done("unrestrict")
    assert lifted.target.user.id == "id-bob"
    assert forum.modlog() == before


async def test_a_sanction_given_without_a_reason_tells_the_member_so_plainly(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/ban bob")
    [notice] = forum.done("dm")
    assert notice.text == "bob, you have been banned from Garden: — (case 1)."


async def test_a_timeout_tells_the_member_its_length_in_words_of_their_language(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    write_locale(rules_dir, "fr")
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/exclure_temporairement bob 10j Calme")
    [notice] = forum.done("dm")
    assert f"dans Garden pendant 10{NBSP}jours{NBSP}: Calme (dossier 1)." in notice.text


async def test_a_running_timeout_never_shortens_the_end_a_rule_s_case_gives(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(
        {
            "no_insults": {
                "triggers": [{"match_words": {"words": ["idiot"]}}],
                "actions": {"timeout": {"duration": "1h"}, "ban": {"duration": "7d"}},
            }
        }
    )
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/timeout bob 2d")
    await forum.say("bob", "idiot")
    cases = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert [
        (case.action, case.expires_at - case.created_at) for case in cases if case.expires_at
    ] == [
        ("timeout, ban", timedelta(days=7)),  # the rule's case, newest first
        ("timeout", timedelta(days=2)),
    ]


class Crash(BaseException):
    """The process dies here (a kill -9, a power cut): nothing after it runs, nothing catches
    it."""


class DyingPlatform(FakePlatform):
    """Kills the process the first time it is asked to ``die_at`` (before doing it), or just
    after doing ``die_after``."""

    def __init__(self) -> None:
        super().__init__()
        self.die_at = ""
        self.die_after = ""

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        if action == self.die_at:
            self.die_at = ""
            raise Crash
        super()._record(action, target, text, **details)
        if action == self.die_after:
            self.die_after = ""
            raise Crash


TEMPORARY_BAN = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}


async def test_a_ban_the_process_died_lifting_is_lifted_at_the_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    platform = DyingPlatform()
    first = await open_forum(TEMPORARY_BAN, database=database, platform=platform)
    await first.say("bob", "discord.gg/spam")
    platform.die_at = "unban"
    with pytest.raises(Crash):
        await first.wait(timedelta(days=1, minutes=1))  # dies as it lifts the ban
    await first.stop()
    assert first.done("unban") == []

    first.clock.advance(timedelta(minutes=10))
    second = await open_forum(TEMPORARY_BAN, database=database, platform=platform)
    await second.wait(timedelta(minutes=1))
    [unban] = second.done("unban")
    assert unban.target.name == "bob"
    assert second.modlog()[-1] == "⏱️ The ban of bob is lifted (case 1)."
    case = await second.cog.casebook.get(platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None
    await second.wait(timedelta(days=2))
    assert len(second.done("unban")) == 1


async def test_a_ban_lifted_as_the_process_died_is_only_recorded_at_the_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    platform = DyingPlatform()
    first = await open_forum(TEMPORARY_BAN, database=database, platform=platform)
    await first.say("bob", "discord.gg/spam")
    platform.die_after = "unban"  # the platform lifted it; the case never heard
    with pytest.raises(Crash):
        await first.wait(timedelta(days=1, minutes=1))
    await first.stop()
    assert len(first.done("unban")) == 1
    platform.actions.clear()

    platform.refuse["unban"] = ("not_banned", {"target": "bob", "where": "Garden"})
    second = await open_forum(TEMPORARY_BAN, database=database, platform=platform)
    await second.wait(timedelta(minutes=1))
    # Nothing left to lift: the case is closed, and no warning is given.
    assert second.modlog() == [
        "⏱️ The ban of bob is lifted (case 1) (unban failed: bob is not banned from Garden)."
    ]
    case = await second.cog.casebook.get(platform.community, 1)
    assert case is not None
    assert case.lifted_at is not None


async def test_a_timeout_the_process_died_lifting_is_lifted_at_the_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    platform = DyingPlatform()
    first = await open_forum(NO_INSULTS, database=database, platform=platform)
    first.member("mod", moderator=True)
    first.member("bob")
    await first.run("mod", "/timeout bob 10m Flood")
    platform.die_at = "unrestrict"
    with pytest.raises(Crash):
        await first.wait(timedelta(hours=3))  # past the grace: reported missed, lifted still
    await first.stop()
    platform.actions.clear()

    second = await open_forum(NO_INSULTS, database=database, platform=platform)
    await second.wait(timedelta(minutes=1))
    [lift] = second.done("unrestrict")
    assert lift.target.name == "bob"
    assert second.modlog()[-1] == "⏱️ The timeout of bob is lifted (case 1)."


async def test_a_ban_for_good_after_a_temporary_one_is_not_lifted_at_a_restart(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "forum.db"
    first = await open_forum(TEMPORARY_BAN, database=database)
    await first.say("bob", "discord.gg/spam")
    first.member("mod", moderator=True)
    await first.run("mod", "/ban bob Again")
    await first.stop()

    second = await open_forum(TEMPORARY_BAN, database=database, platform=first.platform)
    await second.wait(timedelta(days=3))
    assert second.done("unban") == []
