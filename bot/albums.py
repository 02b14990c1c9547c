"""Members' last album (a Telegram media group: several messages posted as one), remembered so
that what counts a member's messages counts an album once (see ``MessageCreated.group``)."""

from __future__ import annotations

from bot.events import CommunityRef

AUTHORS_REMEMBERED = 1_000
"""Members whose last album is remembered (those who posted one most recently). An album's
messages arrive together, so a member pushed out of the memory has long finished posting it."""


class LastAlbums:
    """Each member's last album counted, for the :data:`AUTHORS_REMEMBERED` who posted one
    most recently."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], str] = {}
        """(community key, user id) → group, oldest poster first."""

    def counted(self, community: CommunityRef, user_id: str, group: str) -> bool:
        """Whether the album ``group`` of ``user_id`` already counted."""
        return self._last.get((community.key, user_id)) == group

    def remember(self, community: CommunityRef, user_id: str, group: str) -> None:
        """Remember that the album ``group`` of ``user_id`` counted: its other messages do not."""
        last = self._last
        key = (community.key, user_id)
        last.pop(key, None)
        last[key] = group
        if len(last) > AUTHORS_REMEMBERED:
            del last[next(iter(last))]

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Forget the member's last album (their data is erased)."""
        self._last.pop((community.key, user_id), None)
