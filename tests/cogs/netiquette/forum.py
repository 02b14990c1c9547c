"""A community to drive the netiquette cog with: members post, moderators act, the bot answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.events import Event, MessageEdited, MessageRef
from cogs.netiquette.cog import NetiquetteCog
from tests.support.community import Community
from tests.support.rulebook import edit_section, enable_only

NO_INSULTS = {
    "no_insults": {
        "triggers": [{"match_words": {"words": ["idiot", "crétin"]}}],
        "actions": {"delete": True, "warn": {"reason": "Restons courtois"}},
    }
}


RULES_TO_TEST = {
    "no_insults": NO_INSULTS["no_insults"],
    "shouting": {
        "triggers": [{"caps": {"ratio": 0.7, "min_length": 10}}],
        "actions": {"reply": True},
        "allow_further_rules": True,
    },
    "elsewhere": {
        "triggers": [{"match_words": {"words": ["idiot"]}}],
        "channels": {"include": ["offtopic"]},
    },
    "trial": {
        "triggers": [{"match_words": {"words": ["weed"]}}],
        "actions": {"delete": True},
        "dry_run": True,
    },
}
"""Rules that give ``/rules_test`` something to say: one fires, one allows more, one is elsewhere,
one is a dry run."""


def write_netiquette(rules_dir: Path, rules: dict[str, Any] | None = None, **changes: Any) -> None:
    """Enable only the netiquette cog, replace its rules with ``rules``, set other keys (a
    mapping's keys are merged one level deep)."""
    enable_only(rules_dir, "netiquette")
    path = rules_dir / "netiquette.yaml"
    section = yaml.safe_load(path.read_text(encoding="utf-8"))
    if rules is not None:
        section["rules"] = rules
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(section.get(key), dict):
            section[key] = {**section[key], **value}
        else:
            section[key] = value
    path.write_text(yaml.safe_dump(section, allow_unicode=True, sort_keys=False), "utf-8")


def write_locale(rules_dir: Path, locale: str) -> None:
    """Make the community speak ``locale`` (the next start or reload applies it)."""
    edit_section(rules_dir, "community", {"locale": locale})


class Forum(Community):
    """The fake community "Garden" with the netiquette cog."""

    @property
    def cog(self) -> NetiquetteCog:
        """The netiquette cog."""
        cog = self.core.cogs["netiquette"]
        assert isinstance(cog, NetiquetteCog)
        return cog

    async def handle(self, event: Event) -> None:
        """The platform delivers ``event``; the bot finishes what it decided (cases, notices)."""
        await self.core.handle(event)
        await self.core.caught_up()

    async def edit(
        self, name: str, message: MessageRef, text: str, *, mentions: tuple[str, ...] = ()
    ) -> None:
        """``name`` edits ``message`` to read ``text`` (mentioning ``mentions`` after it)."""
        await self.handle(
            MessageEdited(
                at=self.clock.now(),
                message=message,
                author=self.member(name),
                text=text,
                mentions=tuple(self.member(mentioned).user for mentioned in mentions),
            )
        )

    async def run(self, name: str, line: str, *, channel: str = "general") -> None:
        """``name`` runs ``line`` (``/command args``)."""
        await self.command(name, line, channel=channel)

    # -- what the bot did -------------------------------------------------------------------

    def deleted(self) -> list[str]:
        """Ids of the messages the bot deleted."""
        return [recorded.target.id for recorded in self.done("delete")]

    def modlog(self) -> list[str]:
        """What the bot posted in the mod-log."""
        return self.texts("mod-log")

    def answers(self) -> list[str]:
        """Answers only their asker sees (moderator commands)."""
        return [r.text for r in self.platform.sent() if r.details.get("private_to") is not None]
