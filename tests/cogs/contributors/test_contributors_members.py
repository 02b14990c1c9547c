"""Profiles, opting out, introductions and contest wins, and members' data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import (
    CommunityRef,
    ContestWon,
    MemberIntroduced,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageRef,
    UserRef,
)
from bot.platform import PlatformError
from cogs.contributors.thanks import ThanksDetector
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

LONG = "Here is a long and thoughtful message about the garden."


def test_thanks_are_whole_words_in_french_and_english_ignoring_case_and_accents() -> None:
    detector = ThanksDetector(["merci", "merci beaucoup", "thanks", "thank you", "thx", "ty"])
    for text in ("MERCI !", "Mérci bien", "thank you so much", "ok ty", "Thx.", "mille merci"):
        assert detector.thanks(text), text
    for text in ("typo in the doc", "mercimercis", "thanksgiving dinner", "thank the gods", ""):
        assert not detector.thanks(text), text


def test_thanks_phrases_of_several_words_count_only_whole() -> None:
    detector = ThanksDetector(["many thanks to you", "thank you", "ÇA ROULE"])
    for text in ("oh, many thanks to you!", "so thank you", "ça roule", "Ca   roule."):
        assert detector.thanks(text), text
    for text in ("many thanks to", "thanks to you", "thank", "you thank", "ça", "thanks"):
        assert not detector.thanks(text), text


async def test_profile_breaks_the_score_down_with_rank_and_trend(forum: Forum) -> None:
    await forum.say("alice", LONG)
    await forum.wait(timedelta(days=7))
    post = await forum.say("alice", LONG)
    await forum.say("bob", "Thanks, that is really helpful to me", reply_to=post)
    await forum.say("erin", LONG)

    answer = await forum.run("bob", "/profile alice")

    header, *lines = answer.splitlines()
    assert header == "alice — over the last 7 days: 8 pts, rank 1/3"
    assert "• 1 thank-you: 5 pts" in lines
    assert "• 1 reply: 2 pts" in lines
    assert "• 1 substantial message: 1 pt" in lines
    assert lines[-1] == "Trend: ▲ +7 pts against the window before (1 pt)."


THANKERS = ("alice", "bob", "erin")


@pytest.mark.parametrize(
    ("locale", "top", "profile", "expected"),
    [
        (
            "en",
            "/top",
            "/profile carol",
            ["1. carol — 154 pts (21 thanks)", "• 21 thanks: 105 pts", "• 21 replies: 42 pts"],
        ),
        (
            "fr",
            "/classement",
            "/profil carol",
            [
                "1. carol — 154 pts (21 remerciements)",
                "• 21 remerciements\u00a0: 105 pts",
                "• 21 réponses\u00a0: 42 pts",
            ],
        ),
    ],
)
async def test_the_same_three_thankers_all_week_are_21_thanks_not_21_members(
    open_forum: ForumFactory,
    rules_dir: Path,
    locale: str,
    top: str,
    profile: str,
    expected: list[str],
) -> None:
    # A member counts once a day: the same three members thanking carol on each of 7 days are
    # 21 thanks; no text may say that 21 members thanked her.
    edit_section(rules_dir, "community", {"locale": locale})
    forum = await open_forum()
    for day in range(7):
        if day:
            await forum.wait(timedelta(days=1))
        answer = await forum.say("carol", LONG)
        for name in THANKERS:
            await forum.say(name, "Thank you, that is what I needed!", reply_to=answer)

    # Each day: her message (1 pt), 3 replies (3 × 2) and 3 thanks (3 × 5).
    top_line, *profile_lines = expected
    assert (await forum.run("mod", top)).splitlines()[1] == top_line
    lines = (await forum.run("mod", profile)).splitlines()
    assert all(line in lines for line in profile_lines), lines


async def test_a_member_who_left_is_not_ranked_until_they_come_back(forum: Forum) -> None:
    """/top, /influencers and /profile rank the members still in the community: one who left
    is not listed (the next takes their place), and is again once they rejoin."""
    for name in ("carol", "frank"):
        post = await forum.say(name, LONG)
        await forum.say("bob", "Thanks, that is really helpful to me", reply_to=post)
    await forum.say("carol", LONG)  # carol leads: one point more
    assert forum.ranked(await forum.run("bob", "/top"))[:2] == ["carol", "frank"]

    await forum.handle(MemberLeft(at=forum.clock.now(), member=forum.member("carol")))

    assert "carol" not in forum.ranked(top := await forum.run("bob", "/top")), top
    assert forum.ranked(top)[0] == "frank"
    assert "carol" not in forum.ranked(await forum.run("bob", "/influencers"))
    assert (await forum.run("bob", "/profile frank")).splitlines()[0].endswith("rank 1/2")
    # Asked about by name, she still has her profile, ranked among those still here.
    assert (await forum.run("bob", "/profile carol")).splitlines()[0] == (
        "carol — over the last 7 days: 9 pts, rank 1/3"
    )

    await forum.join("carol")
    await forum.wait(timedelta(minutes=1))  # the command pace of the channel
    back = await forum.run("bob", "/top")
    assert forum.ranked(back)[:1] == ["carol"], back


async def test_profile_of_someone_without_contributions(forum: Forum) -> None:
    assert (
        await forum.run("bob", "/profile")
        == "bob has had no contributions counted over the last 7 days."
    )


async def test_a_member_who_opts_out_is_erased_and_no_longer_counted(forum: Forum) -> None:
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    assert "carol" in forum.ranked(await forum.run("carol", "/top"))

    answer = await forum.run("carol", "/contributors_optout")
    assert answer.startswith("Done: you are no longer scored")
    again = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks again carol, this is great", reply_to=again)

    assert "carol" not in forum.ranked(await forum.run("alice", "/top"))
    assert "carol" not in forum.ranked(await forum.run("alice", "/influencers"))
    assert await forum.run("alice", "/profile carol") == "carol asked not to be scored."
    assert await forum.cog.export_member_data(
        forum.platform.community, forum.member("carol").user
    ) == {"contributions": {"daily": [], "interactions": [], "wins": [], "opted_out": True}}
    assert (await forum.run("carol", "/contributors_optout")).startswith("You have already")

    assert (await forum.run("carol", "/contributors_optin")).startswith("Welcome back")
    await forum.say("carol", LONG)
    assert forum.ranked(await forum.run("alice", "/top"))[0] == "alice"
    assert "carol" in forum.ranked(await forum.run("alice", "/top"))


async def test_a_message_removed_after_an_opt_out_takes_nothing_earned_since(
    forum: Forum,
) -> None:
    post = await forum.say("carol", LONG)
    thanks = await forum.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    await forum.run("carol", "/contributors_optout")
    await forum.run("carol", "/contributors_optin")
    again = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks again carol, this is great", reply_to=again)

    await forum.delete(thanks)  # alice's first thanks, erased with carol's counters, goes

    lines = (await forum.run("mod", "/profile carol")).splitlines()
    assert lines[0] == "carol — over the last 7 days: 8 pts, rank 1/2"
    assert "• 1 thank-you: 5 pts" in lines
    assert "• 1 reply: 2 pts" in lines


async def test_a_reaction_left_before_an_opt_out_counts_again_once_left_again(
    forum: Forum,
) -> None:
    post = await forum.say("carol", LONG)
    await forum.react("alice", post)
    await forum.run("alice", "/contributors_optout")
    await forum.run("alice", "/contributors_optin")

    await forum.react("alice", post, "🎉")

    assert "• 1 reaction: 0.5 pts" in (await forum.run("mod", "/profile carol"))


async def test_introductions_and_contest_wins_from_the_bus_count(forum: Forum) -> None:
    hana = forum.member("hana")
    await forum.core.handle(
        MemberIntroduced(
            at=forum.clock.now(),
            member=hana,
            message=MessageRef(forum.platform.channel("intros"), "i1"),
        )
    )
    await forum.core.handle(
        ContestWon(
            at=forum.clock.now(), member=forum.member("ivan"), contest_id="7", title="Photo"
        )
    )

    answer = await forum.run("alice", "/top")

    assert answer.splitlines()[1:] == [
        "1. ivan — 10 pts (1 contest win)",
        "2. hana — 3 pts (introduced themselves)",
    ]


async def test_export_and_erase_a_members_counters(forum: Forum) -> None:
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    community, carol = forum.platform.community, forum.member("carol").user

    exported = await forum.cog.export_member_data(community, carol)
    day = forum.clock.now().date().isoformat()
    assert exported["contributions"]["daily"] == [
        {"day": day, "messages": 1, "introductions": 0, "contest_wins": 0, "moderation_cases": 0}
    ]
    assert {
        (item["kind"], item["direction"]) for item in exported["contributions"]["interactions"]
    } == {
        ("reply", "received"),
        ("thanks", "received"),
    }
    assert "text" not in str(exported)

    await forum.cog.erase_member_data(community, carol)

    assert await forum.cog.export_member_data(community, carol) == {}
    assert forum.ranked(await forum.run("alice", "/top")) == ["alice"]


async def test_a_profile_writes_the_name_as_every_text_does(forum: Forum) -> None:
    """A name is the member's own words: one line, bounded, never a live invitation."""
    for name in ("discord.gg/freeseeds\nline2", "B" * 3000):
        await forum.say(name, LONG)
        profile = await forum.run(name, "/profile")
        assert "discord.gg/" not in profile
        header = profile.splitlines()[0]
        assert header.endswith("1 pt, rank 1/1")  # the name holds no line break
        assert len(header) < 200
        # The same name as /top writes it.
        assert header.split(" — ")[0] in forum.ranked(await forum.run("mod", "/top"))

        await forum.run(name, "/contributors_optout")
        opted_out = await forum.run(name, "/profile")
        assert opted_out.endswith(" asked not to be scored.")
        assert "\n" not in opted_out
        assert "discord.gg/" not in opted_out
        assert len(opted_out) < 200


async def test_a_window_alone_shows_ones_own_profile(forum: Forum) -> None:
    await forum.say("alice", LONG)
    await forum.wait(timedelta(days=10))
    answer = await forum.run("alice", "/profile 30d")
    assert answer.splitlines()[0] == "alice — over the last 30 days: 1 pt, rank 1/1"
    assert (await forum.run("bob", "/profile alice 30d")).startswith("alice — over the last 30")
    assert await forum.run("alice", "/profile") == (
        "alice has had no contributions counted over the last 7 days."
    )
    assert "no member called 'nobody'" in await forum.run("alice", "/profile nobody")


async def test_every_window_reads_well_in_french(
    open_forum: ForumFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    forum = await open_forum()
    assert await forum.run("alice", "/influenceurs tout") == (
        "Aucune interaction comptée sur tous les jours gardés pour l'instant."
    )
    for window in ("30j", "30", "30d"):
        assert await forum.run("alice", f"/classement {window}") == (
            "Aucune contribution comptée sur les 30 derniers jours pour l'instant."
        )
    assert await forum.run("alice", "/profil") == (
        "alice n'a pas encore de contribution comptée sur les 7 derniers jours."
    )
    await forum.say("alice", LONG)
    assert (await forum.run("alice", "/classement tout")).startswith(
        "🌱 Meilleurs contributeurs — sur tous les jours gardés\u00a0:"
    )
    assert (await forum.run("alice", "/profil tout")).startswith(
        "alice — sur tous les jours gardés\u00a0: 1 pt"
    )


ZOE = UserRef("fake", "id-zoe", "Zoé")
"""A member who has not posted since the bot came: the core never recorded her."""


async def zoe_is_thanked_for_a_tip_older_than_the_bot(forum: Forum) -> None:
    """alice thanks zoe for a message posted before the bot came, whose author the platform
    names with the reply (Telegram always does)."""
    general = forum.platform.channel("general")
    await forum.handle(
        MessageCreated(
            at=forum.clock.now(),
            message=MessageRef(general, "thanks-1"),
            author=forum.member("alice"),
            text="Merci beaucoup pour ce conseil !",
            reply_to=MessageRef(general, "before-the-bot"),
            reply_to_author=ZOE,
        )
    )


class Directory(FakePlatform):
    """A platform that finds members by id too, as Discord and Telegram do, and counts it."""

    def __init__(self, known: dict[str, str], *, failing: bool = False) -> None:
        super().__init__()
        self.known = known
        self.failing = failing
        self.asked: list[str] = []

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """Members by id (``known``), else as the fake platform finds them."""
        if text in self.known or text.startswith("id-"):
            self.asked.append(text)
            if self.failing:
                raise PlatformError("find_member", "rate_limited", community=community)
            if text in self.known:
                return MemberRef(community, UserRef(self.name, text, self.known[text]))
        return await super().resolve_member(community, text)


async def test_a_member_credited_only_through_a_reply_is_named_as_the_platform_names_them(
    forum: Forum,
) -> None:
    await zoe_is_thanked_for_a_tip_older_than_the_bot(forum)

    assert (await forum.run("mod", "/top")).splitlines()[1] == "1. Zoé — 7 pts (1 thank-you)"
    forum.platform.actions.clear()
    await forum.wait(timedelta(days=7))  # the weekly shout-out
    [shoutout] = [sent for sent in forum.platform.sent() if sent.target.name == "#general"]
    assert shoutout.text.splitlines()[1] == "1. Zoé (1 thank-you)"


async def test_after_a_restart_the_platform_is_asked_her_name_once(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    await zoe_is_thanked_for_a_tip_older_than_the_bot(first)
    await first.stop()
    platform = Directory({"id-zoe": "Zoé"})
    second = await open_forum(database=database, platform=platform)

    for _ in range(3):
        assert (await second.run("mod", "/top")).splitlines()[1] == (
            "1. Zoé — 7 pts (1 thank-you)"
        )
    assert platform.asked == ["id-zoe"]


@pytest.mark.parametrize("failing", [False, True], ids=["unknown", "platform-failing"])
async def test_a_member_the_platform_cannot_name_is_said_to_be_unseen_in_en_and_fr(
    open_forum: ForumFactory, tmp_path: Path, rules_dir: Path, *, failing: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    await zoe_is_thanked_for_a_tip_older_than_the_bot(first)
    await first.stop()
    second = await open_forum(database=database, platform=Directory({}, failing=failing))

    assert (await second.run("mod", "/top")).splitlines()[1] == (
        "1. a member I have not seen post since I arrived (id id-zoe) — 7 pts (1 thank-you)"
    )
    await second.stop()
    edit_section(rules_dir, "community", {"locale": "fr"})
    third = await open_forum(database=database, platform=Directory({}, failing=failing))
    assert (await third.run("mod", "/classement")).splitlines()[1] == (
        "1. un·e membre que je n'ai pas vu·e écrire depuis mon arrivée (id id-zoe)"
        " — 7 pts (1 remerciement)"
    )
