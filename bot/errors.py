"""The one exception type for errors a user (member, moderator, community manager) can fix."""


class JardinierError(Exception):
    """An error whose message tells the user what went wrong and what to do about it."""
