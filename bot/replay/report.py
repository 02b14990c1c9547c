"""The replay's report: what the bot would have done over the history, as text or as JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.durations import format_duration
from bot.events import CommunityRef, MemberJoined, MemberRef, UserRef
from bot.replay.history import History
from bot.replay.observations import Example, Observations
from bot.replay.recorder import RecordingPlatform
from bot.terminal import printable

EXAMPLE_LENGTH = 80
PROBLEM_LENGTH = 240
MEMBERS_SHOWN = 15
"""Members listed under the sanctions, most cases first; the JSON report has them all."""


def counted(count: int, noun: str) -> str:
    """``1 case``, ``3 cases``, ``0 cases``: the report is written in English."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def tallied(items: Iterable[str]) -> list[str]:
    """Repeated items once each, with their count: ``timeout 1h ×4``, ``ban``."""
    return [item if count == 1 else f"{item} ×{count}" for item, count in Counter(items).items()]


def shorten(text: str, length: int = EXAMPLE_LENGTH) -> str:
    """``text`` on one line, cut to ``length`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


@dataclass
class ReplayReport:
    """Everything the replay found, ready for :meth:`render` or :meth:`as_json`."""

    files: list[dict[str, Any]]
    totals: dict[str, Any]
    rules: list[dict[str, Any]]
    sanctions: list[dict[str, Any]]
    newcomers: dict[str, Any]
    contributors: dict[str, dict[str, list[str]]]
    """Each community's ``/top all`` and ``/influencers all``, by community key."""
    activity: list[dict[str, Any]] = field(default_factory=list)
    communities: dict[str, str] = field(default_factory=dict)
    """Each community's name, by key."""
    problems: list[dict[str, Any]] = field(default_factory=list)
    """Warnings and errors logged during the replay (``message``, ``times``): what may be missing
    from the report, such as a rule that could not be checked."""

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        return {
            "files": self.files,
            "totals": self.totals,
            "rules": self.rules,
            "sanctions": self.sanctions,
            "newcomers": self.newcomers,
            "contributors": self.contributors,
            "activity": self.activity,
            "communities": self.communities,
            "problems": self.problems,
        }

    def render(self) -> str:
        """The report as text for a terminal: control characters from the exports are escaped."""
        sections = [
            self._files(),
            *([self._problems()] if self.problems else []),
            self._rules(),
            self._sanctions(),
            self._newcomers(),
            *self._standings(),
            self._activity(),
        ]
        return "\n\n".join("\n".join(map(_terminal_line, lines)) for lines in sections) + "\n"

    def _files(self) -> list[str]:
        totals = self.totals
        lines = [
            f"Replay (dry run) of {counted(len(self.files), 'file')}: "
            f"{counted(totals['messages'], 'message')}, {counted(totals['joins'], 'join')}, "
            f"{counted(totals['reactions'], 'reaction')}, "
            f"from {totals['first']} to {totals['last']}",
        ]
        lines += [
            f"  {item['path']} ({item['format']}): {_where(item)}, "
            f"{counted(item['events'], 'event')}"
            # A file's events are played by time: say so where the file did not list them so.
            + ("" if item.get("in_time_order", True) else ", not in time order: played sorted")
            for item in self.files
        ]
        if totals.get("duplicates"):
            lines.append(
                f"  played once: {counted(totals['duplicates'], 'event')} found in more than "
                "one file (the exports overlap)"
            )
        return lines

    def _problems(self) -> list[str]:
        lines = ["⚠️ Problems met during the replay (the report may miss what they stopped):"]
        lines += [
            f"  {shorten(item['message'], PROBLEM_LENGTH)}"
            + (f" (×{item['times']})" if item["times"] > 1 else "")
            for item in self.problems
        ]
        return lines

    def _rules(self) -> list[str]:
        lines = ["Netiquette rules (messages the bot would have acted on):"]
        if not self.rules:
            lines.append("  no rule would have fired")
        for rule in self.rules:
            actions = "; ".join(f"{name} ×{count}" for name, count in rule["actions"].items())
            if rule["dry_run"]:
                lines.append(
                    f"  {rule['rule']} (dry run, only logged): {rule['count']} — would {actions}"
                )
            else:
                lines.append(f"  {rule['rule']}: {rule['count']} — {actions}")
            lines += [
                f"    · {example['at']} {example['member']}: “{example['text']}”"
                + (f" — {example['matched']}" if example["matched"] else "")
                for example in rule["examples"]
            ]
        return lines

    def _sanctions(self) -> list[str]:
        lines = ["Strikes and sanctions that would have followed:"]
        if not self.sanctions:
            lines.append("  none")
        for item in self.sanctions[:MEMBERS_SHOWN]:
            parts = [counted(item["cases"], "case"), counted(item["warnings"], "warning")]
            parts += tallied(f"timeout {duration}" for duration in item["timeouts"])
            parts += tallied(["kick"] * item["kicks"] + ["ban"] * item["bans"])
            parts += tallied(f"ladder: {step}" for step in item["escalations"])
            lines.append(f"  {item['member']}: {', '.join(parts)}")
        if len(self.sanctions) > MEMBERS_SHOWN:
            more = len(self.sanctions) - MEMBERS_SHOWN
            lines.append(f"  … and {counted(more, 'more member')} (all of them with --json)")
        return lines

    def _newcomers(self) -> list[str]:
        newcomers = self.newcomers
        lines = [
            f"Newcomers: {newcomers['joined']} joined, {len(newcomers['welcomed'])} welcomed "
            f"({counted(newcomers['welcome_messages'], 'welcome message')})",
        ]
        if newcomers["welcomed"]:
            lines.append("  " + ", ".join(newcomers["welcomed"]))
        return lines

    def _standings(self) -> list[list[str]]:
        sections = []
        for key, answers in self.contributors.items():
            community = self.communities.get(key, key)
            for name, title in (("top", "Top contributors"), ("influencers", "Influencers")):
                heading = f"{title} in {community} (/{name} all):"
                sections.append([heading, *(f"  {line}" for line in answers.get(name, []))])
        return sections

    def _activity(self) -> list[str]:
        lines = ["Activity per day (UTC):", "  day         messages  members  joins  acted on"]
        lines += [
            f"  {day['day']}  {day['messages']:>8}  {day['members']:>7}  {day['joins']:>5}"
            f"  {day['acted_on']:>8}"
            for day in self.activity
        ]
        return lines


def _terminal_line(line: str) -> str:
    # Names, texts and paths come from the exports: an escape sequence in one would act on the
    # reader's terminal, and a newline in a name would forge a line of the report.
    return printable(line).replace("\n", "\\x0a")


def _where(item: dict[str, Any]) -> str:
    """``Jardin Partagé #general``; a Telegram group is its own single channel: named once."""
    if item["channel"] == item["community"]:
        return str(item["community"])
    return f"{item['community']} {item['channel']}"


def _example(example: Example) -> dict[str, Any]:
    return {
        "at": example.at.strftime("%Y-%m-%d %H:%M"),
        "member": example.member,
        "channel": example.channel,
        "text": shorten(example.text),
        "matched": example.matched,
    }


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def build_report(
    histories: Sequence[History],
    observations: Observations,
    platforms: Sequence[RecordingPlatform],
    contributors: dict[str, dict[str, list[str]]],
) -> ReplayReport:
    """Put the observations and the recorded actions together."""
    actions = [action for platform in platforms for action in platform.actions]
    files = [
        {
            "path": str(history.path),
            "format": history.format,
            "community": history.community.name or history.community.key,
            "channel": history.channel.name,
            "events": history.count,
            "in_time_order": history.in_time_order,
        }
        for history in histories
    ]
    played = observations.played
    totals = {
        "messages": played.messages,
        "joins": played.joins,
        "reactions": played.reactions,
        "members": len(played.authors),
        "first": _stamp(played.first) if played.first else "",
        "last": _stamp(played.last) if played.last else "",
    }
    rules = [
        {
            "rule": findings.rule,
            "dry_run": findings.dry_run,
            "count": findings.count,
            "actions": dict(findings.actions.most_common()),
            "examples": [_example(example) for example in findings.examples],
        }
        # The rules enforced first, then those on trial; the busiest first in each.
        for findings in sorted(
            observations.rules.values(), key=lambda item: (item.dry_run, -item.count)
        )
    ]
    sanctions_by: dict[tuple[Any, str], dict[str, Any]] = {}
    for cases in observations.members.values():
        sanctions_by[(cases.community, cases.user_id)] = {
            "member": cases.name,
            "community": cases.community.key,
            "cases": cases.cases,
            "warnings": cases.warnings,
            "escalations": list(cases.escalations),
            "timeouts": [],
            "kicks": 0,
            "bans": 0,
        }
    for action in actions:
        if action.action not in ("timeout", "kick", "ban"):
            continue
        member: MemberRef = action.target
        entry = sanctions_by.setdefault(
            (member.community, member.user.id),
            {
                "member": member.name,
                "community": member.community.key,
                "cases": 0,
                "warnings": 0,
                "escalations": [],
                "timeouts": [],
                "kicks": 0,
                "bans": 0,
            },
        )
        if action.action == "timeout":
            entry["timeouts"].append(format_duration(action.details["until"] - action.at))
        else:
            entry[f"{action.action}s"] += 1
    sanctions = sorted(sanctions_by.values(), key=lambda item: (-item["cases"], item["member"]))
    return ReplayReport(
        files=files,
        totals=totals,
        rules=rules,
        sanctions=sanctions,
        newcomers=_newcomers(played.joined, actions),
        contributors=contributors,
        activity=_activity(observations),
        communities={
            history.community.key: history.community.name or history.community.key
            for history in histories
        },
    )


def _newcomers(
    joined: dict[tuple[CommunityRef, str], str], actions: Sequence[Any]
) -> dict[str, Any]:
    """Who joined and who was welcomed: greeted while their join was handled, or in a wave."""
    welcomed: dict[tuple[Any, str], str] = {}
    messages = 0
    for action in actions:
        if action.action not in ("send", "dm"):
            continue
        if action.cause is not None and not isinstance(action.cause, MemberJoined):
            continue
        greeted = [user for user in action.details.get("mention", ()) if isinstance(user, UserRef)]
        if action.action == "dm" and isinstance(action.target, UserRef):
            greeted = [action.target]
        hits = [
            key
            for user in greeted
            for key in joined
            if key[1] == user.id and key[0].platform == user.platform
        ]
        if not hits:
            continue
        if action.action == "send":
            messages += 1
        for key in hits:
            welcomed.setdefault(key, joined[key])
    return {
        "joined": len(joined),
        "welcomed": sorted(welcomed.values(), key=str.casefold),
        "welcome_messages": messages,
    }


def _activity(observations: Observations) -> list[dict[str, Any]]:
    played = observations.played
    days = sorted(set(played.messages_by_day) | set(played.joins_by_day))
    return [
        {
            "day": day,
            "messages": played.messages_by_day[day],
            "members": played.authors_by_day[day],
            "joins": played.joins_by_day[day],
            "acted_on": observations.acted_on[day],
        }
        for day in days
    ]
