"""Replaying real chat exports: the report a community manager reads before turning rules on."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tracemalloc
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.errors import JardinierError
from bot.events import MemberJoined, MessageCreated, ReactionAdded
from bot.replay import load_history, replay, timeline
from bot.replay.observations import Example, keep_example
from bot.replay.report import ReplayReport
from bot.replay.timeline import Timeline, ordered_events

FIXTURES = Path(__file__).parent / "fixtures"
DISCORD = FIXTURES / "discord_general.json"
TELEGRAM = FIXTURES / "result.json"


def rule(report: object, name: str) -> dict:
    found = [item for item in report.rules if item["rule"] == name]  # type: ignore[attr-defined]
    assert found, f"rule {name} did not fire"
    return found[0]


async def test_a_discord_export_replays_with_the_expected_report(rules_dir: Path) -> None:
    report = await replay([DISCORD], rules_dir=rules_dir)

    assert report.totals["messages"] == 10  # the pin notice and the join are not messages
    assert report.totals["joins"] == 1
    assert report.totals["reactions"] == 5
    insults = rule(report, "insults")
    assert insults["count"] == 3
    assert insults["actions"] == {"delete, reply, warn": 3}
    assert [example["text"] for example in insults["examples"]] == [
        "you are an idiot, tomatoes are boring",
        "only an idiot grows basil",
        "shut up, you moron",
    ]
    assert insults["examples"][0]["member"] == "Troll"
    assert rule(report, "invite_links")["count"] == 1
    # Three warnings within 7 days climb the shipped ladder: a 1 h timeout.
    (troll,) = report.sanctions
    assert troll["member"] == "Troll"
    assert troll["warnings"] == 3
    assert troll["timeouts"] == ["1h"]
    assert troll["escalations"] == ["timeout"]
    assert report.newcomers["joined"] == 1
    assert report.newcomers["welcomed"] == ["Zoé"]
    standings = report.contributors["discord-900000000000000001"]
    assert standings["top"][1].startswith("1. Bob")
    assert any("Alice" in line for line in standings["influencers"])
    assert all("Troll" not in line for line in standings["top"])
    assert report.activity == [
        {"day": "2024-03-04", "messages": 7, "members": 4, "joins": 1, "acted_on": 3},
        {"day": "2024-03-05", "messages": 3, "members": 3, "joins": 0, "acted_on": 1},
    ]
    assert report.problems == []  # nothing went wrong: no warning section
    text = report.render()
    assert "insults: 3" in text
    assert "Problems met" not in text
    assert "Troll: 5 cases, 3 warnings, timeout 1h, ladder: timeout" in text
    assert "Newcomers: 1 joined, 1 welcomed (1 welcome message)" in text
    assert "Top contributors in Jardin Partagé (/top all):" in text


async def test_a_telegram_desktop_export_replays_with_the_expected_report(
    rules_dir: Path,
) -> None:
    report = await replay([TELEGRAM], rules_dir=rules_dir)

    assert report.files[0]["format"] == "telegram"
    assert report.totals == {
        "messages": 4,
        "joins": 1,
        "reactions": 1,
        "members": 3,
        "first": "2024-03-04 10:00",
        "last": "2024-03-05 09:00",
        "duplicates": 0,
    }
    insults = rule(report, "insults")
    assert insults["count"] == 1
    assert insults["examples"][0] == {
        "at": "2024-03-04 11:00",
        "member": "Kévin",
        "channel": "Les Potagers",
        "text": "ta gueule le jardinier",
        "matched": "match_words: word “ta gueule”",  # what to look at for a false positive
    }
    assert report.sanctions[0]["member"] == "Kévin"
    assert report.sanctions[0]["timeouts"] == []
    assert report.newcomers["welcomed"] == ["Marc"]
    # A group is its own single channel: the file line names it once.
    assert "result.json (telegram): Les Potagers, 6 events" in report.render()
    # The chat id is the Bot API's, so the book's override file for the group applies.
    top = report.contributors["telegram--1001987654321"]["top"]
    assert [line.split(" — ")[0] for line in top[1:]] == ["1. Léa", "2. Marc"]


def test_a_telegram_message_keeps_its_entities_reply_and_mentions() -> None:
    events = list(load_history(TELEGRAM).events())
    welcome = next(
        event
        for event in events
        if isinstance(event, MessageCreated) and event.message.id == "103"
    )
    assert welcome.text == "Bienvenue Marc ! Les courges adorent le compost."
    assert welcome.reply_to is not None
    assert welcome.reply_to.id == "102"
    assert [user.id for user in welcome.mentions] == ["5001"]
    assert welcome.at == datetime(2024, 3, 4, 10, 5, tzinfo=UTC)
    assert isinstance(events[0], MemberJoined)
    assert events[0].member.user.id == "5001"


async def test_a_telegram_text_link_to_another_group_is_caught(
    tmp_path: Path, rules_dir: Path
) -> None:
    export = json.loads(TELEGRAM.read_text(encoding="utf-8"))
    text = [
        "free seeds ",
        {"type": "text_link", "text": "here", "href": "https://t.me/+SeedScam"},
    ]
    export["messages"].append(
        {"id": 107, "type": "message", "date": "2024-03-05T10:00:00", "from": "Mallory",
         "from_id": "user5009", "text": text}
    )  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    spam = list(load_history(path).events())[-1]
    assert isinstance(spam, MessageCreated)
    assert (spam.text, spam.hidden_links) == ("free seeds here", ("https://t.me/+SeedScam",))

    report = await replay([path], rules_dir=rules_dir)
    (example,) = rule(report, "invite_links")["examples"]
    assert (example["member"], example["text"]) == ("Mallory", "free seeds here")


async def test_a_rule_that_could_not_be_checked_is_reported(
    tmp_path: Path, rules_dir: Path
) -> None:
    """Toxicity on, its model missing: the report must not pass for a clean bill of health."""
    section = rules_dir / "netiquette.yaml"
    book = yaml.safe_load(section.read_text(encoding="utf-8"))
    book["rules"]["toxicity"]["enabled"] = True
    book["toxicity"]["checkpoint"] = str(tmp_path / "missing.ckpt")
    section.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")

    report = await replay([DISCORD], rules_dir=rules_dir)

    (problem,) = report.problems
    assert problem["message"].startswith("toxicity checks are off: ")
    assert "missing.ckpt" in problem["message"]
    assert rule(report, "insults")["count"] == 3  # every other rule still worked
    lines = report.render().splitlines()
    assert lines[3] == "⚠️ Problems met during the replay (the report may miss what they stopped):"
    assert lines[4].startswith("  toxicity checks are off: ")


async def test_toxicity_without_detoxify_is_one_problem_in_the_report(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)  # as without the toxicity extra
    section = rules_dir / "netiquette.yaml"
    book = yaml.safe_load(section.read_text(encoding="utf-8"))
    book["rules"]["toxicity"]["enabled"] = True
    section.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")

    report = await replay([DISCORD], rules_dir=rules_dir)

    assert report.problems == [
        {
            "message": "toxicity checks are off: detoxify is not installed; install PyTorch "
            "first (pip install torch==2.13.0), then the toxicity extra from Jardinier's folder "
            "(pip install -e '.[toxicity]'); every other rule still works",
            "times": 1,
        }
    ]
    assert rule(report, "insults")["count"] == 3  # every other rule still worked


async def test_several_files_replay_together_in_time_order(rules_dir: Path) -> None:
    histories = [load_history(DISCORD), load_history(TELEGRAM)]
    events = list(ordered_events(histories))
    assert [event.at for event in events] == sorted(event.at for event in events)
    # A reaction comes after the message it is about, though both carry the same time.
    first_reaction = next(i for i, e in enumerate(events) if isinstance(e, ReactionAdded))
    assert isinstance(events[first_reaction - 1], MessageCreated)

    report = await replay([DISCORD, TELEGRAM], rules_dir=rules_dir)
    assert rule(report, "insults")["count"] == 4
    assert report.newcomers["welcomed"] == ["Marc", "Zoé"]
    assert set(report.contributors) == {"discord-900000000000000001", "telegram--1001987654321"}


async def test_overlapping_exports_play_each_message_once(rules_dir: Path, tmp_path: Path) -> None:
    """A January export and a "last 90 days" one of the same channel hold the same messages."""
    report = await replay([DISCORD, DISCORD], rules_dir=rules_dir)
    assert report.totals["messages"] == 10
    assert report.totals["duplicates"] == 16
    assert rule(report, "insults")["count"] == 3
    assert "  played once: 16 events found in more than one file" in report.render()

    # A later export of the channel: its last three posts again (with two reactions), a new one.
    document = json.loads(DISCORD.read_text(encoding="utf-8"))
    fresh = {**document["messages"][-1], "id": "1200000000000000013", "content": "See you soon"}
    fresh["timestamp"] = "2024-03-06T09:00:00.000+00:00"
    document["messages"] = [*document["messages"][-4:], fresh]
    later = tmp_path / "general-march.json"
    later.write_text(json.dumps(document), encoding="utf-8")
    report = await replay([DISCORD, later], rules_dir=rules_dir)
    assert (report.totals["messages"], report.totals["duplicates"]) == (11, 5)
    assert rule(report, "insults")["count"] == 3

    # The same file named twice (here a copy of it) is played once.
    twice = tmp_path / "copy"
    twice.mkdir()
    csv = FIXTURES / "history.csv"
    (twice / "history.csv").write_text(csv.read_text(encoding="utf-8"), encoding="utf-8")
    report = await replay([csv, csv, twice / "history.csv"], rules_dir=rules_dir)
    assert (report.totals["messages"], report.totals["duplicates"]) == (4, 8)
    # A CSV row's id may be its position: two different files are two sets of messages.
    other = twice / "history.csv"
    other.write_text(
        "timestamp,user,text\n2024-03-05T08:00:00Z,quinn,Where are the spare gloves kept?\n",
        encoding="utf-8",
    )
    report = await replay([csv, other], rules_dir=rules_dir)
    assert (report.totals["messages"], report.totals["duplicates"]) == (5, 0)


async def test_two_files_of_one_name_do_not_answer_each_others_rows(
    rules_dir: Path, tmp_path: Path
) -> None:
    for folder, rows in (
        (
            "a",
            [
                "09:00:00Z,alice,Here is how to prune tomato plants properly in spring,",
                "10:00:00Z,bob,thanks a lot for this,1",
            ],
        ),
        ("b", ["09:30:00Z,carol,Where can I find compost bins around here please,"]),
    ):
        (tmp_path / folder).mkdir()
        lines = ["timestamp,user,text,reply_to", *(f"2024-05-01T{row}" for row in rows)]
        (tmp_path / folder / "chat.csv").write_text("\n".join(lines), encoding="utf-8")
    report = await replay(
        [tmp_path / "a" / "chat.csv", tmp_path / "b" / "chat.csv"], rules_dir=rules_dir
    )
    rendered = report.render()
    # bob's thanks answer alice's row 1 of a/chat.csv, not carol's row 1 of b/chat.csv.
    assert "alice — 8 pts" in rendered
    assert "carol — 8 pts" not in rendered


def test_a_long_export_is_read_a_piece_at_a_time(tmp_path: Path) -> None:
    """A busy community's export runs to gigabytes: what the replay holds of it while reading
    it, and while playing it, must not grow with it."""
    document = json.loads(DISCORD.read_text(encoding="utf-8"))
    post = document["messages"][0]  # with two reactions
    start = datetime(2024, 1, 1, tzinfo=UTC)
    document["messages"] = [
        {**post, "id": str(n), "timestamp": (start + timedelta(minutes=n)).isoformat()}
        for n in range(3000)
    ]
    path = tmp_path / "general.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    del document
    tracemalloc.start()
    try:
        history = load_history(path)
        played = sum(1 for _ in Timeline([history]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert played == history.count == 3000 * 3
    # A piece of the file and a message at a time: far less than the file.
    assert peak < path.stat().st_size / 8


def test_a_file_out_of_time_order_is_sorted_a_run_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of any size not listed by time is sorted in runs kept on disk: by time, and in
    the file's order where two rows share a time."""
    monkeypatch.setattr(timeline, "RUN", 2)
    path = tmp_path / "chat.csv"
    times = ["12:00", "09:00", "11:00", "09:00", "10:00", "11:00", "08:00"]
    path.write_text(
        "timestamp,user,text\n"
        + "".join(f"2024-05-01T{at}:00Z,m{n},row {n}\n" for n, at in enumerate(times)),
        encoding="utf-8",
    )
    history = load_history(path)
    assert not history.in_time_order
    played = [event.text for event in timeline.in_time_order(history)]  # type: ignore[attr-defined]
    assert played == ["row 6", "row 1", "row 3", "row 4", "row 2", "row 5", "row 0"]


async def test_a_file_out_of_time_order_is_played_in_time_order(
    tmp_path: Path, rules_dir: Path
) -> None:
    """A spreadsheet sorted newest first: the thanks still come after the message thanked."""
    path = tmp_path / "chat.csv"
    path.write_text(
        "timestamp,user,text,id,reply_to\n"
        "2024-05-01T10:00:00Z,bob,thanks a lot for this,b1,a1\n"
        "2024-05-01T09:00:00Z,alice,Here is how to prune tomato plants properly in spring,a1,\n",
        encoding="utf-8",
    )
    report = await replay([path], rules_dir=rules_dir)
    assert report.files[0]["in_time_order"] is False
    assert (report.totals["first"], report.totals["last"]) == (
        "2024-05-01 09:00",
        "2024-05-01 10:00",
    )
    rendered = report.render()
    assert f"  {path} (csv): Replay #chat, 2 events, not in time order: played sorted" in rendered
    assert "alice — 8 pts" in rendered  # bob's thanks counted for her


def test_a_truncated_export_gets_an_error_naming_where_it_broke() -> None:
    truncated = FIXTURES / "discord_truncated.json"
    with pytest.raises(JardinierError) as raised:
        load_history(truncated)
    message = str(raised.value)
    assert message.startswith(f"{truncated}:252:8: not valid JSON")
    assert "truncated" in message


def test_a_whole_account_telegram_export_says_how_to_export_the_group(tmp_path: Path) -> None:
    chat = json.loads(TELEGRAM.read_text(encoding="utf-8"))
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"about": "…", "chats": {"list": [chat]}}), encoding="utf-8")
    with pytest.raises(JardinierError, match="whole account; export the group alone"):
        load_history(path)


def test_a_json_file_nested_too_deeply_gets_an_error_not_a_crash(tmp_path: Path) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    document = tmp_path / "general.json"
    document.write_text('{"messages": ' + nested + "}", encoding="utf-8")
    with pytest.raises(JardinierError, match=r"general\.json: JSON nested too deeply"):
        load_history(document)
    lines = tmp_path / "chat.jsonl"
    lines.write_text('{"timestamp": 1, "user": "a", "text": "hi"}\n' + nested, encoding="utf-8")
    with pytest.raises(JardinierError, match=r"chat\.jsonl:2: JSON nested too deeply"):
        load_history(lines)


def test_a_message_missing_a_field_is_named(tmp_path: Path) -> None:
    broken = json.loads(TELEGRAM.read_text(encoding="utf-8"))
    del broken["messages"][1]["from_id"]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(JardinierError, match=r"result\.json: message 2: missing 'from_id'"):
        load_history(path)


def test_a_csv_and_a_jsonl_history_are_read(tmp_path: Path) -> None:
    table = load_history(FIXTURES / "history.csv")
    assert table.format == "csv"
    rows = list(table.events())
    texts = [event.text for event in rows if isinstance(event, MessageCreated)]
    assert texts[1] == "Count me in, I can bring a wheelbarrow."
    last = rows[3]
    assert isinstance(last, MessageCreated)
    assert last.at == datetime.fromtimestamp(1709540000, UTC)  # Unix seconds are accepted
    assert last.reply_to is not None
    assert last.reply_to == rows[1].message  # reply_to names a row by its position

    lines = load_history(FIXTURES / "history.jsonl")
    assert lines.format == "jsonl"
    first, reply = list(lines.events())[:2]
    assert isinstance(reply, MessageCreated)
    assert reply.reply_to is not None
    assert reply.reply_to == first.message  # or by its id column ("a1")


def test_a_broken_csv_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    path.write_text("timestamp,user,text\n2024-03-04T08:00:00Z,nina,hi\n,omar,hello\n")
    with pytest.raises(JardinierError, match=r"chat\.csv: row 3: missing 'timestamp'"):
        load_history(path)
    path.write_text("when,user,text\n")
    with pytest.raises(JardinierError, match="row 1: the header lacks timestamp"):
        load_history(path)


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("0001-01-01T00:00:00", "'0001-01-01T00:00:00'"),
        ("1969-12-31T23:59:59Z", "'1969-12-31T23:59:59Z'"),
        ("9000-01-01T00:00:00", "'9000-01-01T00:00:00'"),
        ("9999-12-31T23:59:59", "'9999-12-31T23:59:59'"),
        ("253402300000", "'253402300000'"),  # Unix seconds in the year 10000
    ],
)
def test_a_timestamp_no_chat_can_have_is_named(tmp_path: Path, stamp: str, shown: str) -> None:
    # The replay's clock starts a second before the first message: 0001-01-01 had overflowed.
    path = tmp_path / "chat.csv"
    path.write_text(f"timestamp,user,text\n2024-03-04T08:00:00Z,nina,hi\n{stamp},omar,hello\n")
    with pytest.raises(JardinierError) as caught:
        load_history(path)
    assert str(caught.value) == (
        f"{path}: row 3: timestamp: {shown} is out of range (timestamps run from 1970 to 8999)"
    )


def test_the_first_and_last_possible_timestamps_are_read(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text(
        '{"timestamp": 0, "user": "nina", "text": "hi"}\n'
        '{"timestamp": "8999-12-31T23:59:59Z", "user": "omar", "text": "hello"}\n'
    )
    assert [event.at for event in load_history(path).events()] == [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(8999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ]


def test_a_spreadsheet_csv_with_semicolons_or_tabs_is_read(tmp_path: Path) -> None:
    """A spreadsheet set to French saves ``;``-separated CSV, with the header as typed."""
    semicolons = tmp_path / "chat.csv"
    semicolons.write_text(
        'Timestamp;User ;Text\n2024-03-04T08:00:00Z;nina;"Bonjour, qui vient samedi ?"\n',
        encoding="utf-8",
    )
    (message,) = load_history(semicolons).events()
    assert isinstance(message, MessageCreated)
    assert (message.author.name, message.text) == ("nina", "Bonjour, qui vient samedi ?")

    tabs = tmp_path / "chat.tsv"
    tabs.write_text("timestamp\tuser\ttext\n2024-03-04T08:00:00Z\tomar\tsalut\n")
    history = load_history(tabs)
    assert history.format == "csv"
    assert [event.text for event in history.events()] == ["salut"]  # type: ignore[attr-defined]


async def test_a_csv_replay_applies_the_rules(rules_dir: Path) -> None:
    report = await replay([FIXTURES / "history.csv"], rules_dir=rules_dir)
    caps = rule(report, "excessive_caps")
    assert caps["count"] == 1
    assert caps["actions"] == {"reply": 1}
    assert caps["examples"][0]["member"] == "paul"
    assert report.sanctions[0]["warnings"] == 0
    # A rule that only replies has acted on the message all the same.
    assert [day["acted_on"] for day in report.activity] == [1]


async def test_a_rule_on_trial_is_reported_apart_and_changes_nothing(rules_dir: Path) -> None:
    """The way the book says to try a rule first: ``dry_run: true``, then replay the history."""
    section = rules_dir / "netiquette.yaml"
    book = yaml.safe_load(section.read_text(encoding="utf-8"))
    book["rules"]["insults"]["dry_run"] = True
    section.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")

    report = await replay([DISCORD], rules_dir=rules_dir)

    insults = rule(report, "insults")
    assert insults["dry_run"] is True
    assert insults["count"] == 3
    assert insults["actions"] == {"delete, reply, warn": 3}
    assert insults["examples"][0]["text"] == "you are an idiot, tomatoes are boring"
    assert insults["examples"][2]["matched"] == "match_words: word “shut up”"
    invites = rule(report, "invite_links")
    assert invites["dry_run"] is False
    assert report.rules[0] is invites  # the enforced rules come first
    # Nothing was done for the insults: one case (the invite), no warning, no ladder.
    (troll,) = report.sanctions
    assert (troll["cases"], troll["warnings"], troll["timeouts"]) == (1, 0, [])
    assert [day["acted_on"] for day in report.activity] == [1, 0]
    text = report.render()
    assert "  insults (dry run, only logged): 3 — would delete, reply, warn ×3" in text
    assert "  invite_links: 1 — delete, reply ×1" in text


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "JARDINIER_RULES")
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
        timeout=120,
    )


def test_the_command_prints_the_report_and_writes_json(tmp_path: Path, rules_dir: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(
        "replay",
        str(DISCORD),
        str(TELEGRAM),
        "--rules",
        str(rules_dir),
        "--json",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "insults: 4" in result.stdout
    assert "Top contributors in Jardin Partagé" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["communities"]["discord-900000000000000001"] == "Jardin Partagé"
    assert data["rules"][0]["dry_run"] is False
    assert data["totals"]["messages"] == 14
    assert data["rules"][0]["rule"] == "insults"
    assert data["newcomers"]["welcomed"] == ["Marc", "Zoé"]
    # Not a terminal: no progress bar on stderr. Nothing written anywhere but the report.
    assert "event/s" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_command_fails_clearly_on_a_truncated_file(tmp_path: Path) -> None:
    truncated = FIXTURES / "discord_truncated.json"
    result = run_cli("replay", str(truncated), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{truncated}:252:8: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_text_report_never_lets_control_characters_reach_the_terminal(
    rules_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "chat.csv"
    hostile = "you idiot \x1b]0;PWNED\x07\x1b[2K"
    path.write_text(
        "timestamp,user,text\n"
        f'2024-01-01T10:00:00,"\x1b[31mmallory\x1b[0m","{hostile}"\n'
        '2024-01-01T10:01:00,"bob\nFAKE: line",thanks you idiot\n',
        encoding="utf-8",
    )
    report = await replay([path], rules_dir=rules_dir)

    text = report.render()
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\\x1b[31mmallory\\x1b[0m: “you idiot \\x1b]0;PWNED\\x07\\x1b[2K”" in text
    assert "FAKE: line" in text
    assert "\nFAKE" not in text  # a name's newline forges no line of the report
    # The JSON report keeps the texts as the export wrote them.
    assert rule(report, "insults")["examples"][0]["text"] == hostile
    assert json.dumps(report.as_json()).count("\\u001b") >= 2


def test_a_long_history_lists_the_most_sanctioned_members_tallied() -> None:
    """Months of history: a line per member with repeats counted, the fifteen most-cased first."""
    sanction = {"warnings": 0, "escalations": [], "timeouts": [], "kicks": 0, "bans": 0}
    busiest = {
        **sanction,
        "member": "Troll",
        "cases": 40,
        "warnings": 12,
        "timeouts": ["1h", "1h", "1d", "1h"],
        "bans": 2,
        "escalations": ["timeout", "timeout", "ban"],
    }
    others = [{**sanction, "member": f"m{n}", "cases": 1} for n in range(20)]
    report = ReplayReport(
        files=[],
        totals={"messages": 0, "joins": 0, "reactions": 0, "first": "", "last": ""},
        rules=[],
        sanctions=[busiest, *others],
        newcomers={"joined": 0, "welcomed": [], "welcome_messages": 0},
        contributors={},
    )
    lines = report.render().splitlines()
    assert (
        "  Troll: 40 cases, 12 warnings, timeout 1h ×3, timeout 1d, ban ×2, "
        "ladder: timeout ×2, ladder: ban"
    ) in lines
    assert "  m13: 1 case, 0 warnings" in lines
    assert "  m14: 1 case, 0 warnings" not in lines
    assert "  … and 6 more members (all of them with --json)" in lines


def test_the_json_report_can_go_to_stdout_and_a_bad_path_fails_first(tmp_path: Path) -> None:
    piped = run_cli("replay", str(TELEGRAM), "--json", "-", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["totals"]["messages"] == 4  # the JSON alone, for jq
    assert not (tmp_path / "-").exists()

    nowhere = tmp_path / "missing" / "report.json"
    failed = run_cli("replay", str(TELEGRAM), "--json", str(nowhere), cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        f"{nowhere}: cannot write the JSON report: no folder {nowhere.parent}"
    )
    assert failed.stdout == ""  # refused before the replay ran


def test_the_json_report_never_replaces_a_file_it_replays(tmp_path: Path) -> None:
    """Telegram Desktop names its export result.json: ``--json result.json`` is an easy slip."""
    export = tmp_path / "result.json"
    export.write_bytes(TELEGRAM.read_bytes())
    (tmp_path / "link.json").symlink_to(export)
    (tmp_path / "sub").mkdir()
    for target in ("result.json", "./result.json", "link.json", "sub/../result.json"):
        refused = run_cli("replay", "result.json", "--json", target, cwd=tmp_path)
        assert refused.returncode == 1, target
        assert refused.stderr.strip() == (
            f"{Path(target)}: cannot write the JSON report there: it would replace result.json, "
            "which is replayed; name another file (--json report.json)"
        )
        assert refused.stdout == ""  # refused before the replay ran
    assert export.read_bytes() == TELEGRAM.read_bytes()


def test_the_examples_of_a_rule_show_what_else_it_found() -> None:
    """A thousand “idiot” must not hide the one listed word that caught a harmless message."""
    examples: list[Example] = []
    start = datetime(2024, 3, 4, tzinfo=UTC)
    found = ["idiot"] * 5 + ["moron", "idiot", "idiot", "cretin", "moron"]
    for minute, word in enumerate(found):
        example = Example(start + timedelta(minutes=minute), "troll", "#general", word, word)
        keep_example(examples, example)
    assert [(example.matched, example.at.minute) for example in examples] == [
        ("idiot", 0),
        ("moron", 5),
        ("cretin", 8),
    ]


def test_the_replay_state_can_be_kept_in_a_file_named_by_its_path(tmp_path: Path) -> None:
    kept = run_cli("replay", str(TELEGRAM), "--database", "replay.db", cwd=tmp_path)
    assert kept.returncode == 0, kept.stderr
    # The replay played into that file: the export's group and its members are in it.
    with closing(sqlite3.connect(tmp_path / "replay.db")) as kept_db:
        communities = kept_db.execute("SELECT platform, external_id, name FROM communities")
        assert communities.fetchall() == [("telegram", "-1001987654321", "Les Potagers")]
        members = kept_db.execute("SELECT user_id, name FROM members WHERE user_id LIKE '500%'")
        assert sorted(members.fetchall()) == [("5001", "Marc"), ("5002", "Léa"), ("5003", "Kévin")]

    wrong = run_cli("replay", str(TELEGRAM), "--database", "postgresql://::", cwd=tmp_path)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("--database is not a database URL")


def test_a_database_url_without_its_scheme_is_refused_not_made_a_folder(tmp_path: Path) -> None:
    secret_url = "bob:S3cretPw@127.0.0.1:1/garden"
    refused = run_cli("replay", str(TELEGRAM), "--database", secret_url, cwd=tmp_path)
    assert refused.returncode == 1
    assert "looks like a database URL without its scheme" in refused.stderr
    assert "S3cretPw" not in refused.stderr
    assert not any("S3cretPw" in path.name for path in tmp_path.rglob("*"))
