"""How the console shows what happens: a readable line per action, or one JSON object per line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from bot.localtime import local_time
from bot.terminal import json_line, printable

BOT_NAME = "Jardinier"
_REFUSALS = {
    "silenced": "is silenced",
    "banned": "is banned",
    "not_member": "is not in the community (they left or were kicked; '+name' joins again)",
}


class ConsoleOutput:
    """Writes records to ``stream``, as JSON lines or as text for people.

    ``zone`` gives the community's time zone (asked each time: a reload may change it), in which
    the text for people writes moments, as the bot's own messages do.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        jsonl: bool = False,
        zone: Callable[[], tzinfo] = lambda: UTC,
    ) -> None:
        self.stream = stream
        self.jsonl = jsonl
        self.zone = zone
        self.reader_gone = False
        """Whether the reader of ``stream`` went away (a closed pipe: ``… | head -1``); what is
        shown since is dropped."""
        self.on_reader_gone: Callable[[], None] | None = None
        """Called once, when the reader goes away."""

    def action(self, action: str, **fields: Any) -> None:
        """Show a bot action (``send``, ``delete``, ``timeout``…)."""
        record = {"action": action, **{k: v for k, v in fields.items() if v is not None}}
        if self.jsonl:
            self._write_json(record)
        else:
            self._write(_describe_action(record))

    def message(self, message_id: int, channel: str, member: str, text: str, **extra: Any) -> None:
        """Show a member's message with its number, so later lines can reply or react to it."""
        if self.jsonl:
            self._write_json(
                {
                    "event": "message",
                    "message_id": message_id,
                    "channel": channel,
                    "member": member,
                    "text": text,
                    **{k: v for k, v in extra.items() if v},
                }
            )
        else:
            reply = f" ^{extra['reply_to']}" if extra.get("reply_to") else ""
            self._write(f"[{message_id}] {channel} {member}{reply}: {text}")

    def refused(self, member: str, why: str, *, until: datetime | None = None) -> None:
        """Show what the platform itself refused a member: ``silenced``, ``banned``,
        ``not_member`` (left or kicked); the bot never sees it."""
        if self.jsonl:
            record = {"event": "refused", "member": member, "why": why}
            if until is not None:
                record["until"] = until.isoformat()
            self._write_json(record)
            return
        reason = _REFUSALS[why]
        if why == "silenced":
            reason += f" until {local_time(until, self.zone())}" if until else " until lifted"
        self._write(f"✗ {member} {reason}: the platform refuses this (the bot sees nothing)")

    def _write_json(self, record: dict[str, Any]) -> None:
        self._put(json_line(record) + "\n")

    def _write(self, line: str) -> None:
        text = printable(line).replace("\n", "\n    ")
        self._put(text + "\n")

    def _put(self, text: str) -> None:
        if self.reader_gone:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            # As a text tool whose reader went away: not an error of the bot's, no traceback.
            self.reader_gone = True
            if self.on_reader_gone is not None:
                self.on_reader_gone()


def _describe_action(record: dict[str, Any]) -> str:
    action = record["action"]
    if action == "send":
        prefix = f"[{record['message_id']}] {record['channel']} {BOT_NAME}"
        if "reply_to" in record:
            prefix += f" ^{record['reply_to']}"
        if "private_to" in record:
            prefix += f" (only {record['private_to']} sees this)"
        line = f"{prefix}: {record['text']}"
        if record.get("buttons"):
            line += "\n" + "  ".join(f"[{b['id']}] {b['label']}" for b in record["buttons"])
        if "file" in record:
            line += f"\n📎 {record['file']}"
        return line
    if action == "dm":
        line = f"✉ {BOT_NAME} → {record['member']} (direct message): {record['text']}"
        if "file" in record:
            line += f"\n📎 {record['file']}"
        return line
    details = " ".join(f"{key}={value}" for key, value in record.items() if key not in ("action",))
    return f"⚙ {action} {details}"
