"""One member's data across the core and every cog: what is kept (access) and forgetting it.

Each cog answers for its own tables through its ``export_member_data`` and
``erase_member_data`` hooks; the community's platform, where it keeps something of its own about
members (:class:`~bot.platform.KeepsMemberData`: Telegram remembers who started the bot and whom
it holds at the charter gate), answers the same way under its name; the core adds its own record
of the member (name, first seen, joined, left). Every loaded cog is asked, enabled in the
community or not: a cog turned off still holds what it kept while it was on. A part that fails is
named in the result and the others go on, so a request is never answered as complete when it is
not.
"""

from __future__ import annotations

import json
import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from bot.events import CommunityRef, UserRef
from bot.keyedlocks import KeyedLocks
from bot.platform import KeepsMemberData

if TYPE_CHECKING:
    from bot.core import Jardinier

log = logging.getLogger(__name__)

RECORD = "member"
"""The part of an export that holds the core's record of the member."""


@dataclass
class MemberData:
    """What the bot keeps about one member of one community, part by part."""

    community: CommunityRef
    user: UserRef
    exported_at: datetime
    parts: dict[str, Any] = field(default_factory=dict)
    """``member`` (the core's record), then one entry per cog that keeps something, then the
    platform's (``telegram``) where it keeps something."""
    failed: list[str] = field(default_factory=list)
    """The parts that could not be read: the export is incomplete without them."""

    def as_json(self) -> dict[str, Any]:
        """The export as written to the member's file."""
        exported: dict[str, Any] = {
            "community": {
                "platform": self.community.platform,
                "id": self.community.id,
                "name": self.community.name,
            },
            "user": {"id": self.user.id, "name": self.user.name},
            "exported_at": self.exported_at.isoformat(),
            "data": self.parts,
        }
        if self.failed:
            exported["incomplete"] = self.failed
        return exported

    def write(self, folder: Path) -> Path:
        """Write the export as ``data-<community>-<user>.json`` in ``folder``; its path."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.user.id)
        path = folder / f"data-{self.community.key}-{safe[:64]}.json"
        text = json.dumps(self.as_json(), ensure_ascii=False, indent=2, default=_json_value)
        path.write_text(text + "\n", encoding="utf-8")
        return path


class Erasing:
    """The members whose data :func:`erase_member` is erasing, one erasure at a time per member,
    by (community key, user id): a join of theirs waits until the erasures begun before it are
    done (the core's record of it, the cogs' handling), then starts anew, untouched by them:
    no step of an erasure (a cog's hook, the platform's, the core's record) deletes what the
    join starts."""

    def __init__(self) -> None:
        self.members: KeyedLocks[tuple[str, str]] = KeyedLocks()
        """The members being erased or waiting to be: a join tells with one lookup, no await."""

    def holding(self, community: CommunityRef, user_id: str) -> AbstractAsyncContextManager[None]:
        """Hold the member for an erasure (registered before any await)."""
        return self.members.holding((community.key, user_id))

    async def over(self, community: CommunityRef, user_id: str) -> None:
        """Return once the erasures of the member under way or waiting are done."""
        if (community.key, user_id) in self.members:
            async with self.holding(community, user_id):
                pass


@dataclass(frozen=True)
class Erasure:
    """What forgetting one member did."""

    erased: list[str]
    """The parts that held something and were erased (``member``, cog names, the
    platform's name)."""
    failed: list[str]
    """The parts that could not be erased: asking again finishes the job."""


async def export_member(core: Jardinier, community: CommunityRef, user: UserRef) -> MemberData:
    """Everything the core and the cogs keep about ``user`` in ``community``."""
    data = MemberData(community, user, core.clock.now())
    try:
        record = await core.members.get(community, user.id)
    except SQLAlchemyError:
        log.exception("could not read the member record of %s in %s", user.id, community.key)
        data.failed.append(RECORD)
    else:
        if record is not None:
            data.parts[RECORD] = {
                "name": record.name,
                "is_bot": record.is_bot,
                "first_seen": record.first_seen,
                "joined_at": record.joined_at,
                "left_at": record.left_at,
            }
    for name, cog in core.cogs.items():
        try:
            part = await cog.export_member_data(community, user)
        except Exception:
            log.exception("cog %s could not export the data of %s", name, user.id)
            data.failed.append(name)
            continue
        if part:
            data.parts[name] = part
    platform = _keeping(core, community)
    if platform is not None:
        name = community.platform
        try:
            part = await platform.export_member_data(community, user)
        except Exception:
            log.exception("platform %s could not export the data of %s", name, user.id)
            data.failed.append(name)
        else:
            if part:
                data.parts[name] = part
    return data


async def erase_member(core: Jardinier, community: CommunityRef, user: UserRef) -> Erasure:
    """Forget ``user`` in ``community``: every cog's data, then the core's record of them.

    The member is held throughout (see :class:`Erasing`): a join of theirs meanwhile is
    recorded and handled once it is done, and nothing of it is erased."""
    async with core.erasing.holding(community, user.id):
        return await _erase_member(core, community, user)


async def _erase_member(core: Jardinier, community: CommunityRef, user: UserRef) -> Erasure:
    held = await export_member(core, community, user)
    erased: list[str] = []
    failed: list[str] = []
    for name, cog in core.cogs.items():
        try:
            await cog.erase_member_data(community, user)
        except Exception:
            log.exception("cog %s could not erase the data of %s", name, user.id)
            failed.append(name)
            continue
        if name in held.parts or name in held.failed:
            erased.append(name)
    # After the cogs: their hooks may still act on the member through the platform, which reads
    # what it keeps to do it (the welcome cog lets go a newcomer it held at the gate: the
    # adapter's record of a timeout then keeps them restricted until it ends).
    platform = _keeping(core, community)
    if platform is not None:
        part = community.platform
        try:
            await platform.erase_member_data(community, user)
        except Exception:
            log.exception("platform %s could not erase the data of %s", part, user.id)
            failed.append(part)
        else:
            if part in held.parts or part in held.failed:
                erased.append(part)
    # Jobs saved by a later version, which this one cannot read to take the member out of.
    if core.scheduler.forget_kept(community.id, user.id):
        log.info("saved jobs this version cannot read, naming an erased member, were removed")
    # Last: a cog's hook may still look the member up.
    try:
        had_record = await core.members.forget(community, user.id)
    except SQLAlchemyError:
        log.exception("could not erase the member record of %s in %s", user.id, community.key)
        failed.append(RECORD)
    else:
        if had_record:
            erased.insert(0, RECORD)
    return Erasure(erased, failed)


def _keeping(core: Jardinier, community: CommunityRef) -> KeepsMemberData | None:
    """The community's platform, if it keeps something of its own about members."""
    platform = core.platforms.get(community.platform)
    return platform if isinstance(platform, KeepsMemberData) else None


def _json_value(value: object) -> str:
    """Dates as ISO 8601; anything else a hook returns as its text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
