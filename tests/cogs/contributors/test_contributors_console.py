"""The contributors cog's acceptance, played in the console community."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from bot.adapters.console.session import run_console
from tests.support.rulebook import enable_only

CONVERSATION = [
    "alice: How do I repot a fig tree without hurting the roots?",
    "carol ^1: Water it the day before and loosen the root ball gently.",
    "alice ^2: Merci beaucoup !",
    "bob: Which soil mix works best for succulents indoors?",
    "carol ^4: Half cactus mix, half perlite, and a pot with a drainage hole.",
    "bob ^5: thanks a lot, that worked",
    "erin: When should tomato seedlings go outside in spring?",
    "carol ^7: After the last frost, once nights stay above ten degrees.",
    "erin ^8: Thank you!!",
]
SPAM = [line for n in range(30) for line in (f"dave: {['lol', 'ok', '+1'][n % 3]}", "!wait 4s")]


async def play(lines: list[str], rules_dir: Path, database: Path) -> list[dict[str, Any]]:
    """Run one console session on ``database``; return what the bot sent."""
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
    records = [json.loads(line) for line in output.getvalue().splitlines()]
    return [record for record in records if record.get("action") == "send"]


async def test_carol_who_answers_outranks_dave_who_spams(rules_dir: Path, tmp_path: Path) -> None:
    sent = await play([*CONVERSATION, *SPAM, "alice: /top"], rules_dir, tmp_path / "j.db")

    lines = sent[-1]["text"].splitlines()
    assert lines[0] == "🌱 Top contributors — over the last 7 days:"
    assert lines[1].startswith("1. carol — ")
    assert lines[1].endswith("(3 thanks)")
    assert not any(" dave — " in line for line in lines)


async def test_a_removed_answer_takes_its_points_with_it(rules_dir: Path, tmp_path: Path) -> None:
    sent = await play(
        [*CONVERSATION, "alice: /profile carol", "!delete 2", "alice: /profile carol"],
        rules_dir,
        tmp_path / "j.db",
    )

    before, after = sent[-2]["text"], sent[-1]["text"]
    assert before.startswith("carol — over the last 7 days: 24 pts, rank 1/")
    assert "3 thanks" in before
    # The answer, the reply it drew and the thanks it earned are gone: 24 - 1 - 2 - 5.
    assert after.startswith("carol — over the last 7 days: 16 pts, rank 1/")
    assert "2 thanks" in after


async def test_a_giveaway_drawn_for_a_member_earns_them_no_points(
    rules_dir: Path, tmp_path: Path
) -> None:
    enable_only(rules_dir, "contests", "contributors")
    sent = await play(
        [
            "mod: /giveaway seeds 1 1h",
            "bob [giveaway:1] 2",
            "!wait 1h",
            "alice: How do I repot a fig tree without hurting the roots?",
            "alice: /top all",
        ],
        rules_dir,
        tmp_path / "j.db",
    )

    assert "congratulations bob!" in sent[-2]["text"]
    # A draw is luck: bob pressed a button, which is no contribution (nor a contest win).
    assert sent[-1]["text"].splitlines()[1:] == ["1. alice — 1 pt (1 substantial message)"]


async def test_only_the_winner_of_a_contest_counts_a_contest_win(
    rules_dir: Path, tmp_path: Path
) -> None:
    enable_only(rules_dir, "contests", "contributors")
    sent = await play(
        [
            "+alice",
            "+bruno",
            "+carol",
            "+dave",
            "!wait 2d",
            'mod: /contest_create "Photo" 2h',
            "alice: /submit 1 https://example.org/alice-roses.jpg",
            "bruno: /submit 1 https://example.org/bruno-tomatoes.jpg",
            "carol: /vote 1 1",
            "dave: /vote 1 2",
            "!wait 3h",
            "alice: /top all",
        ],
        rules_dir,
        tmp_path / "j.db",
    )

    results = sent[-2]["text"].splitlines()
    assert results[1].startswith("1. alice")
    assert results[2].startswith("2. bruno")
    # Second place is no win: as in /hall_of_fame, only alice won this contest.
    assert sent[-1]["text"].splitlines()[1:] == ["1. alice — 10 pts (1 contest win)"]
