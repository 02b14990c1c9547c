"""``dm``: a direct message to the member (the section's ``dm_notice`` text by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.wording import Localised, pick

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class DmConfig(ActionConfig):
    """``dm: true`` or ``dm: {text: …}``."""

    text: Localised | None = None
    """Placeholders: {member}, {rule}, {charter}, {community}, {reason}."""


class Dm(Action):
    """Writes to the member privately."""

    name = "dm"
    config_model = DmConfig
    order = 30

    async def run(self, config: DmConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Send the direct message."""
        template = pick(config.text, firing.locale) or sanctions.texts(firing).dm_notice
        member = firing.subject.member
        sent = sanctions.dm(member, sanctions.rule_text(firing, template))
        return await sanctions.attempt(self.name, member.community, sent)


ACTION = Dm()
