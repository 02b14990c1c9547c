"""``reply``: a polite reminder, in the channel, of the charter rule that was broken."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.netiquette.actions.base import Action, ActionConfig, Firing
from cogs.netiquette.wording import Localised, pick

if TYPE_CHECKING:
    from cogs.netiquette.sanctions import Sanctions


class ReplyConfig(ActionConfig):
    """``reply: true`` (the section's ``reminder`` text) or ``reply: {text: …}``."""

    text: Localised | None = None
    """Placeholders: {member}, {rule}, {charter}, {community}, {reason}."""


class Reply(Action):
    """Posts the reminder where the message was, addressing (and pinging) its author only."""

    name = "reply"
    config_model = ReplyConfig
    order = 20
    needs_message = True

    async def run(self, config: ReplyConfig, firing: Firing, sanctions: Sanctions) -> str | None:
        """Post the reminder."""
        template = pick(config.text, firing.locale)
        text = sanctions.rule_text(firing, template or sanctions.texts(firing).reminder)
        channel = firing.subject.channel
        if channel is None:
            return None
        reply_to = None if firing.deleted else firing.subject.message
        sent = sanctions.send(channel, text, reply_to=reply_to, mention=firing.subject.member)
        return await sanctions.attempt(self.name, channel.community, sent)


ACTION = Reply()
