"""Which kind of export a file is, and reading it into a :class:`~bot.replay.history.History`:
what it holds is checked here, as a whole, before anything is played."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bot.errors import JardinierError
from bot.replay import discord_export, jsonexport, table, telegram_export
from bot.replay.history import CHUNK, History, first_line

FORMATS = ("discord", "telegram", "csv", "jsonl")
FIRST_LINE = 1 << 20
"""Characters of a file's first line read to tell its format: a JSON Lines row is far shorter."""


def detect(path: Path) -> str:
    """``json``, ``csv`` or ``jsonl``, from the file's name and its first lines."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    first, more = first_line(path, FIRST_LINE)
    if not first.startswith("{"):
        if "timestamp" in first.casefold():
            return "csv"
        raise JardinierError(
            f"{path}: not a chat export I know (DiscordChatExporter JSON, Telegram Desktop "
            "result.json, CSV or JSONL with timestamp, user, text)"
        )
    if more and _is_object(first):
        return "jsonl"
    return "json"


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def load_history(path: Path) -> History:
    """Read one exported file through; a malformed one raises an error naming where it broke.

    The file is read a piece at a time, and again each time its events are asked for: what is
    kept is what the history says of it (how many events, from when), not the events.
    """
    history = _opened(path)
    earliest = latest = None
    count = 0
    for event in history.events():
        count += 1
        if latest is not None and event.at < latest:
            history.in_time_order = False
        latest = event.at if latest is None else max(latest, event.at)
        earliest = event.at if earliest is None else min(earliest, event.at)
    history.count, history.first = count, earliest
    history.digest = _digest(path)
    return history


def _opened(path: Path) -> History:
    kind = detect(path)
    if kind == "csv":
        return table.csv_history(path)
    if kind == "jsonl":
        return table.jsonl_history(path)
    outline = jsonexport.outline(path)
    if discord_export.looks_like(outline):
        return discord_export.read(outline, path)
    if telegram_export.looks_like(outline):
        return telegram_export.read(outline, path)
    if {"timestamp", "user"} <= outline.keys():
        return table.jsonl_history(path)
    chats = outline.get("chats")
    if isinstance(chats, jsonexport.Skipped) and chats.object:
        raise JardinierError(
            f"{path}: a Telegram Desktop export of a whole account; export the group alone "
            "(in the group's menu, Export chat history, format JSON) and replay that result.json"
        )
    raise JardinierError(
        f"{path}: JSON, but neither a DiscordChatExporter export (guild, channel, messages) "
        "nor a Telegram Desktop export (name, messages)"
    )


def _digest(path: Path) -> str:
    digest = hashlib.blake2b()
    with path.open("rb") as file:
        while piece := file.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()
