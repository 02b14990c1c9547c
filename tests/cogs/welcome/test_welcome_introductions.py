"""Newcomers are invited to introduce themselves, thanked once, and nudged once if silent."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bus import Priority
from bot.core import Jardinier
from bot.events import Event, MemberIntroduced, MessageCreated
from cogs.welcome.config import IntroductionsConfig
from cogs.welcome.introductions import opens_with_phrase
from tests.cogs.welcome.garden import Garden, GardenFactory

PHRASES = ["je m'appelle", "je suis", "moi c'est", "I'm", "my name is"]


@pytest.mark.parametrize(
    "text",
    [
        "Je m'appelle Alice",
        "je m’appelle Alice et j'aime les plantes",
        "Bonjour, je m'appelle Alice",
        "Bonjour, je m appelle Alice",
        "Hello everyone! I'm Bob",
        "Hi, my name is Sam.",
        "I’m new here",
        "Salut tout le monde ! Moi c'est Léa",
        "Hello\nI'm Kim",
    ],
)
def test_messages_opening_with_an_introduction_phrase(text: str) -> None:
    assert opens_with_phrase(text, PHRASES)


@pytest.mark.parametrize(
    "text",
    [
        "Where is the FAQ? I'm lost",
        "Imagine a garden",
        "I am Bob",  # not a configured phrase
        "Yes I'm here",
        "We had a long discussion yesterday about it, and then I'm done",
        "",
        "!!!",
    ],
)
def test_messages_that_are_not_introductions(text: str) -> None:
    assert not opens_with_phrase(text, PHRASES)


async def test_a_first_message_in_the_introductions_channel_is_acknowledged(
    garden: Garden,
) -> None:
    [alice] = await garden.join("alice")
    garden.clear()
    message = await garden.say(
        "alice", "Bonjour ! Jardinière amateur, j'adore les roses.", channel="intros"
    )
    [thanks] = garden.sent()
    assert thanks.target.name == "#intros"
    assert thanks.details["reply_to"] == message
    assert "alice" in thanks.text
    assert thanks.details["mention"] == (alice.user,)

    await garden.say("alice", "Et aussi les tulipes.", channel="intros")
    assert len(garden.sent()) == 1


async def test_an_introduction_is_logged_at_debug_only(
    garden: Garden, caplog: pytest.LogCaptureFixture
) -> None:
    """The journey records it, erased with the member: the log, shipped and kept out of reach
    of /forget_member, does not keep who introduced themselves at INFO."""
    await garden.join("alice")
    with caplog.at_level(logging.DEBUG, logger="cogs.welcome"):
        await garden.say("alice", "Bonjour ! J'adore les roses.", channel="intros")

    said = [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if "introduced themselves" in record.getMessage()
    ]
    assert said == [(logging.DEBUG, "id-alice introduced themselves in fake-c1")]


async def test_an_introduction_phrase_counts_in_any_channel(garden: Garden) -> None:
    await garden.join("bob")
    garden.clear()
    await garden.say("bob", "Where do I start?")
    assert garden.sent() == []
    await garden.say("bob", "Hello everyone, my name is Bob")
    [thanks] = garden.sent()
    assert thanks.target.name == "#general"
    assert "Bob" in thanks.text or "bob" in thanks.text


async def test_members_who_did_not_join_under_watch_are_not_newcomers(garden: Garden) -> None:
    await garden.say("oldtimer", "I'm back from holidays", channel="intros")
    assert garden.sent() == []


async def test_acknowledging_with_a_reaction(open_garden: GardenFactory) -> None:
    garden = await open_garden(introductions={"acknowledge": "react", "reaction": "🌷"})
    await garden.join("alice")
    garden.clear()
    message = await garden.say("alice", "Je suis Alice", channel="intros")
    [reaction] = garden.done("react")
    assert (reaction.target, reaction.text) == (message, "🌷")
    assert garden.sent() == []


async def test_one_nudge_for_a_silent_newcomer_and_never_a_second(garden: Garden) -> None:
    [bob] = await garden.join("bob")
    garden.clear()
    await garden.wait(timedelta(hours=23))
    assert garden.sent() == []
    await garden.wait(timedelta(hours=2))
    [nudge] = garden.sent()
    assert nudge.target.name == "#intros"
    assert "bob" in nudge.text
    assert nudge.details["mention"] == (bob.user,)
    await garden.wait(timedelta(days=30))
    assert len(garden.sent()) == 1
    assert garden.core.scheduler.pending("welcome:nudge:") == []


async def test_no_nudge_after_an_introduction(garden: Garden) -> None:
    await garden.join("alice")
    assert [job.id for job in garden.core.scheduler.pending("welcome:nudge:")] == [
        "welcome:nudge:fake-c1:id-alice"
    ]
    await garden.say("alice", "Bonjour, je m'appelle Alice", channel="intros")
    assert garden.core.scheduler.pending("welcome:nudge:") == []
    garden.clear()
    await garden.wait(timedelta(days=3))
    assert garden.sent() == []


async def test_no_nudge_for_someone_who_left(garden: Garden) -> None:
    await garden.join("carol")
    await garden.leave("carol")
    garden.clear()
    await garden.wait(timedelta(days=3))
    assert garden.sent() == []


async def test_a_nudge_job_that_runs_twice_still_nudges_once(garden: Garden) -> None:
    await garden.join("bob")
    [scheduled] = garden.core.scheduler.pending("welcome:nudge:")
    garden.clear()
    await garden.wait(timedelta(days=2))
    await garden.cog.nudge(**scheduled.kwargs)
    assert len(garden.sent()) == 1


async def test_nudge_by_direct_message(open_garden: GardenFactory) -> None:
    garden = await open_garden(introductions={"nudge_by_dm": True, "nudge_after": "2h"})
    [bob] = await garden.join("bob")
    garden.clear()
    await garden.wait(timedelta(hours=3))
    [dm] = garden.done("dm")
    assert dm.target == bob.user
    assert garden.sent() == []


async def test_the_nudge_survives_a_restart(open_garden: GardenFactory, tmp_path: Path) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join("bob")
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(days=2))
    [nudge] = second.sent()
    assert "bob" in nudge.text
    await second.stop()

    third = await open_garden(database=database)
    await third.wait(timedelta(days=2))
    assert third.sent() == []


async def test_an_introduction_removed_by_moderation_does_not_count(garden: Garden) -> None:
    async def remove_everything(event: MessageCreated) -> None:
        garden.core.bus.mark_removed(event.message)

    # A core listener standing in for the netiquette cog, which removes every message.
    garden.core.bus.subscribe(
        "core", MessageCreated, remove_everything, priority=Priority.MODERATION, cog_rank=-1
    )
    await garden.join("alice")
    garden.clear()
    await garden.say("alice", "je m'appelle Alice", channel="intros")
    assert garden.sent() == []


async def test_an_introduction_is_announced_once_to_the_other_cogs(
    garden: Garden, core: Jardinier
) -> None:
    heard: list[MemberIntroduced] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, MemberIntroduced)
        heard.append(event)

    core.bus.subscribe("core", MemberIntroduced, listen)  # "core" serves every community
    [alice] = await garden.join("alice")
    message = await garden.say("alice", "Je m'appelle Alice", channel="intros")
    await garden.say("alice", "Je suis aussi jardinière", channel="intros")
    assert [(event.member, event.message) for event in heard] == [(alice, message)]


@pytest.mark.parametrize(
    ("text", "introduces"),
    [
        ("Je suis d'accord avec toi", False),
        ("I'm not sure this works", False),
        ("Je suis perdu, où est le salon ?", False),
        ("Moi c'est pareil", False),
        ("Hi! I'm back", False),
        ("Bonjour, je suis nouvelle ici", True),
        ("Hello everyone! I'm new here", True),
        ("Je m'appelle Alice", True),
        ("Hi, my name is Sam.", True),
        ("Je me présente : Léa, 34 ans", True),
        ("Let me introduce myself: Bob, from Lyon", True),
    ],
)
def test_the_default_phrases_take_only_introductions_for_introductions(
    text: str, introduces: bool
) -> None:
    assert opens_with_phrase(text, IntroductionsConfig().phrases) is introduces


async def test_the_shipped_phrases_are_the_defaults(garden: Garden) -> None:
    assert garden.cog.settings(garden.platform.community).introductions == IntroductionsConfig()


async def test_an_everyday_opening_is_not_greeted_as_an_introduction(garden: Garden) -> None:
    await garden.join("zoe")
    await garden.wait(timedelta(minutes=1))
    garden.clear()
    await garden.say("zoe", "I'm not sure this is the right channel")
    await garden.say("zoe", "Je suis d'accord avec toi")
    assert garden.sent() == []
    await garden.wait(timedelta(days=1))
    [nudge] = garden.sent()
    assert nudge.text.startswith("Hello zoe! We would love to get to know you")


async def test_a_reply_or_a_word_in_the_introductions_channel_is_not_an_introduction(
    garden: Garden,
) -> None:
    await garden.join("ann")
    await garden.wait(timedelta(minutes=1))
    garden.clear()
    zed = await garden.say("zed", "Hello all, Zed here, I grow tomatoes", channel="intros")
    await garden.say("ann", "lol", channel="intros", reply_to=zed)
    await garden.say("ann", "Welcome Zed, I love tomatoes too!", channel="intros", reply_to=zed)
    hello = await garden.say("ann", "Hello!", channel="intros")
    assert garden.sent() == []
    await garden.say("ann", "Ann, from Lyon: roses and tulips", channel="intros", reply_to=hello)
    [thanks] = garden.sent()
    assert "ann" in thanks.text
    assert garden.core.scheduler.pending("welcome:nudge:") == []


async def test_a_reply_to_ones_nudge_is_an_introduction(garden: Garden) -> None:
    await garden.join("bob")
    await garden.wait(timedelta(days=1, minutes=1))
    [nudge] = garden.sent("intros")
    await garden.say(
        "bob", "Sure! Bob, from Nantes", channel="intros", reply_to=nudge.details["message"]
    )
    [_, thanks] = garden.sent("intros")
    assert "bob" in thanks.text


async def test_any_first_message_in_the_introductions_channel_with_min_words_zero(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(introductions={"min_words": 0})
    await garden.join("ann")
    garden.clear()
    await garden.say("ann", "hi", channel="intros")
    assert len(garden.sent("intros")) == 1


async def test_coming_back_to_introduce_oneself_again_is_announced_once(
    garden: Garden, core: Jardinier
) -> None:
    heard: list[MemberIntroduced] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, MemberIntroduced)
        heard.append(event)

    core.bus.subscribe("core", MemberIntroduced, listen)
    introductions = []
    for _ in range(4):
        await garden.join("bob")
        await garden.wait(timedelta(minutes=1))
        introductions.append(await garden.say("bob", "My name is Bob"))
        await garden.leave("bob")
        await garden.wait(timedelta(minutes=2))
    # Thanked at each stay (each is a newcomer's journey), announced to the other cogs once.
    thanked = [sent for sent in garden.sent("general") if sent.details["reply_to"] is not None]
    assert [sent.details["reply_to"] for sent in thanked] == introductions
    assert [event.message for event in heard] == introductions[:1]

    await garden.join("bob")
    await garden.say("bob", "My name is Bob")
    garden.member("mod", moderator=True)
    await garden.run("mod", "/onboarding 1")
    # Each stay is an arrival of its own in the funnel, introduced.
    assert garden.texts()[-1].splitlines()[:2] == [
        "Newcomers of the last day: 5",
        "Introduced themselves: 5 (100%)",
    ]
    assert len(heard) == 1


async def test_someone_who_introduced_themselves_is_not_nudged_after_coming_back(
    garden: Garden,
) -> None:
    await garden.join("alice")
    await garden.say(
        "alice", "hello everyone, my name is Alice and I grow tomatoes", channel="intros"
    )
    await garden.wait(timedelta(minutes=5))
    await garden.leave("alice")
    await garden.wait(timedelta(minutes=5))
    await garden.join("alice")
    garden.clear()
    await garden.wait(timedelta(hours=25))
    assert garden.sent() == []
    assert garden.core.scheduler.pending("welcome:nudge:") == []


async def test_a_newcomer_still_held_at_the_gate_is_not_nudged_until_they_accept(
    open_garden: GardenFactory,
) -> None:
    # Discord with a role: no timeout removes them, the gate just keeps prompting.
    garden = await open_garden(gate={"enabled": True, "role": "Members"})
    await garden.join("bob")
    welcome = garden.sent()[-1]
    garden.clear()
    await garden.wait(timedelta(hours=25))
    assert garden.sent() == []  # the gate's prompt speaks to them, not a nudge

    await garden.press("bob", "welcome:accept", under=welcome)
    garden.clear()
    await garden.wait(timedelta(hours=23))
    assert garden.sent() == []
    await garden.wait(timedelta(hours=2))  # a day after accepting, once they may post
    [nudge] = garden.sent()
    assert nudge.target.name == "#intros"
    assert "bob" in nudge.text
    await garden.wait(timedelta(days=3))
    assert len(garden.sent()) == 1


async def test_a_newcomer_who_accepts_in_time_is_nudged_a_day_after_joining(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(gate={"enabled": True, "role": "Members"})
    await garden.join("bob")
    welcome = garden.sent()[-1]
    await garden.wait(timedelta(minutes=10))
    await garden.press("bob", "welcome:accept", under=welcome)
    garden.clear()
    await garden.wait(timedelta(hours=24))
    [nudge] = garden.sent()
    assert "bob" in nudge.text
