"""Jardinier: a community-management bot for Discord and Telegram."""

__version__ = "0.1.0"
