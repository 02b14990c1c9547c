"""/onboarding: how many newcomers accepted the charter, introduced themselves, stayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.events import UserRef
from cogs.welcome.journeys import Journey
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.support.rulebook import edit_section

JOINED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_onboarding_counts_match_what_newcomers_did(open_garden: GardenFactory) -> None:
    garden = await open_garden(gate={"enabled": True, "role": "Members"})
    garden.member("mod", moderator=True)
    await garden.arrive("ana", "ben", "cleo", "dan")
    welcome = garden.sent("general")[0]
    for name in ("ana", "ben", "cleo"):
        await garden.press(name, "welcome:accept", under=welcome)
    await garden.say("ana", "Bonjour, je m'appelle Ana", channel="intros")
    await garden.say("ben", "Hi! My name is Ben")
    await garden.say("cleo", "where are the seeds?")
    await garden.say("dan", "spam spam")  # held back at the gate: not a first message
    await garden.wait(timedelta(days=8))
    await garden.say("ana", "Back with photos of my roses")
    await garden.arrive("eve")

    await garden.run("mod", "/onboarding 30")
    assert garden.sent()[-1].text == "\n".join(
        [
            "Newcomers of the last 30 days: 5",
            "Accepted the charter: 3 (60%)",
            "Introduced themselves: 2 (40%)",
            "Posted a first message: 3 (60%)",
            "Still active after 7 days: 1 of the 4 who joined long enough ago (25%)",
            "Still active after 30 days: 0 of the 0 who joined long enough ago (—)",
        ]
    )
    assert garden.sent()[-1].details["private_to"] == garden.member("mod")

    await garden.run("mod", "/onboarding 7")
    assert garden.sent()[-1].text.splitlines()[0] == "Newcomers of the last 7 days: 1"


async def test_onboarding_defaults_to_thirty_days_and_says_when_there_is_no_one(
    garden: Garden,
) -> None:
    garden.member("mod", moderator=True)
    await garden.run("mod", "/onboarding")
    assert garden.sent()[-1].text == "No newcomer in the last 30 days."
    await garden.join("ana")
    await garden.run("mod", "/onboarding")
    lines = garden.sent()[-1].text.splitlines()
    assert lines[0] == "Newcomers of the last 30 days: 1"
    assert not any("charter" in line for line in lines)  # the gate is off


async def test_onboarding_is_for_moderators(garden: Garden) -> None:
    await garden.run("ana", "/onboarding 30")
    assert garden.sent()[-1].text == "Sorry, /onboarding is for moderators."


async def test_onboarding_refuses_a_silly_number_of_days(garden: Garden) -> None:
    garden.member("mod", moderator=True)
    await garden.run("mod", "/onboarding 0")
    # The same range and words as /report 0.
    assert garden.sent()[-1].text == (
        "Usage: /onboarding [days] (days should be from 1 to 366, not 0)."
        " Type /help onboarding for details."
    )
    await garden.run("mod", "/onboarding 366")
    assert garden.sent()[-1].text.startswith(("Newcomers", "No newcomer"))
    await garden.run("mod", "/onboarding lots")
    assert garden.sent()[-1].text.startswith("Usage: /onboarding [days]")


async def test_a_member_who_comes_back_starts_a_new_journey(garden: Garden) -> None:
    await garden.join("ana")
    await garden.say("ana", "My name is Ana")
    await garden.leave("ana")
    await garden.wait(timedelta(days=40))
    await garden.join("ana")
    journey = await garden.cog.journeys.get(garden.platform.community, "id-ana")
    assert journey is not None
    assert journey.joined_at == garden.clock.now()
    assert journey.introduced_at is None
    assert journey.first_message_at is None


def test_activity_is_measured_from_the_join() -> None:
    journey = Journey(id=1, community_id=1, user_id="u", joined_at=JOINED)
    assert journey.activity(JOINED - timedelta(hours=1)) == {}
    later = JOINED + timedelta(days=6, hours=23)
    assert journey.activity(later) == {"first_message_at": later}
    day_seven = JOINED + timedelta(days=7)
    posted = Journey(id=1, community_id=1, user_id="u", joined_at=JOINED, first_message_at=later)
    assert posted.activity(day_seven) == {"active_7d_at": day_seven}
    day_thirty = JOINED + timedelta(days=30)
    assert posted.activity(day_thirty) == {"active_7d_at": day_thirty, "active_30d_at": day_thirty}


async def test_a_members_onboarding_can_be_exported_and_erased(garden: Garden) -> None:
    [ana] = await garden.join("ana")
    await garden.say("ana", "My name is Ana")
    exported = await garden.cog.export_member_data(garden.platform.community, ana.user)
    assert exported["onboarding"]["joined_at"] == garden.clock.now().isoformat()
    assert exported["onboarding"]["introduced_at"] == garden.clock.now().isoformat()
    assert "text" not in str(exported)

    await garden.cog.erase_member_data(garden.platform.community, ana.user)
    assert await garden.cog.export_member_data(garden.platform.community, ana.user) == {}
    assert garden.core.scheduler.pending("welcome:") == []
    nobody = UserRef("fake", "id-nobody", "nobody")
    assert await garden.cog.export_member_data(garden.platform.community, nobody) == {}


async def test_a_french_community_reads_its_shares_the_french_way(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    garden = await open_garden()
    garden.member("mod", moderator=True)
    await garden.arrive("ana", "ben")
    await garden.say("ana", "Bonjour, je m'appelle Ana", channel="intros")
    await garden.run("mod", "/accueil 30")
    lines = garden.sent()[-1].text.splitlines()
    assert "Se sont présentés\u00a0: 1 (50\u00a0%)" in lines


async def test_each_arrival_counts_with_the_stages_it_reached_in_its_own_period(
    garden: Garden,
) -> None:
    garden.member("mod", moderator=True)
    await garden.join("ana")
    await garden.say("ana", "My name is Ana")
    await garden.leave("ana")
    await garden.wait(timedelta(days=10))
    await garden.join("ana")  # back: a newcomer again, who has not posted yet this time
    await garden.wait(timedelta(minutes=1))
    await garden.join("ben")

    await garden.run("mod", "/onboarding 30")
    assert garden.sent()[-1].text == "\n".join(
        [
            "Newcomers of the last 30 days: 3",
            "Introduced themselves: 1 (33%)",
            "Posted a first message: 1 (33%)",
            "Still active after 7 days: 0 of the 1 who joined long enough ago (0%)",
            "Still active after 30 days: 0 of the 0 who joined long enough ago (—)",
        ]
    )
    # Her first stay belongs to its own period, not to the last week's.
    await garden.run("mod", "/onboarding 7")
    assert garden.sent()[-1].text.splitlines()[:3] == [
        "Newcomers of the last 7 days: 2",
        "Introduced themselves: 0 (0%)",
        "Posted a first message: 0 (0%)",
    ]


async def test_every_arrival_of_a_member_is_exported_and_erased(garden: Garden) -> None:
    community = garden.platform.community
    first = garden.clock.now()
    [ana] = await garden.join("ana")
    await garden.say("ana", "My name is Ana")
    await garden.leave("ana")
    await garden.wait(timedelta(days=3))
    await garden.join("ana")

    exported = await garden.cog.export_member_data(community, ana.user)
    assert exported["onboarding"]["joined_at"] == garden.clock.now().isoformat()
    assert exported["onboarding"]["introduced_at"] is None
    assert [
        (earlier["joined_at"], earlier["introduced_at"])
        for earlier in exported["earlier_arrivals"]
    ] == [(first.isoformat(), first.isoformat())]

    await garden.cog.erase_member_data(community, ana.user)
    assert await garden.cog.export_member_data(community, ana.user) == {}
    async with garden.core.db.engine.connect() as connection:
        left = await connection.execute(
            text("SELECT count(*) FROM welcome_newcomers WHERE user_id = 'id-ana'")
        )
        assert left.scalar() == 0


async def test_a_member_who_leaves_and_comes_back_in_the_same_second_is_one_arrival(
    open_garden: GardenFactory,
) -> None:
    """bob joins, leaves and joins again at the same instant (Telegram's times are whole
    seconds): one arrival, still going on, held at the gate and counted in each stage it
    reaches; coming back one second later is an arrival of its own."""
    garden = await open_garden(gate={"enabled": True, "role": "Members"})
    garden.member("mod", moderator=True)
    await garden.join("bob")
    await garden.leave("bob")
    await garden.join("bob")
    await garden.press("bob", "welcome:accept", under=garden.sent("general")[-1])
    await garden.say("bob", "Hi! My name is Bob")

    await garden.run("mod", "/onboarding 30")
    assert garden.sent()[-1].text.splitlines()[:4] == [
        "Newcomers of the last 30 days: 1",
        "Accepted the charter: 1 (100%)",
        "Introduced themselves: 1 (100%)",
        "Posted a first message: 1 (100%)",
    ]

    await garden.leave("bob")
    await garden.wait(timedelta(seconds=1))
    await garden.join("bob")
    await garden.run("mod", "/onboarding 30")
    assert garden.sent()[-1].text.splitlines()[:2] == [
        "Newcomers of the last 30 days: 2",
        "Accepted the charter: 1 (50%)",
    ]
