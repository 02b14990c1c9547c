"""Which kind of export a file is, and reading it into a :class:`~bot.replay.history.History`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bot.errors import JardinierError
from bot.replay import discord_export, table, telegram_export
from bot.replay.history import History, parse_json

FORMATS = ("discord", "telegram", "csv", "jsonl")


def detect(path: Path, text: str) -> str:
    """``discord``, ``telegram``, ``csv`` or ``jsonl``, from the file's name and content."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        if "timestamp" in stripped.split("\n", 1)[0].casefold():
            return "csv"
        raise JardinierError(
            f"{path}: not a chat export I know (DiscordChatExporter JSON, Telegram Desktop "
            "result.json, CSV or JSONL with timestamp, user, text)"
        )
    first, _, rest = stripped.partition("\n")
    if rest.strip() and _is_object(first):
        return "jsonl"
    return "json"


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def load_history(path: Path) -> History:
    """Read one exported file; a malformed one raises an error naming where it broke."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise JardinierError(f"{path}: cannot read the file: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise JardinierError(f"{path}: byte {error.start}: not UTF-8 text") from None
    history = _parsed(path, text)
    history.digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass")).hexdigest()
    return history


def _parsed(path: Path, text: str) -> History:
    kind = detect(path, text)
    if kind == "csv":
        return table.parse_csv(text, path)
    if kind == "jsonl":
        return table.parse_jsonl(text, path)
    document = parse_json(text, path)
    if discord_export.looks_like(document):
        return discord_export.parse(document, path)
    if telegram_export.looks_like(document):
        return telegram_export.parse(document, path)
    if isinstance(document, dict) and {"timestamp", "user"} <= document.keys():
        return table.parse_jsonl(text, path)
    if isinstance(document, dict) and isinstance(document.get("chats"), dict):
        raise JardinierError(
            f"{path}: a Telegram Desktop export of a whole account; export the group alone "
            "(in the group's menu, Export chat history, format JSON) and replay that result.json"
        )
    raise JardinierError(
        f"{path}: JSON, but neither a DiscordChatExporter export (guild, channel, messages) "
        "nor a Telegram Desktop export (name, messages)"
    )
