"""The console community end to end: real core, real cogs, a database on disk."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.console import adapter, saving
from bot.adapters.console.adapter import ConsolePlatform
from bot.adapters.console.output import ConsoleOutput
from bot.adapters.console.session import run_console
from bot.clock import ManualClock
from bot.events import ButtonPressed, Event, MessageCreated, UserRef
from bot.localtime import local_time
from bot.platform import Button
from tests.support.rulebook import edit_section, enable_only


async def play(
    lines: list[str], rules_dir: Path, database: Path, *, jsonl: bool = True
) -> tuple[list[dict[str, Any]] | str, str]:
    output, errors = io.StringIO(), io.StringIO()
    await run_console(
        rules_dir=rules_dir,
        database_url=f"sqlite:///{database}",
        input=io.StringIO("".join(line + "\n" for line in lines)),
        output=output,
        jsonl=jsonl,
        files_dir=database.parent / "files",
        errors=errors,
    )
    if not jsonl:
        return output.getvalue(), errors.getvalue()
    return [json.loads(line) for line in output.getvalue().splitlines()], errors.getvalue()


def actions(records: Any) -> list[dict[str, Any]]:
    return [record for record in records if "action" in record]


async def test_help_is_one_send_listing_the_commands(rules_dir: Path, tmp_path: Path) -> None:
    records, errors = await play(["alice: /help"], rules_dir, tmp_path / "j.db")
    [send] = actions(records)
    assert send["action"] == "send"
    assert send["channel"] == "#general"
    assert "/help [command]" in send["text"]
    assert errors == ""


async def test_members_messages_are_numbered_and_replies_point_at_them(
    rules_dir: Path, tmp_path: Path
) -> None:
    # Only the members' own messages here: no welcome cog greeting alice or carol.
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("  - welcome\n", ""))
    records, _ = await play(
        ["+alice", "alice: hello", "bob ^1: hi alice", "#intros carol: I'm Carol", "alice: /x"],
        rules_dir,
        tmp_path / "j.db",
    )
    messages = [record for record in records if record.get("event") == "message"]
    assert [(m["message_id"], m["channel"], m["member"]) for m in messages] == [
        (1, "#general", "alice"),
        (2, "#general", "bob"),
        (3, "#intros", "carol"),
        (4, "#general", "alice"),
    ]
    assert messages[1]["reply_to"] == 1
    [answer] = actions(records)
    assert answer["message_id"] == 5
    assert answer["reply_to"] == 4


async def test_moderators_from_the_rule_book_may_run_moderator_commands(
    rules_dir: Path, tmp_path: Path
) -> None:
    records, _ = await play(
        ["alice: /announce 1h Party!", "mod: /announce 1h Party!"], rules_dir, tmp_path / "j.db"
    )
    refused, accepted = actions(records)
    assert refused["text"] == "Sorry, /announce is for moderators."
    assert refused["private_to"] == "alice"
    assert accepted["text"].startswith("Announcement ")


async def test_a_job_scheduled_in_one_run_fires_exactly_once_in_the_next(
    rules_dir: Path, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    await play(["mod: /announce 2h The contest opens!"], rules_dir, database)

    records, _ = await play(["!wait 1h", "!wait 2h"], rules_dir, database)
    posted = [a for a in actions(records) if a.get("text") == "The contest opens!"]
    assert len(posted) == 1
    assert posted[0]["channel"] == "#general"

    records, _ = await play(["!wait 3h", "mod: /announcements"], rules_dir, database)
    # The session runs on the wall clock: a weekly report may fall due too, in its own channel.
    texts = [a["text"] for a in actions(records) if a["channel"] == "#general"]
    assert texts == ["No announcement is pending."]


async def test_message_numbers_continue_across_runs(rules_dir: Path, tmp_path: Path) -> None:
    database = tmp_path / "j.db"
    await play(["alice: one", "alice: two"], rules_dir, database)
    records, _ = await play(["alice: three"], rules_dir, database)
    assert records[0]["message_id"] == 3


async def test_bad_lines_are_reported_and_the_console_goes_on(
    rules_dir: Path, tmp_path: Path
) -> None:
    records, errors = await play(
        ["what is this", "!wait forever", "alice: /help"], rules_dir, tmp_path / "j.db"
    )
    assert "line 1: not understood" in errors
    assert "line 2: 'forever' is not a duration" in errors
    assert len(actions(records)) == 1


async def test_a_wait_too_long_is_refused_and_the_console_goes_on(
    rules_dir: Path, tmp_path: Path
) -> None:
    records, errors = await play(
        ["!wait 999999w", "!wait 53w", "!wait 1d", "alice: /help"], rules_dir, tmp_path / "j.db"
    )
    assert errors.splitlines() == [
        "line 1: '999999w' is too long; write at most 52w",
        "line 2: '53w' is too long; write at most 52w",
    ]
    assert actions(records)[-1]["text"].startswith("Commands")


async def test_readable_output_never_lets_control_characters_reach_the_terminal(
    rules_dir: Path, tmp_path: Path
) -> None:
    text, _ = await play(
        ["alice: red \x1b[31malert\x07 at 50\xa0%"], rules_dir, tmp_path / "j.db", jsonl=False
    )
    assert "\x1b" not in text
    assert "\\x1b[31malert\\x07" in text
    assert "at 50\xa0%" in text  # a no-break space is a space, not a control character


async def test_attachments_are_written_to_disk_and_reported(tmp_path: Path) -> None:
    output = io.StringIO()
    console = ConsolePlatform(
        input=io.StringIO(),
        output=ConsoleOutput(output, jsonl=True),
        clock=ManualClock(datetime(2026, 11, 2, tzinfo=UTC)),
        files_dir=tmp_path / "files",
    )
    chart = tmp_path / "work" / "activity.png"
    chart.parent.mkdir()
    chart.write_bytes(b"\x89PNG chart")
    await console.send(console.channel("reports"), "Weekly report", file=chart)
    record = json.loads(output.getvalue())
    assert record["action"] == "send"
    assert record["channel"] == "#reports"
    kept = Path(record["file"])
    assert kept == tmp_path / "files" / "activity.png"
    assert kept.read_bytes() == b"\x89PNG chart"


async def test_a_translated_command_name_works_like_the_command(
    rules_dir: Path, tmp_path: Path
) -> None:
    records, _ = await play(
        ["alice: /aide", "mod: /annonce 1h Fête !"], rules_dir, tmp_path / "j.db"
    )
    help_answer, scheduled = actions(records)
    assert help_answer["text"].startswith("Commands you can use")
    assert scheduled["text"].startswith("Announcement ")


async def test_a_french_name_typed_with_its_accents_or_in_capitals_runs_the_command(
    rules_dir: Path, tmp_path: Path
) -> None:
    """The declared names have no accents (/debannir); French speakers type them all the same."""
    edit_section(rules_dir, "community", {"locale": "fr", "cogs": ["netiquette"]})
    lines = [
        "+bob",
        "mod: /bannir @bob spam",
        "mod: /débannir bob",
        "mod: /DÉBANNIR bob",
        "mod: /aide débannir",
        "mod: /Mes_Données",
        "mod: /éteindre",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors == ""
    answers = [a["text"] for a in actions(records) if a.get("channel") == "#general"]
    assert answers[0] == "Dossier 1\u00a0: bannissement pour bob."
    assert answers[2].startswith("bob n'est pas banni")  # the second /débannir: nothing to lift
    assert answers[1:2] + answers[3:] == [
        "Sanction levée pour bob\u00a0: bannissement.",
        "/debannir <membre>\nLever le bannissement d'un membre.",
        "Je vous ai envoyé en privé ce que je garde sur vous ici.",
        "Je ne connais pas /éteindre. Tapez /aide pour voir les commandes disponibles.",
    ]


async def test_mydata_shows_the_direct_message_and_keeps_its_file(
    rules_dir: Path, tmp_path: Path
) -> None:
    text, errors = await play(
        ["alice: Has anyone tried companion planting this year?", "alice: /mydata"],
        rules_dir,
        tmp_path / "j.db",
        jsonl=False,
    )
    kept = tmp_path / "files" / "data-console-console-alice.json"
    assert "✉ Jardinier → alice (direct message): Everything Jardinier keeps about alice" in text
    assert f"📎 {kept}" in text
    assert "I sent you what I keep about you here, in a private message." in text
    exported = json.loads(kept.read_text(encoding="utf-8"))
    assert exported["data"]["member"]["name"] == "alice"
    assert errors == ""


async def test_the_platform_refuses_silenced_banned_and_departed_members(
    rules_dir: Path, tmp_path: Path
) -> None:
    lines = [
        "mod: /timeout @alice 1h spam",
        "alice: still here?",
        "alice +👍 1",
        "!wait 61m",
        "alice: back",
        "mod: /ban @alice trolling",
        "+alice",
        "mod: /unban alice",
        "+alice",
        "alice: hello again",
        "-bob",
        "bob: anyone?",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors == ""
    refused = [record for record in records if record.get("event") == "refused"]
    assert [(r["member"], r["why"]) for r in refused] == [
        ("alice", "silenced"),
        ("alice", "silenced"),
        ("alice", "banned"),
        ("bob", "not_member"),
    ]
    assert datetime.fromisoformat(refused[0]["until"]).tzinfo is not None
    said = [r["text"] for r in records if r.get("event") == "message" and r["member"] != "mod"]
    assert said == ["back", "hello again"]

    text, _ = await play(lines[:2], rules_dir, tmp_path / "k.db", jsonl=False)
    assert "✗ alice is silenced until " in str(text)


async def test_what_the_platform_enforces_is_kept_across_runs(
    rules_dir: Path, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    await play(
        ["+alice", "+bob", "mod: /timeout @alice 1h spam", "mod: /ban @bob trolling", "-carol"],
        rules_dir,
        database,
    )

    records, errors = await play(
        [
            "alice: let me out",
            "+bob",
            "carol: hello?",
            "!wait 61m",
            "alice: back",
            "mod: /unban bob",
        ],
        rules_dir,
        database,
    )
    assert errors == ""
    refused = [(r["member"], r["why"]) for r in records if r.get("event") == "refused"]
    assert refused == [("alice", "silenced"), ("bob", "banned"), ("carol", "not_member")]
    said = [r["text"] for r in records if r.get("event") == "message" and r["member"] != "mod"]
    assert said == ["back"]

    records, _ = await play(["+bob", "bob: thanks"], rules_dir, database)
    assert [r for r in records if r.get("event") == "refused"] == []
    assert [r["text"] for r in records if r.get("member") == "bob"] == ["thanks"]


async def test_an_unreadable_saved_standing_leaves_everyone_free(
    rules_dir: Path, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    await play(["mod: /timeout @alice 1h spam"], rules_dir, database)
    with sqlite3.connect(database) as connection:
        changed = connection.execute(
            "UPDATE core_state SET value = '{not json' WHERE key = 'console:standing'"
        )
        assert changed.rowcount == 1
    records, errors = await play(["alice: free again"], rules_dir, database)
    assert errors == ""
    assert [r["text"] for r in records if r.get("member") == "alice"] == ["free again"]


async def test_a_kick_or_a_ban_is_a_departure_as_on_discord_and_telegram(
    rules_dir: Path, tmp_path: Path
) -> None:
    """The bot hears of a member it removed as of one who left: they are no longer counted."""
    edit_section(rules_dir, "community", {"cogs": ["netiquette", "welcome"]})
    count = "{member}, one of {member_count:one=# member|other=# members}."
    edit_section(rules_dir, "welcome", {"texts": {"en": {"welcome": count}}})
    lines = [
        "+alice",
        "+bob",
        "mod: /kick @alice spam",
        "mod: /ban @bob trolling",
        "mod: /ban @bob again",
        "+carol",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors == ""
    welcomes = [a["text"] for a in actions(records) if a.get("channel") == "#general"]
    assert welcomes[-1] == "carol, one of 2 members."  # the moderator and carol
    with sqlite3.connect(tmp_path / "j.db") as connection:
        left = dict(connection.execute("SELECT user_id, left_at IS NOT NULL FROM members"))
    assert left == {"alice": 1, "bob": 1, "carol": 0, "mod": 0}


async def test_the_console_counts_its_members_of_every_run(
    rules_dir: Path, tmp_path: Path
) -> None:
    """The console's members all act before the bot, in this run or an earlier one: its count
    is theirs, not only this run's."""
    count = "{member}, one of {member_count:one=# member|other=# members}."
    edit_section(rules_dir, "welcome", {"texts": {"en": {"welcome": count}}})
    await play(["+alice", "bob: hello", "+carol", "-carol"], rules_dir, tmp_path / "j.db")
    records, errors = await play(["+dan"], rules_dir, tmp_path / "j.db")
    assert errors == ""
    welcomes = [a["text"] for a in actions(records) if a.get("channel") == "#general"]
    assert welcomes == ["dan, one of 3 members."]


async def test_a_timeout_or_a_kick_of_someone_not_here_is_refused_as_discord_refuses_it(
    rules_dir: Path, tmp_path: Path
) -> None:
    """Discord answers Unknown Member; a ban, even of someone gone or banned already, is done."""
    lines = [
        "+alice",
        "+bob",
        "-alice",
        "mod: /timeout @alice 1h spam",
        "mod: /kick @alice spam",
        "mod: /kick @bob spam",
        "mod: /timeout @bob 1h spam",
        "mod: /ban @alice trolling",
        "mod: /ban @alice again",
        "mod: /unban alice",
        "+alice",
        "alice: back",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors == ""
    done = [(a["action"], a["member"]) for a in actions(records) if a["action"] != "send"]
    assert [act for act in done if act[0] != "dm"] == [
        ("kick", "bob"),
        ("ban", "alice"),
        ("ban", "alice"),
        ("unban", "alice"),
    ]
    answers = [a["text"] for a in actions(records) if a.get("private_to") == "mod"]
    assert answers[:4] == [
        "Case 1 is recorded, but timeout failed: alice is no longer a member of Console.",
        "Case 2 is recorded, but kick failed: alice is no longer a member of Console.",
        "Case 3: kick for bob.",
        "Case 4 is recorded, but timeout failed: bob is no longer a member of Console.",
    ]
    assert answers[4:6] == ["Case 5: ban for alice.", "Case 6: ban for alice."]
    # The refused timeout silenced no one: alice, back, may post.
    assert [r for r in records if r.get("event") == "refused"] == []
    assert [r["text"] for r in records if r.get("member") == "alice" and "event" in r] == ["back"]


async def test_a_member_edits_only_their_own_messages_still_there(
    rules_dir: Path, tmp_path: Path
) -> None:
    lines = [
        "alice: hello",  # 1
        "bob ~1: you idiot",  # another's message: the bot must not delete alice's words
        "alice: /help",  # 2, answered by the bot as 3
        "alice ~3: my help now",
        "alice ~99: nothing there",
        "alice: you idiot",  # 4, deleted by the bot (a reminder 5, a mod-log line 6)
        "alice ~4: you genius",
        "alice: tpyo",  # 7
        "!delete 7",
        "alice ~7: typo",
        "alice ~1: hello all",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors.splitlines() == [
        "line 2: bob cannot edit message 1: alice wrote it, and a member edits only their own "
        "messages; nothing was edited",
        "line 4: alice cannot edit message 3: Jardinier wrote it, and a member edits only their "
        "own messages; nothing was edited",
        "line 5: there is no message 99; nothing was edited",
        "line 7: message 4 was deleted; nothing was edited",
        "line 10: message 7 was deleted; nothing was edited",
    ]
    edited = [
        (r["message_id"], r["member"], r["text"])
        for r in records
        if r.get("event") == "message" and r["text"].startswith("(edited)")
    ]
    assert edited == [(1, "alice", "(edited) hello all")]
    assert [a["message_id"] for a in actions(records) if a["action"] == "delete"] == [4]
    warned = [a["member"] for a in actions(records) if a["action"] == "dm"]
    assert warned == ["alice"]


async def test_an_edit_of_a_message_the_console_forgot_is_refused(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Authors are remembered for the latest messages only, and not across runs."""
    monkeypatch.setattr(adapter, "MAX_MESSAGES_REMEMBERED", 2)
    database = tmp_path / "j.db"
    records, errors = await play(
        ["alice: one", "alice: two", "alice: three", "alice ~1: 1", "alice ~3: 3"],
        rules_dir,
        database,
    )
    forgotten = (
        "the console no longer knows who wrote message {} (a message of an earlier run, or "
        "older than the last 2); nothing was edited"
    )
    assert errors.splitlines() == ["line 4: " + forgotten.format(1)]
    assert [r["text"] for r in records if r.get("message_id") == 3] == ["three", "(edited) 3"]

    records, errors = await play(["alice ~3: three again"], rules_dir, database)
    assert errors.splitlines() == ["line 1: " + forgotten.format(3)]
    assert records == []


async def test_a_lift_with_nothing_to_lift_is_refused_as_discord_refuses_it(
    rules_dir: Path, tmp_path: Path
) -> None:
    """Discord answers Unknown Ban and Unknown Member: the moderator reads that there is nothing
    to lift, and no case is recorded. A member who left silenced is freed all the same."""
    lines = [
        "+bob",
        "+carol",
        "-carol",
        "+dan",
        "mod: /unban bob",
        "mod: /untimeout carol",
        "mod: /cases bob",
        "mod: /cases carol",
        "mod: /timeout @dan 1h spam",
        "-dan",
        "mod: /untimeout dan",
        "mod: /ban @bob trolling",
        "mod: /unban bob",
        "+bob",
        "bob: back",
        "+dan",
        "dan: me too",
    ]
    records, errors = await play(lines, rules_dir, tmp_path / "j.db")
    assert errors == ""
    answers = [a["text"] for a in actions(records) if a.get("private_to") == "mod"]
    assert answers == [
        "bob is not banned: there is nothing to lift.",
        "carol has no timeout: there is nothing to lift.",
        "bob has no case.",
        "carol has no case.",
        "Case 1: timeout for dan.",
        "The timeout of dan is lifted.",
        "Case 3: ban for bob.",
        "The ban of bob is lifted.",
    ]
    done = [(a["action"], a["member"]) for a in actions(records) if a["action"] != "send"]
    assert [act for act in done if act[0] != "dm"] == [
        ("timeout", "dan"),
        ("unrestrict", "dan"),
        ("ban", "bob"),
        ("unban", "bob"),
    ]
    modlog = [a["text"] for a in actions(records) if a.get("channel") == "#mod-log"]
    assert [line for line in modlog if "⚠️" in line] == []
    assert [
        r["text"] for r in records if r.get("event") == "message" and r["member"] != "mod"
    ] == [
        "back",
        "me too",
    ]


async def test_a_button_is_pressed_by_its_id_or_its_last_part_and_only_under_its_message(
    rules_dir: Path, tmp_path: Path
) -> None:
    """As a platform delivers only the press of a button that is there, the console refuses the
    others on stderr, listing the message's buttons; the bot sees nothing of them."""
    enable_only(rules_dir, "welcome", "contests")
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "role": "Members"}})
    lines = [
        "+alice",  # 1: the welcome, [welcome:accept]
        "alice [accept] 1",  # 2: thanks
        "mod: /giveaway seeds 1 1h",  # 3, the giveaway 4 ([giveaway:1]), the answer 5
        "bob [giveaway:1] 3",
        "bob [accept] 4",
        "bob [1] 4",  # 6: bob is in
        "carol [giveaway:1] 4",  # 7: carol is in
        "-carol",
        "carol [giveaway:1] 4",
        "alice [enter] 4",
        "dan [giveaway:1] 99",
    ]
    database = tmp_path / "j.db"
    records, errors = await play(lines, rules_dir, database)
    assert errors.splitlines() == [
        "line 4: message 3 has no buttons; nothing was pressed",
        "line 5: message 4 has no button [accept]; its buttons: [giveaway:1] Enter; "
        "nothing was pressed",
        "line 10: message 4 has no button [enter]; its buttons: [giveaway:1] Enter; "
        "nothing was pressed",
        "line 11: there is no message 99; nothing was pressed",
    ]
    answers = [
        (a["message_id"], a["private_to"], a["text"])
        for a in actions(records)
        if a.get("private_to") in ("alice", "bob", "carol")
    ]
    assert answers == [
        (2, "alice", "Thank you alice, welcome aboard! You can now post."),
        (6, "bob", "You are in giveaway 1 (seeds). Good luck!"),
        (7, "carol", "You are in giveaway 1 (seeds). Good luck!"),
    ]
    refused = [(r["member"], r["why"]) for r in records if r.get("event") == "refused"]
    assert refused == [("carol", "not_member")]  # one who left sees no button to press

    # The next run knows the giveaway's number, not its buttons: its full id still works.
    records, errors = await play(["alice [1] 4", "alice [giveaway:1] 4"], rules_dir, database)
    assert errors.splitlines() == [
        "line 1: the console no longer knows the buttons of message 4 (a message of an earlier "
        "run, or older than the last 10,000); write the button's full id, as printed under the "
        "message (e.g. [welcome:accept]); nothing was pressed"
    ]
    [entered] = actions(records)
    assert entered["text"] == "You are in giveaway 1 (seeds). Good luck!"


async def test_a_short_button_name_that_fits_several_buttons_is_refused(tmp_path: Path) -> None:
    output, errors = io.StringIO(), io.StringIO()
    console = ConsolePlatform(
        input=io.StringIO("alice [up] 1\nalice [b:up] 1\nalice [down] 1\n"),
        output=ConsoleOutput(output, jsonl=True),
        clock=ManualClock(datetime(2026, 11, 2, tzinfo=UTC)),
        files_dir=tmp_path / "files",
        errors=errors,
    )
    await console.send(
        console.channel("general"), "Which?", buttons=[Button("a:up", "A"), Button("b:up", "B")]
    )
    pressed: list[ButtonPressed] = []

    async def sink(event: Event) -> None:
        assert isinstance(event, ButtonPressed)
        pressed.append(event)

    await console.start(sink)
    assert errors.getvalue().splitlines() == [
        "line 1: [up] names several buttons of message 1: [a:up] A, [b:up] B; write the full "
        "id; nothing was pressed",
        "line 3: message 1 has no button [down]; its buttons: [a:up] A, [b:up] B; nothing was "
        "pressed",
    ]
    assert [(event.member.name, event.button_id) for event in pressed] == [("alice", "b:up")]


async def test_a_reply_names_the_author_of_the_message_it_answers(tmp_path: Path) -> None:
    """As Telegram and Discord do: the author of a message of this run, the bot flagged as a
    bot; nobody for a message the console no longer knows."""
    console = ConsolePlatform(
        input=io.StringIO("alice: hello\nbob ^1: hi\nbob ^2: thanks bot\ncarol ^3: hi alice\n"),
        output=ConsoleOutput(io.StringIO(), jsonl=True),
        clock=ManualClock(datetime(2026, 11, 2, tzinfo=UTC)),
        files_dir=tmp_path / "files",
        errors=io.StringIO(),
    )
    console.next_message_id = 2  # message 1 was posted in an earlier run
    await console.send(console.channel("general"), "Hello from the bot")  # message 2
    posted: list[MessageCreated] = []

    async def sink(event: Event) -> None:
        if isinstance(event, MessageCreated):
            posted.append(event)

    await console.start(sink)
    authors = [event.reply_to_author for event in posted]
    assert authors[0] is None  # alice's message 3 replies to nothing
    assert authors[1] is None  # a reply to the forgotten message 1
    assert authors[2] is not None  # a reply to the bot's message 2: a bot's
    assert authors[2].is_bot
    assert authors[3] == UserRef("console", "alice")  # a reply to alice's message 3


async def test_a_line_aimed_at_a_message_that_is_not_there_is_refused(
    rules_dir: Path, tmp_path: Path
) -> None:
    """A number no message had yet, or a deleted message: nothing happens, the session goes on.
    A message the console forgot (from an earlier run) is still there for all it knows."""
    enable_only(rules_dir, "contributors")
    database = tmp_path / "j.db"
    lines = [
        "alice: hello",  # 1
        "!delete 999",
        "alice [up] 99",
        "alice +👍 99",
        "alice -👍 99",
        "alice ^99: reply to nothing",
        "alice ^0: reply to nothing",
        "!delete 1",
        "bob +👍 1",
        "bob ^1: hi alice",
        "!delete 1",
        "!wait",
        "!channel",
        "bob: still here",  # 2
    ]
    records, errors = await play(lines, rules_dir, database)
    assert errors.splitlines() == [
        "line 2: there is no message 999; nothing was deleted",
        "line 3: there is no message 99; nothing was pressed",
        "line 4: there is no message 99; no reaction was added",
        "line 5: there is no message 99; no reaction was taken back",
        "line 6: there is no message 99; nothing was posted",
        "line 7: there is no message 0; nothing was posted",
        "line 9: message 1 was deleted; no reaction was added",
        "line 10: message 1 was deleted; nothing was posted",
        "line 11: message 1 was deleted; nothing was deleted",
        "line 12: missing duration; write e.g. !wait 2h",
        "line 13: missing channel name; write e.g. !channel #intros",
    ]
    said = [(r["message_id"], r["text"]) for r in records if r.get("event") == "message"]
    assert said == [(1, "hello"), (2, "still here")]

    records, errors = await play(["bob: one", "bob +👍 3", "alice ^3: two"], rules_dir, database)
    assert errors == ""
    said = [(r["message_id"], r["text"]) for r in records if r.get("event") == "message"]
    assert said == [(3, "one"), (4, "two")]


async def test_refusals_write_their_times_in_the_communitys_zone(
    rules_dir: Path, tmp_path: Path
) -> None:
    """As the bot's own messages do: "silenced until 2026-11-21 19:34 JST", not in UTC."""
    edit_section(rules_dir, "community", {"timezone": "Asia/Tokyo"})
    text, _ = await play(
        ["mod: /timeout @alice 1h spam", "alice: hi"], rules_dir, tmp_path / "j.db", jsonl=False
    )
    [until] = re.findall(r"⚙ timeout member=alice until=(\S+)", str(text))
    shown = local_time(datetime.fromisoformat(until), ZoneInfo("Asia/Tokyo"))
    assert shown.endswith(" JST")
    assert f"✗ alice is silenced until {shown}: the platform refuses this" in str(text)


@pytest.mark.parametrize(("role", "reaches_the_bot"), [("Members", True), (None, False)])
async def test_a_newcomer_at_the_gate_is_held_as_on_the_platform_the_console_plays(
    rules_dir: Path, tmp_path: Path, role: str | None, reaches_the_bot: bool
) -> None:
    """With a role the console plays Discord, where nothing stops a newcomer's slash commands:
    the bot answers /charter and refuses /suggest. Without one it plays Telegram, where the gate
    restricts newcomers (no permissions), and a restricted member sends nothing in the group,
    commands included, until the button (which they may press) lets them in."""
    enable_only(rules_dir, "welcome", "suggestions")
    edit_section(rules_dir, "welcome", {"gate": {"enabled": True, "role": role}})
    lines = ["+alice", "alice: /charter", "alice: /suggest more seeds", "alice [accept] 1"]
    records, errors = await play([*lines, "alice: /charter"], rules_dir, tmp_path / "j.db")
    assert errors == ""
    answers = [a["text"].split(":")[0] for a in actions(records) if a.get("reply_to")]
    refused = [r["why"] for r in records if r.get("event") == "refused"]
    if reaches_the_bot:
        assert answers == [
            "Our charter for Console",
            "alice, please accept the charter first",
            "Our charter for Console",
        ]
        assert refused == []
    else:
        assert answers == ["Our charter for Console"]  # once she accepted
        assert refused == ["silenced", "silenced"]


class InputBeside(io.StringIO):
    """Console input with something done beside the bot, in the reading thread: ``first`` before
    the first line is read, ``last`` before the input ends, once ``answered(output)`` holds (or
    after ``within`` seconds, far more than the bot needs)."""

    def __init__(
        self,
        lines: list[str],
        output: io.StringIO,
        answered: Callable[[str], bool],
        *,
        first: Callable[[], object] = lambda: None,
        last: Callable[[str], object] = lambda seen: None,
        within: float = 15,
    ) -> None:
        super().__init__()
        self._lines = [line + "\n" for line in lines]
        self._output = output
        self._answered = answered
        self._first: Callable[[], object] | None = first
        self._last: Callable[[str], object] | None = last
        self._within = within

    def readline(self, size: int | None = -1) -> str:
        if self._first is not None:
            self._first()
            self._first = None
        if self._lines:
            return self._lines.pop(0)
        if self._last is not None:
            deadline = time.monotonic() + self._within
            while not self._answered(self._output.getvalue()) and time.monotonic() < deadline:
                time.sleep(0.02)
            self._last(self._output.getvalue())
            self._last = None
        return ""


def numbers_in(output: str) -> list[int]:
    """The numbers of the messages the output shows, members' and the bot's."""
    records = [json.loads(line) for line in output.splitlines()]
    return [
        record["message_id"]
        for record in records
        if record.get("event") == "message" or record.get("action") == "send"
    ]


@pytest.mark.parametrize("refused", [False, True], ids=["writes-wait", "writes-refused"])
async def test_lines_are_answered_while_another_process_holds_the_database(
    rules_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    refused: bool,
) -> None:
    """A backup or a sqlite3 shell holding the write lock does not freeze the session: the
    console's own saves (message numbers, clock, standing) never make a line wait. They are
    written once the lock is released, even those the database refused meanwhile."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(seconds=0.1 if refused else 30))
    monkeypatch.setattr("bot.state.LOCKED_RETRIES", ())
    database = tmp_path / "j.db"
    await play(["alice: first run", "bob: me too"], rules_dir, database)  # the community is known
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    output = io.StringIO()
    seen_while_held: list[str] = []

    def hold() -> None:
        holder.execute("BEGIN IMMEDIATE")

    def answered(out: str) -> bool:
        # Refused: once the standing saved for bob's departure was refused, not only delayed.
        standing_refused = "could not save console:standing" in caplog.text
        return len(numbers_in(out)) >= 5 and (standing_refused or not refused)

    def release(seen: str) -> None:
        seen_while_held.append(seen)
        holder.execute("COMMIT")
        holder.close()

    lines = ["alice: hello", "bob: hi alice", "!wait 1m", "alice: /help", "-bob", "alice: bye"]
    await run_console(
        rules_dir=rules_dir,
        database_url=f"sqlite:///{database}",
        input=InputBeside(lines, output, answered, first=hold, last=release),
        output=output,
        jsonl=True,
        files_dir=tmp_path / "files",
        errors=io.StringIO(),
    )
    # Answered within the window, while the lock was held: none waited out the busy timeout.
    assert numbers_in(seen_while_held[0]) == [3, 4, 5, 6, 7]  # /help's answer is 6
    assert numbers_in(output.getvalue()) == [3, 4, 5, 6, 7]
    assert ("could not save console:standing" in caplog.text) is refused

    records, _ = await play(["alice: again", "bob: back?"], rules_dir, database)
    assert records[0]["message_id"] == 8  # the exact next number, saved at the end
    assert records[1] == {"event": "refused", "member": "bob", "why": "not_member"}


async def test_message_numbers_never_repeat_after_a_kill(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database holds a number above every one handed out at every moment, so a run killed
    without stopping (its database copied as it was) never makes the next reuse a number."""
    monkeypatch.setattr(saving, "RESERVED_NUMBERS", 4)  # several reserves used up in the run
    database, killed = tmp_path / "j.db", tmp_path / "killed.db"
    output = io.StringIO()

    def copy_as_killed(seen: str) -> None:
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(killed)) as to:
            source.backup(to)

    lines = [f"member{n}: message {n}" for n in range(1, 11)]  # none floods
    await run_console(
        rules_dir=rules_dir,
        database_url=f"sqlite:///{database}",
        input=InputBeside(
            lines, output, lambda out: len(numbers_in(out)) >= 10, last=copy_as_killed
        ),
        output=output,
        jsonl=True,
        files_dir=tmp_path / "files",
        errors=io.StringIO(),
    )
    assert numbers_in(output.getvalue()) == list(range(1, 11))

    records, _ = await play(["alice: after the kill"], rules_dir, killed)
    assert records[0]["message_id"] > 10
    records, _ = await play(["alice: after a stop"], rules_dir, database)
    assert records[0]["message_id"] == 11  # a stopped run saves its exact next number
