"""The netiquette cog: the automod engine, strikes, moderation commands and the mod-log.

Rules (triggers → actions) come from ``netiquette.yaml`` and run in order on every message,
edit and join; moderators act with slash commands. Every action, automatic or manual, is a case
committed before it is announced, and a line in the mod-log naming the rule, what matched, an
excerpt and the case number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.durations import format_duration
from bot.events import CommunityRef, UserRef
from cogs.netiquette.casework import Casework
from cogs.netiquette.strikes import counted_for

if TYPE_CHECKING:
    from bot.core import Jardinier


class NetiquetteCog(Casework):
    """Keeps exchanges civil: automatic rules, strikes and the moderators' tools."""

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._retention_warned: dict[str, timedelta] = {}
        """Per community, how long the cases are kept past the retention, as last logged."""

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

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the cases recorded before ``cutoff``, save those whose points may still count
        (the strike ladder's longest window, the decay) and the sanctions still running."""
        counted = counted_for(self.settings(community).strikes)
        now = self.core.clock.now()
        if cutoff > now - counted:
            # The ladder wins over the retention: forgetting a strike that still counts would
            # let a member escape the sanction the rules set.
            if self._retention_warned.get(community.key) != counted:
                self._retention_warned[community.key] = counted
                self.log.warning(
                    "%s: cases are kept %s, longer than the rule book's retention: the strike "
                    "ladder counts them that long",
                    community.key,
                    format_duration(counted),
                )
            cutoff = now - counted
        return await self.casebook.forget_before(community, cutoff)

    async def members_still_needed(self, community: CommunityRef) -> set[str]:
        """The members a kept case is about (a ban or a sanction still running, a strike still
        counted): ``/unban`` finds one who left by their record."""
        return await self.casebook.members_named(community)

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the member's cases and recent activity in ``community``, and their name on
        the cases they decided as a moderator; a timeout or ban still running is lifted on time
        all the same."""
        await self.casebook.forget(community, user.id)
        await self.casebook.forget_moderator(community, user.id)
        self.activity.forget_member(community, user.id)
        self.sanctions.forget_in_lifts(community, user.id)
