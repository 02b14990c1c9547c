"""A wave of joins: the bot greets everyone once, alerts the moderators once, never spams."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cogs.welcome.raid import ArrivalWindow, JoinWatch, SlidingWindow
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section
from tests.support.waiting import eventually

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_thirty_joins_within_a_minute_make_one_aggregated_welcome_and_one_alert(
    garden: Garden,
) -> None:
    for n in range(30):
        await garden.join(f"raider{n:02}")
        await garden.wait(timedelta(seconds=2))
    individual = garden.sent("general")
    alerts = garden.sent("mod-log")
    assert len(individual) == 5
    assert len(alerts) == 1
    assert "more than 5 newcomers within 1 minute." in alerts[0].text

    await garden.wait(timedelta(minutes=3))
    [aggregated] = garden.sent("general")[5:]
    assert aggregated.text.startswith("Welcome to the 25 people who just joined Garden: raider05,")
    assert "raider14, …" in aggregated.text
    assert aggregated.details["mention"] == ()
    assert len(garden.sent()) == 7
    # The five greeted alone are nudged alone; the wave's 25 with one message, not 25.
    assert len(garden.core.scheduler.pending("welcome:nudge:")) == 5
    assert len(garden.core.scheduler.pending("welcome:wave-nudge:")) == 1
    garden.clear()
    await garden.wait(timedelta(days=2))
    nudges = garden.texts("intros")
    assert len(nudges) == 6
    assert nudges[-1].startswith("Hello raider05, raider06,")
    assert "raider14, …! We would love to get to know you" in nudges[-1]


async def test_newcomers_who_arrive_in_a_wave_are_nudged_too_in_one_message(
    garden: Garden,
) -> None:
    """Seven joins within a minute: the first five are welcomed and nudged one by one; oscar,
    w6 and w7, greeted together, are nudged together a day later, each once."""
    first = ["ana", "ben", "chloe", "dan", "eve"]
    members = await garden.join(*first, "oscar", "w6", "w7")
    await garden.wait(timedelta(minutes=3))
    garden.clear()
    await garden.wait(timedelta(days=1))
    nudges = garden.sent("intros")
    assert [nudge.text.split("!")[0] for nudge in nudges] == [
        *(f"Hello {name}" for name in first),
        "Hello oscar, w6, w7",
    ]
    assert nudges[-1].text == (
        "Hello oscar, w6, w7! We would love to get to know you: tell us a little about "
        "yourselves in #intros. 🌱"
    )
    assert nudges[-1].details["mention"] == tuple(member.user for member in members[5:])
    assert garden.core.scheduler.pending("welcome:") == []
    await garden.wait(timedelta(days=30))
    assert len(garden.sent()) == 6  # never a second nudge

    # A reply to the wave's nudge may be an introduction, as one to one's own nudge.
    await garden.say(
        "w6",
        "Hi! I'm Wanda, I grow leeks",
        channel="intros",
        reply_to=nudges[-1].details["message"],
    )
    [thanks] = garden.sent()[6:]
    assert "w6" in thanks.text


async def test_the_nudge_of_a_wave_names_only_its_newcomers_still_silent(
    garden: Garden,
) -> None:
    await garden.join(*(f"m{n}" for n in range(10)))  # m5 … m9 arrive in a wave
    await garden.wait(timedelta(minutes=3))
    await garden.say("m5", "Bonjour, je m'appelle Max", channel="intros")
    await garden.leave("m6")
    await garden.wait(timedelta(hours=2))
    await garden.leave("m7")
    await garden.join("m7")  # back after the wave: a journey of their own, nudged on its own
    garden.clear()
    await garden.wait(timedelta(hours=22, minutes=5))
    assert garden.texts("intros")[-1].startswith("Hello m8, m9! We would love")
    await garden.wait(timedelta(hours=3))
    assert [text.split("!")[0] for text in garden.texts("intros")] == [
        *(f"Hello m{n}" for n in range(5)),
        "Hello m8, m9",
        "Hello m7",
    ]


async def test_a_wave_whose_newcomers_all_introduced_themselves_is_not_nudged(
    garden: Garden,
) -> None:
    await garden.join(*(f"m{n}" for n in range(7)))
    await garden.wait(timedelta(minutes=3))
    for name in ("m5", "m6"):
        await garden.say(name, f"Hello everyone, my name is {name}", channel="intros")
    garden.clear()
    await garden.wait(timedelta(days=2))
    assert [text.split("!")[0] for text in garden.texts("intros")] == [
        f"Hello m{n}" for n in range(5)
    ]


async def test_someone_back_soon_in_a_wave_is_not_greeted_again_but_nudged_with_it(
    garden: Garden,
) -> None:
    await garden.join("alice")
    await garden.wait(timedelta(minutes=10))
    await garden.leave("alice")
    await garden.join(*(f"m{n}" for n in range(6)), "alice", "m6")
    await garden.wait(timedelta(minutes=3))
    assert "alice" not in garden.texts("general")[-1]
    garden.clear()
    await garden.wait(timedelta(days=2))
    assert garden.texts("intros")[-1].startswith("Hello m5, m6, alice! We would love")


async def test_the_nudge_of_a_wave_survives_a_restart(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    first = await open_garden(database=tmp_path / "garden.db")
    await first.join(*(f"m{n}" for n in range(8)))
    await first.wait(timedelta(minutes=3))
    await first.stop()
    second = await open_garden(database=tmp_path / "garden.db")
    await second.wait(timedelta(days=2))
    assert second.texts("intros")[-1].startswith("Hello m5, m6, m7! We would love")


async def test_a_newcomer_forgotten_before_the_nudge_of_their_wave_is_not_named_in_it(
    garden: Garden,
) -> None:
    await garden.join(*(f"m{n}" for n in range(8)))
    await garden.wait(timedelta(minutes=3))
    await garden.cog.erase_member_data(garden.platform.community, garden.member("m6").user)
    [saved] = garden.core.scheduler.pending("welcome:wave-nudge:")
    assert "m6" not in str(saved.kwargs)
    await garden.wait(timedelta(days=2))
    assert garden.texts("intros")[-1].startswith("Hello m5, m7! We would love")


async def test_the_wave_waits_for_quiet_then_the_next_arrival_is_greeted_alone(
    garden: Garden,
) -> None:
    for n in range(12):
        await garden.join(f"early{n}")
    await garden.wait(timedelta(minutes=1))
    await garden.join("late")  # still within the wave: two minutes of quiet have not passed
    await garden.wait(timedelta(minutes=1, seconds=59))
    assert len(garden.sent("general")) == 5
    await garden.wait(timedelta(seconds=1))
    aggregated = garden.sent("general")[-1].text
    assert "the 8 people" in aggregated
    assert "late" in aggregated

    await garden.wait(timedelta(hours=1))
    await garden.join("alone")
    assert "alone" in garden.sent("general")[-1].text
    assert len(garden.sent("mod-log")) == 1


async def test_each_wave_alerts_the_moderators_once(garden: Garden) -> None:
    for wave in range(3):
        await garden.join(*(f"w{wave}-{n}" for n in range(20)))
        await garden.wait(timedelta(hours=1))
    assert len(garden.sent("mod-log")) == 3
    assert len(garden.sent("general")) == 3 * (5 + 1)


async def test_the_wave_welcome_survives_a_restart(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    first = await open_garden(database=tmp_path / "garden.db")
    await first.join(*(f"m{n}" for n in range(10)))
    await first.stop()
    second = await open_garden(database=tmp_path / "garden.db")
    await second.wait(timedelta(minutes=5))
    [aggregated] = second.sent("general")
    assert "the 5 people" in aggregated.text


async def test_with_the_gate_wave_newcomers_get_the_button_and_time_to_press_it(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES),
        gate={"enabled": True, "timeout": "5m"},
    )
    names = [f"m{n:02}" for n in range(60)]
    for name in names:  # six a minute for ten minutes
        await garden.join(name)
        await garden.wait(timedelta(seconds=10))
    assert len(garden.done("restrict")) == 60

    def kicked() -> set[str]:
        return {kick.target.user.name for kick in garden.done("kick")}

    # Only the five greeted on their own have seen a button for five minutes.
    assert kicked() == set(names[:5])
    await garden.wait(timedelta(minutes=2))
    aggregated = garden.sent("general")[-1]
    assert aggregated.text.startswith("Welcome to the 55 people")
    assert [button.id for button in aggregated.details["buttons"]] == ["welcome:accept"]
    await garden.press("m59", "welcome:accept", under=aggregated)
    await garden.wait(timedelta(minutes=4))
    assert kicked() == set(names[:5])  # five minutes from the aggregated welcome
    await garden.wait(timedelta(minutes=2))
    assert kicked() == set(names[:59])
    # The moderators hear of the wave once, and of the removals within bounds.
    modlog = garden.texts("mod-log")
    assert modlog[0].startswith("⚠️ Wave of joins")
    assert len(modlog) == 1 + 5 + 5 + 1  # m00..m04, five of the wave's 54, and a count
    assert modlog[-1] == "(49 similar reports held back to avoid flooding this channel.)"


def test_the_arrival_window_counts_each_member_once_and_stays_small() -> None:
    window = ArrivalWindow()
    minute = timedelta(minutes=1)
    loop = [
        window.add(T0 + timedelta(seconds=s), "alice", within=minute, limit=3) for s in range(9)
    ]
    assert loop == [1] * 9
    crowd = [
        window.add(T0 + timedelta(seconds=10 + n), f"m{n}", within=minute, limit=3)
        for n in range(6)
    ]
    assert crowd == [2, 3, 4, 4, 4, 4]
    assert window.add(T0 + timedelta(minutes=5), "alice", within=minute, limit=3) == 1


def test_a_sliding_window_allows_a_bounded_number() -> None:
    window = SlidingWindow()
    minute = timedelta(minutes=1)
    allowed = [window.allows(T0, within=minute, limit=2) for _ in range(5)]
    assert allowed == [True, True, False, False, False]
    assert window.allows(T0 + minute, within=minute, limit=2)


def test_the_join_watch_lists_a_handful_of_names_and_keeps_a_bounded_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("cogs.welcome.raid.MAX_KEPT", 100)
    watch = JoinWatch()
    minute = timedelta(minutes=1)
    verdicts = [
        watch.join("c", T0, f"id{i}", f"n{i}", limit=2, within=minute, quiet=minute)
        for i in range(1000)
    ]
    assert [v.individual for v in verdicts[:3]] == [True, True, False]
    assert [v.wave_started for v in verdicts].count(True) == 1
    wave = verdicts[-1].wave
    assert wave is not None
    assert wave.count == 998
    assert wave.names == [f"n{i}" for i in range(2, 12)]
    assert (len(wave.members), wave.anonymous) == (100, 898)


async def test_a_wave_plans_its_job_once_not_once_per_join(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = garden.core.scheduler
    planned: list[datetime] = []
    at = scheduler.at_until_done

    def recorded(job_id: str, when: datetime, *args: Any, **kwargs: Any) -> None:
        if job_id.startswith("welcome:wave:"):
            planned.append(when)
        at(job_id, when, *args, **kwargs)

    monkeypatch.setattr(scheduler, "at_until_done", recorded)
    start = garden.clock.now()
    for n in range(100):  # a wave of 95 newcomers over 99 seconds
        await garden.join(f"raider{n:02}")
        await garden.wait(timedelta(seconds=1))
    # Planned when it started, then again each time it fell due while newcomers still came.
    assert planned == [start + timedelta(seconds=5, minutes=2)]
    await garden.wait(timedelta(minutes=5))
    assert planned[1:] == [start + timedelta(seconds=99, minutes=2)]
    [aggregated] = garden.sent("general")[5:]
    assert aggregated.text.startswith("Welcome to the 95 people who just joined Garden: raider05,")


async def test_a_wave_whose_job_is_late_is_greeted_whole_when_it_runs(garden: Garden) -> None:
    await garden.join(*(f"m{n}" for n in range(8)))
    # The clock moves on without the job running (a busy loop): the next arrival finds the
    # wave over, and is greeted alone.
    garden.clock.set(garden.clock.now() + timedelta(minutes=3))
    await garden.join("alone")
    assert "alone" in garden.sent("general")[-1].text
    await garden.wait(timedelta(seconds=1))
    aggregated = garden.sent("general")[-1].text
    assert aggregated.startswith("Welcome to the 3 people who just joined Garden: m5, m6, m7!")


async def test_a_stop_in_the_middle_of_a_wave_keeps_every_newcomer_of_it(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    first = await open_garden(database=tmp_path / "garden.db")
    await first.join(*(f"m{n}" for n in range(6)))
    await first.wait(timedelta(minutes=1))
    await first.join(*(f"n{n}" for n in range(4)))
    await first.stop()
    second = await open_garden(database=tmp_path / "garden.db")
    await second.wait(timedelta(minutes=1, seconds=59))
    assert second.sent("general") == []
    await second.wait(timedelta(seconds=1))
    [aggregated] = second.sent("general")
    assert aggregated.text.startswith("Welcome to the 5 people who just joined Garden: m5, n0,")


async def test_a_wave_that_goes_on_after_a_restart_greets_the_newcomers_of_both_halves(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    first = await open_garden(database=tmp_path / "garden.db")
    await first.join(*(f"m{n}" for n in range(10)))  # m5 … m9 wait for the wave's welcome
    assert [line for line in first.texts("mod-log") if line.startswith("⚠️ Wave of joins")]
    await first.stop()
    second = await open_garden(database=tmp_path / "garden.db")
    await second.join(*(f"n{n}" for n in range(10)))  # a new wave, before the saved job ran
    await second.wait(timedelta(minutes=5))
    aggregated = second.texts("general")[5:]
    assert aggregated == [
        "Welcome to the 10 people who just joined Garden: m5, m6, m7, m8, m9, n5, n6, n7, n8, "
        "n9! 🌱 Our charter is in #rules; introduce yourselves in #intros."
    ]
    # One wave, cut by a restart: the moderators were alerted once, before it.
    alerts = [line for line in second.texts("mod-log") if line.startswith("⚠️ Wave of joins")]
    assert alerts == []


async def test_a_wave_whose_job_is_late_is_greeted_with_the_next_wave(garden: Garden) -> None:
    await garden.join(*(f"m{n}" for n in range(8)))
    # The job greeting m5, m6, m7 cannot run (a busy loop) before a second wave starts.
    garden.clock.set(garden.clock.now() + timedelta(minutes=3))
    await garden.join(*(f"n{n}" for n in range(8)))
    await garden.wait(timedelta(minutes=5))
    aggregated = [text for text in garden.texts("general") if text.startswith("Welcome to the")]
    assert [text.split("!")[0] for text in aggregated] == [
        "Welcome to the 6 people who just joined Garden: m5, m6, m7, n5, n6, n7"
    ]
    # Two waves, three minutes apart: each is news to the moderators.
    alerts = [line for line in garden.texts("mod-log") if line.startswith("⚠️ Wave of joins")]
    assert len(alerts) == 2


async def test_the_wave_welcome_names_each_newcomer_still_here_once(garden: Garden) -> None:
    await garden.join(*(f"m{n}" for n in range(10)))
    await garden.leave("m7")
    await garden.wait(timedelta(seconds=10))
    for _ in range(8):
        await garden.join("loop")
        await garden.leave("loop")
    await garden.join("loop")
    await garden.wait(timedelta(minutes=5))
    aggregated = garden.texts("general")[-1]
    assert aggregated.startswith(
        "Welcome to the 5 people who just joined Garden: m5, m6, m8, m9, loop!"
    )


async def test_a_wave_whose_newcomers_all_left_is_not_greeted(garden: Garden) -> None:
    await garden.join(*(f"m{n}" for n in range(7)))
    await garden.leave("m5")
    await garden.leave("m6")
    await garden.wait(timedelta(minutes=5))
    assert len(garden.sent("general")) == 5


async def test_a_newcomer_who_leaves_after_a_restart_is_not_named_in_the_wave_welcome(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    first = await open_garden(database=tmp_path / "garden.db")
    await first.join(*(f"m{n}" for n in range(10)))
    await first.stop()
    second = await open_garden(database=tmp_path / "garden.db")
    await second.leave("m7")
    await second.wait(timedelta(minutes=5))
    [aggregated] = second.texts("general")
    assert aggregated.startswith("Welcome to the 4 people who just joined Garden: m5, m6, m8, m9!")


async def test_a_newcomer_forgotten_during_the_wave_is_not_named_in_its_welcome(
    garden: Garden,
) -> None:
    await garden.join(*(f"m{n}" for n in range(10)))
    await garden.cog.erase_member_data(garden.platform.community, garden.member("m7").user)
    [wave] = garden.core.scheduler.pending("welcome:wave:")
    assert "m7" not in str(wave.kwargs)
    await garden.wait(timedelta(minutes=5))
    aggregated = garden.texts("general")[-1]
    assert aggregated.startswith("Welcome to the 4 people who just joined Garden: m5, m6, m8, m9!")


async def test_a_newcomer_forgotten_during_the_wave_leaves_no_trace_in_its_saved_job(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    garden = await open_garden(database=database)

    def saved_wave() -> bytes:
        """The wave's job as a crash now would leave it on disk."""
        with closing(sqlite3.connect(database)) as connection:
            rows = connection.execute(
                "SELECT job_state FROM apscheduler_jobs WHERE id LIKE 'welcome:wave:%'"
            ).fetchall()
        return b"".join(row[0] for row in rows)

    for n in range(7):
        await garden.join(f"secretname{n}")
        await garden.wait(timedelta(seconds=1))
    # Saved when the wave started, with its first newcomer, the job greets them after a crash.
    await eventually(lambda: b"secretname5" in saved_wave(), "the wave's job is saved")
    await garden.cog.erase_member_data(
        garden.platform.community, garden.member("secretname5").user
    )
    await eventually(
        lambda: b"secretname5" not in saved_wave() and b"secretname6" in saved_wave(),
        "the erased newcomer is gone from the saved job",
        within=5,
    )


async def test_one_member_joining_and_leaving_again_and_again_is_no_wave(garden: Garden) -> None:
    await garden.join("alice")
    for _ in range(5):
        await garden.leave("alice")
        await garden.join("alice")
    assert garden.sent("mod-log") == []  # one person is no raid
    await garden.wait(timedelta(minutes=5))
    [welcome] = garden.sent("general")  # welcomed once, not again with a wave
    assert "alice" in welcome.text

    # Real newcomers right after are still welcomed each on their own.
    await garden.join("bob", "carol")
    assert [len(garden.sent("general")), garden.sent("mod-log")] == [3, []]
    assert "bob" in garden.texts("general")[1]
    assert "carol" in garden.texts("general")[2]


async def test_a_wave_does_not_greet_again_someone_welcomed_within_the_hour(
    garden: Garden,
) -> None:
    await garden.join("alice")
    await garden.wait(timedelta(minutes=10))
    await garden.leave("alice")
    await garden.join(*(f"m{n}" for n in range(6)), "alice", "m6")
    await garden.wait(timedelta(minutes=3))
    aggregated = garden.texts("general")[-1]
    assert aggregated.startswith("Welcome to the 2 people who just joined Garden: m5, m6!")
    assert "alice" not in aggregated


async def test_someone_greeted_with_a_wave_is_not_welcomed_again_when_back_soon(
    garden: Garden,
) -> None:
    await garden.join(*(f"m{n}" for n in range(8)))
    await garden.wait(timedelta(minutes=3))
    assert "m7" in garden.texts("general")[-1]  # the aggregated welcome
    garden.clear()
    await garden.wait(timedelta(minutes=10))
    await garden.leave("m7")
    await garden.join("m7")
    assert garden.sent() == []
    await garden.leave("m7")
    await garden.wait(timedelta(hours=2))
    await garden.join("m7")
    [welcome] = garden.sent()
    assert "m7" in welcome.text


async def test_a_wave_of_one_is_greeted_in_the_singular(
    open_garden: GardenFactory, rules_dir: Path
) -> None:
    garden = await open_garden()
    await garden.join(*(f"m{n}" for n in range(6)))
    await garden.wait(timedelta(minutes=3))
    aggregated = garden.texts("general")[-1]
    assert aggregated.startswith("Welcome to the newcomer who just joined Garden: m5!")
    assert "introduce yourself in" in aggregated
    assert "1 people" not in aggregated

    edit_section(rules_dir, "community", {"locale": "fr"})
    french = await open_garden()
    await french.join(*(f"m{n}" for n in range(6)))
    await french.wait(timedelta(minutes=3))
    aggregated = french.texts("general")[-1]
    assert aggregated.startswith(
        "Bienvenue à la personne qui vient de rejoindre Garden\u00a0: m5\u00a0!"
    )
    assert "présentez-vous dans" in aggregated
    assert "1 personnes" not in aggregated
