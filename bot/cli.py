"""The ``jardinier`` command line."""

from __future__ import annotations

import enum
import importlib
import io
import logging
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from sqlalchemy.exc import OperationalError

# Typer 0.26 parses with the click it carries (pyproject.toml says why that release), not with
# the click package: its usage errors are of its own click's classes.
from typer._click import Context
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperOption

from bot import eventloop
from bot.errors import JardinierError
from bot.gctuning import tune_garbage_collector
from bot.logsetup import configure_logging, default_log_format
from bot.platform import Platform
from bot.resources import shipped_rules_directory
from bot.rulewatch import watching_enabled
from bot.state import StateStore
from bot.terminal import json_line, json_text

if TYPE_CHECKING:
    from bot.commands.spec import CommandSpec
    from bot.ruleconf import RuleBook
    from bot.ruleconf.community import CommunityConfig

log = logging.getLogger(__name__)

app = typer.Typer(
    help="Jardinier, a community-management bot for Discord and Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
db_app = typer.Typer(
    help="Database maintenance.", no_args_is_help=True, rich_markup_mode="markdown"
)
app.add_typer(db_app, name="db")

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Rule-book folder (default: $JARDINIER_RULES, else ./rules, else the shipped book).",
        file_okay=False,
    ),
]


class PlatformName(enum.StrEnum):
    """Platforms whose command registration can be printed."""

    discord = "discord"
    telegram = "telegram"
    console = "console"


def rules_directory(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The rule book to use: ``--rules``, ``$JARDINIER_RULES``, ``./rules``, the shipped one.

    A ``./rules`` folder is used whatever it holds: one that lacks ``community.yaml`` (or names it
    ``community.yml``) is reported by the loader, not silently replaced by the shipped book.
    """
    environ = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if environ.get("JARDINIER_RULES"):
        return Path(environ["JARDINIER_RULES"])
    local = Path("rules")
    if local.is_dir():
        return local
    return shipped_rules_directory()


def _fail(error: JardinierError, *, as_json: bool = False) -> None:
    """Say ``error`` on stderr and exit 1: its message as it is, or, for a command asked for
    JSON, one JSON object on one line, ``{"error": message, "exit_code": 1}``."""
    exit_code = 1
    if as_json:
        typer.echo(_json_error(str(error), exit_code), err=True)
    else:
        typer.echo(str(error), err=True)
    raise typer.Exit(exit_code)


def _json_error(message: str, exit_code: int) -> str:
    """The one line a command asked for JSON says its failure in."""
    return json_line({"error": message, "exit_code": exit_code})


def _database_failed(
    error: OperationalError, *, as_json: bool = False, url: str | None = None
) -> None:
    """The database at ``url`` (default: the bot's) failed under the bot (locked, unreadable,
    full): one line, not a traceback."""
    from bot.db import database_url, storage_error

    log.debug("the database failed", exc_info=error)
    _fail(storage_error(url or database_url(), error), as_json=as_json)


def _start_logging(*, json_output: bool) -> None:
    """Logging for a command; one whose output is JSON for a program logs JSON lines beside
    it, unless ``JARDINIER_LOG_FORMAT`` chooses a format."""
    with default_log_format("json" if json_output else "text"):
        configure_logging()


def _options(args: Sequence[str]) -> list[str]:
    """The command-line words before ``--`` (after it, an option is a file's name)."""
    words = list(args)
    return words[: words.index("--")] if "--" in words else words


class _JsonUsageErrors(TyperCommand):
    """A command whose usage errors (an unknown option, a missing or invalid value) are one JSON
    object on stderr, ``{"error": message, "exit_code": 2}``, when its command line asks for
    JSON output (:meth:`asks_for_json`); as text otherwise. Exit 2 either way."""

    @staticmethod
    def asks_for_json(given: Mapping[str, str | None]) -> bool:
        """Whether the options ``given`` (see :meth:`given_options`) ask for JSON output."""
        raise NotImplementedError

    def given_options(self, args: Sequence[str]) -> dict[str, str | None]:
        """The options ``args`` give before ``--``, each with its last value (None for a flag).

        Read as the parser reads them, but without it (a parse that fails gives nothing): an
        option's value is never an option (``--rules --jsonl`` names a folder), and an unknown
        option does not hide those after it.
        """
        takes_a_value = {
            name
            for param in self.params
            if isinstance(param, TyperOption) and not param.is_flag
            for name in param.opts
        }
        given: dict[str, str | None] = {}
        words = iter(_options(args))
        for word in words:
            name, equals, value = word.partition("=")
            if not name.startswith("--"):
                continue
            if equals:
                given[name] = value
            elif name in takes_a_value:
                given[name] = next(words, None)
            else:
                given[name] = None
        return given

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: object,
    ) -> Context:
        """Parse ``args``; a usage error is said here, as JSON, when they ask for it."""
        as_json = self.asks_for_json(self.given_options(args))  # before parsing consumes args
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as error:
            if not as_json:
                raise
            typer.echo(_json_error(error.format_message(), error.exit_code), err=True)
            raise typer.Exit(error.exit_code) from None


class _ConsoleCommand(_JsonUsageErrors):
    @staticmethod
    def asks_for_json(given: Mapping[str, str | None]) -> bool:
        return "--jsonl" in given


class _ReplayCommand(_JsonUsageErrors):
    @staticmethod
    def asks_for_json(given: Mapping[str, str | None]) -> bool:
        # Only `--json -`: with `--json FILE`, a person reads the text report.
        return given.get("--json") == "-"


class _JsonOnlyCommand(_JsonUsageErrors):
    @staticmethod
    def asks_for_json(given: Mapping[str, str | None]) -> bool:
        return True


PLATFORM_TOKENS = {"discord": "DISCORD_TOKEN", "telegram": "TELEGRAM_TOKEN"}


def _network_platforms(environ: Mapping[str, str], state: StateStore) -> list[Platform]:
    """The Discord and Telegram platforms whose tokens are set.

    Each adapter package exposes ``create_platform(environ, state)``; ``state`` keeps small values
    between runs (e.g. the hash of the commands last published). Adapters are imported only when
    their token is set, so a Telegram-only bot never loads discord.py.
    """
    platforms = []
    for name, variable in PLATFORM_TOKENS.items():
        if environ.get(variable):
            module = importlib.import_module(f"bot.adapters.{name}")
            platforms.append(module.create_platform(environ, state))
    return platforms


@app.command()
def run(rules: RulesOption = None) -> None:
    """Run the bot: on Discord and/or Telegram when their tokens are set, else the console.

    With no token, the console runs only in a terminal: started by a service (stdin not a
    terminal), `run` exits 1 saying so. `jardinier console` reads a pipe.
    """
    from bot.core import Jardinier
    from bot.db import database_url
    from bot.instancelock import instance_lock

    configure_logging()
    tune_garbage_collector()
    try:
        if not any(os.environ.get(variable) for variable in PLATFORM_TOKENS.values()):
            _console_for_want_of_a_token(rules_directory(rules))
            return
        url = database_url()
        with instance_lock(url):
            core = Jardinier(
                rules_dir=rules_directory(rules),
                database_url=url,
                watch_rules=watching_enabled(),
            )
            for platform in _network_platforms(os.environ, StateStore(core.db)):
                core.add_platform(platform)
            eventloop.run(core.run())
    except JardinierError as error:
        _fail(error)
    except OperationalError as error:
        _database_failed(error)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)


@app.command(cls=_ConsoleCommand)
def console(
    rules: RulesOption = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="Print each bot action as one JSON object per line, and each error and log "
            "line as one on stderr (JARDINIER_LOG_FORMAT=text keeps the log as text).",
        ),
    ] = False,
) -> None:
    """Run the console community: one member action per input line, every bot action printed.

    Input: '+alice' (joins), 'alice: hello' (posts), 'alice ^3: reply', 'alice +👍 3',
    'alice: /help', '!wait 2h', '!channel #intros'. Ends at end of input (Ctrl-D).
    """
    _start_logging(json_output=jsonl)
    tune_garbage_collector()
    try:
        _console(rules_directory(rules), jsonl=jsonl)
    except JardinierError as error:
        _fail(error, as_json=jsonl)
    except OperationalError as error:
        _database_failed(error, as_json=jsonl)
    except KeyboardInterrupt:
        typer.echo(json_line({"event": "stopped"}) if jsonl else "stopped", err=True)


def _console_for_want_of_a_token(rules: Path) -> None:
    """``run`` with no token: the console, in a terminal only."""
    if not sys.stdin.isatty():
        # A service whose env file did not load: the console would run on the production
        # database and exit 0, so that its supervisor would not even restart it.
        raise JardinierError(
            "No DISCORD_TOKEN or TELEGRAM_TOKEN set, and no terminal to run the console "
            "community in: set a token, or run `jardinier console` to read a pipe"
        )
    typer.echo("No DISCORD_TOKEN or TELEGRAM_TOKEN set: starting the console community.", err=True)
    _console(rules, jsonl=False)


def _console(rules: Path, *, jsonl: bool) -> None:
    from bot.adapters.console.session import run_console
    from bot.db import database_url
    from bot.instancelock import instance_lock

    url = database_url()
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A stray byte (a file in another encoding) is read as U+FFFD: a UTF-8 locale's strict
        # decoder ended the input on it, and the C locale's surrogateescape made text that
        # neither the database nor a reader of UTF-8 takes.
        sys.stdin.reconfigure(errors="replace")
    # The console runs the scheduled jobs too: beside a bot on the same database, twice.
    with instance_lock(url):
        if sys.stdin.isatty():
            typer.echo(
                "Jardinier console. Type 'alice: hello', '+bob', 'mod: /help', '!wait 2h'. "
                "Ctrl-D quits.",
                err=True,
            )
        eventloop.run(
            run_console(
                rules_dir=rules,
                database_url=url,
                input=sys.stdin,
                output=sys.stdout,
                jsonl=jsonl,
                errors_as_json=jsonl,
                watch_rules=watching_enabled(),
            )
        )


@app.command(cls=_ReplayCommand)
def replay(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Exported histories: DiscordChatExporter JSON, Telegram Desktop result.json, "
            "CSV or JSONL (timestamp, user, text[, reply_to]); one per channel.",
            dir_okay=False,
        ),
    ],
    rules: RulesOption = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write the report as JSON to this file; `-` prints the JSON alone, for "
            "piping (and an error, and each log line, as one JSON object on stderr).",
            dir_okay=False,
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Keep the replay's state in this database: a URL, or a SQLite file's path "
            "(default: a throw-away file in a temporary folder).",
        ),
    ] = None,
) -> None:
    """Replay exported chat histories through the bot as a dry run, and report what it would do.

    Nothing is posted anywhere: the bot acts on a recording platform, with a clock that follows
    the messages' timestamps. The report gives, per netiquette rule, how many messages would have
    been acted on (with examples), the strikes and timeouts that would have followed, the
    newcomers welcomed, the top contributors and influencers, and the activity per day.
    """
    from bot.instancelock import instance_lock
    from bot.replay import replay as run_replay

    to_stdout = json_out == Path("-")
    _start_logging(json_output=to_stdout)
    tune_garbage_collector()
    try:
        if json_out is not None and not to_stdout:
            # Before the replay, which may take minutes.
            _check_not_an_input(json_out, files)
            _check_writable(json_out)
        url = None if database is None else _replay_database(database)
        # A replay runs the scheduled jobs it finds: on a running bot's database, the bot's own.
        with nullcontext() if url is None else instance_lock(url):
            report = eventloop.run(
                run_replay(
                    files,
                    rules_dir=rules_directory(rules),
                    database_url=url,
                    progress=sys.stderr.isatty(),
                )
            )
    except JardinierError as error:
        # The JSON report on stdout is for a script: so is its failure (with `--json FILE`,
        # a person reads the text report, and the error as text).
        _fail(error, as_json=to_stdout)
        return
    except OperationalError as error:
        # Without --database, the replay's own throw-away file.
        _database_failed(error, as_json=to_stdout, url=url or "sqlite+aiosqlite:///replay.db")
        return
    document = json_text(report.as_json(), indent=2) + "\n"
    if to_stdout:
        typer.echo(document, nl=False)
        return
    typer.echo(report.render(), nl=False)
    if json_out is not None:
        try:
            json_out.write_text(document, encoding="utf-8")
        except OSError as error:
            _fail(JardinierError(f"{json_out}: cannot write the JSON report: {error.strerror}"))
        typer.echo(f"JSON report written to {json_out}", err=True)


def _replay_database(value: str) -> str:
    """``--database``: a URL, or the path of a SQLite file (``replay.db``)."""
    from bot.db import async_url

    if "://" not in value:
        if "@" in value.split("/", 1)[0]:
            # "user:password@host/db" without its scheme: a URL, not a folder to create.
            raise JardinierError(
                "--database looks like a database URL without its scheme; write it whole, "
                "e.g. postgresql://user:…@host/db, or give a SQLite file's path"
            )
        return f"sqlite+aiosqlite:///{Path(value).expanduser()}"
    try:
        return async_url(value)
    except JardinierError:
        raise JardinierError(
            "--database is not a database URL; write e.g. sqlite+aiosqlite:///replay.db, "
            "or a file's path"
        ) from None


def _check_not_an_input(path: Path, files: list[Path]) -> None:
    """Refuse to write the JSON report over one of the files to replay (Telegram Desktop names
    its export result.json: ``--json result.json`` is an easy slip), under any name or link."""
    for file in files:
        try:
            same = path.exists() and os.path.samefile(path, file)
        except OSError:  # the input is missing: the replay says so
            continue
        if same:
            raise JardinierError(
                f"{path}: cannot write the JSON report there: it would replace {file}, which "
                "is replayed; name another file (--json report.json)"
            )


def _check_writable(path: Path) -> None:
    """Fail now, with the reason, if ``path`` cannot be written."""
    folder = path.parent
    if not folder.is_dir():
        raise JardinierError(f"{path}: cannot write the JSON report: no folder {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise JardinierError(f"{path}: cannot write the JSON report: permission denied")


@app.command("check-rules")
def check_rules(
    directory: Annotated[
        Path | None, typer.Argument(help="Rule-book folder (default as for run).", file_okay=False)
    ] = None,
) -> None:
    """Validate a rule book; exit 1 with every error as file:line:col: key: message.

    Texts a newer Jardinier added and the book lacks are read from the shipped book: each file
    that needs them gets a warning naming them, and the book is still valid. Each community
    override applied is listed, one line each.
    """
    from bot.cogloader import section_models
    from bot.ruleconf import RuleBookError, load_rule_book

    folder = rules_directory(directory)
    try:
        book = load_rule_book(folder, section_models(), shipped=shipped_rules_directory())
    except RuleBookError as error:
        for line in str(error).splitlines():
            typer.echo(line, err=True)
        raise typer.Exit(1) from None
    for warning in book.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for problem in _cannot_run_here(book):
        typer.echo(f"warning: {problem}", err=True)
    for key, path in book.override_files.items():
        typer.echo(f"{path}: override applied to community {key}")
    cogs = ", ".join(book.community().cogs) or "none"
    typer.echo(f"{folder}: the rule book is valid (cogs enabled: {cogs})")


def _cannot_run_here(book: RuleBook) -> list[str]:
    """What the enabled rules need and this machine lacks (the toxicity extra…), each once.

    Each enabled cog is asked (:meth:`bot.cog.Cog.cannot_run_here`), for the defaults and for
    every community override.
    """
    from bot.cogloader import available_cogs
    from bot.ruleconf.book import CORE_SECTION

    catalogue = available_cogs()
    found: dict[str, None] = {}
    for sections in (book.sections, *book.overrides.values()):
        community = cast("CommunityConfig", sections[CORE_SECTION])
        for name in community.cogs:
            cog = catalogue.get(name)
            if cog is not None and name in sections:
                found.update(dict.fromkeys(cog.cannot_run_here(sections[name])))
    return list(found)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest version ($JARDINIER_DATABASE_URL)."""
    from bot.db import database_url, redacted, storage_errors
    from bot.migrate import upgrade

    configure_logging()
    try:
        url = database_url()
        with storage_errors(url):
            upgrade(url)
    except JardinierError as error:
        _fail(error)
    typer.echo(f"database {redacted(url)} is up to date")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Where to write the rule book.")] = Path(
        "rules"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write a starter rule book to edit (a copy of the shipped one).

    A file that cannot be written (the folder is a file, no permission) stops it: exit 1 with
    one line naming the path and why.
    """
    source = shipped_rules_directory()
    if source.resolve() == directory.resolve():
        typer.echo(f"{directory} is the shipped rule book itself; nothing to do", err=True)
        raise typer.Exit(1)
    kept = []
    for path in sorted(source.rglob("*.yaml")):
        target = directory / path.relative_to(source)
        try:
            if target.exists() and not force:
                kept.append(target)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        except OSError as error:
            # The folder is a file, a file is a folder, the disk is full, no permission: the
            # path and the reason say what to fix; the files written so far are listed above.
            where = error.filename or target
            reason = error.strerror or str(error)
            _fail(JardinierError(f"{where}: cannot write the rule book there: {reason}"))
        typer.echo(f"wrote {target}")
    if kept:
        typer.echo(f"kept {len(kept)} existing file(s); use --force to overwrite them", err=True)
    typer.echo(f"Edit the files, then check them with: jardinier check-rules {directory}")


@app.command(cls=_JsonOnlyCommand)
def commands(
    platform: Annotated[
        PlatformName, typer.Option("--platform", help="The platform whose registration to show.")
    ] = PlatformName.console,
    rules: RulesOption = None,
) -> None:
    """Print the commands as a platform would register them, as JSON.

    Those of every cog the rule book or any community override enables, as the running bot
    publishes them. A failure is JSON too: one object on stderr,
    `{"error": message, "exit_code": 1}` (2 for a usage error).
    """
    from bot.adapters.discord.commands import application_commands
    from bot.adapters.telegram.commands import command_menus
    from bot.cogloader import command_specs, section_models
    from bot.ruleconf import RuleBookError, load_rule_book

    try:
        book = load_rule_book(
            rules_directory(rules), section_models(), shipped=shipped_rules_directory()
        )
    except RuleBookError as error:
        _fail(error, as_json=True)
        return
    # What the running bot publishes: the commands of every cog it loads, whichever community
    # enables it (a platform's command list is one for all its communities).
    specs = command_specs(book.cogs_to_load())
    if platform is PlatformName.discord:
        payload: object = application_commands(specs)
    elif platform is PlatformName.telegram:
        payload = command_menus(specs)
    else:
        payload = [
            {
                "name": spec.name,
                "usage": spec.usage,
                "description": spec.description,
                "permission": spec.permission.value,
                "power": None if spec.power is None else spec.power.value,
                "who": _who_may_run(spec),
                "help": spec.help,
            }
            for spec in sorted(specs, key=lambda spec: spec.name)
        ]
    typer.echo(json_text(payload, indent=2))


def _who_may_run(spec: CommandSpec) -> str:
    """Who may run ``spec``, in words: ``everyone``, ``moderators``, ``moderators with the ban
    power``."""
    from bot.commands.spec import Permission

    if spec.permission is Permission.EVERYONE:
        return "everyone"
    if spec.power is None:
        return "moderators"
    return f"moderators with the {spec.power.value} power"


def main() -> None:
    """Entry point of the ``jardinier`` console script."""
    app()
