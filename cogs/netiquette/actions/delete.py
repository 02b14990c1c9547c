"""``delete``: remove the message (later listeners then skip it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.subject import Subject

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class DeleteConfig(ActionConfig):
    """``delete: true``."""

    points: int = 0


class Delete(Action):
    """Deletes the message that fired the rule."""

    name = "delete"
    config_model = DeleteConfig
    order = 10
    needs_message = True

    immediate = True

    async def run_now(
        self, config: DeleteConfig, subject: Subject, sanctions: Sanctions
    ) -> str | None:
        """Delete the message and mark it removed on the bus, before later listeners run."""
        message = subject.message
        if message is None:
            return None
        return await sanctions.attempt(self.name, subject.community, sanctions.delete(message))

    async def run(self, config: DeleteConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Already done as the rule fired (:meth:`run_now`)."""
        return None


ACTION = Delete()
