"""The welcome cog's acceptance, played in the console community with the shipped rule book."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from bot.adapters.console.session import run_console
from tests.support.rulebook import edit_section


async def play(lines: list[str], rules_dir: Path, database: Path) -> list[dict[str, Any]]:
    """Run one console session (one process) on ``database``; return what the bot did."""
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
    return [record for record in records if "action" in record]


def sends(actions: list[dict[str, Any]], channel: str | None = None) -> list[dict[str, Any]]:
    return [
        action
        for action in actions
        if action["action"] == "send" and (channel is None or action["channel"] == channel)
    ]


async def test_welcome_introduction_and_exactly_one_nudge(rules_dir: Path, tmp_path: Path) -> None:
    actions = await play(
        ["+alice", "#intros alice: Bonjour, je m'appelle Alice", "+bob", "!wait 2d", "!wait 30d"],
        rules_dir,
        tmp_path / "j.db",
    )
    welcome_alice, thanks, welcome_bob = sends(actions)[:3]
    assert welcome_alice["channel"] == "#general"
    assert "alice" in welcome_alice["text"]
    assert thanks["channel"] == "#intros"
    assert thanks["reply_to"] == 2
    assert "alice" in thanks["text"]
    assert "bob" in welcome_bob["text"]
    nudges = sends(actions)[3:]
    assert len(nudges) == 1
    assert nudges[0]["channel"] == "#intros"
    assert "bob" in nudges[0]["text"]
    assert "alice" not in nudges[0]["text"]


async def test_exactly_one_nudge_across_restarts(rules_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "j.db"
    first = await play(["+bob"], rules_dir, database)
    assert len(sends(first)) == 1

    second = await play(["!wait 2d"], rules_dir, database)
    [nudge] = sends(second)
    assert "bob" in nudge["text"]

    third = await play(["!wait 2d", "!wait 30d"], rules_dir, database)
    assert sends(third) == []


async def test_thirty_joins_within_a_minute(rules_dir: Path, tmp_path: Path) -> None:
    lines = [f"+newcomer{n}" for n in range(30)] + ["!wait 5m"]
    actions = await play(lines, rules_dir, tmp_path / "j.db")
    general = sends(actions, "#general")
    modlog = sends(actions, "#mod-log")
    assert len(sends(actions)) <= 7
    assert len(modlog) == 1
    assert modlog[0]["text"].startswith("⚠️ Wave of joins")
    aggregated = [send for send in general if "people who just joined" in send["text"]]
    assert len(aggregated) == 1
    assert "the 25 people" in aggregated[0]["text"]


async def test_the_gate_removes_messages_until_the_newcomer_accepts(
    rules_dir: Path, tmp_path: Path
) -> None:
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "role": "Members"}})
    actions = await play(
        [
            "+alice",  # message 1: the welcome with the button
            "alice: hello?",  # message 2: removed; 3: the reminder
            "alice [welcome:accept] 1",  # 4: thanks
            "alice: hello everyone!",  # 5: goes through
        ],
        rules_dir,
        tmp_path / "j.db",
    )
    welcome = actions[0]
    assert welcome["buttons"] == [{"id": "welcome:accept", "label": "I accept"}]
    deletes = [action for action in actions if action["action"] == "delete"]
    assert [delete["message_id"] for delete in deletes] == [2]
    reminder = sends(actions)[1]
    assert reminder["private_to"] == "alice"
    assert "please accept the charter" in reminder["text"]
    assert any(a["action"] == "add_role" and a["role"] == "Members" for a in actions)
    assert "You can now post" in sends(actions)[-1]["text"]


async def test_the_gate_without_a_role_restricts_on_the_console(
    rules_dir: Path, tmp_path: Path
) -> None:
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "timeout": "5m"}})
    actions = await play(
        ["+alice", "+bot", "alice [welcome:accept] 1", "!wait 6m"], rules_dir, tmp_path / "j.db"
    )
    kinds = [(a["action"], a.get("member")) for a in actions if a["action"] != "send"]
    assert kinds == [
        ("restrict", "alice"),
        ("restrict", "bot"),
        ("unrestrict", "alice"),
        ("delete", None),
        ("kick", "bot"),
    ]


async def test_onboarding_counts_match_the_events(rules_dir: Path, tmp_path: Path) -> None:
    actions = await play(
        [
            "+alice",
            "+bob",
            "+carol",
            "#intros alice: Bonjour, je m'appelle Alice",
            "bob: hello, where are the seeds?",
            "!wait 8d",
            "alice: back from holidays",
            "+dave",
            "mod: /onboarding 30",
        ],
        rules_dir,
        tmp_path / "j.db",
    )
    assert sends(actions)[-1]["text"].splitlines() == [
        "Newcomers of the last 30 days: 4",
        "Introduced themselves: 1 (25%)",
        "Posted a first message: 2 (50%)",
        "Still active after 7 days: 1 of the 3 who joined long enough ago (33%)",
        "Still active after 30 days: 0 of the 0 who joined long enough ago (—)",
    ]


async def test_newcomers_who_never_came_in_are_neither_counted_nor_said_goodbye_to(
    rules_dir: Path, tmp_path: Path
) -> None:
    count = "{member}, one of {member_count:one=# member|other=# members}."
    edit_section(
        rules_dir,
        "welcome",
        {
            "goodbye": True,
            "gate": {"enabled": True, "timeout": "5m"},
            "texts": {"en": {"welcome": count}},
        },
    )
    actions = await play(
        [
            "+alice",
            "!wait 6m",  # removed by the gate: she left
            "+bob",
            "-bob",  # leaves before accepting: his welcome goes, no goodbye
            "+carol",
            "carol [welcome:accept] 4",  # her welcome (1, alice's, is gone)
            "-carol",  # a goodbye
        ],
        rules_dir,
        tmp_path / "j.db",
    )
    welcomes = [send for send in sends(actions, "#general") if not send.get("private_to")]
    texts = [send["text"].split("\n")[0] for send in welcomes]
    assert texts[:3] == [
        "alice, one of 1 member.",
        "bob, one of 1 member.",  # alice, removed, is no longer counted
        "carol, one of 1 member.",
    ]
    [goodbye] = texts[3:]
    assert "carol" in goodbye
    deleted = [action["message_id"] for action in actions if action["action"] == "delete"]
    assert deleted == [welcomes[0]["message_id"], welcomes[1]["message_id"]]
