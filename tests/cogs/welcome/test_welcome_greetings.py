"""Newcomers are greeted by name, warmly, in varied words, and only they are pinged."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cogloader import section_models
from bot.events import CommunityRef, MemberJoined, MemberRef, UserRef
from bot.platform import Capability
from bot.ruleconf import RuleBookError, load_rule_book
from cogs.welcome.wording import uses
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

WITHOUT_COUNT = frozenset(Capability) - {Capability.MEMBER_COUNT}


async def test_a_newcomer_is_welcomed_by_name_in_the_welcome_channel(garden: Garden) -> None:
    [alice] = await garden.join("alice")
    [welcome] = garden.sent()
    assert welcome.target.name == "#general"
    assert "alice" in welcome.text
    assert "{" not in welcome.text
    assert welcome.details["mention"] == (alice.user,)
    assert not welcome.details["buttons"]


async def test_a_newcomer_named_like_an_invitation_is_not_advertised(garden: Garden) -> None:
    """Raid accounts named ``discord.gg/…`` count on welcome bots to post their link."""
    await garden.join("discord.gg/freeseeds")
    [welcome] = garden.sent()
    assert "discord.gg" not in welcome.text  # no client finds a link in it
    assert "discord.\u2060gg/freeseeds" in welcome.text  # it reads the same
    await garden.join("J. Smith")
    assert "J. Smith" in garden.sent()[-1].text  # a name that is no address is left alone


async def test_welcomes_vary_and_never_repeat_back_to_back(garden: Garden) -> None:
    await garden.arrive(*(f"member{n}" for n in range(12)))
    texts = garden.texts("general")
    assert len(texts) == 12
    templates = [re.sub(r"\d+", "N", re.sub(r"member\d+", "NAME", text)) for text in texts]
    assert len(set(templates)) >= 3
    for before, after in itertools.pairwise(templates):
        assert before != after


async def test_the_choice_of_welcome_follows_the_cogs_seed(open_garden: GardenFactory) -> None:
    names = [f"member{n}" for n in range(10)]
    first, second, third = await open_garden(), await open_garden(), await open_garden()
    third.cog.random.seed(8)
    for garden in (first, second, third):
        await garden.arrive(*names)
    assert first.texts() == second.texts()
    assert first.texts() != third.texts()


async def test_placeholders_name_the_community_its_channels_and_member_count(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(
        rules_dir,
        "welcome",
        {
            "texts": {
                "en": {
                    "welcome": "{member} is one of {member_count} in {community}; "
                    "rules in {rules_channel}, intros in {intro_channel}."
                }
            }
        },
    )
    garden = await open_garden()
    garden.platform.member_total = 2
    await garden.join("alice")
    garden.platform.member_total = 3
    await garden.join("bob")
    assert garden.texts() == [
        "alice is one of 2 in Garden; rules in #rules, intros in #intros.",
        "bob is one of 3 in Garden; rules in #rules, intros in #intros.",
    ]


async def test_the_member_count_is_the_platforms_not_the_members_the_bot_has_seen(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    """A group of 3,000 members the bot joined yesterday: a newcomer reads 3,001, not 2."""
    counted = "{member}, one of {member_count:one=# member|other=# members}."
    edit_section(
        rules_dir,
        "welcome",
        {"goodbye": True, "texts": {"en": {"welcome": counted, "goodbye": counted}}},
    )
    garden = await open_garden()
    garden.platform.member_total = 3001
    await garden.say("oldtimer", "I was here before the bot")
    await garden.join("alice")
    assert garden.texts() == ["alice, one of 3001 members."]
    garden.platform.member_total = 3000
    await garden.leave("alice")
    assert garden.texts()[-1] == "alice, one of 3000 members."  # a goodbye may say it too


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_welcome_never_states_a_group_size_the_platform_cannot_tell(
    open_garden: GardenFactory, rules_dir: Path, locale: str
) -> None:
    edit_section(rules_dir, "community", {"locale": locale})
    garden = await open_garden(goodbye=True)  # a platform that does not tell the count
    await garden.say("oldtimer", "I was here before the bot")
    names = [f"member{n}" for n in range(12)]
    await garden.arrive(*names)
    texts = garden.texts("general")
    assert len(texts) == 12
    assert all(name in text for name, text in zip(names, texts, strict=True))
    assert not [text for text in texts if re.search(r"\bmembers?\b|\bmembres?\b", text)]

    # A community whose every welcome and goodbye says the count: the welcome for one
    # newcomer of a wave, and no goodbye.
    counted = "{member}: {member_count:one=# member|other=# members}."
    edit_section(
        rules_dir, "welcome", {"texts": {locale: {"welcome": counted, "goodbye": counted}}}
    )
    counting = await open_garden(platform=FakePlatform(capabilities=WITHOUT_COUNT))
    await counting.join("alice")
    await counting.leave("alice")
    [welcome] = counting.texts()
    assert welcome.replace("\u00a0", " ").startswith(
        {
            "en": "Welcome to the newcomer who just joined Garden: alice!",
            "fr": "Bienvenue à la personne qui vient de rejoindre Garden : alice !",
        }[locale]
    )


async def test_welcome_by_direct_message_too(open_garden: GardenFactory) -> None:
    garden = await open_garden(by_dm=True)
    [alice] = await garden.join("alice")
    [dm] = garden.done("dm")
    assert dm.target == alice.user
    assert "alice" in dm.text
    assert len(garden.sent("general")) == 1


async def test_welcome_only_by_direct_message(open_garden: GardenFactory) -> None:
    garden = await open_garden(by_dm=True, in_channel=False)
    await garden.join("alice")
    assert garden.sent() == []
    assert len(garden.done("dm")) == 1


async def test_no_goodbye_unless_the_rule_book_asks(
    garden: Garden, open_garden: GardenFactory
) -> None:
    await garden.join("alice")
    garden.clear()
    await garden.leave("alice")
    assert garden.sent() == []

    other = await open_garden(goodbye=True)
    await other.join("bob")
    other.clear()
    await other.leave("bob")
    [goodbye] = other.sent()
    assert goodbye.target.name == "#general"
    assert "bob" in goodbye.text
    assert goodbye.details["mention"] == ()


async def test_goodbyes_are_bounded_when_many_leave_at_once(open_garden: GardenFactory) -> None:
    garden = await open_garden(goodbye=True, raid={"joins": 5, "within": "1m"})
    await garden.arrive(*(f"m{n}" for n in range(20)))
    assert len(garden.sent()) == 20  # one a minute is no wave: everyone was welcomed
    garden.clear()
    for n in range(20):
        await garden.leave(f"m{n}")
    assert len(garden.sent()) == 5


async def test_names_are_plain_text_and_only_the_newcomer_is_pinged(garden: Garden) -> None:
    sneaky = garden.platform.member("@everyone\n\u202eevil\x1b[31m" + "x" * 100)
    await garden.core.handle(MemberJoined(at=garden.clock.now(), member=sneaky))
    [welcome] = garden.sent()
    assert "\n" not in welcome.text
    assert "\x1b" not in welcome.text
    assert "\u202e" not in welcome.text
    assert "@everyone evil[31m" in welcome.text
    assert "x" * 100 not in welcome.text
    assert welcome.details["mention"] == (sneaky.user,)


async def test_bots_are_not_welcomed(garden: Garden) -> None:
    robot = MemberRef(garden.platform.community, UserRef("fake", "bot1", "robot", is_bot=True))
    await garden.core.handle(MemberJoined(at=garden.clock.now(), member=robot))
    assert garden.sent() == []


async def test_a_member_back_within_the_hour_is_not_welcomed_again(garden: Garden) -> None:
    await garden.join("alice")
    for _ in range(3):
        await garden.leave("alice")
        await garden.wait(timedelta(minutes=5))
        await garden.join("alice")
    assert len(garden.sent()) == 1
    await garden.leave("alice")
    await garden.wait(timedelta(hours=2))
    await garden.join("alice")
    assert len(garden.sent()) == 2


def test_an_unknown_placeholder_is_a_rule_book_error_at_load_time(rules_dir: Path) -> None:
    path = rules_dir / "welcome.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "{member_count:one=" in line)
    lines[index] = lines[index].replace("{member_count:", "{membercount:")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    [error] = raised.value.errors
    assert (error.file, error.line, error.column) == (path, index + 1, 9)
    assert error.key_path == "texts.en.welcome[1]"
    assert error.message.startswith("unknown placeholder {membercount}; allowed: {member}")


def test_the_shipped_welcome_section_has_french_and_english_texts(rules_dir: Path) -> None:
    book = load_rule_book(rules_dir, section_models())
    section = book.section("welcome")
    assert set(section.texts) == {"en", "fr"}  # type: ignore[attr-defined]
    assert len(section.texts["fr"].welcome) >= 3  # type: ignore[attr-defined]


async def test_plural_forms_follow_the_community_language(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    template = "{member} : {member_count:one=Tu es le premier membre|other=un des # membres}."
    edit_section(rules_dir, "welcome", {"texts": {"fr": {"welcome": template}}})
    garden = await open_garden()
    garden.platform.member_total = 1
    await garden.join("alice")
    garden.platform.member_total = 2
    await garden.join("bob")
    assert garden.texts() == ["alice : Tu es le premier membre.", "bob : un des 2 membres."]


def test_the_member_count_is_worked_out_only_for_the_texts_that_say_it() -> None:
    assert uses("Hello {member}, one of {member_count}!", "member_count")
    assert uses("{member_count:one=You are the first|other=One of #}", "member_count")
    assert not uses("Welcome to {community}, {member}!", "member_count")


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_newcomer_alone_now_is_not_told_they_are_the_first_member(
    open_garden: GardenFactory, rules_dir: Path, locale: str
) -> None:
    """Alice came and went before Bob: Bob is not "the first member" of the community."""
    shipped = load_rule_book(rules_dir, section_models()).section("welcome")
    counting = [
        str(text)
        for text in shipped.texts[locale].welcome  # type: ignore[attr-defined]
        if uses(text, "member_count")
    ]
    assert counting  # the shipped book has a greeting that says how many members there are
    edit_section(rules_dir, "community", {"locale": locale})
    edit_section(rules_dir, "welcome", {"texts": {locale: {"welcome": counting}}})
    garden = await open_garden()
    garden.platform.member_total = 1
    await garden.join("bob")
    alone = garden.texts()[-1]
    assert "bob" in alone
    assert not re.search(r"first|premier|\b1\b", alone)

    garden.platform.member_total = 2
    await garden.join("carol")
    assert re.search(r"\b2 (members|membres)\b", garden.texts()[-1])


ARTICLE_AFTER_PREPOSITION = re.compile(r"\b(?:de|à) (?:Les|Le|La|L')")
"""``de Les Jardins``, ``à Le Potager``: French writes ``des``, ``au``; a text cannot."""


async def test_a_french_welcome_reads_right_whatever_article_the_community_name_starts_with(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    platform = FakePlatform()
    platform.community = CommunityRef("fake", "c1", "Les Jardins Partagés")
    platform.member_total = 40
    garden = await open_garden(platform=platform, goodbye=True)
    names = [f"membre{n}" for n in range(12)]
    await garden.arrive(*names)
    await garden.say(
        "membre0", "Bonjour, je m'appelle Zoé et je cultive des tomates", channel="intros"
    )
    for name in names[:4]:
        await garden.leave(name)
        await garden.wait(timedelta(minutes=2))
    await garden.join(*(f"vague{n}" for n in range(8)))
    await garden.wait(timedelta(minutes=3))
    await garden.run("membre5", "/charte")
    texts = [text.replace("\u00a0", " ") for text in garden.texts()]
    assert any("ambiance" in text for text in texts)  # each of the welcomes was said
    assert any("Les Jardins Partagés : vague5" in text for text in texts)
    assert [text for text in texts if ARTICLE_AFTER_PREPOSITION.search(text)] == []
    assert "l'ambiance sera encore plus chaleureuse dans Les Jardins Partagés" in " ".join(texts)


async def test_a_french_community_greets_and_sees_off_its_members_as_vous(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    garden = await open_garden(goodbye=True)
    for name in ("alice", "bob", "carol", "dan", "eve", "fay"):
        garden.platform.member_total = int(garden.platform.member_total or 0) + 1
        await garden.join(name)
        await garden.wait(timedelta(minutes=30))
    await garden.leave("alice")
    await garden.leave("bob")
    # The words, whichever space French typography puts before its punctuation.
    assert [text.replace("\u00a0", " ") for text in garden.texts()] == [
        "alice vient d'arriver : bienvenue dans Garden ! 👋 Les règles de la maison sont dans"
        " #rules, et #intros vous attend pour vous présenter.",
        "Bienvenue dans Garden, bob ! 🌱 Jetez un œil à notre charte dans #rules, puis"
        " présentez-vous dans #intros.",
        "carol vient d'arriver : bienvenue dans Garden ! 👋 Les règles de la maison sont dans"
        " #rules, et #intros vous attend pour vous présenter.",
        "Ravis de vous accueillir, dan ! Avec vous, l'ambiance sera encore plus chaleureuse"
        " dans Garden. Quelques mots sur vous dans #intros ?",
        "Bienvenue dans Garden, eve ! 🌱 Jetez un œil à notre charte dans #rules, puis"
        " présentez-vous dans #intros.",
        "Bonjour fay, et bienvenue dans Garden ! Nous sommes maintenant 6 membres. On a hâte"
        " de vous connaître : dites bonjour dans #intros.",
        "alice a quitté Garden. Prenez soin de vous !",
        "Au revoir bob, et merci d'être passé·e.",
    ]
