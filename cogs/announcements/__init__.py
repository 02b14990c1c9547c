"""Announcements: moderators schedule a message to be posted later, which survives restarts."""

from cogs.announcements.cog import AnnouncementsCog

COG = AnnouncementsCog

__all__ = ["COG"]
