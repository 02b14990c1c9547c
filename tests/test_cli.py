"""The ``jardinier`` command line, run as a person runs it."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from bot.cli import app, rules_directory
from bot.migrate import current_heads
from bot.resources import shipped_rules_directory
from tests.support.waiting import wait_until

TELEGRAM_OFFLINE = {"TELEGRAM_TOKEN": "123:TEST", "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
"""A Telegram bot that never gets as far as the network (port 9 answers nothing)."""


def environment(cwd: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without tokens nor rules, on ``cwd``'s ``data/test.db``, plus ``env``."""
    result = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "JARDINIER_RULES")
    }
    result["JARDINIER_DATABASE_URL"] = f"sqlite:///{cwd / 'data' / 'test.db'}"
    result.update(env or {})
    return result


def jardinier(
    *args: str, stdin: str = "", cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(cwd, env),
        timeout=120,
        check=False,
    )


def test_console_jsonl_help_then_exit_zero_at_end_of_input(tmp_path: Path) -> None:
    result = jardinier("console", "--jsonl", stdin="alice: /help\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    sends = [record for record in records if record.get("action") == "send"]
    assert len(sends) == 1
    assert "/help" in sends[0]["text"]


@pytest.mark.parametrize(
    "command",
    [(), ("run",), ("console",), ("replay",), ("check-rules",), ("init",), ("commands",)],
    ids=lambda command: " ".join(command) or "jardinier",
)
def test_help_shows_flags_as_flags(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = jardinier(*command, "--help", cwd=tmp_path, env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    assert "--help" in result.stdout
    # A flag takes no value: help that shows one sends people to type "--jsonl true".
    assert "<bool>" not in result.stdout, result.stdout


def test_replay_help_shows_the_files_as_an_argument(tmp_path: Path) -> None:
    result = jardinier("replay", "--help", cwd=tmp_path, env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert usage.split()[-3:] == ["replay", "[OPTIONS]", "FILES..."], usage
    assert "list[Path]" not in result.stdout
    assert "{files}" not in result.stdout
    assert "Exported histories: DiscordChatExporter JSON" in result.stdout


def test_run_without_tokens_in_a_terminal_starts_the_console(tmp_path: Path) -> None:
    primary, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=environment(tmp_path),
        )
        os.close(terminal)
        # What a person types, then Ctrl-D at the start of a line: the end of input.
        os.write(primary, b"alice: /nosuch\n\x04")
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(primary)
    assert process.returncode == 0, stderr
    assert "starting the console community" in stderr
    assert "I don't know /nosuch." in stdout


def test_run_without_tokens_and_without_a_terminal_refuses_the_console(tmp_path: Path) -> None:
    # A service whose env file did not load: no console on the production database, and a
    # failure its supervisor sees (and restarts).
    result = jardinier("run", stdin="alice: hi\n", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "No DISCORD_TOKEN or TELEGRAM_TOKEN set, and no terminal to run the console community "
        "in: set a token, or run `jardinier console` to read a pipe\n"
    )
    assert result.stdout == ""
    assert not (tmp_path / "data" / "test.db").exists()


def test_run_with_wrong_platform_settings_fails_clearly_without_the_token(
    tmp_path: Path,
) -> None:
    token = "MTIz.secret-discord-token-value"
    result = jardinier(
        "run", cwd=tmp_path, env={"DISCORD_TOKEN": token, "DISCORD_SHARDS": "plenty"}
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "DISCORD_SHARDS must be 'auto' or a number of shards such as 2, not 'plenty'"
    )
    assert token not in result.stderr + result.stdout


def test_check_rules_accepts_the_shipped_book(tmp_path: Path) -> None:
    result = jardinier("check-rules", str(shipped_rules_directory()), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the rule book is valid" in result.stdout


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("locale: en", "locale: 5"),
            "community.yaml:{line}:1: locale: Input should be a valid string, got 5",
        ),
        (
            ("locale: en", "locale: en\nlocal: fr"),
            "community.yaml:{next_line}:1: local: unknown key 'local'",
        ),
        (("  users: []", "   users: []"), "community.yaml:{line}:4: YAML syntax error"),
        (
            ("cogs:\n  - netiquette", "cogs: &c\n  - netiquette"),
            "community.yaml:{line}:7: cogs: anchors and aliases are not allowed",
        ),
    ],
    ids=["wrong type", "unknown key", "broken indentation", "anchor"],
)
def test_check_rules_names_file_line_and_column(
    rules_dir: Path, tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    community = rules_dir / "community.yaml"
    before, after = edit
    text = community.read_text()
    assert before in text
    # The line of the edit in the shipped book, which grows as cogs are added.
    line = text[: text.index(before)].count("\n") + 1
    community.write_text(text.replace(before, after, 1))
    result = jardinier("check-rules", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{community}:" in result.stderr
    assert expected.format(line=line, next_line=line + 1) in result.stderr, result.stderr


def test_check_rules_reports_every_error_of_every_file(rules_dir: Path, tmp_path: Path) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("timezone: Europe/Paris", "timezone: 3"))
    announcements = rules_dir / "announcements.yaml"
    announcements.write_text(announcements.read_text().replace("max_pending: 25", "max_pendin: 2"))
    result = jardinier("check-rules", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith(f"{community}:") and "timezone" in line for line in lines)
    assert any(
        line.startswith(f"{announcements}:") and "unknown key 'max_pendin'" in line
        for line in lines
    )


def test_init_writes_a_starter_book_that_checks(tmp_path: Path) -> None:
    result = jardinier("init", "mybook", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mybook" / "community.yaml").is_file()
    again = jardinier("init", "mybook", cwd=tmp_path)
    assert "kept" in again.stderr
    assert jardinier("check-rules", "mybook", cwd=tmp_path).returncode == 0


def test_init_into_a_path_that_is_a_file_says_so_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "mybook"
    target.write_text("not a folder\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["init", str(target)])

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError)  # no traceback
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{target}: cannot write the rule book there: ")
    assert target.read_text(encoding="utf-8") == "not a folder\n"


def test_init_that_cannot_write_one_file_names_it_and_why(tmp_path: Path) -> None:
    (tmp_path / "mybook" / "community.yaml").mkdir(parents=True)  # in the way of the file

    result = CliRunner().invoke(app, ["init", str(tmp_path / "mybook"), "--force"])

    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError)
    [line] = result.stderr.splitlines()
    assert line == (
        f"{tmp_path / 'mybook' / 'community.yaml'}: cannot write the rule book there: "
        "Is a directory"
    )


def test_check_rules_warns_about_texts_an_old_copy_lacks(tmp_path: Path) -> None:
    assert jardinier("init", "mybook", cwd=tmp_path).returncode == 0
    community = tmp_path / "mybook" / "community.yaml"
    lines = community.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("    usage_errors:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    community.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")

    result = jardinier("check-rules", "mybook", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "the rule book is valid" in result.stdout
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "mybook/community.yaml:" in warning
    assert "texts.en: 13 texts are missing" in warning
    assert "usage_errors.quote_open" in warning


@pytest.mark.parametrize(
    ("in_the_book", "override"),
    [
        (True, "community:\n  timezone: UTC\n"),
        (False, "netiquette:\n  rules:\n    toxicity:\n      enabled: true\n"),
    ],
    ids=["in the book and its override", "in an override only"],
)
def test_check_rules_warns_that_toxicity_cannot_run_without_detoxify(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch, in_the_book: bool, override: str
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)  # as without the toxicity extra
    if in_the_book:
        section = rules_dir / "netiquette.yaml"
        book = yaml.safe_load(section.read_text(encoding="utf-8"))
        book["rules"]["toxicity"]["enabled"] = True
        section.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    (rules_dir / "communities").mkdir()
    (rules_dir / "communities" / "discord-42.yaml").write_text(override, encoding="utf-8")

    result = CliRunner().invoke(app, ["check-rules", str(rules_dir)])

    assert result.exit_code == 0, result.output
    assert "the rule book is valid" in result.stdout
    assert result.stderr.splitlines() == [
        "warning: netiquette rule 'toxicity' cannot run here: detoxify is not installed; "
        "install PyTorch first (pip install torch==2.13.0), then the toxicity extra from "
        "Jardinier's folder (pip install -e '.[toxicity]')"
    ]


def test_check_rules_is_quiet_about_toxicity_when_no_rule_uses_it(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)
    result = CliRunner().invoke(app, ["check-rules", str(rules_dir)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_commands_for_discord_are_slash_command_payloads(tmp_path: Path) -> None:
    result = jardinier("commands", "--platform", "discord", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = {command["name"]: command for command in json.loads(result.stdout)}
    announce = commands["announce"]
    assert announce["default_member_permissions"] == "8192"
    assert announce["contexts"] == [0]
    assert [(o["name"], o["type"], o["required"]) for o in announce["options"]] == [
        ("delay", 3, True),
        ("text", 3, True),
    ]
    assert announce["description_localizations"]["fr"] == "Programmer une annonce dans ce salon"
    assert announce["name_localizations"] == {
        "en-US": "announce",
        "en-GB": "announce",
        "fr": "annonce",
    }
    assert commands["help"]["default_member_permissions"] is None


def test_commands_lists_the_commands_of_a_cog_enabled_only_by_an_override(
    rules_dir: Path,
) -> None:
    """The bot loads (and publishes on Discord and Telegram) every cog the book or any
    override enables; `jardinier commands` prints that payload, not the book's defaults only."""
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(
        community_yaml.read_text(encoding="utf-8").replace("  - contests\n", "", 1),
        encoding="utf-8",
    )
    (rules_dir / "communities").mkdir()
    (rules_dir / "communities" / "discord-42.yaml").write_text(
        "community:\n  cogs: [netiquette, welcome, announcements, contests]\n", encoding="utf-8"
    )

    result = CliRunner().invoke(
        app, ["commands", "--platform", "discord", "--rules", str(rules_dir)]
    )

    assert result.exit_code == 0, result.output
    names = {command["name"] for command in json.loads(result.stdout)}
    assert "contest_create" in names  # published by the bot for discord-42
    assert "suggest" in names  # and those of a cog the defaults enable, not the override


def test_commands_leave_out_a_cog_that_neither_the_book_nor_an_override_enables(
    rules_dir: Path,
) -> None:
    community_yaml = rules_dir / "community.yaml"
    community_yaml.write_text(
        community_yaml.read_text(encoding="utf-8").replace("  - contests\n", "", 1),
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        app, ["commands", "--platform", "discord", "--rules", str(rules_dir)]
    )

    assert result.exit_code == 0, result.output
    assert "contest_create" not in {command["name"] for command in json.loads(result.stdout)}


def test_commands_for_telegram_put_moderator_commands_in_the_admin_scope(tmp_path: Path) -> None:
    result = jardinier("commands", "--platform", "telegram", cwd=tmp_path)
    menus = json.loads(result.stdout)
    members = next(
        m for m in menus if m["scope"]["type"] == "all_group_chats" and m["language_code"] == ""
    )
    admins = next(
        m
        for m in menus
        if m["scope"]["type"] == "all_chat_administrators" and m["language_code"] == "fr"
    )
    member_commands = {c["command"] for c in members["commands"]}
    assert {"charter", "help", "submit", "vote", "top"} <= member_commands
    assert not {"announce", "warn", "ban", "rules_reload"} & member_commands
    assert {"annonce", "aide", "charte"} <= {c["command"] for c in admins["commands"]}
    assert any(
        c["description"] == "Programmer une annonce dans ce salon" for c in admins["commands"]
    )


def test_the_console_listing_says_who_may_run_each_command(tmp_path: Path) -> None:
    result = jardinier("commands", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = {command["name"]: command for command in json.loads(result.stdout)}
    assert (commands["help"]["power"], commands["help"]["who"]) == (None, "everyone")
    assert (commands["warn"]["power"], commands["warn"]["who"]) == (None, "moderators")
    assert (commands["ban"]["power"], commands["ban"]["who"]) == (
        "ban",
        "moderators with the ban power",
    )
    assert commands["rules_reload"]["who"] == "moderators with the manage power"


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = jardinier("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "test.db").is_file()
    assert "is up to date" in result.stdout


def test_a_locked_database_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    commands = {"upgrade": ("db", "upgrade"), "run": ("run",), "console": ("console",)}
    # One database each: `run` and `console` on the same one would meet the instance lock.
    databases = {name: tmp_path / "data" / f"{name}.db" for name in commands}
    settings = {
        name: {"JARDINIER_DATABASE_URL": f"sqlite:///{database}", **TELEGRAM_OFFLINE}
        for name, database in databases.items()
    }
    holders = []
    for name, database in databases.items():
        assert jardinier("db", "upgrade", cwd=tmp_path, env=settings[name]).returncode == 0
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process writing, beyond the 5 s busy timeout
        holders.append(holder)
    try:
        # Side by side: each waits out the busy timeout.
        with ThreadPoolExecutor() as pool:
            results = dict(
                zip(
                    commands,
                    pool.map(
                        lambda name: jardinier(
                            *commands[name], stdin="alice: hi\n", cwd=tmp_path, env=settings[name]
                        ),
                        commands,
                    ),
                    strict=True,
                )
            )
    finally:
        for holder in holders:
            holder.rollback()
            holder.close()
    for name, result in results.items():
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == (
            f"the database {databases[name]} is locked by another process "
            "(another Jardinier running?); stop it or try again"
        )
        assert "Traceback" not in result.stderr


def running_console(cwd: Path) -> subprocess.Popen[str]:
    """A console community on ``cwd``'s database, once it holds the database; it runs until its
    input is closed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=environment(cwd),
    )
    lock = cwd / "data" / "test.db.lock"
    wait_until(
        lambda: lock.exists() and lock.read_text().strip() == str(process.pid),
        "the console holds the database",
        within=60,
    )
    return process


def test_a_second_bot_on_the_same_database_is_refused_until_the_first_stops(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "test.db"
    history = tmp_path / "history.csv"
    history.write_text("timestamp,user,text\n2026-01-05T10:00:00Z,alice,hello\n")
    first = running_console(tmp_path)
    try:
        refused = [
            jardinier("console", stdin="alice: hi\n", cwd=tmp_path),
            jardinier("run", cwd=tmp_path, env=TELEGRAM_OFFLINE),
            # A replay runs the jobs it finds in the database: the running bot's.
            jardinier("replay", str(history), "--database", str(database), cwd=tmp_path),
        ]
        # Upgrading the schema or checking the rules beside a running bot is fine.
        others = [jardinier("db", "upgrade", cwd=tmp_path), jardinier("check-rules", cwd=tmp_path)]
    finally:
        first.communicate(timeout=120)  # closes its input: the end of the session
    for result in refused:
        assert result.returncode == 1
        assert result.stderr == (
            f"another Jardinier is already running on {database} (pid {first.pid}); "
            "stop it first\n"
        )
    for result in others:
        assert result.returncode == 0, result.stderr
    assert first.returncode == 0
    after = jardinier("console", stdin="alice: /nosuch\n", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "I don't know /nosuch." in after.stdout


def test_a_second_bot_asked_for_json_is_refused_in_json(tmp_path: Path) -> None:
    database = tmp_path / "data" / "test.db"
    history = tmp_path / "history.csv"
    history.write_text("timestamp,user,text\n2026-01-05T10:00:00Z,alice,hello\n")
    first = running_console(tmp_path)
    try:
        refused = [
            jardinier("console", "--jsonl", stdin="alice: hi\n", cwd=tmp_path),
            jardinier(
                "replay", str(history), "--database", str(database), "--json", "-", cwd=tmp_path
            ),
        ]
    finally:
        first.communicate(timeout=120)
    for result in refused:
        assert result.returncode == 1
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert json.loads(line) == {
            "error": f"another Jardinier is already running on {database} (pid {first.pid}); "
            "stop it first",
            "exit_code": 1,
        }


def test_a_bot_that_was_killed_does_not_block_the_next_start(tmp_path: Path) -> None:
    first = running_console(tmp_path)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=60)
    after = jardinier("console", stdin="alice: /nosuch\n", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "I don't know /nosuch." in after.stdout


def test_a_database_a_newer_jardinier_wrote_is_one_clear_line(tmp_path: Path) -> None:
    # A roll-back to this version, on a database a newer one migrated.
    database = tmp_path / "data" / "test.db"
    assert jardinier("db", "upgrade", cwd=tmp_path).returncode == 0
    with contextlib.closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    [head] = current_heads()
    for command in (("db", "upgrade"), ("console",), ("run",)):
        result = jardinier(*command, stdin="alice: hi\n", cwd=tmp_path, env=TELEGRAM_OFFLINE)
        assert result.returncode == 1, command
        assert result.stderr == (
            "this database was written by a newer Jardinier (revision 9999); this version "
            f"knows up to {head}: upgrade Jardinier or restore a backup\n"
        ), command
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999",)
        ]


def test_a_database_under_a_file_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    database = tmp_path / "afile" / "j.db"
    result = jardinier(
        "db", "upgrade", cwd=tmp_path, env={"JARDINIER_DATABASE_URL": f"sqlite:///{database}"}
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"cannot create the database {database}: {tmp_path / 'afile'} is a file, not a folder\n"
    )


def test_the_database_failing_after_start_up_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WAL lets the upgrade read past another writer; the first write of the start fails instead.
    def console(rules: Path, *, jsonl: bool) -> None:
        raise OperationalError(
            "UPDATE core_state", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr("bot.cli.configure_logging", lambda: None)
    monkeypatch.setattr("bot.cli.tune_garbage_collector", lambda: None)
    monkeypatch.setattr("bot.cli._console", console)
    monkeypatch.setenv("JARDINIER_DATABASE_URL", "sqlite:///data/j.db")
    result = CliRunner().invoke(app, ["console"])
    assert result.exit_code == 1
    assert result.output == (
        "the database data/j.db is locked by another process (another Jardinier running?); "
        "stop it or try again\n"
    )


def test_rules_directory_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert rules_directory(None, {}) == shipped_rules_directory()
    (tmp_path / "rules").mkdir()
    assert rules_directory(None, {}) == Path("rules")  # what it lacks, the loader says
    (tmp_path / "rules" / "community.yaml").write_text("")
    assert rules_directory(None, {}) == Path("rules")
    assert rules_directory(None, {"JARDINIER_RULES": "/x"}) == Path("/x")
    assert rules_directory(Path("/y"), {"JARDINIER_RULES": "/x"}) == Path("/y")


def test_a_local_rules_folder_is_used_even_with_a_yml_community_file(tmp_path: Path) -> None:
    assert jardinier("init", "rules", cwd=tmp_path).returncode == 0
    community = tmp_path / "rules" / "community.yaml"
    community.rename(community.with_suffix(".yml"))
    community.with_suffix(".yml").write_text(
        community.with_suffix(".yml").read_text().replace("  - reports\n", "")
    )

    result = jardinier("check-rules", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rules: the rule book is valid (cogs enabled: ")
    assert "reports" not in result.stdout
    community.with_suffix(".yml").unlink()
    result = jardinier("check-rules", cwd=tmp_path)
    assert result.returncode == 1
    assert "rules/community.yaml: missing: every rule book needs community.yaml" in result.stderr


def test_check_rules_lists_the_overrides_it_applied(rules_dir: Path, tmp_path: Path) -> None:
    overrides = rules_dir / "communities"
    overrides.mkdir()
    (overrides / "telegram--100123.YAML").write_text("community:\n  timezone: UTC\n")
    (overrides / "discord-42.yml").write_text("community:\n  timezone: UTC\n")

    result = jardinier("check-rules", str(rules_dir), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"{overrides}/discord-42.yml: override applied to community discord-42",
        f"{overrides}/telegram--100123.YAML: override applied to community telegram--100123",
    ]
    (overrides / "discrod-43.yaml").write_text("community:\n  timezone: UTC\n")
    result = jardinier("check-rules", str(rules_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{overrides}/discrod-43.yaml:1:1: unknown platform 'discrod'" in result.stderr


@pytest.mark.parametrize(
    ("json_option", "as_json"),
    [(["--json", "-"], True), ([], False)],
    ids=["JSON on stdout", "the text report"],
)
def test_a_replay_asked_for_json_on_stdout_fails_in_json_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_option: list[str], as_json: bool
) -> None:
    """A script reading the JSON report reads its failure the same way; the exit code stays."""
    monkeypatch.setattr("bot.cli.configure_logging", lambda: None)
    monkeypatch.setattr("bot.cli.tune_garbage_collector", lambda: None)
    missing = tmp_path / "missing.json"
    message = f"{missing}: cannot read the file: No such file or directory"

    result = CliRunner().invoke(app, ["replay", str(missing), *json_option])

    assert result.exit_code == 1
    assert result.stdout == ""
    if as_json:
        assert result.stderr.count("\n") == 1  # one line
        assert json.loads(result.stderr) == {"error": message, "exit_code": 1}
    else:
        assert result.stderr == message + "\n"


@pytest.mark.parametrize(
    ("json_option", "as_json"),
    [(["--json", "-"], True), ([], False)],
    ids=["JSON on stdout", "the text report"],
)
def test_a_replay_whose_database_fails_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, json_option: list[str], as_json: bool
) -> None:
    """A database locked or failing under a replay is one line (JSON for a script), not a
    traceback; the exit code is 1, as for any other failure."""
    monkeypatch.setattr("bot.cli.configure_logging", lambda: None)
    monkeypatch.setattr("bot.cli.tune_garbage_collector", lambda: None)

    async def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT …", None, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("bot.replay.replay", locked)
    export = tmp_path / "chat.csv"
    export.write_text("timestamp,user,text\n2026-11-02T09:00:00Z,alice,hello\n", encoding="utf-8")
    database = tmp_path / "replay.db"

    result = CliRunner().invoke(
        app, ["replay", str(export), "--database", str(database), *json_option]
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    message = (
        f"the database {database} is locked by another process (another Jardinier running?); "
        "stop it or try again"
    )
    if as_json:
        assert json.loads(result.stderr) == {"error": message, "exit_code": 1}
    else:
        assert result.stderr == message + "\n"


def test_commands_with_a_broken_rule_book_fail_in_json(rules_dir: Path) -> None:
    """`commands` prints JSON: a script reads its failure, every error of the book, as JSON."""
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("timezone: Europe/Paris", "timezone: 3"))
    announcements = rules_dir / "announcements.yaml"
    announcements.write_text(announcements.read_text().replace("max_pending: 25", "max_pendin: 2"))

    result = CliRunner().invoke(app, ["commands", "--rules", str(rules_dir)])

    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    error = json.loads(line)
    assert set(error) == {"error", "exit_code"}
    assert error["exit_code"] == 1
    problems = error["error"].splitlines()
    assert any(p.startswith(f"{community}:") and "timezone" in p for p in problems)
    assert any(p.startswith(f"{announcements}:") and "'max_pendin'" in p for p in problems)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["replay", "--json", "-"], "Missing argument 'FILES...'."),
        (
            ["replay", "--json=-", "{tmp}"],
            "Invalid value for 'FILES...': File '{tmp}' is a directory.",
        ),
        (["replay", "{tmp}", "--json", "-", "--bogus"], "No such option: --bogus"),
        (
            ["commands", "--platform", "discrod"],
            "Invalid value for '--platform': 'discrod' is not one of 'discord', 'telegram', "
            "'console'.",
        ),
    ],
    ids=["replay: no file", "replay: a folder", "replay: unknown option", "commands: platform"],
)
def test_a_usage_error_of_a_command_asked_for_json_is_one_json_object(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    """Exit 2 as before, and one JSON object on stderr, as a failure of the command is."""
    result = CliRunner().invoke(app, [word.format(tmp=tmp_path) for word in arguments])

    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert json.loads(line) == {"error": message.format(tmp=tmp_path), "exit_code": 2}


@pytest.mark.parametrize(
    "arguments",
    [
        ["replay"],
        ["replay", "--json", "report.json"],
        ["replay", "{tmp}", "--json", "report.json"],
    ],
    ids=["no --json", "--json FILE, no file", "--json FILE, a folder"],
)
def test_a_usage_error_of_a_replay_for_a_person_stays_text(
    tmp_path: Path, arguments: list[str]
) -> None:
    result = CliRunner().invoke(app, [word.format(tmp=tmp_path) for word in arguments])

    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert not result.stderr.startswith("{")


@pytest.mark.parametrize(
    ("arguments", "as_json"),
    [
        (["console", "--rules", "--jsonl", "--bogus"], False),
        (["console", "--rules=--jsonl", "--bogus"], False),
        (["console", "--bogus", "--jsonl"], True),
        (["replay", "--json", "-", "--json", "out.json", "h.csv", "--bogus"], False),
        (["replay", "--json", "out.json", "--json", "-", "h.csv", "--bogus"], True),
        (["replay", "--database", "--json", "h.csv", "--bogus"], False),
    ],
    ids=[
        "console: --jsonl as --rules' value",
        "console: --jsonl as --rules=",
        "console: --jsonl after an unknown option",
        "replay: a later --json FILE",
        "replay: a later --json -",
        "replay: --json as --database's value",
    ],
)
def test_a_usage_error_is_json_only_when_the_command_line_really_asks_for_json(
    tmp_path: Path, arguments: list[str], as_json: bool
) -> None:
    """Read as the parser reads the options: a word that is an option's value asks nothing."""
    result = CliRunner().invoke(app, arguments)

    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    if as_json:
        assert json.loads(first) == {"error": "No such option: --bogus", "exit_code": 2}
    else:
        assert first.startswith("Usage:")


def test_a_replay_report_on_stdout_is_utf_8_whatever_text_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lone surrogate (an export's ``"\\ud800"``) or a line separator in a reported text:
    the JSON report still encodes as UTF-8, and a line reader splits it only between lines."""
    monkeypatch.setattr("bot.cli.configure_logging", lambda: None)
    monkeypatch.setattr("bot.cli.tune_garbage_collector", lambda: None)
    text = "buy \ud800 now\u2028"

    class Report:
        def as_json(self) -> dict[str, object]:
            return {"example": text}

    async def replayed(*args: object, **kwargs: object) -> Report:
        return Report()

    monkeypatch.setattr("bot.replay.replay", replayed)
    export = tmp_path / "chat.csv"
    export.write_text("timestamp,user,text\n2026-11-02T09:00:00Z,alice,hello\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["replay", str(export), "--json", "-"])

    assert result.exit_code == 0, result.exception
    document = result.stdout_bytes.decode("utf-8")
    assert document == '{\n  "example": "buy \\ud800 now\\u2028"\n}\n'
    assert json.loads(document) == {"example": text}
