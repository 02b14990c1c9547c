"""The netiquette acceptance, played in the console community (one process per session)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console.session import run_console
from bot.cogloader import section_models
from bot.ruleconf import RuleBookError, load_rule_book
from tests.cogs.netiquette.forum import NO_INSULTS, write_netiquette


async def play(lines: list[str], rules_dir: Path, database: Path) -> list[dict[str, Any]]:
    """Run one console session on ``database``; return every record it printed."""
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


def deleted_texts(records: list[dict[str, Any]]) -> list[str]:
    """The texts of the members' messages the bot deleted."""
    texts = {r["message_id"]: r["text"] for r in records if r.get("event") == "message"}
    return [texts[r["message_id"]] for r in records if r.get("action") == "delete"]


def actions(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [record for record in records if record.get("action") == kind]


def modlog(records: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in actions(records, "send") if r["channel"] == "#mod-log"]


EVASIONS = [
    "idiot",
    "IDIOT",
    "1d10t",
    "i d i o t",
    "i.d.i.o.t",
    "іdiot",  # Cyrillic і
    "ｉｄｉｏｔ",  # fullwidth
    "idiiiiot",
    "i\u200bdiot",  # zero-width space
    "crét1n",
]


async def test_no_insults_deletes_every_evasion_and_spares_idiotic(
    rules_dir: Path, tmp_path: Path
) -> None:
    write_netiquette(rules_dir, NO_INSULTS)
    # One member per line, so the strike ladder stays out of the way.
    lines = [f"member{n}: {text}" for n, text in enumerate([*EVASIONS, "idiotic"])]
    records = await play(lines, rules_dir, tmp_path / "j.db")
    assert deleted_texts(records) == EVASIONS
    log = modlog(records)
    assert len(log) == len(EVASIONS)
    assert "no_insults" in log[0]
    assert "“idiot”" in log[0]
    assert "Case 1" in log[0]
    assert "“crétin”" in log[-1]
    assert "crét1n" in log[-1]


async def test_whole_words_keep_scunthorpe_clear(rules_dir: Path, tmp_path: Path) -> None:
    write_netiquette(
        rules_dir,
        {
            "rude": {
                "triggers": [{"match_words": {"words": ["ass", "cunt", "cock", "anal"]}}],
                "actions": {"delete": True},
            }
        },
    )
    innocent = ["assistance", "classic", "Scunthorpe", "cocktail", "analyse", "a class act"]
    lines = [f"alice: {text}" for text in innocent] + ["bob: what an a55", "carol: c u n t"]
    records = await play(lines, rules_dir, tmp_path / "j.db")
    assert deleted_texts(records) == ["what an a55", "c u n t"]


async def test_the_redos_pattern_loads_and_a_50kb_bait_is_handled(
    rules_dir: Path, tmp_path: Path
) -> None:
    write_netiquette(
        rules_dir,
        {
            "only_as": {
                "triggers": [{"match_regex": {"patterns": ["(a+)+$"]}}],
                "actions": {"delete": True},
            }
        },
    )
    bait = "a" * 50_000 + "!"
    records = await play([f"alice: {bait}", "bob: aaaa"], rules_dir, tmp_path / "j.db")
    # re2 runs in linear time: the bait does not match (it ends with "!") and costs nothing;
    # bench/netiquette_redos.py shows the time it takes.
    assert deleted_texts(records) == ["aaaa"]


def test_a_pattern_re2_refuses_is_a_load_error_naming_it(rules_dir: Path) -> None:
    write_netiquette(
        rules_dir,
        {
            "echo": {
                "triggers": [{"match_regex": {"patterns": ["fine", r"(\w+) \1"]}}],
                "actions": {"delete": True},
            }
        },
    )
    with pytest.raises(RuleBookError) as caught:
        load_rule_book(rules_dir, section_models())
    [error] = caught.value.errors
    assert error.file.name == "netiquette.yaml"
    assert error.line > 0
    assert error.key_path == "rules.echo.triggers[0].match_regex.patterns[1]"
    assert error.message == (
        r"pattern '(\w+) \1' is refused by re2 (invalid escape sequence: \1); "
        "backreferences are not supported: rewrite it without them"
    )


async def test_three_warnings_in_a_week_escalate_and_the_timeout_is_lifted(
    rules_dir: Path, tmp_path: Path
) -> None:
    write_netiquette(rules_dir, NO_INSULTS)  # the shipped ladder: 3 points in 7 days → 1 h
    records = await play(
        [
            "+alice",
            'mod: /warn alice "Stay courteous"',
            "!wait 2d",
            'mod: /warn alice "Again"',
            "!wait 2d",
            'mod: /warn alice "Third time"',
            "!wait 59m",
            "!wait 1m",
        ],
        rules_dir,
        tmp_path / "j.db",
    )
    [timeout] = actions(records, "timeout")
    assert timeout["member"] == "alice"
    assert "3 strike points within 1 week" in timeout["reason"]
    # The timeout is lifted exactly when it ends, not before.
    kinds = [r["action"] for r in records if r.get("action") in ("timeout", "unrestrict")]
    assert kinds == ["timeout", "unrestrict"]
    log = modlog(records)
    assert any(line.startswith("⚖️ Case 4 · timeout · alice reached 3") for line in log)
    assert log[-1] == "⏱️ The timeout of alice is lifted (case 4)."


async def test_warnings_spread_over_more_than_a_week_do_not_escalate(
    rules_dir: Path, tmp_path: Path
) -> None:
    write_netiquette(rules_dir, NO_INSULTS)
    records = await play(
        [
            "+alice",
            'mod: /warn alice "One"',
            "!wait 4d",
            'mod: /warn alice "Two"',
            "!wait 4d",
            'mod: /warn alice "Three"',
        ],
        rules_dir,
        tmp_path / "j.db",
    )
    assert actions(records, "timeout") == []


async def test_a_ten_minute_timeout_is_lifted_after_ten_minutes(
    rules_dir: Path, tmp_path: Path
) -> None:
    write_netiquette(rules_dir, NO_INSULTS)
    records = await play(
        ["+alice", 'mod: /timeout alice 10m "Cool down"', "!wait 9m", "!wait 1m"],
        rules_dir,
        tmp_path / "j.db",
    )
    assert [r["action"] for r in records if r.get("action") in ("timeout", "unrestrict")] == [
        "timeout",
        "unrestrict",
    ]
    assert modlog(records)[-1] == "⏱️ The timeout of alice is lifted (case 1)."


async def test_a_timeout_is_lifted_across_a_restart(rules_dir: Path, tmp_path: Path) -> None:
    write_netiquette(rules_dir, NO_INSULTS)
    database = tmp_path / "j.db"
    first = await play(["+alice", 'mod: /timeout alice 10m "Cool down"'], rules_dir, database)
    assert len(actions(first, "timeout")) == 1
    assert actions(first, "unrestrict") == []

    second = await play(["!wait 9m"], rules_dir, database)
    assert actions(second, "unrestrict") == []

    third = await play(["!wait 1m"], rules_dir, database)
    [lifted] = actions(third, "unrestrict")
    assert lifted["member"] == "alice"
    assert modlog(third) == ["⏱️ The timeout of alice is lifted (case 1)."]

    fourth = await play(["!wait 1d"], rules_dir, database)
    assert actions(fourth, "unrestrict") == []
