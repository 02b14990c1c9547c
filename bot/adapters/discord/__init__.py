"""The Discord adapter (discord.py). The gateway client arrives with its own issue; the command
payloads below are pure functions already used by ``jardinier commands --platform discord``."""
