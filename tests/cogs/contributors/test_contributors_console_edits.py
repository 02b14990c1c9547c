"""The console end to end: an edit that names a member and thanks them credits them."""

from __future__ import annotations

from pathlib import Path

from tests.cogs.contributors.test_contributors_console import play

ANSWER = "bob: Water it the day before and loosen the root ball gently."


async def test_an_edit_that_thanks_a_member_by_name_thanks_them(
    rules_dir: Path, tmp_path: Path
) -> None:
    lines = [
        ANSWER,  # 1
        "alice: great answer",  # 2: to no one
        "alice ~2: great answer, thanks @bob",
        "alice ~2: great answer, thanks again @bob",
        "alice: /profile bob",
    ]

    sent = await play(lines, rules_dir, tmp_path / "j.db")

    profile = sent[-1]["text"].splitlines()
    assert "• 1 thank-you: 5 pts" in profile
