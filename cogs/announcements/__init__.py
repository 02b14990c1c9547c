"""Announcements: moderators schedule a message to be posted later, which survives restarts."""

from cogs.announcements.cog import AnnouncementsCog as COG

__all__ = ["COG"]
