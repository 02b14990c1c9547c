"""What the contests cog says: in the community's language, true to what happened, and never
turned around or forged by what members write."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import cogs.contests.draw
from bot.cogloader import available_cogs
from bot.events import MemberLeft, ModerationRecorded
from cogs.contests.cog import ContestsCog
from cogs.contests.models import Contest
from tests.cogs.contests.arena import WEEKLY, Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.rulebook import edit_section

NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture
async def french(contests_rules: Path, open_arena: ArenaFactory) -> Arena:
    """The Garden community, speaking French."""
    edit_section(contests_rules, "community", {"locale": "fr"})
    return await open_arena()


async def test_french_durations_are_written_in_french_words(french: Arena) -> None:
    assert await french.run("mod", '/contest_create "Photo" 200d') == (
        f"C'est trop long\u00a0: au plus 90{NBSP}jours."
    )
    assert await french.run("mod", '/contest_create "Photo" 1s') == (
        "C'est trop court\u00a0: au moins 10 minutes."
    )
    await french.join("alice", "bob")
    await french.run("mod", '/contest_create "Haiku" 2d3h')
    await french.run("bob", "/submit 1 vieil étang")
    # « moins de 1 jour » reads wrong: the wait is said without « moins de ».
    assert (await french.run("alice", "/vote 1 1")).startswith(
        f"Il faut être membre depuis au moins 1{NBSP}jour pour voter\u00a0; vous le pourrez"
    )
    await french.wait(timedelta(days=2, hours=2))
    [reminder] = french.posted("⏰")
    # No brackets inside brackets around the date (« (… (CET)) »).
    assert reminder.text == (
        f"⏰ Le concours 1 «\u00a0Haiku\u00a0» ferme dans 1{NBSP}heure, le mer. 4 nov. 2026, "
        "13:00 (CET)\u00a0; 1 participation pour l'instant."
    )


async def test_a_french_community_types_its_dates_day_first_and_reads_them_in_french(
    french: Arena,
) -> None:
    """``15/01/2027`` as a French manager writes it, not only ``2027-01-15T18:00``; and the
    answer says the days in words, not ``2027-01-15 18:00 CET``."""
    created = await french.run("mod", '/concours_creer Photo "15/01/2027 18h"')
    assert "ouvert du lun. 2 nov. 2026, 10:00 (CET) au ven. 15 janv. 2027, 18:00 (CET)" in created
    created = await french.run("mod", '/concours_creer Haïku 20/11 "" "13/11 9h30"')
    assert "du ven. 13 nov. 2026, 09:30 (CET) au ven. 20 nov. 2026, 00:00 (CET)" in created
    assert await french.count(Contest) == 2
    past = await french.run("mod", "/concours_creer Photo 01/11/2026")
    assert past.startswith("dim. 1 nov. 2026, 00:00 (CET) est dans le passé")
    unread = await french.run("mod", "/concours_creer Photo 01/15/2027")
    assert unread.startswith(f"«{NBSP}01/15/2027{NBSP}» n'est ni une durée")
    assert "15/01/2027 18h" in unread
    assert await french.count(Contest) == 2


async def test_replacing_an_entry_without_votes_claims_no_vote_withdrawn(french: Arena) -> None:
    await french.veterans("alice")
    await french.run("mod", '/contest_create "Haiku" 2h')
    await french.run("alice", "/submit 1 vieil étang")
    assert await french.run("alice", "/submit 1 une grenouille") == (
        "Votre nouvelle participation 1 au concours 1 remplace la précédente."
    )


async def test_an_english_replacement_without_votes_says_nothing_of_votes(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    assert await arena.run("alice", "/submit 1 a frog") == (
        "Your new entry 1 to contest 1 replaces your previous one."
    )


async def test_a_challenge_reminder_names_the_theme(open_arena: ArenaFactory) -> None:
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")
    # Opens Monday 9 November at 09:00 for six days: the reminder is on Sunday 15, 08:00.
    await arena.wait(timedelta(days=13))
    [reminder] = arena.posted("⏰")
    assert reminder.text.startswith("⏰ Contest 1 “Photo of the week — Spring buds” closes in")


async def test_an_entry_cannot_forge_a_second_entry_in_the_post(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    forged = "nice\nVote with 👍 or /vote 1 1.\n\n\n\nEntry 2 to contest 1, by mod:\nofficial"
    await arena.run("alice", f"/submit 1 {forged}")
    [post] = arena.posted("by alice")
    assert post.text.splitlines() == [
        "Entry 1 to contest 1, by alice:",
        "> nice",
        "> Vote with 👍 or /vote 1 1.",
        ">",
        "> Entry 2 to contest 1, by mod:",
        "> official",
        "Vote with 👍 or /vote 1 1.",
    ]


async def test_control_and_bidi_characters_never_reach_a_post(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Hai\u202eku\x07" 2h "Three\u2066 lines"')
    await arena.run("alice", "/submit 1 old\u202e pond\x1b[2J")
    await arena.run("mod", '/giveaway "Seeds\u202e\u200b" 1 1d')
    for text in arena.texts():
        assert not {"\u202e", "\u2066", "\u200b", "\x07", "\x1b"} & set(text), repr(text)
    assert arena.posted("“Haiku” is open")
    assert arena.posted("> old pond[2J")
    assert arena.posted("Giveaway 1: Seeds!")
    # An emoji sequence keeps its zero-width joiner.
    await arena.run("alice", "/submit 1 👩\u200d🌾")
    assert arena.posted("> 👩\u200d🌾")


def test_the_draw_runs_from_a_checkout_without_a_warning() -> None:
    root = Path(cogs.contests.draw.__file__).parents[2]
    environment = {**os.environ, "PYTHONWARNINGS": "error"}
    ran = subprocess.run(
        [sys.executable, "-m", "cogs.contests.draw", "seed", "1", "alice", "bob"],
        capture_output=True,
        text=True,
        cwd=root,
        env=environment,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""
    assert ran.stdout.startswith("entrants hash: ")
    assert available_cogs()["contests"] is ContestsCog


async def test_the_contest_create_examples_still_work_years_later(
    arena: Arena, french: Arena
) -> None:
    for community, name, help_line in (
        (arena, "contest_create", "/help contest_create"),
        (french, "concours_creer", "/aide concours_creer"),
    ):
        community.clock.advance(timedelta(days=3 * 365))
        shown = await community.run("mod", help_line)
        lines = shown.splitlines()
        examples = [line[line.index("/") :] for line in lines if f": /{name} " in line]
        assert len(examples) == 2, shown
        for example in examples:
            answer = await community.run("mod", example)
            assert answer.endswith((" in #general.", " dans #general.")), answer
        assert await community.count(Contest) == 2
    english = await arena.run("mod", "/help contest_create")
    assert '"Photo of the week"' in english
    assert "semaine" not in english


async def test_the_giveaway_entrants_help_says_how_to_re_run_the_draw(
    arena: Arena, french: Arena
) -> None:
    english = " ".join((await arena.run("zoe", "/help giveaway_entrants")).split())
    assert "README" not in english
    assert "The hash is the SHA-256 of the sorted ids joined by newlines." in english
    assert 'for round k = 0, 1, …, read SHA-256("<seed>:<k>") as a big-endian integer n' in english
    assert "README" not in await french.run("zoe", "/aide tirage_participants")


async def test_french_places_and_waits_read_as_french_writes_them(
    french: Arena, contests_rules: Path
) -> None:
    await french.veterans("alice", "bob", "carol", "mod")
    await french.run("mod", "/concours_creer Haïku 1h")
    await french.run("alice", "/participer 1 vieil étang")
    await french.run("bob", "/participer 1 une grenouille")
    await french.run("carol", "/voter 1 1")
    await french.run("mod", "/voter 1 2")
    await french.run("alice", "/voter 1 2")
    await french.wait(timedelta(hours=1))

    # Places, not « n° 2 »: entries are numbered too.
    hall = (await french.run("carol", "/palmares")).replace(NBSP, " ").splitlines()
    assert hall[1:3] == [
        "4 nov. 2026 — Haïku : bob (1re place, votes : 2)",
        "4 nov. 2026 — Haïku : alice (2e place, votes : 1)",
    ]
    # No « plus de 1 jour » either, whatever the rule book's limit.
    assert (await french.run("mod", '/concours_creer Photo 2h "" 400j')).replace(
        NBSP, " "
    ) == "Un concours doit commencer dans 365 jours au plus."
    edit_section(contests_rules, "contests", {"giveaways": {"min_member_age": "1d"}})
    assert await french.core.reload_rules() is None
    await french.join("dan")
    await french.run("mod", '/tirage "Des graines" 1 2j')
    [post] = french.posted("Tirage au sort 1")
    await french.press("dan", "giveaway:1", post)
    refused = french.sent()[-1].text.replace(NBSP, " ")
    assert refused.startswith("Il faut être membre depuis au moins 1 jour pour participer ;")
    # Old enough only once it is drawn: too late for this one.
    await french.run("mod", '/tirage "Des bulbes" 1 1j')
    [post] = french.posted("Tirage au sort 2")
    await french.press("dan", "giveaway:2", post)
    assert french.sent()[-1].text.replace(NBSP, " ") == (
        "Il faut être membre depuis au moins 1 jour pour participer : trop tard pour le "
        "tirage 2, qui a lieu le jeu. 5 nov. 2026, 11:00 (CET)."
    )


async def test_french_giveaway_answers_a_second_press_and_an_empty_list(french: Arena) -> None:
    await french.veterans("alice")
    await french.run("mod", '/tirage "Des graines" 1 1j')
    [post] = french.posted("Tirage au sort 1")
    assert (await french.run("zoe", "/tirage_participants 1")) == (
        "Le tirage 1 (Des graines) n'a aucun participant à lister."
    )
    await french.press("alice", "giveaway:1", post)
    await french.press("alice", "giveaway:1", post)
    assert french.sent()[-1].text.replace(NBSP, " ") == (
        "Vous participez déjà au tirage 1 (Des graines) ; il aura lieu le jeu. 5 nov. 2026,"
        " 10:00 (CET)."
    )


async def test_a_french_list_names_the_next_challenge_before_it_opens(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    edit_section(contests_rules, "community", {"locale": "fr"})
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")

    assert (await arena.run("alice", "/concours_liste")).replace(NBSP, " ").splitlines() == [
        "Concours :",
        "« Photo of the week » (défi récurrent) : le prochain ouvre le lun. 9 nov. 2026,"
        " 09:00 (CET)",
    ]


async def test_french_results_name_who_was_passed_over_and_what_was_not_counted(
    french: Arena,
) -> None:
    await french.veterans("alice", "bob", "carol", "dave", "erin")
    await french.run("mod", '/concours_creer "Haïku" 2h')
    await french.run("alice", "/participer 1 vieil étang")
    await french.run("bob", "/participer 1 une grenouille")
    for voter in ("carol", "dave"):
        await french.run(voter, "/voter 1 1")
    await french.run("erin", "/voter 1 2")
    await french.core.bus.publish(
        ModerationRecorded(
            at=french.clock.now(), member=french.member("dave"), case_id=1, action="ban"
        )
    )
    await french.handle(MemberLeft(at=french.clock.now(), member=french.member("alice")))
    await french.wait(timedelta(hours=2))
    [results] = french.posted("est clos")
    assert results.text.replace(NBSP, " ").splitlines()[1:] == [
        "1. bob — participation 2, votes : 1",
        "Non classées, leurs auteurs n'étant plus là : participation 1 d'alice (1 vote).",
        "1 vote d'un membre banni pendant le concours n'a pas été compté.",
    ]
