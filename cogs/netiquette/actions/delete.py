"""``delete``: remove the message (later listeners then skip it), and its earlier copies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.subject import Subject

if TYPE_CHECKING:
    from cogs.netiquette.engine import Outcome
    from cogs.netiquette.sanctions import Sanctions


class DeleteConfig(ActionConfig):
    """``delete: true``."""

    points: int = 0
    copies: bool = True
    """Also delete the earlier copies a ``duplicates`` trigger counted: spam posted again and
    again, or in every channel, goes all at once."""


class Delete(Action):
    """Deletes the message that fired the rule (and the copies it repeats)."""

    name = "delete"
    config_model = DeleteConfig
    order = 10
    needs_message = True

    immediate = True

    async def run_now(
        self, config: DeleteConfig, subject: Subject, sanctions: Sanctions, outcome: Outcome
    ) -> str | None:
        """Delete the message and mark it removed on the bus, before later listeners run; then
        the earlier copies the trigger counted, where still there."""
        message = subject.message
        if message is None:
            return None
        note = await sanctions.attempt(self.name, subject.community, sanctions.delete(message))
        if config.copies and note is None:
            for copy in outcome.related:
                if not sanctions.core.bus.is_removed(copy):
                    await sanctions.delete(copy)
        return note

    async def run(self, config: DeleteConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Already done as the rule fired (:meth:`run_now`)."""
        return None


ACTION = Delete()
