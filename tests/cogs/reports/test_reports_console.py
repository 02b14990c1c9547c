"""The reports cog's acceptance, played in the console community: a scripted week, then
/report 7 (a PNG chart whose figures match) and /report_export 7 (one CSV row per day)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from bot.adapters.console.session import run_console
from tests.support.rulebook import enable_only


def week() -> tuple[list[str], list[int]]:
    """Seven days of activity; returns the lines and the messages of each day."""
    lines: list[str] = []
    per_day: list[int] = []
    for day in range(7):
        count = 0
        lines.append("alice: Good morning garden, the tomatoes are growing")
        count += 1
        for n in range(day):
            lines.append(f"bob: watering round {n} done")
            count += 1
        if day == 2:
            lines.append("+dave")
        if day == 3:
            lines.append("#seeds dave: hello, I am new here, thanks for the welcome")
            count += 1
        per_day.append(count)
        if day < 6:
            lines.append("!wait 1d")
    return lines, per_day


async def play(lines: list[str], rules_dir: Path, tmp_path: Path) -> list[dict[str, Any]]:
    output, errors = io.StringIO(), io.StringIO()
    await run_console(
        rules_dir=rules_dir,
        database_url=f"sqlite:///{tmp_path / 'j.db'}",
        input=io.StringIO("".join(line + "\n" for line in lines)),
        output=output,
        jsonl=True,
        files_dir=tmp_path / "files",
        errors=errors,
    )
    assert errors.getvalue() == ""
    records = [json.loads(line) for line in output.getvalue().splitlines()]
    return [record for record in records if record.get("action") == "send"]


async def test_a_scripted_week_reports_with_a_chart_and_a_csv(
    rules_dir: Path, tmp_path: Path
) -> None:
    enable_only(rules_dir, "reports")
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["timezone"] = "UTC"
    community.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    lines, per_day = week()

    sent = await play([*lines, "mod: /report 7", "mod: /report_export 7"], rules_dir, tmp_path)

    report, export = sent[-2], sent[-1]
    text = report["text"].splitlines()
    assert text[0].startswith("📊 Activity report — Console, ")
    assert text[0].endswith("(7 days)")
    a_day = f"{sum(per_day) / 7:.1f}".removesuffix(".0")
    # The week began the day the bot came: there is no week before to compare with.
    assert text[1] == f"Messages: {sum(per_day)} ({a_day} a day), n/a against the period before"
    assert text[2] == "Active members: 3, n/a"
    assert text[3] == "Newcomers: 1, n/a — introduced 0, posted 1, still here 1"
    assert f"Top channels: general ({sum(per_day) - 1}), seeds (1)" in text
    assert "Satisfaction (fallback, no toxicity scores): " in report["text"]
    assert text[-1].startswith("No change against the period before: it ended before I arrived")
    # The chart opens as a PNG and carries the very figures it plots.
    with Image.open(report["file"]) as image:
        assert image.format == "PNG"
        assert image.size == (800, 450)
        plotted = json.loads(image.text["Description"])  # type: ignore[attr-defined]
    assert plotted["messages"] == per_day
    assert plotted["active"] == [1, 2, 2, 3, 2, 2, 2]
    # The CSV: a header and one row per day, the same figures.
    rows = list(csv.DictReader(Path(export["file"]).read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 7
    assert [int(row["messages"]) for row in rows] == per_day
    assert [int(row["joined"]) for row in rows] == [0, 0, 1, 0, 0, 0, 0]
    assert [int(row["thanks"]) for row in rows] == [0, 0, 0, 1, 0, 0, 0]
    assert rows[0]["day"] < rows[-1]["day"]


async def test_votes_and_entries_by_reaction_are_no_mood_and_angry_reactions_are(
    rules_dir: Path, tmp_path: Path
) -> None:
    """Without toxicity scores the satisfaction counts positive reactions and thanks against
    negative reactions and sanctions: a 👍 voting for an entry or a suggestion, a 👎 voting
    against one, a 🎉 entering a giveaway are no signal; a 🤔 is neither."""
    enable_only(rules_dir, "reports", "suggestions", "contests")
    script = [
        "+alice",
        "+bob",
        "+carol",
        "!wait 1d",  # old enough to vote
        "mod: /contest_create Photo 2d",
        "alice: /submit 1 my tomatoes",  # entry posted as message 5
        "alice: /suggest Install a rain water tank near the shed",  # posted as message 8
        "mod: /giveaway seeds 1 1d",  # posted as message 11
        "bob +👍 5",
        "carol +👍 5",
        "bob +👎 8",
        "carol +👍 8",
        "bob +🎉 11",
        "alice: this new rule is a bad idea",  # message 13
        "bob +👎 13",
        "carol +😡 13",
        "dave +🤮 13",
        "bob +🤔 13",
        "carol +❤️ 13",
        "mod: /report 1",
    ]

    sent = await play(script, rules_dir, tmp_path)

    posts = {record["message_id"]: record["text"] for record in sent}
    assert posts[5].startswith("Entry 1 to contest 1")
    assert posts[8].startswith("💡 Suggestion #1")
    assert posts[11].startswith("🎉 Giveaway 1")
    report = sent[-1]["text"].splitlines()
    assert (
        "Satisfaction (fallback, no toxicity scores): 25% positive signals (1 vs 3: 1 positive"
        " reaction and 0 thank-yous vs 3 negative reactions and 0 sanctions; votes and other"
        " reactions not counted), —"
    ) in report
