"""Bad requests get a clear answer and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from cogs.contests.models import Contest, Entry, Giveaway, Vote
from tests.cogs.contests.arena import Arena
from tests.ruleconf.test_shipped_french import typography_mistakes
from tests.support.rulebook import refusal_read_in_french

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        (
            '/contest_create "Photo" 0h',
            "A duration of 0 makes no sense here; write e.g. 2h or 7d.",
        ),
        (
            '/contest_create "Photo" 2026-12-01T10:00 "" 2026-12-02T10:00',
            f"That would end (Tue, Dec 1, 2026, 10:00{NNBSP}AM (CET)) before it starts "
            f"(Wed, Dec 2, 2026, 10:00{NNBSP}AM (CET)).",
        ),
        (
            '/contest_create "Photo" 2h "" 2026-01-01T10:00',
            f"Thu, Jan 1, 2026, 10:00{NNBSP}AM (CET) is in the past; pick a later time.",
        ),
        (
            '/contest_create "Photo" 2026-11-01T10:00',
            f"Sun, Nov 1, 2026, 10:00{NNBSP}AM (CET) is in the past; pick a later time.",
        ),
        (
            '/contest_create "Photo" soon',
            "'soon' is neither a duration (2h, 7d) nor a date and time "
            "(15/01/2027 6pm, 2027-01-15 18:00).",
        ),
        ('/contest_create "Photo" 200d', "That lasts too long: at most 90 days."),
        (
            '/contest_create "Photo" 05/01/2027',
            "'05/01/2027' could be Jan 5, 2027 or May 1, 2027: write the date year first "
            "(YYYY-MM-DD) to say which.",
        ),
        (
            '/contest_create "Photo" 31/02/2027',
            "'31/02/2027' is neither a duration (2h, 7d) nor a date and time "
            "(15/01/2027 6pm, 2027-01-15 18:00).",
        ),
        (
            '/contest_create "Photo" "31/10/2026 6pm"',
            f"Sat, Oct 31, 2026, 6:00{NNBSP}PM (CET) is in the past; pick a later time.",
        ),
        (
            '/contest_create "Photo" 2h "" 2y',
            "'2y' is neither a duration (2h, 7d) nor a date and time "
            "(15/01/2027 6pm, 2027-01-15 18:00).",
        ),
        (
            '/contest_create "Photo" 2h "" "" #general 9',
            "Entries per member must be between 1 and 5.",
        ),
        (
            '/contest_create "Photo" 2h "" 0001-01-01T00:00',
            "0001-01-01T00:00 is in the past; pick a later time.",
        ),
        ('/contest_create "Photo" 0001-01-01', "0001-01-01 is in the past; pick a later time."),
        ('/contest_create "Photo" 99999999999d', "That lasts too long: at most 90 days."),
        (
            '/contest_create "Photo" 2h "" 99999999999d',
            "A contest can start at most 365 days ahead.",
        ),
        ('/contest_create "Photo" 1s', "That is too short: at least 10 minutes."),
        ('/contest_create "Photo" 9m59s', "That is too short: at least 10 minutes."),
        ('/giveaway "Seeds" 1 1s', "That is too short: at least 1 minute."),
        ('/giveaway "Seeds" 0 1d', "A giveaway has between 1 and 20 winners."),
        ('/giveaway "Seeds" 1 0s', "A duration of 0 makes no sense here; write e.g. 2h or 7d."),
        ('/giveaway "Seeds" 1 60d', "That lasts too long: at most 30 days."),
    ],
)
async def test_bad_contest_and_giveaway_requests(arena: Arena, line: str, answer: str) -> None:
    assert await arena.run("mod", line) == answer
    assert await arena.count(Contest) == 0
    assert await arena.count(Giveaway) == 0
    assert arena.core.scheduler.pending("contest:") == []
    assert arena.core.scheduler.pending("giveaway:") == []


async def test_unknown_ids_are_answered_clearly(arena: Arena) -> None:
    await arena.veterans("alice")
    unknown = "There is no contest 7 here. /contest_list shows the open ones."
    assert await arena.run("alice", "/vote 7 1") == unknown
    assert await arena.run("alice", "/submit 7 hello") == unknown
    assert await arena.run("alice", "/contest_results 7") == unknown
    assert await arena.run("mod", "/contest_cancel 7") == unknown
    assert await arena.run("mod", "/giveaway_reroll 7") == "There is no giveaway 7 here."
    await arena.run("mod", '/contest_create "Photo" 2h')
    assert await arena.run("alice", "/vote 1 3") == "Contest 1 has no entry 3."
    assert await arena.count(Entry) == 0
    assert await arena.count(Vote) == 0


async def test_a_contest_of_another_community_is_unknown_here(
    arena: Arena, open_arena: object
) -> None:
    await arena.run("mod", '/contest_create "Photo" 2h')
    other = arena.platform.community.__class__("fake", "c2", "Other garden")
    arena.platform.community = other
    arena.platform.members.clear()
    assert await arena.run("alice", "/submit 1 hello") == (
        "There is no contest 1 here. /contest_list shows the open ones."
    )


async def test_members_cannot_create_contests_or_giveaways(arena: Arena) -> None:
    assert await arena.run("alice", '/contest_create "Photo" 2h') == (
        "Sorry, /contest_create is for moderators."
    )
    assert await arena.run("alice", '/giveaway "Seeds" 1 1d') == (
        "Sorry, /giveaway is for moderators."
    )
    assert await arena.count(Contest) == 0


@pytest.mark.parametrize(
    ("changes", "key_path", "english", "french"),
    [
        (
            {"giveaways": {"min_duration": "30s"}},
            "giveaways.min_duration",
            "min_duration must be at least 1m",
            "min_duration doit être d'au moins 1m",
        ),
        (
            {"giveaways": {"min_duration": "2h", "max_duration": "1h"}},
            "giveaways.max_duration",
            "max_duration must be at least min_duration",
            "max_duration ne doit pas être plus courte que min_duration",
        ),
        (
            {
                "challenges": {
                    "weekly": {
                        "title": "Photo",
                        "schedule": "0 9 * * mon",
                        "themes": ["Buds"],
                        "open_for": "30s",
                    }
                }
            },
            "challenges.weekly.open_for",
            "open_for must be at least 1m",
            "open_for doit être d'au moins 1m",
        ),
        (
            {
                "challenges": {
                    "Weekly Photo": {
                        "title": "Photo",
                        "schedule": "0 9 * * mon",
                        "themes": ["Buds"],
                    }
                }
            },
            "challenges",
            "'Weekly Photo' is not a challenge id; use lowercase letters, digits, - and _",
            "'Weekly Photo' n'est pas un identifiant de défi\u00a0; utilisez des minuscules, des"
            " chiffres, - et _",
        ),
    ],
)
def test_a_french_community_reads_the_contests_section_s_refusals_in_french(
    rules_dir: Path, changes: dict[str, object], key_path: str, english: str, french: str
) -> None:
    # The checks the contests section makes itself, not the loader's.
    error = refusal_read_in_french(rules_dir, "contests", changes)
    assert (error.key_path, error.message) == (key_path, english)
    assert error.text("fr").endswith(f": {french}")
    assert typography_mistakes(french) == []
