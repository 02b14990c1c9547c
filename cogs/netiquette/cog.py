"""The netiquette cog: the automod engine, strikes, moderation commands and the mod-log.

Rules (triggers → actions) come from ``netiquette.yaml`` and run in order on every message,
edit and join; moderators act with slash commands. Every action, automatic or manual, is a case
committed before it is announced, and a line in the mod-log naming the rule, what matched, an
excerpt and the case number.
"""

from __future__ import annotations

from typing import Any

from bot.events import CommunityRef, UserRef
from cogs.netiquette.casework import Casework


class NetiquetteCog(Casework):
    """Keeps exchanges civil: automatic rules, strikes and the moderators' tools."""

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The member's moderation cases in ``community``, and those they decided or pardoned
        as a moderator (which case, what, when: the rest is about another member)."""
        records = await self.casebook.of_member(community, user.id)
        acted = await self.casebook.acted_by(community, user.id)
        data: dict[str, Any] = {}
        if records:
            data["cases"] = [record.export() for record in records]
        if acted:
            data["acted_on"] = [
                {
                    "case": record.id,
                    "action": record.action,
                    "at": record.created_at.isoformat(),
                    "decided": record.moderator_id == user.id,
                    "pardoned": record.pardoned_by == user.id,
                }
                for record in acted
            ]
        return data

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the member's cases and recent activity in ``community``, and their name on
        the cases they decided as a moderator; a timeout or ban still running is lifted on time
        all the same."""
        await self.casebook.forget(community, user.id)
        await self.casebook.forget_moderator(community, user.id)
        self.activity.forget_member(community, user.id)
        self.sanctions.forget_in_lifts(community, user.id)
