"""A chat history as the replay reads it: the neutral events of one channel, and their file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import JardinierError
from bot.events import ChannelRef, CommunityRef, Event


@dataclass
class History:
    """The events of one exported file (one channel), in the order the file lists them."""

    path: Path
    format: str
    community: CommunityRef
    channel: ChannelRef
    events: list[Event] = field(default_factory=list)
    digest: str = ""
    """A hash of the file's text: the same file named twice is played once."""


def where(path: Path, place: str) -> str:
    """``file: place``, the prefix of every error about a history file."""
    return f"{path}: {place}"


def json_error(path: Path, error: json.JSONDecodeError) -> JardinierError:
    """A clear error for a file that is not valid JSON (often a truncated export)."""
    hint = " (the file looks truncated)" if error.pos >= len(error.doc.rstrip()) else ""
    return JardinierError(
        f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}{hint}"
    )


def parse_json(text: str, path: Path, *, line: int | None = None) -> Any:
    """``text`` (a whole file, or its ``line``) as JSON; a malformed one raises a clear error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if line is None:
            raise json_error(path, error) from None
        raise JardinierError(f"{path}:{line}:{error.colno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        # Thousands of nested brackets: no export is shaped so, and the parser cannot follow.
        place = str(path) if line is None else f"{path}:{line}"
        raise JardinierError(f"{place}: JSON nested too deeply to be a chat export") from None


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Timestamps are taken from ``EARLIEST`` until before ``LATEST``: the replay's clock and jobs
compute dates around each one, which fail near the ends of what a date can hold."""


def parse_time(value: object, path: Path, place: str) -> datetime:
    """A timestamp as exports write it: ISO 8601 (naive is taken as UTC) or Unix seconds.

    Raises :class:`JardinierError` naming ``path`` and ``place`` for anything else, and for a
    moment before 1970 or from the year 9000 on.
    """
    moment = _moment(value)
    if moment is None:
        raise JardinierError(where(path, f"{place}: {value!r} is not a timestamp"))
    if not EARLIEST <= moment < LATEST:
        raise JardinierError(
            where(
                path,
                f"{place}: {value!r} is out of range (timestamps run "
                f"from {EARLIEST.year} to {LATEST.year - 1})",
            )
        )
    return moment


def _moment(value: object) -> datetime | None:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(text), UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    return None


def required(item: dict, key: str, path: Path, place: str) -> object:
    """``item[key]``, or an error naming the file, the place and the missing key."""
    if not isinstance(item, dict):
        raise JardinierError(
            where(path, f"{place}: expected an object, got {type(item).__name__}")
        )
    if key not in item or item[key] is None:
        raise JardinierError(where(path, f"{place}: missing {key!r}"))
    return item[key]


def listed(item: dict, key: str, path: Path, place: str) -> list[Any]:
    """``item[key]`` as a list (none when absent), or an error naming where it is not one."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise JardinierError(
            where(path, f"{place}: {key}: expected a list, got {type(value).__name__}")
        )
    return value


def as_text(value: object) -> str:
    """An id as a string (exports write ids as numbers or strings)."""
    return str(value) if value is not None else ""
