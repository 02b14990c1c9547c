"""The charter gate: "I accept" before posting; a role on Discord, restrictions on Telegram."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bus import Priority
from bot.events import MessageCreated
from bot.platform import Capability
from cogs.welcome.journeys import JourneyStore
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.ruleconf.test_shipped_french import typography_mistakes
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only, refusal_read_in_french

ACCEPT = "welcome:accept"


async def discord_like(open_garden: GardenFactory, **gate: object) -> Garden:
    """Every capability, and a role granted on acceptance."""
    return await open_garden(gate={"enabled": True, "role": "Members", **gate})


async def telegram_like(open_garden: GardenFactory, **gate: object) -> Garden:
    """No roles: newcomers are restricted until they accept."""
    return await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES), gate={"enabled": True, **gate}
    )


async def test_the_welcome_shows_the_charter_and_the_accept_button(
    open_garden: GardenFactory,
) -> None:
    garden = await discord_like(open_garden)
    [alice] = await garden.join("alice")
    [welcome] = garden.sent()
    assert "alice" in welcome.text
    assert "Before you post, please read our charter" in welcome.text
    assert "1. Be kind and respectful" in welcome.text
    assert [(b.id, b.label) for b in welcome.details["buttons"]] == [(ACCEPT, "I accept")]
    assert welcome.details["mention"] == (alice.user,)
    assert garden.done("restrict") == []  # Discord with a role: the role is the gate


async def test_a_message_before_acceptance_is_removed_with_a_reminder_then_goes_through(
    open_garden: GardenFactory,
) -> None:
    garden = await discord_like(open_garden)
    seen: list[str] = []

    async def later_listener(event: MessageCreated) -> None:
        seen.append(event.text)

    garden.core.bus.subscribe("core", MessageCreated, later_listener, priority=Priority.NORMAL)
    [alice] = await garden.join("alice")
    welcome = garden.sent()[-1]
    garden.clear()

    first = await garden.say("alice", "hello!")
    [deleted] = garden.done("delete")
    assert deleted.target == first
    [reminder] = garden.sent()
    assert reminder.details["private_to"] == alice
    assert reminder.details["mention"] == (alice.user,)
    assert "please accept the charter" in reminder.text
    assert [b.id for b in reminder.details["buttons"]] == [ACCEPT]
    assert seen == []  # removed before any other listener saw it

    await garden.say("alice", "hello again?")
    assert len(garden.done("delete")) == 2
    assert len(garden.sent()) == 1  # one reminder every few minutes, no more

    await garden.press("alice", ACCEPT, under=welcome)
    [role] = garden.done("add_role")
    assert (role.target, role.text) == (alice, "Members")
    assert "You can now post." in garden.sent()[-1].text
    assert garden.sent()[-1].details["private_to"] == alice

    garden.clear()
    await garden.say("alice", "Thanks, hello everyone!")
    assert garden.done("delete") == []
    assert seen == ["Thanks, hello everyone!"]


async def test_someone_elses_press_does_nothing(open_garden: GardenFactory) -> None:
    garden = await discord_like(open_garden)
    await garden.join("alice")
    welcome = garden.sent()[-1]
    await garden.say("oldtimer", "hi")
    garden.clear()
    await garden.press("oldtimer", ACCEPT, under=welcome)
    assert garden.platform.actions == []
    await garden.say("alice", "hi")
    assert len(garden.done("delete")) == 1


async def test_on_telegram_newcomers_are_restricted_until_they_accept(
    open_garden: GardenFactory,
) -> None:
    garden = await telegram_like(open_garden, role="Members")
    [alice] = await garden.join("alice")
    [restricted] = garden.done("restrict")
    assert restricted.target == alice
    await garden.press("alice", ACCEPT, under=garden.sent()[-1])
    [lifted] = garden.done("unrestrict")
    assert lifted.target == alice
    assert garden.done("add_role") == []
    await garden.wait(timedelta(minutes=10))
    assert garden.done("kick") == []


async def test_a_restricted_newcomer_who_is_forgotten_is_let_go(
    open_garden: GardenFactory,
) -> None:
    garden = await telegram_like(open_garden, timeout="5m")
    [alice] = await garden.join("alice")
    assert [restricted.target for restricted in garden.done("restrict")] == [alice]
    await garden.cog.erase_member_data(garden.platform.community, alice.user)
    [lifted] = garden.done("unrestrict")
    assert lifted.target == alice
    await garden.wait(timedelta(minutes=10))
    assert garden.done("kick") == []  # the gate's timeout went with the rest


async def test_a_newcomer_who_does_not_press_in_time_is_removed_and_the_second_time_banned(
    open_garden: GardenFactory,
) -> None:
    garden = await telegram_like(open_garden, timeout="5m", ban_after_failures=2)
    [spambot] = await garden.join("spambot")
    prompt = garden.sent()[-1]
    await garden.wait(timedelta(minutes=4, seconds=59))
    assert garden.done("kick") == []
    await garden.wait(timedelta(seconds=1))
    [kick] = garden.done("kick")
    assert kick.target == spambot
    assert garden.done("delete")[-1].target == prompt.details["message"]
    assert garden.texts("mod-log") == [
        "Removed spambot: did not accept the charter within 5 minutes."
    ]

    await garden.leave("spambot")
    await garden.wait(timedelta(minutes=10))
    await garden.join("spambot")
    await garden.wait(timedelta(minutes=6))
    [ban] = garden.done("ban")
    assert ban.target == spambot
    assert len(garden.done("kick")) == 1
    assert garden.texts("mod-log")[-1] == (
        "Banned spambot: did not accept the charter in time, 2 times."
    )


async def test_bans_can_be_switched_off(open_garden: GardenFactory) -> None:
    garden = await telegram_like(open_garden, ban_after_failures=0)
    for _ in range(3):
        await garden.join("slowpoke")
        await garden.wait(timedelta(minutes=6))
        await garden.leave("slowpoke")
    assert len(garden.done("kick")) == 3
    assert garden.done("ban") == []


async def test_without_kicks_removal_is_a_ban_then_an_unban(open_garden: GardenFactory) -> None:
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES - {Capability.KICK}),
        gate={"enabled": True},
    )
    [bot] = await garden.join("spambot")
    await garden.wait(timedelta(minutes=6))
    assert [(a.action, a.target) for a in garden.platform.actions if a.action.endswith("ban")] == [
        ("ban", bot),
        ("unban", bot.user),
    ]


async def test_pressing_in_time_cancels_the_removal(open_garden: GardenFactory) -> None:
    garden = await telegram_like(open_garden)
    await garden.join("alice")
    await garden.wait(timedelta(minutes=3))
    await garden.press("alice", ACCEPT, under=garden.sent()[-1])
    await garden.wait(timedelta(hours=1))
    assert garden.done("kick") == []
    assert garden.core.scheduler.pending("welcome:gate:") == []


async def test_moderators_are_not_held_at_the_gate(open_garden: GardenFactory) -> None:
    garden = await telegram_like(open_garden)
    garden.member("rosa", roles=["Moderators"])
    await garden.join("rosa")
    await garden.say("rosa", "Hello all")
    assert garden.done("restrict") == []
    assert garden.done("delete") == []


async def test_a_gate_switched_off_meanwhile_lets_the_newcomer_in(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    garden = await telegram_like(open_garden)
    [alice] = await garden.join("alice")
    (rules_dir / "welcome.yaml").write_text(
        (rules_dir / "welcome.yaml").read_text().replace("enabled: true", "enabled: false", 1)
    )
    assert await garden.core.reload_rules() is None
    await garden.wait(timedelta(minutes=6))
    assert garden.done("kick") == []
    [lifted] = garden.done("unrestrict")
    assert lifted.target == alice


GONE = ("member_gone", {"target": "alice", "where": "Garden"})
LACKING = ("lacking_permission", {"permission": "restrict_members", "where": "Garden"})


@pytest.mark.parametrize(("refusal", "warned"), [(GONE, False), (LACKING, True)])
async def test_letting_in_a_newcomer_already_gone_warns_no_one(
    open_garden: GardenFactory, rules_dir: Path, refusal: tuple[str, dict[str, str]], warned: bool
) -> None:
    garden = await telegram_like(open_garden)
    await garden.join("alice")
    # alice left unseen (the bot was away): the platform says she is gone when the gate, switched
    # off, lets her in. Nothing to lift is no warning; a missing permission still is.
    garden.platform.refuse["unrestrict"] = refusal
    (rules_dir / "welcome.yaml").write_text(
        (rules_dir / "welcome.yaml").read_text().replace("enabled: true", "enabled: false", 1)
    )
    assert await garden.core.reload_rules() is None
    await garden.wait(timedelta(minutes=6))
    assert any(text.startswith("⚠️") for text in garden.texts("mod-log")) is warned


async def test_forgetting_a_newcomer_already_gone_warns_no_one(
    open_garden: GardenFactory,
) -> None:
    garden = await telegram_like(open_garden, timeout="5m")
    [alice] = await garden.join("alice")
    garden.platform.refuse["unrestrict"] = GONE
    await garden.cog.erase_member_data(garden.platform.community, alice.user)
    assert garden.texts("mod-log") == []


async def test_a_ban_lifted_by_hand_before_the_gate_lifts_it_warns_no_one(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES - {Capability.KICK}),
        gate={"enabled": True},
    )
    await garden.join("spambot")
    garden.platform.refuse["unban"] = ("not_banned", {"target": "spambot", "where": "Garden"})
    await garden.wait(timedelta(minutes=6))
    [removed] = garden.texts("mod-log")  # the gate's own line, no warning
    assert "spambot" in removed
    assert not removed.startswith("⚠️")


async def test_charter_is_shown_to_anyone_and_offers_the_button_at_the_gate(
    open_garden: GardenFactory,
) -> None:
    garden = await discord_like(open_garden)
    await garden.run("oldtimer", "/charter")
    [shown] = garden.sent()
    assert shown.text.startswith("Our charter for Garden:\n1. Be kind")
    assert not shown.text.endswith("\n")
    assert not shown.details["buttons"]

    await garden.join("alice")
    await garden.run("alice", "/charter")
    charter = garden.sent()[-1]
    assert [b.id for b in charter.details["buttons"]] == [ACCEPT]
    await garden.press("alice", ACCEPT, under=charter)
    assert len(garden.done("add_role")) == 1


async def test_the_charter_speaks_the_communitys_language(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    garden = await discord_like(open_garden)
    await garden.run("oldtimer", "/charter")
    assert garden.sent()[-1].text.startswith("Notre charte pour Garden\u00a0:")
    await garden.join("alice")
    assert [b.label for b in garden.sent()[-1].details["buttons"]] == ["J'accepte"]


async def test_a_french_gate_speaks_to_newcomers_as_vous_and_of_time_in_french(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    edit_section(rules_dir, "community", {"locale": "fr"})
    garden = await telegram_like(open_garden, timeout="1h")
    await garden.join("alice", "spambot")
    welcome = garden.sent()[0]
    assert (
        "Avant de publier, lisez notre charte et appuyez sur «\u00a0J'accepte\u00a0»"
        in welcome.text
    )
    await garden.say("alice", "coucou !")
    assert garden.sent()[-1].text == (
        "alice, merci d'accepter la charte (#rules) avant de publier\u00a0:"
        " appuyez sur «\u00a0J'accepte\u00a0» ci-dessous."
    )
    await garden.press("alice", ACCEPT, under=welcome)
    assert garden.sent()[-1].text == (
        "Merci alice, bienvenue parmi nous\u00a0! Vous pouvez maintenant publier."
    )
    await garden.wait(timedelta(hours=1))
    assert garden.texts("mod-log") == [
        "spambot expulsé·e\u00a0: charte non acceptée en 1\u00a0heure."
    ]


async def test_a_newcomer_held_at_the_gate_is_recorded_before_being_restricted(
    open_garden: GardenFactory,
) -> None:
    garden = await telegram_like(open_garden)
    await garden.join("alice")
    assert len(garden.done("restrict")) == 1
    # Nothing waits to be written: a crash now would not leave alice restricted for good.
    assert garden.cog.journeys.pending == 0
    after_a_crash = JourneyStore(garden.core.db, garden.core.members)
    journey = await after_a_crash.get(garden.platform.community, "id-alice")
    assert journey is not None
    assert journey.gate_pending
    assert journey.restricted


async def test_a_newcomer_the_database_refuses_to_record_is_held_without_restriction(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    monkeypatch.setattr("cogs.welcome.journeys.WRITE_PAUSE", 0.01)
    database = tmp_path / "g.db"
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES),
        database=database,
        gate={"enabled": True, "timeout": "5m"},
    )
    [bob] = await garden.join("bob")
    garden.clear()
    # A backup or a replay holds the database longer than the busy timeout.
    locker = sqlite3.connect(database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        [alice] = await garden.join("alice")
        # Restricted and forgotten by a crash, alice could never be let in: she is not.
        assert garden.done("restrict") == []
        [warning] = garden.texts("mod-log")
        assert warning.startswith("⚠️ The database refused to record alice at the charter gate")
        # While the bot runs, the gate still holds her back.
        await garden.say("alice", "hello!")
        assert len(garden.done("delete")) == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await garden.wait(timedelta(minutes=10))
    # Not restricted, not removed for it either (bob, recorded and restricted, is).
    assert [kicked.target for kicked in garden.done("kick")] == [bob]
    welcome = next(message for message in garden.sent() if "I accept" in message.text)
    await garden.press("alice", ACCEPT, under=welcome)
    assert garden.done("unrestrict") == []
    assert "You can now post." in garden.sent()[-1].text
    assert garden.sent()[-1].details["private_to"] == alice


async def test_a_newcomer_held_at_the_gate_may_only_read_the_charter_and_the_help(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    enable_only(rules_dir, "welcome", "contributors")  # a command anyone may run: /top
    garden = await discord_like(open_garden)
    await garden.join("alice")
    welcome = garden.sent()[-1]
    garden.clear()

    await garden.run("alice", "/top")
    [refusal] = garden.sent()
    assert refusal.text == (
        "alice, please accept the charter first: press “I accept” under your welcome "
        "(or under /charter), then try /top again."
    )
    assert refusal.details["private_to"].name == "alice"

    garden.clear()
    await garden.run("alice", "/help")
    await garden.run("alice", "/charter")
    await garden.run("oldtimer", "/top")
    assert len(garden.sent()) == 3
    assert not any("accept the charter first" in text for text in garden.texts())

    await garden.press("alice", ACCEPT, under=welcome)
    garden.clear()
    await garden.run("alice", "/top")
    assert garden.texts() == ["No contributions have been counted over the last 7 days."]


async def test_a_newcomer_who_leaves_before_accepting_gets_no_goodbye_and_their_welcome_goes(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(goodbye=True, gate={"enabled": True, "role": "Members"})
    await garden.join("alice")
    welcome = garden.sent()[-1]
    await garden.wait(timedelta(minutes=2))
    garden.clear()
    await garden.leave("alice")
    assert garden.sent() == []  # no goodbye to someone who never came in
    [deleted] = garden.done("delete")
    assert deleted.target == welcome.details["message"]  # and no button left for no one

    # Someone who accepted is said goodbye to, and their welcome stays.
    await garden.join("bob")
    await garden.press("bob", ACCEPT, under=garden.sent()[-1])
    garden.clear()
    await garden.leave("bob")
    [goodbye] = garden.sent()
    assert "bob" in goodbye.text
    assert garden.done("delete") == []


async def test_the_welcome_of_a_restricted_newcomer_who_leaves_goes_after_a_restart(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    platform = FakePlatform(capabilities=WITHOUT_ROLES)
    gate = {"enabled": True, "timeout": "10m"}
    first = await open_garden(platform=platform, database=tmp_path / "g.db", gate=gate)
    await first.join("alice")
    welcome = first.sent()[-1]
    await first.stop()
    second = await open_garden(platform=platform, database=tmp_path / "g.db")
    platform.actions.clear()
    await second.leave("alice")
    assert [deleted.target for deleted in second.done("delete")] == [welcome.details["message"]]


@pytest.mark.parametrize(
    ("changes", "key_path", "english", "french"),
    [
        (
            {"gate": {"timeout": "10s"}},
            "gate.timeout",
            "the gate timeout must be at least 30s",
            "le délai pour accepter la charte doit être d'au moins 30s",
        ),
        (
            {"introductions": {"nudge_after": "30s"}},
            "introductions.nudge_after",
            "nudge_after must be at least 1m",
            "nudge_after doit être d'au moins 1m",
        ),
        (
            {"raid": {"quiet": "0s"}},
            "raid.quiet",
            "write a positive duration, e.g. 1m",
            "écrivez une durée positive, par ex. 1m",
        ),
    ],
)
def test_a_french_community_reads_the_welcome_section_s_refusals_in_french(
    rules_dir: Path, changes: dict[str, object], key_path: str, english: str, french: str
) -> None:
    # The checks the welcome section makes itself, not the loader's.
    error = refusal_read_in_french(rules_dir, "welcome", changes)
    assert (error.key_path, error.message) == (key_path, english)
    assert error.text("fr").endswith(f": {french}")
    assert typography_mistakes(french) == []
