"""``log``: the mod-log line. Implicit on every rule; write ``log: true`` for a rule that only
records (its case and mod-log line) without acting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.netiquette.actions.base import Action, ActionConfig, Firing

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class LogConfig(ActionConfig):
    """``log: true``."""


class Log(Action):
    """Nothing beyond the case and the mod-log line every firing gets."""

    name = "log"
    config_model = LogConfig
    order = 100

    async def run(self, config: LogConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """The engine writes the line; nothing more to do."""
        return None


ACTION = Log()
