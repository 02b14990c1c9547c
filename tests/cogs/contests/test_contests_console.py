"""The contests cog's acceptance, played in the console community (one process per session)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.console.session import CLOCK_KEY, run_console
from bot.db import Database
from bot.state import StateStore
from cogs.contests.draw import draw, entrants_hash
from tests.cogs.contests.arena import WEEKLY
from tests.support.rulebook import edit_section

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""

MEMBERS = ["+alice", "+bob", "+carol", "+dave", "!wait 2d", "+eve"]
"""alice, bob, carol and dave have been here two days; eve just arrived (too new to vote)."""

CONTEST = [
    'mod: /contest_create "Photo de la semaine" 2h',
    "alice: /submit 1 https://example.org/alice-roses.jpg",
    "bob: /submit 1 https://example.org/bob-tomatoes.jpg",
    "alice: /vote 1 1",  # her own entry: refused
    "carol: /vote 1 1",
    "carol: /vote 1 1",  # a second vote: refused
    "dave: /vote 1 2",
    "dave: /vote 1 1",  # changes his vote
    "alice: /vote 1 2",
    "eve: /vote 1 2",  # joined minutes ago: refused
]


async def play(lines: list[str], rules_dir: Path, database: Path) -> list[dict[str, Any]]:
    """Run one console session (one process) on ``database``; return every output record."""
    output, errors = io.StringIO(), io.StringIO()
    await run_console(
        rules_dir=rules_dir,
        database_url=f"sqlite:///{database}",
        input=io.StringIO("".join(line + "\n" for line in lines)),
        output=output,
        jsonl=True,
        files_dir=database.parent / "files",
        errors=errors,
    )
    assert errors.getvalue() == ""
    return [json.loads(line) for line in output.getvalue().splitlines()]


def sends(records: list[dict[str, Any]], containing: str = "") -> list[dict[str, Any]]:
    return [
        record
        for record in records
        if record.get("action") == "send" and containing in record["text"]
    ]


def answer_to(records: list[dict[str, Any]], message_id: int) -> str:
    [answer] = [r for r in sends(records) if r.get("reply_to") == message_id]
    return str(answer["text"])


def command_ids(records: list[dict[str, Any]]) -> dict[str, int]:
    """The console number of each member message, by its text (the last one wins)."""
    return {
        r["text"]: r["message_id"] for r in records if r.get("event") == "message" and "text" in r
    }


def check_votes_answers(records: list[dict[str, Any]]) -> None:
    messages = [r for r in records if r.get("event") == "message"]
    answers = [answer_to(records, r["message_id"]) for r in messages if "/vote" in r["text"]]
    assert answers == [
        "You cannot vote for your own entry.",
        "Your vote for entry 1 of contest 1 is counted.",
        "You already voted for entry 1; one vote per member.",
        "Your vote for entry 2 of contest 1 is counted.",
        "Your vote in contest 1 moved from entry 2 to entry 1.",
        "Your vote for entry 2 of contest 1 is counted.",
        answers[-1],
    ]
    assert answers[-1].startswith("Members can vote once they have been here for 1 day")


EXPECTED_RESULTS = [
    "🏆 Contest 1 “Photo de la semaine” is closed: 2 entries, 3 votes.",
    "1. alice — entry 1, votes: 2",
    "2. bob — entry 2, votes: 1",
]


async def test_a_contest_ends_with_exactly_one_results_announcement(
    contests_rules: Path, tmp_path: Path
) -> None:
    records = await play([*MEMBERS, *CONTEST, "!wait 3h"], contests_rules, tmp_path / "j.db")
    check_votes_answers(records)
    [results] = sends(records, "is closed")
    assert results["text"].splitlines() == EXPECTED_RESULTS
    assert "private_to" not in results
    assert len(sends(records, "🏆")) == 1


async def test_a_restart_before_the_end_still_announces_the_results_once(
    contests_rules: Path, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await play([*MEMBERS, *CONTEST], contests_rules, database)
    check_votes_answers(first)
    assert sends(first, "is closed") == []

    second = await play(["!wait 3h"], contests_rules, database)
    [results] = sends(second, "is closed")
    assert results["text"].splitlines() == EXPECTED_RESULTS

    third = await play(["!wait 3h", "mod: /contest_results 1"], contests_rules, database)
    assert len(sends(third, "is closed")) == 1  # the answer to /contest_results, no new post
    assert "private_to" not in sends(third, "is closed")[0]
    assert "reply_to" in sends(third, "is closed")[0]


async def _start_clock_at(database: Path, moment: datetime) -> None:
    """Put the console's stored clock at ``moment`` (later than today), as if run until then."""
    db = Database(f"sqlite:///{database}")
    try:
        await db.upgrade()
        await StateStore(db).set(CLOCK_KEY, moment.isoformat())
    finally:
        await db.close()


async def test_a_weekly_challenge_posts_its_themes_at_local_time_across_daylight_saving(
    contests_rules: Path, tmp_path: Path
) -> None:
    edit_section(contests_rules, "contests", {"challenges": {"weekly": WEEKLY}})
    database = tmp_path / "j.db"
    # Sunday 23 March 2031, noon UTC; Paris moves to summer time on Sunday 30 March 2031.
    await _start_clock_at(database, datetime(2031, 3, 23, 12, 0, tzinfo=UTC))
    records = await play(
        [
            "alice: hello",  # the console community is seen: its challenge is scheduled
            "!wait 19h59m",  # Monday 24 March 07:59 UTC = 08:59 in Paris (winter time)
            "alice: tick 1",
            "!wait 1m",  # 09:00 in Paris
            "alice: tick 2",
            "!wait 6d22h59m",  # Monday 31 March 06:59 UTC = 08:59 in Paris (summer time)
            "alice: tick 3",
            "!wait 1m",  # 07:00 UTC = 09:00 in Paris
            "alice: tick 4",
        ],
        contests_rules,
        database,
    )
    order = [
        r["text"] if r.get("event") == "message" else r["text"].split(" — ")[-1][:22]
        for r in records
        if r.get("event") == "message" or "theme" in r.get("text", "")
    ]
    assert order == [
        "hello",
        "tick 1",
        "theme: Spring buds. Su",
        "tick 2",
        "tick 3",
        "theme: Morning dew. Su",
        "tick 4",
    ]
    first, second = sends(records, "theme:")
    assert first["channel"] == second["channel"] == "#photos"
    assert (
        f"until Sun, Mar 30, 2031, 9:00{NNBSP}AM (CEST)" in first["text"]
    )  # six days later, summer time
    assert f"until Sun, Apr 6, 2031, 9:00{NNBSP}AM (CEST)" in second["text"]


async def test_a_giveaways_published_seed_reproduces_its_winners(
    contests_rules: Path, tmp_path: Path
) -> None:
    records = await play(
        [
            'mod: /giveaway "A bag of seeds" 2 1d',  # 1, and the giveaway is message 2
            "alice [giveaway:1] 2",
            "bob +🎉 2",
            "carol +🎉 2",
            "dave [giveaway:1] 2",
            "dave [giveaway:1] 2",  # entered once only
            "!wait 1d",
            "alice: /giveaway_entrants 1",
        ],
        contests_rules,
        tmp_path / "j.db",
    )
    [started] = sends(records, "Giveaway 1: A bag of seeds!")
    assert started["message_id"] == 2
    assert started["buttons"] == [{"id": "giveaway:1", "label": "Enter"}]
    [result] = sends(records, "congratulations")
    found = re.search(
        r"congratulations (.+)! Drawn among 4 entrants with seed (\w+); "
        r"entrants' hash (\w+)\.",
        result["text"],
    )
    assert found is not None
    winners, seed, published_hash = found.group(1).split(", "), found.group(2), found.group(3)
    listing = answer_to(records, command_ids(records)["/giveaway_entrants 1"])
    assert f"hash {published_hash}" in listing
    entrants = [line.split(" (")[0] for line in listing.splitlines()[1:]]
    assert entrants == ["alice", "bob", "carol", "dave"]  # console ids are the names
    assert entrants_hash(entrants) == published_hash
    assert draw(seed, entrants, 2) == winners
