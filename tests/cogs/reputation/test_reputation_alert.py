"""The alert: negative mentions reaching the limit within the window bring one message to
leadership and the mod-log, quoting a few of them; then quiet for the cooldown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommunityRef
from tests.cogs.reputation.conftest import scored_by_stub
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

ALERT = "⚠️ 5 negative mentions of the organisation within 1 hour:"


async def storm(newsroom: Newsroom, clock: ManualClock, count: int = 5) -> None:
    """``count`` members complain about the organisation, a minute apart."""
    for n in range(count):
        await newsroom.say(f"member{n}", f"Jardinier is broken again ({n})")
        clock.advance(timedelta(minutes=1))


async def test_a_storm_brings_one_alert_to_leadership_and_the_mod_log(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    await newsroom.say("alice", "Jardinier is great")  # praise counts for nothing here
    await storm(newsroom, clock, 4)
    assert newsroom.sent() == []

    await storm(newsroom, clock, 1 + 20)  # the fifth, then twenty more within the cooldown

    alert = [
        ALERT,
        "member2: “Jardinier is broken again (2)”",
        "member3: “Jardinier is broken again (3)”",
        "member0: “Jardinier is broken again (0)”",
    ]
    assert [text.splitlines() for text in newsroom.texts("leadership")] == [alert]
    assert [text.splitlines() for text in newsroom.texts("mod-log")] == [alert]
    for sent in newsroom.sent():
        assert sent.details["mention"] in ((), None, [])


async def test_complaints_spread_wider_than_the_window_bring_no_alert(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    for n in range(10):
        await newsroom.say(f"member{n}", "Jardinier, arnaque !")
        clock.advance(timedelta(minutes=20))  # three an hour at most

    assert newsroom.sent() == []


async def test_after_the_cooldown_a_new_storm_alerts_again(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    await storm(newsroom, clock)
    clock.advance(timedelta(hours=6))
    await storm(newsroom, clock)

    assert len(newsroom.texts("leadership")) == 2


async def test_a_storm_going_on_across_a_restart_alerts_once_within_the_cooldown(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    """The recent negative mentions are held in memory only, the last alert's time is not."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    platform = FakePlatform()

    async def started() -> Newsroom:
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        return Newsroom(scored_by_stub(core), platform, clock)

    first = await started()
    try:
        await storm(first, clock)
    finally:
        await first.stop()
    second = await started()
    try:
        await storm(second, clock)  # the storm goes on, well within the 6 h cooldown
        assert len(second.texts("leadership")) == 1

        clock.advance(timedelta(hours=6))
        await storm(second, clock)
        assert len(second.texts("leadership")) == 2
    finally:
        await second.stop()


async def test_an_alert_to_leadership_in_the_mod_log_is_posted_there_once(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier, rules_dir: Path
) -> None:
    edit_section(rules_dir, "reputation", {"channel": "#mod-log"})
    assert await core.reload_rules() is None

    await storm(newsroom, clock)

    [alert] = newsroom.texts("mod-log")
    assert alert.startswith(ALERT)
    assert newsroom.texts() == [alert]


async def test_a_deleted_complaint_is_neither_counted_nor_quoted(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    first = await newsroom.say("zoe", "Jardinier scam, you all are liars")
    await newsroom.delete(first)
    await storm(newsroom, clock, 4)
    assert newsroom.sent() == []

    await storm(newsroom, clock, 1)

    [alert] = newsroom.texts("leadership")
    assert "zoe" not in alert


async def test_an_erased_member_is_not_quoted(
    newsroom: Newsroom, clock: ManualClock, core: Jardinier
) -> None:
    await newsroom.say("zoe", "Jardinier is a scam")
    community: CommunityRef = newsroom.platform.community
    exported = await newsroom.cog.export_member_data(community, newsroom.member("zoe").user)
    assert exported == {
        "recent_mentions": [
            {
                "at": "2026-11-02T09:00:00+00:00",
                "tone": "negative",
                "excerpt": "Jardinier is a scam",
            }
        ]
    }

    await newsroom.cog.erase_member_data(community, newsroom.member("zoe").user)
    await storm(newsroom, clock, 4)
    assert newsroom.sent() == []  # her complaint no longer makes the fifth
    await storm(newsroom, clock, 1)

    [alert] = newsroom.texts("leadership")
    assert "zoe" not in alert
    assert await newsroom.cog.export_member_data(community, newsroom.member("zoe").user) == {}


async def test_an_alert_reads_in_french_with_names_as_plain_text(
    newsroom: Newsroom, core: Jardinier, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    edit_section(rules_dir, "reputation", {"alert": {"negative": 2, "within": "30m"}})
    assert await core.reload_rules() is None
    await newsroom.say("@everyone", "Jardinier, c'est nul")
    await newsroom.say("bob", "Graines Bio : remboursement ! https://evil.example/x")

    [alert] = newsroom.texts("leadership")
    assert alert.splitlines() == [
        "⚠️ 2 mentions négatives de l'organisation en 30 minutes\u00a0:",
        "@everyone\u00a0: «\u00a0Jardinier, c'est nul\u00a0»",
        # A link quoted is no link (word joiners break it).
        "bob\u00a0: «\u00a0Graines Bio :\u2060 remboursement ! https:\u2060//evil.\u2060"
        "example/x\u00a0»",
    ]
